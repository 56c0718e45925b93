"""A full three-year cultivation cycle on fixed dates: selection, schedule, annual reports, a
warning, a termination, a district that reaches 100 but fails the sampled-school condition,
and one that is awarded."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from campuseval.accounts.models import Membership, Role, User
from campuseval.applications.models import Application
from campuseval.campaigns.models import Campaign, FrameworkRecord
from campuseval.cultivation import services
from campuseval.cultivation.models import Evaluation, Project
from campuseval.orgs.models import Unit
from campuseval.reviews import ladder
from campuseval.reviews.models import Result
from tests.cultivation.conftest import act

pytestmark = pytest.mark.django_db

FRAMEWORK = """
id: mini-district
family: mini
title: 迷你区域框架
subject: district
level_names: [评价项目(A), 评价要素(C)]
total: 120
indicators:
  - code: A1
    title: 基本任务
    points: 100
    children:
      - code: C1
        title: 基础
        points: 100
        inputs: [{key: p, type: number, label: 评定分}]
        rule: {type: manual, input: p}
  - code: A7
    title: 示范引领
    points: 20
    children:
      - code: C38
        title: 发展愿景
        points: 20
        scoring: 发展蓝图务实细致（创建阶段由评审组评定得分；验收阶段根据完成情况打分，不超过创建评定分）。
        capped_by_creation: true
        inputs: [{key: p, type: number, label: 评定分}]
        rule: {type: manual, input: p}
