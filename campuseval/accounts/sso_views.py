"""Single sign-on pages: the OIDC and CAS round trips (mozilla-django-oidc's and django-cas-ng's
views, switched on by OIDC_ENABLED / CAS_ENABLED, 404 otherwise), the Chinese page for a
person the platform does not know, and a sign-out that also ends the CAS server's session.

The protocols are redirects answered by GET: the request view keeps the state (and nonce) in
the session, the callback signs in. Nothing else is written on the way."""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings
from django.contrib import auth
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_cas_ng.utils import get_cas_client
from django_cas_ng.views import LoginView as CASLoginViewBase
from mozilla_django_oidc.views import (  # type: ignore[import-untyped]
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from . import sso
from .models import User

UNAVAILABLE = "暂时无法连接统一身份认证服务，请稍后重试，或使用平台账号和密码登录"
UNFINISHED = "统一身份认证登录未完成（可能已超时或在其他窗口重复登录），请重新登录"


def enabled(method: str) -> bool:
    return bool(getattr(settings, f"{method.upper()}_ENABLED", False))


def refused(request: HttpRequest, message: str, *, status: int, sign_out: bool = False) -> HttpResponse:
    """The page a provider's person sees when the platform does not sign them in: the reason in
    Chinese and the way back to the login page. A person the provider vouched for but the
    platform refused (`sign_out`) leaves no earlier session of this browser behind either."""
    if sign_out and request.user.is_authenticated:
        auth.logout(request)
    return render(request, "accounts/sso_refused.html", {"message": message}, status=status)


def safe_next(request: HttpRequest, target: str | None) -> str:
    """`target` when it stays on this site, else the home page (a provider's round trip must
    not become an open redirect)."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class OIDCLoginView(OIDCAuthenticationRequestView):  # type: ignore[misc]
    """统一身份认证登录 (OIDC): to the provider's authorization endpoint."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not enabled("oidc"):
            raise Http404
        response: HttpResponse = super().dispatch(request, *args, **kwargs)
        return response


class OIDCCallbackView(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """Back from the provider: the code exchanged and checked by sso.OIDCBackend."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not enabled("oidc"):
            raise Http404
        try:
            response: HttpResponse = super().dispatch(request, *args, **kwargs)
        except requests.RequestException:
            return refused(request, UNAVAILABLE, status=502)
        return response

    def login_success(self) -> HttpResponse:
        response: HttpResponse = super().login_success()
        user = self.user
        if isinstance(user, User):
            sso.record_sign_in(request=self.request, user=user, method="oidc")
        return response

    def login_failure(self) -> HttpResponse:
        reason = sso.refusal_of(self.request)
        if reason is not None:
            return refused(self.request, sso.refusal_message(reason), status=403, sign_out=True)
        return refused(self.request, UNFINISHED, status=400)


class CASLoginView(CASLoginViewBase):
    """统一身份认证登录 (CAS): to the CAS server's login page, and back with a ticket that
    sso.CASBackend validates. GET only (no single log-out requests are taken)."""

    http_method_names = ["get"]

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not enabled("cas"):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except PermissionDenied:
            reason = sso.refusal_of(request)
            if reason is None:
                return refused(request, UNFINISHED, status=400)
            return refused(request, sso.refusal_message(reason), status=403, sign_out=True)
        except requests.RequestException:
            return refused(request, UNAVAILABLE, status=502)

    def successful_login(self, request: HttpRequest, next_page: str) -> HttpResponse:
        user = request.user
        if request.GET.get("ticket") and isinstance(user, User):
            sso.record_sign_in(request=request, user=user, method="cas")
        return HttpResponseRedirect(safe_next(request, next_page))


class LogoutView(View):
    """退出登录 for a session signed in through single sign-on: the platform's session ends,
    and for CAS the browser goes on to the CAS server's logout (and from there back to the
    login page) (else the next 统一身份认证登录
    would sign the same person in again without asking). POST only, like the platform's own."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        method = request.session.get(sso.SESSION_METHOD)
        auth.logout(request)
        login_page = reverse("accounts:login")
        if method == "cas" and enabled("cas") and settings.CAS_SERVER_URL:
            # A page that goes on by itself, not a redirect: the Content-Security-Policy's
            # form-action 'self' stops a form's redirect to another site.
            back = request.build_absolute_uri(login_page)
            cas_logout_url = get_cas_client(request=request).get_logout_url(back)
            return render(request, "accounts/sso_signed_out.html", {"cas_logout_url": cas_logout_url})
        return HttpResponseRedirect(login_page)
