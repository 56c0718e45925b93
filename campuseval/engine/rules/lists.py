"""Rules over a list of yes/no parts: points per part, "n of m", and "missing one costs one"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..numbers import ZERO, fmt, to_decimal
from . import register
from .base import Env, Outcome, PointsFn, Rule

Values = Mapping[str, Any]


def _names(env: Env, keys: list[str]) -> str:
    return "、".join(env.label(k) for k in keys) or "无"


@register
class Checklist(Rule):
    """Parts with points each, added up (Xiamen 一.1.(1); Sichuan C15)."""

    type_name = "checklist"
    params = frozenset({"items"})

    def __init__(self, spec: Any, ctx: Any) -> None:
        super().__init__(spec, ctx)
        raw = spec.get("items")
        if not isinstance(raw, list) or not raw:
            raise ValueError("checklist 需要 items 列表 / checklist needs items")
        self.items: list[tuple[str, Decimal]] = []
        for item in raw:
            key = self._input(item.get("input"), types=("bool",))
            self.items.append((key, to_decimal(item.get("points"))))

    def input_keys(self) -> set[str]:
        return {k for k, _ in self.items}

    def max_points(self) -> Decimal:
        return sum((p for _, p in self.items), ZERO)

    def compile(self) -> PointsFn:
        items = tuple(self.items)

        def fn(v: Values, c: Values, a: dt.date, x: Mapping[str, str]) -> Decimal:
            total = ZERO
            for key, points in items:
                if v[key]:
                    total += points
            return total

        return fn

    def evaluate(self, env: Env) -> Outcome:
        points = self.points_for(env)
        return Outcome(points, lambda: self._explain(env, points))

    def _explain(self, env: Env, points: Decimal) -> str:
        met = [(k, p) for k, p in self.items if env.values[k]]
        if not met:
            return f"{_names(env, [k for k, _ in self.items])}均不符合，不得分"
        parts = "；".join(f"{env.label(k)} {fmt(p)} 分" for k, p in met)
        missing = [k for k, _ in self.items if not env.values[k]]
        tail = f"；未达到：{_names(env, missing)}" if missing else ""
        return f"符合：{parts}{tail}；得 {fmt(points)} 分"


@register
class NOfM(Rule):
    """Points by how many of m items are met ("n of m", Xiamen 一.2.(2)).

    `tiers` maps a minimum count to points; the highest tier reached applies."""

    type_name = "n_of_m"
    params = frozenset({"inputs", "tiers"})

    def __init__(self, spec: Any, ctx: Any) -> None:
        super().__init__(spec, ctx)
        raw = spec.get("inputs")
        if not isinstance(raw, list) or not raw:
            raise ValueError("n_of_m 需要 inputs 列表 / n_of_m needs inputs")
        self.keys = [self._input(k, types=("bool",)) for k in raw]
        tiers = spec.get("tiers")
        if not isinstance(tiers, list) or not tiers:
            raise ValueError("n_of_m 需要 tiers / n_of_m needs tiers")
        self.tiers = sorted(((int(t["min_count"]), to_decimal(t["points"])) for t in tiers), reverse=True)
        if any(n > len(self.keys) for n, _ in self.tiers):
            raise ValueError("n_of_m 的档位要求超过条目总数 / a tier asks for more items than exist")

    def input_keys(self) -> set[str]:
        return set(self.keys)

    def max_points(self) -> Decimal:
        return max(p for _, p in self.tiers)

    def _tier(self, count: int) -> tuple[int, Decimal] | None:
        """The highest tier `count` met items reach, if any."""
        for tier in self.tiers:
            if count >= tier[0]:
                return tier
        return None

    def compile(self) -> PointsFn:
        keys, tier_of = tuple(self.keys), self._tier

        def fn(v: Values, c: Values, a: dt.date, x: Mapping[str, str]) -> Decimal:
            tier = tier_of(sum(1 for k in keys if v[k]))
            return ZERO if tier is None else tier[1]

        return fn

    def evaluate(self, env: Env) -> Outcome:
        points = self.points_for(env)
        return Outcome(points, lambda: self._explain(env, points))

    def _explain(self, env: Env, points: Decimal) -> str:
        count = sum(1 for k in self.keys if env.values[k])
        tier = self._tier(count)
        if tier is None:
            lowest = min(n for n, _ in self.tiers)
            return f"满足 {count} 项（共 {len(self.keys)} 项），不足 {lowest} 项，不得分"
        return f"满足 {count} 项（共 {len(self.keys)} 项，{tier[0]} 项及以上档），得 {fmt(points)} 分"


@register
class DeductPerMissing(Rule):
    """Full points less `per` for each required part missing, down to 0 (Xiamen 四.1.(3))."""

    type_name = "deduct_per_missing"
    params = frozenset({"inputs", "per", "points"})

    def __init__(self, spec: Any, ctx: Any) -> None:
        super().__init__(spec, ctx)
        raw = spec.get("inputs")
        if not isinstance(raw, list) or not raw:
            raise ValueError("deduct_per_missing 需要 inputs / needs inputs")
        self.keys = [self._input(k, types=("bool",)) for k in raw]
        self.per = self._decimal("per")
        self.points = self._decimal("points", ctx.points)

    def input_keys(self) -> set[str]:
        return set(self.keys)

    def max_points(self) -> Decimal:
        return self.points

    def compile(self) -> PointsFn:
        keys, per, full = tuple(self.keys), self.per, self.points

        def fn(v: Values, c: Values, a: dt.date, x: Mapping[str, str]) -> Decimal:
            missing = sum(1 for k in keys if not v[k])
            return max(ZERO, full - per * missing) if missing else full

        return fn

    def evaluate(self, env: Env) -> Outcome:
        points = self.points_for(env)
        return Outcome(points, lambda: self._explain(env, points))

    def _explain(self, env: Env, points: Decimal) -> str:
        missing = [k for k in self.keys if not env.values[k]]
        if not missing:
            return f"{len(self.keys)} 项齐全，得 {fmt(points)} 分"
        deduction = self.per * len(missing)
        return (
            f"缺 {len(missing)} 项（{_names(env, missing)}），每缺一项扣 {fmt(self.per)} 分，"
            f"扣 {fmt(min(deduction, self.points))} 分，得 {fmt(points)} 分"
        )
