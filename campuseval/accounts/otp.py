"""The second factor of a sign-in (django-otp): an authenticator app's TOTP code, or one of ten
single-use recovery codes for the day the phone is lost.

Each user has at most one TOTP device (django-otp's `TOTPDevice`; unconfirmed while it is being
set up) and one static device holding the recovery codes (`StaticDevice`). Who must use them is
decided in `access.rules.needs_second_factor` and enforced by `shell.otp_middleware`; these
functions act only on the signed-in user's own devices. Wrong codes are throttled by
django-otp's exponential back-off, which is stored on the device, so a failed attempt is
committed before it is answered."""

from __future__ import annotations

import re
import unicodedata
from base64 import b32encode
from datetime import datetime

import segno
from django.db import transaction
from django.utils import timezone
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from campuseval.audit.services import record

from .models import User

#: How many recovery codes a user gets (each signs in once).
RECOVERY_CODE_COUNT = 10
TOTP_NAME = "身份验证器"
STATIC_NAME = "恢复码"

#: A recovery code as django-otp makes it: 8 base32 letters (lower case; grouped 4-4 for reading).
RECOVERY_CODE = re.compile(r"^[a-z2-7]{8}$")
TOTP_CODE = re.compile(r"^[0-9]{6}$")


class SecondFactorRefused(Exception):
    """A code or a step refused, with the Chinese message the page shows next to the field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- reading -------------------------------------------------------------------------------------


def totp_device(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if set up."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_totp_device(user: User) -> TOTPDevice | None:
    """The authenticator being set up (shown as a QR code until a current code confirms it)."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def secret_text(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed by hand: base32, in groups of 4."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code: drawn here, no image fetched from
    anywhere, and no script (the Content-Security-Policy allows neither)."""
    return str(segno.make(device.config_url, error="m").svg_inline(scale=4, border=2, title="二维码"))


def normalize_code(raw: str) -> str:
    """What was typed, without spaces or dashes (codes are shown grouped), lower case, and
    full-width digits (a Chinese input method's) as plain ones."""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", raw)).lower()


# --- writes on the user's own devices -----------------------------------------------------------


@transaction.atomic
def start_enrolment(*, actor: User, ip: str | None = None) -> TOTPDevice:
    """A new secret for the user's authenticator, unconfirmed until a current code is entered
    (a secret scanned badly must not lock the user out). Any earlier unfinished one is dropped."""
    if totp_device(actor) is not None:
        raise SecondFactorRefused("已设置身份验证器；如更换手机，请联系系统管理员重置双因素认证。")
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=actor, name=TOTP_NAME, confirmed=False)
    record(actor=actor, action="accounts.otp_enrolment_started", obj=actor, summary="开始设置双因素认证", ip=ip)
    return device


def confirm_enrolment(*, actor: User, code: str, ip: str | None = None) -> list[str]:
    """Confirm the pending authenticator with a current code and hand out the recovery codes
    (returned in clear once; the caller shows them and they are never shown again)."""
    device = pending_totp_device(actor)
    if device is None:
        raise SecondFactorRefused("请先点击“开始设置”生成二维码。")
    _check_throttle(device)
    if verify_token(actor, device.persistent_id, normalize_code(code)) is None:
        raise SecondFactorRefused(_wrong_code(device, "验证码不正确或已过期，请输入身份验证器上当前显示的 6 位数字。"))
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        codes = _replace_recovery_codes(actor)
        record(
            actor=actor,
            action="accounts.otp_enrolled",
            obj=actor,
            summary=f"完成双因素认证设置，生成 {len(codes)} 个恢复码",
            ip=ip,
        )
    return codes


def verify_second_factor(*, actor: User, code: str, ip: str | None = None) -> Device:
    """The device that accepts `code`: a 6-digit TOTP code, or a recovery code (used up at
    once). The caller persists it in the session with django_otp.login. A failure is audited
    and counts towards the throttle, which holds across sessions because it lives on the device."""
    code = normalize_code(code)
    if TOTP_CODE.match(code):
        device = totp_device(actor)
        if device is None:
            raise SecondFactorRefused("尚未设置身份验证器，请先完成设置。")
        wrong = "验证码不正确或已过期，请输入身份验证器上当前显示的 6 位数字。"
    elif RECOVERY_CODE.match(code):
        device = StaticDevice.objects.filter(user=actor, confirmed=True).first()
        if device is None:
            raise SecondFactorRefused("恢复码不正确或已使用过。")
        wrong = "恢复码不正确或已使用过，每个恢复码只能使用一次。"
    else:
        raise SecondFactorRefused("验证码：请输入身份验证器上的 6 位数字，或 8 位恢复码。")
    _check_throttle(device)
    verified = verify_token(actor, device.persistent_id, code)
    if verified is None:
        record(actor=actor, action="accounts.otp_failed", obj=actor, summary="双因素验证失败", ip=ip)
        raise SecondFactorRefused(_wrong_code(device, wrong))
    if isinstance(verified, StaticDevice):
        left = verified.token_set.count()
        record(
            actor=actor,
            action="accounts.otp_recovery_used",
            obj=actor,
            summary=f"使用恢复码登录，剩余 {left} 个",
            ip=ip,
        )
    return verified


@transaction.atomic
def regenerate_recovery_codes(*, actor: User, ip: str | None = None) -> list[str]:
    """Ten new recovery codes in place of all earlier ones (used or not, lost or printed)."""
    if totp_device(actor) is None:
        raise SecondFactorRefused("尚未设置身份验证器，无法生成恢复码。")
    codes = _replace_recovery_codes(actor)
    record(
        actor=actor,
        action="accounts.otp_recovery_regenerated",
        obj=actor,
        summary=f"重新生成 {len(codes)} 个恢复码，原恢复码全部作废",
        ip=ip,
    )
    return codes


def remove_devices(*, user: User) -> int:
    """Delete every second-factor device of `user` (for a reset; the caller checks and audits)."""
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    return removed


# --- helpers -------------------------------------------------------------------------------------


def _replace_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=STATIC_NAME, confirmed=True)
    codes: set[str] = set()
    while len(codes) < RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in sorted(codes))
    return sorted(codes)


def display_code(code: str) -> str:
    """A recovery code as printed: two groups of four capitals (no l/1 to confuse; typed in any case)."""
    code = code.upper()
    return f"{code[:4]}-{code[4:]}"


def _locked_until(device: Device) -> datetime | None:
    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    until = (info or {}).get("locked_until")
    return until if isinstance(until, datetime) else timezone.now()


def _check_throttle(device: Device) -> None:
    until = _locked_until(device)
    if until is not None:
        raise SecondFactorRefused(_throttled(until))


def _throttled(until: datetime) -> str:
    return f"连续输错次数过多，请 {_seconds(until)} 秒后再试。"


def _wrong_code(device: Device, message: str) -> str:
    """The message for a wrong code, with the wait before the next try once one is imposed."""
    device.refresh_from_db()
    until = _locked_until(device)
    if until is not None and device.throttling_failure_count >= 2:
        return f"{message}已连续输错 {device.throttling_failure_count} 次，请 {_seconds(until)} 秒后再试。"
    return message


def _seconds(until: datetime) -> int:
    return max(1, int((until - timezone.now()).total_seconds() + 0.999))
