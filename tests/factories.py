"""factory-boy factories for the platform's main models.

Each factory makes a valid row with the fewest collaborators; pass what a test cares about.
Passwords are set through `create_user` (the suite's autouse fixture swaps in a fast hasher)."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from campuseval.accounts.models import Membership, Role, User
from campuseval.applications.models import Application, ApplicationVersion
from campuseval.campaigns.models import Campaign, FrameworkRecord, Stage
from campuseval.cultivation.models import Project
from campuseval.notifications.models import Notification
from campuseval.orgs.models import Unit
from campuseval.reports.models import ExportJob
from campuseval.reviews.models import (
    Assignment,
    CountyReview,
    Expert,
    Panel,
    Publication,
    PublishedEntry,
    RecommendationEntry,
    RecommendationList,
    Result,
    ReviewSettings,
)

PASSWORD = "x-Pass-12345"

#: A two-indicator school framework small enough to score by hand.
MINI_FRAMEWORK = """
id: factorymini
title: 工厂迷你框架
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
    points: 2
    inputs:
      - {key: ok, type: bool, label: 制定制度}
    rule: {type: yes_no, input: ok}
  - code: "3"
    title: 教学获奖
    points: 2
    inputs:
      - key: awards
        type: items
        label: 获奖
        fields:
          - {key: name, type: text, label: 奖项名称}
          - {key: level, type: choice, label: 级别, options: [市级, 省级]}
    rule:
      type: level_items
      input: awards
      points: {市级: 1, 省级: 2}
      cap: 2
"""

MINI_ANSWERS: dict[str, Any] = {"answers": {"1": {"bw": 600}, "2": {"ok": True}, "3": {"awards": []}}}
MINI_RESULT: dict[str, Any] = {"indicators": {"1": {"points": "6"}, "2": {"points": "2"}, "3": {"points": "0"}}}


# --- units and people ----------------------------------------------------------------------------


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"单位{n}")
    kind = Unit.Kind.SCHOOL
    parent = None

    @classmethod
    def province(cls, **kwargs: Any) -> Unit:
        return cls(kind=Unit.Kind.PROVINCE, **kwargs)

    @classmethod
    def city(cls, parent: Unit | None = None, **kwargs: Any) -> Unit:
        return cls(kind=Unit.Kind.CITY, parent=parent, **kwargs)

    @classmethod
    def county(cls, parent: Unit, **kwargs: Any) -> Unit:
        return cls(kind=Unit.Kind.COUNTY, parent=parent, **kwargs)

    @classmethod
    def school(cls, parent: Unit, **kwargs: Any) -> Unit:
        kwargs.setdefault("stage", Unit.Stage.PRIMARY)
        kwargs.setdefault("area", Unit.Area.URBAN)
        return cls(kind=Unit.Kind.SCHOOL, parent=parent, **kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: o.username)
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.cn")

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        password = kwargs.pop("password", PASSWORD)
        return model_class.objects.create_user(*args, password=password, **kwargs)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.APPLICANT


def person(username: str, unit: Unit, *roles: str, **kwargs: Any) -> User:
    """A user holding `roles` at `unit`."""
    user = UserFactory(username=username, **kwargs)
    for role in roles:
        MembershipFactory(user=user, unit=unit, role=role)
    return user


# --- campaigns and applications ------------------------------------------------------------------


class FrameworkRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FrameworkRecord
        django_get_or_create = ("key",)

    key = "factorymini"
    title = "工厂迷你框架"
    subject = "school"
    total = Decimal(10)
    source_yaml = MINI_FRAMEWORK
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.source_yaml.encode()).hexdigest())


class CampaignFactory(factory.django.DjangoModelFactory):
    """A selection campaign of schools; `stages=True` (default) adds the four stages around now."""

    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"2024 智慧校园示范校遴选{n}")
    year = 2024
    organizer = factory.SubFactory(UnitFactory, kind=Unit.Kind.CITY)
    applicants = Campaign.Applicants.SCHOOLS
    school_framework = factory.SubFactory(FrameworkRecordFactory)
    as_of = dt.date(2024, 5, 30)
    status = Campaign.Status.OPEN

    @factory.post_generation
    def stages(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create or extracted is False:
            return
        now = timezone.now()
        for offset, kind in enumerate(Stage.Kind.values):
            StageFactory(
                campaign=self,
                kind=kind,
                starts_at=now + dt.timedelta(days=20 * offset - 10),
                deadline=now + dt.timedelta(days=20 * offset + 10),
            )


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    campaign = factory.SubFactory(CampaignFactory, stages=False)
    kind = Stage.Kind.APPLY
    starts_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=10))


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A draft by default; `status=SUBMITTED` (or later) also writes version 1."""

    class Meta:
        model = Application
        skip_postgeneration_save = True

    campaign = factory.SubFactory(CampaignFactory)
    unit = factory.SubFactory(UnitFactory)
    framework = factory.LazyAttribute(lambda o: o.campaign.school_framework)
    answers = factory.LazyFunction(lambda: dict(MINI_ANSWERS))
    result = factory.LazyFunction(lambda: dict(MINI_RESULT))
    self_total = Decimal(10)
    status = Application.Status.DRAFT
    submitted_at = factory.LazyAttribute(lambda o: None if o.status == Application.Status.DRAFT else timezone.now())

    @factory.post_generation
    def version(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and self.status != Application.Status.DRAFT and extracted is not False:
            ApplicationVersionFactory(application=self)


class ApplicationVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationVersion

    application = factory.SubFactory(ApplicationFactory, status=Application.Status.SUBMITTED, version=False)
    number = 1
    answers = factory.LazyAttribute(lambda o: o.application.answers)
    result = factory.LazyAttribute(lambda o: o.application.result)
    total = factory.LazyAttribute(lambda o: o.application.self_total)
    promise_text = "我单位申报的所有材料均真实、完整。"
    submitted_at = factory.LazyFunction(timezone.now)


# --- reviews -------------------------------------------------------------------------------------


class ReviewSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewSettings
        django_get_or_create = ("campaign",)

    campaign = factory.SubFactory(CampaignFactory)


class CountyReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CountyReview

    application = factory.SubFactory(ApplicationFactory, status=Application.Status.ACCEPTED)
    version_number = 1
    decision = CountyReview.Decision.ACCEPTED
    opinion = "同意推荐"
    result = factory.LazyFunction(lambda: dict(MINI_RESULT))
    total = Decimal(10)


class RecommendationListFactory(factory.django.DjangoModelFactory):
    """A county's list; pass `entries=[applications]` to fill its rows in order."""

    class Meta:
        model = RecommendationList
        skip_postgeneration_save = True

    campaign = factory.SubFactory(CampaignFactory)
    unit = factory.SubFactory(UnitFactory, kind=Unit.Kind.COUNTY)
    filled_by = "张老师"
    phone = "0551-0000000"

    @factory.post_generation
    def entries(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        for position, application in enumerate(extracted or [], start=1):
            RecommendationEntry.objects.create(recommendation=self, application=application, position=position)


class ExpertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expert
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory, kind=Unit.Kind.CITY)
    title = "高级教师"
    fields = "教育信息化"

    @factory.post_generation
    def membership(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted is not False:
            Membership.objects.get_or_create(user=self.user, unit=self.unit, role=Role.EXPERT)


class PanelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Panel
        skip_postgeneration_save = True

    campaign = factory.SubFactory(CampaignFactory)
    name = factory.Sequence(lambda n: f"第{n}评审组")

    @factory.post_generation
    def members(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.members.add(*extracted)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    panel = factory.SubFactory(PanelFactory)
    application = factory.SubFactory(
        ApplicationFactory, campaign=factory.SelfAttribute("..panel.campaign"), status=Application.Status.RECOMMENDED
    )
    expert = factory.SubFactory(ExpertFactory)


class ResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Result

    application = factory.SubFactory(ApplicationFactory, status=Application.Status.RECOMMENDED)
    campaign = factory.LazyAttribute(lambda o: o.application.campaign)
    materials = Decimal("9.50")
    final = Decimal("9.50")
    indicators = factory.LazyFunction(lambda: {"1": "6", "2": "2", "3": "1.5"})
    method = "算术平均"
    rank = 1
    selected = True
    level = "优秀"
    status = Result.Status.FINAL


class PublicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Publication

    campaign = factory.SubFactory(CampaignFactory, status=Campaign.Status.PUBLICITY)
    starts_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=1))
    ends_on = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=6))
    tie_rule = "总分相同时按材料评审得分排序"


