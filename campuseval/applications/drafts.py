"""Draft content stays private to the school until it is submitted: what the audit log shows
of an application's saves to anyone else.

Saves of the form, the indicators and the choices, and the evidence uploads, are audited with
their values. Those written before the application's first submission, and those written
after its latest submission (a returned application being corrected), are draft content: the
organizer's audit page and the audit export show that they happened, not what was typed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Min

from campuseval.audit.models import AuditEntry

from .models import Application

PRIVATE = "（填报中内容，提交前仅申报单位可见）"

#: the audited actions that carry what the school typed, and how their summary is shown
DRAFT_ACTIONS: dict[str, str | None] = {
    "application.save_form": None,  # the summary names no value: kept
    "application.save_indicator": None,
    "application.save_choices": None,
    "evidence.upload": "上传佐证材料",  # the summary names the file: replaced
    "evidence.remove": "删除佐证材料",
}

#: unit id → (first submission, latest submission) of its application in one campaign
Windows = dict[int, tuple[dt.datetime | None, dt.datetime | None]]


def submission_windows(campaign_id: int) -> Windows:
    """When each unit's application in the campaign was first and last submitted; one query."""
    rows = (
        Application.objects.filter(campaign_id=campaign_id)
        .annotate(first=Min("versions__submitted_at"))
        .values_list("unit_id", "first", "submitted_at", "status")
    )
    return {
        unit_id: (first, latest if status != Application.Status.DRAFT else None)
        for unit_id, first, latest, status in rows
    }


def is_draft_content(entry: AuditEntry, windows: Windows) -> bool:
    """Whether the entry carries content the school has not submitted."""
    if entry.action not in DRAFT_ACTIONS or entry.unit_id is None:
        return False
    first, latest = windows.get(int(entry.unit_id), (None, None))
    if first is None or latest is None:
        return True
    return entry.at < first or entry.at > latest


def shown(entry: AuditEntry, windows: Windows) -> AuditEntry:
    """The entry as someone other than the school may read it (the stored entry is untouched;
    this one is never saved)."""
    if not is_draft_content(entry, windows):
        return entry
    summary = DRAFT_ACTIONS[entry.action]
    entry.summary = f"{summary or entry.summary}{PRIVATE}"
    entry.before = PRIVATE if entry.before is not None else None
    entry.after = PRIVATE if entry.after is not None else None
    return entry


def shown_entries(entries: Iterable[AuditEntry], campaign_id: int) -> list[Any]:
    windows = submission_windows(campaign_id)
    return [shown(entry, windows) for entry in entries]
