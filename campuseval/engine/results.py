"""What scoring returns: one indicator's points and explanation, the unmet ★/▲ marks and
necessary conditions, and the whole application's result with its stable JSON shape."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .framework import MARK_NAMES
from .numbers import fmt

SCORED = "scored"
UNANSWERED = "unanswered"
NOT_CHOSEN = "not_chosen"


class IndicatorResult:
    """Points and explanation for one indicator; the explanation is written on first read."""

    __slots__ = (
        "_explain",
        "bonus",
        "code",
        "depth",
        "is_leaf",
        "level_name",
        "max_points",
        "missing",
        "points",
        "reviewer_decided",
        "status",
        "title",
    )

    def __init__(
        self,
        *,
        code: str,
        title: str,
        level_name: str,
        depth: int,
        points: Decimal,
        max_points: Decimal,
        explanation: str | Callable[[], str],
        status: str,
        is_leaf: bool,
        bonus: bool = False,
        missing: tuple[str, ...] = (),
        reviewer_decided: tuple[str, ...] = (),
    ) -> None:
        self.code = code
        self.title = title
        self.level_name = level_name
        self.depth = depth
        self.points = points
        self.max_points = max_points
        self._explain = explanation
        self.status = status
        self.is_leaf = is_leaf
        self.bonus = bonus
        self.missing = missing
        #: keys of this leaf's inputs the seed leaves to the review group (`decided_by: reviewer`):
        #: the points shown before review rest on the applicant's self-estimate of them
        self.reviewer_decided = reviewer_decided

    @property
    def explanation(self) -> str:
        if not isinstance(self._explain, str):
            self._explain = self._explain()
        return self._explain

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": self.title,
            "level": self.level_name,
            "points": fmt(self.points),
            "max": fmt(self.max_points),
            "explanation": self.explanation,
            "status": self.status,
        }
        if self.missing:
            data["missing"] = list(self.missing)
        if self.reviewer_decided:
            data["reviewer_decided"] = list(self.reviewer_decided)
        return data


@dataclass(frozen=True)
class UnmetMark:
    code: str
    kind: str
    label: str

    def describe(self) -> str:
        label = f"：{self.label}" if self.label else ""
        return f"{self.code} {MARK_NAMES[self.kind]}{label}"


@dataclass
class ScoreResult:
    framework_id: str
    framework_title: str
    as_of: dt.date
    total: Decimal
    base_total: Decimal
    bonus_total: Decimal
    max_total: Decimal
    indicators: dict[str, IndicatorResult]
    parts: dict[str, Decimal] = field(default_factory=dict)
    unanswered: list[str] = field(default_factory=list)
    unmet: list[UnmetMark] = field(default_factory=list)
    level: str | None = None
    next_level: dict[str, Any] | None = None
    eligible: bool = True
    eligibility_reasons: list[str] = field(default_factory=list)
    eligibility_applies: bool = False
    #: leaves with reviewer-decided inputs whose self-estimated points count towards the minimum
    #: score of eligibility (see `levels.decide_eligibility`)
    eligibility_self_estimated: list[str] = field(default_factory=list)
    choices: dict[str, str] = field(default_factory=dict)

    @property
    def unmet_necessary(self) -> list[UnmetMark]:
        return [m for m in self.unmet if m.kind == "necessary"]

    @property
    def unmet_requirements(self) -> list[UnmetMark]:
        return [m for m in self.unmet if m.kind in ("basic", "demonstration")]

    @property
    def answered_count(self) -> int:
        return sum(1 for r in self.indicators.values() if r.is_leaf and r.status == SCORED)

    @property
    def leaf_count(self) -> int:
        return sum(1 for r in self.indicators.values() if r.is_leaf and r.status != NOT_CHOSEN)

    @property
    def reviewer_decided(self) -> dict[str, list[str]]:
        """Leaf code → input keys the review group decides (see `Framework.reviewer_decided_inputs`),
        for the leaves scored here (not those of an alternative not chosen)."""
        return {
            c: list(r.reviewer_decided)
            for c, r in self.indicators.items()
            if r.reviewer_decided and r.status != NOT_CHOSEN
        }

    def subtotals(self) -> dict[str, Decimal]:
        return {c: r.points for c, r in self.indicators.items() if not r.is_leaf}

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape documented in the README; numbers are decimal strings."""
        return {
            "framework": self.framework_id,
            "title": self.framework_title,
            "as_of": self.as_of.isoformat(),
            "total": fmt(self.total),
            "base_total": fmt(self.base_total),
            "bonus_total": fmt(self.bonus_total),
            "max_total": fmt(self.max_total),
            "parts": {k: fmt(v) for k, v in self.parts.items()},
            "subtotals": {k: fmt(v) for k, v in self.subtotals().items()},
            "indicators": {c: r.to_dict() for c, r in self.indicators.items()},
            "progress": {"answered": self.answered_count, "total": self.leaf_count},
            "unanswered": list(self.unanswered),
            "unmet_requirements": [{"code": m.code, "kind": m.kind, "label": m.label} for m in self.unmet_requirements],
            "unmet_necessary": [{"code": m.code, "label": m.label} for m in self.unmet_necessary],
            "level": self.level,
            "next_level": self.next_level,
            "eligibility": {
                "applies": self.eligibility_applies,
                "eligible": self.eligible,
                "reasons": list(self.eligibility_reasons),
                "self_estimated": list(self.eligibility_self_estimated),
            },
            "choices": dict(self.choices),
        }
