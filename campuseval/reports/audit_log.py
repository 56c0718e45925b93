"""The system-wide audit log (审计日志): its filters, which entries a reader gets, how an entry is
shown to them, and its Excel export, built by the background worker with no row cap.

System administrators read every entry, organizers their region's (`access.scopes`); what a
school typed before submitting is shown as draft content to everyone here, as on the campaign's
own audit page (`applications.drafts`). A page costs the same number of queries for one entry
as for fifty: the unit and campaign names and the submission windows are read once per page
(per chunk of rows in the export)."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db.models import Min, Q, QuerySet
from django.utils import timezone
from django_tasks import task

from campuseval.access.rules import may_read_audit_log
from campuseval.access.scopes import visible_audit_entries
from campuseval.applications import drafts
from campuseval.applications.models import Application
from campuseval.audit.models import AuditEntry, AuditExport
from campuseval.audit.services import record
from campuseval.campaigns.models import Campaign
from campuseval.orgs.models import Subtree, Unit
from campuseval.spreadsheets.writing import Column
from campuseval.spreadsheets.writing import write_workbook as stream_workbook

from .exports import CHUNK, WHEN_SECONDS, with_progress

#: entries on one page of the audit log
PER_PAGE = 50
#: A unit filter naming more units than this (a name fragment like "学校") keeps the first ones.
MATCHED_UNITS = 200
#: Excel keeps at most 32,767 characters in a cell
CELL_LIMIT = 32_000

COLUMNS = [
    Column("时间", 20, WHEN_SECONDS),
    Column("操作人", 14),
    Column("来源地址", 16),
    Column("操作", 24),
    Column("单位", 24),
    Column("活动", 28),
    Column("对象", 18),
    Column("摘要", 40),
    Column("变更前", 40),
    Column("变更后", 40),
]


class AuditFilterForm(forms.Form):
    """The page's filters (GET), also carried by the export button (POST)."""

    actor = forms.CharField(label="操作人", max_length=150, required=False)
    action = forms.CharField(label="操作", max_length=60, required=False, help_text="操作代码的开头，如 auth.")
    date_from = forms.DateField(label="起始日期", required=False)
    date_to = forms.DateField(label="截止日期", required=False)
    unit = forms.CharField(label="单位", max_length=100, required=False, help_text="单位名称或代码，含下级单位")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "截止日期不能早于起始日期")
        return data

    def params(self) -> dict[str, str]:
        """The valid filters as plain strings (what a job keeps and a link carries); a field
        with an error is left out, the others still apply."""
        if not self.is_bound:
            return {}
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        out: dict[str, str] = {}
        for name in self.fields:
            if name in self.errors:
                continue
            value = cleaned.get(name)
            if value not in (None, ""):
                out[name] = value.isoformat() if isinstance(value, dt.date) else str(value).strip()
        return {k: v for k, v in out.items() if v}


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def entries_for(user: Any, params: dict[str, str]) -> QuerySet[AuditEntry]:
    """The entries `user` may read, narrowed by the filters `params` (from `AuditFilterForm.params`),
    newest first."""
    entries = visible_audit_entries(user, AuditEntry.objects.all(), Campaign.objects.all())
    if params.get("actor"):
        entries = entries.filter(actor_name__icontains=params["actor"])
    if params.get("action"):
        entries = entries.filter(action__startswith=params["action"])
    if params.get("date_from"):
        entries = entries.filter(at__gte=_day_start(dt.date.fromisoformat(params["date_from"])))
    if params.get("date_to"):
        entries = entries.filter(at__lt=_day_start(dt.date.fromisoformat(params["date_to"]) + dt.timedelta(days=1)))
    if params.get("unit"):
        text = params["unit"]
        matched = Unit.objects.filter(Q(code=text) | Q(name__contains=text))[:MATCHED_UNITS]
        entries = entries.filter(unit_id__in=Subtree.of(matched).ids())
    return entries.order_by("-at", "-pk")


def shown_entries(entries: Sequence[AuditEntry]) -> list[AuditEntry]:
    """The entries as their reader may see them, with `unit_name` and `campaign_name` set:
    draft content replaced (one query for the submission windows of every campaign and unit
    on the list), names read with one query each."""
    pairs = {
        (e.campaign_id, e.unit_id) for e in entries if e.action in drafts.DRAFT_ACTIONS and e.campaign_id and e.unit_id
    }
    windows: dict[int, drafts.Windows] = defaultdict(dict)
    if pairs:
        rows = (
            Application.objects.filter(campaign_id__in={c for c, _ in pairs}, unit_id__in={u for _, u in pairs})
            .annotate(first=Min("versions__submitted_at"))
            .values_list("campaign_id", "unit_id", "first", "submitted_at", "status")
        )
        for campaign_id, unit_id, first, latest, status in rows:
            windows[campaign_id][unit_id] = (first, latest if status != Application.Status.DRAFT else None)
    unit_ids = {e.unit_id for e in entries if e.unit_id}
    campaign_ids = {e.campaign_id for e in entries if e.campaign_id}
    units = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name")) if unit_ids else {}
    campaigns = dict(Campaign.objects.filter(pk__in=campaign_ids).values_list("pk", "name")) if campaign_ids else {}
    shown: list[AuditEntry] = []
    for entry in entries:
        entry = drafts.shown(entry, windows.get(int(entry.campaign_id or 0), {}))
        entry.unit_name = units.get(entry.unit_id or 0, "")  # type: ignore[attr-defined]
        entry.campaign_name = campaigns.get(entry.campaign_id or 0, "")  # type: ignore[attr-defined]
        shown.append(entry)
    return shown


