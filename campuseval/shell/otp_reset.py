"""An administrator clears another person's second factor (a lost or replaced phone with no
recovery code left): the person sets up a new authenticator at their next request.

In the shell because the permission is the access layer's (`may_reset_second_factor`) and
the devices belong to the accounts app below it; the service and its page are kept together."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from campuseval.access.rules import Actor, may_reset_second_factor
from campuseval.access.views import AuthenticatedRequest, require
from campuseval.accounts import otp
from campuseval.accounts.models import User
from campuseval.accounts.otp_forms import ConfirmForm
from campuseval.audit.services import client_ip, record


@transaction.atomic
def reset_second_factor(*, actor: Actor, target: User, ip: str | None = None) -> int:
    """Delete the target's authenticator and recovery codes; refused (404) to anyone the access
    rules do not allow. A session the target verified with a removed device is no longer
    verified (django-otp checks the device on every request), so it is asked to set up anew."""
    if not may_reset_second_factor(actor, target):
        raise Http404
    removed = otp.remove_devices(user=target)
    record(
        actor=actor,
        action="accounts.otp_reset",
        obj=target,
        summary=f"重置 {target} 的双因素认证（删除 {removed} 个设备）",
        ip=ip,
    )
    return removed


@require()
def reset(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(User, pk=pk)
    if not may_reset_second_factor(request.user, target):
        raise Http404
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        reset_second_factor(actor=request.user, target=target, ip=client_ip(request))
        messages.success(
            request, f"已重置 {target}（{target.username}）的双因素认证，其下次登录时须重新设置身份验证器。"
        )
        return redirect("shell:otp_reset", pk=target.pk)
    context = {
        "target": target,
        "enrolled": otp.totp_device(target) is not None,
        "left": otp.recovery_codes_left(target),
        "form": form,
    }
    return render(request, "accounts/otp_reset.html", context)
