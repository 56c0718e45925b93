"""The organizer's unit tree, one level at a time: the current unit's children with their schools,
rural schools and students counted in SQL, breadcrumbs, a search across the managed region,
pages of children; the same number of queries for one school as for many; another region's
unit answers 404."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campuseval.accounts.models import User
from campuseval.orgs.models import Unit

from .conftest import CampaignWorld

TREE = reverse("units:tree")


def _schools(parent: Unit, n: int, *, prefix: str = "W-X", rural_every: int = 0, students: int = 10) -> None:
    for i in range(n):
        Unit.objects.create(
            code=f"{prefix}{i:03d}",
            name=f"{parent.name}第{i}小学",
            kind=Unit.Kind.SCHOOL,
            parent=parent,
            stage=Unit.Stage.PRIMARY,
            area=Unit.Area.RURAL if rural_every and i % rural_every == 0 else Unit.Area.URBAN,
            students=students,
        )


def _row(page: str, name: str) -> str:
    """The table row of the unit called `name` (its cells' text, tags removed)."""
    for row in re.findall(r"<tr>(.*?)</tr>", page, flags=re.S):
        if f"<td>{name}<" in row or f">{name}</a>" in row:
            return " ".join(re.sub(r"<[^>]+>", " ", row).split())
    raise AssertionError(f"no row for {name}")


def test_city_level_shows_counties_with_counts_not_schools(cw: CampaignWorld) -> None:
    Unit.objects.filter(pk=cw.w.school_a.pk).update(area=Unit.Area.RURAL)
    page = cw.client("organizer").get(TREE).content.decode()
    assert "示例市" in page and "学校 2 所（乡村 1 所）· 学生 900 人" in page
    # counties with their own counts: schools, rural, students
    assert _row(page, "甲县").startswith("W-X 甲县 区县") and "1 1 900" in _row(page, "甲县")
    assert "1 0 0" in _row(page, "乙县")
    # schools are one level further down, the other city nowhere
    assert "甲县实验小学" not in page and "邻市" not in page
    assert "共 2 条" in page


def test_drill_down_to_a_county_with_breadcrumbs(cw: CampaignWorld) -> None:
    page = cw.client("organizer").get(TREE, {"unit": cw.w.county_x.pk}).content.decode()
    assert "甲县实验小学" in page and "乙县第一中学" not in page
    crumbs = page[page.index('id="unit-crumbs"') : page.index("</ol>")]
    assert f"?unit={cw.w.city.pk}" in crumbs and "示例市" in crumbs and "甲县" in crumbs
    assert "900" in _row(page, "甲县实验小学")


def test_province_counts_aggregate_every_level(cw: CampaignWorld) -> None:
    province = Unit.objects.create(code="P", name="示例省", kind=Unit.Kind.PROVINCE)
    cw.w.city.parent = province
    cw.w.city.save()
    _schools(Unit.objects.get(pk=cw.w.county_y.pk), 4, prefix="W-Y", rural_every=2, students=100)
    admin = User.objects.create_superuser(username="root", password="x")
    c = cw.client("organizer")
    c.force_login(admin)
    page = c.get(TREE, {"unit": province.pk}).content.decode()
    # 示例市: 甲县实验小学 (900, urban) + 乙县第一中学 + four new ones (2 rural, 400 students)
    assert "6 2 1300" in _row(page, "示例市")
    assert "甲县" not in page
    top = c.get(TREE).content.decode()
    assert "示例省" in top and "邻市" in top and "6 2 1300" in _row(top, "示例省")


def test_children_are_paged_sorted_and_filters_kept(cw: CampaignWorld) -> None:
    _schools(cw.w.county_x, 60)
    c = cw.client("organizer")
    first = c.get(TREE, {"unit": cw.w.county_x.pk, "sort": "-code"}).content.decode()
    assert "共 61 条" in first and "第 1 / 2 页" in first
    assert "甲县第59小学" in first and "甲县实验小学" not in first and "甲县第0小学" not in first
    # the next page's link keeps the unit and the sort
    link = re.search(r'rel="next" href="([^"]+)"', first)
    assert link is not None
    href = link.group(1).replace("&amp;", "&")
    assert f"unit={cw.w.county_x.pk}" in href and "sort=-code" in href
    second = c.get(TREE + href).content.decode()
    assert "甲县第0小学" in second and "甲县实验小学" in second and "甲县第59小学" not in second
    # at the city: by code 甲县 (W-X) comes first, by name 乙县 (乙 before 甲), reversed on a second click
    by_code = c.get(TREE).content.decode()
    by_name = c.get(TREE, {"sort": "name"}).content.decode()
    by_name_desc = c.get(TREE, {"sort": "-name"}).content.decode()
    assert by_code.index(">甲县</a>") < by_code.index(">乙县</a>")
    assert by_name.index(">乙县</a>") < by_name.index(">甲县</a>")
    assert by_name_desc.index(">甲县</a>") < by_name_desc.index(">乙县</a>")


def test_search_across_the_region_by_code_or_name(cw: CampaignWorld) -> None:
    c = cw.client("organizer")
    by_name = c.get(TREE, {"q": "第一中学"}).content.decode()
    assert "乙县第一中学" in by_name and "乙县" in _row(by_name, "乙县第一中学")  # its parent shown
    assert "丙县第二中学" not in c.get(TREE, {"q": "中学"}).content.decode()
    by_code = c.get(TREE, {"q": "w-a"}).content.decode()
    assert "甲县实验小学" in by_code and "共 1 条" in by_code
    county = c.get(TREE, {"q": "甲县", "kind": "county"}).content.decode()
    assert "1 0 900" in _row(county, "甲县") and "甲县实验小学" not in county
    assert "没有符合条件的单位" in c.get(TREE, {"q": "邻市"}).content.decode()


def test_overlong_search_is_named_and_not_applied(cw: CampaignWorld) -> None:
    page = cw.client("organizer").get(TREE, {"q": "县" * 101}, follow=True).content.decode()
    assert "单位代码或名称" in page and "最多 100 个字" in page and "甲县" in page


def test_other_region_and_outsiders_get_404(cw: CampaignWorld) -> None:
    c = cw.client("organizer")
    assert c.get(TREE, {"unit": cw.other_county.pk}).status_code == 404
    assert c.get(TREE, {"unit": "10" * 30}).status_code == 404
    assert c.get(TREE, {"unit": "abc"}).status_code == 404
    assert cw.client("school_officer").get(TREE).status_code == 404
    assert cw.client("county_reviewer").get(TREE).status_code == 404
    # the other city's organizer sees only their own city
    other = cw.client("other_organizer").get(TREE).content.decode()
    assert "邻市丙县" in other and "甲县" not in other


def test_tree_queries_do_not_grow(cw: CampaignWorld, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    c = cw.client("organizer")
    views = ({}, {"unit": cw.w.county_x.pk}, {"q": "县"})
    counts = []
    for params in views:
        with CaptureQueriesContext(connection) as one:
            c.get(TREE, params)
        counts.append(len(one))
    _schools(cw.w.county_x, 30, rural_every=3)
    _schools(cw.w.county_y, 30, prefix="W-Y")
    for i in range(5):
        Unit.objects.create(code=f"W-N{i}", name=f"新县{i}", kind=Unit.Kind.COUNTY, parent=cw.w.city)
    pages = []
    for params, count in zip(views, counts, strict=True):
        with django_assert_num_queries(count):
            pages.append(c.get(TREE, params).content.decode())
    assert "31 10 1200" in _row(pages[0], "甲县") and "新县4" in pages[0]
    assert "学校 62 所（乡村 10 所）" in pages[0]
    assert "甲县第29小学" in pages[1] and "共 31 条" in pages[1]
    assert "甲县第29小学" in pages[2] and "31 10 1200" in _row(pages[2], "甲县")


def test_children_sort_by_their_counts_across_pages(cw: CampaignWorld, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    """Sorting by schools, rural schools or students orders all of a unit's children, not only
    the page shown, with no more queries than the default order (the children are counted in
    the same one GROUP BY; their total needs no COUNT of its own)."""
    _schools(cw.w.county_y, 3, prefix="W-Y", rural_every=1, students=500)
    for i in range(60):
        Unit.objects.create(code=f"W-N{i:02d}", name=f"新县{i:02d}", kind=Unit.Kind.COUNTY, parent=cw.w.city)
    c = cw.client("organizer")
    with CaptureQueriesContext(connection) as default:
        c.get(TREE)
    with django_assert_max_num_queries(len(default)):
        most = c.get(TREE, {"sort": "-schools"}).content.decode()
    # 乙县 (4 schools: 乙县第一中学 and three rural ones) first, 甲县 (1) second, though both sort
    # after every 新县 by code and 甲县 would be on page 1 only by luck
    assert most.index(">乙县</a>") < most.index(">甲县</a>") < most.index(">新县00</a>")
    assert "4 3 1500" in _row(most, "乙县")
    rural = c.get(TREE, {"sort": "-rural"}).content.decode()
    assert rural.index(">乙县</a>") < rural.index(">新县00</a>")
    assert ">甲县</a>" not in c.get(TREE, {"sort": "students"}).content.decode()  # 0-student 新县 fill page 1
    last = c.get(TREE, {"sort": "students", "page": "2"}).content.decode()
    assert ">乙县</a>" in last and last.index(">甲县</a>") < last.index(">乙县</a>")
    # a search keeps its own order: a count sort does not apply there
    found = c.get(TREE, {"q": "新县", "sort": "-schools"}).content.decode()
    assert "共 60 条" in found and found.index(">新县00</a>") < found.index(">新县01</a>")
