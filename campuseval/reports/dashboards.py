"""Dashboard numbers for one campaign, computed on the server so that every chart, the table
beside it and its Excel download show exactly the same figures (the browser only draws).

Each public function takes a `Scope` — the campaign, the framework being charted and the units
the user may see (all of the campaign for its organizer, the reviewer's own county for a county
reviewer) — and returns plain dicts and lists of ints, Decimals and strings. Loading is done in
a fixed number of queries whatever the number of applications, so dashboards stay fast for a
whole province.

Decisions recorded here, shown on the pages as well:

* Regions: a school belongs to the unit directly above it (its county/district; a school
  directly under a city is grouped under that city, e.g. 市直学校). A district applicant is
  its own region.
* Score basis: the final expert score (`Result.final`) where results exist, otherwise the
  self-score of the latest submitted version. The user may choose either basis.
* Quartiles: linear interpolation between order statistics (R type 7, Excel QUARTILE.INC,
  NumPy's default): position h = (n − 1)·p over the sorted scores.
* Attainment: a unit's level is the level of its review result where one exists, otherwise
  the level of its latest submitted self-assessment; shares count units "at that level or
  above" (a 示范型 school has also reached 优秀型 and 合格型), over every unit the campaign
  covers in the region, applied or not — the way the Taizhou targets are worded.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from campuseval.access import scopes
from campuseval.access.rules import Actor, holds_role, organizer_scope, unit_ids_with
from campuseval.accounts.models import Role
from campuseval.applications.models import Application, ApplicationVersion
from campuseval.campaigns.models import Campaign, FrameworkRecord
from campuseval.campaigns.scoring import framework_for
from campuseval.engine import Framework
from campuseval.orgs.models import Unit, units_below
from campuseval.reviews.models import Result

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
BIN_WIDTH = 10

QUANTILE_METHOD = (
    "四分位数采用线性插值法（R 第 7 类，即 Excel QUARTILE.INC）：将得分从小到大排列，"
    "第 p 分位数位于第 (n−1)·p 个位置（从 0 起算），落在两个得分之间时按比例插值"
)

BASIS_LABELS = {"final": "专家评审最终得分", "self": "自评分（最新提交版本）"}

#: Targets the seeds set, by framework family (framework key prefix): the level-name keyword,
#: the minimum share of units at that level or above (percent) and the year it is due.
#: Taizhou 2022 notice: 95% 合格型, 20% 优秀型, 10% 示范型 in 2022; 100% 合格型 by 2024.
TARGETS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "taizhou": (("合格", 95, 2022), ("优秀", 20, 2022), ("示范", 10, 2022), ("合格", 100, 2024)),
}

SCHOOL_KINDS = (Unit.Kind.SCHOOL,)
DISTRICT_KINDS = (Unit.Kind.COUNTY,)


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def pct(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """A percentage with one decimal (half up), or None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


def quantile(ordered: Sequence[Decimal], p: Decimal) -> Decimal:
    """The p-quantile of sorted values by linear interpolation (R type 7): exact decimals."""
    if not ordered:
        raise ValueError("no values")
    h = (len(ordered) - 1) * p
    low = int(h)  # h >= 0, so int() is floor
    frac = h - low
    if low + 1 >= len(ordered):
        return ordered[-1]
    return ordered[low] + frac * (ordered[low + 1] - ordered[low])


def box(values: Iterable[Decimal]) -> dict[str, Decimal] | None:
    """Five numbers for a box plot (min, Q1, median, Q3, max), or None without values."""
    ordered = sorted(values)
    if not ordered:
        return None
    return {
        "min": ordered[0],
        "q1": q2(quantile(ordered, Decimal("0.25"))),
        "median": q2(quantile(ordered, Decimal("0.5"))),
        "q3": q2(quantile(ordered, Decimal("0.75"))),
        "max": ordered[-1],
    }


def mean(values: Sequence[Decimal]) -> Decimal | None:
    return q2(sum(values, ZERO) / len(values)) if values else None


# --- who sees what ---------------------------------------------------------------------------


def visible_campaigns(user: Actor) -> QuerySet[Campaign]:
    """Campaigns whose dashboards the user may open (see `access.scopes.dashboard_campaigns`)."""
    return (
        scopes.dashboard_campaigns(user, Campaign.objects.all())
        .select_related("organizer")
        .order_by("-year", "-pk")
    )


