"""The organizer's desk at province size: its three long lists (finalists, review tasks,
results) are each one page at a time under their own prefix, filtered and sorted on the server
with their totals, the filters of one list surviving the paging of another; the same number of
queries for one finalist and for many; the desk of another organizer's campaign is refused."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campuseval.applications.models import Application
from campuseval.orgs.models import Unit
from campuseval.reviews.models import Assignment, Panel, Result

from .conftest import expert, submitted, user

pytestmark = pytest.mark.django_db


def client_for(u: object) -> Client:
    c = Client()
    c.force_login(u)  # type: ignore[arg-type]
    return c


def finalists(world: dict, n: int, start: int = 0, county: str = "x") -> list[Application]:
    """`n` recommended applications (codes F000…, names 新建第000校…) in a county, each with one
    task and a result ranked by its number."""
    panel = Panel.objects.get_or_create(campaign=world["campaign"], name="材料组")[0]
    e = world.get("desk_expert") or expert("desk_expert", world["y"])
    world["desk_expert"] = e
    apps = []
    for i in range(start, start + n):
        school = Unit.objects.create(
            code=f"F{i:03d}", name=f"新建第{i:03d}校", kind=Unit.Kind.SCHOOL, parent=world[county]
        )
        app = submitted(world["campaign"], world["record"], school, bw=600)
        Application.objects.filter(pk=app.pk).update(status=Application.Status.RECOMMENDED)
        status = Assignment.Status.SUBMITTED if i % 2 else Assignment.Status.ASSIGNED
        Assignment.objects.create(panel=panel, application=app, expert=e, status=status)
        Result.objects.create(
            campaign=world["campaign"],
            application=app,
            materials=Decimal(90 - i % 50),
            final=Decimal(90 - i % 50),
            method="算术平均",
            rank=i + 1,
            divergent=i % 10 == 0,
            selected=i < 5,
        )
        apps.append(app)
    return apps


def desk(world: dict) -> str:
    return reverse("reviews:organizer", args=[world["campaign"].pk])


def test_desk_queries_at_one_finalist_and_at_many(world: dict, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    finalists(world, 1)
    org = client_for(world["organizer"])
    org.get(desk(world))  # warm the session
    with CaptureQueriesContext(connection) as one:
        page = org.get(desk(world)).content.decode()
    assert page.count("新建第000校") >= 3  # finalists, tasks, results
    finalists(world, 130, start=1)
    with django_assert_num_queries(len(one)):
        page = org.get(desk(world)).content.decode()
    assert page.count("共 131 条") == 6 and page.count("第 1 / 3 页") == 6  # each list's pager above and below
    assert "新建第049校" in page and "新建第050校" not in page


def test_each_desk_list_pages_on_its_own_and_keeps_the_others(world: dict) -> None:
    finalists(world, 120)
    org = client_for(world["organizer"])
    page = org.get(desk(world), {"t_status": "submitted", "f_page": "2"}).content.decode()
    # finalists on page 2 (by code), tasks filtered to the 60 submitted ones, results untouched
    assert "共 60 条" in page and "第 2 / 3 页" in page
    finalists_part = page[page.index('id="desk-finalists"') : page.index('id="desk-tasks"')]
    assert "新建第050校" in finalists_part and "新建第049校" not in finalists_part
    tasks_part = page[page.index('id="desk-tasks"') : page.index('id="desk-results"')]
    assert "新建第001校" in tasks_part and "新建第000校" not in tasks_part
    # the task list's link to its page 2 keeps the finalists' page and the task filter
    links = [html.unescape(h) for h in re.findall(r'href="(\?[^"]+)"', tasks_part)]
    assert any("t_page=2" in h and "f_page=2" in h and "t_status=submitted" in h for h in links)
    # the task filter form carries the finalists' page as a hidden field
    assert '<input type="hidden" name="f_page" value="2">' in tasks_part


def test_desk_filters_and_sorts(world: dict) -> None:
    finalists(world, 12)
    finalists(world, 3, start=100, county="y")
    org = client_for(world["organizer"])
    page = org.get(desk(world), {"f_region": world["y"].pk, "f_sort": "-code"}).content.decode()
    part = page[page.index('id="desk-finalists"') : page.index('id="desk-tasks"')]
    assert "共 3 条" in part and "新建第000校" not in part
    assert part.index("新建第102校") < part.index("新建第100校")
    searched = org.get(desk(world), {"f_q": "F011"}).content.decode()
    part = searched[searched.index('id="desk-finalists"') : searched.index('id="desk-tasks"')]
    assert "共 1 条" in part and "新建第011校" in part
    # unassigned: a finalist without a task
    school = Unit.objects.create(code="L1", name="待分配学校", kind=Unit.Kind.SCHOOL, parent=world["x"])
    lonely = submitted(world["campaign"], world["record"], school, bw=600)
    Application.objects.filter(pk=lonely.pk).update(status=Application.Status.RECOMMENDED)
    page = org.get(desk(world), {"f_unassigned": "1"}).content.decode()
    part = page[page.index('id="desk-finalists"') : page.index('id="desk-tasks"')]
    assert "共 1 条" in part and "待分配学校" in part
    # results: open divergences only, and by final score
    page = org.get(desk(world), {"r_divergent": "1"}).content.decode()
    part = page[page.index('id="desk-results"') :]
    assert "共 3 条" in part and "新建第010校" in part and "新建第011校" not in part  # 000, 010, 100
    page = org.get(desk(world), {"r_sort": "final"}).content.decode()
    part = page[page.index('id="desk-results"') :]
    assert part.index("新建第011校") < part.index("新建第000校")


def test_desk_of_another_organizer_is_404(world: dict) -> None:
    finalists(world, 2)
    stranger = user("stranger_org", world["y"], "organizer")
    response = client_for(stranger).get(desk(world), {"f_q": "新建"})
    assert response.status_code == 404
