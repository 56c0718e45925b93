"""The second factor of organizers and administrators, through the real pages with real TOTP
codes computed from the device's key (no mocks): enrolment, verification after the password,
wrong codes refused in Chinese and throttled, recovery codes used up, new recovery codes, an
administrator's reset — and nobody else ever asked."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from campuseval.access.rules import may_reset_second_factor, needs_second_factor
from campuseval.accounts import otp
from campuseval.accounts.models import User
from campuseval.audit.models import AuditEntry
from campuseval.shell.otp_reset import reset_second_factor
from tests.factories import PASSWORD

from .conftest import OtpWorld, code_for, code_from_secret, wait_for_fresh_step

pytestmark = pytest.mark.django_db

HOME = "/"


def sign_in(user: User) -> Client:
    """A client signed in with the password through the login page (as a person does)."""
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def enrolled(user: User) -> tuple[TOTPDevice, list[str]]:
    """The user's authenticator set up through the services, and its recovery codes."""
    device = otp.start_enrolment(actor=user)
    wait_for_fresh_step()
    codes = otp.confirm_enrolment(actor=user, code=code_for(device))
    device.refresh_from_db()
    return device, codes


def page(response: Any) -> str:
    return response.content.decode()


# --- who is asked --------------------------------------------------------------------------------


def test_with_otp_required_off_nobody_is_asked(otp_world: OtpWorld) -> None:
    """The default: organizers and administrators sign in with the password alone, as before,
    even one who has an authenticator from an earlier configuration."""
    enrolled(otp_world.organizer)
    for user in (otp_world.organizer, otp_world.admin, otp_world.officer):
        client = sign_in(user)
        assert client.get(HOME).status_code == 200
        assert not needs_second_factor(user)
        assert client.get(reverse("accounts:otp_verify")).url == reverse("shell:home")
    assert "双因素认证" not in page(sign_in(otp_world.organizer).get(HOME))


def test_a_school_officer_never_sees_the_otp_step(otp_world: OtpWorld, otp_on: None) -> None:
    client = sign_in(otp_world.officer)
    response = client.get(HOME)
    assert response.status_code == 200
    assert "双因素认证" not in page(response)
    assert client.get(reverse("accounts:otp_setup")).url == reverse("shell:home")
    assert not TOTPDevice.objects.filter(user=otp_world.officer).exists()
    assert needs_second_factor(otp_world.organizer) and needs_second_factor(otp_world.admin)
    assert not needs_second_factor(otp_world.officer)


def test_the_required_roles_come_from_the_setting(otp_world: OtpWorld, otp_on: None, settings: Any) -> None:
    settings.OTP_REQUIRED_ROLES = ["admin"]
    assert needs_second_factor(otp_world.admin)
    assert not needs_second_factor(otp_world.organizer)
    assert sign_in(otp_world.organizer).get(HOME).status_code == 200
    superuser = User.objects.create_superuser("root", "root@example.cn", PASSWORD)
    assert needs_second_factor(superuser)  # a superuser counts as an administrator


# --- enrolment -----------------------------------------------------------------------------------


