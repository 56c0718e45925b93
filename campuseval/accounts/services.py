"""Writes on accounts. Each checks, writes and leaves an audit entry."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from campuseval.audit.services import record

from .models import User


@transaction.atomic
def change_password(*, actor: User, new_password: str, ip: str | None = None) -> None:
    """Set the signed-in user's own new password (already checked against the old one by the
    form). Validated again here so no caller can store a weak password, and audited because a
    changed password is the first thing looked at when an account is misused. Choosing one's
    own password ends a one-time password's forced change and restarts a configured expiry."""
    validate_password(new_password, user=actor)
    forced = actor.must_change_password
    actor.set_password(new_password)
    actor.must_change_password = False
    actor.password_changed_at = timezone.now()
    actor.save(update_fields=["password", "must_change_password", "password_changed_at"])
    record(
        actor=actor,
        action="accounts.change_password",
        obj=actor,
        summary="修改登录密码" + ("（一次性密码后首次登录）" if forced else ""),
        before={"must_change_password": forced},
        after={"must_change_password": False},
        ip=ip,
    )
