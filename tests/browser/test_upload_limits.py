"""Upload limits are checked in the browser before anything is sent (static/js/upload-limits.js):
a file over the size limit, more files than one upload takes, or a selection too large in all
shows a Chinese message naming the file and the form is not sent; the server never sees the
request. A file within the limits is then uploaded as usual.

Screenshots: screenshots/upload-limits-*.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from campuseval.applications import services
from campuseval.applications.models import Evidence
from campuseval.campaigns.models import Campaign

from ..web.appworld import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MB = 1024 * 1024


@pytest.fixture
def school(live_server: Any, page: Any, settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EVIDENCE_MAX_BYTES = 1 * MB
    w = build_world()
    application = services.start_application(actor=w.users["school_officer"], campaign=w.campaign, unit=w.school_a)
    client = Client()
    client.force_login(w.users["school_officer"])
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    return {"app": application, "base": f"{live_server.url}/applications/{application.pk}", "posts": posts}


def pdf(name: str, size: int) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF + b"0" * (size - len(PDF))}


def test_too_large_too_many_and_too_much_are_refused_before_sending(
    page: Any, school: dict[str, Any], shots: Path
) -> None:
    app = school["app"]
    page.goto(f"{school['base']}/indicator/1.3/")
    chooser = page.locator("input[type=file][name=file]")
    assert chooser.get_attribute("data-max-bytes") == str(MB) and chooser.get_attribute("data-max-files") == "10"
    problem = page.locator("[role=alert].upload-problem")

    chooser.set_input_files(files=[pdf("合同.pdf", 1000), pdf("验收报告.pdf", 2 * MB)])
    problem.wait_for()
    assert (
        problem.inner_text()
        == "文件「验收报告.pdf」有 2 MB，超过每个文件 1 MB 的大小限制，未上传；请压缩或拆分后重新选择"
    )
    page.get_by_role("button", name="上传").click()
    page.wait_for_timeout(500)
    shot = shots / "upload-limits-too-large.png"
    page.screenshot(path=str(shot), full_page=True)
    assert not any("/evidence/" in url for url in school["posts"])
    assert page.url.endswith("/indicator/1.3/") and not Evidence.objects.filter(application=app).exists()

    chooser.set_input_files(files=[pdf(f"照片{n}.pdf", 1000 + n) for n in range(11)])
    assert problem.inner_text() == "一次最多上传 10 个文件，已选择 11 个，请分批上传"
    page.get_by_role("button", name="上传").click()

    chooser.set_input_files(files=[pdf("一.pdf", 600 * 1024), pdf("二.pdf", 600 * 1024)])
    assert problem.inner_text() == "所选 2 个文件合计 1.2 MB，一次上传合计不能超过 1 MB，请分批上传"
    page.get_by_role("button", name="上传").click()
    page.wait_for_timeout(500)
    assert not any("/evidence/" in url for url in school["posts"])
    assert not Evidence.objects.filter(application=app).exists()

    # within the limits: the message goes and the file is uploaded
    chooser.set_input_files(files=[pdf("合同.pdf", 1000)])
    assert problem.inner_text() == ""
    page.get_by_role("button", name="上传").click()
    page.locator("#evidence", has_text="合同.pdf").wait_for(timeout=10000)
    assert list(Evidence.objects.filter(application=app).values_list("original_name", flat=True)) == ["合同.pdf"]
    page.screenshot(path=str(shots / "upload-limits-uploaded.png"), full_page=True)


def test_the_stamped_scan_is_checked_before_sending(page: Any, school: dict[str, Any], shots: Path) -> None:
    app = school["app"]
    Campaign.objects.filter(pk=app.campaign_id).update(requires_stamped_scans=True)
    page.goto(f"{school['base']}/submit/")
    chooser = page.locator("#id_stamped_scan")
    chooser.set_input_files(files=[pdf("盖章申报书.pdf", 3 * MB)])
    problem = page.locator("[role=alert].upload-problem")
    problem.wait_for()
    assert "文件「盖章申报书.pdf」有 3 MB，超过每个文件 1 MB 的大小限制" in problem.inner_text()
    page.locator("#stamped-scan").get_by_role("button", name="上传", exact=True).click()
    page.wait_for_timeout(500)
    page.screenshot(path=str(shots / "upload-limits-scan.png"), full_page=True)
    assert not any("stamped-scan" in url for url in school["posts"])
    app.refresh_from_db()
    assert not app.stamped_scan
