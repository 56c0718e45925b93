"""Aggregating expert scores and ranking applicants: pure functions, no Django.

The organizer chooses per campaign how experts' scores combine (mean, median, or the trimmed
mean that drops the highest and the lowest score when five or more experts scored), whether
that happens per indicator or on totals, how much the materials review and the site visit
weigh, when a spread between experts calls for reconciliation (复议), and how many places are
reserved for rural applicants. Every result carries a Chinese description of the method.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

ZERO = Decimal(0)
CENT = Decimal("0.01")

#: the trimmed mean drops the highest and the lowest score only from this many experts on
TRIM_MINIMUM = 5

METHODS = {
    "mean": "算术平均",
    "median": "中位数",
    "trimmed_mean": "去掉一个最高分和一个最低分后平均（不足 5 位专家时取算术平均）",
}


def _q(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def combine(values: Sequence[Decimal], method: str) -> Decimal:
    """One number from several experts' numbers, by the campaign's method (not yet rounded)."""
    if not values:
        raise ValueError("没有可汇总的专家评分")
    ordered = sorted(values)
    if method == "mean":
        return sum(ordered, ZERO) / len(ordered)
    if method == "median":
        return Decimal(median(ordered))
    if method == "trimmed_mean":
        if len(ordered) >= TRIM_MINIMUM:
            ordered = ordered[1:-1]
        return sum(ordered, ZERO) / len(ordered)
    raise ValueError(f"未知的汇总方法 {method}")


@dataclass(frozen=True)
class ExpertSheet:
    """One expert's submitted scores for one application: total and per-indicator points."""

    expert: str
    total: Decimal
    indicators: Mapping[str, Decimal]


@dataclass(frozen=True)
class Settings:
    method: str = "mean"
    level: str = "total"  # total | indicator
    site_weight: Decimal = ZERO  # e.g. 0.3 → materials 70%, site 30%
    divergence_total: Decimal | None = None
    divergence_indicator: Decimal | None = None

    def describe(self, experts: int | None = None, site_experts: int | None = None) -> str:
        """The method in Chinese; given how many experts scored, it says when the trimmed mean
        had too few scores to drop any and fell back to the plain mean."""
        where = "按指标逐项汇总后求和" if self.level == "indicator" else "按总分汇总"
        text = f"{self._method_text(experts)}，{where}"
        if self.site_weight:
            materials = (1 - self.site_weight) * 100
            text += f"；材料评审 {materials.normalize():f}% + 实地考察/答辩 {(self.site_weight * 100).normalize():f}%"
            if site_experts is not None and self.method == "trimmed_mean" and site_experts < TRIM_MINIMUM:
                text += f"（实地考察/答辩仅 {site_experts} 位专家，按算术平均）"
        return text

    def _method_text(self, experts: int | None) -> str:
        if self.method != "trimmed_mean" or experts is None:
            return METHODS[self.method]
        if experts < TRIM_MINIMUM:
            return f"去掉最高最低分后平均（本项仅 {experts} 位专家，按算术平均）"
        return f"去掉一个最高分和一个最低分后平均（{experts} 位专家）"


@dataclass
class Aggregate:
    score: Decimal
    materials: Decimal
    site: Decimal | None
    experts: int
    method: str
    indicators: dict[str, Decimal] = field(default_factory=dict)
    divergent: bool = False
    spread_total: Decimal = ZERO
    spread_indicators: dict[str, Decimal] = field(default_factory=dict)


def _panel(sheets: Sequence[ExpertSheet], settings: Settings) -> tuple[Decimal, dict[str, Decimal]]:
    codes = sorted({code for s in sheets for code in s.indicators})
    per_indicator = {
        code: _q(combine([s.indicators.get(code, ZERO) for s in sheets], settings.method)) for code in codes
    }
    if settings.level == "indicator":
        return sum(per_indicator.values(), ZERO), per_indicator
    return _q(combine([s.total for s in sheets], settings.method)), per_indicator


