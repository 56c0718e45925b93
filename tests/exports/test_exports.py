"""Excel exports of every list: the screen's columns, a frozen header, numbers stored as numbers
with their formats, formulas made inert, each user's scope only, background jobs with
progress and a file only their requester can download."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from decimal import Decimal as D
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from campuseval.accounts.models import Membership, Role
from campuseval.applications.models import Application
from campuseval.orgs.models import Unit
from campuseval.reports import exports
from campuseval.reports.models import ExportJob
from campuseval.reports.tasks import run_export
from campuseval.reviews import services
from campuseval.reviews.models import Panel, ReviewSettings
from tests.reviews.conftest import expert, recommended, sheet, submitted, user

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/x","点我")'


def client_for(u: Any) -> Client:
    c = Client()
    c.force_login(u)
    return c


@pytest.fixture
def reviewed(world: dict[str, Any]) -> dict[str, Any]:
    """The review world taken to computed results, one school named like a formula."""
    school = world["schools"][0]
    school.name = EVIL + "甲县第0小学"
    school.save()
    app0 = world["apps"][0]
    app0.result = {
        "progress": {"answered": 1, "total": 2},
        "unmet_requirements": [{"code": "1", "kind": "basic", "label": "出口带宽"}],
        "unmet_necessary": [],
    }
    app0.save()
    apps = recommended(world)
    ReviewSettings.objects.create(campaign=world["campaign"], method="mean", rural_places=1)
    panel = Panel.objects.create(campaign=world["campaign"], name="材料评审组")
    e1, e2 = expert("e1", world["y"]), expert("e2", world["y"])
    marks = [[(600, True), (300, False)], [(600, True), (600, True)], [(300, False), (300, False)]]
    for app, pair in zip(apps, marks, strict=True):
        for ex, (bw, ok) in zip((e1, e2), pair, strict=True):
            a = services.assign_expert(actor=world["organizer"], panel=panel, application=app, expert=ex)
            sheet(world, a, bw, ok, comment="带宽达标")
    services.compute_results(actor=world["organizer"], campaign=world["campaign"])
    world.update(panel=panel, e1=e1, e2=e2, recommended=apps)
    return world


def url(key: str, campaign_pk: int, query: str = "") -> str:
    return reverse("reports:export", args=[key, campaign_pk]) + (f"?{query}" if query else "")


def sheet_of(response: Any) -> Any:
    assert response.status_code == 200, response
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return load_workbook(io.BytesIO(content)).active


def header(ws: Any) -> list[str]:
    return [c.value for c in ws[1]]


def rows(ws: Any) -> list[list[Any]]:
    return [[c.value for c in r] for r in ws.iter_rows(min_row=2)]


def column(ws: Any, title: str) -> list[Any]:
    index = header(ws).index(title)
    return [r[index] for r in rows(ws)]


def cell(ws: Any, row: int, title: str) -> Any:
    return ws.cell(row=row, column=header(ws).index(title) + 1)


def screen_headings(page: str, table_marker: str = "") -> list[str]:
    """The <th> texts of the first table after `table_marker` on a rendered page."""
    start = page.index(table_marker) if table_marker else 0
    table = page[page.index("<table", start) : page.index("</table>", start)]
    cells = re.findall(r"<th[^>]*>(.*?)</th>", table, flags=re.S)
    # a sortable heading's ▲/▼ marks the current sort, it is not part of the column's name
    texts = (html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells)
    return [t for t in (re.sub(r"\s+[▲▼]$", "", t) for t in texts) if t]


def is_subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(any(x == y for y in it) for x in small)


def assert_inert(ws: Any, title: str) -> None:
    """The formula-like unit name comes back as text starting with a quote, never a formula."""
    index = header(ws).index(title) + 1
    evil = [c for (c,) in ws.iter_rows(min_row=2, min_col=index, max_col=index) if "HYPERLINK" in str(c.value)]
    assert evil, "the formula-like name is in the export"
    for c in evil:
        assert c.data_type == "s" and c.value.startswith("'=HYPERLINK")


# --- each list round-trips ------------------------------------------------------------------------


def test_applications_match_the_county_screen(reviewed: dict[str, Any]) -> None:
    reviewer = client_for(reviewed["reviewer"])
    campaign = reviewed["campaign"]
    ws = sheet_of(reviewer.get(url("applications", campaign.pk)))
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    screen = screen_headings(reviewer.get(reverse("reviews:county_list")).content.decode())
    assert screen == [
        "申报单位",
        "活动",
        "城乡",
        "县级评分",
        "自评分",
        "完成度",
        "未达★/▲",
        "必要条件未满足",
        "佐证材料",
        "状态",
    ]
    assert is_subsequence(screen, header(ws))
    assert len(rows(ws)) == 4  # the county's four submitted applications
    assert_inert(ws, "申报单位")
    first = 2 + column(ws, "单位代码").index("X0")
    score = cell(ws, first, "自评分")
    assert score.data_type == "n" and score.value == 10 and score.number_format == "0.00"
    done = cell(ws, first, "完成度")
    assert done.value == 0.5 and done.number_format == "0.0%"
    assert cell(ws, first, "未达★/▲").value == 1 and cell(ws, first, "已作答指标").value == 1
    assert set(column(ws, "所属区县")) == {"甲县"}
    assert set(column(ws, "状态")) == {"已推荐", "初审通过"}
    submitted_at = cell(ws, first, "提交时间")
    assert submitted_at.value is None or isinstance(submitted_at.value, dt.datetime)


def test_applications_follow_the_screen_filters(reviewed: dict[str, Any]) -> None:
    reviewer = client_for(reviewed["reviewer"])
    ws = sheet_of(reviewer.get(url("applications", reviewed["campaign"].pk, "status=accepted")))
    assert column(ws, "单位代码") == ["X3"]
    ws = sheet_of(reviewer.get(url("applications", reviewed["campaign"].pk, "q=X1")))
    assert column(ws, "单位代码") == ["X1"]


def test_organizer_sees_every_county_county_reviewer_only_theirs(world: dict[str, Any]) -> None:
    y_app = submitted(world["campaign"], world["record"], world["y_school"], bw=500)
    draft = Unit.objects.create(code="X9", name="甲县草稿小学", kind=Unit.Kind.SCHOOL, parent=world["x"])
    Application.objects.create(campaign=world["campaign"], unit=draft, framework=world["record"])
    org = sheet_of(client_for(world["organizer"]).get(url("applications", world["campaign"].pk)))
    assert sorted(column(org, "单位代码")) == ["X0", "X1", "X2", "X3", "Y0"]  # never drafts
    assert set(column(org, "所属区县")) == {"甲县", "乙区"}
    x = sheet_of(client_for(world["reviewer"]).get(url("applications", world["campaign"].pk)))
    assert "Y0" not in column(x, "单位代码")
    y = sheet_of(client_for(world["outsider"]).get(url("applications", world["campaign"].pk)))
    assert column(y, "单位代码") == ["Y0"] and y_app.unit.name in column(y, "申报单位")


def test_recommendation_lists(reviewed: dict[str, Any]) -> None:
    reviewer = client_for(reviewed["reviewer"])
    ws = sheet_of(reviewer.get(url("recommendations", reviewed["campaign"].pk)))
    assert ws.freeze_panes == "A2"
    assert is_subsequence(["申报单位", "城乡", "自评分", "亮点特色"], header(ws))
    assert column(ws, "序号") == [1, 2, 3]
    assert set(column(ws, "推荐单位")) == {"甲县"} and set(column(ws, "确认人")) == {"李局长"}
    assert cell(ws, 2, "序号").data_type == "n"
    assert cell(ws, 2, "自评分").number_format == "0.00" and cell(ws, 2, "自评分").value == 10
    assert isinstance(cell(ws, 2, "确认时间").value, dt.datetime)
    assert_inert(ws, "申报单位")
    # the other county reviewer has no applications in the campaign: not theirs to export
    assert client_for(reviewed["outsider"]).get(url("recommendations", reviewed["campaign"].pk)).status_code == 404


def test_scores_per_indicator_per_expert(reviewed: dict[str, Any]) -> None:
    org = client_for(reviewed["organizer"])
    campaign = reviewed["campaign"]
    ws = sheet_of(org.get(url("scores", campaign.pk)))
    screen = screen_headings(org.get(reverse("reviews:organizer", args=[campaign.pk])).content.decode(), "评审任务")
    assert screen == ["申报单位", "专家", "组", "状态", "评分"]
    assert is_subsequence(screen, header(ws))
    assert header(ws)[-3:] == ["1 出口带宽", "2 制度", "评分"]  # one column per leaf indicator
    assert len(rows(ws)) == 6  # three applications × two experts
    assert sorted(set(column(ws, "专家"))) == ["e1", "e2"]
    bandwidth = cell(ws, 2, "1 出口带宽")
    assert bandwidth.data_type == "n" and bandwidth.number_format == "0.00"
    assert set(column(ws, "1 出口带宽")) == {3, 6} and set(column(ws, "2 制度")) == {0, 4}
    assert set(column(ws, "评分")) == {10, 3}
    assert_inert(ws, "申报单位")


def test_aggregated_results(reviewed: dict[str, Any]) -> None:
    org = client_for(reviewed["organizer"])
    ws = sheet_of(org.get(url("results", reviewed["campaign"].pk)))
    assert ws.freeze_panes == "A2"
    assert header(ws)[:10] == [
        "名次",
        "单位名称",
        "单位代码",
        "所属区县",
        "城乡",
        "材料评审得分",
        "实地考察得分",
        "最终得分",
        "等级",
        "入选",
    ]
    assert column(ws, "名次") == [1, 2, 3]
    final = cell(ws, 2, "最终得分")
    assert final.data_type == "n" and final.value == 10 and final.number_format == "0.00"
    assert column(ws, "最终得分") == [10, 6.5, 3]
    assert cell(ws, 2, "名次").number_format == "0"
    assert set(column(ws, "入选")) <= {"是", "否"} and "是" in column(ws, "入选")
    assert set(column(ws, "城乡")) == {"乡村", "城镇"}
    assert_inert(ws, "单位名称")


def test_audit_log_per_campaign_and_per_application(reviewed: dict[str, Any]) -> None:
    org = client_for(reviewed["organizer"])
    campaign = reviewed["campaign"]
    y_app = submitted(campaign, reviewed["record"], reviewed["y_school"], bw=500)
    services.decide_county_review(
        actor=reviewed["outsider"], application=y_app, decision="returned", reason="=缺少合同"
    )
    ws = sheet_of(org.get(url("audit", campaign.pk)))
    screen = screen_headings(org.get(reverse("reviews:audit_log", args=[campaign.pk])).content.decode())
    assert header(ws) == screen == ["时间", "操作人", "来源地址", "操作", "摘要", "变更前", "变更后"]
    when = column(ws, "时间")
    assert all(isinstance(v, dt.datetime) for v in when) and when == sorted(when)
    assert cell(ws, 2, "时间").number_format == "yyyy-mm-dd hh:mm:ss"
    assert "县级初审：退回补充（=缺少合同）" in column(ws, "摘要")
    one = sheet_of(org.get(url("audit", campaign.pk, f"application={y_app.pk}")))
    actions = column(one, "操作")
    assert "county_review.returned" in actions and 0 < len(actions) < len(when)
    assert org.get(url("audit", campaign.pk, "application=999999")).status_code == 404


# --- who may export what ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", {"applications": 302, "recommendations": 302, "scores": 302, "results": 302, "audit": 302}),
        ("applicant", {"applications": 404, "recommendations": 404, "scores": 404, "results": 404, "audit": 404}),
        ("reviewer", {"applications": 200, "recommendations": 200, "scores": 404, "results": 404, "audit": 404}),
        ("outsider", {"applications": 404, "recommendations": 404, "scores": 404, "results": 404, "audit": 404}),
        ("expert", {"applications": 404, "recommendations": 404, "scores": 404, "results": 404, "audit": 404}),
        ("organizer", {"applications": 200, "recommendations": 200, "scores": 200, "results": 200, "audit": 200}),
        ("other_organizer", {"applications": 404, "recommendations": 404, "scores": 404, "results": 404, "audit": 404}),
    ],
)
def test_role_url_status_matrix(reviewed: dict[str, Any], who: str, expected: dict[str, int]) -> None:
    people = {
        "applicant": reviewed["applicant"],
        "reviewer": reviewed["reviewer"],
        "outsider": reviewed["outsider"],
        "expert": reviewed["e1"].user,
        "organizer": reviewed["organizer"],
        "other_organizer": user(
            "organizer_z", Unit.objects.create(code="C2", name="另一市", kind=Unit.Kind.CITY), Role.ORGANIZER
        ),
    }
    c = Client() if who == "anonymous" else client_for(people[who])
    campaign = reviewed["campaign"]
    for key, status in expected.items():
        response = c.get(url(key, campaign.pk))
        assert response.status_code == status, (who, key)
        if status == 200:
            assert load_workbook(io.BytesIO(response.content)).active.max_row > 1
        if status == 302:
            assert reverse("accounts:login") in response["Location"]
    # "my exports" is everybody's own page; someone else's campaign or an unknown list → 404
    if who != "anonymous":
        page = c.get(reverse("reports:exports"))
        assert page.status_code == 200 and "我的导出" in page.content.decode()
        assert c.get(url("nonsense", campaign.pk)).status_code == 404
        assert c.get(url("applications", 999999)).status_code == 404


# --- background jobs -------------------------------------------------------------------------------


def test_large_export_runs_in_background_with_progress_and_owner_only_download(
    reviewed: dict[str, Any], settings: Any
) -> None:
    settings.EXPORT_BACKGROUND_ROWS = 2
    org = client_for(reviewed["organizer"])
    campaign = reviewed["campaign"]
    response = org.get(url("scores", campaign.pk))
    assert response.status_code == 302 and response["Location"] == reverse("reports:exports")
    job = ExportJob.objects.get(user=reviewed["organizer"])
    assert job.status == ExportJob.Status.DONE and job.list_key == "scores"
    assert job.rows_total == 6 and job.rows_done == 6 and job.percent == 100
    assert job.finished_at is not None and job.file.name.startswith(f"exports/{reviewed['organizer'].pk}/")
    assert job.filename == f"专家评分明细-{campaign.name}.xlsx"

    page = org.get(reverse("reports:exports")).content.decode()
    assert job.title in page and reverse("reports:export_download", args=[job.pk]) in page
    assert "hx-trigger" not in page  # finished: nothing left to poll

    download = org.get(reverse("reports:export_download", args=[job.pk]))
    ws = sheet_of(download)
    assert "attachment" in download["Content-Disposition"]
    assert len(rows(ws)) == 6 and header(ws)[-1] == "评分"

    other = user("organizer_2", reviewed["city"], Role.ORGANIZER)  # same unit, still not the requester
    for name in ("export_download", "export_job"):
        assert client_for(other).get(reverse(f"reports:{name}", args=[job.pk])).status_code == 404
        assert client_for(reviewed["reviewer"]).get(reverse(f"reports:{name}", args=[job.pk])).status_code == 404
    assert job.title not in client_for(other).get(reverse("reports:exports")).content.decode()
    assert Client().get(reverse("reports:export_download", args=[job.pk])).status_code == 302


def test_small_export_on_request_goes_to_background_too(reviewed: dict[str, Any]) -> None:
    reviewer = client_for(reviewed["reviewer"])
    response = reviewer.get(url("applications", reviewed["campaign"].pk, "background=1&status=recommended"))
    assert response.status_code == 302
    job = ExportJob.objects.get(user=reviewed["reviewer"])
    assert job.params == {"status": "recommended"} and job.rows_total == job.rows_done == 3
    ws = sheet_of(reviewer.get(reverse("reports:export_download", args=[job.pk])))
    assert set(column(ws, "状态")) == {"已推荐"}


def test_unfinished_job_row_polls_and_shows_progress(reviewed: dict[str, Any]) -> None:
    job = ExportJob.objects.create(
        user=reviewed["organizer"],
        list_key="results",
        campaign=reviewed["campaign"],
        title="评审结果",
        status=ExportJob.Status.RUNNING,
        rows_done=1,
        rows_total=4,
    )
    org = client_for(reviewed["organizer"])
    row = org.get(reverse("reports:export_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in row and "width: 25%" in row and "1 / 4" in row
    assert org.get(reverse("reports:export_download", args=[job.pk])).status_code == 404  # not done yet
    run_export(job.pk)  # a worker restarted after a crash finishes the job from the start
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.rows_done == job.rows_total == 3


def test_job_fails_cleanly_when_the_role_is_withdrawn(reviewed: dict[str, Any]) -> None:
    job = ExportJob.objects.create(
        user=reviewed["organizer"], list_key="results", campaign=reviewed["campaign"], title="评审结果"
    )
    Membership.objects.filter(user=reviewed["organizer"]).delete()
    run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and "无权" in job.error and not job.file
    row = client_for(reviewed["organizer"]).get(reverse("reports:export_job", args=[job.pk])).content.decode()
    assert "失败" in row and "hx-trigger" not in row


def test_progress_is_reported_every_chunk_and_at_the_end() -> None:
    seen: list[int] = []
    out = list(exports.with_progress(([i] for i in range(5)), seen.append, every=2))
    assert out == [[0], [1], [2], [3], [4]] and seen == [2, 4, 5]


# --- query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["applications", "recommendations", "scores", "results", "audit"])
def test_query_count_does_not_grow_with_rows(reviewed: dict[str, Any], key: str) -> None:
    org = client_for(reviewed["organizer"])
    campaign = reviewed["campaign"]

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            ws = sheet_of(org.get(url(key, campaign.pk)))
        return len(ctx.captured_queries), len(rows(ws))

    before, n_before = queries()
    # grow the list: another county school taken through to results
    more = [
        Unit.objects.create(
            code=f"X{i}", name=f"甲县新{i}校", kind=Unit.Kind.SCHOOL, parent=reviewed["x"], area=Unit.Area.URBAN
        )
        for i in range(5, 8)
    ]
    apps = [submitted(campaign, reviewed["record"], u, bw=600) for u in more]
    for app in apps:
        services.decide_county_review(actor=reviewed["reviewer"], application=app, decision="accepted")
    Application.objects.filter(pk__in=[a.pk for a in apps]).update(status=Application.Status.RECOMMENDED)
    rec = reviewed["campaign"].recommendation_lists.get()
    for i, app in enumerate(apps, start=10):
        rec.rows.create(application=app, position=i)
    for app in apps:
        a = services.assign_expert(
            actor=reviewed["organizer"], panel=reviewed["panel"], application=app, expert=reviewed["e1"]
        )
        sheet(reviewed, a, 600, True)
    services.compute_results(actor=reviewed["organizer"], campaign=campaign)
    after, n_after = queries()
    assert n_after > n_before
    assert after == before, (key, before, after)


def test_scores_columns_cover_both_frameworks_when_a_campaign_has_two(reviewed: dict[str, Any]) -> None:
    from campuseval.campaigns.models import FrameworkRecord

    record = reviewed["record"]
    district = FrameworkRecord.objects.create(
        key="mini-d",
        title="迷你区县框架",
        subject="district",
        total=10,
        source_yaml=record.source_yaml.replace("subject: school", "subject: district"),
        sha256="d" * 64,
    )
    campaign = reviewed["campaign"]
    campaign.district_framework = district
    campaign.applicants = "both"
    campaign.save()
    ws = sheet_of(client_for(reviewed["organizer"]).get(url("scores", campaign.pk)))
    assert header(ws)[-5:] == ["学校·1 出口带宽", "学校·2 制度", "区县·1 出口带宽", "区县·2 制度", "评分"]
    assert set(column(ws, "区县·1 出口带宽")) == {None}
    assert D(str(cell(ws, 2, "学校·1 出口带宽").value)) in {D(3), D(6)}


def test_list_screens_link_to_their_exports(reviewed: dict[str, Any]) -> None:
    campaign = reviewed["campaign"]
    reviewer = client_for(reviewed["reviewer"])
    page = reviewer.get(reverse("reviews:county_list") + f"?campaign={campaign.pk}&status=accepted").content.decode()
    link = html.unescape(re.search(r'href="([^"]+)">导出 Excel', page).group(1))
    assert link == url("applications", campaign.pk, "status=accepted&q=&area=")
    assert column(sheet_of(reviewer.get(link)), "单位代码") == ["X3"]
    # the 城乡 filter goes with the export too: the list and the sheet hold the same schools
    Unit.objects.filter(code__startswith="X").update(area=Unit.Area.URBAN)
    Unit.objects.filter(code="X1").update(area=Unit.Area.RURAL)
    page = reviewer.get(reverse("reviews:county_list") + f"?campaign={campaign.pk}&area=rural").content.decode()
    link = html.unescape(re.search(r'href="([^"]+)">导出 Excel', page).group(1))
    assert link == url("applications", campaign.pk, "status=&q=&area=rural")
    assert column(sheet_of(reviewer.get(link)), "单位代码") == ["X1"]
    assert "导出 Excel" not in reviewer.get(reverse("reviews:county_list") + "?campaign=１").content.decode()
    page = reviewer.get(reverse("reviews:recommend", args=[campaign.pk])).content.decode()
    assert url("recommendations", campaign.pk) in page
    page = client_for(reviewed["organizer"]).get(reverse("reviews:organizer", args=[campaign.pk])).content.decode()
    for key in ("applications", "recommendations", "scores"):
        assert url(key, campaign.pk) in page
    assert reverse("reports:exports") in page
