"""A hand-counted world for dashboard tests.

City 泰州示例市 with 甲区 (five schools) and 乙县 (three schools); a Taizhou-keyed campaign
(framework total 110, levels 示范型 90 / 优秀型 80 / 合格型 70) in 2024 and an earlier one in
2022. Every score below is typed in by hand so each test can work its expected numbers out
on paper:

| school | area  | 2024 status | self (1, 2, 3)   | self level | result (1, 2, 3) | final | level  | 2022        |
|--------|-------|-------------|------------------|------------|------------------|-------|--------|-------------|
| XA     | urban | recommended | 95 (45, 35, 15)  | 示范型     | 44, 33, 15       | 92    | 示范型 | result 80   |
| XB     | rural | recommended | 85 (40, 30, 15)  | 优秀型     | 38, 30, 13       | 81    | 优秀型 | self 70     |
| XC     | rural | returned    | 60 (30, 20, 10)  | —          |                  |       |        |             |
| XD     | urban | not started |                  |            |                  |       |        | self 50     |
| XE     | urban | draft       |                  |            |                  |       |        |             |
| YA     | urban | submitted   | 72 (35, 27, 10)  | 合格型     |                  |       |        | result 65   |
| YB     | rural | rejected    | 55 (25, 20, 10)  | —          |                  |       |        |             |
| YC     | urban | not started |                  |            |                  |       |        |             |
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from campuseval.accounts.models import Membership, Role, User
from campuseval.applications import figures
from campuseval.applications.models import Application, ApplicationVersion
from campuseval.campaigns.models import Campaign, FrameworkRecord, Stage
from campuseval.orgs.models import Unit
from campuseval.reports.models import Target
from campuseval.reviews.models import Result

FRAMEWORK = """
id: taizhou-mini
title: 泰州式测试框架
subject: school
level_names: [一级指标]
total: 110
levels:
  - {name: 示范型, min_total: 90}
  - {name: 优秀型, min_total: 80}
  - {name: 合格型, min_total: 70}
indicators:
  - code: "1"
    title: 基础环境
    points: 50
    inputs: [{key: pts, type: number, label: 得分, min: 0, max: 50}]
    rule: {type: manual, input: pts}
  - code: "2"
    title: 融合应用
    points: 40
    inputs: [{key: pts, type: number, label: 得分, min: 0, max: 40}]
    rule: {type: manual, input: pts}
  - code: "3"
    title: 特色发展
    points: 20
    inputs: [{key: pts, type: number, label: 得分, min: 0, max: 20}]
    rule: {type: manual, input: pts}
