"""The campaign's own audit page (活动审计日志): a page at a time with its total, sortable, one
school's part of it chosen by code or name and kept across pages, the same queries for one entry
as for a page of them, another city's organizer refused."""

from __future__ import annotations

import html
import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campuseval.applications.drafts import PRIVATE
from campuseval.audit.services import record
from tests.personas import Personas


def page_url(p: Personas) -> str:
    return reverse("reviews:audit_log", args=[p.campaign.pk])


def add(p: Personas, n: int, *, unit_id: int | None = None, action: str = "test.note") -> None:
    for i in range(n):
        record(
            actor=p.city_organizer,
            action=action,
            summary=f"记录{i:03d}",
            campaign_id=p.campaign.pk,
            unit_id=unit_id,
            after={"typed": "草稿内容"},
        )


def test_pages_total_and_school_filter_kept(personas: Personas) -> None:
    p = personas
    add(p, 70, unit_id=p.school.pk)
    record(
        actor=p.county_reviewer,
        action="test.other",
        summary="别校记录",
        campaign_id=p.campaign.pk,
        unit_id=p.school_y.pk,
    )
    client = p.client("city_organizer")
    first = client.get(page_url(p), {"school": p.school.code, "sort": "at"}).content.decode()
    assert "别校记录" not in first and "记录000" in first and "记录069" not in first
    assert "第 1 / 2 页" in first and f'value="{p.school.code}"' in first and p.school.name in first
    link = re.search(r'rel="next" href="([^"]+)"', first)
    assert link is not None
    href = html.unescape(link.group(1))
    assert f"school={p.school.code}" in href and "sort=at" in href
    second = client.get(page_url(p) + href).content.decode()
    assert "记录069" in second and "记录000" not in second and "别校记录" not in second
    # newest first by default; the whole campaign shows the other school's entry too
    everything = client.get(page_url(p)).content.decode()
    assert "别校记录" in everything and everything.index("别校记录") < everything.index("记录069")
    # by name as well as by code
    by_name = client.get(page_url(p), {"school": p.school.name}).content.decode()
    assert "记录069" in by_name and "别校记录" not in by_name


def test_sort_by_actor_and_action(personas: Personas) -> None:
    p = personas
    add(p, 2, action="b.second")
    record(actor=p.county_reviewer, action="a.first", summary="审核记录", campaign_id=p.campaign.pk)
    client = p.client("city_organizer")
    by_action = client.get(page_url(p), {"sort": "action"}).content.decode()
    assert by_action.index("<code>a.first</code>") < by_action.index("<code>b.second</code>")
    reverse_action = client.get(page_url(p), {"sort": "-action"}).content.decode()
    assert reverse_action.index("<code>b.second</code>") < reverse_action.index("<code>a.first</code>")
    by_actor = client.get(page_url(p), {"sort": "actor"}).content.decode()
    assert 'aria-sort="ascending"' in by_actor and "审核记录" in by_actor


def test_unknown_school_is_named_and_kept(personas: Personas) -> None:
    p = personas
    add(p, 1, unit_id=p.school.pk)
    page = p.client("city_organizer").get(page_url(p), {"school": "不存在的学校"}, follow=True).content.decode()
    assert "学校代码或名称「不存在的学校」不在本活动的申报中" in page
    assert 'value="不存在的学校"' in page and "记录000" not in page


def test_outsiders_refused(personas: Personas) -> None:
    p = personas
    for who in ("outsider_organizer", "county_reviewer", "school_head"):
        assert p.client(who).get(page_url(p)).status_code == 404
    other = p.client("city_organizer").get(page_url(p), {"application": "999999"})
    assert other.status_code == 404


def test_queries_do_not_grow_with_entries(personas: Personas, django_assert_num_queries: Any) -> None:
    p = personas
    client = p.client("city_organizer")
    client.get(page_url(p))
    add(p, 1, unit_id=p.school.pk, action="application.save_form")
    with CaptureQueriesContext(connection) as one:
        client.get(page_url(p))
    add(p, 80, unit_id=p.school.pk, action="application.save_form")
    add(p, 20, unit_id=p.school_y.pk, action="application.save_form")
    with django_assert_num_queries(len(one)):
        page = client.get(page_url(p)).content.decode()
    assert page.count("<code>application.save_form</code>") == 50 and "共 101 条" in page
    assert "草稿内容" not in page and PRIVATE in page  # the school's unsubmitted saves stay hidden


def test_actor_and_action_filters_and_the_export_that_follows_them(personas: Personas) -> None:
    """The operator (name contains) and the action code's beginning narrow the page; the export
    button carries them, and the Excel holds exactly the rows shown."""
    import io

    from openpyxl import load_workbook

    p = personas
    add(p, 3, unit_id=p.school.pk, action="application.save")
    record(actor=p.county_reviewer, action="recommendation.submit", summary="区县推荐", campaign_id=p.campaign.pk)
    record(actor=p.county_reviewer, action="application.return", summary="区县退回", campaign_id=p.campaign.pk)
    client = p.client("city_organizer")
    page = client.get(page_url(p), {"actor": p.county_reviewer.display_name}).content.decode()
    assert "区县推荐" in page and "区县退回" in page and "记录000" not in page
    narrowed = client.get(
        page_url(p), {"actor": p.county_reviewer.display_name, "action": "application."}
    ).content.decode()
    assert "区县退回" in narrowed and "区县推荐" not in narrowed and "记录000" not in narrowed
    assert f'value="{p.county_reviewer.display_name}"' in narrowed and 'value="application."' in narrowed
    link = re.search(r'href="([^"]*/exports/audit/[^"]*)"', narrowed)
    assert link is not None and "action=application." in html.unescape(link.group(1))
    response = client.get(html.unescape(link.group(1)))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    summaries = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert summaries == ["区县退回"]
    # an action filter matching nothing shows nothing, not the whole campaign
    none = client.get(page_url(p), {"action": "nothing."}).content.decode()
    assert "区县推荐" not in none and "记录000" not in none
