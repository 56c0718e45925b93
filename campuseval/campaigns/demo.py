"""Demo data for `manage.py seed_demo` (put together in `shell.demo`): one account per role, staff
accounts in whose name the other units act, and one campaign per framework, each with stage dates
that put it at its own point of the process today. Idempotent: found by unit code, username and
campaign name; a campaign already there keeps its world; passwords are new on every run (or
DEMO_PASSWORD)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

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


class Point:
    """Where in the process a demo campaign stands today."""

    FILLING = "filling"  # 申报中
    COUNTY_REVIEW = "county_review"  # 县级初评
    EXPERT_REVIEW = "expert_review"  # 专家评审
    PUBLICITY = "publicity"  # 公示中
    FINAL = "final"  # 最终名单已发布
    CULTIVATION = "cultivation"  # 培育第二年


POINT_LABELS = {
    Point.FILLING: "申报中：学校填报、部分已提交",
    Point.COUNTY_REVIEW: "县级初评：退回补正、不予推荐、受理、推荐名单",
    Point.EXPERT_REVIEW: "专家评审：部分评分已提交，部分待评",
    Point.PUBLICITY: "公示中：拟定名单公示，收到异议",
    Point.FINAL: "已发布最终名单：入选、未入选",
    Point.CULTIVATION: "上年遴选，培育第二年：年度总结已完成，中期评估已开启",
}

#: per point: (days from today the apply, county review, expert review and publicity stages start
#: and end); the year before for the cultivation campaign
OFFSETS: dict[str, tuple[tuple[int, int], tuple[int, int], tuple[int, int], tuple[int, int]]] = {
    Point.FILLING: ((-7, 21), (22, 35), (36, 56), (57, 63)),
    Point.COUNTY_REVIEW: ((-40, -10), (-9, 10), (11, 30), (31, 37)),
    Point.EXPERT_REVIEW: ((-60, -35), (-34, -15), (-14, 10), (11, 17)),
    Point.PUBLICITY: ((-80, -50), (-49, -30), (-29, -6), (-3, 4)),
    Point.FINAL: ((-110, -80), (-79, -60), (-59, -25), (-20, -14)),
    Point.CULTIVATION: ((-500, -470), (-469, -450), (-449, -425), (-420, -414)),
}


@dataclass(frozen=True)
class DemoCampaign:
    name: str
    kind: str
    point: str
    school: str = ""
    district: str = ""
    max_schools_per_county: int | None = None
    min_rural_per_county: int | None = None
    min_self_score: Decimal | None = None
    places_schools: int | None = None
    places_districts: int | None = None
    description: str = ""
    years_ago: int = 0


#: one campaign per framework, each at a different point of the process (listed newest first)
CAMPAIGNS = (
    DemoCampaign(
        "示例市中小学智慧校园评价（厦门标准·试行）",
        Campaign.Kind.EVALUATION,
        Point.FILLING,
        school="xiamen-trial-school",
        description="参照厦门市中小学智慧校园评价标准（试行），满分 200 分。",
    ),
    DemoCampaign(
        "示例市中小学智慧校园建设评估（泰州细则）",
        Campaign.Kind.EVALUATION,
        Point.COUNTY_REVIEW,
        school="taizhou-2022-school",
        description="参照泰州市 2022 版评估细则：90/80/70 分分别为示范、优秀、合格等级，★为基本要求，▲为示范要求。",
    ),
    DemoCampaign(
        "示例市智慧学校应用示范区遴选（亳州标准）",
        Campaign.Kind.SELECTION,
        Point.EXPERT_REVIEW,
        district="bozhou-2024-district",
        places_districts=1,
        description="参照亳州市 2024 年遴选要求（附件1）：区县在平台申报，市级组织专家评审，遴选示范区 1 个。",
    ),
    DemoCampaign(
        "示例市智慧学校应用示范校遴选（亳州标准）",
        Campaign.Kind.SELECTION,
        Point.PUBLICITY,
        school="bozhou-2024-school",
        max_schools_per_county=10,
        min_rural_per_county=2,
        places_schools=6,
        description=(
            "参照亳州市 2024 年遴选要求（附件2）：学校在平台自主申报，县区初审推荐"
            "（每县区最多 10 所，其中乡村学校不少于 2 所），市级组织专家评审，拟定名单公示 7 天。"
        ),
    ),
    DemoCampaign(
        "示例市智慧教育示范区创建（四川标准）",
        Campaign.Kind.CREATION,
        Point.FINAL,
        district="sichuan-2023-district",
        min_self_score=Decimal("70"),
        places_districts=1,
        description="参照四川省 2023 年创建办法：满足必要条件且自评 70 分以上方可申报，近 2 年内无否决情形。",
    ),
    DemoCampaign(
        "示例市智慧教育示范学校创建（四川标准）",
        Campaign.Kind.CREATION,
        Point.CULTIVATION,
        school="sichuan-2023-school",
        min_self_score=Decimal("70"),
        places_schools=3,
        description=(
            "参照四川省 2023 年创建办法：满足必要条件且自评 70 分以上方可申报；"
            "入选学校进入三年培育期，年度总结、中期评估、终期评审合格后授牌。"
        ),
        years_ago=1,
    ),
)


#: campaigns an earlier demo made, replaced by the ones above (removed while nobody has applied)
RETIRED = (
    "示例市智慧学校应用示范区、示范校遴选（亳州标准）",
    "示例市智慧教育示范区、示范学校创建（四川标准）",
)


@dataclass
class DemoReport:
    region: DemoRegion
    frameworks: list[services.FrameworkLoad]
    accounts: list[tuple[DemoUser, User, str]] = field(default_factory=list)
    campaigns: list[Campaign] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    experts: int = 0
    staff: int = 0
    #: campaigns whose steps a service refused: (name, the refusal)
    failed: list[tuple[str, str]] = field(default_factory=list)
    #: campaign id → its point of the process
    points: dict[int, str] = field(default_factory=dict)
    fixed_password: bool = False


def at(today: dt.date, days: int, hour: int, minute: int = 0) -> dt.datetime:
    """A local moment `days` from `today`."""
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour, minute), tzinfo=tz)


def stage_times(today: dt.date, point: str = Point.FILLING) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    """The four stages of a campaign standing at `point` today (applications of a campaign in
    its filling stage opened a week ago and close in three weeks)."""
    (a, b), (c, d), (e, f), (g, h) = OFFSETS[point]
    return {
        Stage.Kind.APPLY: (at(today, a, 8), at(today, b, 17, 30)),
        Stage.Kind.COUNTY_REVIEW: (at(today, c, 8, 30), at(today, d, 17, 30)),
        Stage.Kind.EXPERT_REVIEW: (at(today, e, 8, 30), at(today, f, 17, 30)),
        Stage.Kind.PUBLICITY: (at(today, g, 9), at(today, h, 17, 30)),
    }


@contextmanager
def stage_open(campaign: Campaign, kind: str) -> Iterator[None]:
    """Run the steps of one stage now: the stage is opened around this moment while the demo
    acts, then given back the dates that put the campaign at its point of the process."""
    stage = Stage.objects.get(campaign=campaign, kind=kind)
    planned = stage.starts_at, stage.deadline
    now = timezone.now()
    Stage.objects.filter(pk=stage.pk).update(
        starts_at=now - dt.timedelta(minutes=5), deadline=now + dt.timedelta(hours=2)
    )
    try:
        yield
    finally:
        Stage.objects.filter(pk=stage.pk).update(starts_at=planned[0], deadline=planned[1])


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


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ("建华", "丽娟", "志刚", "海燕", "文博", "晓明", "秀英", "国强", "春梅", "德胜", "雅琴", "立新")


def person_name(seed: int) -> str:
    return SURNAMES[seed % len(SURNAMES)] + GIVEN[(seed // len(SURNAMES)) % len(GIVEN)]


def seed_staff(region: DemoRegion) -> int:
    """The people behind the other units' applications and reviews: for every school and
    county without a demo login, a 填报员兼负责人 account, and a county reviewer for the counties
    without one. They have no password (nobody signs in as them); the demo acts in their name
    so the audit log names who did what. Returns how many accounts exist."""
    accounts: set[int] = set()
    taken = set(Membership.objects.filter(user__username__startswith="demo-").values_list("unit_id", "role"))
    for number, unit in enumerate([*region.counties, *region.schools]):
        wanted = [Role.APPLICANT, Role.HEAD]
        if unit.kind == Unit.Kind.COUNTY:
            wanted.append(Role.COUNTY_REVIEWER)
        for role in wanted:
            if (unit.pk, role) in taken:
                continue
            prefix = "reviewer" if role == Role.COUNTY_REVIEWER else "staff"
            user, created = User.objects.get_or_create(
                username=f"{prefix}-{unit.code}",
                defaults={"display_name": person_name(number * 3 + (role == Role.COUNTY_REVIEWER))},
            )
            if created:
                user.set_unusable_password()
                user.save()
            Membership.objects.get_or_create(user=user, unit=unit, role=role)
            accounts.add(user.pk)
    return len(accounts)


def _data(
    spec: DemoCampaign, region: DemoRegion, today: dt.date, records: dict[str, FrameworkRecord]
) -> services.CampaignData:
    school = records.get(spec.school)
    district = records.get(spec.district)
    applicants = (
        Campaign.Applicants.BOTH
        if school and district
        else Campaign.Applicants.SCHOOLS
        if school
        else Campaign.Applicants.DISTRICTS
    )
    stages = stage_times(today, spec.point)
    return services.CampaignData(
        name=spec.name,
        year=today.year - spec.years_ago,
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
) -> tuple[list[tuple[DemoCampaign, Campaign, bool]], list[str]]:
    """The demo campaigns with a usable framework, opened for applications: (spec, campaign,
    new). A campaign found from an earlier run keeps its world (`new` is False); one left with no
    application by an older demo is made again."""
    records = {r.key: r for r in FrameworkRecord.objects.filter(key__in=usable, is_active=True)}
    made: list[tuple[DemoCampaign, Campaign, bool]] = []
    skipped: list[str] = []
    for retired in Campaign.objects.filter(organizer=region.city, name__in=RETIRED, applications__isnull=True):
        retired.delete()
    for spec in reversed(CAMPAIGNS):  # newest first in lists: the first listed here ends on top
        if (spec.school and spec.school not in records) or (spec.district and spec.district not in records):
            skipped.append(spec.name)
            continue
        campaign = Campaign.objects.filter(organizer=region.city, name=spec.name).first()
        if campaign is not None and not campaign.applications.exists():
            campaign.delete()
            campaign = None
        if campaign is not None:
            made.insert(0, (spec, campaign, False))
            continue
        campaign = services.create_campaign(actor=organizer, data=_data(spec, region, today, records))
        with stage_open(campaign, Stage.Kind.APPLY):  # opened when applications were taken
            campaign = services.open_campaign(actor=organizer, campaign=campaign)
        made.insert(0, (spec, campaign, True))
    return made, skipped
