"""An evaluation is a small campaign of its own: the unit's plan is submitted and accepted, the
annual summary opens as a campaign prefilled from the unit's answers, the head submits, the
county accepts and recommends, experts score, results aggregate, and the organizer concludes
on that result. Reminders and overdue flags on fixed dates; the Taizhou ladder rule."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from campuseval.accounts.models import Role
from campuseval.applications import services as applications
from campuseval.applications.models import Application
from campuseval.audit.models import AuditEntry
from campuseval.campaigns import services as campaigns
from campuseval.campaigns.models import Campaign, FrameworkRecord
from campuseval.cultivation import services
from campuseval.cultivation.models import Evaluation, Project
from campuseval.notifications.models import Notification
from campuseval.reviews import ladder
from campuseval.reviews import services as reviews
from campuseval.reviews.models import Panel, Result, ReviewSettings
from tests.reviews.conftest import expert, sheet, user
from tests.web.appworld import FULL_FORM

from .conftest import Clock

pytestmark = pytest.mark.django_db

START = dt.date(2024, 1, 1)


def pdf(name: str = "实施方案.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 plan", content_type="application/pdf")


def selected(world: dict, clock: Clock) -> Project:
    """The selection's final list (X0 selected at 7 points) and its project, started 2024-01-01."""
    clock.set(dt.date(2023, 12, 20))
    app = world["apps"][0]
    Application.objects.filter(pk=app.pk).update(status=Application.Status.RECOMMENDED)
    Result.objects.create(
        campaign=world["campaign"],
        application=app,
        materials=D(7),
        final=D(7),
        indicators={"1": "3", "2": "4"},
        method="算术平均",
        selected=True,
        level="合格",
        status=Result.Status.FINAL,
    )
    [project] = services.create_projects(actor=world["organizer"], selection=world["campaign"], start_date=START)
    return project


def test_plan_submitted_by_the_unit_returned_and_accepted(world: dict, clock: Clock) -> None:
    project = selected(world, clock)
    head = user("head_x0", world["schools"][0], Role.HEAD)
    with pytest.raises(ValidationError, match="单位尚未提交实施方案"):
        services.accept_plan(actor=world["organizer"], project=project)
    with pytest.raises(PermissionDenied):
        services.submit_plan(actor=world["outsider"], project=project, plan=pdf())
    with pytest.raises(ValidationError, match="实施方案请上传 PDF、Word 或 OFD 文件"):
        services.submit_plan(actor=head, project=project, plan=pdf("方案.exe"))
    services.submit_plan(actor=head, project=project, plan=pdf())
    assert Notification.objects.filter(user=world["organizer"], text__contains="已提交实施方案").exists()
    services.return_plan(actor=world["organizer"], project=project, reason="请补充年度目标")
    project.refresh_from_db()
    assert (project.plan_state, project.plan_return_reason) == ("已退回修改", "请补充年度目标")
    services.submit_plan(actor=world["applicant"], project=project, plan=pdf("实施方案（修订）.pdf"))
    clock.set(dt.date(2024, 1, 5))
    services.accept_plan(actor=world["organizer"], project=project)
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE and project.plan_name == "实施方案（修订）.pdf"
    assert project.plan_accepted_at.date() == dt.date(2024, 1, 5)
    assert project.plan.read() == b"%PDF-1.4 plan"
    assert {"cultivation.plan_submit", "cultivation.plan_return", "cultivation.plan_accept"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )
    with pytest.raises(ValidationError, match="实施方案已受理，不能再替换"):
        services.submit_plan(actor=head, project=project, plan=pdf())


