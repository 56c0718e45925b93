"""The figures of one campaign's dashboard: progress, score distribution, indicator heat map,
attainment against the seed's targets and self-score against expert score."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from campuseval.applications.models import Application
from campuseval.orgs.models import Unit

from .rows import BASIS_LABELS, Row, default_basis, eligible_units, load_rows, region_of, regions_of
from .scope import Scope
from .stats import BIN_WIDTH, HUNDRED, QUANTILE_METHOD, TENTH, ZERO, box, mean, pct

#: Targets the seeds set, by framework family (the framework file's `family`): the level-name keyword,
#: the minimum share of units at that level or above (percent) and the year it is due.
#: Taizhou 2022 notice: 95% 合格型, 20% 优秀型, 10% 示范型 in 2022; 100% 合格型 by 2024.
TARGETS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "taizhou": (("合格", 95, 2022), ("优秀", 20, 2022), ("示范", 10, 2022), ("合格", 100, 2024)),
}


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

_STATUS_COLUMN: dict[str, str] = {
    Application.Status.DRAFT: "drafting",
    Application.Status.SUBMITTED: "submitted",
    Application.Status.RETURNED: "returned",
    Application.Status.REJECTED: "rejected",
    Application.Status.ACCEPTED: "accepted",
    Application.Status.RECOMMENDED: "recommended",
    Application.Status.SELECTED: "reviewed",
    Application.Status.NOT_SELECTED: "reviewed",
    Application.Status.AWARDED: "reviewed",
    Application.Status.TERMINATED: "reviewed",
}


def progress(scope: Scope, now: dt.datetime | None = None) -> dict[str, Any]:
    """Units by where they stand, per region: each unit counted once, in the furthest column
    it reached ("已评审" once a review result exists), with the campaign's stage deadlines."""
    rows = load_rows(scope)
    units = eligible_units(scope)
    regions = regions_of(rows, units)
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


def score_bins(max_total: Decimal) -> list[dict[str, Any]]:
    """10-point bins up to the framework's maximum: [0, 10), [10, 20), … and a last bin that
    also holds the maximum itself."""
    count = max(math.ceil(max_total / BIN_WIDTH), 1)
    return [
        {"lo": i * BIN_WIDTH, "hi": (i + 1) * BIN_WIDTH, "label": f"{i * BIN_WIDTH}–{(i + 1) * BIN_WIDTH}"}
        for i in range(count)
    ]


def histogram(scores: Sequence[Decimal], bins: int) -> list[int]:
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
    bins = score_bins(max_total)
    scored: list[tuple[Row, Decimal]] = [(row, s) for row in rows if (s := row.score(basis)) is not None]

    def group(name: str, kind: str, values: list[Decimal]) -> dict[str, Any]:
        return {
            "name": name,
            "kind": kind,
            "n": len(values),
            "histogram": histogram(values, len(bins)),
            "box": box(values),
            "mean": mean(values),
        }

    by_region: dict[int, list[Decimal]] = defaultdict(list)
    by_area: dict[str, list[Decimal]] = defaultdict(list)
    for row, value in scored:
        by_region[row.region.pk].append(value)
        by_area[row.unit.area or ""].append(value)
    groups = [group(r.name, "region", by_region[r.pk]) for r in regions_of([row for row, _ in scored], [])]
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
    for region in regions_of(rows, []):
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
    names = [lvl.name for lvl in scope.framework.levels]
    out = []
    for keyword, share, year in TARGETS.get(scope.record.family or scope.framework.family, ()):
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
    regions = regions_of(rows, units)
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
        met = [{**t, "met": shares[t["level"]] is not None and shares[t["level"]] >= t["share"]} for t in targets]
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

    out = [summary(region.name, [r for r in rows if r.region.pk == region.pk]) for region in regions_of(rows, [])]
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
