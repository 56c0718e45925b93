"""Shared setup for review tests: a city, two counties, schools, a tiny framework, a campaign
with submitted applications, and the people who act on them."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.utils import timezone

from campuseval.accounts.models import Membership, Role, User
from campuseval.applications.models import Application, ApplicationVersion
from campuseval.campaigns.models import Campaign, FrameworkRecord
from campuseval.orgs.models import Unit
from campuseval.reviews import services
from campuseval.reviews.models import Assignment, Expert

FRAMEWORK = """
id: mini
title: 迷你框架
subject: school
level_names: [一级]
total: 10
levels:
  - {name: 优秀, min_total: 8, requires: [basic]}
  - {name: 合格, min_total: 5}
indicators:
  - code: "1"
    title: 出口带宽
    points: 6
    marks: [basic]
    inputs:
      - {key: bw, type: number, label: 出口带宽, unit: M}
    rule:
      type: tiers
      input: bw
      tiers: [{min: 500, points: 6}, {min: 300, max: 500, points: 3}]
  - code: "2"
    title: 制度
    points: 4
    inputs:
      - {key: ok, type: bool, label: 制定制度}
    rule: {type: yes_no, input: ok}
"""


def user(name: str, unit: Unit, role: str) -> User:
    u = User.objects.create_user(username=name, password="x-Pass-12345", display_name=name, email=f"{name}@example.cn")
    Membership.objects.create(user=u, unit=unit, role=role)
    return u


@pytest.fixture
def world(db: None) -> dict[str, object]:
    city = Unit.objects.create(code="C1", name="示例市", kind=Unit.Kind.CITY)
    x = Unit.objects.create(code="X", name="甲县", kind=Unit.Kind.COUNTY, parent=city)
    y = Unit.objects.create(code="Y", name="乙区", kind=Unit.Kind.COUNTY, parent=city)
    schools = []
    for i in range(4):
        schools.append(
            Unit.objects.create(
                code=f"X{i}",
                name=f"甲县第{i}小学",
                kind=Unit.Kind.SCHOOL,
                parent=x,
                stage=Unit.Stage.PRIMARY,
                area=Unit.Area.RURAL if i < 2 else Unit.Area.URBAN,
            )
        )
    y_school = Unit.objects.create(
        code="Y0", name="乙区实验中学", kind=Unit.Kind.SCHOOL, parent=y, stage=Unit.Stage.JUNIOR, area=Unit.Area.URBAN
    )
    record = FrameworkRecord.objects.create(
        key="mini",
        title="迷你框架",
        subject="school",
        total=10,
        source_yaml=FRAMEWORK,
        sha256=hashlib.sha256(FRAMEWORK.encode()).hexdigest(),
    )
    campaign = Campaign.objects.create(
        name="2024 示范校遴选",
        year=2024,
        organizer=city,
        applicants="schools",
        school_framework=record,
        as_of=dt.date(2024, 5, 30),
        max_schools_per_county=3,
        min_rural_per_county=1,
        places_schools=2,
        status=Campaign.Status.COUNTY_REVIEW,
    )
    organizer = user("organizer", city, Role.ORGANIZER)
    reviewer = user("reviewer_x", x, Role.COUNTY_REVIEWER)
    outsider = user("reviewer_y", y, Role.COUNTY_REVIEWER)
    applicant = user("applicant_x0", schools[0], Role.APPLICANT)
    apps = [submitted(campaign, record, s, bw=600 - 100 * i) for i, s in enumerate(schools)]
    return {
        "city": city,
        "x": x,
        "y": y,
        "schools": schools,
        "y_school": y_school,
        "campaign": campaign,
        "record": record,
        "organizer": organizer,
        "reviewer": reviewer,
        "outsider": outsider,
        "applicant": applicant,
        "apps": apps,
    }


def submitted(campaign: Campaign, record: FrameworkRecord, unit: Unit, bw: int) -> Application:
    answers = {"answers": {"1": {"bw": bw}, "2": {"ok": True}}}
    app = Application.objects.create(
        campaign=campaign,
        unit=unit,
        framework=record,
        answers=answers,
        status=Application.Status.SUBMITTED,
        self_total=10,
    )
    ApplicationVersion.objects.create(
        application=app,
        number=1,
        answers=answers,
        total=10,
        result={"indicators": {"1": {"points": "6"}}},
        promise_text="我单位申报的所有材料均真实、完整。",
        submitted_at=timezone.now(),
    )
    return app


def accept_all(world: dict[str, object]) -> None:
    for app in world["apps"]:  # type: ignore[attr-defined]
        services.decide_county_review(actor=world["reviewer"], application=app, decision="accepted", opinion="同意推荐")


def expert(name: str, unit: Unit, region: Unit | None = None) -> Expert:
    u = User.objects.create_user(username=name, password="x-Pass-12345", display_name=name)
    Membership.objects.create(user=u, unit=unit, role=Role.EXPERT)
    return Expert.objects.create(user=u, unit=unit, region=region)


def recommended(world: dict[str, object]) -> list[Application]:
    accept_all(world)
    apps = world["apps"][:3]  # type: ignore[index]
    rec = services.recommend_applications(
        actor=world["reviewer"], campaign=world["campaign"], county=world["x"], applications=apps
    )
    services.confirm_recommendation(actor=world["reviewer"], recommendation=rec, confirmed_name="李局长")
    return apps


def sheet(world: dict[str, object], assignment: Assignment, bw: int, ok: bool, comment: str = "") -> None:
    u = assignment.expert.user
    services.confirm_no_conflict(actor=u, assignment=assignment)
    assignment.refresh_from_db()
    services.record_expert_score(
        actor=u,
        assignment=assignment,
        revision=assignment.revision,
        answers={"1": {"bw": bw}, "2": {"ok": ok}},
        comments={"1": comment},
    )
    assignment.refresh_from_db()
    services.submit_expert_score(actor=u, assignment=assignment)
