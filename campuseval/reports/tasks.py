"""Background Excel exports. `queue_export` records an ExportJob and enqueues `build_export`;
the database worker (`manage.py db_worker`) runs it, building the workbook in chunks and
saving progress so the "my exports" page can show a progress bar. Tests use the immediate
backend, which runs the task inside `enqueue`."""

from __future__ import annotations

import logging
import tempfile
from typing import Any

from django.core.files import File
from django.utils import timezone
from django_tasks import task

from . import exports
from .models import ExportJob

logger = logging.getLogger(__name__)


def queue_export(*, user: Any, key: str, scope: exports.Scope) -> ExportJob:
    """An export of list `key` over `scope` for `user`, run in the background. Asking twice
    for the same list while the first is still queued or running returns the first job
    instead of building the same file twice."""
    pending = ExportJob.objects.filter(
        user=user,
        list_key=key,
        campaign=scope.campaign,
        params=scope.params,
        status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING],
    ).first()
    if pending is not None:
        return pending
    job = ExportJob.objects.create(
        user=user,
        list_key=key,
        campaign=scope.campaign,
        params=scope.params,
        title=exports.LISTS[key].label(scope),
        filename=exports.filename(scope, key),
    )
    result = build_export.enqueue(job.pk)
    ExportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def run_export(job_id: int) -> str:
    """Build the job's workbook, saving progress every chunk; the scope is resolved again with
    the requester's current roles, so a role withdrawn meanwhile yields no file."""
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    if job.is_finished:
        return str(job.status)
    scope = exports.resolve_scope(job.user, job.list_key, job.campaign_id, job.params)
    if scope is None:
        _fail(job, "无权导出该列表（角色或范围已变更）")
        return str(job.status)
    total = exports.LISTS[job.list_key].count(scope)
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.RUNNING, rows_total=total, rows_done=0, started_at=timezone.now()
    )

    def report(done: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=max(total, done))

    with tempfile.TemporaryFile() as handle:
        try:
            exports.write(scope, job.list_key, handle, report)
        except Exception as exc:
            logger.exception("export %s failed", job.pk)
            _fail(job, f"{type(exc).__name__}: {exc}")
            raise
        job.refresh_from_db()
        handle.seek(0)
        job.file.save(job.filename or "export.xlsx", File(handle), save=False)
    job.status = ExportJob.Status.DONE
    job.finished_at = timezone.now()
    job.rows_total = max(job.rows_total, job.rows_done)
    job.save(update_fields=["file", "status", "finished_at", "rows_total"])
    return str(job.status)


def _fail(job: ExportJob, error: str) -> None:
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )
    job.refresh_from_db()


@task()
def build_export(job_id: int) -> str:
    return run_export(job_id)
