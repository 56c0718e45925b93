"""The 3-year cultivation cycle as domain functions: projects from a final list, scheduled
evaluations, warnings, termination, and the award decision with its stated conditions."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from campuseval.access.rules import SCHOOL_ROLES, is_organizer_for, is_project_unit
from campuseval.accounts.models import Membership, Role
from campuseval.applications.models import Application
from campuseval.audit.services import record
from campuseval.campaigns.models import Campaign, Stage
from campuseval.campaigns.scoring import framework_for
from campuseval.engine import InvalidAnswers, score
from campuseval.engine.numbers import fmt
from campuseval.notifications.models import Notification
from campuseval.notifications.services import notify
from campuseval.orgs.models import Unit
from campuseval.reviews.models import Result, ReviewSettings

from .models import Evaluation, ExcludedSchool, Project

PLAN_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".ofd")
AWARD_SCORE = Decimal(100)
SAMPLED_SCHOOL_MIN = Decimal(60)


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


def _unit_users(project: Project) -> list[Any]:
    memberships = Membership.objects.filter(unit_id=project.unit_id, role__in=SCHOOL_ROLES).select_related("user")
    return list({m.user_id: m.user for m in memberships}.values())


def _organizer_users(project: Project) -> list[Any]:
    chain = [project.selection.organizer, *project.selection.organizer.ancestors()]
    memberships = Membership.objects.filter(unit__in=chain, role=Role.ORGANIZER).select_related("user")
    return list({m.user_id: m.user for m in memberships}.values())


def _link(project: Project) -> str:
    return f"/cultivation/{project.pk}/"


def _check_plan_file(plan: UploadedFile) -> None:
    name = plan.name or ""
    if PurePath(name).suffix.lower() not in PLAN_EXTENSIONS:
        raise ValidationError(f"实施方案请上传 PDF、Word 或 OFD 文件（{'、'.join(PLAN_EXTENSIONS)}），收到「{name}」")
    if not plan.size:
        raise ValidationError("上传的实施方案是空文件")
    if plan.size > settings.EVIDENCE_MAX_BYTES:
        raise ValidationError(f"实施方案不能超过 {settings.EVIDENCE_MAX_BYTES // (1024 * 1024)} MB")


def _store_plan(project: Project, plan: UploadedFile, actor: Any) -> None:
    _check_plan_file(plan)
    suffix = PurePath(plan.name or "plan.pdf").suffix.lower()
    project.plan.save(f"{project.selection_id}/{project.pk}-{timezone.now():%Y%m%d%H%M%S}{suffix}", plan, save=False)
    project.plan_name = PurePath(plan.name or "").name[:200]
    project.plan_submitted_by, project.plan_submitted_at = actor, timezone.now()
    project.plan_return_reason = ""


@transaction.atomic
def submit_plan(*, actor: Any, project: Project, plan: UploadedFile) -> Project:
    """The unit uploads its implementation plan (实施方案): the 3-year work is judged against it,
    so construction starts only once the organizer has accepted it."""
    project = Project.objects.select_for_update().select_related("selection__organizer", "unit").get(pk=project.pk)
    if not is_project_unit(actor, project):
        raise PermissionDenied
    if project.status != Project.Status.PLANNING:
        raise ValidationError("实施方案已受理，不能再替换")
    _store_plan(project, plan, actor)
    project.save()
    record(
        actor=actor,
        action="cultivation.plan_submit",
        obj=project,
        summary=f"提交实施方案：{project.plan_name}",
        campaign_id=project.selection_id,
        unit_id=project.unit_id,
    )
    notify(users=_organizer_users(project), text=f"{project.unit.name}已提交实施方案，请受理", link=_link(project))
    return project


@transaction.atomic
def accept_plan(*, actor: Any, project: Project, plan: UploadedFile | None = None) -> Project:
    """The organizer accepts the unit's implementation plan (实施方案); construction starts. A
    plan received on paper may be uploaded here on the unit's behalf."""
    project = Project.objects.select_for_update().select_related("selection__organizer", "unit").get(pk=project.pk)
    _require_organizer(actor, project.selection)
    if project.status != Project.Status.PLANNING:
        raise ValidationError("实施方案已受理")
    if plan is not None:
        _store_plan(project, plan, actor)
    elif not project.plan_submitted_at:
        raise ValidationError("单位尚未提交实施方案")
    project.plan_accepted_by, project.plan_accepted_at = actor, timezone.now()
    project.status = Project.Status.ACTIVE
    project.save()
    record(
        actor=actor,
        action="cultivation.plan_accept",
        obj=project,
        summary=f"受理实施方案：{project.plan_name}",
        before={"status": Project.Status.PLANNING},
        after={"status": project.status},
        campaign_id=project.selection_id,
        unit_id=project.unit_id,
    )
    notify(users=_unit_users(project), text="实施方案已受理，培育建设开始", link=_link(project))
    return project


