"""Due and overdue evaluations, and the daily reminders about them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from campuseval.accounts.models import User
from campuseval.notifications.models import Notification
from campuseval.notifications.services import notify

from ..models import Evaluation, Project
from .people import organizer_users, project_link, unit_users


def overdue(project: Project, today: dt.date | None = None) -> list[Evaluation]:
    """Evaluations past their due date without a conclusion (none once the project ended)."""
    today = today or timezone.localdate()
    if not project.is_open:
        return []
    return [e for e in project.evaluations.all() if e.outcome == Evaluation.Outcome.PENDING and e.due_date < today]


def tell_once(users: list[User], text: str, link: str) -> int:
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
            sent += tell_once(unit_users(project), text, project_link(project))
        else:
            text = f"{label}已逾期（截止 {evaluation.due_date}），请尽快处理"
            sent += tell_once(unit_users(project) + organizer_users(project), text, project_link(project))
    return sent
