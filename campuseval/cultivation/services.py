"""The 3-year cultivation cycle as domain functions: projects from a final list, scheduled
evaluations, warnings, termination, and the award decision with its stated conditions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from campuseval.audit.services import record
from campuseval.campaigns.models import Campaign
from campuseval.campaigns.scoring import framework_for
from campuseval.engine.numbers import fmt
from campuseval.orgs.models import Unit
from campuseval.reviews.models import Result
from campuseval.reviews.permissions import is_organizer_for
from campuseval.reviews.services import notify

from .models import Evaluation, ExcludedSchool, Project

AWARD_SCORE = Decimal(100)
SAMPLED_SCHOOL_MIN = Decimal(60)
#: scoring text by which a framework says an indicator may not exceed its creation-stage score
CREATION_CAP_PHRASE = "不超过创建"


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    for candidate in (day.day, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def schedule(start: dt.date, years: int = 3) -> list[tuple[str, int, dt.date]]:
    """Evaluations over the cycle: an annual summary at the end of each year but the last, a
    mid-term evaluation half-way, and the final evaluation at the end."""
    plan: list[tuple[str, int, dt.date]] = []
    for year in range(1, years):
        plan.append((Evaluation.Kind.ANNUAL, year, _add_months(start, 12 * year)))
    plan.append((Evaluation.Kind.MIDTERM, 1, _add_months(start, 6 * years)))
    plan.append((Evaluation.Kind.FINAL, 1, _add_months(start, 12 * years)))
    return sorted(plan, key=lambda item: item[2])


def _require_organizer(actor: Any, campaign: Campaign) -> None:
    if not is_organizer_for(actor, campaign):
        raise PermissionDenied


@transaction.atomic
def create_projects(*, actor: Any, selection: Campaign, start_date: dt.date, years: int = 3) -> list[Project]:
    """A cultivation project for every unit selected on the campaign's final list, with its
    evaluations scheduled."""
    _require_organizer(actor, selection)
    results = Result.objects.filter(campaign=selection, status=Result.Status.FINAL, selected=True).select_related(
        "application__unit"
    )
    if not results:
        raise ValidationError("该活动尚无最终入选名单")
    projects = []
    for result in results:
        if Project.objects.filter(application=result.application).exists():
            continue
        project = Project.objects.create(
            selection=selection,
            application=result.application,
            unit=result.application.unit,
            start_date=start_date,
            years=years,
            creation_score=result.final,
            creation_indicators=result.indicators,
        )
        for kind, sequence, due in schedule(start_date, years):
            Evaluation.objects.create(project=project, kind=kind, sequence=sequence, due_date=due)
        projects.append(project)
        record(
            actor=actor,
            action="cultivation.create",
            obj=project,
            summary=f"创建培育项目：{project.unit}",
            campaign_id=selection.pk,
            unit_id=project.unit_id,
        )
    return projects


@transaction.atomic
def accept_plan(*, actor: Any, project: Project, plan: UploadedFile) -> Project:
    """The organizer accepts the unit's implementation plan (实施方案); construction starts."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require_organizer(actor, project.selection)
    if project.status != Project.Status.PLANNING:
        raise ValidationError("实施方案已受理")
    project.plan.save(plan.name or "plan.pdf", plan, save=False)
    project.plan_accepted_by, project.plan_accepted_at = actor, timezone.now()
    project.status = Project.Status.ACTIVE
    project.save()
    record(
        actor=actor,
        action="cultivation.plan_accept",
        obj=project,
        summary="受理实施方案",
        campaign_id=project.selection_id,
        unit_id=project.unit_id,
    )
    return project