@transaction.atomic
def return_plan(*, actor: Any, project: Project, reason: str) -> Project:
    """The organizer sends the plan back with what to change; the unit uploads a new one."""
    project = Project.objects.select_for_update().select_related("selection__organizer", "unit").get(pk=project.pk)
    _require_organizer(actor, project.selection)
    if project.status != Project.Status.PLANNING or not project.plan_submitted_at:
        raise ValidationError("没有待受理的实施方案")
    if not reason.strip():
        raise ValidationError("退回实施方案须写明修改意见")
    project.plan_submitted_at, project.plan_return_reason = None, reason.strip()
    project.save()
    record(
        actor=actor,
        action="cultivation.plan_return",
        obj=project,
        summary=f"退回实施方案：{reason.strip()}",
        campaign_id=project.selection_id,
        unit_id=project.unit_id,
    )
    notify(users=_unit_users(project), text=f"实施方案被退回修改：{reason.strip()}", link=_link(project))
    return project


# --- evaluations as small campaigns ---------------------------------------------------------


def _source_application(project: Project) -> Application:
    """The unit's latest answers: its last evaluation's application, else the selection's."""
    latest = (
        Application.objects.filter(
            unit_id=project.unit_id,
            campaign__cultivation_evaluations__project=project,
        )
        .exclude(status=Application.Status.DRAFT)
        .order_by("-campaign__as_of", "-pk")
        .first()
    )
    return latest or project.application


@transaction.atomic
def open_evaluation(
    *, actor: Any, evaluation: Evaluation, deadline: dt.date | None = None, now: dt.datetime | None = None
) -> Campaign:
    """Open an evaluation as a small campaign of its own against the same framework: the unit
    updates its self-assessment (prefilled from its latest answers), the county reviews and
    recommends, experts score and the results aggregate exactly as at selection, so an annual,
    mid-term or final score means the same thing as the creation score."""
    evaluation = (
        Evaluation.objects.select_for_update()
        .select_related("project__unit", "project__selection__organizer", "project__application")
        .get(pk=evaluation.pk)
    )
    project = evaluation.project
    _require_organizer(actor, project.selection)
    if not project.is_open:
        raise ValidationError(f"项目状态为“{project.get_status_display()}”，不能开启评估")
    if evaluation.campaign_id is not None:
        raise ValidationError("该评估已开启")
    if evaluation.outcome != Evaluation.Outcome.PENDING:
        raise ValidationError("该评估已有结论")
    now = now or timezone.now()
    deadline = deadline or evaluation.due_date
    closes = timezone.make_aware(dt.datetime.combine(deadline, dt.time(23, 59)))
    if closes <= now:
        raise ValidationError(f"提交截止日期 {deadline} 已过，请另定截止日期")
    sel = project.selection
    unit = project.unit
    district = unit.kind == Unit.Kind.COUNTY
    label = evaluation.get_kind_display()
    if evaluation.kind == Evaluation.Kind.ANNUAL:
        label = f"第{evaluation.sequence}年{label}"
    campaign = Campaign.objects.create(
        name=f"{unit.name} · {label}",
        year=deadline.year,
        kind=Campaign.Kind.EVALUATION,
        organizer=sel.organizer,
        applicants=Campaign.Applicants.DISTRICTS if district else Campaign.Applicants.SCHOOLS,
        school_framework=sel.school_framework,
        district_framework=sel.district_framework,
        school_form=sel.school_form,
        district_form=sel.district_form,
        as_of=deadline,
        status=Campaign.Status.OPEN,
        description=f"《{sel.name}》培育项目的{label}，按同一指标体系评估",
        created_by=actor,
    )
    campaign.covered_units.set([unit])
    Stage.objects.create(campaign=campaign, kind=Stage.Kind.APPLY, starts_at=now, deadline=closes)
    conf = ReviewSettings.objects.filter(campaign=sel).first()
    if conf is not None:
        conf.pk, conf.id, conf.campaign = None, None, campaign
        conf._state.adding = True
        conf.save()
    source = _source_application(project)
    form_data = dict(source.form_data)
    if district:
        figures = district_figures(project)
        form_data.update(schools=figures["学校数"], students=figures["在校学生"])
    application = Application.objects.create(
        campaign=campaign,
        unit=unit,
        framework=project.application.framework,
        form_key=source.form_key,
        form_data=form_data,
        answers=copy.deepcopy(source.answers),
        narratives=copy.deepcopy(source.narratives),
        updated_by=actor,
    )
    try:
        result = score(framework_for(application.framework), application.answers, as_of=deadline)
    except InvalidAnswers:
        pass
    else:
        application.result, application.self_total = result.to_dict(), result.total
        application.save(update_fields=["result", "self_total"])
    evaluation.campaign = campaign
    evaluation.due_date = deadline
    evaluation.save(update_fields=["campaign", "due_date"])
    record(
        actor=actor,
        action="cultivation.evaluation_open",
        obj=evaluation,
        summary=f"开启{label}，{deadline} 截止",
        after={"campaign": campaign.pk, "application": application.pk},
        campaign_id=sel.pk,
        unit_id=unit.pk,
    )
    notify(
        users=_unit_users(project),
        text=f"{label}已开启，请于 {deadline} 前更新自评并提交",
        link=f"/applications/{application.pk}/",
    )
    return campaign


