"""Drill-down (province → city → county → school) inside the user's scope, figures read from
the stored score figures, and no stale cache after a submission or a computation."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campuseval.applications import figures
from campuseval.applications import services as application_services
from campuseval.applications.models import ApplicationVersion, IndicatorFigure, ScoreFigure
from campuseval.orgs.models import Unit
from campuseval.reports import dashboards
from campuseval.reviews import services as review_services
from campuseval.reviews.models import Assignment, Panel
from tests.reviews.conftest import expert, recommended, sheet
from tests.reviews.conftest import world as world  # the reviews world, as a fixture here
from tests.web.appworld import World, build_world, complete_application

from .conftest import DashWorld, apply, school
from .test_views import SECTIONS, cells, chart_data, xlsx


def url(dw: DashWorld, section: str, query: str = "") -> str:
    return reverse("reports:dashboard", args=[dw.campaign.pk, section]) + query


def test_organizer_drills_from_city_to_county_to_schools(dw: DashWorld) -> None:
    top = dw.client("organizer").get(url(dw, "progress")).content.decode()
    assert f'href="?unit={dw.x.pk}"' in top and f'href="?unit={dw.y.pk}"' in top  # links one level down
    html = dw.client("organizer").get(url(dw, "progress", f"?unit={dw.x.pk}")).content.decode()
    rows = cells(html)
    # one bar per school of 甲区: XA, XB reviewed; XC returned; XD not started; XE drafting
    assert ["甲区实验小学", "0", "0", "0", "0", "0", "0", "0", "1", "1"] in rows
    assert ["甲区第三中学", "0", "0", "0", "1", "0", "0", "0", "0", "1"] in rows
    assert ["甲区第四小学", "1", "0", "0", "0", "0", "0", "0", "0", "1"] in rows
    assert ["合计", "1", "1", "0", "1", "0", "0", "0", "2", "5"] in rows
    assert chart_data(html)["charts"][0]["categories"] == [
        "甲区实验小学",
        "甲区乡村小学",
        "甲区第三中学",
        "甲区第四小学",
        "甲区第五小学",
    ]
    assert "乙县" not in html
    # breadcrumbs back up: 泰州示例市 (a link to the top) › 甲区
    assert 'class="breadcrumb-item"><a href="?">泰州示例市</a>' in html
    assert 'aria-current="page">甲区</li>' in html
    # the other sections narrow too, and the Excel download holds the same rows
    scores = cells(dw.client("organizer").get(url(dw, "scores", f"?basis=self&unit={dw.x.pk}")).content.decode())
    assert ["甲区实验小学", "1", "95", "95", "95", "95", "95", "95"] in scores
    assert ["合计", "3", "60", "72.5", "85", "90", "95", "80"] in scores
    sheet_rows = xlsx(dw, "organizer", "progress", 0, f"?unit={dw.x.pk}")
    assert [r[0] for r in sheet_rows] == [
        "区县",
        "甲区实验小学",
        "甲区乡村小学",
        "甲区第三中学",
        "甲区第四小学",
        "甲区第五小学",
        "合计",
    ]


def test_function_level_at_a_county(dw: DashWorld) -> None:
    scope = dashboards.scope_for(dw.users["organizer"], dw.campaign, unit=str(dw.x.pk))
    assert scope is not None and scope.unit == dw.x
    heat = dashboards.indicator_heatmap(scope, "self")
    by = {g["name"]: g for g in heat["groups"]}
    # 甲区实验小学 self 45/50 = 90%; the total over 甲区 (45 + 40 + 30) / 150 = 76.7%
    assert by["甲区实验小学"]["shares"]["1"] == D("90.0")
    assert by["合计"]["shares"]["1"] == D("76.7") and by["合计"]["n"] == 3
    attainment = dashboards.attainment(scope)
    assert attainment["total"]["name"] == "甲区（合计）" and attainment["total"]["units"] == 5
    gap = dashboards.score_gap(scope)
    assert [r["name"] for r in gap["rows"]] == ["甲区实验小学", "甲区乡村小学"]


def test_county_reviewer_drills_only_inside_their_county(dw: DashWorld) -> None:
    c = dw.client("county_reviewer")
    html = c.get(url(dw, "progress")).content.decode()
    assert f'href="?unit={dw.x.pk}"' in html
    inside = c.get(url(dw, "progress", f"?unit={dw.x.pk}"))
    assert inside.status_code == 200 and "甲区第四小学" in inside.content.decode()
    assert c.get(url(dw, "progress", f"?unit={dw.schools['XA'].pk}")).status_code == 200
    for section in SECTIONS:
        for unit in (dw.y.pk, dw.city.pk, dw.schools["YA"].pk, dw.schools["ZA"].pk, 999999, "abc"):
            assert c.get(url(dw, section, f"?unit={unit}")).status_code == 404, (section, unit)
    download = reverse("reports:dashboard_download", args=[dw.campaign.pk, "progress", 0]) + f"?unit={dw.y.pk}"
    assert c.get(download).status_code == 404


@pytest.mark.parametrize("who", ["outsider", "other_organizer", "other_reviewer", "expert", "school_head"])
def test_outsiders_cannot_drill(dw: DashWorld, who: str) -> None:
    for unit in (dw.x.pk, dw.schools["XA"].pk):
        assert dw.client(who).get(url(dw, "progress", f"?unit={unit}")).status_code == 404


def test_province_level_groups_by_city_then_county(dw: DashWorld) -> None:
    province = Unit.objects.create(code="P", name="示例省", kind=Unit.Kind.PROVINCE)
    dw.city.parent = province
    dw.city.save()
    direct = school("T-Z", "泰州市直属中学", dw.city, Unit.Area.URBAN)  # a 市直 school
    apply(dw.campaign, dw.record, direct, "submitted", (40, 30, 10), "优秀型")
    dw.campaign.organizer = province
    dw.campaign.save()
    organizer = dw.users["organizer"]
    organizer.memberships.update(unit=province)
    top = dashboards.progress(dashboards.scope_for(organizer, dw.campaign))  # type: ignore[arg-type]
    assert [r["region"] for r in top["rows"]] == ["泰州示例市"]
    assert top["rows"][0]["total"] == 9
    city = dashboards.progress(dashboards.scope_for(organizer, dw.campaign, unit=dw.city.pk))  # type: ignore[arg-type]
    assert [r["region"] for r in city["rows"]] == ["泰州示例市", "甲区", "乙县"]  # the city's own schools first
    assert city["rows"][0]["counts"]["submitted"] == 1
    html = dw.client("organizer").get(url(dw, "progress", f"?unit={dw.x.pk}")).content.decode()
    assert 'href="?">示例省</a>' in html and f'href="?unit={dw.city.pk}">泰州示例市</a>' in html


def grow(dw: DashWorld, n: int) -> None:
    for county in (dw.x, dw.y):
        for i in range(n):
            unit = school(f"{county.code}-M{i}", f"{county.name}扩充学校{i}", county, Unit.Area.URBAN)
            apply(dw.campaign, dw.record, unit, "recommended", (30, 30, 10), "合格型", (30, 30, 12), 72, "合格型")


@pytest.mark.parametrize("section", SECTIONS)
def test_drilled_query_count_constant_in_rows(dw: DashWorld, section: str, django_assert_num_queries: object) -> None:
    client = dw.client("organizer")
    address = url(dw, section, f"?unit={dw.x.pk}")
    client.get(address)
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        assert client.get(address).status_code == 200
    grow(dw, 12)
    cache.clear()
    with django_assert_num_queries(len(few.captured_queries)):  # type: ignore[operator]
        html = client.get(address).content.decode()
    if section != "trend":
        assert "甲区扩充学校11" in html
    assert "乙县扩充学校" not in html


def test_a_cached_page_reads_less_and_a_new_figure_shows_at_once(dw: DashWorld) -> None:
    client = dw.client("organizer")
    address = url(dw, "scores", "?basis=self")
    with CaptureQueriesContext(connection) as first:
        client.get(address)
    with CaptureQueriesContext(connection) as second:
        html = client.get(address).content.decode()
    assert len(second.captured_queries) < len(first.captured_queries)  # served from the cache
    assert ["乙县", "2", "55", "59.25", "63.5", "67.75", "72", "63.5"] in cells(html)
    # 乙县城关中学 submits again with a higher self-score: the cached figure must not survive
    app = dw.apps["YA"]
    version = ApplicationVersion.objects.create(
        application=app,
        number=3,
        total=90,
        result={"total": "90", "level": "示范型", "indicators": {"1": {"points": "50", "status": "scored"}}},
        promise_text="真实",
        submitted_at=app.created_at,
    )
    figures.record_self(version)
    html = client.get(address).content.decode()
    assert ["乙县", "2", "55", "63.75", "72.5", "81.25", "90", "72.5"] in cells(html)


def test_submission_writes_the_self_figures(db: None) -> None:
    """The real submission service (applications.services) writes the figures."""
    w: World = build_world()
    app = application_services.start_application(actor=w.users["school_officer"], campaign=w.campaign, unit=w.school_a)
    app = complete_application(w, app)
    version = application_services.submit_application(
        actor=w.users["school_head"], application=app, promise_confirmed=True
    )
    score = ScoreFigure.objects.get(application=app, basis="self")
    assert score.total == version.total and score.campaign_id == w.campaign.pk and score.unit_id == w.school_a.pk
    assert score.level == (version.result.get("level") or "")
    expected = figures.self_points(version.result)
    stored = dict(IndicatorFigure.objects.filter(application=app, basis="self").values_list("code", "points"))
    assert expected and stored == expected


def test_computing_results_writes_the_final_figures_and_the_dashboard_follows(world: dict) -> None:
    """compute_results (reviews.services) writes the final figures; the dashboard, cached
    before, switches to the final score at once."""
    apps = recommended(world)
    organizer = world["organizer"]
    scope = dashboards.scope_for(organizer, world["campaign"])
    assert scope is not None
    before = dashboards.score_distribution(scope)
    assert before["basis"] == "self"
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    panel.members.set([expert(f"e{i}", world["y"]) for i in range(2)])
    review_services.auto_assign(actor=organizer, panel=panel, per_application=2)
    for a in Assignment.objects.filter(application__in=apps):
        sheet(world, a, 600, True)
    results = review_services.compute_results(actor=organizer, campaign=world["campaign"])
    assert results
    for result in results:
        figure = ScoreFigure.objects.get(application_id=result.application_id, basis="final")
        assert figure.total == result.final and figure.level == result.level
    after = dashboards.score_distribution(scope)
    assert after["basis"] == "final"
    assert after["groups"][-1]["n"] == len(results)


def test_backfill_rebuilds_the_figures_from_the_json(dw: DashWorld) -> None:
    expected = sorted(ScoreFigure.objects.values_list("application_id", "basis", "total", "level"))
    points = sorted(IndicatorFigure.objects.values_list("application_id", "basis", "code", "points"))
    ScoreFigure.objects.all().delete()
    IndicatorFigure.objects.all().delete()
    assert (
        dashboards.score_distribution(dashboards.scope_for(dw.users["organizer"], dw.campaign))["groups"][-1]["n"] == 0
    )  # type: ignore[arg-type]
    call_command("backfill_figures")
    assert sorted(ScoreFigure.objects.values_list("application_id", "basis", "total", "level")) == expected
    assert sorted(IndicatorFigure.objects.values_list("application_id", "basis", "code", "points")) == points
    html = dw.client("organizer").get(url(dw, "scores", "?basis=self")).content.decode()
    assert ["合计", "5", "55", "60", "72", "85", "95", "73.4"] in cells(html)


def test_long_unit_tables_are_paged_and_the_download_has_every_row(dw: DashWorld) -> None:
    grow(dw, 25)  # 50 more reviewed schools: 52 with both scores
    client = dw.client("organizer")
    html = client.get(url(dw, "gap")).content.decode()
    assert "第 1 / 2 页，共 52 行" in html
    units_table = html.split('data-table-index="1"', 1)[1].split("</table>", 1)[0]
    assert units_table.count("<tr>") == 1 + 50  # the heading and one page
    second = client.get(url(dw, "gap", "?p1=2")).content.decode()
    assert "第 2 / 2 页，共 52 行" in second and "上一页" in second
    assert ["乙县扩充学校9", "乙县", "70", "72", "2"] in cells(second)  # the last by unit code
    assert len(xlsx(dw, "organizer", "gap", 1)) == 1 + 52


def test_progress_and_attainment_follow_a_status_change_and_a_new_school_at_once(dw: DashWorld) -> None:
    client = dw.client("organizer")
    before = cells(client.get(url(dw, "progress")).content.decode())
    assert ["乙县", "1", "0", "1", "0", "1", "0", "0", "0", "3"] in before
    app = dw.apps["YA"]
    app.status = "accepted"  # the county's decision saves the application
    app.save()
    school("T-Y-N", "乙县新建小学", dw.y, Unit.Area.RURAL)
    after = cells(client.get(url(dw, "progress")).content.decode())
    assert ["乙县", "2", "0", "0", "0", "1", "1", "0", "0", "4"] in after
    attainment = cells(client.get(url(dw, "attainment")).content.decode())
    assert attainment[1][:2] == ["甲区", "5"] and attainment[2][:2] == ["乙县", "4"]
