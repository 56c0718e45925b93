"""Backups that restore: `manage.py backup --out DIR` and `manage.py restore DIR`.

A backup directory holds
- `data.backup.gz`: every table through Django's serializers (JSON; shell.serializer keeps times to
  the microsecond) (dumpdata with natural foreign keys;
  the content types, permissions, sessions and task queue are left out: `migrate` recreates the
  first two, the others are transient). The same file restores into SQLite or PostgreSQL.
- `media.tar`: every file of the default storage (evidence, scans, plans, exports), whether the
  storage is the local MEDIA_ROOT or an S3 bucket.
- `manifest.json`: when, from which database engine, the migrations applied, the row count of
  every model, and the size and SHA-256 of data.backup.gz and of every file.

The database is read inside one transaction (a consistent snapshot; on SQLite writers wait
until the dump is done), then the files. Restoring checks every hash, migrates the (empty)
target database, loads the rows, writes the files, and checks each evidence file against the
SHA-256 its row recorded. Audit entries are loaded as the rows they were (loaddata writes
rows directly, like an INSERT; AuditEntry.save/delete, which refuse changes, are not used)."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from campuseval.applications.models import Evidence

DATA = "data.backup.gz"  # format "backup" (shell.serializer): JSON, times to the microsecond
MEDIA = "media.tar"
MANIFEST = "manifest.json"
FORMAT = 1
#: Rebuilt by `migrate` (content types, permissions) or transient (sessions, the task queue).
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "django_tasks_database"]
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup that cannot be trusted or a target that cannot take it; the message says why."""


@dataclass
class Restored:
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    evidence_checked: int = 0


def sha256_of(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest()


def storage_files(storage: Storage, top: str = "") -> Iterator[str]:
    """Every file name in the storage, walking its folders (local or S3 alike)."""
    dirs, files = storage.listdir(top)
    for name in sorted(files):
        yield f"{top}/{name}" if top else name
    for name in sorted(dirs):
        yield from storage_files(storage, f"{top}/{name}" if top else name)


def model_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.app_label not in {"contenttypes", "sessions", "django_tasks_database"}
        and model._meta.label != "auth.Permission"
    }


def applied_migrations() -> list[str]:
    return sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())


def backup(out: Path, *, storage: Storage | None = None) -> dict[str, Any]:
    """Write a backup into the empty or new directory `out`; returns the manifest."""
    storage = storage or default_storage
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise BackupError(f"备份目录 {out} 不是空目录")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        call_command(
            "dumpdata",
            natural_foreign=True,
            exclude=EXCLUDED,
            format="backup",
            output=str(out / DATA),
            verbosity=0,
        )
        counts = model_counts()
        migrations = applied_migrations()
    files: dict[str, dict[str, Any]] = {}
    with tarfile.open(out / MEDIA, "w") as tar:
        for name in storage_files(storage):
            with storage.open(name, "rb") as handle:
                digest = sha256_of(handle)
                handle.seek(0)
                info = tarfile.TarInfo(name)
                info.size = storage.size(name)
                info.mtime = int(timezone.now().timestamp())
                tar.addfile(info, handle)
            files[name] = {"size": info.size, "sha256": digest}
    with (out / DATA).open("rb") as handle:
        data_hash = sha256_of(handle)
    manifest = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "database": connection.vendor,
        "migrations": migrations,
        "rows": counts,
        "data": {"name": DATA, "size": (out / DATA).stat().st_size, "sha256": data_hash},
        "files": files,
    }
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest, once data.backup.gz and every file in media.tar match their recorded hashes."""
    try:
        manifest: dict[str, Any] = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{source / MANIFEST} 无法读取：{exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError("备份格式版本不符")
    with (source / DATA).open("rb") as handle:
        if sha256_of(handle) != manifest["data"]["sha256"]:
            raise BackupError(f"{DATA} 的 SHA-256 与清单不符：备份已损坏")
    seen: set[str] = set()
    with tarfile.open(source / MEDIA, "r") as tar:
        for member in tar:
            expected = manifest["files"].get(member.name)
            extracted = tar.extractfile(member) if member.isfile() else None
            if expected is None or extracted is None or sha256_of(extracted) != expected["sha256"]:
                raise BackupError(f"文件 {member.name} 与清单不符：备份已损坏")
            seen.add(member.name)
    missing = sorted(set(manifest["files"]) - seen)
    if missing:
        raise BackupError(f"{MEDIA} 缺少清单中的 {len(missing)} 个文件，如 {missing[0]}")
    return manifest


def restore(source: Path, *, storage: Storage | None = None) -> Restored:
    """Restore the backup in `source` into this (empty) database and storage."""
    storage = storage or default_storage
    manifest = read_manifest(source)
    call_command("migrate", interactive=False, verbosity=0)
    unknown = sorted(set(manifest["migrations"]) - set(applied_migrations()))
    if unknown:
        raise BackupError(f"备份来自更新的程序版本：本机没有迁移 {unknown[0]} 等 {len(unknown)} 个")
    occupied = sorted(label for label, count in model_counts().items() if count)
    if occupied:
        raise BackupError(f"目标数据库不是空的（已有 {', '.join(occupied[:5])} 等数据）：只能恢复到空数据库")
    done = Restored()
    with transaction.atomic():
        call_command("loaddata", str(source / DATA), verbosity=0)
        done.rows = model_counts()
        if done.rows != manifest["rows"]:
            wrong = sorted(k for k in manifest["rows"] if done.rows.get(k) != manifest["rows"][k])
            raise BackupError(f"恢复后的行数与清单不符：{', '.join(wrong[:5])}")
    with tarfile.open(source / MEDIA, "r") as tar:
        for member in tar:
            extracted = tar.extractfile(member)
            if extracted is None:
                continue
            if storage.exists(member.name):
                with storage.open(member.name, "rb") as present:
                    if sha256_of(present) != manifest["files"][member.name]["sha256"]:
                        raise BackupError(f"存储中已有不同内容的文件 {member.name}")
                continue
            saved = storage.save(member.name, File(io.BytesIO(extracted.read()), name=member.name))
            if saved != member.name:
                raise BackupError(f"文件 {member.name} 被存为 {saved}")
            done.files += 1
    for evidence in Evidence.objects.order_by("pk").iterator():
        with storage.open(str(evidence.file.name), "rb") as handle:
            if sha256_of(handle) != evidence.sha256:
                raise BackupError(f"佐证材料 {evidence.pk}（{evidence.original_name}）的 SHA-256 与记录不符")
        done.evidence_checked += 1
    return done
