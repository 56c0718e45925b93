"""Automatic and batch assignment at province scale: the experts, their conflicts, the counties,
the finalists and the loads are read once, so the number of queries does not grow with the
finalists; the pairs decided in bulk follow the same three 回避 rules as `conflict_reason`."""

from __future__ import annotations

from typing import Any

import pytest

from campuseval.applications.models import Application
from campuseval.audit.models import AuditEntry
from campuseval.notifications.models import Notification
from campuseval.orgs.models import Unit
from campuseval.reviews import services
from campuseval.reviews.models import Assignment, Conflict, Expert, Panel
from campuseval.reviews.services.assignments import ConflictIndex

from .conftest import expert

#: the queries of one automatic or batch assignment, whatever the number of finalists: 18 at 5
#: finalists; SQLite writes the tasks in inserts of at most 999 parameters (52 tasks), so the
#: 120 tasks of 60 finalists take two inserts more (PostgreSQL one insert in both)
BOUND = 20


def finalists_in(world: dict[str, Any], n: int) -> list[Application]:
    """`n` recommended applications, alternately in 甲县 and 乙区 (one more school each)."""
    apps = []
    for i in range(n):
        county = world["x"] if i % 2 == 0 else world["y"]
        school = Unit.objects.create(
            code=f"S{i:04d}", name=f"第{i}学校", kind=Unit.Kind.SCHOOL, parent=county, stage=Unit.Stage.PRIMARY
        )
        apps.append(
            Application.objects.create(
                campaign=world["campaign"],
                unit=school,
                framework=world["record"],
                status=Application.Status.RECOMMENDED,
                self_total=10,
            )
        )
    return apps


def panel_of(world: dict[str, Any]) -> tuple[Panel, list[Expert]]:
    """Four experts: one working in 甲县, one of 乙区 (by region), one at the city, one at the
    city with a recorded conflict on 甲县 (every 甲县 school then needs 回避)."""
    members = [
        expert("e_x", world["schools"][3]),
        expert("e_y", world["city"], region=world["y"]),
        expert("e_city", world["city"]),
        expert("e_declared", world["city"]),
    ]
    Conflict.objects.create(expert=members[3], unit=world["x"], reason="曾任甲县教育局职务")
    panel = Panel.objects.create(campaign=world["campaign"], name="材料组")
    panel.members.set(members)
    return panel, members


@pytest.mark.parametrize("n", [5, 60])
def test_auto_assignment_takes_the_same_queries_at_5_and_at_60_finalists(
    world: dict[str, Any], n: int, django_assert_max_num_queries: Any
) -> None:
    apps = finalists_in(world, n)
    panel, members = panel_of(world)
    with django_assert_max_num_queries(BOUND):
        outcome = services.auto_assign(actor=world["organizer"], panel=panel, per_application=2)
    made = list(
        Assignment.objects.filter(panel=panel).select_related("expert__unit", "expert__region", "application__unit")
    )
    # 甲县 schools: only e_y and e_city are free of 回避; 乙区 schools: e_x, e_city, e_declared
    assert outcome.made == len(made) == 2 * n and not outcome.problems
    assert all(services.conflict_reason(a.expert, a.application) is None for a in made)
    per_app: dict[int, set[str]] = {}
    for a in made:
        per_app.setdefault(a.application_id, set()).add(a.expert.user.username)
    x_apps = [a for a in apps if a.unit.parent_id == world["x"].pk]
    assert all(per_app[a.pk] == {"e_y", "e_city"} for a in x_apps)
    loads = {m.user.username: sum(1 for a in made if a.expert_id == m.pk) for m in members}
    y_count = n - len(x_apps)
    # 乙区 work shared between e_x and e_declared (e_city already carries every 甲县 school)
    assert loads["e_x"] + loads["e_declared"] + loads["e_city"] - len(x_apps) == 2 * y_count
    assert abs(loads["e_x"] - loads["e_declared"]) <= 1
    entry = AuditEntry.objects.get(action="assignment.auto")
    assert len(entry.after["assignments"]) == 2 * n
    notes = {n.user.username: n.text for n in Notification.objects.filter(user__expert_profile__in=members)}
    assert notes["e_y"] == f"新的评审任务：{world['campaign']}（{loads['e_y']} 份申报）"
    assert set(notes) == {name for name, load in loads.items() if load}


