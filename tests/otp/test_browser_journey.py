"""The organizer's second factor in Chromium, with a code computed from the secret the page
shows (as a phone's authenticator would): sign in, set up, see the recovery codes, sign out,
sign in again and verify. No Content-Security-Policy violation on the way (the QR code is
inline SVG, the print button's script a file of the site)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from campuseval.accounts.models import Role
from tests import factories as f
from tests.factories import PASSWORD

from .conftest import code_from_secret, wait_for_fresh_step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("input[name=password]").press("Enter")
    page.wait_for_load_state()


def no_violation(page: Any, console: list[str], where: str) -> None:
    assert page.evaluate("() => window.__csp || []") == [], where
    assert [m for m in console if "Content Security Policy" in m] == [], where


def test_an_organizer_sets_up_and_uses_the_second_factor(
    page: Any, live_server: Any, shots: Path, settings: Any
) -> None:
    settings.OTP_REQUIRED = True
    settings.OTP_REQUIRED_ROLES = ["organizer", "admin"]
    city = f.UnitFactory.city(name="示范市")
    organizer = f.person("organizer", city, Role.ORGANIZER, display_name="市组织者")
    console: list[str] = []
    page.add_init_script(WATCH)
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    base = live_server.url

    # the password, then the set-up page instead of the home page
    sign_in(page, base, "organizer")
    assert "/accounts/otp/setup/" in page.url
    page.get_by_text("开始设置").wait_for()
    page.screenshot(path=str(shots / "otp-1-setup-start.png"), full_page=True)
    page.locator("#otp-start").click()
    page.wait_for_load_state()
    qr = page.locator("#otp-qr svg")
    assert qr.count() == 1 and qr.bounding_box()["width"] > 100
    secret = page.locator("#otp-secret").inner_text()
    assert len(secret.replace(" ", "")) == 32
    no_violation(page, console, "setup")
    page.screenshot(path=str(shots / "otp-2-setup-qr.png"), full_page=True)

    # a wrong code first: refused in Chinese, nothing confirmed
    page.fill("#id_code", "000000" if code_from_secret(secret) != "000000" else "111111")
    page.get_by_role("button", name="确认并完成设置").click()
    page.wait_for_load_state()
    assert "验证码不正确或已过期" in page.locator("#otp-error").inner_text()
    assert not TOTPDevice.objects.get(user=organizer).confirmed
    TOTPDevice.objects.filter(user=organizer).update(throttling_failure_count=0, throttling_failure_timestamp=None)

    wait_for_fresh_step()
    page.fill("#id_code", code_from_secret(secret))
    page.get_by_role("button", name="确认并完成设置").click()
    page.wait_for_load_state()
    codes = page.locator("#otp-codes li").all_inner_texts()
    assert len(codes) == 10
    stored = {t.replace("-", "").lower() for t in codes}
    assert stored == set(StaticToken.objects.filter(device__user=organizer).values_list("token", flat=True))
    assert page.locator("#otp-print").is_visible()
    no_violation(page, console, "recovery codes")
    page.screenshot(path=str(shots / "otp-3-recovery-codes.png"), full_page=True)
    page.locator("#otp-continue").click()
    page.wait_for_load_state()
    assert page.url.rstrip("/") == base

    # sign out, sign in again: the verification page, a later code
    page.locator(".ce-user").first.click()
    page.locator("#ce-logout").click()
    page.wait_for_load_state()
    assert "/accounts/login/" in page.url
    sign_in(page, base, "organizer")
    assert "/accounts/otp/" in page.url and "setup" not in page.url
    page.screenshot(path=str(shots / "otp-4-verify.png"), full_page=True)
    page.fill("#id_code", code_from_secret(secret, steps_ahead=1))
    page.get_by_role("button", name="验证").click()
    page.wait_for_load_state()
    assert page.url.rstrip("/") == base
    page.locator(".ce-user").first.click()
    page.get_by_role("link", name="双因素认证").click()
    page.wait_for_load_state()
    assert "剩余恢复码：10 个" in page.locator("#otp-left").inner_text()
    no_violation(page, console, "verified")
    page.screenshot(path=str(shots / "otp-5-verified-settings.png"), full_page=True)
