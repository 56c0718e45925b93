"""The expert pool at province size: one page at a time with its total, sortable by the offered
columns, the filters kept in the pager's links; the same number of queries for one expert and
for many; an organizer's page only ever shows their own pool, and others are refused."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campuseval.reviews.models import Conflict

from .conftest import expert

pytestmark = pytest.mark.django_db


def client_for(u: object) -> Client:
    c = Client()
    c.force_login(u)  # type: ignore[arg-type]
    return c


def pool_of(world: dict, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        e = expert(f"pool{i:03d}", world["y"] if i % 2 else world["x"], world["y"] if i % 2 else world["x"])
        e.fields = "人工智能" if i % 3 == 0 else "数据治理"
        e.save()
        Conflict.objects.create(expert=e, unit=world["schools"][0], reason=f"曾任职{i:03d}")


def test_pool_queries_at_one_expert_and_at_many(world: dict, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    pool_of(world, 1)
    org = client_for(world["organizer"])
    url = reverse("reviews:expert_pool")
    org.get(url)  # warm the session
    with CaptureQueriesContext(connection) as one:
        page = org.get(url).content.decode()
    assert "共 1 条" in page and "曾任职000" in page
    pool_of(world, 70, start=1)
    with django_assert_num_queries(len(one)):
        page = org.get(url).content.decode()
    assert "共 71 条" in page and "第 1 / 2 页" in page and page.count("曾任职") == 50


def test_pool_pages_sort_and_keep_filters(world: dict) -> None:
    pool_of(world, 60)
    org = client_for(world["organizer"])
    url = reverse("reviews:expert_pool")
    params = {"q": "人工智能", "sort": "name", "per_page": "20"}
    first = org.get(url, params).content.decode()
    assert "共 20 条" in first and ">pool000<" in first and ">pool057<" in first and ">pool001<" not in first
    top = org.get(url, {**params, "sort": "-name"}).content.decode()
    assert top.index(">pool057<") < top.index(">pool054<")
    more = org.get(url, {"q": "数据治理", "sort": "name", "per_page": "20"}).content.decode()
    assert "共 40 条" in more and "第 1 / 2 页" in more
    # the link to page 2 keeps the search, the sort and the page size
    assert "sort=name&amp;per_page=20&amp;page=2" in more and "q=%E6%95%B0%E6%8D%AE%E6%B2%BB%E7%90%86" in more
    second = org.get(url, {"q": "数据治理", "sort": "name", "per_page": "20", "page": "2"}).content.decode()
    assert ">pool059<" in second and ">pool001<" not in second and "第 2 / 2 页" in second
    # the forms on page 2 return to page 2
    assert f'name="next" value="{url}?q=' in second and "page=2" in second


def test_pool_is_refused_to_a_county_reviewer(world: dict) -> None:
    pool_of(world, 2)
    assert client_for(world["reviewer"]).get(reverse("reviews:expert_pool")).status_code == 404