def test_a_second_run_adds_nothing_and_a_short_panel_is_reported(world: dict[str, Any]) -> None:
    finalists_in(world, 6)
    panel, _members = panel_of(world)
    services.auto_assign(actor=world["organizer"], panel=panel, per_application=2)
    again = services.auto_assign(actor=world["organizer"], panel=panel, per_application=2)
    assert again.made == 0 and again.reason == "每份申报已有 2 位专家"
    three = services.auto_assign(actor=world["organizer"], panel=panel, per_application=3)
    # a 甲县 school has only two experts free of 回避: it stays short, the 乙区 ones get a third
    assert three.made == 3 and len(three.problems) == 3
    assert all("可分配专家不足（需要 3 位，仅 2 位无需回避）" in p for p in three.problems)
    assert Assignment.objects.filter(panel=panel).count() == 6 * 2 + 3


@pytest.mark.parametrize("n", [5, 60])
def test_batch_assignment_takes_the_same_queries_at_5_and_at_60_applications(
    world: dict[str, Any], n: int, django_assert_max_num_queries: Any
) -> None:
    apps = finalists_in(world, n)
    panel, members = panel_of(world)
    chosen = list(Expert.objects.filter(pk__in=[m.pk for m in members]).select_related("unit", "region", "user"))
    rows = list(Application.objects.filter(pk__in=[a.pk for a in apps]).select_related("unit"))
    with django_assert_max_num_queries(BOUND):
        made, skipped = services.assign_batch(actor=world["organizer"], panel=panel, applications=rows, experts=chosen)
    # per 甲县 school two pairs need 回避 (same county, declared), per 乙区 school one (same region)
    x_count = (n + 1) // 2
    assert len(skipped) == 2 * x_count + (n - x_count)
    assert len(made) == 4 * n - len(skipped) == Assignment.objects.filter(panel=panel).count()
    assert any("已登记回避：曾任甲县教育局职务" in s for s in skipped)


def test_the_index_decides_every_pair_as_conflict_reason_does(world: dict[str, Any]) -> None:
    apps = [*finalists_in(world, 4), *world["apps"]]
    district = Application.objects.create(
        campaign=world["campaign"], unit=world["y"], framework=world["record"], status=Application.Status.RECOMMENDED
    )
    apps.append(district)
    _panel, members = panel_of(world)
    members.append(expert("e_school", apps[0].unit))
    members.append(expert("e_cityregion", world["schools"][0], region=world["city"]))
    Conflict.objects.create(expert=members[2], unit=apps[1].unit, reason="亲属任职")
    Conflict.objects.create(expert=members[2], unit=world["city"], reason="全市回避")
    experts = list(Expert.objects.filter(pk__in=[m.pk for m in members]).select_related("unit", "region"))
    index = ConflictIndex.load(experts)
    units = {a.pk: a for a in Application.objects.filter(pk__in=[a.pk for a in apps]).select_related("unit")}
    reasons = [(index.reason(e, units[a.pk]), services.conflict_reason(e, units[a.pk])) for e in experts for a in apps]
    assert all(mine == theirs for mine, theirs in reasons)
    prepared = index.prepare(experts)  # the ids-only path automatic assignment takes
    for a in apps:
        unit = units[a.pk].unit
        free = {pk for _e, pk in index.free_of_conflict(prepared, unit.pk, unit.path)}
        assert free == {e.pk for e in experts if services.conflict_reason(e, units[a.pk]) is None}
    assert {theirs for _mine, theirs in reasons} >= {
        None,
        "专家与申报单位为同一单位",
        "专家与申报单位属同一区县",
        "已登记回避：曾任甲县教育局职务",
        "已登记回避：亲属任职",
    }