class PublishedEntryFactory(factory.django.DjangoModelFactory):
    """One application's result as a publication froze it (copied from its Result)."""

    class Meta:
        model = PublishedEntry

    publication = factory.SubFactory(PublicationFactory)
    application = factory.SubFactory(ApplicationFactory)
    unit_name = factory.LazyAttribute(lambda o: o.application.unit.name)
    county_name = factory.LazyAttribute(lambda o: o.application.unit.parent.name if o.application.unit.parent else "")
    materials = Decimal("9.50")
    final = Decimal("9.50")
    rank = 1
    selected = True
    level = "优秀"
    method = "算术平均"
    indicators = factory.LazyFunction(lambda: {"1": "6", "2": "2", "3": "1.5"})


# --- cultivation, notifications, exports ---------------------------------------------------------


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    application = factory.SubFactory(ApplicationFactory, status=Application.Status.RECOMMENDED)
    selection = factory.LazyAttribute(lambda o: o.application.campaign)
    unit = factory.LazyAttribute(lambda o: o.application.unit)
    start_date = dt.date(2024, 9, 1)
    creation_score = Decimal("9.50")


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(UserFactory)
    text = factory.Sequence(lambda n: f"通知{n}：申报材料已提交")
    link = "/"


class ExportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExportJob

    user = factory.SubFactory(UserFactory)
    campaign = factory.SubFactory(CampaignFactory)
    list_key = "applications"
    title = factory.LazyAttribute(lambda o: f"申报列表-{o.campaign.name}")
    status = ExportJob.Status.QUEUED
