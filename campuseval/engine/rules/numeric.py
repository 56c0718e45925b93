"""Rules over a number: tiers, targets with deductions, ratios by stage, shares, counts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from random import Random
from typing import Any

from ..numbers import HUNDRED, ZERO, fmt, to_decimal
from . import register
from .base import Env, Outcome, PointsFn, Rule

Values = Mapping[str, Any]
Tier = tuple[Decimal | None, Decimal | None, bool, Decimal]


def _bound(value: Decimal, unit: str) -> str:
    return f"{fmt(value)}{unit}"


@register
class Tiers(Rule):
    """Tiered thresholds: each tier has `min` (inclusive) and/or `max` (exclusive unless
    `include_max`), first match wins. Bozhou school 1.1: 500M（含）以上 8, 400M（含）至 500M 6 …"""

    type_name = "tiers"
    params = frozenset({"input", "tiers"})

    def __init__(self, spec: Any, ctx: Any) -> None:
        super().__init__(spec, ctx)
        self.key = self._input(spec.get("input"), types=("number",))
        raw = spec.get("tiers")
        if not isinstance(raw, list) or not raw:
            raise ValueError("tiers 规则需要 tiers 列表 / tiers rule needs tiers")
        self.tiers: list[Tier] = []
        for tier in raw:
            low = to_decimal(tier["min"]) if tier.get("min") is not None else None
            high = to_decimal(tier["max"]) if tier.get("max") is not None else None
            if low is None and high is None:
                raise ValueError("每一档需要 min 或 max / each tier needs min or max")
            self.tiers.append((low, high, bool(tier.get("include_max", False)), to_decimal(tier["points"])))

    def input_keys(self) -> set[str]:
        return {self.key}

    def max_points(self) -> Decimal:
        return max(t[3] for t in self.tiers)

    @staticmethod
    def _describe(low: Decimal | None, high: Decimal | None, inc: bool, unit: str) -> str:
        if low is not None and high is not None:
            return f"{_bound(low, unit)}（含）至 {_bound(high, unit)}{'（含）' if inc else ''}"
        if low is not None:
            return f"{_bound(low, unit)}（含）以上"
        assert high is not None
        return f"{_bound(high, unit)}{'（含）' if inc else ''}以下"

    def _tier(self, value: Decimal) -> Tier | None:
        """The first tier `value` falls in, if any."""
        for tier in self.tiers:
            low, high, inc, _ = tier
            if low is not None and value < low:
                continue
            if high is not None and (value > high if inc else value >= high):
                continue
            return tier
        return None

    def compile(self) -> PointsFn:
        key, tier_of = self.key, self._tier

        def fn(v: Values, c: Values, a: dt.date, x: Mapping[str, str]) -> Decimal:
            tier = tier_of(v[key])
            return ZERO if tier is None else tier[3]

        return fn

    def evaluate(self, env: Env) -> Outcome:
        points = self.points_for(env)
        return Outcome(points, lambda: self._explain(env, points))

    def _explain(self, env: Env, points: Decimal) -> str:
        value: Decimal = env.values[self.key]
        unit = env.unit(self.key)
        tier = self._tier(value)
        if tier is None:
            return f"{env.label(self.key)} {fmt(value)}{unit}，未达到任何得分档，不得分"
        low, high, inc, _ = tier
        verdict = f"得 {fmt(points)} 分" if points else "不得分"
        return f"{env.label(self.key)} {fmt(value)}{unit}，在 {self._describe(low, high, inc, unit)} 档，{verdict}"


@register
class TargetDeduction(Rule):
    """A target with a deduction per unit short of it, down to a floor (default 0).

    Bozhou school 1.2: 覆盖率达到 36% 得 7 分，每少一个百分点扣 0.2 分. `shortfall` states how a
    fractional shortfall is read: `ceil` (a started point counts whole), `floor`, or `exact`.
    Also counts: Bozhou district 3.1 at least 4 schools, 0.5 per school missing."""

    type_name = "target_deduction"
    params = frozenset({"input", "target", "points", "per", "step", "shortfall", "floor", "unit_label"})

    def __init__(self, spec: Any, ctx: Any) -> None:
        super().__init__(spec, ctx)
        self.key = self._input(spec.get("input"), types=("number",))
        self.target = self._decimal("target")
        self.points = self._decimal("points", ctx.points)
        self.per = self._decimal("per")
        self.step = self._decimal("step", Decimal(1))
        self.floor = self._decimal("floor", ZERO)
        self.shortfall = str(spec.get("shortfall", "exact"))
        if self.shortfall not in {"ceil", "floor", "exact"}:
            raise ValueError("shortfall 只能是 ceil/floor/exact / shortfall must be ceil, floor or exact")
        spec_in = ctx.inputs.get(self.key) or ctx.context_inputs.get(self.key)
        default_label = "个百分点" if spec_in is not None and spec_in.percent else (spec_in.unit if spec_in else "")
        self.unit_label = str(spec.get("unit_label", default_label))

    def input_keys(self) -> set[str]:
        return {self.key}

    def max_points(self) -> Decimal:
        return self.points

    def _units(self, value: Decimal) -> tuple[Decimal, Decimal]:
        """Units short of the target below it, as computed and as counted (`shortfall`)."""
        units = (self.target - value) / self.step
        if self.shortfall == "ceil":
            return units, units.to_integral_value(rounding=ROUND_CEILING)
        if self.shortfall == "floor":
            return units, units.to_integral_value(rounding=ROUND_FLOOR)
        return units, units

    def compile(self) -> PointsFn:
        key, target, full, per, floor, units_of = self.key, self.target, self.points, self.per, self.floor, self._units

        def fn(v: Values, c: Values, a: dt.date, x: Mapping[str, str]) -> Decimal:
            value = v[key]
            if value >= target:
                return full
            remaining: Decimal = full - units_of(value)[1] * per
            return max(floor, remaining)

        return fn

    def evaluate(self, env: Env) -> Outcome:
        points = self.points_for(env)
        return Outcome(points, lambda: self._explain(env, points))

    def _explain(self, env: Env, points: Decimal) -> str:
        value: Decimal = env.values[self.key]
        unit = env.unit(self.key)
        head = f"{env.label(self.key)} {fmt(value)}{unit}"
        if value >= self.target:
            return f"{head}，达到 {fmt(self.target)}{unit}，得 {fmt(points)} 分"
        units, counted = self._units(value)
        deduction = counted * self.per
        reading = "" if counted == units else f"，按 {fmt(counted)} 计"
        return (
            f"{head}，目标 {fmt(self.target)}{unit}，差 {fmt(self.target - value)}{self.unit_label}{reading}，"
            f"扣 {fmt(min(deduction, self.points - self.floor))} 分，得 {fmt(points)} 分"
        )


@register
class CountPoints(Rule):
    """Points per counted thing, up to a cap (Sichuan C22: 每个 0.2 分，累计不超过 4 分)."""

    type_name = "count_points"
    params = frozenset({"input", "per", "cap"})

    def __init__(self, spec: Any, ctx: Any) -> None:
        super().__init__(spec, ctx)
        self.key = self._input(spec.get("input"), types=("number",))
        self.per = self._decimal("per")
        self.cap = self._decimal("cap", ctx.points)

    def input_keys(self) -> set[str]:
        return {self.key}

    def max_points(self) -> Decimal:
        return self.cap

    def compile(self) -> PointsFn:
        key, per, cap = self.key, self.per, self.cap

        def fn(v: Values, c: Values, a: dt.date, x: Mapping[str, str]) -> Decimal:
            raw: Decimal = v[key] * per
            return min(raw, cap)

        return fn

    def evaluate(self, env: Env) -> Outcome:
        points = self.points_for(env)
        return Outcome(points, lambda: self._explain(env, points))

    def _explain(self, env: Env, points: Decimal) -> str:
        count: Decimal = env.values[self.key]
        raw = count * self.per
        capped = f"，超过上限按 {fmt(self.cap)} 分计" if raw > self.cap else ""
        return (
            f"{env.label(self.key)} {fmt(count)}{env.unit(self.key)}，每个 {fmt(self.per)} 分，"
            f"计 {fmt(raw)} 分{capped}，得 {fmt(points)} 分"
        )


@register
class ScenarioCount(Rule):
    """Scenario counts with a floor, a step and a cap (Sichuan school C10: 5 scenarios 5
    points, each more +1, at most 10, fewer than 5 nothing). `required` lists yes/no inputs
    for the basic scenarios that must be among them, else nothing."""

    type_name = "scenario_count"
    params = frozenset({"input", "floor", "floor_points", "step_points", "cap", "required"})

    def __init__(self, spec: Any, ctx: Any) -> None:
        super().__init__(spec, ctx)
        self.key = self._input(spec.get("input"), types=("number", "multi"))
        self.floor = self._decimal("floor")
        self.floor_points = self._decimal("floor_points")
        self.step_points = self._decimal("step_points")
        self.cap = self._decimal("cap", ctx.points)
        self.required = [self._input(k, types=("bool",)) for k in spec.get("required", []) or []]

    def input_keys(self) -> set[str]:
        return {self.key, *self.required}

    def max_points(self) -> Decimal:
        return self.cap

    @staticmethod
    def _count(raw: Decimal | tuple[str, ...]) -> Decimal:
        return Decimal(len(raw)) if isinstance(raw, tuple) else raw

    def _raw_points(self, count: Decimal) -> Decimal:
        return self.floor_points + (count - self.floor) * self.step_points

    def compile(self) -> PointsFn:
        key, floor, cap, required = self.key, self.floor, self.cap, tuple(self.required)
        count_of, raw_points = self._count, self._raw_points

        def fn(v: Values, c: Values, a: dt.date, x: Mapping[str, str]) -> Decimal:
            count = count_of(v[key])
            if count < floor:
                return ZERO
            for k in required:
                if not v[k]:
                    return ZERO
            return min(raw_points(count), cap)

        return fn

    def evaluate(self, env: Env) -> Outcome:
        points = self.points_for(env)
        return Outcome(points, lambda: self._explain(env, points))

    def _explain(self, env: Env, points: Decimal) -> str:
        count = self._count(env.values[self.key])
        head = f"{env.label(self.key)} {fmt(count)} 个"
        missing = [k for k in self.required if not env.values[k]]
        if missing:
            names = "、".join(env.label(k) for k in missing)
            return f"{head}，但缺少基本场景：{names}，不得分"
        if count < self.floor:
            return f"{head}，低于 {fmt(self.floor)} 个，不得分"
        extra = count - self.floor
        tail = f"，上限 {fmt(self.cap)} 分" if self._raw_points(count) > self.cap else ""
        return (
            f"{head}：{fmt(self.floor)} 个基本得 {fmt(self.floor_points)} 分，另增 {fmt(extra)} 个"
            f"每个 {fmt(self.step_points)} 分{tail}，得 {fmt(points)} 分"
        )


@register
class RatioByContext(Rule):
    """A ratio against a threshold that depends on a framework-wide answer such as the school's
    stage (Taizhou 生机比 不低于 小学 10:1、初中 8:1、高中 6:1: students per computer at most)."""

    type_name = "ratio_by_context"
    params = frozenset({"numerator", "denominator", "context", "thresholds", "points", "direction"})

    def __init__(self, spec: Any, ctx: Any) -> None:
        super().__init__(spec, ctx)
        self.num = self._input(spec.get("numerator"), types=("number",))
        self.den = self._input(spec.get("denominator"), types=("number",))
        self.context_key = spec.get("context")
        raw = spec.get("thresholds")
        if self.context_key:
            self.context_key = self._input(self.context_key, types=("choice",))
            if not isinstance(raw, dict):
                raise ValueError("thresholds 应为 选项 → 比值 / thresholds must map option to ratio")
            self.thresholds = {str(k): to_decimal(v) for k, v in raw.items()}
            declared = ctx.context_inputs.get(self.context_key) or ctx.inputs.get(self.context_key)
            options = set(declared.options) if declared is not None else set()
            if set(self.thresholds) != options:
                raise ValueError("thresholds 的选项与情境输入不一致 / thresholds differ from options")
        else:
            self.thresholds = {"": to_decimal(raw)}
        self.points = self._decimal("points", ctx.points)
        self.direction = str(spec.get("direction", "at_most"))
        if self.direction not in {"at_most", "at_least"}:
            raise ValueError("direction 只能是 at_most/at_least")

    def input_keys(self) -> set[str]:
        return {self.num, self.den} | ({self.context_key} if self.context_key else set())

    def max_points(self) -> Decimal:
        return self.points

    def _option(self, values: Values, context: Values) -> Any:
        return context.get(self.context_key, values.get(self.context_key)) if self.context_key else ""

    def _ratio(self, values: Values, context: Values) -> tuple[Decimal | None, Decimal, bool]:
        """(students per computer or None when the denominator is 0, the threshold, reached)."""
        num: Decimal = values[self.num]
        den: Decimal = values[self.den]
        limit = self.thresholds[self._option(values, context)]
        if den == ZERO:
            return None, limit, False
        ratio = num / den
        return ratio, limit, (ratio <= limit if self.direction == "at_most" else ratio >= limit)

    def compile(self) -> PointsFn:
        full, ratio_of = self.points, self._ratio

        def fn(v: Values, c: Values, a: dt.date, x: Mapping[str, str]) -> Decimal:
            return full if ratio_of(v, c)[2] else ZERO

        return fn

    def evaluate(self, env: Env) -> Outcome:
        points = self.points_for(env)
        return Outcome(points, lambda: self._explain(env, points))

    def _explain(self, env: Env, points: Decimal) -> str:
        num: Decimal = env.values[self.num]
        den: Decimal = env.values[self.den]
        option = self._option(env.values, env.context)
        ratio, limit, ok = self._ratio(env.values, env.context)
        where = f"（{option}）" if option else ""
        name = f"{env.label(self.num)}/{env.label(self.den)}"
        if ratio is None:
            return f"{env.label(self.den)}为 0，{name}无法达到 {fmt(limit)}:1{where}，不得分"
        shown = fmt(ratio.quantize(Decimal("0.01")))
        word = "不高于" if self.direction == "at_most" else "不低于"
        if ok:
            return f"{name} = {fmt(num)}:{fmt(den)} ≈ {shown}:1，{word} {fmt(limit)}:1{where}，得 {fmt(points)} 分"
        return f"{name} = {fmt(num)}:{fmt(den)} ≈ {shown}:1，未达到 {fmt(limit)}:1{where}，不得分"


@register
class Proportional(Rule):
    """Points in proportion to a share (Sichuan district C20: 按系统运用达标比例得分)."""

    type_name = "proportional"
    params = frozenset({"input", "numerator", "denominator", "points"})

    def __init__(self, spec: Any, ctx: Any) -> None:
        super().__init__(spec, ctx)
        self.points = self._decimal("points", ctx.points)
        if spec.get("input"):
            self.key: str | None = self._input(spec.get("input"), types=("number",))
            declared = ctx.inputs.get(self.key)
            if declared is None or not declared.percent:
                raise ValueError("proportional 的 input 应为百分比 / input must be a percent")
            self.num = self.den = None
        else:
            self.key = None
            self.num = self._input(spec.get("numerator"), types=("number",))
            self.den = self._input(spec.get("denominator"), types=("number",))

    def input_keys(self) -> set[str]:
        return {self.key} if self.key else {self.num, self.den}  # type: ignore[arg-type]

    def max_points(self) -> Decimal:
        return self.points

    def fix_sample(self, values: dict[str, Any], rng: Random) -> None:
        if self.num and self.den and self.num in values and self.den in values:
            low, high = sorted((values[self.num], values[self.den]))
            values[self.num], values[self.den] = low, high

    def _share(self, values: Values) -> Decimal:
        if self.key:
            share: Decimal = values[self.key] / HUNDRED
            return share
        assert self.num and self.den
        num, den = values[self.num], values[self.den]
        if num > den:
            raise ValueError(f"{self._label(self.num)}（{fmt(num)}）不能大于{self._label(self.den)}（{fmt(den)}）")
        return num / den if den else ZERO

    def compile(self) -> PointsFn:
        full, share_of = self.points, self._share

        def fn(v: Values, c: Values, a: dt.date, x: Mapping[str, str]) -> Decimal:
            return full * share_of(v)

        return fn

    def evaluate(self, env: Env) -> Outcome:
        points = self.points_for(env)
        share = self._share(env.values)
        if self.key:
            head = f"{env.label(self.key)} {fmt(env.values[self.key])}%"
        else:
            assert self.num and self.den
            num, den = env.values[self.num], env.values[self.den]
            head = f"{env.label(self.num)} {fmt(num)} / {env.label(self.den)} {fmt(den)}"
        return Outcome(
            points,
            lambda: (
                f"{head}，按比例得 {fmt(self.points)} × {fmt(share.quantize(Decimal('0.0001')))}"
                f" = {fmt(points.quantize(Decimal('0.0001')))} 分"
            ),
        )
