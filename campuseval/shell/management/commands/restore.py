"""`manage.py restore DIR`: a backup of `manage.py backup` into an empty database and storage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from campuseval.shell.backup import BackupError, restore


class Command(BaseCommand):
    help = "把 manage.py backup 的备份恢复到空数据库与存储：先核对全部 SHA-256，恢复后逐个核对佐证材料"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="备份目录")

    def handle(self, *args: Any, source: Path, **options: Any) -> None:
        try:
            done = restore(source)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"已恢复：{sum(done.rows.values())} 行数据，{done.files} 个文件，{done.evidence_checked} 份佐证材料核对无误"
        )
