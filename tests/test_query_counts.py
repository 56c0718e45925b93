"""Query-count guards for list pages not guarded elsewhere: each page is read once with the
persona world's single row, then again after `grow` added more rows of what it lists; the
count must stay the same (GROWTH gives a documented constant difference where there is one).

Already guarded elsewhere (not repeated): county list, expert pool, campaigns lists, units tree,
home, dashboards pages, cultivation list, applications mine/versions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campuseval.applications.models import Application
from campuseval.audit.models import AuditEntry

from . import factories as f
from .personas import Personas

pytestmark = pytest.mark.django_db

MORE = 4


def more_schools(p: Personas) -> list[Application]:
    apps = []
    for i in range(MORE):
        school = f.UnitFactory.school(p.county, code=f"P-XM{i}", name=f"甲县第{i}小学")
        apps.append(f.ApplicationFactory(campaign=p.campaign, unit=school, status=Application.Status.RECOMMENDED))
    return apps


def grow_city(p: Personas) -> None:
    from campuseval.reviews.models import ReviewSettings

    for i in range(MORE):
        c = f.CampaignFactory(name=f"市级推荐活动{i}", organizer=p.city)
        ReviewSettings.objects.create(campaign=c, city_review=True)
        f.ApplicationFactory(campaign=c, unit=p.school, status=Application.Status.RECOMMENDED)


def grow_expert(p: Personas) -> None:
    for app in more_schools(p):
        f.AssignmentFactory(panel=p.panel, application=app, expert=p.expert_profile)


def grow_notifications(p: Personas) -> None:
    for _ in range(MORE):
        f.NotificationFactory(user=p.school_officer)


def grow_organizer(p: Personas) -> None:
    for app in more_schools(p):
        f.AssignmentFactory(panel=p.panel, application=app, expert=p.unassigned_profile)
        f.ResultFactory(application=app, campaign=p.campaign, rank=2)


def grow_audit(p: Personas) -> None:
    more_schools(p)
    for i in range(MORE * 3):
        AuditEntry.objects.create(action="test", summary=f"记录{i}", campaign_id=p.campaign.pk, actor=p.city_organizer)


def grow_recommend(p: Personas) -> None:
    for app in more_schools(p):
        app.status = Application.Status.ACCEPTED
        app.save()


def grow_public(p: Personas) -> None:
    for app in more_schools(p):
        f.ResultFactory(application=app, campaign=p.campaign, rank=2)


def grow_exports(p: Personas) -> None:
    for _ in range(MORE):
        f.ExportJobFactory(user=p.city_organizer, campaign=p.campaign)


def grow_dashboards(p: Personas) -> None:
    for i in range(MORE):
        f.CampaignFactory(name=f"看板活动{i}", organizer=p.city)


# name, persona, kwargs, grow
CASES: list[tuple[str, str, Callable[[Personas], dict[str, Any]], Callable[[Personas], None]]] = [
    ("reviews:city_list", "city_organizer", lambda p: {}, grow_city),
    ("reviews:expert_list", "expert", lambda p: {}, grow_expert),
    ("notifications:list", "school_officer", lambda p: {}, grow_notifications),
    ("reviews:organizer", "city_organizer", lambda p: {"pk": p.campaign.pk}, grow_organizer),
    ("reviews:audit_log", "city_organizer", lambda p: {"pk": p.campaign.pk}, grow_audit),
    ("reviews:recommend", "county_reviewer", lambda p: {"campaign_pk": p.campaign.pk}, grow_recommend),
    ("reviews:public", "anonymous", lambda p: {"pk": p.campaign.pk}, grow_public),
    ("reports:exports", "city_organizer", lambda p: {}, grow_exports),
    ("reports:dashboards", "city_organizer", lambda p: {}, grow_dashboards),
]

#: documented constant differences between the persona world's rows and many
GROWTH: dict[str, int] = {
    # the world has no entry in the campaign's log: a paginated list reads no page of an empty
    # list (Django's Paginator), one query for any page of one entry or more (tests/audit/
    # test_campaign_audit_page.py checks 1 entry against 101 at the same count)
    "reviews:audit_log": 1,
}


@pytest.mark.parametrize(("name", "who", "kwargs", "grow"), CASES, ids=[c[0] for c in CASES])
def test_queries_do_not_grow(
    personas: Personas,
    name: str,
    who: str,
    kwargs: Callable[[Personas], dict[str, Any]],
    grow: Callable[[Personas], None],
    django_assert_num_queries: Any,
) -> None:
    url = reverse(name, kwargs=kwargs(personas))
    client = personas.client(who)
    assert client.get(url).status_code == 200  # warm: session, caches, content types
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    grow(personas)
    with django_assert_num_queries(len(one) + GROWTH.get(name, 0)):
        assert client.get(url).status_code == 200
