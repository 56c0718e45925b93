"""The shell in a real browser: sign in through the form, the role's navigation, the language
switch, and the phone layout (collapsed menu). Screenshots go to screenshots/shell-*.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.web.appworld import PASSWORD, build_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fast_hasher(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_shell_desktop_and_language(page: Any, live_server: Any, shots: Path) -> None:
    build_world()
    base = live_server.url
    page.set_viewport_size({"width": 1366, "height": 860})
    page.goto(f"{base}/")
    assert "/accounts/login/" in page.url
    page.screenshot(path=str(shots / "shell-01-login.png"), full_page=True)

    page.fill("input[name=username]", "school_officer")
    page.fill("input[name=password]", "wrong-password")
    page.get_by_role("button", name="登录").click()
    assert "用户名或密码不正确" in page.locator("#login-error").inner_text()
    assert page.locator("input[name=username]").input_value() == "school_officer"
    page.screenshot(path=str(shots / "shell-02-login-error.png"), full_page=True)

    sign_in(page, base, "school_officer")
    assert page.locator("h1").first.inner_text().startswith("您好")
    assert page.locator("#ce-nav-links").get_by_text("我的申报").is_visible()
    assert page.evaluate("() => !!window.htmx && !!window.bootstrap")
    page.screenshot(path=str(shots / "shell-03-home-school.png"), full_page=True)

    sign_in(page, base, "organizer")
    page.locator("#ce-nav-links").get_by_text("评审组织").click()
    assert page.get_by_role("link", name="全部活动…").is_visible()
    page.screenshot(path=str(shots / "shell-04-home-organizer.png"), full_page=True)

    page.get_by_role("button", name="English").first.click()
    page.wait_for_load_state()
    assert page.locator("#ce-nav-links").get_by_text("Campaigns", exact=True).is_visible()
    page.screenshot(path=str(shots / "shell-05-home-organizer-en.png"), full_page=True)
    page.get_by_role("button", name="中文").first.click()
    page.wait_for_load_state()
    assert page.locator("#ce-nav-links").get_by_text("活动管理", exact=True).is_visible()

    page.locator(".ce-user").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state()
    assert "/accounts/login/" in page.url


def test_shell_phone(page: Any, live_server: Any, shots: Path) -> None:
    build_world()
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, base, "county_reviewer")
    nav = page.locator("#ce-nav-links")
    assert not nav.is_visible()  # collapsed behind the menu button
    page.screenshot(path=str(shots / "shell-06-phone-home.png"), full_page=True)
    page.locator(".navbar-toggler").click()
    page.locator("#ce-nav.show").wait_for()
    page.wait_for_function("() => !document.querySelector('.collapsing')")
    page.screenshot(path=str(shots / "shell-07-phone-menu.png"), full_page=True)
    nav.get_by_text("县级初审").click()
    page.wait_for_load_state()
    assert page.url.endswith("/reviews/county/")
