"""`manage.py load_frameworks`: load or refresh every framework file into the platform."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from campuseval.campaigns.services import load_framework_records

STATUS = {
    "created": "新载入",
    "updated": "已更新",
    "archived": "已更新（旧版本保留给已开始的申报）",
    "unchanged": "未变化",
    "refused": "拒绝载入",
}


class Command(BaseCommand):
    help = "载入/刷新 campuseval/frameworks/ 下的全部指标框架；未通过校验的框架被拒绝并列出原因"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", help="只载入这些 YAML 文件（默认全部）")
        parser.add_argument("--strict", action="store_true", help="有框架被拒绝时以错误退出")

    def handle(self, *args: Any, **options: Any) -> None:
        paths = [Path(f) for f in options["files"]] or None
        outcomes = load_framework_records(paths=paths)
        refused = 0
        for outcome in outcomes:
            name = outcome.key or Path(outcome.path).stem
            line = f"{STATUS[outcome.status]}：{name}"
            if outcome.ok:
                self.stdout.write(self.style.SUCCESS(line) if outcome.status != "unchanged" else line)
                for message in outcome.messages:
                    self.stdout.write(f"  [警告] {message}")
            else:
                refused += 1
                self.stderr.write(self.style.ERROR(line))
                for message in outcome.messages:
                    self.stderr.write(f"  - {message}")
        loaded = len(outcomes) - refused
        self.stdout.write(f"指标框架：{loaded} 个可用，{refused} 个被拒绝")
        if refused and options["strict"]:
            raise CommandError(f"{refused} 个框架未通过校验")
