"""Until the second factor is given, a user who needs one (access.rules.needs_second_factor)
reaches only the second-factor pages.

After django-otp's OTPMiddleware (which reads the verified device from the session) and after
the accounts middleware that forces a password change. Every other page redirects to the
verification page, or to the set-up page while the user has no authenticator yet; an htmx
request gets HX-Redirect so the whole page goes there. Sign-out, the password change pages
(a one-time password is changed first), the language switch and /healthz stay open; static
files never get here. With OTP_REQUIRED off the check costs nothing and nobody is sent anywhere.

The middleware lives in the shell because the decision is the access layer's and the pages are
the accounts app's, which sits below it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from campuseval.access.rules import needs_second_factor
from campuseval.accounts import otp
from campuseval.accounts.models import User

#: View names reachable before the second factor is given.
OPEN_VIEWS = frozenset(
    {
        "accounts:otp_verify",
        "accounts:otp_setup",
        "accounts:otp_start",
        "accounts:logout",
        "accounts:login",
        "accounts:password_change",
        "accounts:password_change_done",
        "set_language",
        "healthz",
    }
)


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not settings.OTP_REQUIRED or not isinstance(user, User) or not needs_second_factor(user):
            return None
        # read by accounts.otp_views and base.html (the menu's 双因素认证 link)
        request.second_factor_required = True  # type: ignore[attr-defined]
        if getattr(user, "otp_device", None) is not None:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_VIEWS:
            return None
        name = "accounts:otp_setup" if otp.totp_device(user) is None else "accounts:otp_verify"
        nxt = request.get_full_path() if request.method == "GET" and not request.headers.get("HX-Request") else ""
        target = reverse(name) + (f"?{urlencode({'next': nxt})}" if nxt else "")
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)