def capped_by_creation(project: Project, indicators: dict[str, Decimal]) -> tuple[dict[str, Decimal], list[str]]:
    """Indicators whose final score may not exceed the creation-stage score (Sichuan B22 发展愿景:
    “验收阶段根据完成情况打分，不超过创建评定分”), capped, with a note per cap."""
    fw = framework_for(project.application.framework)
    notes = []
    capped = dict(indicators)
    for node in fw.walk():
        if CREATION_CAP_PHRASE in node.scoring and node.code in capped:
            creation = Decimal(str(project.creation_indicators.get(node.code, "0")))
            if capped[node.code] > creation:
                notes.append(
                    f"{node.code} {node.title}：{fmt(capped[node.code])} 分超过创建评定分 {fmt(creation)} 分，"
                    f"按 {fmt(creation)} 分计"
                )
                capped[node.code] = creation
    return capped, notes


@dataclass
class AwardCheck:
    awarded: bool
    reasons: list[str] = field(default_factory=list)
    met: list[str] = field(default_factory=list)


def check_award(project: Project, score: Decimal, *, sampled_score: Decimal | None) -> AwardCheck:
    """Sichuan: 100 points or more at the end; a district also needs at least one awarded
    demonstration school and its sampled school at 60 or more. Says which condition fails."""
    check = AwardCheck(awarded=True)
    if score >= AWARD_SCORE:
        check.met.append(f"终期评定 {fmt(score)} 分，达到 {fmt(AWARD_SCORE)} 分")
    else:
        check.awarded = False
        check.reasons.append(f"终期评定 {fmt(score)} 分，未达到 {fmt(AWARD_SCORE)} 分")
    if project.unit.kind == Unit.Kind.COUNTY:
        below = project.unit.descendant_ids() - {project.unit.pk}
        schools = Project.objects.filter(unit_id__in=below, status=Project.Status.AWARDED).select_related("unit")
        if schools:
            check.met.append(f"已建成智慧教育示范学校：{'、'.join(p.unit.name for p in schools)}")
        else:
            check.awarded = False
            check.reasons.append("区域内尚无已授牌的智慧教育示范学校")
        if sampled_score is None:
            check.awarded = False
            check.reasons.append("未录入现场调研抽检学校得分")
        elif sampled_score < SAMPLED_SCHOOL_MIN:
            check.awarded = False
            check.reasons.append(f"现场调研抽检学校得分 {fmt(sampled_score)} 分，低于 {fmt(SAMPLED_SCHOOL_MIN)} 分")
        else:
            check.met.append(f"现场调研抽检学校得分 {fmt(sampled_score)} 分，不低于 {fmt(SAMPLED_SCHOOL_MIN)} 分")
    return check