@dataclass(frozen=True)
class Scope:
    """What one user sees of one campaign: `unit_ids` None means the whole campaign."""

    campaign: Campaign
    record: FrameworkRecord
    subject: str  # "school" | "district"
    unit_ids: frozenset[int] | None
    label: str
    user: Any = None

    @property
    def framework(self) -> Framework:
        return framework_for(self.record)

    @property
    def kinds(self) -> tuple[str, ...]:
        return SCHOOL_KINDS if self.subject == "school" else DISTRICT_KINDS

    def subjects(self) -> list[tuple[str, str]]:
        """The subjects this campaign can chart (both for a 学校和区县 campaign)."""
        out = []
        if self.campaign.school_framework_id:
            out.append(("school", "学校"))
        if self.campaign.district_framework_id:
            out.append(("district", "区县"))
        return out


def scope_for(user: Any, campaign: Campaign, subject: str | None = None) -> Scope | None:
    """The user's scope on the campaign, or None (the caller answers 404)."""
    records = {"school": campaign.school_framework, "district": campaign.district_framework}
    if subject not in records or records[subject] is None:
        subject = "school" if campaign.school_framework_id else "district"
    record = records[subject]
    if record is None:
        return None
    if campaign.organizer_id in organizer_scope(user):
        return Scope(campaign, record, subject, None, campaign.organizer.name, user)
    counties = unit_ids_with(user, Role.COUNTY_REVIEWER)
    if counties and visible_campaigns(user).filter(pk=campaign.pk).exists():
        names = "、".join(Unit.objects.filter(pk__in=counties).order_by("code").values_list("name", flat=True))
        return Scope(campaign, record, subject, frozenset(units_below(counties)), names, user)
    return None


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


def _applications(scope: Scope) -> QuerySet[Application]:
    qs = Application.objects.filter(campaign=scope.campaign, framework=scope.record, unit__kind__in=scope.kinds)
    if scope.unit_ids is not None:
        qs = qs.filter(unit_id__in=scope.unit_ids)
    return qs


def _latest_versions(applications: QuerySet[Application]) -> dict[int, ApplicationVersion]:
    latest = ApplicationVersion.objects.filter(application=OuterRef("application")).order_by("-number")
    versions = ApplicationVersion.objects.filter(
        application__in=applications.values("pk"), number=Subquery(latest.values("number")[:1])
    ).only("application_id", "number", "total", "result")
    return {v.application_id: v for v in versions}


def _results(applications: QuerySet[Application]) -> dict[int, Result]:
    results = Result.objects.filter(application__in=applications.values("pk")).only(
        "application_id", "final", "level", "indicators"
    )
    return {r.application_id: r for r in results}


def load_rows(scope: Scope) -> list[Row]:
    """Every application of the scope with its latest version and result (three queries)."""
    applications = _applications(scope)
    versions = _latest_versions(applications)
    results = _results(applications)
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
    ids = units_below(roots)
    if scope.unit_ids is not None:
        ids &= scope.unit_ids
    return list(
        Unit.objects.filter(pk__in=ids, kind__in=scope.kinds, is_active=True).select_related("parent").order_by("code")
    )


def _regions(rows: Sequence[Row], units: Sequence[Unit]) -> list[Region]:
    by_pk: dict[int, Region] = {}
    for region in [r.region for r in rows] + [region_of(u) for u in units]:
        by_pk.setdefault(region.pk, region)
    return sorted(by_pk.values(), key=lambda r: r.code)


def default_basis(rows: Sequence[Row]) -> str:
    return "final" if any(r.has_result for r in rows) else "self"


# --- 1. progress -----------------------------------------------------------------------------

PROGRESS_COLUMNS = (
    ("not_started", "未开始"),
    ("drafting", "填报中"),
    ("submitted", "已提交待初审"),
    ("returned", "已退回"),
    ("rejected", "未通过初审"),
    ("accepted", "初审通过"),
    ("recommended", "已推荐"),
    ("reviewed", "已评审"),
)

_STATUS_COLUMN = {
    Application.Status.DRAFT: "drafting",
    Application.Status.SUBMITTED: "submitted",
    Application.Status.RETURNED: "returned",
    Application.Status.REJECTED: "rejected",
    Application.Status.ACCEPTED: "accepted",
    Application.Status.RECOMMENDED: "recommended",
}