def evaluation_result(evaluation: Evaluation) -> Result | None:
    """The aggregated expert result of the evaluation's own campaign for the project's unit."""
    if evaluation.campaign_id is None:
        return None
    return (
        Result.objects.filter(campaign_id=evaluation.campaign_id, application__unit_id=evaluation.project.unit_id)
        .select_related("campaign")
        .first()
    )


def sampled_school_result(school: Unit) -> Result | None:
    """The sampled school's (现场调研抽检学校) latest expert result, from the platform's own data:
    its own evaluation, a site-check campaign or its selection."""
    return (
        Result.objects.filter(application__unit=school)
        .select_related("campaign")
        .order_by("-campaign__as_of", "-pk")
        .first()
    )


@transaction.atomic
def conclude_evaluation(
    *,
    actor: Any,
    evaluation: Evaluation,
    outcome: str = "",
    notes: str = "",
    sampled_school: Unit | None = None,
) -> Evaluation:
    """Decide an evaluation on its campaign's aggregated expert result (never on typed-in
    numbers), and, for a district's final evaluation, on the sampled school's own result."""
    evaluation = Evaluation.objects.select_related("project__unit", "project__selection__organizer").get(
        pk=evaluation.pk
    )
    _require_organizer(actor, evaluation.project.selection)
    result = evaluation_result(evaluation)
    if result is None:
        raise ValidationError("评估活动尚无专家评审汇总结果：请先在评审页完成专家评分并计算结果")
    sampled_score = None
    if sampled_school is not None:
        project = evaluation.project
        if sampled_school.pk not in project.unit.descendant_ids() or sampled_school.kind != Unit.Kind.SCHOOL:
            raise ValidationError("抽检学校须为本区域内的学校")
        sampled = sampled_school_result(sampled_school)
        if sampled is None:
            raise ValidationError(f"{sampled_school.name}尚无专家评审结果，不能作为抽检学校得分依据")
        sampled_score = sampled.final
        notes = "；".join(filter(None, [notes.strip(), f"抽检学校得分取自《{sampled.campaign.name}》"]))
    fw = framework_for(evaluation.project.application.framework)
    leaves = {leaf.code for leaf in fw.leaves()}
    indicators = {code: Decimal(str(v)) for code, v in result.indicators.items() if code in leaves}
    return record_evaluation(
        actor=actor,
        evaluation=evaluation,
        indicators=indicators,
        outcome=outcome,
        notes=notes,
        sampled_school=sampled_school,
        sampled_score=sampled_score,
    )


def capped_by_creation(project: Project, indicators: dict[str, Decimal]) -> tuple[dict[str, Decimal], list[str]]:
    """Indicators the framework marks `capped_by_creation` (Sichuan district C38 发展蓝图:
    “验收阶段根据完成情况打分，不超过创建评定分”), capped at their creation-stage score, with a note
    per cap."""
    fw = framework_for(project.application.framework)
    notes = []
    capped = dict(indicators)
    for node in fw.walk():
        if node.capped_by_creation and node.code in capped:
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


