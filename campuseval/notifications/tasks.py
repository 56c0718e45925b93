"""The e-mail copies of notifications, sent by the task worker. Each outcome is written on the
notification (sent, or failed with the reason), where the organizer's notifications page lists
the failures; a failure is recorded, not raised, so one bad address does not stop the rest."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django_tasks import task

from .models import EmailStatus, Notification

logger = logging.getLogger(__name__)
ERROR_LENGTH = 300


def deliver(notification_ids: list[int]) -> dict[str, int]:
    """Send each still-queued notification's e-mail; returns counts of sent and failed."""
    counts = {"sent": 0, "failed": 0}
    queued = Notification.objects.filter(pk__in=notification_ids, email_status=EmailStatus.QUEUED).select_related(
        "user"
    )
    for note in queued:
        try:
            send_mail(
                f"[{settings.SITE_NAME}] {note.text[:60]}",
                f"{note.text}\n\n{settings.SITE_ROOT}{note.link}",
                settings.DEFAULT_FROM_EMAIL,
                [note.user.email],
                fail_silently=False,
            )
        except Exception as exc:  # any mail backend error: record it where the organizer sees it
            logger.warning("notification %s e-mail to user %s failed", note.pk, note.user_id, exc_info=True)
            status, error = EmailStatus.FAILED, f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH]
        else:
            status, error = EmailStatus.SENT, ""
        Notification.objects.filter(pk=note.pk).update(email_status=status, email_error=error, email_at=timezone.now())
        counts[str(status)] += 1
    return counts


@task()
def send_emails(notification_ids: list[int]) -> dict[str, int]:
    return deliver(notification_ids)
