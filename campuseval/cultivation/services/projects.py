"""Cultivation projects from a final list, their evaluation schedule, termination, and a
district's schools left out of its statistics."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from campuseval.accounts.models import User
from campuseval.applications.models import Application
from campuseval.audit.services import record
from campuseval.campaigns.models import Campaign
from campuseval.notifications.services import notify
from campuseval.orgs.models import Unit
from campuseval.reviews.models import Result

from ..models import Evaluation, ExcludedSchool, Project
from .people import project_link, require_organizer, unit_users


def add_months(day: dt.date, months: int) -> dt.date:
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
        plan.append((Evaluation.Kind.ANNUAL, year, add_months(start, 12 * year)))
    plan.append((Evaluation.Kind.MIDTERM, 1, add_months(start, 6 * years)))
    plan.append((Evaluation.Kind.FINAL, 1, add_months(start, 12 * years)))
    return sorted(plan, key=lambda item: item[2])


@transaction.atomic
def create_projects(*, actor: User, selection: Campaign, start_date: dt.date, years: int = 3) -> list[Project]:
    """A cultivation project for every unit selected on the campaign's final list, with its
    evaluations scheduled."""
    require_organizer(actor, selection)
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


def mark_application(*, actor: User, project: Project, status: str) -> None:
    """The project's selection application follows the cycle: 已授牌 when the project is
    awarded, 终止 when it is terminated, so every page and export of it says so. Audited."""
    application = Application.objects.select_for_update().get(pk=project.application_id)
    before = application.status
    if before == status:
        return
    application.status = status
    application.save(update_fields=["status"])
    record(
        actor=actor,
        action="application.status",
        obj=application,
        summary=f"培育项目{project.get_status_display()}，申报状态改为“{application.get_status_display()}”",
        before={"status": before},
        after={"status": status},
        campaign_id=application.campaign_id,
        unit_id=application.unit_id,
    )


@transaction.atomic
def terminate_project(*, actor: User, project: Project, reason: str) -> Project:
    """Terminate at once (a violation during the cycle), with the reason."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    require_organizer(actor, project.selection)
    if not reason.strip():
        raise ValidationError("终止须写明原因")
    if project.status in (Project.Status.TERMINATED, Project.Status.AWARDED):
        raise ValidationError(f"项目状态为“{project.get_status_display()}”，不能终止")
    before = project.status
    project.status, project.termination_reason = Project.Status.TERMINATED, reason.strip()
    project.save()
    mark_application(actor=actor, project=project, status=Application.Status.TERMINATED)
    project.evaluations.filter(outcome=Evaluation.Outcome.PENDING).update(notes="项目已终止")
    Campaign.objects.filter(cultivation_evaluations__project=project).exclude(status=Campaign.Status.CLOSED).update(
        status=Campaign.Status.CLOSED
    )
    notify(users=unit_users(project), text=f"培育项目已终止：{reason.strip()}", link=project_link(project))
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
def exclude_school(*, actor: User, project: Project, school: Unit, reason: str) -> ExcludedSchool:
    """Leave a school closed by a layout change out of the district's statistics (Sichuan note
    4); the district's figures recompute, also in an evaluation form still being filled."""
    project = Project.objects.select_for_update().select_related("selection__organizer", "unit").get(pk=project.pk)
    require_organizer(actor, project.selection)
    if project.unit.kind != Unit.Kind.COUNTY or school not in project.unit.subtree():
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
    schools = project.unit.subtree().units().filter(kind=Unit.Kind.SCHOOL, is_active=True).exclude(
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
