"""统一身份认证 in Chromium against the real test provider (tests/sso/conftest.py): the button on
the login page, the provider's own login page, and back on the platform signed in as the
account with the provider's 工号, or refused in Chinese. Screenshots: screenshots/sso-*.png."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session

from campuseval.accounts.models import User
from campuseval.audit.models import AuditEntry
from tests.factories import UserFactory

from .conftest import DISABLED, KNOWN, STRANGER, Person, Provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNKNOWN_TEXT = "未找到与统一身份认证账号对应的平台账号，请联系本单位管理员"


def at(page: Any, url: str, exact: bool = False) -> None:
    """Wait until the browser is at `url` (exactly, or any address starting with it)."""
    page.wait_for_url(re.compile("^" + re.escape(url) + ("$" if exact else "")))


def shot(page: Any, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"sso-{name}.png"), full_page=True)


def account(person: Person, **extra: Any) -> User:
    """The platform's own account for a provider person: another user name, the same 工号."""
    fields = {"username": f"acct-{person.username.lower()}", "display_name": person.name, "staff_no": person.username}
    return UserFactory(**{**fields, **extra})


def start(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="统一身份认证登录").click()


def sign_in_at_provider(
    page: Any, provider: Provider, person: Person, shots: Path | None = None, name: str = ""
) -> None:
    at(page, f"{provider.url}/")
    page.locator("input[name=username]").wait_for()
    if shots is not None:
        shot(page, shots, name)
    page.fill("input[name=username]", person.username)
    page.fill("input[name=password]", person.password)
    page.locator("button[type=submit]").click()


def signed_in_sessions() -> int:
    return sum(1 for s in Session.objects.all() if "_auth_user_id" in s.get_decoded())


def test_oidc_sign_in_as_the_matching_account_and_out(
    page: Any, live_server: Any, oidc_on: Provider, shots: Path
) -> None:
    user = account(KNOWN)
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.get_by_role("link", name="统一身份认证登录").count() == 1
    shot(page, shots, "login-page")
    start(page, live_server)
    at(page, f"{oidc_on.url}/login/")
    sign_in_at_provider(page, oidc_on, KNOWN, shots, "oidc-provider")
    at(page, f"{live_server.url}/", exact=True)
    assert f"您好，{KNOWN.name}" in page.locator("h1").inner_text()
    shot(page, shots, "oidc-home")
    entry = AuditEntry.objects.get(action="accounts.sso_sign_in")
    assert entry.actor_id == user.pk and entry.after["method"] == "oidc" and "OIDC" in entry.summary
    assert User.objects.count() == 1
    # signing out ends the platform's session
    page.locator(".ce-user").first.click()
    page.locator("#ce-logout").click()
    at(page, f"{live_server.url}/accounts/login/", exact=True)
    assert signed_in_sessions() == 0


def test_oidc_unknown_person_is_refused_in_chinese(page: Any, live_server: Any, oidc_on: Provider, shots: Path) -> None:
    account(KNOWN)
    start(page, live_server)
    sign_in_at_provider(page, oidc_on, STRANGER)
    at(page, f"{live_server.url}/accounts/sso/oidc/callback/")
    assert page.locator("#sso-refused").inner_text().strip() == UNKNOWN_TEXT
    shot(page, shots, "oidc-unknown")
    assert signed_in_sessions() == 0
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/accounts/login/")
    assert User.objects.count() == 1  # no account made for the stranger
    refusal = AuditEntry.objects.get(action="accounts.sso_refused")
    assert refusal.after["value"] == STRANGER.username and refusal.after["method"] == "oidc"
    assert AccessAttempt.objects.count() == 0  # not a failed password: nothing toward a lock-out


def test_oidc_disabled_account_is_refused(page: Any, live_server: Any, oidc_on: Provider, shots: Path) -> None:
    account(DISABLED, is_active=False)
    start(page, live_server)
    sign_in_at_provider(page, oidc_on, DISABLED)
    at(page, f"{live_server.url}/accounts/sso/oidc/callback/")
    assert "平台账号已停用" in page.locator("#sso-refused").inner_text()
    shot(page, shots, "oidc-disabled")
    assert signed_in_sessions() == 0
    assert not AuditEntry.objects.filter(action="accounts.sso_sign_in").exists()


def test_cas_sign_in_and_out_at_the_cas_server(page: Any, live_server: Any, cas_on: Provider, shots: Path) -> None:
    user = account(KNOWN)
    start(page, live_server)
    at(page, f"{cas_on.url}/cas/login?service=")
    sign_in_at_provider(page, cas_on, KNOWN, shots, "cas-provider")
    at(page, f"{live_server.url}/", exact=True)
    assert f"您好，{KNOWN.name}" in page.locator("h1").inner_text()
    shot(page, shots, "cas-home")
    assert AuditEntry.objects.get(action="accounts.sso_sign_in").after["method"] == "cas"
    assert AuditEntry.objects.get(action="accounts.sso_sign_in").actor_id == user.pk
    # signing out goes through the CAS server's logout and back to the login page
    page.locator(".ce-user").first.click()
    page.locator("#ce-logout").click()
    at(page, f"{live_server.url}/accounts/login/", exact=True)
    assert signed_in_sessions() == 0
    # the CAS server's session ended too: the next 统一身份认证登录 asks for the password again
    start(page, live_server)
    at(page, f"{cas_on.url}/cas/login")
    assert page.locator("input[name=password]").count() == 1


def test_cas_matches_by_an_attribute_and_refuses_a_stranger(
    page: Any, live_server: Any, cas_on: Provider, settings: Any, shots: Path
) -> None:
    settings.SSO_MATCH = "email"
    settings.CAS_MATCH_ATTRIBUTE = "email"
    UserFactory(username="wang-by-mail", display_name="王芳（邮箱）", email=KNOWN.email.upper(), staff_no="")
    start(page, live_server)
    sign_in_at_provider(page, cas_on, KNOWN)
    at(page, f"{live_server.url}/", exact=True)
    assert "您好，王芳（邮箱）" in page.locator("h1").inner_text()

    page.context.clear_cookies()
    start(page, live_server)
    sign_in_at_provider(page, cas_on, STRANGER)
    at(page, f"{live_server.url}/accounts/sso/cas/login/")
    assert page.locator("#sso-refused").inner_text().strip() == UNKNOWN_TEXT
    shot(page, shots, "cas-unknown")
    assert AuditEntry.objects.get(action="accounts.sso_refused").after["value"] == STRANGER.email