"""

START = dt.date(2024, 1, 1)


@pytest.fixture
def setup() -> dict[str, object]:
    province = Unit.objects.create(code="P", name="示例省", kind=Unit.Kind.PROVINCE)
    city = Unit.objects.create(code="C", name="示例市", kind=Unit.Kind.CITY, parent=province)
    d1 = Unit.objects.create(code="D1", name="甲区", kind=Unit.Kind.COUNTY, parent=city)
    d2 = Unit.objects.create(code="D2", name="乙县", kind=Unit.Kind.COUNTY, parent=city)
    s1 = Unit.objects.create(
        code="S1",
        name="甲区实验小学",
        kind=Unit.Kind.SCHOOL,
        parent=d1,
        stage=Unit.Stage.PRIMARY,
        area=Unit.Area.URBAN,
        students=900,
    )
    s2 = Unit.objects.create(
        code="S2",
        name="甲区九年一贯制学校",
        kind=Unit.Kind.SCHOOL,
        parent=d1,
        stage=Unit.Stage.NINE_YEAR,
        area=Unit.Area.RURAL,
        students=300,
    )
    s3 = Unit.objects.create(
        code="S3",
        name="乙县中学",
        kind=Unit.Kind.SCHOOL,
        parent=d2,
        stage=Unit.Stage.COMPLETE,
        area=Unit.Area.RURAL,
        students=1200,
    )
    record = FrameworkRecord.objects.create(
        key="mini-district",
        title="迷你区域框架",
        subject="district",
        total=120,
        source_yaml=FRAMEWORK,
        sha256=hashlib.sha256(FRAMEWORK.encode()).hexdigest(),
    )
    selection = Campaign.objects.create(
        name="2023 示范区（校）遴选",
        year=2023,
        organizer=province,
        applicants="both",
        district_framework=record,
        school_framework=record,
        as_of=dt.date(2023, 11, 1),
        status=Campaign.Status.CLOSED,
    )
    organizer = User.objects.create_user(username="org", password="x-Pass-12345")
    Membership.objects.create(user=organizer, unit=province, role=Role.ORGANIZER)
    outsider = User.objects.create_user(username="cityorg", password="x-Pass-12345")
    Membership.objects.create(user=outsider, unit=city, role=Role.ORGANIZER)
    results = {}
    for unit, final, selected in (
        (d1, "96", True),
        (d2, "92", True),
        (s1, "88", True),
        (s3, "80", True),
        (s2, "60", False),
    ):
        app = Application.objects.create(campaign=selection, unit=unit, framework=record, status="recommended")
        results[unit.code] = Result.objects.create(
            campaign=selection,
            application=app,
            materials=D(final),
            final=D(final),
            indicators={"C1": str(D(final) - 16), "C38": "16"},
            method="算术平均",
            selected=selected,
            status=Result.Status.FINAL,
        )
    return {
        "d1": d1,
        "d2": d2,
        "s1": s1,
        "s2": s2,
        "s3": s3,
        "selection": selection,
        "organizer": organizer,
        "outsider": outsider,
    }


def start(setup: dict) -> dict[str, Project]:
    projects = services.create_projects(actor=setup["organizer"], selection=setup["selection"], start_date=START)
    for project in projects:
        services.accept_plan(
            actor=setup["organizer"],
            project=project,
            plan=SimpleUploadedFile("实施方案.pdf", b"%PDF-1.4 plan", content_type="application/pdf"),
        )
    return {p.unit.code: Project.objects.get(pk=p.pk) for p in projects}


def evaluation(project: Project, kind: str, sequence: int = 1) -> Evaluation:
    return project.evaluations.get(kind=kind, sequence=sequence)


def test_schedule_over_three_years() -> None:
    assert services.schedule(START) == [
        ("annual", 1, dt.date(2025, 1, 1)),
        ("midterm", 1, dt.date(2025, 7, 1)),
        ("annual", 2, dt.date(2026, 1, 1)),
        ("final", 1, dt.date(2027, 1, 1)),
    ]


def test_projects_only_for_selected_units_and_only_by_the_organizer(setup: dict) -> None:
    with pytest.raises(PermissionDenied):
        services.create_projects(actor=setup["outsider"], selection=setup["selection"], start_date=START)
    projects = start(setup)
    assert set(projects) == {"D1", "D2", "S1", "S3"}
    assert projects["D1"].status == Project.Status.ACTIVE
    assert projects["D1"].evaluations.count() == 4
    assert services.overdue(projects["D1"], today=dt.date(2025, 1, 2)) == [evaluation(projects["D1"], "annual")]


def test_full_cycle(setup: dict) -> None:
    p = start(setup)
    org = setup["organizer"]
    # year 1: annual reports; S3 gets a warning, then is terminated for a violation
    services.record_evaluation(
        actor=org, evaluation=evaluation(p["D1"], "annual"), indicators={"C1": D(85), "C38": D(16)}, outcome="continue"
    )
    with pytest.raises(ValidationError, match="须写明整改要求"):
        services.record_evaluation(
            actor=org, evaluation=evaluation(p["S3"], "annual"), indicators={"C1": D(50)}, outcome="warning"
        )
    services.record_evaluation(
        actor=org,
        evaluation=evaluation(p["S3"], "annual"),
        indicators={"C1": D(50), "C38": D(10)},
        outcome="warning",
        notes="网络安全等级保护未备案，三个月内整改",
    )
    assert Project.objects.get(pk=p["S3"].pk).status == Project.Status.WARNING
    services.terminate_project(actor=org, project=p["S3"], reason="以信息化建设名义乱收费")
    with pytest.raises(ValidationError, match="项目状态为“已终止”，不能再评估"):
        services.record_evaluation(
            actor=org, evaluation=evaluation(p["S3"], "midterm"), indicators={}, outcome="continue"
        )
    # the school is awarded at the end
    services.record_evaluation(
        actor=org, evaluation=evaluation(p["S1"], "final"), indicators={"C1": D(88), "C38": D(16)}
    )
    s1 = Project.objects.get(pk=p["S1"].pk)
    assert s1.status == Project.Status.AWARDED and "终期评定 104 分，达到 100 分" in s1.award_note
    # D2 reaches 100 but has no awarded school and a weak sampled school
    final_d2 = services.record_evaluation(
        actor=org,
        evaluation=evaluation(p["D2"], "final"),
        indicators={"C1": D(86), "C38": D(20)},
        sampled_school=setup["s3"],
        sampled_score=D("59.5"),
    )
    d2 = Project.objects.get(pk=p["D2"].pk)
    assert final_d2.score == D(102)  # C38 capped at the creation-stage 16
    assert d2.status == Project.Status.NOT_AWARDED
    assert "区域内尚无已授牌的智慧教育示范学校" in d2.award_note
    assert "现场调研抽检学校（乙县中学）得分 59.5 分，低于 60 分" in d2.award_note
    assert "C38 发展愿景：20 分超过创建评定分 16 分，按 16 分计" in d2.award_note
    # D1 has S1 awarded and a good sampled school
    services.record_evaluation(
        actor=org,
        evaluation=evaluation(p["D1"], "final"),
        indicators={"C1": D(90), "C38": D(15)},
        sampled_school=setup["s1"],
        sampled_score=D(75),
    )
    d1 = Project.objects.get(pk=p["D1"].pk)
    assert d1.status == Project.Status.AWARDED
    assert "已建成智慧教育示范学校：甲区实验小学" in d1.award_note
    sections, rows = services.progress(d1)
    assert sections == [("A1", "基本任务"), ("A7", "示范引领")]
    assert [r.score for r in rows] == [D(96), D(101), D(105)]
    assert rows[1].change == D(5) and [(m.code, m.title, m.delta) for m in rows[1].moved] == [("C1", "基础", D(5))]
    assert rows[2].growth == D(9)
    assert rows[2].sections == {"A1": D(90), "A7": D(15)}


def test_closed_school_left_out_of_district_figures(setup: dict) -> None:
    p = start(setup)
    assert services.district_figures(p["D1"]) == {
        "学校数": 2,
        "小学": 1,
        "初中": 1,
        "普通高中": 0,
        "中职": 0,
        "乡村学校": 1,
        "在校学生": 1200,
    }
    with pytest.raises(ValidationError, match="只能标记本区域内的学校"):
        services.exclude_school(actor=setup["organizer"], project=p["D1"], school=setup["s3"], reason="撤并")
    services.exclude_school(actor=setup["organizer"], project=p["D1"], school=setup["s2"], reason="布局调整撤并")
    assert services.district_figures(p["D1"]) == {
        "学校数": 1,
        "小学": 1,
        "初中": 0,
        "普通高中": 0,
        "中职": 0,
        "乡村学校": 0,
        "在校学生": 900,
    }


def test_level_history_ladder(setup: dict) -> None:
    history = ladder.level_history(setup["s1"])
    assert [(r.campaign.year, r.final) for r in history] == [(2023, D(88))]


def test_pages_scoped_and_bad_input_kept(setup: dict) -> None:
    from django.test import Client
    from django.urls import reverse

    p = start(setup)
    org = Client()
    org.force_login(setup["organizer"])
    page = org.get(reverse("cultivation:list")).content.decode()
    assert "甲区" in page and "乙县中学" in page
    outsider = Client()
    outsider.force_login(setup["outsider"])
    assert "甲区实验小学" not in outsider.get(reverse("cultivation:list")).content.decode()
    assert outsider.get(reverse("cultivation:detail", args=[p["S1"].pk])).status_code == 404
    school_user = User.objects.create_user(username="s1", password="x-Pass-12345")
    Membership.objects.create(user=school_user, unit=setup["s1"], role=Role.APPLICANT)
    own = Client()
    own.force_login(school_user)
    assert "创建评定" in own.get(reverse("cultivation:detail", args=[p["S1"].pk])).content.decode()
    assert own.get(reverse("cultivation:detail", args=[p["D1"].pk])).status_code == 404
    url = reverse("cultivation:detail", args=[p["D1"].pk])
    pending = p["D1"].evaluations.order_by("due_date").first()
    bad = org.post(
        act(url, "evaluate"), {"evaluation": pending.pk, "p_C1": "abc", "notes": "我的说明", "outcome": "continue"}
    ).content.decode()
    assert "C1 的得分：应为数字" in bad and 'value="abc"' in bad and "我的说明" in bad
    org.post(act(url, "evaluate"), {"evaluation": pending.pk, "p_C1": "85", "p_C38": "16", "outcome": "continue"})
    pending.refresh_from_db()
    assert (pending.outcome, pending.score) == ("continue", D(101))
    ladder = own.get(reverse("cultivation:ladder", args=[setup["s1"].pk])).content.decode()
    assert "2023 示范区（校）遴选" in ladder
    assert outsider.get(reverse("cultivation:ladder", args=[setup["s2"].pk])).status_code == 200
    assert own.get(reverse("cultivation:ladder", args=[setup["s3"].pk])).status_code == 404
