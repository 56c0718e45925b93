"""`manage.py cleanup_exports`: old export jobs and their workbooks go, recent ones stay, and a
workbook no job refers to is removed."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from campuseval.reports.models import ExportJob
from tests import factories as f
from tests.personas import Personas

pytestmark = pytest.mark.django_db


def test_old_exports_and_orphans_are_removed(personas: Personas, settings) -> None:  # type: ignore[no-untyped-def]
    recent = personas.export_job
    old = f.ExportJobFactory(user=recent.user, campaign=recent.campaign, status=ExportJob.Status.DONE)
    old.file.save("旧.xlsx", ContentFile(b"old workbook"), save=True)
    ExportJob.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=settings.EXPORT_KEEP_DAYS + 1)
    )
    orphan = default_storage.save(
        f"exports/{recent.user_id}/00000000-0000-0000-0000-000000000000.xlsx", ContentFile(b"x")
    )
    old_name = old.file.name
    out = StringIO()
    call_command("cleanup_exports", stdout=out)
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not default_storage.exists(old_name)
    assert not default_storage.exists(orphan)
    assert default_storage.exists(recent.file.name)
    assert "已删除导出任务 1 个、文件 2 个" in out.getvalue()
