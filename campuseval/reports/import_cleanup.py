"""Initial passwords do not linger: a password sheet nobody downloaded is deleted after
settings.IMPORT_PASSWORDS_KEEP_HOURS, and an uploaded sheet left by a crashed worker with it.
The job rows stay (they hold the row messages, no personal data beyond user names)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from .models import ImportJob


def cleanup_imports(*, keep_hours: int, now: datetime.datetime | None = None) -> int:
    """Delete password sheets and kept uploads of jobs older than `keep_hours`; the count of
    files deleted."""
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=keep_hours)
    removed = 0
    for job in ImportJob.objects.filter(created_at__lt=cutoff).exclude(passwords="", upload="").iterator():
        for name in ("passwords", "upload"):
            stored = getattr(job, name)
            if stored:
                stored.delete(save=False)
                removed += 1
        job.save(update_fields=["passwords", "upload"])
    return removed