def aggregate(sheets: Sequence[ExpertSheet], settings: Settings, site_sheets: Sequence[ExpertSheet] = ()) -> Aggregate:
    """Combine the materials panel (and the site-visit panel, when weighted) into one score,
    and measure how far the experts disagree."""
    materials, per_indicator = _panel(sheets, settings)
    site: Decimal | None = None
    score = materials
    if settings.site_weight:
        if not site_sheets:
            raise ValueError("实地考察/答辩尚无评分，无法按权重汇总")
        site, _ = _panel(site_sheets, settings)
        score = _q(materials * (1 - settings.site_weight) + site * settings.site_weight)
    totals = [s.total for s in sheets]
    spread_total = max(totals) - min(totals)
    spreads = {}
    for code in per_indicator:
        values = [s.indicators.get(code, ZERO) for s in sheets]
        spreads[code] = max(values) - min(values)
    divergent = False
    if settings.divergence_total is not None and spread_total > settings.divergence_total:
        divergent = True
    if settings.divergence_indicator is not None:
        spreads = {c: v for c, v in spreads.items() if v > settings.divergence_indicator}
        divergent = divergent or bool(spreads)
    else:
        spreads = {}
    return Aggregate(
        score=score,
        materials=materials,
        site=site,
        experts=len(sheets),
        method=settings.describe(len(sheets), len(site_sheets) if settings.site_weight else None),
        indicators=per_indicator,
        divergent=divergent,
        spread_total=spread_total,
        spread_indicators=spreads,
    )


@dataclass(frozen=True)
class Candidate:
    key: str
    name: str
    score: Decimal
    rural: bool
    eligible: bool = True
    tiebreak: tuple[Decimal, ...] = ()
    code: str = ""


@dataclass
class Ranked:
    candidate: Candidate
    rank: int | None
    selected: bool
    note: str = ""


TIE_RULE = "总分相同时，依次比较材料评审得分、自评分，仍相同的并列并按单位代码排序"


def rank(
    candidates: Sequence[Candidate], *, places: int | None, rural_places: int = 0, rural_share: Decimal | None = None
) -> tuple[list[Ranked], str]:
    """Rank eligible candidates, select `places`, reserving places for rural applicants.

    Rural reservation: if the top `places` hold fewer rural candidates than reserved (a number,
    or a minimum share of the places rounded up), the lowest-ranked selected urban candidates
    give way to the best unselected rural ones. Ineligible candidates are listed, unranked."""
    reserved = rural_places
    if rural_share is not None and places:
        reserved = max(reserved, math.ceil(rural_share * places))
    eligible = [c for c in candidates if c.eligible]
    ordered = sorted(eligible, key=lambda c: (-c.score, *(-t for t in c.tiebreak), c.code))
    ranked: list[Ranked] = []
    previous: tuple[Decimal, tuple[Decimal, ...]] | None = None
    rank_no = 0
    for position, cand in enumerate(ordered, start=1):
        key = (cand.score, cand.tiebreak)
        if key != previous:
            rank_no = position
            previous = key
        ranked.append(Ranked(candidate=cand, rank=rank_no, selected=places is None or position <= places))
    if places is not None and reserved:
        selected_rural = sum(1 for r in ranked if r.selected and r.candidate.rural)
        waiting = [r for r in ranked if not r.selected and r.candidate.rural]
        urban_selected = [r for r in reversed(ranked) if r.selected and not r.candidate.rural]
        while selected_rural < reserved and waiting and urban_selected:
            promoted, displaced = waiting.pop(0), urban_selected.pop(0)
            promoted.selected, displaced.selected = True, False
            promoted.note = "乡村预留名额入选"
            displaced.note = "因乡村预留名额未入选"
            selected_rural += 1
    for cand in candidates:
        if not cand.eligible:
            ranked.append(Ranked(candidate=cand, rank=None, selected=False, note="不符合资格条件，不参与排名"))
    rule = TIE_RULE
    if places is not None:
        rule += f"；共 {places} 个名额"
        if reserved:
            rule += f"，其中乡村学校至少 {reserved} 个"
    return ranked, rule
