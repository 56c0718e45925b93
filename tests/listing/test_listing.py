"""The list helper: pages, a sort chosen only from the offered columns, filters kept in links."""

from __future__ import annotations

import pytest
from django.template import engines
from django.test import RequestFactory

from campuseval.listing import Sort, paginate
from campuseval.orgs.models import Unit

pytestmark = pytest.mark.django_db

SORTS = [Sort("code", "单位代码", ["code"]), Sort("name", "名称", ["name"])]


def _units(n: int) -> None:
    Unit.objects.bulk_create(
        [Unit(code=f"U{i:03d}", name=f"学校{n - i:03d}", kind=Unit.Kind.SCHOOL) for i in range(n)]
    )


def test_the_page_and_the_total() -> None:
    _units(45)
    request = RequestFactory().get("/", {"page": "2", "per_page": "20", "sort": "-code"})
    listing = paginate(request, Unit.objects.all(), sorts=SORTS, default="code")
    assert listing.total == 45 and listing.per_page == 20 and listing.sort == "-code"
    assert [u.code for u in listing][:2] == ["U024", "U023"]
    assert listing.headings["code"] == {"label": "单位代码", "active": True, "descending": True, "value": "code"}
    assert listing.headings["name"]["value"] == "name"  # a first click sorts ascending


def test_a_sort_not_offered_never_reaches_the_query() -> None:
    _units(3)
    request = RequestFactory().get("/", {"sort": "password", "per_page": "7", "page": "x"})
    listing = paginate(request, Unit.objects.all(), sorts=SORTS, default="name")
    assert listing.sort == "name" and listing.per_page == 50 and listing.page.number == 1
    assert [u.name for u in listing] == ["学校001", "学校002", "学校003"]


def test_the_pager_keeps_the_filters() -> None:
    _units(120)
    request = RequestFactory().get("/", {"q": "学校", "page": "3"})
    listing = paginate(request, Unit.objects.all(), sorts=SORTS, default="code", per_page=20)
    template = '{% include "listing/_pager.html" %}{% include "listing/_sort.html" with h=listing.headings.name %}'
    html = engines["django"].from_string(template).render({"listing": listing}, request)
    assert "共 120 条" in html and "第 3 / 6 页" in html
    assert "q=%E5%AD%A6%E6%A0%A1&amp;page=2" in html and 'aria-current="page"' in html
    assert "sort=name" in html and "page=3&amp;sort" not in html
