"""/healthz: 200 JSON when the database, cache, storage, migrations and worker are fine, 503
naming the failed check otherwise; public, and nothing secret in it."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from campuseval.shell.tasks import heartbeat

# the checks run in worker threads with their own connections: they must see committed data
pytestmark = pytest.mark.django_db(transaction=True)

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
CHECKS = {"database", "cache", "storage", "migrations", "worker"}


@pytest.fixture
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TASKS = DB_TASKS
    return tmp_path / "media"


def beat() -> None:
    """What the scheduler and the worker do: enqueue the heartbeat, and run it."""
    call_command("heartbeat")
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)


def test_healthy_after_the_worker_ran_the_heartbeat(media) -> None:  # type: ignore[no-untyped-def]
    beat()
    response = Client().get("/healthz")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": dict.fromkeys(CHECKS, "ok")}
    assert "no-store" in response["Cache-Control"]


def test_no_heartbeat_means_the_worker_is_down(media) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert [name for name, value in body["checks"].items() if value != "ok"] == ["worker"]
    assert "心跳" in body["checks"]["worker"]


def test_an_old_heartbeat_or_a_task_left_waiting_fails(media, settings) -> None:  # type: ignore[no-untyped-def]
    beat()
    old = timezone.now() - dt.timedelta(minutes=settings.HEALTH_WORKER_MAX_MINUTES + 1)
    DBTaskResult.objects.filter(task_path=heartbeat.module_path).update(finished_at=old)
    assert Client().get("/healthz").status_code == 503
    beat()
    assert Client().get("/healthz").status_code == 200
    waiting = heartbeat.enqueue()
    DBTaskResult.objects.filter(id=waiting.id).update(enqueued_at=old)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert "排队" in response.json()["checks"]["worker"]


def test_unwritable_storage_fails_the_storage_check(media, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    beat()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.MEDIA_ROOT = str(blocker)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert [name for name, value in response.json()["checks"].items() if value != "ok"] == ["storage"]
    assert str(tmp_path) not in response.content.decode()  # no paths, no exception text


def test_without_a_separate_worker_there_is_nothing_to_wait_for(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert Client().get("/healthz").status_code == 200


def test_answers_when_the_calling_thread_already_runs_an_event_loop(media) -> None:  # type: ignore[no-untyped-def]
    """The checks get a loop and a thread of their own (a test browser, or an async server, may
    have a loop running in the request's thread)."""
    beat()

    async def inside_a_loop() -> int:
        return Client().get("/healthz").status_code

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        assert asyncio.run(inside_a_loop()) == 200
    else:  # this test process already runs a loop here (a browser test before us left it)
        assert Client().get("/healthz").status_code == 200
