"""Daily: the audit entries older than AUDIT_RETENTION_DAYS (README 运维, 审计日志的保存与清理)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from campuseval.audit.services import purge_expired, remove_old_exports, retention_days


class Command(BaseCommand):
    help = (
        "删除早于保存期（AUDIT_RETENTION_DAYS，默认 365 天）的审计记录，清理本身记入审计日志；"
        "并删除超过 EXPORT_KEEP_DAYS 的审计日志导出（每日由定时任务调用）"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="只统计将删除多少条，不删除")

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        try:
            done = purge_expired(dry_run=dry_run)
        except ValueError as exc:  # a retention shorter than the law allows
            raise CommandError(str(exc)) from exc
        cutoff = f"{timezone.localtime(done.cutoff):%Y-%m-%d %H:%M}"
        if done.dry_run:
            self.stdout.write(f"将删除早于 {cutoff} 的审计记录 {done.rows} 条（保存 {retention_days()} 天；未删除）")
        else:
            self.stdout.write(f"已删除早于 {cutoff} 的审计记录 {done.rows} 条（保存 {retention_days()} 天）")
            exports = remove_old_exports(keep_days=int(getattr(settings, "EXPORT_KEEP_DAYS", 7)))
            self.stdout.write(f"已删除超过 EXPORT_KEEP_DAYS 的审计日志导出 {exports} 个")
