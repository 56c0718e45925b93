"""Rebuilds the dashboards' score figures from the stored JSON (latest submitted versions and
review results): once after upgrading to the figures, or whenever they are in doubt."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import OuterRef, Subquery

from campuseval.applications import figures
from campuseval.applications.models import ApplicationVersion
from campuseval.reviews.models import Result


class Command(BaseCommand):
    help = "由已提交的申报版本与评审结果重建数据看板所用的得分数据（升级后运行一次；可按活动运行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--campaign", type=int, default=None, help="只重建该活动（编号）；默认全部活动")

    def handle(self, *args: Any, campaign: int | None, **options: Any) -> None:
        latest = ApplicationVersion.objects.filter(application=OuterRef("application")).order_by("-number")
        versions = ApplicationVersion.objects.filter(number=Subquery(latest.values("number")[:1])).select_related(
            "application"
        )
        results = Result.objects.all()
        if campaign is not None:
            versions = versions.filter(application__campaign_id=campaign)
            results = results.filter(campaign_id=campaign)
        versions = versions.only("number", "total", "result", "application__campaign_id", "application__unit_id")
        with transaction.atomic():
            done = figures.backfill(
                versions.order_by("pk").iterator(chunk_size=500),
                results.only("application_id", "final", "level", "indicators").order_by("pk").iterator(chunk_size=500),
            )
        self.stdout.write(f"已重建 {done} 条得分数据")
