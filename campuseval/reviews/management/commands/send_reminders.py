from typing import Any

from django.core.management.base import BaseCommand

from campuseval.reviews.tasks import remind


class Command(BaseCommand):
    help = "提醒临近截止的申报与专家评审（建议每日运行一次）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--days", type=int, default=3)

    def handle(self, *args: Any, **options: Any) -> None:
        sent = remind(days=options["days"])
        self.stdout.write(f"已发送 {sent} 条提醒")
