"""Old background exports go away: the job rows and their workbooks after `keep_days`, and any
workbook under exports/ that no job refers to (left by a crash between saving and recording)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.utils import timezone

from .models import ExportJob

EXPORTS_DIR = "exports"


@dataclass
class Cleaned:
    jobs: int = 0
    files: int = 0


def cleanup_exports(*, keep_days: int, now: datetime.datetime | None = None) -> Cleaned:
    """Delete export jobs finished (or abandoned) more than `keep_days` ago with their files."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=keep_days)
    done = Cleaned()
    for job in ExportJob.objects.filter(created_at__lt=cutoff).iterator():
        if job.file:
            job.file.delete(save=False)
            done.files += 1
        job.delete()
        done.jobs += 1
    done.files += _orphans()
    return done


def _orphans() -> int:
    """Workbooks in storage that belong to no job."""
    known = {str(token) for token in ExportJob.objects.values_list("token", flat=True)}
    removed = 0
    if not default_storage.exists(EXPORTS_DIR):
        return 0
    user_dirs, _ = default_storage.listdir(EXPORTS_DIR)
    for user_dir in user_dirs:
        _, files = default_storage.listdir(f"{EXPORTS_DIR}/{user_dir}")
        for name in files:
            if name.rsplit(".", 1)[0] not in known:
                default_storage.delete(f"{EXPORTS_DIR}/{user_dir}/{name}")
                removed += 1
    return removed
