"""Background work for review and selection: reminders before deadlines, and the long review
steps (automatic assignment, computing results) as recorded operations.

Reminders: enqueue with `send_reminders.enqueue()` (the database worker `manage.py db_worker`
runs it; a daily cron can call `manage.py send_reminders`).

Operations (`Operation`): at province scale an automatic assignment or a computation covers
two thousand finalists, longer than a proxy's 30 s request timeout may allow on a busy
machine. The organizer's POST calls `start_operation`, which refuses a second one of the same
kind while one is queued or running for the campaign (no double assignment), records the
Operation with the number of finalists and enqueues `run_review_operation` once the request's
transaction commits; the page `reviews:operation` polls its status fragment until it is done
or failed and then shows the outcome. The desk runs campaigns of fewer than
`settings.REVIEW_INLINE_FINALISTS` finalists (200) within the request as before, where the
outcome is a message on the desk: simpler for the many small campaigns, and quick enough.

The step itself is one transaction (all or nothing: a failed assignment leaves no half of its
tasks), so its counter moves from 0 to all when it commits; the page says 排队中 / 进行中 until
then. An operation queued or running for longer than OPERATION_STALE_MINUTES (a worker that
died) no longer blocks a new one."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from campuseval.access.rules import DIRECT_REVIEWER_ROLES, first_review_unit, is_organizer_for
from campuseval.accounts.models import Membership, Role, User
from campuseval.applications.models import Application
from campuseval.campaigns.models import Campaign, Stage
from campuseval.notifications.models import Notification
from campuseval.notifications.services import notify
from campuseval.orgs.models import Unit

from . import services
from .models import Assignment, Operation, Panel
from .queries import finalists

logger = logging.getLogger(__name__)

#: an operation not finished after this long is taken for a dead worker's and blocks nothing
OPERATION_STALE_MINUTES = 60


def _already_told(user_id: int, text: str, since: dt.datetime) -> bool:
    return Notification.objects.filter(user_id=user_id, text=text, created_at__gte=since).exists()


def remind(*, now: dt.datetime | None = None, days: int = 3) -> int:
    """Tell schools whose application is not submitted, county reviewers with submitted
    applications still unreviewed, and experts whose sheets are not submitted, that a
    deadline falls within `days`; at most once a day per person and message."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(days=days)
    since = now - dt.timedelta(hours=20)
    sent = 0
    for stage in Stage.objects.filter(kind=Stage.Kind.APPLY, deadline__gte=now, deadline__lte=horizon).select_related(
        "campaign"
    ):
        campaign = stage.campaign
        if campaign.status != Campaign.Status.OPEN:
            continue
        pending = Application.objects.filter(
            campaign=campaign, status__in=[Application.Status.DRAFT, Application.Status.RETURNED]
        ).values_list("unit_id", flat=True)
        text = f"《{campaign.name}》申报将于 {timezone.localtime(stage.deadline):%Y-%m-%d %H:%M} 截止，请尽快完成并提交"
        for membership in Membership.objects.filter(
            unit_id__in=list(pending), role__in=[Role.APPLICANT, Role.HEAD]
        ).select_related("user"):
            if not _already_told(membership.user_id, text, since):
                sent += notify(users=[membership.user], text=text, link="/applications/")
    for stage in Stage.objects.filter(
        kind=Stage.Kind.COUNTY_REVIEW, deadline__gte=now, deadline__lte=horizon
    ).select_related("campaign"):
        deadline = timezone.localtime(stage.deadline)
        text = f"《{stage.campaign.name}》县级初审将于 {deadline:%Y-%m-%d %H:%M} 截止，尚有申报未审核，请尽快处理"
        waiting = Application.objects.filter(
            campaign=stage.campaign, status=Application.Status.SUBMITTED
        ).select_related("unit__parent")
        #: the county step's units: counties, and the city / province of a 市直 / 省直 school
        steps = {u for u in (first_review_unit(a.unit) for a in waiting) if u is not None}
        counties = {u.pk for u in steps if u.kind == Unit.Kind.COUNTY}
        direct = {u.pk for u in steps if u.kind != Unit.Kind.COUNTY}
        reviewers = Q(unit_id__in=counties, role=Role.COUNTY_REVIEWER) | Q(
            unit_id__in=direct, role__in=DIRECT_REVIEWER_ROLES
        )
        for membership in Membership.objects.filter(reviewers).select_related("user"):
            if not _already_told(membership.user_id, text, since):
                sent += notify(users=[membership.user], text=text, link="/reviews/county/")
    for stage in Stage.objects.filter(
        kind=Stage.Kind.EXPERT_REVIEW, deadline__gte=now, deadline__lte=horizon
    ).select_related("campaign"):
        deadline = timezone.localtime(stage.deadline)
        text = f"《{stage.campaign.name}》专家评审将于 {deadline:%Y-%m-%d %H:%M} 截止，请尽快提交评分"
        open_sheets = Assignment.objects.filter(
            panel__campaign=stage.campaign, status__in=[Assignment.Status.ASSIGNED, Assignment.Status.CONFIRMED]
        ).select_related("expert__user")
        for user in {a.expert.user for a in open_sheets}:
            if not _already_told(user.pk, text, since):
                sent += notify(users=[user], text=text, link="/reviews/expert/")
    return sent


