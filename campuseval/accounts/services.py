"""Writes on accounts. Each checks, writes and leaves an audit entry."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from campuseval.audit.services import record

from .models import User


@transaction.atomic
def change_password(*, actor: User, new_password: str, ip: str | None = None) -> None:
    """Set the signed-in user's own new password (already checked against the old one by the
    form). Validated again here so no caller can store a weak password, and audited because a
    changed password is the first thing looked at when an account is misused."""
    validate_password(new_password, user=actor)
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    record(actor=actor, action="accounts.change_password", obj=actor, summary="修改登录密码", ip=ip)
