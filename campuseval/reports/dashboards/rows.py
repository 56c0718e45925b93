"""Where the dashboards' numbers come from: SQL aggregates over the stored figures
(`applications.ScoreFigure` / `IndicatorFigure`), grouped by region in the database.

Regions follow the drill-down level (`Level`): the groups are the children of the unit being
looked at (the organizer's unit at the top; a county reviewer starts at their own counties).
The database groups by a *key* unit — the application's parent (a county, a city for 市直
schools) or, one level from the bottom, the application's own unit — and the few key rows
(one per county at most) are then folded into the level's groups by their materialized path.
No application's JSON is ever decoded here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from campuseval.applications.models import Application, Basis, IndicatorFigure, ScoreFigure
from campuseval.orgs.models import Subtree, Unit, units_below

from .scope import Scope

BASIS_LABELS = {"final": "专家评审最终得分", "self": "自评分（最新提交版本）"}


@dataclass(frozen=True)
class Region:
    pk: int
    code: str
    name: str
    path: str = ""
    #: has units below it to drill into (a county, a city), shown as a link
    drillable: bool = False


def region_of(unit: Unit) -> Region:
    """A district is its own region; anything else belongs to the unit directly above it."""
    if unit.kind == Unit.Kind.COUNTY or unit.parent is None:
        return Region(unit.pk, unit.code, unit.name)
    parent = unit.parent
    return Region(parent.pk, parent.code, parent.name)


@dataclass
class Level:
    """The drill-down level: `unit` is the unit looked at (None: the scope's top), `groups`
    its children (and itself, for applicants directly under it), `crumbs` the way back up."""

    unit: Unit | None
    groups: dict[int, Region]
    key: str  # "unit" (group by the applicant itself) or "unit__parent"
    crumbs: list[Region] = field(default_factory=list)

    def group_of(self, path: str | None) -> Region | None:
        """The group a key unit (by its path) falls in: the first unit of its path below the
        level's unit that is a group, else the level's unit itself (直属)."""
        if not path:
            return None
        ids = [int(p) for p in path.split("/") if p]
        start = 0
        if self.unit is not None and self.unit.pk in ids:
            start = ids.index(self.unit.pk) + 1
        for pk in ids[start:]:
            if pk in self.groups:
                return self.groups[pk]
        if self.unit is not None and self.unit.pk in self.groups and self.unit.pk in ids:
            return self.groups[self.unit.pk]
        return None

    def lookups(self, prefix: str = "") -> tuple[str, str]:
        """(id, path) lookups of the key unit from a model with a `unit` FK (prefix "") or from
        Unit itself (prefix "self")."""
        if prefix == "self":
            return ("pk", "path") if self.key == "unit" else ("parent_id", "parent__path")
        return ("unit_id", "unit__path") if self.key == "unit" else ("unit__parent_id", "unit__parent__path")

    def ordered(self, regions: Iterable[Region]) -> list[Region]:
        return sorted(set(regions), key=lambda r: (r.code, r.pk))

    def cache_part(self) -> str:
        return f"{self.unit.pk if self.unit else '-'}:{self.key}"


def _region(unit: Unit, children: set[int]) -> Region:
    return Region(
        unit.pk, unit.code, unit.name, unit.path, drillable=unit.pk in children and unit.kind != Unit.Kind.SCHOOL
    )


def level_of(scope: Scope) -> Level:
    """The groups at the scope's drill-down unit (two queries: the groups, and which of them
    have units below)."""
    unit = scope.unit
    crumbs: list[Region] = []
    if unit is None and scope.region is None:
        unit = scope.campaign.organizer
    if unit is not None:
        units = list(Unit.objects.filter(Q(parent=unit) | Q(pk=unit.pk)).order_by("code"))
        top = scope.campaign.organizer if scope.region is None else None
        chain = Unit.objects.filter(pk__in=unit.path_ids).order_by("path")
        for crumb in chain:
            inside = (
                scope.region.holds_path(crumb.path)
                if scope.region is not None
                else top is not None and crumb.path.startswith(top.path)
            )
            if inside:
                crumbs.append(Region(crumb.pk, crumb.code, crumb.name, crumb.path, True))
    else:
        assert scope.region is not None
        units = list(Unit.objects.filter(path__in=sorted(scope.region.paths)).order_by("code"))
    ids = [u.pk for u in units]
    children = set(Unit.objects.filter(parent_id__in=ids).values_list("parent_id", flat=True).distinct())
    groups = {u.pk: _region(u, children) for u in units}
    if unit is not None:
        # the unit itself collects what sits directly under it (市直 schools); never a drill link
        groups[unit.pk] = Region(unit.pk, unit.code, unit.name, unit.path)
    key = "unit__parent"
    if scope.subject == "district" or (unit is not None and unit.kind in (Unit.Kind.COUNTY, Unit.Kind.SCHOOL)):
        key = "unit"
    return Level(unit, groups, key, crumbs)


# --- querysets -------------------------------------------------------------------------------


def _narrow(qs: QuerySet[Any], scope: Scope, unit_field: str = "unit") -> QuerySet[Any]:
    if scope.region is not None:
        qs = qs.filter(scope.region.q(unit_field))
    if scope.unit is not None:
        qs = qs.filter(scope.unit.subtree().q(unit_field))
    return qs


def applications_in(scope: Scope) -> QuerySet[Application]:
    qs = Application.objects.filter(campaign=scope.campaign, framework=scope.record, unit__kind__in=scope.kinds)
    return _narrow(qs, scope)


def figures_in(scope: Scope, basis: str) -> QuerySet[ScoreFigure]:
    """Score figures of the scope on one basis (a self figure counts once submitted)."""
    qs = ScoreFigure.objects.filter(
        campaign=scope.campaign, basis=basis, unit__kind__in=scope.kinds, application__framework=scope.record
    )
    if basis == Basis.SELF:
        qs = qs.exclude(application__status=Application.Status.DRAFT)
    return _narrow(qs, scope)


def indicator_figures_in(scope: Scope, basis: str, codes: list[str]) -> QuerySet[IndicatorFigure]:
    qs = IndicatorFigure.objects.filter(
        campaign=scope.campaign, basis=basis, unit__kind__in=scope.kinds, code__in=codes
    )
    return _narrow(qs, scope)


def covered(scope: Scope) -> Subtree:
    campaign = scope.campaign
    roots = list(campaign.covered_units.values_list("pk", flat=True)) or [campaign.organizer_id]
    return units_below(roots)


def eligible_units(scope: Scope) -> QuerySet[Unit]:
    """Active units the campaign covers (its covered units and everything under them, or the
    organizer's tree when none are listed) of the charted kind, within the user's scope."""
    units = covered(scope).units().filter(kind__in=scope.kinds, is_active=True)
    if scope.region is not None:
        units = units.filter(scope.region.q())
    if scope.unit is not None:
        units = units.filter(scope.unit.subtree().q())
    return units


def not_applied(scope: Scope) -> QuerySet[Unit]:
    applied = Application.objects.filter(campaign=scope.campaign, framework=scope.record, unit=OuterRef("pk"))
    return eligible_units(scope).exclude(Exists(applied))


def default_basis(scope: Scope) -> str:
    return "final" if figures_in(scope, Basis.FINAL).exists() else "self"
