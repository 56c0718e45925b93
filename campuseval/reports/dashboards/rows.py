"""Loading one scope's applications into rows in a fixed number of queries: the unit, its
region, the latest submitted version, the review result, and which score basis to chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from campuseval.applications.models import Application, ApplicationVersion
from campuseval.orgs.models import Unit, units_below
from campuseval.reviews.models import Result

from .scope import Scope

BASIS_LABELS = {"final": "专家评审最终得分", "self": "自评分（最新提交版本）"}


# --- loading ---------------------------------------------------------------------------------


@dataclass
class Region:
    pk: int
    code: str
    name: str


@dataclass
class Row:
    """One application with what the dashboards need, read once."""

    application: Application
    region: Region
    self_total: Decimal | None = None
    self_level: str = ""
    self_indicators: dict[str, Any] = field(default_factory=dict)
    final: Decimal | None = None
    final_level: str = ""
    final_indicators: dict[str, Any] = field(default_factory=dict)
    has_result: bool = False

    @property
    def unit(self) -> Unit:
        return self.application.unit

    @property
    def submitted(self) -> bool:
        return self.self_total is not None

    def score(self, basis: str) -> Decimal | None:
        return self.final if basis == "final" else self.self_total

    @property
    def level(self) -> tuple[str, str]:
        """(level, source): the result's level where reviewed, else the self-assessed one."""
        if self.has_result:
            return self.final_level, "result"
        if self.submitted:
            return self.self_level, "self"
        return "", ""


def region_of(unit: Unit) -> Region:
    """A district is its own region; anything else belongs to the unit directly above it."""
    if unit.kind == Unit.Kind.COUNTY or unit.parent is None:
        return Region(unit.pk, unit.code, unit.name)
    parent = unit.parent
    return Region(parent.pk, parent.code, parent.name)


def applications_in(scope: Scope) -> QuerySet[Application]:
    qs = Application.objects.filter(campaign=scope.campaign, framework=scope.record, unit__kind__in=scope.kinds)
    if scope.region is not None:
        qs = qs.filter(scope.region.q("unit"))
    return qs


def latest_versions(applications: QuerySet[Application]) -> dict[int, ApplicationVersion]:
    latest = ApplicationVersion.objects.filter(application=OuterRef("application")).order_by("-number")
    versions = ApplicationVersion.objects.filter(
        application__in=applications.values("pk"), number=Subquery(latest.values("number")[:1])
    ).only("application_id", "number", "total", "result")
    return {v.application_id: v for v in versions}


def results_by_application(applications: QuerySet[Application]) -> dict[int, Result]:
    results = Result.objects.filter(application__in=applications.values("pk")).only(
        "application_id", "final", "level", "indicators"
    )
    return {r.application_id: r for r in results}


def load_rows(scope: Scope) -> list[Row]:
    """Every application of the scope with its latest version and result (three queries)."""
    applications = applications_in(scope)
    versions = latest_versions(applications)
    results = results_by_application(applications)
    rows = []
    for app in applications.select_related("unit__parent").order_by("unit__code"):
        row = Row(application=app, region=region_of(app.unit))
        version = versions.get(app.pk)
        if version is not None and app.status != Application.Status.DRAFT:
            row.self_total = version.total
            row.self_level = (version.result or {}).get("level") or ""
            row.self_indicators = (version.result or {}).get("indicators", {}) or {}
        result = results.get(app.pk)
        if result is not None:
            row.has_result = True
            row.final = result.final
            row.final_level = result.level or ""
            row.final_indicators = result.indicators or {}
        rows.append(row)
    return rows


def eligible_units(scope: Scope) -> list[Unit]:
    """Active units the campaign covers (its covered units and everything under them, or the
    organizer's tree when none are listed) of the charted kind, within the user's scope."""
    campaign = scope.campaign
    roots = list(campaign.covered_units.values_list("pk", flat=True)) or [campaign.organizer_id]
    units = units_below(roots).units()
    if scope.region is not None:
        units = units.filter(scope.region.q())
    return list(units.filter(kind__in=scope.kinds, is_active=True).select_related("parent").order_by("code"))


def regions_of(rows: Sequence[Row], units: Sequence[Unit]) -> list[Region]:
    by_pk: dict[int, Region] = {}
    for region in [r.region for r in rows] + [region_of(u) for u in units]:
        by_pk.setdefault(region.pk, region)
    return sorted(by_pk.values(), key=lambda r: r.code)


def default_basis(rows: Sequence[Row]) -> str:
    return "final" if any(r.has_result for r in rows) else "self"
