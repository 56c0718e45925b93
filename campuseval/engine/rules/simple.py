"""Rules where one answer decides: yes/no, a fixed choice, and points set by an expert."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from random import Random
from typing import Any

from ..numbers import ZERO, fmt, to_decimal
from . import register
from .base import Env, Outcome, PointsFn, Rule

Values = Mapping[str, Any]


@register
class YesNo(Rule):
    """是/否: the full points (or `points`) for yes, nothing for no. Bozhou 2.1."""

    type_name = "yes_no"
    params = frozenset({"input", "points"})

    def __init__(self, spec: Any, ctx: Any) -> None:
        super().__init__(spec, ctx)
        self.key = self._input(spec.get("input"), types=("bool",))
        self.points = self._decimal("points", ctx.points)

    def input_keys(self) -> set[str]:
        return {self.key}

    def max_points(self) -> Decimal:
        return self.points

    def compile(self) -> PointsFn:
        key, points = self.key, self.points

        def fn(v: Values, c: Values, a: dt.date, x: Mapping[str, str]) -> Decimal:
            return points if v[key] else ZERO

        return fn

    def evaluate(self, env: Env) -> Outcome:
        points = self.points_for(env)
        if env.values[self.key]:
            return Outcome(points, lambda: f"{env.label(self.key)}：是，得 {fmt(points)} 分")
        return Outcome(points, lambda: f"{env.label(self.key)}：否，不得分")


@register
class Choice(Rule):
    """One option, fixed points each: full / partial / none (Xiamen 一.1.(4))."""

    type_name = "choice"
    params = frozenset({"input", "options"})

    def __init__(self, spec: Any, ctx: Any) -> None:
        super().__init__(spec, ctx)
        self.key = self._input(spec.get("input"), types=("choice",))
        raw = spec.get("options")
        if not isinstance(raw, dict) or not raw:
            raise ValueError("choice 规则需要 options：选项 → 分值 / options must map option to points")
        self.options = {str(k): to_decimal(v) for k, v in raw.items()}
        declared = set(ctx.inputs[self.key].options) if self.key in ctx.inputs else set()
        if declared and set(self.options) != declared:
            raise ValueError(
                f"choice 规则的选项 {sorted(self.options)} 与输入 {self.key} 的选项 {sorted(declared)} 不一致"
                " / rule options differ from the input's options"
            )

    def input_keys(self) -> set[str]:
        return {self.key}

    def max_points(self) -> Decimal:
        return max(self.options.values())

    def compile(self) -> PointsFn:
        key, options = self.key, self.options

        def fn(v: Values, c: Values, a: dt.date, x: Mapping[str, str]) -> Decimal:
            return options[v[key]]

        return fn

    def evaluate(self, env: Env) -> Outcome:
        option = env.values[self.key]
        points = self.points_for(env)
        return Outcome(points, lambda: f"{env.label(self.key)}：{option}，得 {fmt(points)} 分")


@register
class Manual(Rule):
    """Points an evaluator sets directly within [0, max] (评审组评定得分, Sichuan B22)."""

    type_name = "manual"
    params = frozenset({"input", "max"})

    def __init__(self, spec: Any, ctx: Any) -> None:
        super().__init__(spec, ctx)
        self.key = self._input(spec.get("input"), types=("number",))
        self.max = self._decimal("max", ctx.points)

    def input_keys(self) -> set[str]:
        return {self.key}

    def max_points(self) -> Decimal:
        return self.max

    def fix_sample(self, values: dict[str, Any], rng: Random) -> None:
        if self.key in values:
            values[self.key] = Decimal(rng.randint(0, int(self.max * 10))) / 10

    def compile(self) -> PointsFn:
        key, most, label = self.key, self.max, self._label(self.key)

        def fn(v: Values, c: Values, a: dt.date, x: Mapping[str, str]) -> Decimal:
            value: Decimal = v[key]
            if value > most:
                raise ValueError(f"{label}不能超过 {fmt(most)} 分，收到 {fmt(value)}")
            return value

        return fn

    def evaluate(self, env: Env) -> Outcome:
        value = self.points_for(env)
        return Outcome(value, lambda: f"{env.label(self.key)}：评定 {fmt(value)} 分（满分 {fmt(self.max)} 分）")


@register
class Band(Rule):
    """Expert bands: a judgement picks a band, then points within its range. Bozhou 4.1:
    good effect 10, unclear 3–4, none 0. A band with one value needs no points typed."""

    type_name = "band"
    params = frozenset({"input", "points_input", "bands"})

    def __init__(self, spec: Any, ctx: Any) -> None:
        super().__init__(spec, ctx)
        self.key = self._input(spec.get("input"), types=("choice",))
        self.points_key = self._input(spec.get("points_input"), types=("number",)) if spec.get("points_input") else None
        raw = spec.get("bands")
        if not isinstance(raw, dict) or not raw:
            raise ValueError("band 规则需要 bands：选项 → [最低, 最高] / bands must map option to range")
        self.bands: dict[str, tuple[Decimal, Decimal]] = {}
        for option, bounds in raw.items():
            if isinstance(bounds, list) and len(bounds) == 2:
                low, high = to_decimal(bounds[0]), to_decimal(bounds[1])
            else:
                low = high = to_decimal(bounds)
            if low > high:
                raise ValueError(f"档位 {option} 的下限大于上限 / band lower bound above upper")
            self.bands[str(option)] = (low, high)
        declared = set(ctx.inputs[self.key].options)
        if set(self.bands) != declared:
            raise ValueError("band 规则的档位与输入选项不一致 / bands differ from the input's options")
        if any(low != high for low, high in self.bands.values()) and self.points_key is None:
            raise ValueError("有区间的档位需要 points_input / ranged bands need points_input")

    def input_keys(self) -> set[str]:
        return {self.key} | ({self.points_key} if self.points_key else set())

    def max_points(self) -> Decimal:
        return max(high for _, high in self.bands.values())

    def fix_sample(self, values: dict[str, Any], rng: Random) -> None:
        option = values.get(self.key)
        if option is None or self.points_key is None:
            return
        low, high = self.bands[option]
        steps = int((high - low) * 10)
        values[self.points_key] = low + Decimal(rng.randint(0, steps)) / 10

    def compile(self) -> PointsFn:
        key, points_key, bands = self.key, self.points_key, self.bands
        points_label = self._label(points_key) if points_key else ""

        def fn(v: Values, c: Values, a: dt.date, x: Mapping[str, str]) -> Decimal:
            option = v[key]
            low, high = bands[option]
            if low == high:
                return low
            points: Decimal | None = v.get(points_key) if points_key else None
            if points is None:
                raise ValueError(f"选择“{option}”时需填写{points_label}（{fmt(low)}–{fmt(high)} 分）")
            if not low <= points <= high:
                raise ValueError(f"“{option}”档的{points_label}应在 {fmt(low)}–{fmt(high)} 分之间，收到 {fmt(points)}")
            return points

        return fn

    def evaluate(self, env: Env) -> Outcome:
        option = env.values[self.key]
        low, high = self.bands[option]
        points = self.points_for(env)
        if low == high:
            return Outcome(points, lambda: f"{env.label(self.key)}：{option}，得 {fmt(low)} 分")
        return Outcome(
            points,
            lambda: f"{env.label(self.key)}：{option}（{fmt(low)}–{fmt(high)} 分档），评定 {fmt(points)} 分",
        )
