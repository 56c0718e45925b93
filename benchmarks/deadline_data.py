"""The deadline-day benchmark's world, built through the platform's own services: the demo
region's city and counties, one school per simulated user (each with its own applicant
account and a started application), and one campaign on the largest framework
(xiamen-trial-school, 66 indicators) whose application stage is open now.

Also what the load client needs to fill an indicator in (the leaves whose inputs are all
yes/no, number or choice, none fed from the form) and what the checker needs to read the
stored answers back. Run inside `benchmarks.deadline_day` after Django is set up."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from campuseval.accounts.models import Membership, Role, User
from campuseval.applications import services as application_services
from campuseval.applications.models import Application
from campuseval.campaigns import services as campaign_services
from campuseval.campaigns.models import Campaign, FrameworkRecord, Stage
from campuseval.engine import Framework, InputSpec, load_framework
from campuseval.orgs.demo import seed_region
from campuseval.orgs.models import Unit

FRAMEWORK = "xiamen-trial-school"
CAMPAIGN_NAME = "截止日压测：中小学智慧校园评价（厦门标准）"


@dataclass(frozen=True)
class SimUser:
    username: str
    application: int


@dataclass(frozen=True)
class World:
    campaign: int
    password: str
    users: list[SimUser]
    #: leaf code → [(input key, type, low, high, options)] for the leaves the client fills in
    leaves: dict[str, list[tuple[str, str, int, int, tuple[str, ...]]]]


def fillable_leaves(fw: Framework) -> dict[str, list[tuple[str, str, int, int, tuple[str, ...]]]]:
    out: dict[str, list[tuple[str, str, int, int, tuple[str, ...]]]] = {}
    for leaf in fw.leaves():
        specs = list(leaf.inputs.values())
        if not specs or any(s.type not in ("bool", "number", "choice") or s.form_field for s in specs):
            continue
        out[leaf.code] = [_shape(s) for s in specs]
    return out


def _shape(spec: InputSpec) -> tuple[str, str, int, int, tuple[str, ...]]:
    low = int(spec.min) if spec.min is not None else 0
    high = int(spec.max) if spec.max is not None else (100 if spec.percent else low + 500)
    return (spec.key, spec.type, low, high, tuple(spec.options))


def random_value(shape: tuple[str, str, int, int, tuple[str, ...]], rng: random.Random) -> str:
    _, kind, low, high, options = shape
    if kind == "bool":
        return rng.choice(("true", "false"))
    if kind == "choice":
        return rng.choice(options)
    return str(rng.randint(low, high))


def build(users: int, password: str) -> World:
    """A fresh world on an empty, migrated database."""
    loads = campaign_services.load_framework_records()
    if not any(o.ok and o.key == FRAMEWORK for o in loads):
        raise SystemExit(f"framework {FRAMEWORK} did not load")
    record = FrameworkRecord.objects.get(key=FRAMEWORK, is_active=True)
    hashed = make_password(password)  # one hash for every account: the hasher is slow on purpose
    with transaction.atomic():
        region = seed_region()
        organizer = User.objects.create(username="bench-organizer", display_name="压测组织者", password=hashed)
        Membership.objects.create(user=organizer, unit=region.city, role=Role.ORGANIZER)
        now = timezone.now()
        later = now + dt.timedelta(days=1)
        data = campaign_services.CampaignData(
            name=CAMPAIGN_NAME,
            year=timezone.localdate().year,
            kind=Campaign.Kind.EVALUATION,
            organizer=region.city,
            applicants=Campaign.Applicants.SCHOOLS,
            as_of=timezone.localdate(),
            covered_units=list(region.counties),
            school_framework=record,
            school_form=campaign_services.default_form("school", record.key),
            stages={
                Stage.Kind.APPLY: (now - dt.timedelta(days=7), later),
                Stage.Kind.COUNTY_REVIEW: (later + dt.timedelta(hours=1), later + dt.timedelta(days=10)),
                Stage.Kind.EXPERT_REVIEW: (later + dt.timedelta(days=11), later + dt.timedelta(days=20)),
                Stage.Kind.PUBLICITY: (later + dt.timedelta(days=21), later + dt.timedelta(days=28)),
            },
        )
        campaign = campaign_services.create_campaign(actor=organizer, data=data)
        campaign = campaign_services.open_campaign(actor=organizer, campaign=campaign)
        sims = []
        for number in range(users):
            county = region.counties[number % len(region.counties)]
            school = Unit.objects.create(
                code=f"{county.code}8{number:04d}",
                name=f"{county.name}压测第{number + 1}小学",
                kind=Unit.Kind.SCHOOL,
                parent=county,
                stage=Unit.Stage.PRIMARY,
                area=Unit.Area.URBAN if number % 3 else Unit.Area.RURAL,
                students=600 + number,
                staff=40 + number % 30,
                classes=12 + number % 20,
            )
            user = User.objects.create(
                username=f"bench-school-{number:04d}", display_name=f"填报员{number + 1}", password=hashed
            )
            Membership.objects.create(user=user, unit=school, role=Role.APPLICANT)
            application = application_services.start_application(actor=user, campaign=campaign, unit=school)
            sims.append(SimUser(user.username, application.pk))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # autovacuum is off on this machine: plans need statistics
    return World(campaign.pk, password, sims, fillable_leaves(load_framework(FRAMEWORK)))


def stored(application_ids: list[int]) -> dict[int, tuple[dict[str, Any], dict[str, str]]]:
    """Per application: (answers by indicator code, narratives by code), as stored."""
    rows = Application.objects.filter(pk__in=application_ids).values_list("pk", "answers", "narratives")
    return {pk: ((answers or {}).get("answers") or {}, narratives or {}) for pk, answers, narratives in rows}
