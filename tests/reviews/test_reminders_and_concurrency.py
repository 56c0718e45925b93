"""Deadline reminders, and two people acting at once."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection
from django.utils import timezone

from campuseval.applications.models import Application
from campuseval.campaigns.models import Campaign, Stage
from campuseval.notifications.models import Notification
from campuseval.reviews import services
from campuseval.reviews.models import Assignment, Panel, Publication
from campuseval.reviews.tasks import remind, send_reminders

from .conftest import expert, recommended, sheet


@pytest.mark.django_db
def test_reminders_once_per_day(world: dict, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    campaign = world["campaign"]
    campaign.status = Campaign.Status.OPEN
    campaign.save()
    now = timezone.now()
    Stage.objects.create(
        campaign=campaign,
        kind=Stage.Kind.APPLY,
        starts_at=now - dt.timedelta(days=10),
        deadline=now + dt.timedelta(days=2),
    )
    Application.objects.filter(pk=world["apps"][0].pk).update(status=Application.Status.DRAFT)
    assert remind(now=now) == 1
    assert remind(now=now) == 0
    note = Notification.objects.get(user=world["applicant"])
    assert note.text.startswith("《2024 示范校遴选》申报将于") and note.text.endswith("截止，请尽快完成并提交")
    result = send_reminders.enqueue()
    assert result.return_value == 0


def _run_in_threads(*targets):  # type: ignore[no-untyped-def]
    outcomes: list[object] = []
    barrier = threading.Barrier(len(targets))

    def wrap(fn):  # type: ignore[no-untyped-def]
        def run() -> None:
            try:
                barrier.wait()
                outcomes.append(fn())
            except (ValidationError, OperationalError) as exc:
                outcomes.append(exc)
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=wrap(t)) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_organizers_publishing_at_once_publish_once(world: dict) -> None:
    apps = recommended(world)
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    e1 = expert("e1", world["y"])
    for app in apps:
        sheet(
            world, services.assign_expert(actor=world["organizer"], panel=panel, application=app, expert=e1), 600, True
        )
    services.compute_results(actor=world["organizer"], campaign=world["campaign"])
    today = dt.date.today()

    def publish() -> object:
        return services.publish_results(
            actor=world["organizer"], campaign=world["campaign"], starts_on=today, ends_on=today + dt.timedelta(days=5)
        )

    outcomes = _run_in_threads(publish, publish)
    assert Publication.objects.count() == 1
    assert sum(isinstance(o, Publication) for o in outcomes) == 1


@pytest.mark.django_db(transaction=True)
def test_two_tabs_of_one_expert_never_overwrite_each_other(world: dict) -> None:
    apps = recommended(world)
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    e1 = expert("e1", world["y"])
    a = services.assign_expert(actor=world["organizer"], panel=panel, application=apps[0], expert=e1)
    services.confirm_no_conflict(actor=e1.user, assignment=a)

    def save(bw: int):  # type: ignore[no-untyped-def]
        return lambda: services.record_expert_score(actor=e1.user, assignment=a, revision=0, answers={"1": {"bw": bw}})

    outcomes = _run_in_threads(save(300), save(600))
    a.refresh_from_db()
    assert a.revision == 1
    assert sum(isinstance(o, Assignment) for o in outcomes) == 1
    refused = [o for o in outcomes if not isinstance(o, Assignment)]
    assert len(refused) == 1


@pytest.mark.django_db(transaction=True)
def test_two_experts_on_one_application_both_keep_their_scores(world: dict) -> None:
    apps = recommended(world)
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    e1, e2 = expert("e1", world["y"]), expert("e2", world["y"])
    mine = [
        services.assign_expert(actor=world["organizer"], panel=panel, application=apps[0], expert=e) for e in (e1, e2)
    ]
    for a in mine:
        services.confirm_no_conflict(actor=a.expert.user, assignment=a)

    def score_and_submit(a: Assignment, bw: int):  # type: ignore[no-untyped-def]
        def run() -> Assignment:
            services.record_expert_score(
                actor=a.expert.user, assignment=a, revision=0, answers={"1": {"bw": bw}, "2": {"ok": True}}
            )
            return services.submit_expert_score(actor=a.expert.user, assignment=a)

        return run

    outcomes = _run_in_threads(score_and_submit(mine[0], 600), score_and_submit(mine[1], 300))
    retried = [o for o in outcomes if not isinstance(o, Assignment)]
    for a, bw in zip(mine, (600, 300), strict=True):  # SQLite may refuse one writer; it simply retries
        a.refresh_from_db()
        if a.status != Assignment.Status.SUBMITTED:
            assert retried and connection.vendor == "sqlite"
            score_and_submit(a, bw)()
    totals = dict(Assignment.objects.filter(application=apps[0]).values_list("expert__user__username", "total"))
    assert totals == {"e1": 10, "e2": 7}
    assert set(Assignment.objects.filter(application=apps[0]).values_list("status", flat=True)) == {"submitted"}
