"""The audit log is append-only in the database itself, not only in AuditEntry.save/delete: a
queryset update() or delete(), or any SQL through the application's connection, is refused by a
trigger. Two ways through remain, both deliberate:

- the retention purge (`audit.services.purge_expired`) deletes rows older than a cutoff it names
  inside its own transaction: on PostgreSQL the transaction-local setting
  `campuseval.audit_purge_before`, on SQLite a row in `audit_purge_permit`; the trigger lets a
  DELETE through only for a row older than that cutoff;
- deleting a user sets `actor_id` to NULL on that user's entries (on_delete=SET_NULL); an UPDATE
  that changes nothing but `actor_id` from a value to NULL is allowed, `actor_name` keeps the name.

PostgreSQL's TRUNCATE (what `flush` uses there) fires no row trigger. On SQLite `flush` deletes
row by row; the audit app's `flush` command grants itself the same permit for its transaction.

SQLite drops a table's triggers when a later migration rebuilds the table (most AlterField
operations do): tests/audit checks the triggers after all migrations, so such a migration must
install them again."""

from __future__ import annotations

from typing import Any

from django.db import migrations

#: every column except actor_id: an UPDATE may change none of them
KEPT = ("id", "at", "actor_name", "ip", "action", "object_type", "object_id", "summary",
        "campaign_id", "unit_id", "before", "after")

POSTGRESQL_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION audit_auditentry_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        purge_before text := NULLIF(current_setting('campuseval.audit_purge_before', true), '');
    BEGIN
        IF TG_OP = 'UPDATE' THEN
            IF OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
               AND (%(new)s) IS NOT DISTINCT FROM (%(old)s) THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'audit_auditentry is append-only: UPDATE refused'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF purge_before IS NOT NULL AND OLD."at" < purge_before::timestamptz THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_auditentry is append-only: DELETE refused'
            USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """
    % {
        "new": ", ".join(f'NEW."{c}"' for c in KEPT),
        "old": ", ".join(f'OLD."{c}"' for c in KEPT),
    },
    "DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry",
    """
    CREATE TRIGGER audit_auditentry_append_only BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_auditentry_append_only()
    """,
]
POSTGRESQL_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_auditentry_append_only ON audit_auditentry",
    "DROP FUNCTION IF EXISTS audit_auditentry_append_only()",
]

SQLITE_INSTALL = [
    # not a model: `flush` leaves it alone, and nothing but the purge writes it
    'CREATE TABLE IF NOT EXISTS audit_purge_permit ("before" text NOT NULL)',
    """
    CREATE TRIGGER IF NOT EXISTS audit_auditentry_no_update BEFORE UPDATE ON audit_auditentry
    FOR EACH ROW WHEN NOT (OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL AND %(same)s)
    BEGIN SELECT RAISE(ABORT, 'audit_auditentry is append-only: UPDATE refused'); END
    """
    % {"same": " AND ".join(f'NEW."{c}" IS OLD."{c}"' for c in KEPT)},
    """
    CREATE TRIGGER IF NOT EXISTS audit_auditentry_no_delete BEFORE DELETE ON audit_auditentry
    FOR EACH ROW WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit AS p WHERE OLD."at" < p."before")
    BEGIN SELECT RAISE(ABORT, 'audit_auditentry is append-only: DELETE refused'); END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_auditentry_no_update",
    "DROP TRIGGER IF EXISTS audit_auditentry_no_delete",
    "DROP TABLE IF EXISTS audit_purge_permit",
]

INSTALL = {"postgresql": POSTGRESQL_INSTALL, "sqlite": SQLITE_INSTALL}
REMOVE = {"postgresql": POSTGRESQL_REMOVE, "sqlite": SQLITE_REMOVE}


def install(apps: Any, schema_editor: Any) -> None:
    for statement in INSTALL.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


def remove(apps: Any, schema_editor: Any) -> None:
    for statement in REMOVE.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, remove),
    ]