@transaction.atomic
def record_evaluation(
    *,
    actor: Any,
    evaluation: Evaluation,
    indicators: dict[str, Decimal],
    outcome: str = "",
    notes: str = "",
    sampled_school: Unit | None = None,
    sampled_score: Decimal | None = None,
) -> Evaluation:
    """Record an evaluation's result (the evaluation campaign's aggregated indicator points)
    and its outcome. A final evaluation decides the award itself; a warning needs the
    corrections; termination needs the reason."""
    evaluation = (
        Evaluation.objects.select_for_update()
        .select_related("project__unit", "project__selection")
        .get(pk=evaluation.pk)
    )
    project = evaluation.project
    _require_organizer(actor, project.selection)
    if project.status in (Project.Status.TERMINATED, Project.Status.AWARDED, Project.Status.NOT_AWARDED):
        raise ValidationError(f"项目状态为“{project.get_status_display()}”，不能再评估")
    if project.status == Project.Status.PLANNING:
        raise ValidationError("实施方案尚未受理")
    if evaluation.outcome != Evaluation.Outcome.PENDING:
        raise ValidationError("该评估已有结论")
    capped_notes: list[str] = []
    if evaluation.kind == Evaluation.Kind.FINAL:
        indicators, capped_notes = capped_by_creation(project, indicators)
    fw = framework_for(project.application.framework)
    leaves = {leaf.code for leaf in fw.leaves()}
    score = sum((v for code, v in indicators.items() if code in leaves), Decimal(0))
    evaluation.indicators = {k: str(v) for k, v in indicators.items()}
    evaluation.score = score
    evaluation.sampled_school, evaluation.sampled_score = sampled_school, sampled_score
    before = project.status
    if evaluation.kind == Evaluation.Kind.FINAL:
        check = check_award(project, score, sampled_score=sampled_score)
        evaluation.outcome = Evaluation.Outcome.AWARD if check.awarded else Evaluation.Outcome.NOT_AWARDED
        project.status = Project.Status.AWARDED if check.awarded else Project.Status.NOT_AWARDED
        project.award_note = "；".join(check.met + check.reasons + capped_notes)
        evaluation.notes = "；".join(filter(None, [notes.strip(), *capped_notes]))
    else:
        if outcome not in (Evaluation.Outcome.CONTINUE, Evaluation.Outcome.WARNING, Evaluation.Outcome.TERMINATE):
            raise ValidationError("请选择评估结论：继续建设、预警整改或终止")
        if outcome in (Evaluation.Outcome.WARNING, Evaluation.Outcome.TERMINATE) and not notes.strip():
            raise ValidationError("预警整改须写明整改要求，终止须写明原因")
        evaluation.outcome = outcome
        evaluation.notes = notes.strip()
        if outcome == Evaluation.Outcome.WARNING:
            project.status, project.corrections = Project.Status.WARNING, notes.strip()
        elif outcome == Evaluation.Outcome.TERMINATE:
            project.status, project.termination_reason = Project.Status.TERMINATED, notes.strip()
        else:
            project.status = Project.Status.ACTIVE
    evaluation.decided_by, evaluation.decided_at = actor, timezone.now()
    evaluation.save()
    project.save()
    record(
        actor=actor,
        action=f"cultivation.evaluation.{evaluation.outcome}",
        obj=evaluation,
        summary=f"{evaluation.get_kind_display()}：{fmt(score)} 分，{evaluation.get_outcome_display()}",
        before={"status": before},
        after={"status": project.status, "score": fmt(score), "note": project.award_note},
        campaign_id=project.selection_id,
        unit_id=project.unit_id,
    )
    return evaluation


@transaction.atomic
def terminate_project(*, actor: Any, project: Project, reason: str) -> Project:
    """Terminate at once (a violation during the cycle), with the reason."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    _require_organizer(actor, project.selection)
    if not reason.strip():
        raise ValidationError("终止须写明原因")
    if project.status in (Project.Status.TERMINATED, Project.Status.AWARDED):
        raise ValidationError(f"项目状态为“{project.get_status_display()}”，不能终止")
    before = project.status
    project.status, project.termination_reason = Project.Status.TERMINATED, reason.strip()
    project.save()
    project.evaluations.filter(outcome=Evaluation.Outcome.PENDING).update(notes="项目已终止")
    record(
        actor=actor,
        action="cultivation.terminate",
        obj=project,
        summary=f"终止培育：{reason}",
        before={"status": before},
        after={"status": project.status},
        campaign_id=project.selection_id,
        unit_id=project.unit_id,
    )
    return project


@transaction.atomic
def exclude_school(*, actor: Any, project: Project, school: Unit, reason: str) -> ExcludedSchool:
    """Leave a school closed by a layout change out of the district's statistics."""
    _require_organizer(actor, project.selection)
    if project.unit.kind != Unit.Kind.COUNTY or school.pk not in project.unit.descendant_ids():
        raise ValidationError("只能标记本区域内的学校")
    if not reason.strip():
        raise ValidationError("请填写原因（如：布局调整撤并）")
    excluded, _ = ExcludedSchool.objects.get_or_create(
        project=project, school=school, defaults={"reason": reason.strip(), "marked_by": actor}
    )
    record(
        actor=actor,
        action="cultivation.exclude_school",
        obj=project,
        summary=f"{school} 不纳入数据统计：{reason}",
        campaign_id=project.selection_id,
        unit_id=project.unit_id,
    )
    return excluded