def progress(scope: Scope, now: dt.datetime | None = None) -> dict[str, Any]:
    """Units by where they stand, per region: each unit counted once, in the furthest column
    it reached ("已评审" once a review result exists), with the campaign's stage deadlines."""
    rows = load_rows(scope)
    units = eligible_units(scope)
    regions = _regions(rows, units)
    counts = {r.pk: dict.fromkeys((k for k, _ in PROGRESS_COLUMNS), 0) for r in regions}
    applied = set()
    for row in rows:
        applied.add(row.unit.pk)
        column = "reviewed" if row.has_result else _STATUS_COLUMN.get(row.application.status, "submitted")
        counts[row.region.pk][column] += 1
    for unit in units:
        if unit.pk not in applied:
            counts[region_of(unit).pk]["not_started"] += 1
    out_rows = []
    total = dict.fromkeys((k for k, _ in PROGRESS_COLUMNS), 0)
    for region in regions:
        c = counts[region.pk]
        for key, value in c.items():
            total[key] += value
        out_rows.append({"region": region.name, "counts": c, "total": sum(c.values())})
    now = now or timezone.now()
    stages = [
        {
            "kind": stage.get_kind_display(),
            "starts_at": stage.starts_at,
            "deadline": stage.deadline,
            "passed": stage.deadline < now,
            "days_left": max((stage.deadline - now).days, 0) if stage.deadline >= now else None,
        }
        for stage in scope.campaign.stages.order_by("starts_at")
    ]
    return {
        "columns": list(PROGRESS_COLUMNS),
        "rows": out_rows,
        "total": {"region": "合计", "counts": total, "total": sum(total.values())},
        "stages": stages,
    }


# --- 2. score distribution -------------------------------------------------------------------


def _bins(max_total: Decimal) -> list[dict[str, Any]]:
    """10-point bins up to the framework's maximum: [0, 10), [10, 20), … and a last bin that
    also holds the maximum itself."""
    count = max(math.ceil(max_total / BIN_WIDTH), 1)
    return [
        {"lo": i * BIN_WIDTH, "hi": (i + 1) * BIN_WIDTH, "label": f"{i * BIN_WIDTH}–{(i + 1) * BIN_WIDTH}"}
        for i in range(count)
    ]


