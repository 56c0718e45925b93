"""The school's journey in Chromium: the applicant logs in, starts the application, fills the
form (derived coverage shown), answers indicators of every widget type (watching the score
change), chooses a direction, uploads evidence; the head confirms the promise and submits.
Screenshots: screenshots/school-*.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from campuseval.applications.models import Application, ApplicationVersion, Evidence

from ..web.appworld import FULL_FORM, PASSWORD, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(page: Any, live_server: Any, user: Any) -> None:
    """Log in through the login page when it is there; otherwise with a session cookie."""
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    if page.locator("input[name=username]").count():
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", PASSWORD)
        page.locator("input[name=password]").press("Enter")
        page.wait_for_load_state()
        return
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def save(page: Any) -> None:
    """With htmx the page saves by itself; wait for it. Without, press 保存."""
    if page.evaluate("() => !!window.htmx"):
        page.locator("#save-status").get_by_text("已自动保存").wait_for(timeout=5000)
    else:
        page.get_by_role("button", name="保存", exact=True).click()
        page.wait_for_load_state()


def shot(page: Any, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"school-{name}.png"), full_page=True)


def test_school_journey(page: Any, live_server: Any, shots: Path) -> None:
    w = build_world()
    base = live_server.url
    login(page, live_server, w.users["school_officer"])
    page.goto(f"{base}/applications/")
    shot(page, shots, "01-mine")
    page.get_by_role("button", name="开始申报").click()
    page.wait_for_load_state()
    application = Application.objects.get(unit=w.school_a)

    # the form: derived coverage appears
    for key, value in FULL_FORM.items():
        page.fill(f"#f_{key}", value)
    save(page)
    page.reload()
    assert "50%" in page.locator("#derived").inner_text()
    assert page.locator("#total").inner_text() == "8"
    shot(page, shots, "02-form")

    # bandwidth comes from the form, read-only
    page.goto(f"{base}/applications/{application.pk}/indicator/1.1/")
    assert "取自申报书" in page.content()

    page.goto(f"{base}/applications/{application.pk}/indicator/1.2/")
    page.get_by_label("是").check()
    save(page)
    page.goto(f"{base}/applications/{application.pk}/indicator/1.3/")
    page.select_option("#in_platform", "自建")
    save(page)
    page.reload()
    assert page.locator("#total").inner_text() == "16"
    page.goto(f"{base}/applications/{application.pk}/indicator/1.4/")
    for option in ("教学", "管理", "评价"):
        page.get_by_label(option).check()
    save(page)
    page.reload()
    assert page.locator("#total").inner_text() == "19"
    assert "平台" not in page.locator("#explanation").inner_text()
    shot(page, shots, "03-indicator")

    # choose the direction, then enter an award row
    page.goto(f"{base}/applications/{application.pk}/choices/")
    page.get_by_label("方向一：教学应用（10 分）").check()
    save(page)
    page.goto(f"{base}/applications/{application.pk}/indicator/2.1/")
    page.locator("input[name$=-name]").first.fill("优课")
    page.locator("select[name$=-level]").first.select_option("省级")
    page.locator("input[name$=-date]").first.fill("2023-06-01")
    page.locator("input[name$=-case]").first.fill("案例甲")
    save(page)
    page.reload()
    assert page.locator("#total").inner_text() == "23"
    assert "省级" in page.locator("#explanation").inner_text()
    page.set_input_files(
        "input[type=file]", files=[{"name": "获奖证书.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="上传").click()
    page.wait_for_load_state()
    assert "获奖证书.pdf" in page.locator("#evidence").inner_text()
    shot(page, shots, "04-awards")
    application.refresh_from_db()
    assert application.result["progress"] == {"answered": 5, "total": 5}

    # the applicant cannot submit; the head confirms and submits
    page.goto(f"{base}/applications/{application.pk}/submit/")
    assert "请由学校负责人登录" in page.content()
    login(page, live_server, w.users["school_head"])
    page.goto(f"{base}/applications/{application.pk}/submit/")
    shot(page, shots, "05-submit")
    page.get_by_label("本人作为学校负责人，已阅读并确认以上承诺").check()
    page.get_by_role("button", name="确认承诺并提交").click()
    page.wait_for_load_state()
    assert "第 1 版（只读）" in page.content()
    shot(page, shots, "06-version")
    version = ApplicationVersion.objects.get(application=application)
    assert version.confirmed_by == w.users["school_head"]
    assert Evidence.objects.get(application=application).frozen_in_version == 1
