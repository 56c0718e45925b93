"""A seventh framework end to end in Chromium, with no code change: a city organizer uploads a
small new framework that exists only as a workbook (made here from a dict by the workbook
writer: 2 sections, 4 leaves, yes/no and number inputs, a level ladder), previews it (the tree
with rules in words, the ladder, a filled sample sheet scored) and activates it; creates and
opens a campaign with it; a school applies, fills it in and submits; the county accepts and
recommends; an expert scores; the organizer computes the results. Screenshots:
screenshots/seventh-*.png."""

from __future__ import annotations

import copy
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from campuseval.applications.models import Application
from campuseval.campaigns.models import Campaign, FrameworkRecord
from campuseval.reviews.models import Assignment, Result
from campuseval.spreadsheets.framework_book import write_framework_book

from ..campaigns.test_framework_pages import SEVENTH
from ..reviews.conftest import expert
from ..web.appworld import FULL_FORM, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def login(page: Any, live_server: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def shot(page: Any, shots: Path, name: str) -> None:
    page.screenshot(path=str(shots / f"seventh-{name}.png"), full_page=True)


def submit(page: Any, selector: str) -> None:
    """Press a button that sends its form, and wait for the page that answers it (the
    database is read right after)."""
    with page.expect_navigation():
        page.click(selector)


def save(page: Any) -> None:
    """With htmx the page saves by itself; wait for it. Without, press 保存."""
    if page.evaluate("() => !!window.htmx"):
        page.locator("#save-status").get_by_text("已自动保存").wait_for(timeout=5000)
    else:
        page.get_by_role("button", name="保存", exact=True).click()
        page.wait_for_load_state()


def local(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%dT%H:%M}"


def filled_sample(data: bytes) -> bytes:
    """The downloaded 样例答卷 with a figure in each 填写值 cell the sample answers."""
    values = {("1.1", "bandwidth"): 1200, ("1.2", "all_rooms"): "是", ("2.1", "lessons"): 3, ("2.2", "platform"): "是"}
    book = load_workbook(io.BytesIO(data))
    for row in book.active.iter_rows(min_row=2):
        key = (str(row[1].value or ""), str(row[3].value or ""))
        if key in values:
            row[6].value = values[key]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_seventh_framework_from_workbook_to_results(page: Any, live_server: Any, shots: Path) -> None:
    w = build_world()
    base = live_server.url
    organizer = w.users["organizer"]
    reviewer = w.users["county_reviewer"]
    workbook = write_framework_book(SEVENTH)

    # the organizer uploads the workbook with a mistake first: every problem named, nothing saved
    login(page, live_server, organizer)
    page.goto(f"{base}/campaigns/")
    page.click("text=指标框架")
    page.click("text=上传指标框架工作簿")
    wrong = copy.deepcopy(SEVENTH)
    wrong["indicators"][1]["children"][1]["rule"] = {"type": "yes_or_no", "input": "platform"}
    page.set_input_files(
        "#id_file", files=[{"name": "有误.xlsx", "mimeType": XLSX, "buffer": write_framework_book(wrong)}]
    )
    page.fill("#id_edition", "2026版")
    submit(page, "text=上传并校验")
    problems = page.locator("#book-problems").inner_text()
    assert (
        "规则" in problems
        and "yes_or_no" in problems
        and not FrameworkRecord.objects.filter(key=SEVENTH["id"]).exists()
    )
    assert page.locator("#id_edition").input_value() == "2026版"
    shot(page, shots, "00-problems")

    # then the right one, with its edition and start date
    page.set_input_files(
        "#id_file",
        files=[
            {
                "name": "启明市评估指标.xlsx",
                "mimeType": XLSX,
                "buffer": workbook,
            }
        ],
    )
    page.fill("#id_effective_from", "2026-09-01")
    shot(page, shots, "01-upload")
    submit(page, "text=上传并校验")
    record = FrameworkRecord.objects.get(key="qiming-2026-school")
    assert not record.is_active and record.edition == "2026版" and record.owner == w.city
    assert "草稿（未启用）" in page.locator("#status").inner_text()

    # the preview: the tree with rules in words, the ladder; a filled sample sheet scored
    tree = page.locator("#tree").inner_text()
    assert "校园网络" in tree and "1000M（含）以上，得 6 分" in tree and "“建有家校互通平台”为是得 5 分" in tree
    assert "示范校" in page.locator("#ladder").inner_text()
    sheet = page.context.request.get(base + page.get_by_role("link", name="下载样例答卷").get_attribute("href"))
    assert sheet.status == 200
    page.set_input_files(
        "#sample-form input[type=file]",
        files=[
            {"name": "样例答卷.xlsx", "mimeType": "application/octet-stream", "buffer": filled_sample(sheet.body())}
        ],
    )
    submit(page, "text=上传并试算")
    assert page.locator("#sample-total").inner_text() == "18"  # 6 + 4 + 3 + 5
    assert page.locator("#sample-level").inner_text() == "示范校"
    assert "年度数字教研活动次数 3，每个 1 分，计 3 分" in page.locator("#sample-leaves").inner_text()
    shot(page, shots, "02-preview")

    # activate: it is a choice in 新建活动 now
    submit(page, "#activate-form button")
    assert "已启用" in page.locator("#status").inner_text()
    record.refresh_from_db()
    assert record.is_active
    shot(page, shots, "03-activated")
    page.goto(f"{base}/campaigns/frameworks/")
    row = page.locator(f"#fw-{record.pk}").inner_text()
    assert "2026版" in row and "已启用" in row and "示例市" in row
    shot(page, shots, "03b-list")

    # a new campaign with it, opened for applications
    page.goto(f"{base}/campaigns/new/")
    page.fill("#id_name", "启明市 2026 智慧校园评估")
    page.select_option(
        "#id_school_framework", label="启明市中小学智慧校园评估指标（2026版）（2026版，qiming-2026-school，20 分）"
    )
    page.fill("#id_as_of", "2026-12-31")
    now = timezone.now()
    page.fill("#id_apply_starts", local(now - dt.timedelta(days=1)))
    page.fill("#id_apply_deadline", local(now + dt.timedelta(days=10)))
    submit(page, "button:has-text('保存')")
    campaign = Campaign.objects.get(name="启明市 2026 智慧校园评估")
    assert campaign.school_framework == record
    assert page.locator("#school-edition").inner_text() == "2026版"
    submit(page, "button:has-text('发布申报')")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.OPEN
    shot(page, shots, "04-campaign-open")

    # the school applies, fills the form and the four indicators; the head submits
    login(page, live_server, w.users["school_officer"])
    page.goto(f"{base}/applications/")
    page.locator("li", has_text="启明市 2026 智慧校园评估").get_by_role("button", name="开始申报").click()
    page.wait_for_load_state()
    application = Application.objects.get(campaign=campaign, unit=w.school_a)
    assert application.framework == record
    for key, value in FULL_FORM.items():
        page.fill(f"#f_{key}", value)
    save(page)
    page.goto(f"{base}/applications/{application.pk}/indicator/1.1/")
    page.fill("#in_bandwidth", "800")
    save(page)
    page.goto(f"{base}/applications/{application.pk}/indicator/1.2/")
    page.get_by_label("是").check()
    save(page)
    page.goto(f"{base}/applications/{application.pk}/indicator/2.1/")
    page.fill("#in_lessons", "6")
    save(page)
    page.goto(f"{base}/applications/{application.pk}/indicator/2.2/")
    page.get_by_label("否").check()
    save(page)
    page.reload()
    assert page.locator("#total").inner_text() == "12"  # 3 + 4 + 5 + 0
    shot(page, shots, "05-school-indicator")
    login(page, live_server, w.users["school_head"])
    page.goto(f"{base}/applications/{application.pk}/submit/")
    page.get_by_label("本人作为学校负责人，已阅读并确认以上承诺").check()
    page.get_by_role("button", name="确认承诺并提交").click()
    page.wait_for_load_state()
    assert "第 1 版（只读）" in page.content()
    shot(page, shots, "06-submitted")

    # the organizer moves the campaign on; the county accepts and recommends
    login(page, live_server, organizer)
    page.goto(f"{base}/campaigns/{campaign.pk}/")
    submit(page, "button:has-text('进入')")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.COUNTY_REVIEW
    login(page, live_server, reviewer)
    page.goto(f"{base}/reviews/county/{application.pk}/")
    page.select_option("select[name=decision]", "accepted")
    page.fill("textarea[name=opinion]", "同意推荐")
    submit(page, "text=保存初审结论")
    page.goto(f"{base}/reviews/county/recommend/{campaign.pk}/")
    page.locator("input[name=application]").first.check()
    page.fill("input[name=filled_by]", "王老师")
    submit(page, "text=保存名单")
    page.fill("input[name=confirmed_name]", "李局长")
    submit(page, "text=确认并冻结名单")
    assert "名单已冻结" in page.content()
    shot(page, shots, "07-recommended")
    application.refresh_from_db()
    assert application.status == "recommended"

    # the organizer forms a panel of one expert and assigns; the expert scores
    pro = expert("qian_e", w.county_y)
    login(page, live_server, organizer)
    page.goto(f"{base}/campaigns/{campaign.pk}/")
    submit(page, "button:has-text('进入')")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.EXPERT_REVIEW
    page.goto(f"{base}/reviews/organizer/{campaign.pk}/")
    page.fill("#id_experts_per_application", "1")
    submit(page, "text=保存设置")
    page.fill("input[name=name]", "启明市评审组")
    page.select_option("select[name=experts]", [str(pro.pk)])
    submit(page, "text=创建专家组")
    submit(page, "text=自动分配")
    assignment = Assignment.objects.get(application=application)
    login(page, live_server, pro.user)
    page.goto(f"{base}/reviews/expert/{assignment.pk}/")
    submit(page, "text=我确认与该申报单位无利益冲突")
    for code, points in (("1.1", "3"), ("1.2", "4"), ("2.1", "4"), ("2.2", "0")):
        page.fill(f"input[name='points_{code}']", points)
    submit(page, "text=提交评分（提交后锁定）")
    assert "已提交" in page.content()
    shot(page, shots, "08-expert")
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.SUBMITTED and assignment.total == 11

    # the organizer computes the results with the seventh framework
    login(page, live_server, organizer)
    page.goto(f"{base}/reviews/organizer/{campaign.pk}/")
    submit(page, "text=计算结果与排名")
    result = Result.objects.get(application=application)
    assert result.final == 11 and result.level == "达标校"  # the ladder of the uploaded workbook: 10 ≤ 11 < 16
    assert "甲县实验小学" in page.content() and "达标校" in page.content()
    shot(page, shots, "09-results")
