"""Lock-out after failed sign-ins, on top of django-axes.

Two limits (README 账号管理与密码):
- AXES_FAILURE_LIMIT failures of one user name *from one client address* lock that pair
  (AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]): five wrong passwords from a stranger
  no longer lock a school's head out of their own office on deadline day.
- AXES_ACCOUNT_FAILURE_LIMIT failures of one user name from *any* addresses lock the account
  itself, so spreading a guessing attack over many addresses still ends. axes applies a single
  limit to every parameter set, so this ceiling is added by a handler subclass (AXES_HANDLER,
  axes' documented extension point) that counts the same AccessAttempt rows.

The client address is the one audit.services.client_ip believes (X-Forwarded-For only from
settings.TRUSTED_PROXIES), so behind nginx every school is not one address, and nobody can
pick their own address by sending the header."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from axes.utils import reset
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from django.utils import timezone

from campuseval.audit.services import client_ip


def client_address(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the same client address the audit log records."""
    return client_ip(request)


def account_limit() -> int:
    return int(getattr(settings, "AXES_ACCOUNT_FAILURE_LIMIT", 50))


def pair_limit() -> int:
    limit = settings.AXES_FAILURE_LIMIT
    return int(limit) if isinstance(limit, int) else 5


def _threshold() -> dt.datetime | None:
    cool_off = get_cool_off()
    return timezone.now() - cool_off if cool_off else None


def _recent(usernames: Iterable[str]) -> Any:
    attempts = AccessAttempt.objects.filter(username__in=list(usernames))
    threshold = _threshold()
    return attempts.filter(attempt_time__gte=threshold) if threshold is not None else attempts


def account_failures(username: str) -> int:
    """Failed sign-ins of the user name from every address within the cool-off period."""
    total = _recent([username]).aggregate(n=Sum("failures_since_start"))["n"]
    return int(total or 0)


class LockState:
    """What the account pages show for one user name: failures in the cool-off period, the
    addresses locked out, and whether the whole account is locked."""

    def __init__(self, failures: int = 0, locked_addresses: tuple[str, ...] = ()) -> None:
        self.failures = failures
        self.locked_addresses = locked_addresses

    @property
    def account_locked(self) -> bool:
        return self.failures >= account_limit()

    @property
    def locked(self) -> bool:
        return self.account_locked or bool(self.locked_addresses)

    def __repr__(self) -> str:
        return f"LockState({self.failures}, {self.locked_addresses})"


def lock_states(usernames: Iterable[str]) -> dict[str, LockState]:
    """The lock state of each user name, in one query (a page of accounts reads it once)."""
    per_pair: dict[str, dict[str, int]] = {}
    rows = _recent(usernames).values_list("username", "ip_address").annotate(n=Sum("failures_since_start"))
    for username, address, n in rows.order_by():
        pairs = per_pair.setdefault(str(username), {})
        key = str(address or "")
        pairs[key] = pairs.get(key, 0) + int(n or 0)
    out: dict[str, LockState] = {}
    for username, pairs in per_pair.items():
        locked = tuple(sorted(a or "?" for a, n in pairs.items() if n >= pair_limit()))
        out[username] = LockState(sum(pairs.values()), locked)
    return out


def lock_state(username: str) -> LockState:
    return lock_states([username]).get(username, LockState())


class AccountCeilingHandler(AxesDatabaseHandler):  # type: ignore[misc]  # axes ships no types
    """axes' database handler plus the per-account ceiling (see the module docstring)."""

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        username = get_client_username(request, credentials)
        return bool(username) and account_failures(str(username)) >= account_limit()

    def user_login_failed(self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        username = get_client_username(request, credentials)
        if username and account_failures(str(username)) >= account_limit():
            request.axes_locked_out = True
            request.axes_credentials = credentials
            request.axes_account_locked = True  # the lock-out page names the ceiling
            request.axes_account_limit = account_limit()
            user_locked_out.send("axes", request=request, username=username, ip_address=request.axes_ip_address)


def unlock(username: str) -> int:
    """Forget every recorded failure of the user name (all addresses): axes' reset API."""
    return int(reset(username=username))
