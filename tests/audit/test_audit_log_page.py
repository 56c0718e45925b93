"""Issue 12 item 7: the system-wide audit log. System administrators read and export every
entry, organizers their region's; the page is paginated at a constant number of queries and
filtered by actor, action, date range and unit; the export runs in the background with no row
cap; what a school typed before submitting stays hidden as on the campaign's audit page."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from campuseval.applications.drafts import PRIVATE
from campuseval.audit.models import AuditEntry, AuditExport
from campuseval.audit.services import record
from tests.factories import UserFactory
from tests.personas import Personas

from .helpers import entry_at

PAGE = reverse("reports:audit_log")
EXPORT = reverse("reports:audit_export")


@pytest.fixture(autouse=True)
def immediate_tasks(settings):  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def admin_client(db: None) -> Client:
    admin = UserFactory(username="sysadmin", display_name="系统管理员甲", is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    return client


def entries(p: Personas) -> dict[str, AuditEntry]:
    return {
        "mine": record(actor=p.city_organizer, action="campaign.update", summary="本市活动设置", unit_id=p.school.pk),
        "county": record(actor=p.county_reviewer, action="county.decide", summary="乙县审核", unit_id=p.school_y.pk),
        "campaign": record(
            actor=p.city_organizer, action="results.compute", summary="本市活动计分", campaign_id=p.campaign.pk
        ),
        "outsider": record(
            actor=p.outsider_organizer, action="campaign.update", summary="外市活动设置", unit_id=p.other_school.pk
        ),
        "nobody": record(actor=None, actor_name="ghost", action="auth.login_failed", summary="无主的登录失败"),
    }


def test_organizers_read_their_region_and_administrators_everything(personas: Personas, admin_client: Client) -> None:
    entries(personas)
    page = personas.client("city_organizer").get(PAGE).content.decode()
    assert "本市活动设置" in page and "乙县审核" in page and "本市活动计分" in page
    assert personas.campaign.name in page and personas.school.name in page
    assert "外市活动设置" not in page and "无主的登录失败" not in page
    page = personas.client("outsider_organizer").get(PAGE).content.decode()
    assert "外市活动设置" in page and "本市活动设置" not in page
    page = admin_client.get(PAGE).content.decode()
    assert all(text in page for text in ("本市活动设置", "外市活动设置", "无主的登录失败"))
    for who in ("school_officer", "county_reviewer", "expert"):
        assert personas.client(who).get(PAGE).status_code == 404


def test_filters_by_actor_action_dates_and_unit(personas: Personas) -> None:
    made = entries(personas)
    client = personas.client("city_organizer")
    by_actor = client.get(PAGE, {"actor": made["county"].actor_name}).content.decode()
    assert "乙县审核" in by_actor and "本市活动设置" not in by_actor
    by_action = client.get(PAGE, {"action": "results."}).content.decode()
    assert "本市活动计分" in by_action and "乙县审核" not in by_action
    by_unit = client.get(PAGE, {"unit": personas.county_y.name}).content.decode()  # the county and its schools
    assert "乙县审核" in by_unit and "本市活动设置" not in by_unit
    today = timezone.localdate()
    entry_at(timezone.now() - dt.timedelta(days=10), summary="十天前的记录", unit_id=personas.school.pk)
    recent = client.get(PAGE, {"date_from": (today - dt.timedelta(days=2)).isoformat()}).content.decode()
    assert "本市活动设置" in recent and "十天前的记录" not in recent
    older = client.get(PAGE, {"date_to": (today - dt.timedelta(days=5)).isoformat()}).content.decode()
    assert "十天前的记录" in older and "本市活动设置" not in older


def test_a_bad_filter_is_named_in_chinese_and_the_rest_still_applies(personas: Personas) -> None:
    entries(personas)
    client = personas.client("city_organizer")
    response = client.get(PAGE, {"date_from": "1e5000", "action": "results.", "actor": "x\x00y"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "起始日期：" in page and "操作人：" in page
    assert "本市活动计分" in page and "乙县审核" not in page  # the valid filter still applies
    assert 'value="1e5000"' in page and 'value="results."' in page  # nothing typed is lost
    response = client.get(PAGE, {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert "截止日期：截止日期不能早于起始日期" in response.content.decode()


def test_the_page_costs_the_same_queries_for_one_entry_and_for_many(
    personas: Personas, django_assert_num_queries: Any
) -> None:
    client = personas.client("city_organizer")
    client.get(PAGE)  # the session and the user are read once per client, then cached alike

    def add(n: int) -> None:
        for i in range(n):
            record(
                actor=personas.school_officer,
                action="application.save_form",
                summary=f"保存申报书{i}",
                after={"typed": "草稿内容"},
                unit_id=personas.school.pk,
                campaign_id=personas.draft_campaign.pk,
            )

    add(1)
    with CaptureQueriesContext(connection) as one:
        page = client.get(PAGE).content.decode()
    assert "保存申报书0" in page
    add(120)
    with django_assert_num_queries(len(one.captured_queries)):
        page = client.get(PAGE).content.decode()
    assert page.count("保存申报书") == 50 and "第 1 / " in page
    # what the school typed in its draft is not shown to the organizer
    assert "草稿内容" not in page and PRIVATE in page
    second = client.get(PAGE, {"page": 2}).content.decode()
    assert second.count("保存申报书") == 50 and "第 2 / " in second


def test_pages_keep_the_filters_and_the_sort(personas: Personas) -> None:
    made = entries(personas)
    for i in range(60):
        record(
            actor=personas.county_reviewer, action="county.decide", summary=f"批次{i:02d}", unit_id=personas.school.pk
        )
    client = personas.client("city_organizer")
    first = client.get(PAGE, {"action": "county.", "sort": "at"}).content.decode()
    assert "共 61 条" in first and "第 1 / 2 页" in first
    # oldest first: the county's first decision leads, the last batches are on page 2
    assert first.index("乙县审核") < first.index("批次00") and "批次59" not in first
    link = re.search(r'rel="next" href="([^"]+)"', first)
    assert link is not None
    href = html.unescape(link.group(1))
    assert "action=county." in href and "sort=at" in href and "page=2" in href
    second = client.get(PAGE + href).content.decode()
    assert "批次59" in second and "批次00" not in second and "本市活动设置" not in second
    # by actor: the organizer's entries before the reviewer's, reversed on a second click
    by_actor = client.get(PAGE, {"sort": "actor", "per_page": 100}).content.decode()
    first_name = made["mine"].actor_name < made["county"].actor_name
    mine, theirs = by_actor.index("本市活动设置"), by_actor.index("乙县审核")
    assert (mine < theirs) == first_name
    assert 'aria-sort="ascending"' in by_actor
    # the filter form keeps the chosen sort
    assert 'name="sort" value="actor"' in by_actor


def sheet_rows(job: AuditExport) -> list[tuple[Any, ...]]:
    with job.file.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()), read_only=True)
    return [tuple(row) for row in workbook.active.iter_rows(values_only=True)]


def test_the_export_runs_in_the_background_with_every_row(personas: Personas, admin_client: Client) -> None:
    entries(personas)
    AuditEntry.objects.bulk_create(
        AuditEntry(action="bulk.test", summary=f"批量{i}", unit_id=personas.school.pk) for i in range(2600)
    )
    client = personas.client("city_organizer")
    response = client.post(EXPORT, {"action": "bulk."})
    assert response.status_code == 302 and response["Location"] == f"{PAGE}?action=bulk."
    job = AuditExport.objects.get(user=personas.city_organizer)
    assert (job.status, job.rows_done, job.rows_total, job.percent) == ("done", 2600, 2600, 100)
    assert job.title == "审计日志（操作：bulk.）"
    rows = sheet_rows(job)
    assert rows[0][:5] == ("时间", "操作人", "来源地址", "操作", "单位") and len(rows) == 2601
    assert rows[1][7] == "批量0" and rows[1][4] == personas.school.name
    # the request for a copy of the log is itself in the log
    assert AuditEntry.objects.filter(action="audit.export", actor_id=personas.city_organizer.pk).count() == 1
    page = client.get(PAGE).content.decode()
    download = reverse("reports:audit_export_download", args=[job.pk])
    assert download in page and job.title in page
    assert client.get(download)["Content-Disposition"].startswith("attachment")
    assert personas.client("outsider_organizer").get(download).status_code == 404

    # organizers get their region only; the administrator everything
    client.post(EXPORT, {})
    region = AuditExport.objects.filter(user=personas.city_organizer).exclude(pk=job.pk).get()
    summaries = {row[7] for row in sheet_rows(region)[1:]}
    assert {"本市活动设置", "乙县审核", "本市活动计分"} <= summaries
    assert "外市活动设置" not in summaries and "无主的登录失败" not in summaries
    admin_client.post(EXPORT, {})
    everything = AuditExport.objects.get(user__username="sysadmin")
    summaries = {row[7] for row in sheet_rows(everything)[1:]}
    assert {"外市活动设置", "无主的登录失败", "本市活动设置"} <= summaries


def test_others_may_not_export(personas: Personas) -> None:
    for who in ("school_officer", "county_reviewer", "expert"):
        assert personas.client(who).post(EXPORT, {}).status_code == 404
    assert not AuditExport.objects.exists()


def test_the_menu_leads_organizers_and_administrators_to_the_audit_log(
    personas: Personas, admin_client: Client
) -> None:
    link = f'href="{PAGE}"'
    assert link in personas.client("city_organizer").get("/").content.decode()
    assert link in admin_client.get("/").content.decode()
    for who in ("school_officer", "county_reviewer"):
        assert link not in personas.client(who).get("/").content.decode()