"""

PASSWORD = "x-Pass-12345"


@dataclass
class DashWorld:
    city: Unit
    x: Unit
    y: Unit
    schools: dict[str, Unit]
    record: FrameworkRecord
    campaign: Campaign
    previous: Campaign
    apps: dict[str, Application]
    users: dict[str, User]

    def client(self, who: str) -> Client:
        c = Client()
        c.force_login(self.users[who])
        return c


def make_user(name: str, unit: Unit, role: str) -> User:
    u = User.objects.create_user(username=name, password=PASSWORD, display_name=name)
    Membership.objects.create(user=u, unit=unit, role=role)
    return u


def framework_record(key: str = "taizhou-2022-school") -> FrameworkRecord:
    return FrameworkRecord.objects.create(
        key=key,
        title="泰州式测试框架",
        subject="school",
        total=110,
        source_yaml=FRAMEWORK,
        sha256=hashlib.sha256(FRAMEWORK.encode()).hexdigest(),
    )


def school(code: str, name: str, county: Unit, area: str) -> Unit:
    return Unit.objects.create(
        code=code, name=name, kind=Unit.Kind.SCHOOL, parent=county, stage=Unit.Stage.PRIMARY, area=area
    )


def campaign(name: str, year: int, organizer: Unit, record: FrameworkRecord) -> Campaign:
    return Campaign.objects.create(
        name=name,
        year=year,
        organizer=organizer,
        applicants="schools",
        school_framework=record,
        as_of=dt.date(year, 5, 30),
        status=Campaign.Status.EXPERT_REVIEW,
    )


def apply(
    c: Campaign,
    record: FrameworkRecord,
    unit: Unit,
    status: str,
    self_points: tuple[int, int, int] | None = None,
    self_level: str | None = None,
    result_points: tuple[int, int, int] | None = None,
    final: int | None = None,
    level: str = "",
    self_total: int | None = None,
) -> Application:
    """An application with a submitted version (self points per indicator; the total is their
    sum unless given) and, when result points are given, a review result."""
    app = Application.objects.create(campaign=c, unit=unit, framework=record, status=status)
    if self_points is not None:
        total = self_total if self_total is not None else sum(self_points)
        indicators = {
            code: {"points": str(p), "max": mx, "status": "scored"}
            for code, p, mx in zip(("1", "2", "3"), self_points, ("50", "40", "20"), strict=True)
        }
        # an older version first, so "latest version" is really tested
        ApplicationVersion.objects.create(
            application=app,
            number=1,
            total=1,
            result={"total": "1", "level": None, "indicators": {}},
            promise_text="真实",
            submitted_at=timezone.now(),
        )
        latest = ApplicationVersion.objects.create(
            application=app,
            number=2,
            total=total,
            result={"total": str(total), "level": self_level, "indicators": indicators},
            promise_text="真实",
            submitted_at=timezone.now(),
        )
        app.self_total = total
        app.save(update_fields=["self_total"])
        figures.record_self(latest)  # as submit_application does
    if result_points is not None:
        assert final is not None
        result = Result.objects.create(
            campaign=c,
            application=app,
            materials=Decimal(final),
            final=Decimal(final),
            indicators={code: str(p) for code, p in zip(("1", "2", "3"), result_points, strict=True)},
            method="算术平均",
            level=level,
        )
        figures.record_final(result)  # as compute_results does
    return app


def build_dash_world() -> DashWorld:
    city = Unit.objects.create(code="T", name="泰州示例市", kind=Unit.Kind.CITY)
    x = Unit.objects.create(code="T-X", name="甲区", kind=Unit.Kind.COUNTY, parent=city)
    y = Unit.objects.create(code="T-Y", name="乙县", kind=Unit.Kind.COUNTY, parent=city)
    other_city = Unit.objects.create(code="O", name="外市", kind=Unit.Kind.CITY)
    z = Unit.objects.create(code="O-Z", name="外县", kind=Unit.Kind.COUNTY, parent=other_city)
    s = {
        "XA": school("T-X-A", "甲区实验小学", x, Unit.Area.URBAN),
        "XB": school("T-X-B", "甲区乡村小学", x, Unit.Area.RURAL),
        "XC": school("T-X-C", "甲区第三中学", x, Unit.Area.RURAL),
        "XD": school("T-X-D", "甲区第四小学", x, Unit.Area.URBAN),
        "XE": school("T-X-E", "甲区第五小学", x, Unit.Area.URBAN),
        "YA": school("T-Y-A", "乙县城关中学", y, Unit.Area.URBAN),
        "YB": school("T-Y-B", "乙县乡村中学", y, Unit.Area.RURAL),
        "YC": school("T-Y-C", "乙县第三小学", y, Unit.Area.URBAN),
        "ZA": school("O-Z-A", "外县中学", z, Unit.Area.URBAN),
    }
    # a closed school is not counted
    Unit.objects.create(
        code="T-X-Z", name="甲区已撤并小学", kind=Unit.Kind.SCHOOL, parent=x, area=Unit.Area.RURAL, is_active=False
    )
    record = framework_record()
    now = timezone.now()
    current = campaign("2024 泰州智慧校园评估", 2024, city, record)
    Stage.objects.create(
        campaign=current,
        kind=Stage.Kind.APPLY,
        starts_at=now - dt.timedelta(days=40),
        deadline=now - dt.timedelta(days=10),
    )
    Stage.objects.create(
        campaign=current,
        kind=Stage.Kind.EXPERT_REVIEW,
        starts_at=now - dt.timedelta(days=5),
        deadline=now + dt.timedelta(days=20, hours=1),
    )
    previous = campaign("2022 泰州智慧校园评估", 2022, city, record)
    apps = {
        "XA": apply(current, record, s["XA"], "recommended", (45, 35, 15), "示范型", (44, 33, 15), 92, "示范型"),
        "XB": apply(current, record, s["XB"], "recommended", (40, 30, 15), "优秀型", (38, 30, 13), 81, "优秀型"),
        "XC": apply(current, record, s["XC"], "returned", (30, 20, 10), None),
        "XE": apply(current, record, s["XE"], "draft"),
        "YA": apply(current, record, s["YA"], "submitted", (35, 27, 10), "合格型"),
        "YB": apply(current, record, s["YB"], "rejected", (25, 20, 10), None),
        "XA-2022": apply(previous, record, s["XA"], "recommended", (45, 30, 8), "优秀型", (44, 28, 8), 80, "优秀型"),
        "XB-2022": apply(previous, record, s["XB"], "submitted", (40, 20, 10), "合格型"),
        "XD-2022": apply(previous, record, s["XD"], "submitted", (30, 10, 10), None),
        "YA-2022": apply(previous, record, s["YA"], "recommended", (30, 25, 10), None, (30, 25, 10), 65, ""),
    }
    users = {
        "school_officer": make_user("school_officer", s["XA"], Role.APPLICANT),
        "school_head": make_user("school_head", s["XA"], Role.HEAD),
        "county_reviewer": make_user("county_reviewer", x, Role.COUNTY_REVIEWER),
        "organizer": make_user("organizer", city, Role.ORGANIZER),
        "expert": make_user("expert", city, Role.EXPERT),
        "outsider": make_user("outsider", s["YA"], Role.APPLICANT),
        "outsider_reviewer": make_user("outsider_reviewer", y, Role.COUNTY_REVIEWER),
        "other_organizer": make_user("other_organizer", other_city, Role.ORGANIZER),
        "other_reviewer": make_user("other_reviewer", z, Role.COUNTY_REVIEWER),
        "sysadmin": make_user("sysadmin", city, Role.ADMIN),
    }
    return DashWorld(city, x, y, s, record, current, previous, apps, users)


#: the Taizhou notice's targets ("2022年全市中小学校95 %以上的达市合格型智慧校园，20%以上的达市优秀型
#: 智慧校园，10%以上的达市示范型智慧校园……到2024年实现全市中小学校100%达市合格型智慧校园")
TAIZHOU_TARGETS = (("合格型", 95, 2022), ("优秀型", 20, 2022), ("示范型", 10, 2022), ("合格型", 100, 2024))


def taizhou_targets(region: Unit) -> list[Target]:
    """The seed's Taizhou targets, set for `region` as an organizer would."""
    return [
        Target.objects.create(
            region=region, family="taizhou", subject="school", level=level, value=share, due_year=year
        )
        for level, share, year in TAIZHOU_TARGETS
    ]


@pytest.fixture
def dw(db: None) -> DashWorld:
    return build_dash_world()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Dashboards cache their figures: every test starts from an empty cache."""
    cache.clear()
