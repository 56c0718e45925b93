"""Cultivation pages: role × URL × status, constant queries on the overview, bad input kept,
the unit's plan upload through the page, and closed schools recomputing district figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from campuseval.accounts.models import Membership, Role, User
from campuseval.applications.models import Application
from campuseval.cultivation import services
from campuseval.cultivation.models import Evaluation, Project
from campuseval.orgs.models import Unit
from campuseval.reviews.models import Result

from .conftest import Clock, act
from .test_cycle import setup, start  # noqa: F401 - the district/school world of the cycle test

pytestmark = pytest.mark.django_db


def client(user: User | None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def person(name: str, unit: Unit, role: str) -> User:
    u = User.objects.create_user(username=name, password="x-Pass-12345")
    Membership.objects.create(user=u, unit=unit, role=role)
    return u


@pytest.fixture
def people(setup: dict) -> dict[str, User | None]:  # noqa: F811
    return {
        "organizer": setup["organizer"],
        "city_organizer": setup["outsider"],  # organizer below the province: not this campaign's
        "s1_applicant": person("s1_app", setup["s1"], Role.APPLICANT),
        "s3_applicant": person("s3_app", setup["s3"], Role.APPLICANT),
        "d1_reviewer": person("d1_rev", setup["d1"], Role.COUNTY_REVIEWER),
        "expert": person("exp", setup["d2"], Role.EXPERT),
        "anonymous": None,
    }


# (role, url name, object, expected status, text that must be on the page or "")
MATRIX = [
    ("organizer", "list", None, 200, "甲区实验小学"),
    ("organizer", "detail", "S1", 200, "历次评定与增值"),
    ("organizer", "plan", "S1", 200, ""),
    ("organizer", "ladder", "S1", 200, "等级历程"),
    ("city_organizer", "list", None, 200, "暂无培育项目"),
    ("city_organizer", "detail", "S1", 404, ""),
    ("city_organizer", "plan", "S1", 404, ""),
    ("s1_applicant", "list", None, 200, "甲区实验小学"),
    ("s1_applicant", "detail", "S1", 200, "实施方案"),
    ("s1_applicant", "plan", "S1", 200, ""),
    ("s1_applicant", "ladder", "S1", 200, "2023 示范区（校）遴选"),
    ("s1_applicant", "detail", "D1", 404, ""),
    ("s1_applicant", "detail", "S3", 404, ""),
    ("s1_applicant", "ladder", "S3", 404, ""),
    ("s3_applicant", "detail", "S1", 404, ""),
    ("s3_applicant", "plan", "S1", 404, ""),
    ("d1_reviewer", "detail", "S1", 200, "甲区实验小学"),
    ("d1_reviewer", "detail", "S3", 404, ""),
    ("d1_reviewer", "ladder", "S1", 200, "等级历程"),
    ("expert", "list", None, 200, "暂无培育项目"),
    ("expert", "detail", "S1", 404, ""),
    ("anonymous", "list", None, 302, ""),
    ("anonymous", "detail", "S1", 302, ""),
    ("anonymous", "plan", "S1", 302, ""),
    ("anonymous", "ladder", "S1", 302, ""),
]


@pytest.mark.parametrize(("role", "name", "obj", "status", "text"), MATRIX)
def test_role_url_status_matrix(
    setup: dict,  # noqa: F811
    people: dict,
    role: str,
    name: str,
    obj: str | None,
    status: int,
    text: str,
) -> None:
    projects = start(setup)
    if name == "list":
        url = reverse("cultivation:list")
    elif name == "ladder":
        url = reverse("cultivation:ladder", args=[setup[obj.lower()].pk])
    else:
        url = reverse(f"cultivation:{name}", args=[projects[obj].pk])
    response = client(people[role]).get(url)
    assert response.status_code == status
    if status == 302:
        assert "/login" in response["Location"] or "accounts" in response["Location"]
    elif name == "plan" and status == 200:
        assert b"".join(response.streaming_content) == b"%PDF-1.4 plan"
    elif status == 200:
        assert text in response.content.decode()


def test_overview_queries_do_not_grow_with_projects(
    setup: dict,  # noqa: F811
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    org = client(setup["organizer"])
    url = reverse("cultivation:list")
    projects = services.create_projects(
        actor=setup["organizer"], selection=setup["selection"], start_date=dt.date(2024, 1, 1)
    )
    Project.objects.exclude(pk=projects[0].pk).delete()
    org.get(url)  # warm caches (framework parsing, session)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        page = org.get(url).content.decode()
    assert page.count("data-project=") == 1
    Project.objects.all().delete()
    services.create_projects(actor=setup["organizer"], selection=setup["selection"], start_date=dt.date(2024, 1, 1))
    with django_assert_num_queries(len(one.captured_queries)):
        page = org.get(url).content.decode()
    assert page.count("data-project=") == 4


def test_overview_shows_status_risk_and_filters(setup: dict, clock: Clock) -> None:  # noqa: F811
    clock.set(dt.date(2025, 1, 10))
    projects = start(setup)
    org = setup["organizer"]
    services.record_evaluation(
        actor=org,
        evaluation=projects["S3"].evaluations.get(kind="annual", sequence=1),
        indicators={"C1": D(50), "C38": D(10)},
        outcome="warning",
        notes="网络安全等级保护未备案",
    )
    page = client(org).get(reverse("cultivation:list")).content.decode()
    assert "预警整改中：网络安全等级保护未备案" in page
    assert "1 项评估逾期（最早截止 2025-01-01）" in page  # D1, D2 and S1 have not reported
    assert "最近评定 60 分，低于创建评定 80 分" in page
    warning = client(org).get(reverse("cultivation:list") + "?status=warning").content.decode()
    assert warning.count("data-project=") == 1 and "乙县中学" in warning


def test_plan_upload_through_the_page_and_bad_input_kept(setup: dict, people: dict) -> None:  # noqa: F811
    [project] = [
        p
        for p in services.create_projects(
            actor=setup["organizer"], selection=setup["selection"], start_date=dt.date(2024, 1, 1)
        )
        if p.unit.code == "S1"
    ]
    url = reverse("cultivation:detail", args=[project.pk])
    unit = client(people["s1_applicant"])
    bad = unit.post(act(url, "submit_plan"), {"plan": SimpleUploadedFile("方案.txt", b"x")}).content.decode()
    assert "实施方案请上传 PDF、Word 或 OFD 文件" in bad
    unit.post(act(url, "submit_plan"), {"plan": SimpleUploadedFile("实施方案.pdf", b"%PDF plan")})
    project.refresh_from_db()
    assert project.plan_state == "已提交，待受理"
    # the unit cannot accept its own plan: the organizer's action answers 404
    assert unit.post(act(url, "accept_plan"), {}).status_code == 404
    org = client(setup["organizer"])
    kept = org.post(act(url, "return_plan"), {"reason": ""}).content.decode()
    assert "修改意见：请填写修改意见" in kept
    org.post(act(url, "accept_plan"), {})
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE
    pending = project.evaluations.order_by("due_date").first()
    bad = org.post(
        act(url, "evaluate"),
        {"evaluation": pending.pk, "p_C1": "abc", "notes": "我的说明", "outcome": "continue"},
    ).content.decode()
    assert "C1 的得分：应为数字" in bad and 'value="abc"' in bad and "我的说明" in bad
    bad = org.post(act(url, "open"), {"evaluation": pending.pk, "deadline": "明年"}).content.decode()
    assert "提交截止日期：请按 2025-01-01 的格式填写日期" in bad and 'value="明年"' in bad


def test_closed_school_recomputes_district_figures_and_open_form(
    setup: dict,  # noqa: F811
    clock: Clock,
) -> None:
    clock.set(dt.date(2024, 12, 1))
    projects = start(setup)
    d1 = projects["D1"]
    org = setup["organizer"]
    annual = d1.evaluations.get(kind=Evaluation.Kind.ANNUAL, sequence=1)
    campaign = services.open_evaluation(actor=org, evaluation=annual)
    app = Application.objects.get(campaign=campaign)
    assert (app.form_data["schools"], app.form_data["students"]) == (2, 1200)
    url = reverse("cultivation:detail", args=[d1.pk])
    client(org).post(act(url, "exclude"), {"school": setup["s2"].pk, "reason": "布局调整撤并"})
    app.refresh_from_db()
    assert (app.form_data["schools"], app.form_data["students"]) == (1, 900)
    page = client(org).get(url).content.decode()
    assert "甲区九年一贯制学校（布局调整撤并）" in page
    assert services.district_figures(Project.objects.get(pk=d1.pk))["乡村学校"] == 0


def test_district_final_uses_the_sampled_schools_own_result(setup: dict, clock: Clock) -> None:  # noqa: F811
    """The sampled school's score is read from its own expert result, never typed in."""
    clock.set(dt.date(2026, 12, 1))
    projects = start(setup)
    org = setup["organizer"]
    s1_final = projects["S1"].evaluations.get(kind="final")
    services.record_evaluation(actor=org, evaluation=s1_final, indicators={"C1": D(88), "C38": D(16)})
    final = projects["D1"].evaluations.get(kind="final")
    campaign = services.open_evaluation(actor=org, evaluation=final)
    app = Application.objects.get(campaign=campaign)
    Result.objects.create(
        campaign=campaign,
        application=app,
        materials=D(104),
        final=D(104),
        indicators={"C1": "90", "C38": "14", "A1": "90"},
        method="算术平均",
        status=Result.Status.PROPOSED,
    )
    # S2 was not selected; its selection result (60) is its latest expert result
    s2_app = Application.objects.get(unit=setup["s2"], campaign=setup["selection"])
    assert services.sampled_school_result(setup["s2"]).application == s2_app
    url = reverse("cultivation:detail", args=[projects["D1"].pk])
    page = client(org).get(url).content.decode()
    assert "专家评审汇总：104 分" in page
    client(org).post(act(url, "conclude"), {"evaluation": final.pk, "sampled_school": setup["s2"].pk})
    d1 = Project.objects.get(pk=projects["D1"].pk)
    assert d1.status == Project.Status.AWARDED
    assert "现场调研抽检学校（甲区九年一贯制学校）得分 60 分，不低于 60 分" in d1.award_note
    final.refresh_from_db()
    assert final.score == D(104) and "抽检学校得分取自《2023 示范区（校）遴选》" in final.notes