def test_annual_summary_runs_through_the_review_machinery(world: dict, clock: Clock) -> None:
    project = selected(world, clock)
    org, school = world["organizer"], world["schools"][0]
    head = user("head_x0", school, Role.HEAD)
    services.accept_plan(actor=org, project=project, plan=pdf())
    annual = project.evaluations.get(kind=Evaluation.Kind.ANNUAL, sequence=1)
    assert annual.due_date == dt.date(2025, 1, 1)

    # a fortnight before it is due: reminded once a day, not twice
    clock.set(dt.date(2024, 12, 18))
    assert services.remind_due(today=dt.date(2024, 12, 18)) == 2  # the applicant and the head
    assert services.remind_due(today=dt.date(2024, 12, 18)) == 0
    assert (
        Notification.objects.filter(
            user=head, text="甲县第0小学年度成果总结将于 2025-01-01 截止，请按时提交成果材料"
        ).count()
        == 1
    )

    with pytest.raises(ValidationError, match="尚无专家评审汇总结果"):
        services.conclude_evaluation(actor=org, evaluation=annual, outcome="continue")
    campaign = services.open_evaluation(actor=org, evaluation=annual, deadline=dt.date(2025, 1, 1))
    with pytest.raises(ValidationError, match="该评估已开启"):
        services.open_evaluation(actor=org, evaluation=annual)
    assert (campaign.kind, campaign.status, campaign.name) == ("evaluation", "open", "甲县第0小学 · 第1年年度成果总结")
    assert list(campaign.covered_units.all()) == [school]
    app = Application.objects.get(campaign=campaign, unit=school)
    assert app.answers["answers"] == {"1": {"bw": 600}, "2": {"ok": True}}  # prefilled, nothing retyped
    assert app.self_total == D(10)

    # the school updates and submits through the application services
    applications.save_form(actor=head, application=app, revision=app.revision, data=FULL_FORM)
    app.refresh_from_db()
    applications.submit_application(actor=head, application=app, promise_confirmed=True)

    # after the due date, the evaluation is overdue until it is decided; organizers are told
    clock.set(dt.date(2025, 1, 6))
    project.refresh_from_db()
    assert services.overdue(project, dt.date(2025, 1, 6)) == [annual]
    risk = services.risk_of(project, dt.date(2025, 1, 6))
    assert risk.level == "high" and risk.reasons == ["1 项评估逾期（最早截止 2025-01-01）"]
    services.remind_due(today=dt.date(2025, 1, 6))
    assert Notification.objects.filter(
        user=org, text="甲县第0小学年度成果总结已逾期（截止 2025-01-01），请尽快处理"
    ).exists()

    # county review, recommendation, experts, aggregation: the same machinery as selection
    campaigns.advance_campaign(actor=org, campaign=campaign)
    reviews.decide_county_review(actor=world["reviewer"], application=app, decision="accepted", opinion="按方案推进")
    rec = reviews.recommend_applications(
        actor=world["reviewer"], campaign=campaign, county=world["x"], applications=[app]
    )
    reviews.confirm_recommendation(actor=world["reviewer"], recommendation=rec, confirmed_name="李局长")
    campaigns.advance_campaign(actor=org, campaign=Campaign.objects.get(pk=campaign.pk))
    panel = Panel.objects.create(campaign=campaign, name="年度评估组")
    for name in ("e1", "e2"):
        sheet(
            world,
            reviews.assign_expert(actor=org, panel=panel, application=app, expert=expert(name, world["y"])),
            600,
            True,
        )
    [result] = reviews.compute_results(actor=org, campaign=campaign)
    assert result.final == D(10)

    decided = services.conclude_evaluation(actor=org, evaluation=annual, outcome="continue")
    assert (decided.score, decided.outcome) == (D(10), "continue")
    project.refresh_from_db()
    assert project.status == Project.Status.ACTIVE and services.overdue(project, dt.date(2025, 1, 6)) == []
    _sections, rows = services.progress(project)
    assert [r.score for r in rows] == [D(7), D(10)]
    assert rows[1].growth == D(3) and [(m.code, m.delta) for m in rows[1].moved] == [("1", D(3))]

    # the mid-term campaign starts from the answers the unit submitted last
    midterm = project.evaluations.get(kind=Evaluation.Kind.MIDTERM)
    mid = services.open_evaluation(actor=org, evaluation=midterm)
    assert Application.objects.get(campaign=mid).form_data["students"] == 900


def test_open_evaluation_refuses_past_deadline_and_ended_projects(world: dict, clock: Clock) -> None:
    project = selected(world, clock)
    org = world["organizer"]
    annual = project.evaluations.get(kind=Evaluation.Kind.ANNUAL, sequence=1)
    with pytest.raises(ValidationError, match="不能开启评估"):
        services.open_evaluation(actor=org, evaluation=annual)  # plan not accepted
    services.accept_plan(actor=org, project=project, plan=pdf())
    clock.set(dt.date(2025, 2, 1))
    with pytest.raises(ValidationError, match="提交截止日期 2025-01-01 已过，请另定截止日期"):
        services.open_evaluation(actor=org, evaluation=annual)
    campaign = services.open_evaluation(actor=org, evaluation=annual, deadline=dt.date(2025, 2, 28))
    with pytest.raises(PermissionDenied):
        services.open_evaluation(actor=world["reviewer"], evaluation=project.evaluations.get(kind="midterm"))
    services.terminate_project(actor=org, project=project, reason="违反教育收费规定")
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.CLOSED  # the unit can no longer submit into it
    assert services.risk_of(Project.objects.get(pk=project.pk)).level == ""


