"""Daily: old background exports (jobs and workbooks) and old finished task results."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from campuseval.reports.cleanup import cleanup_exports


class Command(BaseCommand):
    help = "删除超过保留天数的后台导出任务及其文件、无主的导出文件，以及已完成的旧后台任务记录（每日由定时任务调用）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--keep-days",
            type=int,
            default=settings.EXPORT_KEEP_DAYS,
            help="保留天数（默认 EXPORT_KEEP_DAYS）",
        )

    def handle(self, *args: Any, keep_days: int, **options: Any) -> None:
        done = cleanup_exports(keep_days=keep_days)
        self.stdout.write(f"已删除导出任务 {done.jobs} 个、文件 {done.files} 个")
        if settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend":
            call_command(
                "prune_db_task_results",
                min_age_days=max(keep_days, 1),
                queue_name="*",
                verbosity=options.get("verbosity", 1),
                stdout=self.stdout,
            )
