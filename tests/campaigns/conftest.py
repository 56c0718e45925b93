"""Campaign tests reuse the application world (city 示例市, counties 甲县/乙县, the personas)
and add a neighbouring city with its own organizer and campaign, plus a district framework."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from campuseval.accounts.models import Role
from campuseval.campaigns.models import Campaign, FrameworkRecord
from campuseval.campaigns.services import CampaignData
from campuseval.orgs.models import Unit
from tests.web.appworld import World, build_world, make_user

DISTRICT_FRAMEWORK = """
id: distmini
title: 区县测试框架
subject: district
level_names: [一级]
total: 10
indicators:
  - code: "1"
    title: 区域统筹
    points: 10
    inputs: [{key: ok, type: bool, label: 统筹推进}]
    rule: {type: yes_no, input: ok}
"""


@dataclasses.dataclass
class CampaignWorld:
    w: World
    district_record: FrameworkRecord
    other_city: Unit
    other_county: Unit
    other_school: Unit
    other_campaign: Campaign

    @property
    def users(self) -> dict[str, Any]:
        return self.w.users

    def client(self, who: str) -> Client:
        return self.w.client(who)


def framework_record(text: str) -> FrameworkRecord:
    key = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("id:"))
    subject = next(line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("subject:"))
    return FrameworkRecord.objects.create(
        key=key,
        title="区县测试框架" if subject == "district" else key,
        subject=subject,
        total=10,
        source_yaml=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )


@pytest.fixture
def cw(db: None) -> CampaignWorld:
    w = build_world()
    district = framework_record(DISTRICT_FRAMEWORK)
    city = Unit.objects.create(code="Z-C", name="邻市", kind=Unit.Kind.CITY)
    county = Unit.objects.create(code="Z-X", name="邻市丙县", kind=Unit.Kind.COUNTY, parent=city)
    school = Unit.objects.create(
        code="Z-A",
        name="丙县第二中学",
        kind=Unit.Kind.SCHOOL,
        parent=county,
        stage=Unit.Stage.JUNIOR,
        area=Unit.Area.RURAL,
    )
    w.users["other_organizer"] = make_user("other_organizer", city, Role.ORGANIZER)
    other = Campaign.objects.create(
        name="邻市智慧校园评估",
        year=2024,
        organizer=city,
        applicants="schools",
        school_framework=w.record,
        as_of=dt.date(2024, 5, 30),
        status=Campaign.Status.OPEN,
    )
    return CampaignWorld(w, district, city, county, school, other)


def stages(days_from_now: int = -1) -> dict[str, tuple[dt.datetime, dt.datetime]]:
    start = timezone.now().replace(microsecond=0, second=0) + dt.timedelta(days=days_from_now)
    return {
        "apply": (start, start + dt.timedelta(days=20)),
        "county_review": (start + dt.timedelta(days=21), start + dt.timedelta(days=30)),
    }


def campaign_data(cw: CampaignWorld, **changes: Any) -> CampaignData:
    base = CampaignData(
        name="2025 智慧校园示范校遴选",
        year=2025,
        kind=Campaign.Kind.SELECTION,
        organizer=cw.w.city,
        applicants=Campaign.Applicants.SCHOOLS,
        as_of=dt.date(2025, 6, 30),
        covered_units=[cw.w.county_x],
        school_framework=cw.w.record,
        school_form="school",
        max_schools_per_county=10,
        min_rural_per_county=2,
        min_self_score=None,
        places_schools=5,
        stages=stages(),
    )
    return dataclasses.replace(base, **changes)