def test_an_organizer_enrols_with_a_real_code_and_gets_ten_recovery_codes(otp_world: OtpWorld, otp_on: None) -> None:
    user = otp_world.organizer
    client = sign_in(user)
    response = client.get("/campaigns/")
    setup = reverse("accounts:otp_setup")
    assert response.status_code == 302 and response.url == f"{setup}?next=%2Fcampaigns%2F"
    start = client.get(response.url)
    assert "开始设置" in page(start)
    assert not TOTPDevice.objects.filter(user=user).exists()  # the GET wrote nothing

    response = client.post(reverse("accounts:otp_start"), {"next": "/campaigns/"})
    assert response.url == f"{setup}?next=%2Fcampaigns%2F"
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    shown = client.get(response.url)
    text = page(shown)
    # the QR code is inline SVG markup drawn here, the secret is shown for typing in, no script or image
    assert '<svg width="' in text and "<img" not in text.split('id="otp-qr"')[1].split("</div>")[0]
    assert otp.secret_text(device) in text
    assert "<script>" not in text and "<script >" not in text
    policy = shown["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "img-src 'self' data:" in policy
    assert client.get("/campaigns/").status_code == 302  # until confirmed, pages still redirect

    wrong = client.post(setup, {"code": "000000" if code_for(device) != "000000" else "111111", "next": "/campaigns/"})
    assert wrong.status_code == 200
    assert "验证码不正确或已过期，请输入身份验证器上当前显示的 6 位数字。" in page(wrong)
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    bad = client.post(setup, {"code": "12ab", "next": "/campaigns/"})
    assert "验证码：请输入身份验证器上的 6 位数字。" in page(bad) and 'value="12ab"' in page(bad)

    device.refresh_from_db()
    device.throttle_reset()  # the wrong code above imposed a one-second wait
    wait_for_fresh_step()
    secret = otp.secret_text(device)
    done = client.post(setup, {"code": code_from_secret(secret), "next": "/campaigns/"})
    assert done.status_code == 200
    text = page(done)
    assert "身份验证器设置成功" in text and "这些恢复码只显示这一次" in text
    tokens = list(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(tokens) == 10 and len(set(tokens)) == 10
    assert all(otp.display_code(t) in text for t in tokens)
    assert 'href="/campaigns/"' in text
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    # verified for this session: the pages open, the codes are not shown again
    assert client.get("/campaigns/").status_code == 200
    again = page(client.get(setup))
    assert "已设置身份验证器" in again and "剩余恢复码：10 个" in again
    assert not any(otp.display_code(t) in again for t in tokens)
    actions = list(AuditEntry.objects.filter(actor_id=user.pk).values_list("action", flat=True))
    assert "accounts.otp_enrolled" in actions and "accounts.otp_enrolment_started" in actions


# --- verification --------------------------------------------------------------------------------


def test_after_the_password_an_enrolled_organizer_gives_a_current_code(otp_world: OtpWorld, otp_on: None) -> None:
    user = otp_world.organizer
    device, _ = enrolled(user)
    client = sign_in(user)
    verify = reverse("accounts:otp_verify")
    response = client.get("/campaigns/")
    assert response.status_code == 302 and response.url == f"{verify}?next=%2Fcampaigns%2F"
    # every page but the second-factor pages, sign-out, the language switch and /healthz
    assert client.get(HOME).url.startswith(verify)
    htmx = client.get("/campaigns/", headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == verify
    assert client.get(reverse("healthz")).status_code in (200, 503)
    assert client.get(verify).status_code == 200
    assert "输入本平台当前显示的 6 位数字" in page(client.get(verify))

    response = client.post(verify, {"code": code_for(device, steps_ahead=1), "next": "/campaigns/"})
    assert response.status_code == 302 and response.url == "/campaigns/"
    assert client.get("/campaigns/").status_code == 200
    assert client.get(HOME).status_code == 200
    # a foreign next is not followed
    other = sign_in(user)
    wait_for_fresh_step()
    response = other.post(verify, {"code": code_for(device, steps_ahead=2), "next": "https://evil.example/"})
    assert response.url == reverse("shell:home")
    # signing out ends it: the next sign-in asks again
    client.post(reverse("accounts:logout"))
    assert sign_in(user).get(HOME).url.startswith(verify)


def test_a_wrong_code_is_refused_in_chinese_and_repeated_failures_are_throttled(
    otp_world: OtpWorld, otp_on: None, settings: Any
) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    user = otp_world.organizer
    device, _ = enrolled(user)
    client = sign_in(user)
    verify = reverse("accounts:otp_verify")
    current = code_for(device, steps_ahead=1)
    wrong = "123456" if current != "123456" else "654321"
    response = client.post(verify, {"code": wrong})
    assert response.status_code == 200
    assert "验证码不正确或已过期，请输入身份验证器上当前显示的 6 位数字。" in page(response)
    assert 'value="123456"' in page(response) or 'value="654321"' in page(response)  # what was typed stays
    # the right code right after is refused too: django-otp's back-off holds
    response = client.post(verify, {"code": current})
    assert response.status_code == 200
    assert "连续输错次数过多，请" in page(response) and "秒后再试" in page(response)
    assert client.get(HOME).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # from another session (the throttle is the device's, not the session's)
    assert "连续输错次数过多" in page(sign_in(user).post(verify, {"code": current}))
    assert AuditEntry.objects.filter(actor_id=user.pk, action="accounts.otp_failed").count() == 1
    # once the wait is over, the right code signs in and the count starts again
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = TOTPDevice.objects.get(pk=device.pk)
    response = client.post(verify, {"code": code_for(device, steps_ahead=1)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_garbage_in_the_code_field_gets_a_message_not_an_error(otp_world: OtpWorld, otp_on: None) -> None:
    enrolled(otp_world.organizer)
    client = sign_in(otp_world.organizer)
    verify = reverse("accounts:otp_verify")
    for value in ("", "12345", "1234567", "abc\x00def", "x" * 5000, "１２３４５６", "<b>1</b>", "1e5000"):
        response = client.post(verify, {"code": value})
        assert response.status_code == 200, value
        feedback = page(response).split('id="otp-error">')[1].split("<")[0]
        assert feedback.startswith(("验证码：请输入", "验证码不正确")), (value, feedback)
    assert "&lt;b&gt;1&lt;/b&gt;" in page(client.post(verify, {"code": "<b>1</b>"}))  # kept, escaped
    assert client.get(HOME).status_code == 302


# --- recovery codes ------------------------------------------------------------------------------


def test_a_recovery_code_signs_in_once(otp_world: OtpWorld, otp_on: None) -> None:
    user = otp_world.organizer
    _, codes = enrolled(user)
    verify = reverse("accounts:otp_verify")
    client = sign_in(user)
    response = client.post(verify, {"code": otp.display_code(codes[3])}, follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == reverse("shell:home")
    assert "您使用了一个恢复码登录，还剩 9 个" in page(response)
    assert StaticToken.objects.filter(device__user=user).count() == 9
    assert not StaticToken.objects.filter(token=codes[3]).exists()
    assert AuditEntry.objects.filter(actor_id=user.pk, action="accounts.otp_recovery_used").count() == 1

    again = sign_in(user)
    response = again.post(verify, {"code": codes[3]})
    assert response.status_code == 200
    assert "恢复码不正确或已使用过，每个恢复码只能使用一次。" in page(response)
    assert again.get(HOME).status_code == 302
    StaticDevice.objects.filter(user=user).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    assert again.post(verify, {"code": codes[4]}).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(otp_world: OtpWorld, otp_on: None) -> None:
    user = otp_world.organizer
    device, old = enrolled(user)
    client = sign_in(user)
    recovery = reverse("accounts:otp_recovery")
    # not before the second factor is given
    assert client.post(recovery).url.startswith(reverse("accounts:otp_verify"))
    assert sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == old
    client.post(reverse("accounts:otp_verify"), {"code": code_for(device, steps_ahead=1)})
    response = client.post(recovery)
    assert response.status_code == 200 and "这些恢复码只显示这一次" in page(response)
    new = sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert all(otp.display_code(c) in page(response) for c in new)
    assert client.get(recovery).status_code == 405
    assert AuditEntry.objects.filter(actor_id=user.pk, action="accounts.otp_recovery_regenerated").count() == 1
    other = sign_in(user)
    assert "恢复码不正确或已使用过" in page(other.post(reverse("accounts:otp_verify"), {"code": old[0]}))


# --- an administrator's reset --------------------------------------------------------------------


def test_an_administrator_resets_an_organizers_second_factor(otp_world: OtpWorld, otp_on: None) -> None:
    w = otp_world
    organizer_device, _ = enrolled(w.organizer)
    admin_device, _ = enrolled(w.admin)
    organizer = sign_in(w.organizer)
    organizer.post(reverse("accounts:otp_verify"), {"code": code_for(organizer_device, steps_ahead=1)})
    assert organizer.get(HOME).status_code == 200
    url = reverse("shell:otp_reset", kwargs={"pk": w.organizer.pk})

    # the outsider, the school and the organizer themself are refused without learning anything
    assert Client().get(url).status_code == 302  # anonymous: sign in first
    school = Client()
    school.force_login(w.officer)
    assert school.get(url).status_code == 404 and school.post(url).status_code == 404
    assert organizer.get(url).status_code == 404 and organizer.post(url).status_code == 404
    assert TOTPDevice.objects.filter(user=w.organizer).exists()

    admin = sign_in(w.admin)
    assert admin.get(url).url.startswith(reverse("accounts:otp_verify"))  # the administrator verifies first
    admin.post(reverse("accounts:otp_verify"), {"code": code_for(admin_device, steps_ahead=1)})
    shown = page(admin.get(url))
    assert "市组织者" in shown and "剩余恢复码 10 个" in shown
    response = admin.post(url, follow=True)
    assert "已重置 市组织者（organizer）的双因素认证" in page(response)
    assert not TOTPDevice.objects.filter(user=w.organizer).exists()
    assert not StaticDevice.objects.filter(user=w.organizer).exists()
    entry = AuditEntry.objects.get(action="accounts.otp_reset")
    assert entry.actor_id == w.admin.pk and entry.object_id == str(w.organizer.pk)
    # the organizer's verified session is verified no more: set up anew
    assert organizer.get(HOME).url.startswith(reverse("accounts:otp_setup"))


def test_who_may_reset(otp_world: OtpWorld) -> None:
    w = otp_world
    superuser = User.objects.create_superuser("root", "root@example.cn", PASSWORD)
    assert may_reset_second_factor(w.admin, w.organizer)
    assert may_reset_second_factor(w.admin, w.officer)  # the school lies below the city
    assert not may_reset_second_factor(w.admin, w.other_organizer)  # another city's
    assert not may_reset_second_factor(w.admin, superuser)
    assert not may_reset_second_factor(w.admin, w.admin)
    assert not may_reset_second_factor(w.organizer, w.officer)
    assert may_reset_second_factor(superuser, w.other_organizer)
    enrolled(w.organizer)
    with pytest.raises(Http404):
        reset_second_factor(actor=w.other_organizer, target=w.organizer)
    outsider = Client()
    outsider.force_login(w.other_organizer)  # OTP_REQUIRED off here: the page itself refuses
    url = reverse("shell:otp_reset", kwargs={"pk": w.organizer.pk})
    assert outsider.get(url).status_code == 404 and outsider.post(url).status_code == 404
    assert TOTPDevice.objects.filter(user=w.organizer, confirmed=True).exists()
    assert not AuditEntry.objects.filter(action="accounts.otp_reset").exists()
    assert reset_second_factor(actor=superuser, target=w.organizer) == 2
    assert not TOTPDevice.objects.filter(user=w.organizer).exists()
