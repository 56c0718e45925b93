"""The imports page's audit list (导入记录): a page at a time with the total, narrowed by what was
imported and a word of the summary, the filters and the sort kept across pages, the same
queries for one row as for many, another city's imports not shown and non-importers refused."""

from __future__ import annotations

import html
import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campuseval.audit.services import record
from tests.personas import Personas

PAGE = reverse("reports:imports")


def rows(p: Personas, n: int, action: str = "import.account.update", word: str = "账号") -> None:
    for i in range(n):
        record(
            actor=p.city_organizer,
            action=action,
            summary=f"记录{word}{i:02d}",
            before={"display_name": f"旧{i}"},
            after={"display_name": f"新{i}"},
            unit_id=p.school.pk,
        )


def test_filters_pages_and_sort(personas: Personas) -> None:
    p = personas
    rows(p, 25)
    rows(p, 3, action="import.expert.create", word="专家")
    record(actor=p.outsider_organizer, action="import.account.update", summary="外市的导入", unit_id=p.other_school.pk)
    client = p.client("city_organizer")
    first = client.get(PAGE, {"what": "accounts", "sort": "at"}).content.decode()
    assert "共 25 条" in first and "第 1 / 2 页" in first
    assert "记录账号00" in first and "记录账号19" in first and "记录账号20" not in first
    assert "记录专家" not in first and "外市的导入" not in first
    link = re.search(r'rel="next" href="([^"]+)"', first)
    assert link is not None
    href = html.unescape(link.group(1))
    assert "what=accounts" in href and "sort=at" in href and "page=2" in href
    second = client.get(PAGE + href).content.decode()
    assert "记录账号24" in second and "记录账号00" not in second
    experts = client.get(PAGE, {"what": "experts"}).content.decode()
    assert "共 3 条" in experts and "记录账号" not in experts
    by_word = client.get(PAGE, {"q": "账号07"}).content.decode()
    assert "共 1 条" in by_word and "记录账号07" in by_word
    newest = client.get(PAGE).content.decode()
    assert newest.index("记录专家02") < newest.index("记录账号24")
    # an unknown kind is no filter
    assert "共 28 条" in client.get(PAGE, {"what": "nonsense"}).content.decode()


def test_outsiders(personas: Personas) -> None:
    p = personas
    rows(p, 2)
    page = p.client("outsider_organizer").get(PAGE).content.decode()
    assert "记录账号" not in page
    for who in ("school_head", "county_reviewer", "expert"):
        assert p.client(who).get(PAGE).status_code == 404


def test_queries_do_not_grow(personas: Personas, django_assert_num_queries: Any) -> None:
    p = personas
    client = p.client("city_organizer")
    client.get(PAGE)
    rows(p, 1)
    with CaptureQueriesContext(connection) as one:
        client.get(PAGE, {"what": "accounts"})
    rows(p, 45)
    with django_assert_num_queries(len(one)):
        page = client.get(PAGE, {"what": "accounts"}).content.decode()
    assert "共 46 条" in page and page.count("记录账号") == 20
