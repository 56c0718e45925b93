"""Django's `flush`, able to empty the append-only audit log on SQLite.

On SQLite `flush` deletes every table row by row, and the audit log's trigger refuses those
DELETEs (migration audit 0002). Emptying the whole database is the one other deletion meant to
work (tests between cases, a restore's disaster drill), so this command holds the purge permit
for every entry during its transaction. PostgreSQL's flush truncates, which fires no row
trigger, and needs nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from campuseval.audit.services import permit_all


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite":
            super().handle(**options)
            return
        with transaction.atomic(using=connection.alias), permit_all(connection):
            super().handle(**options)
