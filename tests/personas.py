"""One persona world for the access tests: everyone who may or may not act on a school's
application, and every object they act on.

    示范市 (city)                         外市 (another city)
    ├── 甲县 (county X)                   └── 丙县
    │   └── 甲县实验小学 (the school)          └── 丙县中学
    └── 乙县 (county Y, same city)
        └── 乙县第一中学

The city organizes "2024 示范市智慧校园遴选": the school's application is submitted, recommended
by 甲县's list, assigned to one expert, scored, published and turned into a cultivation project.
A second campaign of the city holds the school's draft application."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.test import Client

from campuseval.accounts.models import Role, User
from campuseval.applications.models import Application, Evidence
from campuseval.campaigns.models import Campaign
from campuseval.cultivation.models import Project
from campuseval.notifications.models import Notification
from campuseval.orgs.models import Unit
from campuseval.reports.models import ExportJob
from campuseval.reviews.models import (
    Assignment,
    Conflict,
    Expert,
    Objection,
    Panel,
    Publication,
    RecommendationList,
    Result,
)

from . import factories as f

PDF = b"%PDF-1.4\n%%EOF\n"

#: Every persona, in the order the matrices walk them; "anonymous" has no account.
PERSONAS: tuple[str, ...] = (
    "school_officer",
    "school_head",
    "district_applicant",
    "county_reviewer",
    "city_organizer",
    "expert",
    "unassigned_expert",
    "outsider_reviewer",
    "outsider_organizer",
    "outsider_school",
    "anonymous",
)
SIGNED_IN: tuple[str, ...] = PERSONAS[:-1]


@dataclass
class Personas:
    # units
    city: Unit
    county: Unit
    school: Unit
    county_y: Unit
    school_y: Unit
    other_city: Unit
    other_county: Unit
    other_school: Unit
    # people (None for the anonymous visitor)
    school_officer: User
    school_head: User
    district_applicant: User
    county_reviewer: User
    city_organizer: User
    expert: User
    unassigned_expert: User
    outsider_reviewer: User
    outsider_organizer: User
    outsider_school: User
    # objects
    campaign: Campaign
    application: Application
    evidence: Evidence
    draft_campaign: Campaign
    draft: Application
    draft_evidence: Evidence
    recommendation: RecommendationList
    expert_profile: Expert
    unassigned_profile: Expert
    panel: Panel
    assignment: Assignment
    result: Result
    publication: Publication
    objection: Objection
    conflict: Conflict
    project: Project
    export_job: ExportJob
    notification: Notification
    anonymous: None = None
    _clients: dict[str, Client] = field(default_factory=dict, repr=False)

    def user(self, who: str) -> User | None:
        return getattr(self, who) if who != "anonymous" else None

    def client(self, who: str) -> Client:
        """A client signed in as `who` (anonymous: signed out); one per persona and test."""
        if who not in self._clients:
            c = Client()
            user = self.user(who)
            if user is not None:
                c.force_login(user)
            self._clients[who] = c
        return self._clients[who]


def _evidence(application: Application, user: User, name: str) -> Evidence:
    ev = Evidence(
        application=application,
        indicator_code="1",
        original_name=name,
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        uploaded_by=user,
    )
    ev.file.save(name, ContentFile(PDF), save=False)
    ev.save()
    return ev


def build_personas() -> Personas:
    U = f.UnitFactory
    city = U.city(code="P-C", name="示范市")
    county = U.county(city, code="P-X", name="甲县")
    school = U.school(county, code="P-XA", name="甲县实验小学", area=Unit.Area.RURAL)
    county_y = U.county(city, code="P-Y", name="乙县")
    school_y = U.school(county_y, code="P-YB", name="乙县第一中学")
    other_city = U.city(code="Q-C", name="外市")
    other_county = U.county(other_city, code="Q-Z", name="丙县")
    other_school = U.school(other_county, code="Q-ZA", name="丙县中学")

    person = f.person
    people: dict[str, Any] = {
        "school_officer": person("school_officer", school, Role.APPLICANT, display_name="王填报"),
        "school_head": person("school_head", school, Role.HEAD, display_name="李校长"),
        "district_applicant": person("district_applicant", county, Role.APPLICANT, Role.HEAD),
        "county_reviewer": person("county_reviewer", county, Role.COUNTY_REVIEWER),
        "city_organizer": person("city_organizer", city, Role.ORGANIZER),
        "outsider_reviewer": person("outsider_reviewer", county_y, Role.COUNTY_REVIEWER),
        "outsider_organizer": person("outsider_organizer", other_city, Role.ORGANIZER),
        "outsider_school": person("outsider_school", school_y, Role.APPLICANT),
    }
    expert_profile = f.ExpertFactory(user__username="expert", user__display_name="赵专家", unit=city, region=county_y)
    unassigned_profile = f.ExpertFactory(user__username="unassigned_expert", unit=city, region=county_y)

    campaign = f.CampaignFactory(
        name="2024 示范市智慧校园遴选", organizer=city, status=Campaign.Status.PUBLICITY, places_schools=2
    )
    f.ReviewSettingsFactory(campaign=campaign, city_review=True, experts_per_application=1)
    application = f.ApplicationFactory(
        campaign=campaign, unit=school, status=Application.Status.RECOMMENDED, form_data={"contact_name": "王老师"}
    )
    f.CountyReviewFactory(application=application, reviewer=people["county_reviewer"])
    evidence = _evidence(application, people["school_officer"], "网络合同.pdf")
    recommendation = f.RecommendationListFactory(
        campaign=campaign,
        unit=county,
        entries=[application],
        confirmed_name="甲县李局长",
        confirmed_at=dt.datetime.now(dt.UTC),
    )
    panel = f.PanelFactory(campaign=campaign, name="第一评审组", members=[expert_profile, unassigned_profile])
    assignment = f.AssignmentFactory(panel=panel, application=application, expert=expert_profile)
    result = f.ResultFactory(application=application, campaign=campaign)
    # the final list is out (so the school reads its result); the objection was lodged during 公示
    publication = f.PublicationFactory(
        campaign=campaign,
        published_by=people["city_organizer"],
        status=Publication.Status.FINAL,
        finalized_at=dt.datetime.now(dt.UTC),
    )
    f.PublishedEntryFactory(
        publication=publication,
        application=application,
        final=result.final,
        materials=result.materials,
        indicators=result.indicators,
    )
    objection = Objection.objects.create(
        campaign=campaign, application=application, name="市民甲", contact="13900000000", text="请核实带宽"
    )
    conflict = Conflict.objects.create(expert=expert_profile, unit=school_y, reason="曾在该校任教")
    project = f.ProjectFactory(application=application, selection=campaign, unit=school, plan_name="实施方案.pdf")
    project.plan.save("实施方案.pdf", ContentFile(PDF), save=True)

    draft_campaign = f.CampaignFactory(name="2025 示范市智慧校园遴选", year=2025, organizer=city)
    draft = f.ApplicationFactory(campaign=draft_campaign, unit=school, status=Application.Status.DRAFT)
    draft_evidence = _evidence(draft, people["school_officer"], "草稿佐证.pdf")

    export_job = f.ExportJobFactory(
        user=people["city_organizer"],
        campaign=campaign,
        title="申报列表-2024 示范市智慧校园遴选",
        status=ExportJob.Status.DONE,
        filename="申报列表.xlsx",
        rows_done=1,
        rows_total=1,
    )
    export_job.file.save("申报列表.xlsx", ContentFile(b"PK\x03\x04 not really a workbook"), save=True)
    notification = f.NotificationFactory(user=people["school_officer"], text="甲县实验小学的申报材料已推荐")

    return Personas(
        city=city,
        county=county,
        school=school,
        county_y=county_y,
        school_y=school_y,
        other_city=other_city,
        other_county=other_county,
        other_school=other_school,
        expert=expert_profile.user,
        unassigned_expert=unassigned_profile.user,
        campaign=campaign,
        application=application,
        evidence=evidence,
        draft_campaign=draft_campaign,
        draft=draft,
        draft_evidence=draft_evidence,
        recommendation=recommendation,
        expert_profile=expert_profile,
        unassigned_profile=unassigned_profile,
        panel=panel,
        assignment=assignment,
        result=result,
        publication=publication,
        objection=objection,
        conflict=conflict,
        project=project,
        export_job=export_job,
        notification=notification,
        **people,
    )
