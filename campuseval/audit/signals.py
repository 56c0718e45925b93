"""Sign-in events in the audit log: sign-in, sign-out, a failed sign-in and a lock-out, each with
the client address (through the trusted proxy, `services.client_ip`) and, when nobody is signed
in, the user name that was tried. Passwords never reach the log: Django hands the failed
credentials over already masked, and only the user name is read from them.

Connected in `AuditConfig.ready`. Events of a known account carry the unit of its first role,
so an organizer finds the lock-outs of their region's accounts on the audit page."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.http import HttpRequest

from .services import client_ip, plain_text, record

LOGIN = "auth.login"
LOGOUT = "auth.logout"
LOGIN_FAILED = "auth.login_failed"
LOCKED_OUT = "auth.locked_out"
#: AbstractUser.username's length: a longer name is not looked up
USERNAME_MAX = 150


def _unit_of(user: Any) -> int | None:
    """The unit of the account's first role (none for an account without roles)."""
    if user is None or getattr(user, "pk", None) is None:
        return None
    memberships = getattr(user, "memberships", None)
    if memberships is None:
        return None
    unit_id: int | None = memberships.order_by("pk").values_list("unit_id", flat=True).first()
    return unit_id


def _account(username: str) -> Any:
    """The account a user name names, if any. A name longer than any user name, or with control
    characters (a NUL is refused by PostgreSQL), names nobody and is not looked up."""
    model = get_user_model()
    if not username or len(username) > USERNAME_MAX or plain_text(username, USERNAME_MAX) != username:
        return None
    return model._default_manager.filter(**{model.USERNAME_FIELD: username}).first()


def logged_in(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
    record(actor=user, action=LOGIN, summary="登录成功", ip=client_ip(request), unit_id=_unit_of(user))


def logged_out(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
    if user is None or not getattr(user, "is_authenticated", False):
        return  # signing out while signed out leaves nothing to record
    record(actor=user, action=LOGOUT, summary="退出登录", ip=client_ip(request), unit_id=_unit_of(user))


def login_failed(
    sender: Any, credentials: dict[str, Any] | None = None, request: HttpRequest | None = None, **kwargs: Any
) -> None:
    field = get_user_model().USERNAME_FIELD
    tried = str((credentials or {}).get(field) or (credentials or {}).get("username") or "")
    name = plain_text(tried)
    record(
        actor=None,
        actor_name=name,
        action=LOGIN_FAILED,
        summary=plain_text(f"登录失败：用户名“{name}”", 300),
        after={"username": name},
        ip=client_ip(request),
        unit_id=_unit_of(_account(tried)),
    )


def locked_out(sender: Any, request: HttpRequest | None = None, username: Any = None, **kwargs: Any) -> None:
    tried = str(username or "")
    name = plain_text(tried)
    record(
        actor=None,
        actor_name=name,
        action=LOCKED_OUT,
        summary=plain_text(f"连续登录失败，已锁定：用户名“{name}”", 300),
        after={"username": name},
        ip=client_ip(request),
        unit_id=_unit_of(_account(tried)),
    )


def connect() -> None:
    user_logged_in.connect(logged_in, dispatch_uid="audit.logged_in")
    user_logged_out.connect(logged_out, dispatch_uid="audit.logged_out")
    user_login_failed.connect(login_failed, dispatch_uid="audit.login_failed")
    user_locked_out.connect(locked_out, dispatch_uid="audit.locked_out")
