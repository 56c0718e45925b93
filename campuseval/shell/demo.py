"""The whole demo world for `manage.py seed_demo`, floor by floor: frameworks, the demo city and
its accounts, the expert pool, and one campaign per framework, each taken through the services
to a different point of the process — filling in, county review, expert review, 公示, final
list, and the second year of cultivation — so every persona's pages have something in them. It
lives in the shell because only the top floor may call every app."""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from campuseval.accounts.models import Role, User
from campuseval.applications.models import Application
from campuseval.campaigns import services as campaign_services
from campuseval.campaigns.demo import DemoReport, Point, seed_accounts, seed_campaigns, seed_staff, stage_open
from campuseval.campaigns.models import Campaign, Stage
from campuseval.cultivation.demo import seed_cultivation
from campuseval.orgs.demo import DemoRegion, seed_region
from campuseval.orgs.models import Unit
from campuseval.reports.targets import seed_demo_targets
from campuseval.reviews import demo as rd
from campuseval.reviews import services as review_services
from campuseval.reviews.models import CountyReview

ACCEPTED, REJECTED, RETURNED = (
    CountyReview.Decision.ACCEPTED,
    CountyReview.Decision.REJECTED,
    CountyReview.Decision.RETURNED,
)


@dataclass
class Scene:
    region: DemoRegion
    organizer: User
    today: dt.date
    campaign: Campaign

    def units(self, names: Sequence[str]) -> list[Unit]:
        found = {u.name: u for u in (*self.region.counties, *self.region.schools)}
        return [found[name] for name in names]

    def fill(self, names: Sequence[str], *, submit: bool = True, strength: float = 0.5) -> list[Application]:
        """The units fill in their applications and, when `submit`,
        their heads submit them."""
        out = []
        for number, unit in enumerate(self.units(names)):
            rng = random.Random(f"{self.campaign.name}/{unit.code}/strength")
            # the first unit named is the strongest; the others anywhere in the upper half
            filling = rd.Filling(strength=strength if number == 0 else rng.uniform(max(strength - 0.5, 0), strength))
            application = rd.fill_application(
                campaign=self.campaign, unit=unit, filling=filling, seed=f"{self.campaign.name}/{unit.code}"
            )
            out.append(rd.submit(application) if submit else application)
        return out

    def advance(self) -> None:
        self.campaign = campaign_services.advance_campaign(actor=self.organizer, campaign=self.campaign)

    def by_county(self, apps: Sequence[Application]) -> dict[Unit, list[Application]]:
        out: dict[Unit, list[Application]] = {}
        for app in apps:
            county = app.unit if app.unit.kind == Unit.Kind.COUNTY else app.unit.parent
            assert county is not None
            out.setdefault(county, []).append(app)
        return out

    def review_all(self, apps: Sequence[Application], *, partial: bool = False) -> None:
        """The panel is formed, each application goes to two experts without a conflict, and
        they score (`partial`: some sheets open, some only assigned, the rest submitted)."""
        panel = rd.form_panel(self.campaign, self.organizer)
        rng = random.Random(self.campaign.name)
        number = 0
        for app in apps:
            for assignment in rd.assign(panel, app, self.organizer):
                step = number % 3 if partial else 0
                if step == 0:
                    rd.score_sheet(assignment, rng=rng)
                elif step == 1:
                    rd.score_sheet(assignment, rng=rng, partial=True)
                number += 1

    def day(self, days: int) -> dt.date:
        return self.today + dt.timedelta(days=days)


# --- the six campaigns -------------------------------------------------------------------------

#: 厦门: applications being filled in — drafts at different stages, a few already submitted
XIAMEN_DRAFTS = ("城关区实验小学", "清河县城南小学", "示例高新区创新路小学")
XIAMEN_SUBMITTED = ("城关区第二小学", "清河县实验小学", "示例高新区未来学校")


def filling(scene: Scene) -> None:
    for number, unit in enumerate(scene.units(XIAMEN_DRAFTS)):
        filling = rd.Filling(answered=(0.35, 0.6, 0.2)[number], evidence=number % 2 == 0)
        rd.fill_application(campaign=scene.campaign, unit=unit, filling=filling, seed=f"xm/{unit.code}")
    scene.fill(XIAMEN_SUBMITTED, strength=0.8)


