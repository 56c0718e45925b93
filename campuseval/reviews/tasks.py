"""Background work for review and selection: reminders before deadlines. Enqueue with
`send_reminders.enqueue()` (the database worker `manage.py db_worker` runs it; a daily cron
can call `manage.py send_reminders`)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from campuseval.access.rules import county_of
from campuseval.accounts.models import Membership, Role
from campuseval.applications.models import Application
from campuseval.campaigns.models import Campaign, Stage
from campuseval.notifications.models import Notification
from campuseval.notifications.services import notify

from .models import Assignment


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
        counties = {c.pk for c in (county_of(a.unit) for a in waiting) if c is not None}
        for membership in Membership.objects.filter(unit_id__in=counties, role=Role.COUNTY_REVIEWER).select_related(
            "user"
        ):
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