def check_award(
    project: Project, score: Decimal, *, sampled_score: Decimal | None, sampled_school: Unit | None = None
) -> AwardCheck:
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
        who = f"（{sampled_school.name}）" if sampled_school is not None else ""
        if sampled_score is None:
            check.awarded = False
            check.reasons.append("未录入现场调研抽检学校得分")
        elif sampled_score < SAMPLED_SCHOOL_MIN:
            check.awarded = False
            check.reasons.append(
                f"现场调研抽检学校{who}得分 {fmt(sampled_score)} 分，低于 {fmt(SAMPLED_SCHOOL_MIN)} 分"
            )
        else:
            check.met.append(f"现场调研抽检学校{who}得分 {fmt(sampled_score)} 分，不低于 {fmt(SAMPLED_SCHOOL_MIN)} 分")
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
        check = check_award(project, score, sampled_score=sampled_score, sampled_school=sampled_school)
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
    Campaign.objects.filter(cultivation_evaluations__project=project).exclude(status=Campaign.Status.CLOSED).update(
        status=Campaign.Status.CLOSED
    )
    notify(users=_unit_users(project), text=f"培育项目已终止：{reason.strip()}", link=_link(project))
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
    """Leave a school closed by a layout change out of the district's statistics (Sichuan note
    4); the district's figures recompute, also in an evaluation form still being filled."""
    project = Project.objects.select_for_update().select_related("selection__organizer", "unit").get(pk=project.pk)
    _require_organizer(actor, project.selection)
    if project.unit.kind != Unit.Kind.COUNTY or school.pk not in project.unit.descendant_ids():
        raise ValidationError("只能标记本区域内的学校")
    if school.kind != Unit.Kind.SCHOOL:
        raise ValidationError("只能标记学校")
    if not reason.strip():
        raise ValidationError("请填写原因（如：布局调整撤并）")
    before = district_figures(project)
    excluded, created = ExcludedSchool.objects.get_or_create(
        project=project, school=school, defaults={"reason": reason.strip(), "marked_by": actor}
    )
    if not created:
        raise ValidationError(f"{school.name}已标记为不纳入统计")
    after = district_figures(project)
    for application in Application.objects.filter(
        unit_id=project.unit_id,
        campaign__cultivation_evaluations__project=project,
        status__in=[Application.Status.DRAFT, Application.Status.RETURNED],
    ):
        application.form_data = {**application.form_data, "schools": after["学校数"], "students": after["在校学生"]}
        application.save(update_fields=["form_data"])
    record(
        actor=actor,
        action="cultivation.exclude_school",
        obj=project,
        summary=f"{school} 不纳入数据统计：{reason.strip()}",
        before=before,
        after=after,
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
    """Evaluations past their due date without a conclusion (none once the project ended)."""
    today = today or timezone.localdate()
    if not project.is_open:
        return []
    return [e for e in project.evaluations.all() if e.outcome == Evaluation.Outcome.PENDING and e.due_date < today]


def _tell_once(users: list[Any], text: str, link: str) -> int:
    since = timezone.now() - dt.timedelta(hours=20)
    fresh = [u for u in users if not Notification.objects.filter(user=u, text=text, created_at__gte=since).exists()]
    return notify(users=fresh, text=text, link=link) if fresh else 0


def remind_due(*, today: dt.date | None = None, days: int = 14) -> int:
    """Remind units of evaluations due within `days`, and tell units and organizers of overdue
    ones, at most once a day per person and message (run daily by the task worker or
    `manage.py send_cultivation_reminders`)."""
    today = today or timezone.localdate()
    pending = Evaluation.objects.filter(
        outcome=Evaluation.Outcome.PENDING,
        due_date__lte=today + dt.timedelta(days=days),
        project__status__in=[Project.Status.ACTIVE, Project.Status.WARNING],
    ).select_related("project__unit", "project__selection__organizer")
    sent = 0
    for evaluation in pending:
        project = evaluation.project
        label = f"{project.unit.name}{evaluation.get_kind_display()}"
        if evaluation.due_date >= today:
            text = f"{label}将于 {evaluation.due_date} 截止，请按时提交成果材料"
            sent += _tell_once(_unit_users(project), text, _link(project))
        else:
            text = f"{label}已逾期（截止 {evaluation.due_date}），请尽快处理"
            sent += _tell_once(_unit_users(project) + _organizer_users(project), text, _link(project))
    return sent


@dataclass
class Risk:
    level: str  # "high" | "medium" | ""
    reasons: list[str]
    latest: Decimal | None
    next_due: Evaluation | None


def risk_of(project: Project, today: dt.date | None = None) -> Risk:
    """Why an organizer should look at this project now: overdue evaluations, a warning, a
    score below the creation score, or a final evaluation near with the score under 100.
    Reads `project.evaluations.all()` (prefetch it for lists)."""
    today = today or timezone.localdate()
    evaluations = list(project.evaluations.all())
    decided = [e for e in evaluations if e.score is not None]
    latest = decided[-1].score if decided else None
    pending = [e for e in evaluations if e.outcome == Evaluation.Outcome.PENDING]
    next_due = pending[0] if pending and project.is_open else None
    reasons: list[str] = []
    high = False
    if project.status == Project.Status.PLANNING:
        if today > project.start_date + dt.timedelta(days=90):
            reasons.append("开始已超过 90 天，实施方案尚未受理")
        return Risk("medium" if reasons else "", reasons, latest, None)
    if not project.is_open:
        return Risk("", [], latest, None)
    late = [e for e in pending if e.due_date < today]
    if late:
        high = True
        reasons.append(f"{len(late)} 项评估逾期（最早截止 {late[0].due_date}）")
    if project.status == Project.Status.WARNING:
        high = True
        reasons.append(f"预警整改中：{project.corrections}")
    if latest is not None and latest < project.creation_score:
        reasons.append(f"最近评定 {fmt(latest)} 分，低于创建评定 {fmt(project.creation_score)} 分")
    final = next((e for e in evaluations if e.kind == Evaluation.Kind.FINAL), None)
    current = latest if latest is not None else project.creation_score
    near = final is not None and final in pending and final.due_date - today <= dt.timedelta(days=365)
    if near and current < AWARD_SCORE:
        reasons.append(f"距终期评审不足一年，目前 {fmt(current)} 分，未达 {fmt(AWARD_SCORE)} 分")
    level = "high" if high else ("medium" if reasons else "")
    return Risk(level, reasons, latest, next_due)


@dataclass
class Moved:
    code: str
    title: str
    delta: Decimal


@dataclass
class ProgressRow:
    label: str
    score: Decimal | None
    sections: dict[str, Decimal]
    change: Decimal | None
    moved: list[Moved]
    growth: Decimal | None = None  # 增值: change from the creation score


def progress(project: Project) -> tuple[list[tuple[str, str]], list[ProgressRow]]:
    """Scores at creation and at each decided evaluation, per top-level section, with the
    change from the previous row, the growth (增值) since creation and the indicators that
    moved."""
    fw = framework_for(project.application.framework)
    sections = [(top.code, top.title) for top in fw.indicators]
    section_leaves = {top.code: [n.code for n in top.walk() if n.is_leaf] for top in fw.indicators}
    leaves = fw.leaves()

    def by_section(indicators: dict[str, Any]) -> dict[str, Decimal]:
        return {
            code: sum((Decimal(str(indicators.get(leaf, "0"))) for leaf in codes), Decimal(0))
            for code, codes in section_leaves.items()
        }

    rows = [ProgressRow("创建评定", project.creation_score, by_section(project.creation_indicators), None, [])]
    previous = project.creation_indicators
    previous_score = project.creation_score
    for evaluation in project.evaluations.exclude(score__isnull=True).order_by("due_date"):
        moved = []
        for leaf in leaves:
            before = Decimal(str(previous.get(leaf.code, "0")))
            after = Decimal(str(evaluation.indicators.get(leaf.code, "0")))
            if before != after:
                moved.append(Moved(leaf.code, leaf.title, after - before))
        label = evaluation.get_kind_display()
        if evaluation.kind == Evaluation.Kind.ANNUAL:
            label = f"第{evaluation.sequence}年{label}"
        assert evaluation.score is not None
        rows.append(
            ProgressRow(
                f"{label}（{evaluation.due_date}）",
                evaluation.score,
                by_section(evaluation.indicators),
                evaluation.score - previous_score,
                moved,
                evaluation.score - project.creation_score,
            )
        )
        previous, previous_score = evaluation.indicators, evaluation.score
    return sections, rows