def test_ladder_school_must_hold_the_level_below(world: dict, clock: Clock) -> None:
    """Taizhou: 合格 first; a school already 合格 may apply for 优秀 (the mini framework's
    levels are 优秀 and 合格)."""
    clock.set(dt.date(2024, 5, 1))
    app = world["apps"][1]
    app.form_data = {**FULL_FORM, "level_sought": "优秀"}
    app.save()
    # the step-by-step rule is a campaign option (off by default, off for Taizhou 2022)
    ReviewSettings.objects.update_or_create(campaign=app.campaign, defaults={"level_prerequisite": True})
    problem = "申报优秀须已获评合格（合格 → 优秀 逐级申报），本单位尚未获评任何等级"
    assert ladder.ladder_problems(app) == [problem]
    assert problem in applications.submission_problems(app)
    earlier = Campaign.objects.create(
        name="2023 智慧校园评估",
        year=2023,
        organizer=world["city"],
        applicants="schools",
        school_framework=world["record"],
        as_of=dt.date(2023, 5, 30),
        status=Campaign.Status.CLOSED,
    )
    old = Application.objects.create(campaign=earlier, unit=app.unit, framework=world["record"], status="recommended")
    Result.objects.create(
        campaign=earlier,
        application=old,
        materials=D(6),
        final=D(6),
        method="算术平均",
        level="合格",
        status=Result.Status.FINAL,
    )
    assert ladder.ladder_problems(app) == []
    assert ladder.next_level(app.unit, "mini", ["优秀", "合格"]) == "优秀"
    assert ladder.attained_levels([app.unit.pk, world["schools"][2].pk], "mini", ["优秀", "合格"]) == {
        app.unit.pk: "合格"
    }
    app.form_data = {**FULL_FORM, "level_sought": "合格"}
    assert ladder.ladder_problems(app) == []  # the lowest level is open to every school


def _earlier_result(world: dict, unit: object, record: FrameworkRecord, level: str) -> None:
    earlier = Campaign.objects.create(
        name=f"2023 评估（{record.key}）",
        year=2023,
        organizer=world["city"],
        applicants="schools",
        school_framework=record,
        as_of=dt.date(2023, 5, 30),
        status=Campaign.Status.CLOSED,
    )
    old = Application.objects.create(campaign=earlier, unit=unit, framework=record, status="recommended")
    Result.objects.create(
        campaign=earlier,
        application=old,
        materials=D(6),
        final=D(6),
        method="算术平均",
        level=level,
        status=Result.Status.FINAL,
    )


def _edition(world: dict, key: str, family: str) -> FrameworkRecord:
    """Another edition of the mini framework under a new key, stating `family:` in its file."""
    base: FrameworkRecord = world["record"]
    text = base.source_yaml.replace(f"id: {base.key}\n", f"id: {key}\nfamily: {family}\n", 1)
    assert f"family: {family}" in text
    return FrameworkRecord.objects.create(
        key=key,
        title=f"{base.title}（{key}）",
        subject=base.subject,
        total=base.total,
        source_yaml=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )


def test_ladder_reads_the_family_the_framework_file_states(world: dict, clock: Clock) -> None:
    """Levels count across the editions the files name as one `family`, whatever their keys;
    a key that merely starts like the family's name counts for nothing."""
    clock.set(dt.date(2024, 5, 1))
    app = world["apps"][1]
    app.form_data = {**FULL_FORM, "level_sought": "优秀"}
    app.save()
    # the step-by-step rule is a campaign option (off by default, off for Taizhou 2022)
    ReviewSettings.objects.update_or_create(campaign=app.campaign, defaults={"level_prerequisite": True})
    family = ladder.framework_family(app.framework)
    assert family == app.framework.family != ""
    lookalike = _edition(world, f"{family}-lookalike", "elsewhere")
    assert lookalike.family == "elsewhere"
    _earlier_result(world, app.unit, lookalike, "合格")
    assert ladder.held_level(app.unit, family, ["优秀", "合格"]) == ""
    assert ladder.ladder_problems(app) != []
    renamed = _edition(world, "renamed-2023-school", family)
    assert renamed.family == family
    _earlier_result(world, app.unit, renamed, "合格")
    assert ladder.held_level(app.unit, family, ["优秀", "合格"]) == "合格"
    assert ladder.ladder_problems(app) == []
