"""The imports page in Chromium: a background import's progress is polled by htmx (no inline
script, the Content-Security-Policy holds) and turns into its result when the worker is done;
a sheet uploaded through the page is imported and its audit rows are listed."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from openpyxl import Workbook
from playwright.sync_api import expect

from campuseval.accounts.models import Role, User
from campuseval.reports import imports
from campuseval.reports.models import ImportJob
from tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def _sign_in(page: Any, base: str, user: User) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}])


def test_progress_is_polled_and_an_upload_is_imported_and_audited(page: Any, live_server: Any, shots: Path) -> None:
    city = f.UnitFactory.city(code="A", name="甲市")
    school = f.UnitFactory.school(f.UnitFactory.county(city, code="A1", name="甲市一区"), code="A1S", name="甲小学")
    organizer = f.person("org-a", city, Role.ORGANIZER, display_name="甲市组织者")
    f.person("teacher-a", school, Role.APPLICANT, display_name="甲老师")
    job = ImportJob.objects.create(
        user=organizer, kind="accounts", status="running", rows_done=100, rows_total=400, filename="大表.xlsx"
    )
    page.add_init_script(WATCH)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _sign_in(page, live_server.url, organizer)
    page.goto(live_server.url + "/reports/imports/")
    card = page.locator(f"#import-job-{job.pk}")
    assert "已处理 100/400 行" in card.inner_text()
    page.screenshot(path=str(shots / "imports-progress.png"), full_page=True)
    ImportJob.objects.filter(pk=job.pk).update(
        status="done", rows_done=400, report={"created": 390, "updated": 10, "refused": []}
    )
    expect(card).to_contain_text("导入完成", timeout=8000)  # htmx swapped in the finished job
    assert "已处理 400/400 行" in card.inner_text() and "新建 390，更新 10" in card.inner_text()

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(imports.ACCOUNT_COLUMNS))
    ws.append(["teacher-a", "甲老师（新）", "", "", "A1S", "学校填报员、学校负责人"])
    buffer = io.BytesIO()
    wb.save(buffer)
    form = page.locator("form:has(input[name=kind][value=accounts])")
    form.locator("input[type=file]").set_input_files(
        {"name": "账号.xlsx", "mimeType": "application/octet-stream", "buffer": buffer.getvalue()}
    )
    form.locator("button").click()
    page.wait_for_load_state()
    text = page.inner_text("body")
    assert "导入完成：新建 0，更新 1" in text
    assert "导入更新账号 teacher-a（甲老师（新））" in page.inner_text("#import-audit")
    assert "导入授权 teacher-a：甲小学 · 学校负责人" in page.inner_text("#import-audit")
    page.screenshot(path=str(shots / "imports-audit.png"), full_page=True)
    assert page.evaluate("() => window.__csp") == [] and errors == []
