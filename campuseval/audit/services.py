"""Writing to the audit log. Every service that changes state calls `record`."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from .models import AuditEntry


def _trusted(address: str, proxies: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for proxy in proxies:
        try:
            if ip in ipaddress.ip_network(proxy, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_ip(request: HttpRequest | None) -> str | None:
    """The address the request came from (审计日志的来源地址). Behind a reverse proxy REMOTE_ADDR is
    the proxy's; then, and only when REMOTE_ADDR is one of settings.TRUSTED_PROXIES, the
    X-Forwarded-For chain is read from the right, skipping the trusted proxies: the first other
    address is the client. A header sent by anyone else is ignored (it is trivially forged)."""
    if request is None:
        return None
    remote = str(request.META.get("REMOTE_ADDR") or "").strip()
    proxies = list(getattr(settings, "TRUSTED_PROXIES", []))
    if remote and proxies and _trusted(remote, proxies):
        chain = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        hops = [hop.strip() for hop in chain.split(",") if hop.strip()]
        for hop in reversed(hops):
            if not _valid(hop):
                break  # a malformed entry: nothing left of it can be believed
            if not _trusted(hop, proxies):
                return hop
    return remote if _valid(remote) else None


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


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
