"""Evaluations as small campaigns of their own: opening one, its aggregated expert result,
the organizer's conclusion, the creation cap and the award decision with its conditions."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from campuseval.accounts.models import User
from campuseval.applications.models import Application
from campuseval.audit.services import record
from campuseval.campaigns.models import Campaign, Stage
from campuseval.campaigns.scoring import framework_for
from campuseval.engine import InvalidAnswers, score
from campuseval.engine.numbers import fmt
from campuseval.notifications.services import notify
from campuseval.orgs.models import Unit
from campuseval.reviews.models import Result, ReviewSettings

from ..models import Evaluation, Project
from .people import require_organizer, unit_users
from .projects import district_figures, mark_application

AWARD_SCORE = Decimal(100)


SAMPLED_SCHOOL_MIN = Decimal(60)


def source_application(project: Project) -> Application:
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
    *,
    actor: User,
    evaluation: Evaluation,
    deadline: dt.date | None = None,
    now: dt.datetime | None = None,
    county_list: bool = True,
    publicity: bool = True,
    site_weight: Decimal = Decimal(0),
) -> Campaign:
    """Open an evaluation as a small campaign of its own against the same framework: the unit
    updates its self-assessment (prefilled from its latest answers), the county reviews,
    experts score and the results aggregate exactly as at selection, so an annual, mid-term or
    final score means the same thing as the creation score.

    The organizer chooses the steps: whether the county confirms a recommendation list (else
    the county's acceptance sends the application to the experts), whether the result is
    publicly noticed, and the site visit's weight (0 unless chosen, never the selection's).
    The experts' method and thresholds are the selection's."""
    evaluation = (
        Evaluation.objects.select_for_update()
        .select_related("project__unit", "project__selection__organizer", "project__application")
        .get(pk=evaluation.pk)
    )
    project = evaluation.project
    require_organizer(actor, project.selection)
    if not project.is_open:
        raise ValidationError(f"项目状态为“{project.get_status_display()}”，不能开启评估")
    if evaluation.campaign_id is not None:
        raise ValidationError("该评估已开启")
    if evaluation.outcome != Evaluation.Outcome.PENDING:
        raise ValidationError("该评估已有结论")
    if not Decimal(0) <= site_weight < 1:
        raise ValidationError("实地考察/答辩权重应在 0 到 1 之间（如 0.3 表示 30%）")
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
    conf = ReviewSettings.objects.filter(campaign=sel).first() or ReviewSettings()
    conf.pk, conf.id, conf.campaign = None, None, campaign
    conf._state.adding = True
    conf.county_list, conf.publicity, conf.site_weight = county_list, publicity, site_weight
    if not county_list:
        conf.city_review = False  # the cities screen county lists; without one there is nothing to screen
    conf.save()
    source = source_application(project)
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
        summary=f"开启{label}，{deadline} 截止；{steps_text(conf)}",
        after={
            "campaign": campaign.pk,
            "application": application.pk,
            "county_list": county_list,
            "publicity": publicity,
            "site_weight": str(site_weight),
        },
        campaign_id=sel.pk,
        unit_id=unit.pk,
    )
    notify(
        users=unit_users(project),
        text=f"{label}已开启，请于 {deadline} 前更新自评并提交",
        link=f"/applications/{application.pk}/",
    )
    return campaign


def steps_text(conf: ReviewSettings) -> str:
    """The review steps an evaluation campaign runs, in Chinese."""
    parts = ["县级推荐名单" if conf.county_list else "县级初审通过即进入专家评审（不建推荐名单）"]
    parts.append("公示" if conf.publicity else "不公示")
    weight = Decimal(conf.site_weight or 0)
    parts.append(f"实地考察/答辩权重 {fmt(weight * 100)}%" if weight else "不计实地考察")
    return "，".join(parts)


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
    actor: User,
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
    require_organizer(actor, evaluation.project.selection)
    result = evaluation_result(evaluation)
    if result is None:
        raise ValidationError("评估活动尚无专家评审汇总结果：请先在评审页完成专家评分并计算结果")
    sampled_score = None
    if sampled_school is not None:
        project = evaluation.project
        if sampled_school not in project.unit.subtree() or sampled_school.kind != Unit.Kind.SCHOOL:
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
        below = project.unit.subtree().q("unit")
        schools = (
            Project.objects.filter(below, status=Project.Status.AWARDED)
            .exclude(unit=project.unit)
            .select_related("unit")
        )
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
    actor: User,
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
    require_organizer(actor, project.selection)
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
    if project.status == Project.Status.AWARDED:
        mark_application(actor=actor, project=project, status=Application.Status.AWARDED)
    elif project.status == Project.Status.TERMINATED:
        mark_application(actor=actor, project=project, status=Application.Status.TERMINATED)
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