@task()
def send_reminders(days: int = 3) -> int:
    return remind(days=days)


# --- review operations in the worker ------------------------------------------------------------


def inline_finalists() -> int:
    """Campaigns with fewer finalists than this are assigned and computed within the request."""
    return int(settings.REVIEW_INLINE_FINALISTS)


def busy_operation(campaign: Campaign, kind: str) -> Operation | None:
    """The campaign's operation of this kind still queued or running (and not stale), if any."""
    since = timezone.now() - dt.timedelta(minutes=OPERATION_STALE_MINUTES)
    return (
        Operation.objects.filter(
            campaign=campaign,
            kind=kind,
            status__in=[Operation.Status.QUEUED, Operation.Status.RUNNING],
            created_at__gte=since,
        )
        .order_by("-created_at")
        .first()
    )


def refuse_if_busy(campaign: Campaign, kind: str) -> None:
    """A second automatic assignment (or computation) while one is under way is refused."""
    busy = busy_operation(campaign, kind)
    if busy is not None:
        raise ValidationError(
            f"本活动已有一项「{busy.get_kind_display()}」{busy.get_status_display()}，请等待完成后再操作"
        )


@transaction.atomic
def start_operation(
    *, actor: User, campaign: Campaign, kind: str, params: dict[str, Any], ip: str | None = None
) -> Operation:
    """Record the operation and enqueue it after commit. The campaign row is locked while
    checking, so two simultaneous requests never both start one. `params`: the panel's id (and
    `per_application`) for an assignment; nothing for a computation."""
    if not is_organizer_for(actor, campaign):
        raise PermissionDenied
    if kind not in Operation.Kind.values:
        raise ValidationError("未知的后台操作")
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    refuse_if_busy(campaign, kind)
    if (
        kind == Operation.Kind.AUTO_ASSIGN
        and not Panel.objects.filter(pk=int(params.get("panel") or 0), campaign=campaign).exists()
    ):
        raise ValidationError({"panel": "请选择本活动的专家组"})
    operation = Operation.objects.create(
        campaign=campaign,
        user=actor,
        kind=kind,
        params={**params, "ip": ip},
        rows_total=finalists(campaign).count(),
    )
    transaction.on_commit(lambda: _enqueue(operation.pk))
    return operation


def _enqueue(operation_id: int) -> None:
    result = run_review_operation.enqueue(operation_id)
    Operation.objects.filter(pk=operation_id).update(task_id=str(result.id)[:64])


def _outcome(operation: Operation) -> dict[str, Any]:
    """Run the step for the operation's user (their rights as they are now); its report."""
    params = operation.params or {}
    ip = params.get("ip")
    user = operation.user
    if user is None:
        raise PermissionDenied

    if operation.kind == Operation.Kind.AUTO_ASSIGN:
        panel = Panel.objects.filter(pk=int(params.get("panel") or 0), campaign_id=operation.campaign_id).first()
        if panel is None:
            raise ValidationError("专家组已不存在")
        outcome = services.auto_assign(actor=user, panel=panel, per_application=params.get("per_application"), ip=ip)
        return {
            "message": outcome.message,
            "made": outcome.made,
            "applications": outcome.applications,
            "problems": outcome.problems[:500],
            "problem_count": len(outcome.problems),
        }
    results = services.compute_results(actor=user, campaign=operation.campaign, ip=ip)
    return {"message": f"评审结果已计算：{len(results)} 份申报", "made": len(results), "problems": []}


def run_operation(operation_id: int) -> str:
    """The worker's part: claim the queued operation (only one run of the task does the step),
    run it and store its outcome; a refusal (a ValidationError, in Chinese) or a lost
    permission is shown on the page as the failure's reason."""
    operation = Operation.objects.select_related("campaign", "user").get(pk=operation_id)
    claimed = Operation.objects.filter(pk=operation.pk, status=Operation.Status.QUEUED).update(
        status=Operation.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:  # finished, or already taken by another run of the task
        return str(operation.status)
    error = ""
    report: dict[str, Any] = {}
    try:
        report = _outcome(operation)
    except ValidationError as exc:
        error = "；".join(exc.messages)
    except PermissionDenied:
        error = "您已无此操作的权限（角色或范围已变更）"
    except Exception:
        logger.exception("review operation %s failed", operation.pk)
        error = "后台操作意外出错，未作任何更改，请联系系统管理员"
    operation.refresh_from_db()
    operation.finished_at = timezone.now()
    if error:
        operation.status = Operation.Status.FAILED
        operation.error = error[:4000]
    else:
        operation.status = Operation.Status.DONE
        operation.report = report
        operation.rows_done = operation.rows_total
    operation.save(update_fields=["status", "error", "report", "rows_done", "finished_at"])
    return str(operation.status)


@task()
def run_review_operation(operation_id: int) -> str:
    return run_operation(operation_id)
