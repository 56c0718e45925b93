"""`manage.py backup --out DIR`: database rows, stored files and a manifest of hashes (README 备份与恢复)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from campuseval.shell.backup import BackupError, backup


class Command(BaseCommand):
    help = "备份数据库（全部数据行）与存储中的全部文件（佐证材料等），附 SHA-256 清单；见 README“备份与恢复”"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="备份目录（新建或空目录）")

    def handle(self, *args: Any, out: Path, **options: Any) -> None:
        try:
            manifest = backup(out)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["rows"].values())
        self.stdout.write(f"已备份到 {out}：{rows} 行数据，{len(manifest['files'])} 个文件")