def _text(value: Any) -> str:
    if value in (None, "", {}, []):
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text[:CELL_LIMIT]


def _row(entry: Any) -> list[Any]:
    obj = f"{entry.object_type} {entry.object_id}".strip()
    return [
        entry.at,
        entry.actor_name,
        entry.ip,
        entry.action,
        entry.unit_name,
        entry.campaign_name,
        obj,
        entry.summary,
        _text(entry.before),
        _text(entry.after),
    ]


def export_rows(entries: QuerySet[AuditEntry]) -> Iterator[list[Any]]:
    """Every entry of `entries`, oldest first, read in chunks (one query for the rows of each
    chunk and one each for its names and windows)."""
    chunk: list[AuditEntry] = []
    for entry in entries.order_by("at", "pk").iterator(chunk_size=CHUNK):
        chunk.append(entry)
        if len(chunk) == CHUNK:
            yield from (_row(e) for e in shown_entries(chunk))
            chunk = []
    if chunk:
        yield from (_row(e) for e in shown_entries(chunk))


def write_workbook(target: IO[bytes], rows: Iterable[Sequence[Any]]) -> None:
    """A write-only workbook (rows go to disk as they come: no row cap, time linear in the rows,
    memory flat; never `ws.max_row`) with a bold frozen header, the column widths, a date format
    and inert text (`spreadsheets.writing.write_workbook`)."""
    stream_workbook(target, "审计日志", COLUMNS, rows)


def _title(params: dict[str, str]) -> str:
    labels = {name: field.label for name, field in AuditFilterForm.base_fields.items()}
    described = "，".join(f"{labels[k]}：{v}" for k, v in params.items() if k in labels)
    return f"审计日志（{described}）" if described else "审计日志（全部）"


def queue_audit_export(*, actor: Any, params: dict[str, str], ip: str | None = None) -> AuditExport:
    """An export of the audit log as `actor` may read it, with the page's filters, built in the
    background. Asking again while the same export is still queued or running returns it. The
    request is itself audited: who took a copy of the log, with which filters."""
    if not may_read_audit_log(actor):
        raise PermissionDenied
    pending = AuditExport.objects.filter(
        user=actor, params=params, status__in=[AuditExport.Status.QUEUED, AuditExport.Status.RUNNING]
    ).first()
    if pending is not None:
        return pending
    job = AuditExport.objects.create(user=actor, params=params, title=_title(params)[:300])
    record(actor=actor, action="audit.export", obj=job, summary=f"导出{job.title}", after=params, ip=ip)
    build_audit_export.enqueue(job.pk)
    job.refresh_from_db()
    return job


def run_audit_export(job_id: int) -> str:
    """Build the job's workbook into a temporary file, saving progress every chunk. The rows are
    those the requester may read now: a role withdrawn meanwhile yields no file."""
    job = AuditExport.objects.select_related("user").get(pk=job_id)
    if job.is_finished:
        return str(job.status)
    if not may_read_audit_log(job.user):
        _fail(job, "无权导出审计日志（角色已变更）")
        return str(job.status)
    entries = entries_for(job.user, job.params)
    total = entries.count()
    AuditExport.objects.filter(pk=job.pk).update(status=AuditExport.Status.RUNNING, rows_total=total, rows_done=0)

    def report(done: int) -> None:
        AuditExport.objects.filter(pk=job.pk).update(rows_done=done, rows_total=max(total, done))

    try:
        with tempfile.TemporaryFile() as handle:
            write_workbook(handle, with_progress(export_rows(entries), report))
            handle.seek(0)
            job.refresh_from_db()
            job.file.save(f"{job.token}.xlsx", File(handle), save=False)
    except Exception as exc:
        _fail(job, f"{type(exc).__name__}: {exc}")
        raise
    job.status = AuditExport.Status.DONE
    job.finished_at = timezone.now()
    job.rows_total = max(job.rows_total, job.rows_done)
    job.save(update_fields=["file", "status", "finished_at", "rows_total"])
    return str(job.status)


def _fail(job: AuditExport, error: str) -> None:
    AuditExport.objects.filter(pk=job.pk).update(
        status=AuditExport.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )
    job.refresh_from_db()


@task()
def build_audit_export(job_id: int) -> str:
    return run_audit_export(job_id)


def download_name(job: AuditExport) -> str:
    return f"审计日志-{timezone.localtime(job.created_at):%Y%m%d-%H%M}.xlsx"
