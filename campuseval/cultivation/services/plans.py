"""The implementation plan (实施方案): the unit submits it, the organizer accepts or returns it."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from campuseval.access.rules import is_project_unit
from campuseval.accounts.models import User
from campuseval.applications.services import sanitize_filename
from campuseval.audit.services import record
from campuseval.files.checks import CheckedFile, check_upload
from campuseval.notifications.services import notify

from ..models import Project
from .people import organizer_users, project_link, require_organizer, unit_users

PLAN_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".ofd")


def check_plan_file(plan: UploadedFile[Any]) -> CheckedFile:
    """The plan through the one upload check: its type read from the content (a text file named
    .pdf is refused), a Word or OFD archive well formed and free of programs, within the size
    limit; the message names the file. The name must also end in one of these extensions (the
    organizer downloads it under that name)."""
    name = plan.name or ""
    if PurePath(name).suffix.lower() not in PLAN_EXTENSIONS:
        raise ValidationError(f"实施方案请上传 PDF、Word 或 OFD 文件（{'、'.join(PLAN_EXTENSIONS)}），收到「{name}」")
    return check_upload(
        plan,
        accept=[e.lstrip(".") for e in PLAN_EXTENSIONS],
        what="实施方案",
        wrong_type="实施方案请上传 PDF、Word 或 OFD 文件",
    )


def store_plan(project: Project, plan: UploadedFile[Any], actor: User) -> None:
    """Stored under the extension its content was found to be, so it is served as what it is."""
    checked = check_plan_file(plan)
    project.plan.save(
        f"{project.selection_id}/{project.pk}-{timezone.now():%Y%m%d%H%M%S}.{checked.extension}", plan, save=False
    )
    project.plan_name = sanitize_filename(plan.name or "实施方案", checked.extension)
    project.plan_submitted_by, project.plan_submitted_at = actor, timezone.now()
    project.plan_return_reason = ""


@transaction.atomic
def submit_plan(*, actor: User, project: Project, plan: UploadedFile[Any]) -> Project:
    """The unit uploads its implementation plan (实施方案): the 3-year work is judged against it,
    so construction starts only once the organizer has accepted it."""
    project = Project.objects.select_for_update().select_related("selection__organizer", "unit").get(pk=project.pk)
    if not is_project_unit(actor, project):
        raise PermissionDenied
    if project.status != Project.Status.PLANNING:
        raise ValidationError("实施方案已受理，不能再替换")
    store_plan(project, plan, actor)
    project.save()
    record(
        actor=actor,
        action="cultivation.plan_submit",
        obj=project,
        summary=f"提交实施方案：{project.plan_name}",
        campaign_id=project.selection_id,
        unit_id=project.unit_id,
    )
    notify(
        users=organizer_users(project), text=f"{project.unit.name}已提交实施方案，请受理", link=project_link(project)
    )
    return project


@transaction.atomic
def accept_plan(*, actor: User, project: Project, plan: UploadedFile[Any] | None = None) -> Project:
    """The organizer accepts the unit's implementation plan (实施方案); construction starts. A
    plan received on paper may be uploaded here on the unit's behalf."""
    project = Project.objects.select_for_update().select_related("selection__organizer", "unit").get(pk=project.pk)
    require_organizer(actor, project.selection)
    if project.status != Project.Status.PLANNING:
        raise ValidationError("实施方案已受理")
    if plan is not None:
        store_plan(project, plan, actor)
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
    notify(users=unit_users(project), text="实施方案已受理，培育建设开始", link=project_link(project))
    return project


@transaction.atomic
def return_plan(*, actor: User, project: Project, reason: str) -> Project:
    """The organizer sends the plan back with what to change; the unit uploads a new one."""
    project = Project.objects.select_for_update().select_related("selection__organizer", "unit").get(pk=project.pk)
    require_organizer(actor, project.selection)
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
    notify(users=unit_users(project), text=f"实施方案被退回修改：{reason.strip()}", link=project_link(project))
    return project
