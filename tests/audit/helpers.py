"""Audit entries at a chosen time: inserted as a restore does (raw, so `at` is kept as given),
because the log itself can no longer be moved back in time once written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from campuseval.audit.models import AuditEntry


def entry_at(when: dt.datetime, **fields: Any) -> AuditEntry:
    fields.setdefault("action", "test.old")
    entry = AuditEntry(at=when, **fields)
    entry.save_base(raw=True)
    return entry
