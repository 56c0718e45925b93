"""The county's lists at the size of a real county (a few hundred applications): the county list
one page at a time with its total, filters and sort kept across pages; the recommend page
complete (the reviewer chooses within the quota among all candidates) in a constant number of
queries; another county's reviewer sees none of it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campuseval.applications.models import Application
from campuseval.orgs.models import Unit
from campuseval.reviews import services

from .conftest import submitted

pytestmark = pytest.mark.django_db


def client_for(u: object) -> Client:
    c = Client()
    c.force_login(u)  # type: ignore[arg-type]
    return c


def more_schools(world: dict[str, Any], n: int, *, accepted: bool = False) -> list[Application]:
    """`n` more submitted applications in 甲县 (codes XM000…, names 甲县新建第000校…)."""
    apps = []
    for i in range(n):
        school = Unit.objects.create(
            code=f"XM{i:03d}",
            name=f"甲县新建第{i:03d}校",
            kind=Unit.Kind.SCHOOL,
            parent=world["x"],
            stage=Unit.Stage.PRIMARY,
            area=Unit.Area.RURAL if i % 2 else Unit.Area.URBAN,
        )
        app = submitted(world["campaign"], world["record"], school, bw=600)
        if accepted:
            services.decide_county_review(actor=world["reviewer"], application=app, decision="accepted")
        apps.append(app)
    return apps


def queries_of(client: Client, url: str, params: dict[str, Any] | None = None) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx), response.content.decode()


# --- county list ---------------------------------------------------------------------------------


def test_county_list_queries_at_one_row_and_at_many(world: dict, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    Application.objects.exclude(pk=world["apps"][0].pk).delete()
    reviewer = client_for(world["reviewer"])
    url = reverse("reviews:county_list")
    one, page = queries_of(reviewer, url)
    assert "共 1 条" in page
    more_schools(world, 120)
    with django_assert_num_queries(one):
        page = reviewer.get(url).content.decode()
    assert "共 121 条" in page and "第 1 / 3 页" in page
    assert page.count("甲县第0小学") == 1 and page.count("甲县新建第") == 49  # 50 rows a page, by code on a tie


def test_county_list_pages_keep_filters_and_sort(world: dict) -> None:
    more_schools(world, 60)
    reviewer = client_for(world["reviewer"])
    url = reverse("reviews:county_list")
    params = {"q": "新建", "area": Unit.Area.RURAL, "sort": "code", "per_page": "20"}
    first = reviewer.get(url, params).content.decode()
    assert "共 30 条" in first and "第 1 / 2 页" in first
    assert "甲县新建第001校" in first and "甲县新建第039校" in first and "甲县新建第041校" not in first
    assert "甲县新建第000校" not in first and "甲县第0小学" not in first  # urban; not matched by the search
    # the pager's link to page 2 keeps the search, the area, the sort and the page size
    link = "?q=%E6%96%B0%E5%BB%BA&amp;area=rural&amp;sort=code&amp;per_page=20&amp;page=2"
    assert link in first
    second = reviewer.get(url, {**params, "page": "2"}).content.decode()
    assert "甲县新建第041校" in second and "甲县新建第059校" in second and "甲县新建第039校" not in second
    reversed_page = reviewer.get(url, {**params, "sort": "-code"}).content.decode()
    assert reversed_page.index("甲县新建第059校") < reversed_page.index("甲县新建第057校")


def test_county_list_of_another_county_shows_nothing_of_it(world: dict) -> None:
    more_schools(world, 3)
    page = client_for(world["outsider"]).get(reverse("reviews:county_list"), {"q": "新建"}).content.decode()
    assert "甲县新建" not in page and "共 0 条" in page


# --- recommend page ------------------------------------------------------------------------------


def test_recommend_page_queries_at_one_candidate_and_at_many(world: dict, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    Application.objects.exclude(pk=world["apps"][0].pk).delete()
    services.decide_county_review(actor=world["reviewer"], application=world["apps"][0], decision="accepted")
    reviewer = client_for(world["reviewer"])
    url = reverse("reviews:recommend", args=[world["campaign"].pk])
    one, page = queries_of(reviewer, url)
    assert page.count('name="application"') == 1
    more_schools(world, 100, accepted=True)
    with django_assert_num_queries(one):
        page = reviewer.get(url).content.decode()
    # complete: the reviewer chooses among every candidate, on one page
    assert page.count('name="application"') == 101 and "共 101 所候选，显示 101 所" in page


def test_recommend_filter_narrows_the_rows_and_keeps_the_hidden_choice(world: dict) -> None:
    apps = more_schools(world, 6, accepted=True)
    reviewer = client_for(world["reviewer"])
    url = reverse("reviews:recommend", args=[world["campaign"].pk])
    chosen = apps[1]  # 甲县新建第001校, rural (the quota asks for one)
    saved = reviewer.post(
        url, {"application": [chosen.pk], "filled_by": "王老师", f"highlights_{chosen.pk}": "双师课堂"}
    )
    assert saved.status_code == 302
    page = reviewer.get(url, {"area": Unit.Area.URBAN}).content.decode()
    assert "共 6 所候选，显示 3 所，已选 1 所" in page  # 新建 000, 002, 004 (the first four are not yet accepted)
    assert "甲县新建第000校" in page and "甲县新建第001校" not in page
    # the hidden choice rides along as hidden fields: saving the filtered page keeps it, in order
    assert f'<input type="hidden" name="application" value="{chosen.pk}">' in page
    assert f'name="highlights_{chosen.pk}" value="双师课堂"' in page
    urban = apps[2]
    data = {"application": [chosen.pk, urban.pk], f"highlights_{chosen.pk}": "双师课堂", "filled_by": "王老师"}
    again = reviewer.post(url + "?area=urban", data)
    assert again.status_code == 302, re.findall(r"alert[^>]*>([^<]+)", again.content.decode())
    rows = world["campaign"].recommendation_lists.get().rows.order_by("position")
    assert [(r.application_id, r.highlights) for r in rows] == [(chosen.pk, "双师课堂"), (urban.pk, "")]
    searched = reviewer.get(url, {"q": "XM005"}).content.decode()
    assert "甲县新建第005校" in searched and "显示 1 所" in searched
    assert "没有符合筛选条件的候选学校" in reviewer.get(url, {"q": "不存在的学校"}).content.decode()


def test_recommend_page_of_another_county_is_404(world: dict) -> None:
    more_schools(world, 2, accepted=True)
    url = reverse("reviews:recommend", args=[world["campaign"].pk])
    assert client_for(world["outsider"]).get(url, {"q": "新建"}).status_code == 404
