"""Writing to the audit log. Every service that changes state calls `record`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from .models import AuditEntry


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: Any = None,
    summary: str = "",
    before: Any = None,
    after: Any = None,
    campaign_id: int | None = None,
    unit_id: int | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """Append one entry: who (`actor`), what (`action`, `obj`), from where (`ip`), and the
    state before and after, so "谁受理、谁负责、谁签字" can be answered later."""
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditEntry.objects.create(
        actor_id=user.pk if user is not None else None,
        actor_name=str(user) if user else "",
        ip=ip,
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "") or ""),
        summary=summary[:300],
        campaign_id=campaign_id,
        unit_id=unit_id,
        before=before,
        after=after,
    )
