"""The expert's journey in Chromium: whom the assignment concerns and the system's 回避 checks
before confirming, then the application's materials beside each indicator (an evidence PDF
opening in place), a decision on every indicator (a score, the rest 同意初审分 in one
confirmed step), an overall opinion, submission and the printed sheet. The blind variant
finds the school's name nowhere: not on the pages, not in the evidence file names, not in the
PDF. Screenshots: screenshots/expert-*.png."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from django.test import Client

from campuseval.reviews.models import Assignment, ReviewSettings

from ..reviews.materials_world import build_desk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Any, live_server: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def shot(page: Any, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"expert-{name}.png"), full_page=True)


def pdf_text(data: bytes, shots: Path, name: str) -> str:
    """The PDF's text; the PDF and its first page as PNG kept beside the screenshots."""
    path = shots / f"expert-{name}.pdf"
    path.write_bytes(data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", str(path), str(shots / f"expert-{name}")], check=True
    )
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("blind", [False, True], ids=["named", "blind"])
def test_expert_journey(page: Any, live_server: Any, world: dict, shots: Path, blind: bool) -> None:
    desk = build_desk(world)
    app, assignment = desk["app"], desk["assignment"]
    school = app.unit.name
    if blind:
        ReviewSettings.objects.create(campaign=desk["campaign2"], hide_applicant=True)
    suffix = "blind" if blind else "named"
    login(page, live_server, desk["expert"].user)
    base = live_server.url

    def no_school_name() -> None:
        if blind:
            assert school not in page.content() and "甲县" not in page.content()

    # the task list and the sheet say whom it concerns before anything is confirmed
    page.goto(f"{base}/reviews/expert/")
    assert (app.code if blind else school) in page.locator("tbody").inner_text()
    no_school_name()
    page.click("text=进入评分")
    checks = page.locator("#conflict-checks").inner_text()
    assert "您的工作单位与申报单位不同：✓" in checks and "无登记的回避关系：✓" in checks
    assert page.locator("#applicant").inner_text() == (app.code if blind else school)
    if not blind:
        assert "所属区县：甲县" in page.content()
    assert "千兆光纤" not in page.content()  # no materials yet
    no_school_name()
    shot(page, shots, f"{suffix}-01-before-confirming")

    page.click("text=我确认与该申报单位无利益冲突")
    assert Assignment.objects.get(pk=assignment.pk).status == Assignment.Status.CONFIRMED
    materials = page.locator("#materials-1").inner_text()
    assert "提供光纤接入合同或运营商证明" in materials and "出口带宽：600 M" in materials
    assert "千兆光纤" in materials
    assert "机器人大赛一等奖" in page.locator("#materials-2").inner_text()
    no_school_name()

    # the evidence PDF opens in place: an inline response, previewed in the page
    link = page.locator("#materials-1 .evidence-file a").first
    assert link.inner_text() == ("材料1.pdf" if blind else f"{school}光纤合同.pdf")
    response = page.context.request.get(base + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("inline")
    assert unquote(disposition.split("''")[-1]) == ("材料1.pdf" if blind else f"{school}光纤合同.pdf")
    page.locator("#materials-1 details summary").first.click()
    assert page.locator("#materials-1 iframe").count() == 1
    word = page.locator("#materials-2 .evidence-file a").first
    assert word.get_attribute("download") is not None  # not a PDF or image: downloaded
    if blind:
        assert "材料2.docx" in word.inner_text()
        assert quote(school) not in disposition
    shot(page, shots, f"{suffix}-02-materials")

    # the frozen version, read-only, from the sheet's summary
    version_href = page.locator("#materials-summary a", has_text="第 1 版").get_attribute("href")
    page.goto(base + version_href)
    assert "第 1 版（只读）" in page.content() and "千兆光纤" in page.content()
    no_school_name()
    shot(page, shots, f"{suffix}-02b-version")
    page.goto(f"{base}/reviews/expert/{assignment.pk}/")

    # a score on one indicator; submitting now lists the undecided one and keeps what was typed
    page.fill("input[name=points_1]", "5")
    page.fill("input[name=comment_1]", "合同齐全，带宽达标")
    page.fill("#overall_comment", "基础设施扎实，建议入选")
    page.click("text=提交评分（提交后锁定）")
    assert "尚有 1 项指标未作出评审决定" in page.locator(".alert-danger").inner_text()
    assert page.locator("#row-2.undecided").count() == 1 and page.locator("#row-1.undecided").count() == 0
    assert page.locator("input[name=points_1]").input_value() == "5"
    assert page.locator("#overall_comment").input_value() == "基础设施扎实，建议入选"
    shot(page, shots, f"{suffix}-03-undecided")

    # the rest 同意初审分, in one confirmed step
    page.click("text=其余指标同意初审分…")
    assert "2 学生获奖" in page.locator("#agree-rest").inner_text()
    shot(page, shots, f"{suffix}-04-agree-confirm")
    page.click("text=确认同意初审分")
    saved = Assignment.objects.get(pk=assignment.pk)
    assert saved.agreed == ["2"] and saved.points == {"1": "5"} and saved.overall_comment == "基础设施扎实，建议入选"
    assert page.locator("input[name=agree_2]").is_checked()
    page.click("text=提交评分（提交后锁定）")
    saved.refresh_from_db()
    assert saved.status == Assignment.Status.SUBMITTED and saved.total == 6
    no_school_name()
    shot(page, shots, f"{suffix}-05-submitted")

    # the printed sheet: the decisions, the overall opinion under the expert's name
    href = page.locator("text=打印专家评分表（PDF）").get_attribute("href")
    sheet = page.context.request.get(base + href)
    assert sheet.headers["content-type"] == "application/pdf"
    assert (quote(school) in sheet.headers["content-disposition"]) is not blind
    if shutil.which("pdftotext"):
        text = pdf_text(sheet.body(), shots, f"{suffix}-06-sheet")
        assert "基础设施扎实，建议入选" in text and "钱专家" in text and "同意初审分" in text
        assert (school in text) is not blind and (app.code in text) is blind


def test_county_review_page_shows_the_materials(page: Any, live_server: Any, world: dict, shots: Path) -> None:
    desk = build_desk(world)
    login(page, live_server, world["reviewer"])
    page.goto(f"{live_server.url}/reviews/county/{desk['app'].pk}/")
    assert "提供光纤接入合同或运营商证明" in page.locator("#materials-1").inner_text()
    assert "机器人大赛一等奖" in page.locator("#materials-2").inner_text()
    page.locator("#materials-summary details summary").click()
    assert "王老师" in page.locator("#materials-summary").inner_text()
    shot(page, shots, "county-review-materials")
