"""The province level of the chain: school → county → city → province, with a quota at each
level, and the schools no county reviews (市直 under a city, 省直 under the province).

    示例省 (province: organizer, experts)
    ├── 甲市 (city A: city reviewer)
    │   ├── 甲一县 (county A1: county reviewer) — three schools
    │   ├── 甲二县 (county A2: county reviewer) — one school
    │   ├── 甲市第一中学 (市直)
    │   └── 甲市第二中学 (市直)
    ├── 乙市 (city B: city reviewer)
    │   └── 乙一县 (county B1: county reviewer) — one school
    └── 省实验中学 (省直)

The campaign is organized by the province with a city step: at most 1 school per county (the
市直 schools of a city count as one county, the 省直 schools of the province too), at most 2 per
city, 3 places at the province."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campuseval.access import rules
from campuseval.accounts.models import Role, User
from campuseval.applications.models import Application
from campuseval.campaigns.models import Campaign, FrameworkRecord, Stage
from campuseval.notifications.models import Notification
from campuseval.orgs.models import Unit
from campuseval.reviews import queries, services
from campuseval.reviews.models import Panel, RecommendationList, ReviewSettings
from campuseval.reviews.tasks import remind

from .conftest import FRAMEWORK, expert, sheet, submitted, user

pytestmark = pytest.mark.django_db


def client_for(u: User) -> Client:
    c = Client()
    c.force_login(u)
    return c


def school(code: str, name: str, parent: Unit, rural: bool = False) -> Unit:
    return Unit.objects.create(
        code=code,
        name=name,
        kind=Unit.Kind.SCHOOL,
        parent=parent,
        stage=Unit.Stage.PRIMARY,
        area=Unit.Area.RURAL if rural else Unit.Area.URBAN,
    )


@pytest.fixture
def pworld(db: None) -> dict:
    province = Unit.objects.create(code="P", name="示例省", kind=Unit.Kind.PROVINCE)
    city_a = Unit.objects.create(code="PA", name="甲市", kind=Unit.Kind.CITY, parent=province)
    city_b = Unit.objects.create(code="PB", name="乙市", kind=Unit.Kind.CITY, parent=province)
    a1 = Unit.objects.create(code="PA1", name="甲一县", kind=Unit.Kind.COUNTY, parent=city_a)
    a2 = Unit.objects.create(code="PA2", name="甲二县", kind=Unit.Kind.COUNTY, parent=city_a)
    b1 = Unit.objects.create(code="PB1", name="乙一县", kind=Unit.Kind.COUNTY, parent=city_b)
    schools = {
        "a1_0": school("PA1-0", "甲一县第0小学", a1),
        "a1_1": school("PA1-1", "甲一县第1小学", a1),
        "a1_2": school("PA1-2", "甲一县第2小学", a1),
        "a2_0": school("PA2-0", "甲二县第0小学", a2),
        "b1_0": school("PB1-0", "乙一县第0小学", b1),
        "a_direct": school("PA-D1", "甲市第一中学", city_a),
        "a_direct2": school("PA-D2", "甲市第二中学", city_a),
        "p_direct": school("P-D1", "省实验中学", province),
    }
    record = FrameworkRecord.objects.create(
        key="mini",
        title="迷你框架",
        subject="school",
        total=10,
        source_yaml=FRAMEWORK,
        sha256=hashlib.sha256(FRAMEWORK.encode()).hexdigest(),
    )
    campaign = Campaign.objects.create(
        name="2024 省级智慧教育示范校",
        year=2024,
        organizer=province,
        applicants="schools",
        school_framework=record,
        as_of=dt.date(2024, 5, 30),
        max_schools_per_county=1,
        places_schools=3,
        status=Campaign.Status.COUNTY_REVIEW,
    )
    ReviewSettings.objects.create(campaign=campaign, city_review=True, city_quota=2, experts_per_application=1)
    bandwidth = {"a1_0": 600, "a1_1": 500, "a1_2": 400, "a2_0": 600, "b1_0": 500}
    apps = {key: submitted(campaign, record, unit, bw=bandwidth.get(key, 600)) for key, unit in schools.items()}
    return {
        "province": province,
        "city_a": city_a,
        "city_b": city_b,
        "a1": a1,
        "a2": a2,
        "b1": b1,
        "schools": schools,
        "record": record,
        "campaign": campaign,
        "apps": apps,
        "porganizer": user("porganizer", province, Role.ORGANIZER),
        "city_a_reviewer": user("city_a_reviewer", city_a, Role.COUNTY_REVIEWER),
        "city_b_reviewer": user("city_b_reviewer", city_b, Role.COUNTY_REVIEWER),
        "r_a1": user("r_a1", a1, Role.COUNTY_REVIEWER),
        "r_a2": user("r_a2", a2, Role.COUNTY_REVIEWER),
        "r_b1": user("r_b1", b1, Role.COUNTY_REVIEWER),
    }


def accept(actor: User, *apps: Application) -> None:
    for app in apps:
        services.decide_county_review(actor=actor, application=app, decision="accepted", opinion="同意推荐")


def county_list(actor: User, county: Unit, *apps: Application) -> RecommendationList:
    rec = services.recommend_applications(
        actor=actor, campaign=apps[0].campaign, county=county, applications=list(apps)
    )
    return services.confirm_recommendation(actor=actor, recommendation=rec, confirmed_name="确认人")


def status(app: Application) -> str:
    app.refresh_from_db()
    return app.status


def test_the_whole_chain_with_a_quota_at_each_level(pworld: dict) -> None:
    w = pworld
    apps, campaign = w["apps"], w["campaign"]

    # county: at most one school, refused naming the county level
    accept(w["r_a1"], apps["a1_0"], apps["a1_1"], apps["a1_2"])
    with pytest.raises(ValidationError, match=r"超过每县（区）最多 1 所的名额"):
        services.recommend_applications(
            actor=w["r_a1"], campaign=campaign, county=w["a1"], applications=[apps["a1_0"], apps["a1_1"]]
        )
    assert not RecommendationList.objects.filter(campaign=campaign, unit=w["a1"]).exists()
    county_list(w["r_a1"], w["a1"], apps["a1_0"])
    accept(w["r_a2"], apps["a2_0"])
    county_list(w["r_a2"], w["a2"], apps["a2_0"])
    accept(w["r_b1"], apps["b1_0"])
    county_list(w["r_b1"], w["b1"], apps["b1_0"])
    assert status(apps["a1_0"]) == Application.Status.RECOMMENDED
    assert status(apps["a1_1"]) == Application.Status.ACCEPTED

    # 市直: the city's reviewer takes the county step; its list is the city's list
    accept(w["city_a_reviewer"], apps["a_direct"], apps["a_direct2"])
    assert status(apps["a_direct"]) == Application.Status.ACCEPTED
    with pytest.raises(ValidationError, match="市直学校在市级推荐名单中推荐"):
        services.recommend_applications(
            actor=w["city_a_reviewer"], campaign=campaign, county=w["city_a"], applications=[apps["a_direct"]]
        )
    # the 市直 schools count as one county: at most one of them
    with pytest.raises(ValidationError, match=r"推荐市直学校 2 所，超过每县（区）最多 1 所的名额"):
        services.recommend_from_city(
            actor=w["city_a_reviewer"],
            campaign=campaign,
            city=w["city_a"],
            applications=[apps["a_direct"], apps["a_direct2"]],
        )
    # city: at most two, refused naming the city level
    with pytest.raises(ValidationError, match=r"市级推荐 3 个，超过每市最多 2 个的名额"):
        services.recommend_from_city(
            actor=w["city_a_reviewer"],
            campaign=campaign,
            city=w["city_a"],
            applications=[apps["a1_0"], apps["a2_0"], apps["a_direct"]],
        )
    # a school its county did not recommend cannot be sent on by the city
    with pytest.raises(ValidationError, match="不在已确认的区县推荐名单中"):
        services.recommend_from_city(
            actor=w["city_a_reviewer"], campaign=campaign, city=w["city_a"], applications=[apps["a1_1"]]
        )
    rec_a = services.recommend_from_city(
        actor=w["city_a_reviewer"], campaign=campaign, city=w["city_a"], applications=[apps["a1_0"], apps["a_direct"]]
    )
    services.confirm_recommendation(actor=w["city_a_reviewer"], recommendation=rec_a, confirmed_name="甲市处长")
    assert status(apps["a_direct"]) == Application.Status.RECOMMENDED
    assert status(apps["a_direct2"]) == Application.Status.ACCEPTED
    rec_b = services.recommend_from_city(
        actor=w["city_b_reviewer"], campaign=campaign, city=w["city_b"], applications=[apps["b1_0"]]
    )
    services.confirm_recommendation(actor=w["city_b_reviewer"], recommendation=rec_b, confirmed_name="乙市处长")

    # 省直: the province organizer takes the county step, under the per-county quota
    accept(w["porganizer"], apps["p_direct"])
    county_list(w["porganizer"], w["province"], apps["p_direct"])
    assert status(apps["p_direct"]) == Application.Status.RECOMMENDED

    # the province: the cities' confirmed lists and its own 省直 list are its finalists
    finalists = set(queries.finalists(campaign))
    assert finalists == {apps["a1_0"], apps["a_direct"], apps["b1_0"], apps["p_direct"]}

    # province experts: registered under the province or any unit in it
    e_p = expert("e_province", w["province"])
    e_a = expert("e_city_a", w["city_a"])
    e_b = expert("e_b1", w["b1"])
    assert {e_p, e_a, e_b} <= set(queries.expert_pool(w["porganizer"]))
    panel = Panel.objects.create(campaign=campaign, name="省级材料组")
    # the province organizer's desk offers exactly the finalists for assignment
    desk = client_for(w["porganizer"]).get(reverse("reviews:organizer", args=[campaign.pk]))
    assert desk.status_code == 200
    page = desk.content.decode()
    offered = page.split('name="application" class', 1)[1].split("</select>", 1)[0]
    for key in ("a1_0", "a_direct", "b1_0", "p_direct"):
        assert w["schools"][key].name in offered
    assert "甲二县第0小学" not in offered  # its county recommended it, its city did not
    assert "e_province" in page and "e_b1" in page
    chosen = {"a1_0": e_b, "a_direct": e_b, "b1_0": e_a, "p_direct": e_a}
    scores = {"a1_0": 600, "a_direct": 600, "b1_0": 300, "p_direct": 400}
    for key, ex in chosen.items():
        a = services.assign_expert(actor=w["porganizer"], panel=panel, application=apps[key], expert=ex)
        sheet(w, a, scores[key], True)
    with pytest.raises(ValidationError, match="尚未进入专家评审"):
        services.assign_expert(actor=w["porganizer"], panel=panel, application=apps["a2_0"], expert=e_p)

    # results: the province's places (3) are the last quota
    results = services.compute_results(actor=w["porganizer"], campaign=campaign)
    assert len(results) == 4
    selected = {r.application_id for r in results if r.selected}
    assert len(selected) == 3 and apps["b1_0"].pk not in selected


def test_a_direct_school_is_reviewed_by_its_city_only(pworld: dict) -> None:
    w = pworld
    app = w["apps"]["a_direct"]
    assert rules.first_review_unit(w["schools"]["a_direct"]) == w["city_a"]
    assert rules.first_review_unit(w["schools"]["p_direct"]) == w["province"]
    assert rules.first_review_unit(w["schools"]["a1_0"]) == w["a1"]
    assert rules.first_review_unit(w["city_a"]) is None
    # the city's reviewer lists it on the county pages, and only it (not the counties' schools)
    c = client_for(w["city_a_reviewer"])
    listing = c.get(reverse("reviews:county_list"))
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "甲市第一中学" in text and "甲市第二中学" in text
    assert "甲一县第0小学" not in text and "省实验中学" not in text
    assert c.get(reverse("reviews:county_review", args=[app.pk])).status_code == 200
    response = c.post(reverse("reviews:county_decide", args=[app.pk]), {"decision": "accepted", "opinion": "同意"})
    assert response.status_code == 302
    assert status(app) == Application.Status.ACCEPTED
    assert app.county_reviews.get().reviewer == w["city_a_reviewer"]
    # nobody else does: another city, a county of the same city, the province
    for outsider in (w["city_b_reviewer"], w["r_a1"], w["porganizer"]):
        assert client_for(outsider).get(reverse("reviews:county_review", args=[app.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.decide_county_review(actor=w["r_a1"], application=w["apps"]["a_direct2"], decision="accepted")
    with pytest.raises(PermissionDenied):
        services.decide_county_review(actor=w["porganizer"], application=w["apps"]["a_direct2"], decision="accepted")


def test_a_city_organizer_reviews_its_direct_schools_in_a_city_campaign(pworld: dict) -> None:
    """A city-organized campaign (no city step): the city's organizer is the county step of its
    市直 schools, and their list counts against the per-county quota like a county's."""
    w = pworld
    campaign = Campaign.objects.create(
        name="2024 甲市示范校",
        year=2024,
        organizer=w["city_a"],
        applicants="schools",
        school_framework=w["record"],
        as_of=dt.date(2024, 5, 30),
        max_schools_per_county=1,
        status=Campaign.Status.COUNTY_REVIEW,
    )
    organizer = user("city_a_organizer", w["city_a"], Role.ORGANIZER)
    apps = [submitted(campaign, w["record"], w["schools"][k], bw=600) for k in ("a_direct", "a_direct2", "a1_0")]
    assert rules.reviewer_counties(organizer) == [w["city_a"]]
    accept(organizer, apps[0], apps[1])
    with pytest.raises(PermissionDenied):
        accept(organizer, apps[2])  # a county's school: its county reviewer's
    over = "推荐市直学校 2 所，超过每县（区）最多 1 所的名额（市直学校按一个县（区）计）"
    with pytest.raises(ValidationError, match=over):
        services.recommend_applications(actor=organizer, campaign=campaign, county=w["city_a"], applications=apps[:2])
    with pytest.raises(PermissionDenied):
        services.recommend_applications(actor=w["r_a1"], campaign=campaign, county=w["city_a"], applications=apps[:1])
    county_list(organizer, w["city_a"], apps[0])
    assert status(apps[0]) == Application.Status.RECOMMENDED
    assert set(queries.finalists(campaign)) == {apps[0]}
    # the recommend page of the county step opens for the city's list
    page = client_for(organizer).get(reverse("reviews:recommend", args=[campaign.pk]) + f"?county={w['city_a'].pk}")
    assert page.status_code == 200 and "甲市第一中学" in page.content.decode()


