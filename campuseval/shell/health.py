"""/healthz for the proxy and monitoring: database, cache, storage, migrations applied, and the
task worker alive. The checks run through django-health-check; the answer is a small JSON
object, 200 when every check passes and 503 naming the failed ones. No secrets: each failure is
a short fixed sentence, never an exception's text."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from health_check.base import HealthCheck
from health_check.checks import Cache, Database, Storage
from health_check.exceptions import ServiceUnavailable

from .tasks import heartbeat

DB_BACKEND = "django_tasks_db.DatabaseBackend"


@dataclasses.dataclass
class Migrations(HealthCheck):  # type: ignore[misc]  # untyped library base
    """Every migration of the code that runs is applied to the database."""

    def run(self) -> None:
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except DatabaseError as exc:
            raise ServiceUnavailable("无法读取迁移记录") from exc
        finally:
            connection.close()  # this runs in a worker thread: leave no connection behind
        if pending:
            raise ServiceUnavailable(f"{len(pending)} 个数据库迁移尚未执行（manage.py migrate）")


@dataclasses.dataclass
class Worker(HealthCheck):  # type: ignore[misc]  # untyped library base
    """The task worker (`manage.py db_worker`) is running: the scheduled heartbeat task finished
    within HEALTH_WORKER_MAX_MINUTES, and no task has waited longer than that to be picked up.
    With a backend that runs tasks in the request (tests) there is no worker to check."""

    def run(self) -> None:
        if settings.TASKS["default"]["BACKEND"] != DB_BACKEND:
            return
        try:
            problem = worker_problem(timezone.now())
        except DatabaseError as exc:
            raise ServiceUnavailable("无法读取后台任务记录") from exc
        finally:
            connection.close()
        if problem:
            raise ServiceUnavailable(problem)


def worker_problem(now: datetime.datetime) -> str:
    """Why the worker looks dead, or "" when it is alive."""
    from_models = DBTaskResult.objects
    limit = datetime.timedelta(minutes=settings.HEALTH_WORKER_MAX_MINUTES)
    last = (
        from_models.filter(task_path=heartbeat.module_path, status=TaskResultStatus.SUCCESSFUL)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    minutes = settings.HEALTH_WORKER_MAX_MINUTES
    if last is None or now - last > limit:
        return f"后台任务进程超过 {minutes} 分钟没有完成心跳任务（manage.py heartbeat / db_worker）"
    stuck = from_models.ready().filter(enqueued_at__lt=now - limit).count()
    if stuck:
        return f"{stuck} 个后台任务排队超过 {minutes} 分钟"
    return ""


NAMES: dict[type[HealthCheck], str] = {
    Database: "database",
    Cache: "cache",
    Storage: "storage",
    Migrations: "migrations",
    Worker: "worker",
}


CHECKS: tuple[type[HealthCheck], ...] = (Database, Cache, Storage, Migrations, Worker)


async def _results() -> list[Any]:
    return list(await asyncio.gather(*(check().get_result(None) for check in CHECKS)))


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """The checks run concurrently (django-health-check's runner) on an event loop of their own,
    in a thread of their own: the WSGI request thread may not start or join a loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        results = pool.submit(asyncio.run, _results()).result()
    checks = {
        NAMES[type(result.check)]: "ok" if result.error is None else str(result.error.message) for result in results
    }
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks},
        status=200 if healthy else 503,
        json_dumps_params={"ensure_ascii": False},
    )
