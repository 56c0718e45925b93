"""Imports as jobs, the way exports are (reports/tasks.py): every import (accounts, experts,
units, an indicator table) is an ImportJob row.
A short sheet (at most settings.IMPORT_INLINE_ROWS data rows) is imported within the request;
a longer one is kept through the storage API and imported by the background worker
(`manage.py db_worker`), which saves "已处理 n/N 行" as it goes for the imports page to poll.
The new accounts' initial passwords go into a sheet in storage that the importer may download
once; the row messages stay on the job (never a password)."""

from __future__ import annotations

import logging
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from campuseval.accounts.models import User
from campuseval.audit.services import record
from campuseval.spreadsheets.reading import ImportReport, Sheet, inline_rows, read_sheet
from campuseval.spreadsheets.writing import Column, build_workbook
from campuseval.units.services import UNIT_COLUMNS, import_units

from . import imports as importers
from .models import ImportJob

logger = logging.getLogger(__name__)

COLUMNS = {
    ImportJob.Kind.ACCOUNTS: importers.ACCOUNT_COLUMNS,
    ImportJob.Kind.EXPERTS: importers.EXPERT_COLUMNS,
    ImportJob.Kind.FRAMEWORK: importers.FRAMEWORK_COLUMNS,
    ImportJob.Kind.UNITS: UNIT_COLUMNS,
}


def start_import(
    *, actor: User, kind: str, file: IO[bytes], filename: str, params: dict[str, Any], ip: str | None
) -> tuple[ImportJob, ImportReport | None, str]:
    """Record the import and run it: now (returning its report and, for a framework table, the
    draft YAML) or, for a long sheet, in the background (the report is None)."""
    job = ImportJob.objects.create(
        user=actor, kind=kind, params=params, filename=filename[:200], ip=ip, status=ImportJob.Status.RUNNING
    )
    sheet = read_sheet(file, COLUMNS[ImportJob.Kind(kind)])
    job.rows_total = len(sheet.rows)
    if (sheet.refused and any(number <= 1 for number, _ in sheet.refused)) or len(sheet.rows) <= inline_rows():
        report, draft = _run(job, sheet, chunk=None)
        return job, report, draft
    file.seek(0)
    job.upload.save(f"{job.token}.xlsx", ContentFile(file.read()), save=False)
    job.status = ImportJob.Status.QUEUED
    job.save(update_fields=["upload", "status", "rows_total"])
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job, None, ""


def _enqueue(job_id: int) -> None:
    result = import_sheet.enqueue(job_id)
    ImportJob.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


def _run(job: ImportJob, sheet: Sheet, chunk: int | None) -> tuple[ImportReport, str]:
    """Import `sheet` for the job's user (their scope as it is now), store the outcome."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now(), rows_total=len(sheet.rows)
    )

    def progress(done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(rows_done=done, rows_total=total)

    draft = ""
    common: dict[str, Any] = {"actor": job.user, "sheet": sheet, "ip": job.ip, "progress": progress, "job_id": job.pk}
    try:
        if job.kind == ImportJob.Kind.ACCOUNTS:
            report = importers.import_accounts(**common, chunk=chunk)
        elif job.kind == ImportJob.Kind.EXPERTS:
            report = importers.import_experts(**common, chunk=chunk)
        elif job.kind == ImportJob.Kind.UNITS:
            report = import_units(**common)
        else:
            params = job.params or {}
            report, draft = importers.import_framework_table(
                **common,
                key=str(params.get("key", "")),
                title=str(params.get("title", "")),
                subject=str(params.get("subject", "school")),
                level_names=[str(x) for x in params.get("level_names", [])],
            )
    except PermissionDenied:
        report = ImportReport(refused=[(0, "您已无导入权限（角色或范围已变更）")])
    _finish(job, report)
    return report, draft


def _finish(job: ImportJob, report: ImportReport) -> None:
    job.refresh_from_db()
    job.report = {
        "refused": [[n, reason] for n, reason in report.refused[:2000]],
        "refused_count": len(report.refused),
        "created": report.created,
        "updated": report.updated,
        "notes": report.notes[:200],
    }
    job.status = ImportJob.Status.REFUSED if report.refused else ImportJob.Status.DONE
    if report.passwords:
        data = build_workbook(
            "初始密码",
            [Column("用户名", 20), Column("初始密码", 24)],
            [[username, password] for username, password in report.passwords],
        )
        job.passwords.save(f"{job.token}-passwords.xlsx", ContentFile(data), save=False)
        job.passwords_count = len(report.passwords)
    if job.upload:
        job.upload.delete(save=False)
    job.finished_at = timezone.now()
    if not report.refused:
        job.rows_done = job.rows_total
    job.save()


def run_import(job_id: int) -> str:
    """The worker's part: read the kept sheet again and import it in chunks."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.is_finished:
        return str(job.status)
    try:
        with job.upload.open("rb") as handle:
            sheet = read_sheet(handle, COLUMNS[ImportJob.Kind(job.kind)])
        _run(job, sheet, chunk=importers.CHUNK)
    except Exception as exc:
        logger.exception("import %s failed", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=timezone.now()
        )
        raise
    job.refresh_from_db()
    return str(job.status)


@task()
def import_sheet(job_id: int) -> str:
    return run_import(job_id)


def take_passwords(*, actor: User, job: ImportJob) -> bytes | None:
    """The initial-password sheet, once, to the importer: the file is deleted as it is handed
    over, and the handing-over is audited."""
    if job.user_id != actor.pk or not job.passwords:
        return None
    with job.passwords.open("rb") as handle:
        data = bytes(handle.read())
    job.passwords.delete(save=False)
    job.passwords_taken_at = timezone.now()
    job.save(update_fields=["passwords", "passwords_taken_at"])
    record(
        actor=actor,
        action="import.passwords",
        obj=job,
        summary=f"下载导入新账号的初始密码表（{job.passwords_count} 个账号）",
        ip=job.ip,
    )
    return data
