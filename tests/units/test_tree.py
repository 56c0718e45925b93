"""The organizer's unit tree: city → counties → schools with stage and area, in a number of
queries that does not grow with the number of schools."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campuseval.orgs.models import Unit

from .conftest import CampaignWorld


def test_tree_shows_counties_and_schools(cw: CampaignWorld) -> None:
    Unit.objects.filter(pk=cw.w.school_a.pk).update(area=Unit.Area.RURAL)
    page = cw.client("organizer").get(reverse("units:tree")).content.decode()
    assert "示例市" in page and "甲县" in page and "乙县" in page
    assert "甲县实验小学" in page and "乙县第一中学" in page and "九年一贯制" in page
    assert "学校 2 所（乡村 1 所）" in page and "学生 900 人" in page
    assert "邻市" not in page


def test_tree_queries_do_not_grow(cw: CampaignWorld, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    c = cw.client("organizer")
    with CaptureQueriesContext(connection) as one:
        c.get(reverse("units:tree"))
    for i in range(15):
        Unit.objects.create(
            code=f"W-X{i:02d}",
            name=f"甲县第{i}小学",
            kind=Unit.Kind.SCHOOL,
            parent=cw.w.county_x,
            stage=Unit.Stage.PRIMARY,
            area=Unit.Area.URBAN,
        )
    with django_assert_num_queries(len(one)):
        page = c.get(reverse("units:tree")).content.decode()
    assert page.count("甲县第") == 15 and "学校 17 所" in page
