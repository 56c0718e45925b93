"""Demo data for `manage.py seed_demo` (put together in `shell.demo`): one account per role and a
running campaign per framework family. Idempotent: found by unit code, username and campaign
name, and brought back to the demo values; passwords are new on every run (or DEMO_PASSWORD)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from campuseval.accounts.models import Membership, Role, User
from campuseval.orgs.demo import DemoRegion
from campuseval.orgs.models import Unit

from . import services
from .models import Campaign, FrameworkRecord, Stage


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    roles: tuple[str, ...]
    unit: str  # unit name in the demo region ("示例市" for the city)
    label: str = ""  # role as printed, when the role names alone would mislead


USERS = (
    DemoUser("demo-school", "王晓燕", (Role.APPLICANT,), "城关区实验小学"),
    DemoUser("demo-head", "李建国", (Role.HEAD,), "城关区实验小学"),
    DemoUser("demo-district", "赵敏", (Role.APPLICANT, Role.HEAD), "城关区", "区县申报填报员、负责人"),
    DemoUser("demo-county", "张卫东", (Role.COUNTY_REVIEWER,), "城关区"),
    DemoUser("demo-organizer", "陈静", (Role.ORGANIZER,), "示例市"),
    DemoUser("demo-expert1", "刘志强", (Role.EXPERT,), "清河县第一中学"),
    DemoUser("demo-expert2", "周丽华", (Role.EXPERT,), "示例高新区实验初级中学"),
    DemoUser("demo-expert3", "吴海涛", (Role.EXPERT,), "示例市"),
    DemoUser("demo-admin", "系统管理员", (Role.ADMIN,), "示例市"),
)


@dataclass(frozen=True)
class DemoCampaign:
    name: str
    kind: str
    school: str = ""
    district: str = ""
    max_schools_per_county: int | None = None
    min_rural_per_county: int | None = None
    min_self_score: Decimal | None = None
    places_schools: int | None = None
    places_districts: int | None = None
    description: str = ""


CAMPAIGNS = (
    DemoCampaign(
        "示例市智慧学校应用示范区、示范校遴选（亳州标准）",
        Campaign.Kind.SELECTION,
        school="bozhou-2024-school",
        district="bozhou-2024-district",
        max_schools_per_county=10,
        min_rural_per_county=2,
        places_schools=12,
        places_districts=1,
        description=(
            "参照亳州市 2024 年遴选要求：学校在平台自主申报，县区初审推荐"
            "（每县区最多 10 所，其中乡村学校不少于 2 所），市级组织专家评审。"
        ),
    ),
    DemoCampaign(
        "示例市智慧教育示范区、示范学校创建（四川标准）",
        Campaign.Kind.CREATION,
        school="sichuan-2023-school",
        district="sichuan-2023-district",
        min_self_score=Decimal("70"),
        places_schools=6,
        places_districts=1,
        description="参照四川省 2023 年创建办法：满足必要条件且自评 70 分以上方可申报，近 2 年内无否决情形。",
    ),
    DemoCampaign(
        "示例市中小学智慧校园评价（厦门标准·试行）",
        Campaign.Kind.EVALUATION,
        school="xiamen-trial-school",
        description="参照厦门市中小学智慧校园评价标准（试行），满分 200 分。",
    ),
    DemoCampaign(
        "示例市中小学智慧校园建设评估（泰州细则）",
        Campaign.Kind.EVALUATION,
        school="taizhou-2022-school",
        description="参照泰州市 2022 版评估细则：90/80/70 分分别为示范、优秀、合格等级，★为基本要求，▲为示范要求。",
    ),
)


@dataclass
class DemoReport:
    region: DemoRegion
    frameworks: list[services.FrameworkLoad]
    accounts: list[tuple[DemoUser, User, str]] = field(default_factory=list)
    campaigns: list[Campaign] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    experts: int = 0
    fixed_password: bool = False


def stage_times(today: dt.date) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """Stages relative to `today`: applications opened a week ago and close in three weeks."""
    tz = timezone.get_current_timezone()

    def at(days: int, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour, minute), tzinfo=tz)

    return {
        Stage.Kind.APPLY: (at(-7, 8), at(21, 17, 30)),
        Stage.Kind.COUNTY_REVIEW: (at(22, 8, 30), at(35, 17, 30)),
        Stage.Kind.EXPERT_REVIEW: (at(36, 8, 30), at(56, 17, 30)),
        Stage.Kind.PUBLICITY: (at(57, 9), at(63, 17, 30)),
    }


def _unit(region: DemoRegion, name: str) -> Unit:
    if name == region.city.name:
        return region.city
    found = [u for u in (*region.counties, *region.schools) if u.name == name]
    return found[0]


def seed_accounts(region: DemoRegion, password: str | None = None) -> list[tuple[DemoUser, User, str]]:
    """One account per role (two roles for the district applicant), memberships exactly as
    listed, and a fresh password each run."""
    out = []
    for spec in USERS:
        user, _ = User.objects.get_or_create(username=spec.username)
        secret = password or secrets.token_urlsafe(9)
        user.display_name = spec.display_name
        user.is_active = True
        user.is_staff = user.is_superuser = Role.ADMIN in spec.roles
        user.set_password(secret)
        user.save()
        unit = _unit(region, spec.unit)
        for role in spec.roles:
            Membership.objects.get_or_create(user=user, unit=unit, role=role)
        Membership.objects.filter(user=user).exclude(unit=unit, role__in=spec.roles).delete()
        out.append((spec, user, secret))
    try:
        from axes.utils import reset

        for spec in USERS:
            reset(username=spec.username)
    except Exception:  # pragma: no cover - lock-out reset is a convenience
        pass
    return out


def _data(spec: DemoCampaign, region: DemoRegion, today: dt.date, records: dict[str, FrameworkRecord]) -> Any:
    school = records.get(spec.school)
    district = records.get(spec.district)
    applicants = (
        Campaign.Applicants.BOTH
        if school and district
        else Campaign.Applicants.SCHOOLS
        if school
        else Campaign.Applicants.DISTRICTS
    )
    stages = stage_times(today)
    return services.CampaignData(
        name=spec.name,
        year=today.year,
        kind=spec.kind,
        organizer=region.city,
        applicants=applicants,
        as_of=timezone.localtime(stages[Stage.Kind.APPLY][1]).date(),
        covered_units=list(region.counties),
        school_framework=school,
        district_framework=district,
        school_form=services.default_form("school", school.key) if school else "",
        district_form=services.default_form("district", district.key) if district else "",
        max_schools_per_county=spec.max_schools_per_county,
        min_rural_per_county=spec.min_rural_per_county,
        min_self_score=spec.min_self_score,
        places_schools=spec.places_schools,
        places_districts=spec.places_districts,
        description=spec.description,
        stages=stages,
    )


def seed_campaigns(
    region: DemoRegion, organizer: User, usable: set[str], today: dt.date
) -> tuple[list[Campaign], list[str]]:
    """A running campaign (申报中) for each framework family with a usable framework."""
    records = {r.key: r for r in FrameworkRecord.objects.filter(key__in=usable, is_active=True)}
    made: list[Campaign] = []
    skipped: list[str] = []
    for spec in reversed(CAMPAIGNS):  # newest first in lists: the first listed here ends on top
        if spec.school not in records and spec.district not in records:
            skipped.append(spec.name)
            continue
        data = _data(spec, region, today, records)
        campaign = Campaign.objects.filter(organizer=region.city, name=spec.name).first()
        if campaign is None:
            campaign = services.create_campaign(actor=organizer, data=data)
        elif campaign.status in (Campaign.Status.DRAFT, Campaign.Status.OPEN):
            if campaign.applications.exists():
                for key in services.LOCKED_WHEN_STARTED:
                    setattr(data, key, getattr(campaign, key))
            campaign = services.update_campaign(actor=organizer, campaign=campaign, data=data)
        if campaign.status == Campaign.Status.DRAFT:
            campaign = services.open_campaign(actor=organizer, campaign=campaign)
        made.insert(0, campaign)
    return made, skipped
