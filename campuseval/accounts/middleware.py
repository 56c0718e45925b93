"""A user who must choose a new password reaches nothing else first.

Set when an administrator gave a one-time password (people.services.reset_password), or when
the password is older than settings.PASSWORD_MAX_AGE_DAYS (0, the default, means never). Every
request but the password change page itself, sign-out, static files and /healthz is sent to the
change page; an htmx request gets HX-Redirect so the whole page goes there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone

from .models import User


def password_expired(user: User, now: dt.datetime | None = None) -> bool:
    """Older than PASSWORD_MAX_AGE_DAYS (never when 0). An account whose password was set before
    the date was recorded counts from when it joined."""
    days = int(getattr(settings, "PASSWORD_MAX_AGE_DAYS", 0) or 0)
    if days <= 0:
        return False
    since = user.password_changed_at or user.date_joined
    return since is not None and (now or timezone.now()) - since > dt.timedelta(days=days)


def must_change_password(user: object) -> bool:
    return isinstance(user, User) and user.is_authenticated and (user.must_change_password or password_expired(user))


class ForcePasswordChangeMiddleware:
    """After AuthenticationMiddleware: redirect to the password change page while it is due."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and must_change_password(user) and not self._exempt(request.path):
            target = reverse("accounts:password_change")
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            return HttpResponseRedirect(target)
        return self.get_response(request)

    @staticmethod
    def _exempt(path: str) -> bool:
        allowed = (
            reverse("accounts:password_change"),
            reverse("accounts:logout"),
            reverse("healthz"),
            str(settings.STATIC_URL or "/static/"),
            "/i18n/",
        )
        return any(path == a or (a.endswith("/") and path.startswith(a)) for a in allowed)