def county_review(scene: Scene) -> None:
    """泰州: the county review runs — each county at its own pace."""
    with stage_open(scene.campaign, Stage.Kind.APPLY):
        apps = scene.fill(
            (
                "城关区实验小学",
                "城关区第二小学",
                "城关区第三小学",
                "城关区第一初级中学",
                "清河县实验小学",
                "清河县马店镇中心小学",
                "清河县第一中学",
                "清河县城南小学",
                "示例高新区实验小学",
                "示例高新区未来学校",
            ),
            strength=0.9,
        )
    scene.advance()
    a = {app.unit.name: app for app in apps}
    rd.county_decide(a["城关区实验小学"], RETURNED, reason="网络建设合同缺少验收页，请补充上传后重新提交")
    rd.county_decide(a["城关区第二小学"], ACCEPTED, adjust=True)
    rd.county_decide(a["城关区第三小学"], REJECTED, reason="生机比等基本要求（★）未达到，本年度不予推荐")
    qinghe = [a["清河县实验小学"], a["清河县马店镇中心小学"], a["清河县第一中学"]]
    for app in qinghe:
        rd.county_decide(app, ACCEPTED)
    rd.county_decide(a["清河县城南小学"], REJECTED, reason="自评分与佐证材料出入较大，核实后未达合格等级")
    rd.recommend(scene.campaign, scene.region.county("清河县"), qinghe, confirm=True)
    rd.county_decide(a["示例高新区未来学校"], RETURNED, reason="请补充智慧教室实景照片及使用记录", fix_days=10)
    # 城关区第一初级中学 and 示例高新区实验小学 wait for their county's decision


#: 亳州示范校: recommended schools per county, at least two rural ones each
BOZHOU_SCHOOLS = {
    "城关区": ("城关区实验小学", "城关区东关镇中心小学", "城关区十河镇初级中学", "城关区第一初级中学"),
    "清河县": ("清河县实验小学", "清河县马店镇中心小学", "清河县柳湾乡中心小学"),
    "示例高新区": ("示例高新区实验小学", "示例高新区新桥街道中心小学", "示例高新区新桥九年一贯制学校"),
}
BOZHOU_OTHERS = ("城关区第三小学", "清河县城南小学")


def expert_review(scene: Scene) -> None:
    """亳州示范区: the three districts are with the experts; some sheets are submitted, some open."""
    with stage_open(scene.campaign, Stage.Kind.APPLY):
        apps = scene.fill(("城关区", "清河县", "示例高新区"), strength=0.8)
    scene.advance()
    with stage_open(scene.campaign, Stage.Kind.COUNTY_REVIEW):
        for app in apps:
            rd.county_decide(app, ACCEPTED)
            rd.recommend(scene.campaign, app.unit, [app], confirm=True)
    scene.advance()
    scene.review_all(apps, partial=True)


def publicity(scene: Scene) -> None:
    """亳州示范校: the proposed list is in its 公示; one objection answered, one waiting."""
    names = [n for county in BOZHOU_SCHOOLS.values() for n in county]
    with stage_open(scene.campaign, Stage.Kind.APPLY):
        apps = scene.fill([*names, *BOZHOU_OTHERS], strength=1.0)
    scene.advance()
    a = {app.unit.name: app for app in apps}
    with stage_open(scene.campaign, Stage.Kind.COUNTY_REVIEW):
        for name in names:
            rd.county_decide(a[name], ACCEPTED, adjust=name == "城关区第一初级中学")
        rd.county_decide(a["城关区第三小学"], REJECTED, reason="第五部分所选方向的佐证材料不足，未达到推荐条件")
        rd.county_decide(a["清河县城南小学"], ACCEPTED)  # accepted, but the county's places went to others
        for county, schools in BOZHOU_SCHOOLS.items():
            rd.recommend(scene.campaign, scene.region.county(county), [a[n] for n in schools], confirm=True)
    scene.advance()
    finalists = [a[n] for n in names]
    with stage_open(scene.campaign, Stage.Kind.EXPERT_REVIEW):
        scene.review_all(finalists)
    rd.publish(scene.campaign, scene.organizer, scene.day(-3))
    rd.object_to(scene.campaign, finalists[0], scene.day(-2), scene.organizer)
    rd.object_to(scene.campaign, finalists[1], scene.day(-1))