def test_an_organizer_without_direct_schools_is_no_county_reviewer(pworld: dict) -> None:
    w = pworld
    organizer_b = user("city_b_organizer", w["city_b"], Role.ORGANIZER)
    assert rules.reviewer_counties(organizer_b) == []
    assert client_for(organizer_b).get(reverse("reviews:county_list")).status_code in (403, 404)
    # the county reviewers keep their counties only
    assert rules.reviewer_counties(w["r_a1"]) == [w["a1"]]
    assert set(rules.reviewer_counties(w["porganizer"])) == {w["province"]}


def test_an_outsider_county_reviewer_is_refused_on_another_county(pworld: dict) -> None:
    w = pworld
    app = w["apps"]["a1_0"]
    c = client_for(w["r_a2"])
    assert c.get(reverse("reviews:county_review", args=[app.pk])).status_code == 404
    assert c.post(reverse("reviews:county_decide", args=[app.pk]), {"decision": "accepted"}).status_code == 404
    assert status(app) == Application.Status.SUBMITTED
    with pytest.raises(PermissionDenied):
        services.decide_county_review(actor=w["r_a2"], application=app, decision="accepted")
    accept(w["r_a1"], app)
    with pytest.raises(PermissionDenied):
        services.recommend_applications(actor=w["r_a2"], campaign=w["campaign"], county=w["a1"], applications=[app])
    with pytest.raises(PermissionDenied):
        services.recommend_applications(actor=w["r_a2"], campaign=w["campaign"], county=w["a2"], applications=[app])


