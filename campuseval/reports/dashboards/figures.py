"""The figures of one campaign's dashboard: progress, score distribution, indicator heat map,
attainment against the region's targets (`reports.Target`) and self-score against expert score."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    FilteredRelation,
    Max,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone

from campuseval.applications.figures import figures_stamp
from campuseval.applications.models import Application, Basis
from campuseval.orgs.models import Unit
from campuseval.reviews.ladder import NEVER_COUNTS, counted_final_results
from campuseval.reviews.models import Result

from ..models import Target
from .rows import (
    BASIS_LABELS,
    Level,
    Region,
    applications_in,
    covered,
    default_basis,
    eligible_units,
    figures_in,
    indicator_figures_in,
    level_of,
    not_applied,
)
from .scope import Scope
from .stats import BIN_WIDTH, HUNDRED, QUANTILE_METHOD, TENTH, ZERO, box, mean, pct

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
    it reached ("已评审" once a review result exists), with the campaign's stage deadlines.
    Two GROUP BY queries (applications by status, units not yet started), whatever the size;
    the counts are cached until an application, a figure or the unit tree changes."""
    counted = cached(scope, "progress", lambda: _progress_counts(scope), moving=True)
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
    return {**counted, "stages": stages}


def _progress_counts(scope: Scope) -> dict[str, Any]:
    level = level_of(scope)
    key_id, key_path = level.lookups()
    counts: dict[Region, dict[str, int]] = defaultdict(lambda: dict.fromkeys((k for k, _ in PROGRESS_COLUMNS), 0))
    by_status = (
        applications_in(scope)
        .annotate(reviewed=ExpressionWrapper(Q(outcome__isnull=False), output_field=BooleanField()))
        .values(key_id, key_path, "status", "reviewed")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in by_status:
        region = level.group_of(row[key_path])
        if region is None:
            continue
        column = "reviewed" if row["reviewed"] else _STATUS_COLUMN.get(row["status"], "submitted")
        counts[region][column] += row["n"]
    unit_id, unit_path = level.lookups("self")
    for row in not_applied(scope).values(unit_id, unit_path).annotate(n=Count("pk")).order_by():
        region = level.group_of(row[unit_path])
        if region is not None:
            counts[region]["not_started"] += row["n"]
    out_rows = []
    total = dict.fromkeys((k for k, _ in PROGRESS_COLUMNS), 0)
    for region in level.ordered(counts):
        c = counts[region]
        for key, value in c.items():
            total[key] += value
        out_rows.append({"region": region.name, "unit": region, "counts": c, "total": sum(c.values())})
    return {
        "columns": list(PROGRESS_COLUMNS),
        "rows": out_rows,
        "total": {"region": "合计", "counts": total, "total": sum(total.values())},
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
    everything in scope. Quartiles need the ordered scores, so the scores themselves are read
    (one narrow query of numbers, never the JSON); cached until a figure changes."""
    basis = basis if basis in BASIS_LABELS else default_basis(scope)
    return cached(scope, f"scores:{basis}", lambda: _score_distribution(scope, basis))


def _score_distribution(scope: Scope, basis: str) -> dict[str, Any]:
    level = level_of(scope)
    _, key_path = level.lookups()
    max_total = scope.record.total + scope.record.bonus_total
    bins = score_bins(max_total)

    def group(name: str, kind: str, values: list[Decimal], region: Region | None = None) -> dict[str, Any]:
        values.sort()
        return {
            "name": name,
            "kind": kind,
            "unit": region,
            "n": len(values),
            "histogram": histogram(values, len(bins)),
            "box": box(values),
            "mean": mean(values),
        }

    by_region: dict[Region, list[Decimal]] = defaultdict(list)
    by_area: dict[str, list[Decimal]] = defaultdict(list)
    everything: list[Decimal] = []
    paths: dict[str, Region | None] = {}
    for path, area, value in figures_in(scope, basis).values_list(key_path, "unit__area", "total").order_by():
        if path not in paths:
            paths[path] = level.group_of(path)
        region = paths[path]
        if region is None:
            continue
        by_region[region].append(value)
        by_area[area or ""].append(value)
        everything.append(value)
    groups = [group(r.name, "region", by_region[r], r) for r in level.ordered(by_region)]
    for area in (Unit.Area.URBAN, Unit.Area.RURAL, ""):
        if by_area.get(area):
            groups.append(group(AREA_LABELS[area], "area", by_area[area]))
    groups.append(group("合计", "all", everything))
    return {
        "basis": basis,
        "basis_label": BASIS_LABELS[basis],
        "max_total": max_total,
        "bins": bins,
        "groups": groups,
        "quantile_method": QUANTILE_METHOD,
    }


# --- 3. indicator heat map -------------------------------------------------------------------


def indicator_heatmap(scope: Scope, basis: str | None = None, weakest: int = 5) -> dict[str, Any]:
    """Average share of points per leaf indicator (points ÷ the indicator's points, averaged
    over the region's applications, in percent), per region and overall, and the weakest.
    One GROUP BY (region, indicator) over the indicator figures; cached until a figure changes."""
    basis = basis if basis in BASIS_LABELS else default_basis(scope)
    return cached(scope, f"indicators:{basis}:{weakest}", lambda: _indicator_heatmap(scope, basis, weakest))


def _indicator_heatmap(scope: Scope, basis: str, weakest: int) -> dict[str, Any]:
    level = level_of(scope)
    key_id, key_path = level.lookups()
    leaves = [leaf for leaf in scope.framework.leaves() if leaf.points > 0]
    indicators = [{"code": leaf.code, "title": leaf.title, "max": leaf.points} for leaf in leaves]
    sums: dict[Region, dict[str, list[Decimal]]] = defaultdict(lambda: defaultdict(lambda: [ZERO, ZERO]))
    rows = (
        indicator_figures_in(scope, basis, [leaf.code for leaf in leaves])
        .values(key_id, key_path, "code")
        .annotate(s=Sum("points"), n=Count("pk"))
        .order_by()
    )
    for row in rows:
        region = level.group_of(row[key_path])
        if region is None:
            continue
        cell = sums[region][row["code"]]
        cell[0] += row["s"] or ZERO
        cell[1] += row["n"]
    applications: dict[Region, int] = defaultdict(int)
    for row in figures_in(scope, basis).values(key_id, key_path).annotate(n=Count("pk")).order_by():
        region = level.group_of(row[key_path])
        if region is not None:
            applications[region] += row["n"]

    def shares(cells: list[dict[str, list[Decimal]]]) -> dict[str, Decimal | None]:
        out: dict[str, Decimal | None] = {}
        for leaf in leaves:
            total = sum((c[leaf.code][0] for c in cells if leaf.code in c), ZERO)
            n = sum((c[leaf.code][1] for c in cells if leaf.code in c), ZERO)
            out[leaf.code] = (total * HUNDRED / leaf.points / n).quantize(TENTH, rounding=ROUND_HALF_UP) if n else None
        return out

    def lowest(values: dict[str, Decimal | None], n: int) -> list[dict[str, Any]]:
        known = [(v, i) for i, (code, v) in enumerate(values.items()) if v is not None]
        known.sort(key=lambda item: (item[0], item[1]))
        return [{**indicators[i], "share": v} for v, i in known[:n]]

    groups = []
    for region in level.ordered(applications):
        values = shares([sums[region]])
        groups.append(
            {
                "name": region.name,
                "unit": region,
                "n": applications[region],
                "shares": values,
                "weakest": lowest(values, 3),
            }
        )
    overall = shares([sums[r] for r in applications])
    groups.append(
        {
            "name": "合计",
            "unit": None,
            "n": sum(applications.values()),
            "shares": overall,
            "weakest": lowest(overall, 3),
        }
    )
    return {
        "basis": basis,
        "basis_label": BASIS_LABELS[basis],
        "indicators": indicators,
        "groups": groups,
        "weakest": lowest(overall, weakest),
    }


# --- 4. attainment against targets -----------------------------------------------------------


def attainment_levels(scope: Scope) -> list[str]:
    """The levels attainment is counted at, highest first: the framework's, or for a framework
    without levels (Bozhou selects by ranking) the one pseudo-level 入选."""
    return [lvl.name for lvl in scope.framework.levels] or [Target.SELECTED]


def _looked_at_chain(scope: Scope) -> set[int]:
    """The unit looked at (the drill-down unit, else the campaign's organizer) and every unit
    above it, and for a county reviewer their counties and above: whose targets apply here."""
    start = scope.unit or scope.campaign.organizer
    chain = set(start.path_ids)
    if scope.region is not None and scope.unit is None:
        for path in scope.region.paths:
            chain.update(int(p) for p in path.split("/") if p)
    return chain


def targets_for(scope: Scope) -> list[dict[str, Any]]:
    """The targets that apply to this view (`reports.Target`, kept by the organizers): the
    framework family and subject charted, set at the unit looked at or above it, for every
    campaign or this one; each matched to an attainment level (a target naming a level the
    framework does not have is left out). One query."""
    family = scope.record.family or scope.framework.family
    levels = attainment_levels(scope)
    rows = (
        Target.objects.filter(family=family, subject=scope.subject, region_id__in=_looked_at_chain(scope))
        .filter(Q(campaign__isnull=True) | Q(campaign=scope.campaign))
        .select_related("region")
        .order_by("due_year", "region__path", "pk")
    )
    here = (scope.unit or scope.campaign.organizer).pk
    out = []
    for t in rows:
        if t.level not in levels:
            continue
        where = "" if t.region_id == here else t.region.name
        out.append(
            {
                "pk": t.pk,
                "level": t.level,
                "kind": t.kind,
                "value": t.value,
                "share": t.value if t.kind == Target.Kind.SHARE else None,
                "count": int(t.value) if t.kind == Target.Kind.COUNT else None,
                "year": t.due_year,
                #: due by the campaign's year (a 2024 target seen on a 2022 campaign is not yet)
                "due": t.due_year <= scope.campaign.year,
                "region": t.region.name,
                "note": t.note,
                "label": f"{where}{t.due_year}年目标 {t.value_label}",
            }
        )
    return out


def _with_figures(qs: QuerySet[Application]) -> QuerySet[Application]:
    """Each application joined (LEFT JOIN, one row each) to its self and final score figures."""
    return qs.annotate(
        own=FilteredRelation("score_figures", condition=Q(score_figures__basis=Basis.SELF)),
        review=FilteredRelation("score_figures", condition=Q(score_figures__basis=Basis.FINAL)),
    )


def attainment(scope: Scope) -> dict[str, Any]:
    """Units at each level or above, per region and overall, against the region's targets.
    The counts are one GROUP BY (region, level, source) over the units, cached until an
    application, a figure, the unit tree or a final result of the family changes; the targets
    are read and compared on every request, so an edited target shows at once."""
    counted = cached(scope, "attainment", lambda: _attainment(scope), moving=True, extra=lambda: _family_stamp(scope))
    targets = targets_for(scope)

    def judged(row: dict[str, Any]) -> dict[str, Any]:
        met = []
        for t in targets:
            if t["kind"] == Target.Kind.COUNT:
                ok = row["counts"][t["level"]] >= t["value"]
            else:
                share = row["shares"][t["level"]]
                ok = share is not None and share >= t["value"]
            met.append({**t, "met": ok})
        return {**row, "targets": met}

    return {
        **counted,
        "targets": targets,
        "rows": [judged(r) for r in counted["rows"]],
        "total": judged(counted["total"]),
    }


def _family_stamp(scope: Scope) -> str:
    """What the held levels depend on beyond this campaign: the family's final results and
    their applications' statuses (a project terminated later). One aggregate query."""
    family = scope.record.family or scope.framework.family
    found = counted_final_results(family).aggregate(
        at=Max("computed_at"), app=Max("application__updated_at"), n=Count("pk")
    )
    at, app = (found[k].isoformat() if found[k] is not None else "-" for k in ("at", "app"))
    return f"{at}:{app}:{found['n']}"


def _standing(scope: Scope, level: Level, levels: list[str]) -> dict[int, tuple[str, str, str]]:
    """Where each unit with a level stands: unit id → (its key unit's path, level, source):

    1. this campaign's review result ("reviewed"), its level as the experts' score reached it;
    2. else this campaign's latest submitted self-assessment, where it reaches a level ("self");
    3. else the level held from the latest final result of an earlier campaign of the framework
       family ("held", see `reviews.ladder`), for the units the campaign counts.

    An application not recommended by the county (不予推荐) or terminated counts for nothing in
    1 and 2 (the unit falls back to what it held), nor as an earlier result in 3. For a framework
    without levels the one level is 入选: selected in this campaign's result, else in the held
    result. Three queries of narrow rows (the units that have a result or a self-assessment),
    folded in Python; the units without any are only counted (`_attainment`)."""
    family = scope.record.family or scope.framework.family
    _, key_path = level.lookups()
    by_selection = levels == [Target.SELECTED]

    def named(value: str | None, selected: bool) -> str:
        if by_selection:
            return Target.SELECTED if selected else ""
        return value or ""

    applied = applications_in(scope)
    inside = Q(application__unit_id__in=eligible_units(scope).values("pk")) | Q(
        application__unit_id__in=applied.values("unit_id")
    )
    held = (
        counted_final_results(family, before=scope.campaign)
        .filter(inside, application__unit__kind__in=scope.kinds)
        .order_by("campaign__year", "campaign_id")
        .values_list("application__unit_id", f"application__{key_path}", "level", "selected")
    )
    out: dict[int, tuple[str, str, str]] = {}
    for unit_id, path, name, selected in held:  # oldest first: a later result replaces an earlier
        out[unit_id] = (path, named(name, selected), "held")
    if not by_selection:
        own = (
            figures_in(scope, Basis.SELF)
            .exclude(application__status__in=NEVER_COUNTS)
            .exclude(level="")
            .values_list("unit_id", key_path, "level")
        )
        for unit_id, path, name in own:
            out[unit_id] = (path, name, "self")
    here = (
        Result.objects.filter(campaign=scope.campaign, application__in=applied.values("pk"))
        .exclude(application__status__in=NEVER_COUNTS)
        .values_list("application__unit_id", f"application__{key_path}", "level", "selected")
    )
    for unit_id, path, name, selected in here:
        out[unit_id] = (path, named(name, selected), "reviewed")
    return out


def _attainment(scope: Scope) -> dict[str, Any]:
    level = level_of(scope)
    levels = attainment_levels(scope)  # highest first
    rank = {name: i for i, name in enumerate(levels)}
    per_region: dict[Region, dict[str, Any]] = defaultdict(
        lambda: {"units": 0, "ranks": defaultdict(int), "reviewed": 0, "self": 0, "held": 0}
    )
    # the units counted: every eligible unit (GROUP BY region), and applicants the coverage no
    # longer lists (a closed school that applied still counts)
    unit_id, unit_path = level.lookups("self")
    for row in eligible_units(scope).values(unit_id, unit_path).annotate(n=Count("pk")).order_by():
        region = level.group_of(row[unit_path])
        if region is not None:
            per_region[region]["units"] += row["n"]
    key_id, key_path = level.lookups()
    eligible = covered(scope).q("unit") & Q(unit__is_active=True)
    outside = (
        applications_in(scope)
        .exclude(eligible)
        .values(key_id, key_path)
        .annotate(n=Count("unit_id", distinct=True))
        .order_by()
    )
    for row in outside:
        region = level.group_of(row[key_path])
        if region is not None:
            per_region[region]["units"] += row["n"]
    regions: dict[str, Region | None] = {}
    for path, name, source in _standing(scope, level, levels).values():
        if name not in rank:
            continue
        if path not in regions:
            regions[path] = level.group_of(path)
        region = regions[path]
        if region is None:
            continue
        data = per_region[region]
        data["ranks"][rank[name]] += 1
        data[source] += 1

    def summary(name: str, datas: Sequence[dict[str, Any]], region: Region | None = None) -> dict[str, Any]:
        unit_count = sum(d["units"] for d in datas)
        counts = {
            name_: sum(n for d in datas for r, n in d["ranks"].items() if r <= i) for i, name_ in enumerate(levels)
        }
        shares = {name_: pct(counts[name_], unit_count) for name_ in levels}
        return {
            "name": name,
            "unit": region,
            "units": unit_count,
            "counts": counts,
            "shares": shares,
            "from_results": sum(d["reviewed"] for d in datas),
            "from_self": sum(d["self"] for d in datas),
            "from_held": sum(d["held"] for d in datas),
        }

    out_rows = [summary(r.name, [per_region[r]], r) for r in level.ordered(per_region)]
    total_name = f"{scope.unit.name if scope.unit is not None else scope.label}（合计）"
    return {
        "levels": levels,
        "rows": out_rows,
        "total": summary(total_name, list(per_region.values())),
        "note": "各等级按“达到该等级及以上”累计计算；分母为活动覆盖范围内的全部单位（含未申报单位）；"
        "本次有评审结果的取评审认定的等级，其余取最新提交版本的自评等级，本次没有等级的沿用同一指标体系系列往年最终结果的等级"
        "（以最近一次最终结果为准）；不予推荐、已终止的申报不计",
    }


# --- 5. self-score vs expert score -----------------------------------------------------------


def score_gap(scope: Scope) -> dict[str, Any]:
    """Per region: mean self-score, mean final score and the mean gap (final − self) over the
    applications that have both; a negative gap means the experts scored lower. Reads the
    reviewed applications' two totals (a few thousand numbers at most); cached."""
    return cached(scope, "gap", lambda: _score_gap(scope))


def _score_gap(scope: Scope) -> dict[str, Any]:
    level = level_of(scope)
    _, key_path = level.lookups()
    pairs = (
        _with_figures(applications_in(scope))
        .exclude(status=Application.Status.DRAFT)
        .filter(Q(own__isnull=False) & Q(review__isnull=False))
        .values_list(key_path, "unit__name", "own__total", "review__total")
        .order_by("unit__code")
    )
    members: dict[Region, list[tuple[Decimal, Decimal]]] = defaultdict(list)
    units = []
    for path, name, own, final in pairs:
        region = level.group_of(path)
        if region is None:
            continue
        members[region].append((own, final))
        units.append({"name": name, "region": region.name, "self": own, "final": final, "gap": final - own})

    def summary(name: str, rows: Sequence[tuple[Decimal, Decimal]], region: Region | None = None) -> dict[str, Any]:
        gaps = [final - own for own, final in rows]
        return {
            "name": name,
            "n": len(rows),
            "self_mean": mean([own for own, _ in rows]),
            "final_mean": mean([final for _, final in rows]),
            "gap_mean": mean(gaps),
            "gap_min": min(gaps) if gaps else None,
            "gap_max": max(gaps) if gaps else None,
        }

    every = [pair for rows in members.values() for pair in rows]
    return {
        "rows": [summary(r.name, members[r], r) for r in level.ordered(members)],
        "total": summary("合计", every),
        "units": units,
    }


# --- caching ---------------------------------------------------------------------------------

#: Figures only change on a submission or a computation (which change the stamp); the timeout
#: only bounds how long a moved unit (a reorganised county) could show under its old region.
CACHE_SECONDS = 600


def moving_stamp(scope: Scope) -> str:
    """What progress and attainment also depend on: the campaign's applications (any status
    change saves the application, moving its `updated_at`) and the unit tree (units added or
    removed); two aggregate queries."""
    apps = Application.objects.filter(campaign=scope.campaign).aggregate(at=Max("updated_at"), n=Count("pk"))
    units = Unit.objects.aggregate(top=Max("pk"), n=Count("pk"))
    at = apps["at"].isoformat() if apps["at"] else "-"
    return f"{at}:{apps['n']}:{units['top']}:{units['n']}"


def cached(
    scope: Scope,
    name: str,
    compute: Callable[[], dict[str, Any]],
    moving: bool = False,
    extra: Callable[[], str] | None = None,
) -> dict[str, Any]:
    """A figure read far more than written, cached under the campaign's figures stamp (which
    changes on every submission and every computation), the scope and the drill-down unit;
    `moving` adds the applications' and units' stamp for figures that count statuses, `extra`
    whatever else the figure reads (other campaigns' final results)."""
    region = ",".join(sorted(scope.region.paths)) if scope.region is not None else "*"
    key = ":".join(
        [
            "dash",
            name,
            str(scope.campaign.pk),
            scope.subject,
            str(scope.record.pk),
            region,
            str(scope.unit.pk if scope.unit is not None else "-"),
            figures_stamp(scope.campaign.pk),
            moving_stamp(scope) if moving else "",
            extra() if extra is not None else "",
        ]
    )
    digest = hashlib.sha256(key.encode()).hexdigest()
    value: dict[str, Any] | None = cache.get(f"dash:{digest}")
    if value is None:
        value = compute()
        cache.set(f"dash:{digest}", value, CACHE_SECONDS)
    return value
