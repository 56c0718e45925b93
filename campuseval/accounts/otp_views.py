"""The second-factor pages of the signed-in user: verify a sign-in, set up the authenticator,
see the recovery codes once, make new ones.

Whether the user must use a second factor is decided by `access.rules.needs_second_factor`
and put on the request by `shell.otp_middleware` (`request.second_factor_required`); for
everyone else these pages lead back to the home page. The writes are `accounts.otp`'s."""

from __future__ import annotations

from urllib.parse import urlencode

import django_otp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from campuseval.audit.services import client_ip

from . import otp
from .models import User
from .otp_forms import CodeForm, ConfirmForm


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # login_required: never reached
        raise PermissionDenied
    return user


def _required(request: HttpRequest) -> bool:
    return bool(getattr(request, "second_factor_required", False))


def _verified(request: HttpRequest) -> bool:
    return getattr(request.user, "otp_device", None) is not None


def _next(request: HttpRequest) -> str:
    """Where the user was going (kept through every step), if it is a page of this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("shell:home")


def _with_next(name: str, nxt: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': nxt})}"


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """After the password: a code from the authenticator, or one recovery code."""
    if not _required(request):
        return redirect("shell:home")
    user, nxt = _user(request), _next(request)
    if _verified(request):
        return redirect(nxt)
    if otp.totp_device(user) is None:
        return redirect(_with_next("accounts:otp_setup", nxt))
    form = CodeForm(request.POST if request.method == "POST" else None, recovery=True)
    if request.method == "POST" and form.is_valid():
        try:
            device = otp.verify_second_factor(actor=user, code=form.cleaned_data["code"], ip=client_ip(request))
        except otp.SecondFactorRefused as refused:
            form.add_error("code", refused.message)
        else:
            django_otp.login(request, device)
            if isinstance(device, StaticDevice):
                left = otp.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"您使用了一个恢复码登录，还剩 {left} 个。如手机已丢失，请在“双因素认证”页重新生成恢复码，"
                    "或请系统管理员重置后重新设置身份验证器。",
                )
            return redirect(nxt)
    return render(request, "accounts/otp_verify.html", {"form": form, "next": nxt})


@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Setting up the authenticator (a QR code and the secret as text, confirmed by a current
    code); once set up and verified, the page shows the state and offers new recovery codes."""
    if not _required(request):
        return redirect("shell:home")
    user, nxt = _user(request), _next(request)
    if otp.totp_device(user) is not None:
        if not _verified(request):
            return redirect(_with_next("accounts:otp_verify", nxt))
        return render(
            request,
            "accounts/otp_setup.html",
            {"enrolled": True, "left": otp.recovery_codes_left(user), "form": ConfirmForm(), "next": nxt},
        )
    pending = otp.pending_totp_device(user)
    form = CodeForm(request.POST if request.method == "POST" and pending else None)
    if request.method == "POST" and pending and form.is_valid():
        try:
            codes = otp.confirm_enrolment(actor=user, code=form.cleaned_data["code"], ip=client_ip(request))
        except otp.SecondFactorRefused as refused:
            form.add_error("code", refused.message)
        else:
            # the current code was just proved: this session is verified
            django_otp.login(request, otp.totp_device(user))
            return _codes_page(request, codes, nxt, enrolled=True)
    context = {
        "pending": pending,
        "qr": otp.qr_svg(pending) if pending else "",
        "secret": otp.secret_text(pending) if pending else "",
        "form": form,
        "start_form": ConfirmForm(),
        "next": nxt,
    }
    return render(request, "accounts/otp_setup.html", context)


@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """A new secret to scan (the set-up page then shows it)."""
    if not _required(request):
        return redirect("shell:home")
    nxt = _next(request)
    if ConfirmForm(request.POST).is_valid():
        try:
            otp.start_enrolment(actor=_user(request), ip=client_ip(request))
        except otp.SecondFactorRefused as refused:
            messages.error(request, refused.message)
    return redirect(_with_next("accounts:otp_setup", nxt))


@login_required
@require_POST
def regenerate(request: HttpRequest) -> HttpResponse:
    """Ten new recovery codes, shown once; the old ones stop working."""
    if not _required(request):
        return redirect("shell:home")
    nxt = _next(request)
    if not _verified(request):
        return redirect(_with_next("accounts:otp_verify", nxt))
    if not ConfirmForm(request.POST).is_valid():
        return redirect(_with_next("accounts:otp_setup", nxt))
    try:
        codes = otp.regenerate_recovery_codes(actor=_user(request), ip=client_ip(request))
    except otp.SecondFactorRefused as refused:
        messages.error(request, refused.message)
        return redirect(_with_next("accounts:otp_setup", nxt))
    return _codes_page(request, codes, nxt, enrolled=False)


def _codes_page(request: HttpRequest, codes: list[str], nxt: str, *, enrolled: bool) -> HttpResponse:
    """The recovery codes, in the answer to the POST that made them: never stored in clear
    anywhere a later page could show them again."""
    context = {"codes": [otp.display_code(c) for c in codes], "next": nxt, "enrolled": enrolled}
    return render(request, "accounts/otp_recovery.html", context)
