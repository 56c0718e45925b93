from typing import Any

from django.core.management.base import BaseCommand

from campuseval.cultivation.services import remind_due


class Command(BaseCommand):
    help = "提醒临近截止与已逾期的培育评估（建议每日运行一次）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=14)

    def handle(self, *args: Any, **options: Any) -> None:
        sent = remind_due(days=options["days"])
        self.stdout.write(f"已发送 {sent} 条提醒")