def district_figures(project: Project) -> dict[str, int]:
    """School counts for a district project by the seeds' counting rules, without the schools
    marked as closed."""
    excluded = set(project.excluded_schools.values_list("school_id", flat=True))
    schools = Unit.objects.filter(pk__in=project.unit.descendant_ids(), kind=Unit.Kind.SCHOOL, is_active=True).exclude(
        pk__in=excluded
    )
    figures = {"学校数": 0, "小学": 0, "初中": 0, "普通高中": 0, "中职": 0, "乡村学校": 0, "在校学生": 0}
    names = {
        Unit.Stage.PRIMARY: "小学",
        Unit.Stage.JUNIOR: "初中",
        Unit.Stage.SENIOR: "普通高中",
        Unit.Stage.VOCATIONAL: "中职",
    }
    for school in schools:
        figures["学校数"] += 1
        label = names.get(school.counted_stage)  # type: ignore[call-overload]
        if label:
            figures[label] += 1
        figures["乡村学校"] += school.area == Unit.Area.RURAL
        figures["在校学生"] += school.students or 0
    return figures


def overdue(project: Project, today: dt.date | None = None) -> list[Evaluation]:
    today = today or timezone.localdate()
    return list(project.evaluations.filter(outcome=Evaluation.Outcome.PENDING, due_date__lt=today))


def remind_due(*, today: dt.date | None = None, days: int = 14) -> int:
    """Remind units of evaluations due within `days` (run daily by the task worker)."""
    from campuseval.accounts.models import Membership

    today = today or timezone.localdate()
    due = Evaluation.objects.filter(
        outcome=Evaluation.Outcome.PENDING,
        due_date__gte=today,
        due_date__lte=today + dt.timedelta(days=days),
        project__status__in=[Project.Status.ACTIVE, Project.Status.WARNING],
    ).select_related("project__unit")
    sent = 0
    for evaluation in due:
        users = [m.user for m in Membership.objects.filter(unit=evaluation.project.unit).select_related("user")]
        sent += notify(
            users=users,
            text=f"{evaluation.get_kind_display()}将于 {evaluation.due_date} 截止，请按时提交成果材料",
            link=f"/cultivation/{evaluation.project_id}/",
        )
    return sent


@dataclass
class ProgressRow:
    label: str
    score: Decimal | None
    sections: dict[str, Decimal]
    change: Decimal | None
    moved: list[tuple[str, Decimal]]


def progress(project: Project) -> tuple[list[str], list[ProgressRow]]:
    """Scores at creation and at each decided evaluation, per top-level section, with the
    change (增值) from the previous row and the indicators that moved."""
    fw = framework_for(project.application.framework)
    sections = [top.code for top in fw.indicators]

    def by_section(indicators: dict[str, Any]) -> dict[str, Decimal]:
        out = {}
        for top in fw.indicators:
            out[top.code] = sum(
                (Decimal(str(indicators.get(leaf.code, "0"))) for leaf in top.walk() if leaf.is_leaf), Decimal(0)
            )
        return out

    rows = [ProgressRow("创建评定", project.creation_score, by_section(project.creation_indicators), None, [])]
    previous = project.creation_indicators
    previous_score = project.creation_score
    for evaluation in project.evaluations.exclude(score__isnull=True).order_by("due_date"):
        moved = []
        for leaf in fw.leaves():
            before = Decimal(str(previous.get(leaf.code, "0")))
            after = Decimal(str(evaluation.indicators.get(leaf.code, "0")))
            if before != after:
                moved.append((leaf.code, after - before))
        rows.append(
            ProgressRow(
                f"{evaluation.get_kind_display()}（{evaluation.due_date}）",
                evaluation.score,
                by_section(evaluation.indicators),
                (evaluation.score - previous_score) if evaluation.score is not None else None,
                moved,
            )
        )
        previous, previous_score = evaluation.indicators, evaluation.score or previous_score
    return sections, rows


def level_history(unit: Unit) -> list[Result]:
    """A unit's final results across campaigns, oldest first: Taizhou's 合格 → 优秀 → 示范 ladder."""
    return list(
        Result.objects.filter(application__unit=unit, status=Result.Status.FINAL)
        .select_related("campaign")
        .order_by("campaign__year", "campaign__pk")
    )