def final(scene: Scene) -> None:
    """四川示范区: the 公示 ended last week and the final list is out."""
    with stage_open(scene.campaign, Stage.Kind.APPLY):
        apps = scene.fill(("城关区", "清河县", "示例高新区"), strength=0.9)
    scene.advance()
    with stage_open(scene.campaign, Stage.Kind.COUNTY_REVIEW):
        for app in apps:
            rd.county_decide(app, ACCEPTED)
            rd.recommend(scene.campaign, app.unit, [app], confirm=True)
    scene.advance()
    with stage_open(scene.campaign, Stage.Kind.EXPERT_REVIEW):
        scene.review_all(apps)
    publication = rd.publish(scene.campaign, scene.organizer, scene.day(-20))
    rd.object_to(scene.campaign, apps[0], scene.day(-18), scene.organizer)
    review_services.finalize_results(
        actor=scene.organizer, campaign=scene.campaign, today=publication.ends_on + dt.timedelta(days=1)
    )


SICHUAN_SCHOOLS = (
    "城关区实验小学",
    "清河县第一中学",
    "示例高新区未来学校",
    "清河县实验小学",
    "示例高新区实验初级中学",
    "城关区双沟镇九年一贯制学校",
)


def cultivation(scene: Scene) -> None:
    """四川示范学校 (last year): selected, and now in the second year of cultivation."""
    with stage_open(scene.campaign, Stage.Kind.APPLY):
        apps = scene.fill([*SICHUAN_SCHOOLS, "示例高新区第一高级中学"], strength=1.0)
    scene.advance()
    a = {app.unit.name: app for app in apps}
    with stage_open(scene.campaign, Stage.Kind.COUNTY_REVIEW):
        for name in SICHUAN_SCHOOLS:
            rd.county_decide(a[name], ACCEPTED)
        rd.county_decide(a["示例高新区第一高级中学"], REJECTED, reason="近 2 年内存在信息安全通报事项，不符合申报条件")
        for county, schools in scene.by_county([a[n] for n in SICHUAN_SCHOOLS]).items():
            rd.recommend(scene.campaign, county, schools, confirm=True)
    scene.advance()
    finalists = [a[n] for n in SICHUAN_SCHOOLS]
    with stage_open(scene.campaign, Stage.Kind.EXPERT_REVIEW):
        scene.review_all(finalists)
    publication = rd.publish(scene.campaign, scene.organizer, scene.day(-420))
    review_services.finalize_results(
        actor=scene.organizer, campaign=scene.campaign, today=publication.ends_on + dt.timedelta(days=1)
    )
    seed_cultivation(scene.campaign, scene.organizer, scene.today)


SCENES: dict[str, Callable[[Scene], None]] = {
    Point.FILLING: filling,
    Point.COUNTY_REVIEW: county_review,
    Point.EXPERT_REVIEW: expert_review,
    Point.PUBLICITY: publicity,
    Point.FINAL: final,
    Point.CULTIVATION: cultivation,
}


def seed_demo(*, today: dt.date | None = None, password: str | None = None) -> DemoReport:
    """Everything the demo needs, in one transaction (frameworks are loaded first, each on its
    own). A campaign made by an earlier run is left as it stands, so running twice gives the
    same world."""
    today = today or timezone.localdate()
    password = password or os.environ.get("DEMO_PASSWORD") or None
    loads = campaign_services.load_framework_records()
    usable = {o.key for o in loads if o.ok}
    with transaction.atomic():
        region = seed_region()
        report = DemoReport(region=region, frameworks=loads, fixed_password=bool(password))
        report.accounts = seed_accounts(region, password)
        report.staff = seed_staff(region)
        report.experts = rd.seed_reviews()
        organizer = next(u for spec, u, _ in report.accounts if Role.ORGANIZER in spec.roles)
        made, report.skipped = seed_campaigns(region, organizer, usable, today)
        seed_demo_targets(actor=organizer, region=region.city)  # the seeds' targets, as data the organizer edits
        for spec, campaign, new in made:
            if not new:
                continue
            try:  # a step the services refuse leaves this campaign without its world, not the others
                with transaction.atomic():
                    SCENES[spec.point](Scene(region, organizer, today, campaign))
            except (ValidationError, PermissionDenied) as exc:
                messages = exc.messages if isinstance(exc, ValidationError) else ["没有权限"]
                report.failed.append((spec.name, "；".join(messages)))
        report.campaigns = [Campaign.objects.get(pk=c.pk) for _, c, _ in made]
        report.points = {c.pk: spec.point for spec, c, _ in made}
    return report