def _histogram(scores: Sequence[Decimal], bins: int) -> list[int]:
    """Counts per 10-point bin, lower bound included; the last bin also takes the maximum
    (and anything above it)."""
    counts = [0] * bins
    for value in scores:
        index = min(int(value // BIN_WIDTH), bins - 1) if value >= 0 else 0
        counts[index] += 1
    return counts


AREA_LABELS = {Unit.Area.URBAN: "城镇", Unit.Area.RURAL: "乡村", "": "未标注城乡"}


def score_distribution(scope: Scope, basis: str | None = None) -> dict[str, Any]:
    """Histogram (10-point bins) and five-number summary per region, per urban/rural, and for
    everything in scope."""
    rows = load_rows(scope)
    basis = basis if basis in BASIS_LABELS else default_basis(rows)
    max_total = scope.record.total + scope.record.bonus_total
    bins = _bins(max_total)
    scored = [(row, row.score(basis)) for row in rows]
    scored = [(row, s) for row, s in scored if s is not None]

    def group(name: str, kind: str, values: list[Decimal]) -> dict[str, Any]:
        return {
            "name": name,
            "kind": kind,
            "n": len(values),
            "histogram": _histogram(values, len(bins)),
            "box": box(values),
            "mean": mean(values),
        }

    by_region: dict[int, list[Decimal]] = defaultdict(list)
    by_area: dict[str, list[Decimal]] = defaultdict(list)
    for row, value in scored:
        by_region[row.region.pk].append(value)
        by_area[row.unit.area or ""].append(value)
    groups = [group(r.name, "region", by_region[r.pk]) for r in _regions([row for row, _ in scored], [])]
    for area in (Unit.Area.URBAN, Unit.Area.RURAL, ""):
        if by_area.get(area):
            groups.append(group(AREA_LABELS[area], "area", by_area[area]))
    groups.append(group("合计", "all", [s for _, s in scored]))
    return {
        "basis": basis,
        "basis_label": BASIS_LABELS[basis],
        "max_total": max_total,
        "bins": bins,
        "groups": groups,
        "quantile_method": QUANTILE_METHOD,
    }


# --- 3. indicator heat map -------------------------------------------------------------------


def _points(row: Row, code: str, basis: str) -> Decimal | None:
    """Points of one leaf for one application, or None where the leaf does not apply (a
    direction not chosen) or was not scored."""
    own = row.self_indicators.get(code) or {}
    if own.get("status") == "not_chosen":
        return None
    if basis == "final":
        value = row.final_indicators.get(code)
        if isinstance(value, dict):
            value = value.get("points")
    else:
        value = own.get("points")
    if value in (None, ""):
        return None
    return Decimal(str(value))


def indicator_heatmap(scope: Scope, basis: str | None = None, weakest: int = 5) -> dict[str, Any]:
    """Average share of points per leaf indicator (points ÷ the indicator's points, averaged
    over the region's applications, in percent), per region and overall, and the weakest."""
    rows = load_rows(scope)
    basis = basis if basis in BASIS_LABELS else default_basis(rows)
    rows = [r for r in rows if r.score(basis) is not None]
    leaves = [leaf for leaf in scope.framework.leaves() if leaf.points > 0]
    indicators = [{"code": leaf.code, "title": leaf.title, "max": leaf.points} for leaf in leaves]

    def shares(group_rows: Sequence[Row]) -> dict[str, Decimal | None]:
        out: dict[str, Decimal | None] = {}
        for leaf in leaves:
            ratios = [p / leaf.points for r in group_rows if (p := _points(r, leaf.code, basis)) is not None]
            out[leaf.code] = (
                (sum(ratios, ZERO) * HUNDRED / len(ratios)).quantize(TENTH, rounding=ROUND_HALF_UP) if ratios else None
            )
        return out

    def lowest(values: dict[str, Decimal | None], n: int) -> list[dict[str, Any]]:
        known = [(v, i) for i, (code, v) in enumerate(values.items()) if v is not None]
        known.sort(key=lambda item: (item[0], item[1]))
        return [{**indicators[i], "share": v} for v, i in known[:n]]

    groups = []
    for region in _regions(rows, []):
        members = [r for r in rows if r.region.pk == region.pk]
        values = shares(members)
        groups.append({"name": region.name, "n": len(members), "shares": values, "weakest": lowest(values, 3)})
    overall = shares(rows)
    groups.append({"name": "合计", "n": len(rows), "shares": overall, "weakest": lowest(overall, 3)})
    return {
        "basis": basis,
        "basis_label": BASIS_LABELS[basis],
        "indicators": indicators,
        "groups": groups,
        "weakest": lowest(overall, weakest),
    }


# --- 4. attainment against targets -----------------------------------------------------------


def targets_for(scope: Scope) -> list[dict[str, Any]]:
    """The seed's targets for this framework family, matched to the framework's level names."""
    key = scope.record.key
    names = [lvl.name for lvl in scope.framework.levels]
    out = []
    for family, targets in TARGETS.items():
        if not key.startswith(family):
            continue
        for keyword, share, year in targets:
            level = next((n for n in names if keyword in n), None)
            if level is not None:
                out.append({"level": level, "share": Decimal(share), "year": year, "label": f"{year}年目标 {share}%"})
    return out


def attainment(scope: Scope) -> dict[str, Any]:
    """Share of covered units at each level or above, per region and overall, against the
    seed's targets."""
    rows = load_rows(scope)
    units = eligible_units(scope)
    levels = [lvl.name for lvl in scope.framework.levels]  # highest first
    rank = {name: i for i, name in enumerate(levels)}
    targets = targets_for(scope)
    per_region: dict[int, dict[str, Any]] = {}
    regions = _regions(rows, units)
    for region in regions:
        per_region[region.pk] = {"units": set(), "levels": {}, "self": 0, "reviewed": 0}
    for unit in units:
        per_region[region_of(unit).pk]["units"].add(unit.pk)
    for row in rows:
        data = per_region[row.region.pk]
        data["units"].add(row.unit.pk)
        level, source = row.level
        if level in rank:
            data["levels"][row.unit.pk] = rank[level]
            if source == "self":
                data["self"] += 1
            else:
                data["reviewed"] += 1

    def summary(name: str, datas: Sequence[dict[str, Any]]) -> dict[str, Any]:
        unit_count = sum(len(d["units"]) for d in datas)
        ranks = [r for d in datas for r in d["levels"].values()]
        counts = {name_: sum(1 for r in ranks if r <= i) for i, name_ in enumerate(levels)}
        shares = {name_: pct(counts[name_], unit_count) for name_ in levels}
        met = [
            {**t, "met": shares[t["level"]] is not None and shares[t["level"]] >= t["share"]}  # type: ignore[operator]
            for t in targets
        ]
        return {
            "name": name,
            "units": unit_count,
            "counts": counts,
            "shares": shares,
            "from_results": sum(d["reviewed"] for d in datas),
            "from_self": sum(d["self"] for d in datas),
            "targets": met,
        }

    out_rows = [summary(r.name, [per_region[r.pk]]) for r in regions]
    total_name = f"{scope.label}（合计）"
    return {
        "levels": levels,
        "targets": targets,
        "rows": out_rows,
        "total": summary(total_name, list(per_region.values())),
        "note": "各等级比例按“达到该等级及以上”累计计算；分母为活动覆盖范围内的全部单位（含未申报单位）",
    }


# --- 5. self-score vs expert score -----------------------------------------------------------


def score_gap(scope: Scope) -> dict[str, Any]:
    """Per region: mean self-score, mean final score and the mean gap (final − self) over the
    applications that have both; a negative gap means the experts scored lower."""
    rows = [r for r in load_rows(scope) if r.has_result and r.submitted]

    def summary(name: str, members: Sequence[Row]) -> dict[str, Any]:
        gaps = [r.final - r.self_total for r in members]  # type: ignore[operator]
        return {
            "name": name,
            "n": len(members),
            "self_mean": mean([r.self_total for r in members]),  # type: ignore[misc]
            "final_mean": mean([r.final for r in members]),  # type: ignore[misc]
            "gap_mean": mean(gaps),
            "gap_min": min(gaps) if gaps else None,
            "gap_max": max(gaps) if gaps else None,
        }

    out = [summary(region.name, [r for r in rows if r.region.pk == region.pk]) for region in _regions(rows, [])]
    return {
        "rows": out,
        "total": summary("合计", rows),
        "units": [
            {
                "name": r.unit.name,
                "region": r.region.name,
                "self": r.self_total,
                "final": r.final,
                "gap": r.final - r.self_total,  # type: ignore[operator]
            }
            for r in rows
        ],
    }


# --- 6. year over year -----------------------------------------------------------------------


def year_over_year(scope: Scope) -> dict[str, Any]:
    """For units of this campaign that applied in several campaigns the user can see: the score
    in each (final where reviewed, else self-score), the share of the framework's total, and
    the change from the first to the last (增值)."""
    here = _applications(scope).exclude(status=Application.Status.DRAFT).values("unit_id")
    campaigns = (
        visible_campaigns(scope.user) if scope.user is not None else Campaign.objects.filter(pk=scope.campaign.pk)
    )
    apps = Application.objects.filter(unit_id__in=here, campaign__in=campaigns.values("pk")).exclude(
        status=Application.Status.DRAFT
    )
    if scope.unit_ids is not None:
        apps = apps.filter(unit_id__in=scope.unit_ids)
    versions = _latest_versions(apps)
    results = _results(apps)
    by_unit: dict[int, list[dict[str, Any]]] = defaultdict(list)
    units: dict[int, Unit] = {}
    seen_campaigns: dict[int, Campaign] = {}
    for app in apps.select_related("unit__parent", "campaign", "framework"):
        result = results.get(app.pk)
        version = versions.get(app.pk)
        if result is not None:
            value, source = result.final, "评审"
        elif version is not None:
            value, source = version.total, "自评"
        else:
            continue
        max_total = app.framework.total + app.framework.bonus_total
        by_unit[app.unit_id].append(
            {
                "campaign": app.campaign_id,
                "score": value,
                "source": source,
                "rate": pct(value, max_total),
                "max": max_total,
            }
        )
        units[app.unit_id] = app.unit
        seen_campaigns[app.campaign_id] = app.campaign
    repeat = {pk: cells for pk, cells in by_unit.items() if len(cells) >= 2}
    used = sorted(
        {c["campaign"] for cells in repeat.values() for c in cells},
        key=lambda pk: (seen_campaigns[pk].year, pk),
    )
    columns = [{"pk": pk, "name": seen_campaigns[pk].name, "year": seen_campaigns[pk].year} for pk in used]
    out = []
    for unit_pk in sorted(repeat, key=lambda pk: units[pk].code):
        cells = {c["campaign"]: c for c in repeat[unit_pk]}
        ordered = [cells[pk] for pk in used if pk in cells]
        first, last = ordered[0], ordered[-1]
        same_scale = len({c["max"] for c in ordered}) == 1
        out.append(
            {
                "name": units[unit_pk].name,
                "region": region_of(units[unit_pk]).name,
                "cells": [cells.get(pk) for pk in used],
                "gain": last["score"] - first["score"] if same_scale else None,
                "rate_gain": last["rate"] - first["rate"],
            }
        )
    return {"campaigns": columns, "rows": out}


def has_dashboard_role(user: Any) -> bool:
    """Organizers and county reviewers have dashboards (even before any campaign exists)."""
    return holds_role(user, Role.ORGANIZER, Role.COUNTY_REVIEWER)
