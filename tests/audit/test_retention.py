"""Issue 12 item 7: entries are kept AUDIT_RETENTION_DAYS (default 365, never below 180:
网络安全法 §21), and `purge_audit` deletes only what is older, leaving an entry about itself."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.checks import run_checks
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from campuseval.audit.models import AuditEntry, AuditExport
from campuseval.audit.services import DEFAULT_RETENTION_DAYS
from tests.factories import UserFactory

from .helpers import entry_at

pytestmark = pytest.mark.django_db

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_the_default_retention_is_a_year() -> None:
    assert django_settings.AUDIT_RETENTION_DAYS == DEFAULT_RETENTION_DAYS == 365


def test_purge_deletes_only_entries_older_than_the_retention_and_is_audited(settings) -> None:  # type: ignore[no-untyped-def]
    settings.AUDIT_RETENTION_DAYS = 200
    now = timezone.now()
    for days, summary in ((400, "四百天前"), (201, "二百零一天前"), (199, "一百九十九天前"), (0, "今天")):
        entry_at(now - dt.timedelta(days=days), summary=summary)

    out = StringIO()
    call_command("purge_audit", "--dry-run", stdout=out)
    assert "将删除" in out.getvalue() and "审计记录 2 条（保存 200 天；未删除）" in out.getvalue()
    assert AuditEntry.objects.count() == 4

    out = StringIO()
    call_command("purge_audit", stdout=out)
    assert "已删除" in out.getvalue() and "审计记录 2 条（保存 200 天）" in out.getvalue()
    kept = set(AuditEntry.objects.exclude(action="audit.purge").values_list("summary", flat=True))
    assert kept == {"一百九十九天前", "今天"}
    purge = AuditEntry.objects.get(action="audit.purge")
    assert purge.after["deleted"] == 2 and purge.after["retention_days"] == 200
    assert "的审计记录 2 条（保存 200 天）" in purge.summary

    # nothing left to purge: the next run deletes nothing and says so
    out = StringIO()
    call_command("purge_audit", stdout=out)
    assert "审计记录 0 条" in out.getvalue()
    assert AuditEntry.objects.filter(action="audit.purge").count() == 2


def test_a_retention_below_six_months_fails_the_system_check(settings) -> None:  # type: ignore[no-untyped-def]
    settings.AUDIT_RETENTION_DAYS = 179
    errors = [m for m in run_checks() if m.id == "campuseval.E010"]
    assert len(errors) == 1 and "至少保存 180 天" in errors[0].msg and "网络安全法" in errors[0].msg
    settings.AUDIT_RETENTION_DAYS = 180
    assert not [m for m in run_checks() if m.id == "campuseval.E010"]


def test_the_purge_is_scheduled_next_to_the_other_daily_jobs() -> None:
    timer = (DEPLOY / "systemd" / "campuseval-purge-audit.timer").read_text()
    assert "Unit=campuseval-manage@purge_audit.service" in timer and "OnCalendar=*-*-* 05:00:00" in timer
    scheduler = (DEPLOY / "scheduler.sh").read_text()
    assert "job purge_audit" in scheduler
    assert "AUDIT_RETENTION_DAYS=365" in (DEPLOY / "campuseval.env.example").read_text()


def test_purge_also_removes_audit_log_exports_older_than_export_keep_days(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)
    settings.EXPORT_KEEP_DAYS = 7
    user = UserFactory()
    old, new = (AuditExport.objects.create(user=user, title=title) for title in ("旧导出", "新导出"))
    for job in (old, new):
        job.file.save("x.xlsx", ContentFile(b"PK"), save=True)
    AuditExport.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    old_path = Path(old.file.path)
    out = StringIO()
    call_command("purge_audit", stdout=out)
    assert "审计日志导出 1 个" in out.getvalue()
    assert list(AuditExport.objects.values_list("title", flat=True)) == ["新导出"]
    assert not old_path.exists() and Path(new.file.path).exists()
