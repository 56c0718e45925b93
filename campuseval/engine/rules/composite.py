"""A rule made of parts, each a rule of its own, added up and capped (Bozhou district 1.1:
教育专网 2 分 + 出口带宽达标比例 3 分; Sichuan district C21)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from random import Random
from typing import Any

from ..numbers import ZERO, fmt
from . import build_rule, register
from .base import CaseClaim, Env, Outcome, PointsFn, Rule


@register
class Sum(Rule):
    type_name = "sum"
    params = frozenset({"parts", "cap"})

    def __init__(self, spec: Any, ctx: Any) -> None:
        super().__init__(spec, ctx)
        raw = spec.get("parts")
        if not isinstance(raw, list) or len(raw) < 2:
            raise ValueError("sum 规则需要至少两个 parts / sum needs two or more parts")
        self.parts = [build_rule(part, ctx) for part in raw]
        self.labels = [str(part.get("label", "")) for part in raw]
        self.cap = self._decimal("cap", ctx.points)

    def input_keys(self) -> set[str]:
        return set().union(*(p.input_keys() for p in self.parts))

    def max_points(self) -> Decimal:
        return min(self.cap, sum((p.max_points() for p in self.parts), ZERO))

    def case_claims(self, env: Env) -> list[CaseClaim]:
        return [c for p in self.parts for c in p.case_claims(env)]

    def conditional_inputs(self, context: Mapping[str, Any]) -> frozenset[str]:
        return frozenset().union(*(p.conditional_inputs(context) for p in self.parts))

    def has_conditional_inputs(self) -> bool:
        return any(p.has_conditional_inputs() for p in self.parts)

    def fix_sample(self, values: dict[str, Any], rng: Random) -> None:
        for part in self.parts:
            part.fix_sample(values, rng)

    def compile(self) -> PointsFn:
        # Tabulated parts are looked up here directly (one call fewer each); the order in
        # which exact decimals are added does not change the sum.
        tables = tuple(p.table for p in self.parts if p.table is not None)
        others = tuple(p.fast for p in self.parts if p.table is None)
        cap = self.cap

        def fn(v: Mapping[str, Any], c: Mapping[str, Any], a: dt.date, x: Mapping[str, str]) -> Decimal:
            total = ZERO
            for getter, table in tables:
                total += table[getter(v)]
            for part in others:
                total += part(v, c, a, x)
            return min(total, cap)

        return fn

    def evaluate(self, env: Env) -> Outcome:
        points = self.points_for(env)

        def explain() -> str:
            outcomes = [p.evaluate(env) for p in self.parts]
            total = sum((o.points for o in outcomes), ZERO)
            lines = [
                f"{i}.{label + '：' if label else ''}{o.explanation}"
                for i, (label, o) in enumerate(zip(self.labels, outcomes, strict=True), start=1)
            ]
            capped = f"，超过上限按 {fmt(self.cap)} 分计" if total > self.cap else ""
            exact = int(points.as_tuple().exponent) >= -4
            shown = fmt(points) if exact else f"≈{fmt(points.quantize(Decimal('0.0001')))}"
            return f"{'；'.join(lines)}；合计 {shown} 分{capped}"

        return Outcome(points, explain)
