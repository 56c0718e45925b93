"""Daily: initial-password sheets not downloaded in time, and uploads a crashed import left."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from campuseval.reports.import_cleanup import cleanup_imports


class Command(BaseCommand):
    help = "删除超过保留时间仍未下载的导入初始密码表，以及中断的后台导入留下的上传文件（每日由定时任务调用）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--keep-hours",
            type=int,
            default=settings.IMPORT_PASSWORDS_KEEP_HOURS,
            help="保留小时数（默认 IMPORT_PASSWORDS_KEEP_HOURS）",
        )

    def handle(self, *args: Any, keep_hours: int, **options: Any) -> None:
        removed = cleanup_imports(keep_hours=keep_hours)
        self.stdout.write(f"已删除导入文件 {removed} 个")
