"""Enqueue the worker's heartbeat task; scheduled every 5 minutes (see README 运维)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from campuseval.shell.tasks import heartbeat


class Command(BaseCommand):
    help = "把心跳任务放入后台任务队列（由定时任务每 5 分钟调用；/healthz 据其完成时间判断任务进程是否在运行）"

    def handle(self, *args: Any, **options: Any) -> None:
        result = heartbeat.enqueue()
        self.stdout.write(f"heartbeat {result.id}")
