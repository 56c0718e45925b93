"""Issue 12 item 7: the audit log is append-only in the database, below the application. A
queryset update() or delete(), or plain SQL, changed rows before; the triggers of migration
audit 0002 refuse them on PostgreSQL and on SQLite alike."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from campuseval.audit.models import AuditEntry
from campuseval.audit.services import purge_permit, record
from tests.factories import UserFactory

from .helpers import entry_at

pytestmark = pytest.mark.django_db


def test_a_queryset_update_is_refused_and_the_row_keeps_its_text() -> None:
    entry = record(actor=None, action="campaign.update", summary="原始摘要", after={"name": "原名"})
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(summary="改写的摘要")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.update(after={"name": "改名"})
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.summary, entry.after) == ("原始摘要", {"name": "原名"})


def test_a_queryset_delete_and_plain_sql_are_refused() -> None:
    entry = record(actor=None, action="campaign.update", summary="留下")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET action = 'nothing'")
    assert AuditEntry.objects.get(pk=entry.pk).action == "campaign.update"


def test_the_model_still_refuses_save_and_delete() -> None:
    entry = record(actor=None, action="x")
    entry.summary = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_deleting_a_user_clears_only_the_link_and_keeps_the_name() -> None:
    user = UserFactory(username="leaver", display_name="离职的人")
    entry = record(actor=user, action="campaign.update", summary="改了设置")
    user.delete()
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.actor_id, entry.actor_name, entry.summary) == (None, "离职的人", "改了设置")
    # clearing the link is allowed only on its own
    other = UserFactory(username="other")
    kept = record(actor=other, action="x", summary="原样")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=kept.pk).update(actor=None, summary="顺便改写")
    assert AuditEntry.objects.get(pk=kept.pk).actor_id == other.pk


def test_the_purge_permit_lets_through_only_rows_older_than_its_cutoff() -> None:
    now = timezone.now()
    old = entry_at(now - dt.timedelta(days=10), summary="旧")
    new = entry_at(now - dt.timedelta(days=1), summary="新")
    cutoff = now - dt.timedelta(days=5)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), purge_permit(connection, cutoff):
        AuditEntry.objects.filter(pk=new.pk).delete()
    with transaction.atomic(), purge_permit(connection, cutoff):
        AuditEntry.objects.filter(pk=old.pk).delete()
        # the permit lets nothing be rewritten, old or new
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEntry.objects.filter(pk=new.pk).update(summary="改")
    assert list(AuditEntry.objects.values_list("summary", flat=True)) == ["新"]
    # once the block is over the permit is gone
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.all().delete()


@pytest.mark.django_db(transaction=True)
def test_flush_still_empties_a_database_with_audit_entries() -> None:
    """`flush` (between transactional tests, in the restore drill) deletes row by row on SQLite."""
    record(actor=None, action="x")
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT COUNT(*) FROM audit_purge_permit")
            assert cursor.fetchone()[0] == 0
    record(actor=None, action="y")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.all().delete()
