"""A backup restores: the persona world (a campaign with submitted and draft applications,
versions, evidence, reviews, audit entries) is backed up, the database and the media folder are
emptied, and the restore brings back every application, version, evidence file (hash-checked)
and audit row as it was."""

from __future__ import annotations

import hashlib
import json
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from campuseval.accounts.models import User
from campuseval.applications.models import Application, ApplicationVersion, Evidence
from campuseval.applications.services import upload_evidence
from campuseval.audit.models import AuditEntry
from campuseval.audit.services import record
from campuseval.shell.backup import DATA, MANIFEST, MEDIA
from tests.personas import PDF, Personas

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot() -> dict[str, Any]:
    return {
        "users": list(User.objects.order_by("pk").values("pk", "username", "password", "email")),
        "applications": list(Application.objects.order_by("pk").values()),
        "versions": list(ApplicationVersion.objects.order_by("pk").values()),
        "evidence": list(Evidence.objects.order_by("pk").values()),
        "audit": list(AuditEntry.objects.order_by("pk").values()),
    }


def with_real_evidence(personas: Personas) -> None:
    """The world's evidence rows carry the hashes of their files, and the school uploads two more
    (through the service, which audits them)."""
    for evidence in Evidence.objects.all():
        with evidence.file.open("rb") as handle:
            real = hashlib.sha256(handle.read()).hexdigest()
        Evidence.objects.filter(pk=evidence.pk).update(sha256=real)
    officer = personas.user("school_officer")
    assert officer is not None
    for n in range(2):
        content = PDF.replace(b"%%EOF", f"% 佐证 {n}\n%%EOF".encode())
        upload_evidence(
            actor=officer,
            application=personas.draft,
            file=SimpleUploadedFile(f"佐证{n}.pdf", content),
            ip="198.51.100.7",
        )


def test_backup_then_restore_into_an_empty_database(personas: Personas, settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with_real_evidence(personas)
    record(actor=personas.user("city_organizer"), action="test.before_backup", obj=personas.application)
    before = snapshot()
    assert before["applications"] and before["versions"] and len(before["evidence"]) >= 3 and len(before["audit"]) >= 3
    files = {e.file.name: e.sha256 for e in Evidence.objects.all()}

    out = tmp_path / "backup"
    call_command("backup", "--out", str(out), stdout=StringIO())
    assert {p.name for p in out.iterdir()} == {DATA, MEDIA, MANIFEST}
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert set(files) <= set(manifest["files"])

    # disaster: every row and every file gone
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT)
    assert not AuditEntry.objects.exists() and not Application.objects.exists()

    report = StringIO()
    call_command("restore", str(out), stdout=report)
    assert f"{len(files)} 份佐证材料核对无误" in report.getvalue()
    after = snapshot()
    for key in before:
        for old, new in zip(before[key], after[key], strict=True):
            assert {k: v for k, v in old.items() if new[k] != v} == {}, (
                key,
                {k: new[k] for k in old if new[k] != old[k]},
            )
    assert after == before
    for name, sha in files.items():
        with default_storage.open(name, "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == sha
    # the restored log is still append-only
    with pytest.raises(PermissionError):
        AuditEntry.objects.first().delete()  # type: ignore[union-attr]
    # and a restored database is not restored over
    with pytest.raises(CommandError, match="不是空的"):
        call_command("restore", str(out), stdout=StringIO())


def test_a_damaged_backup_is_refused_before_anything_is_written(personas: Personas, tmp_path: Path) -> None:
    out = tmp_path / "backup"
    call_command("backup", "--out", str(out), stdout=StringIO())
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    name = next(iter(manifest["files"]))
    manifest["files"][name]["sha256"] = "0" * 64
    (out / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError, match="备份已损坏"):
        call_command("restore", str(out), stdout=StringIO())
    assert not User.objects.exists()


def test_the_backup_folder_must_be_new_or_empty(personas: Personas, tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    with pytest.raises(CommandError, match="不是空目录"):
        call_command("backup", "--out", str(tmp_path / "full"), stdout=StringIO())