@pytest.mark.parametrize("extra", [0, 6])
def test_county_list_of_direct_schools_query_count_does_not_grow(
    pworld: dict,
    django_assert_num_queries,
    extra: int,  # type: ignore[no-untyped-def]
) -> None:
    w = pworld
    for i in range(extra):
        unit = school(f"PA-X{i}", f"甲市附属{i}校", w["city_a"])
        submitted(w["campaign"], w["record"], unit, bw=600)
    c = client_for(w["city_a_reviewer"])
    c.get(reverse("reviews:county_list"))  # warm the session
    with django_assert_num_queries(COUNTY_LIST_QUERIES):
        response = c.get(reverse("reviews:county_list"))
    assert response.content.decode().count("甲市") >= 2 + extra


#: the county list page of the city's reviewer, the same at 2 and at 8 rows
COUNTY_LIST_QUERIES = 7


def test_the_city_page_offers_its_direct_schools_beside_the_counties_lists(pworld: dict) -> None:
    w = pworld
    apps, campaign = w["apps"], w["campaign"]
    accept(w["r_a1"], apps["a1_0"])
    county_list(w["r_a1"], w["a1"], apps["a1_0"])
    c = client_for(w["city_a_reviewer"])
    decided = c.post(reverse("reviews:county_decide", args=[apps["a_direct"].pk]), {"decision": "accepted"})
    assert decided.status_code == 302
    accept(w["city_a_reviewer"], apps["a_direct2"])
    url = reverse("reviews:city_recommend", args=[campaign.pk])
    page = c.get(url).content.decode()
    assert "甲一县第0小学" in page and "甲市第一中学" in page and "市直学校（本市初审）" in page
    assert "乙一县第0小学" not in page and "省实验中学" not in page
    over = c.post(url, {"application": [apps["a_direct"].pk, apps["a_direct2"].pk], "filled_by": "钱老师"})
    text = over.content.decode()
    assert "推荐市直学校 2 所，超过每县（区）最多 1 所的名额" in text and 'value="钱老师"' in text
    assert not RecommendationList.objects.filter(campaign=campaign, unit=w["city_a"]).exists()
    c.post(url, {"application": [apps["a1_0"].pk, apps["a_direct"].pk], "filled_by": "钱老师"})
    c.post(url + "confirm/", {"action": "confirm", "confirmed_name": "周处长"})
    rec = RecommendationList.objects.get(campaign=campaign, unit=w["city_a"])
    assert rec.is_confirmed and [r.application_id for r in rec.rows.order_by("position")] == [
        apps["a1_0"].pk,
        apps["a_direct"].pk,
    ]
    assert status(apps["a_direct"]) == Application.Status.RECOMMENDED
    assert set(queries.finalists(campaign)) == {apps["a1_0"], apps["a_direct"]}
    # another city's reviewer never sees them
    other = client_for(w["city_b_reviewer"]).get(url + f"?city={w['city_a'].pk}").content.decode()
    assert "甲市第一中学" not in other


def test_the_county_review_reminder_reaches_the_city_and_province_reviewers(pworld: dict) -> None:
    """A waiting 市直 school reminds its city's reviewer, a 省直 school the province's organizer,
    as county schools remind their county's reviewer; a county with nothing waiting hears
    nothing."""
    now = timezone.now()
    Stage.objects.create(
        campaign=pworld["campaign"],
        kind=Stage.Kind.COUNTY_REVIEW,
        starts_at=now - dt.timedelta(days=5),
        deadline=now + dt.timedelta(days=1),
    )
    Application.objects.filter(pk=pworld["apps"]["a2_0"].pk).update(status=Application.Status.ACCEPTED)
    remind(now=now)
    told = set(Notification.objects.filter(text__contains="县级初审").values_list("user__username", flat=True))
    assert told == {"city_a_reviewer", "porganizer", "r_a1", "r_b1"}
