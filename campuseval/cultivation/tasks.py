"""Background work for cultivation: daily reminders of due and overdue evaluations. Enqueue
with `send_cultivation_reminders.enqueue()`; a daily cron can call
`manage.py send_cultivation_reminders`."""

from __future__ import annotations

from django_tasks import task

from .services import remind_due


@task()
def send_cultivation_reminders(days: int = 14) -> int:
    return remind_due(days=days)
