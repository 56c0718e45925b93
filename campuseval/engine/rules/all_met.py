"""Points only when every condition holds: yes/no answers that must be yes and numbers that
must reach a threshold (Sichuan district C25: 学校 100%、教师 90% 以上、学生及家长 50% 以上注册
得 2 分; C27: 有物理空间，且覆盖学校比例不低于 30%)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..numbers import ZERO, fmt, to_decimal
from . import register
from .base import Env, Outcome, Rule


@register
class AllMet(Rule):
    """`conditions`: each `{input: key}` for a yes/no input that must be yes, or `{input: key,
    min: x}` / `{input: key, max: x}` for a number (both bounds inclusive: 以上/不低于、以下/不超过).
    All met: `points` (default the indicator's); otherwise nothing."""

    type_name = "all_met"
    params = frozenset({"conditions", "points"})

    def __init__(self, spec: Any, ctx: Any) -> None:
        super().__init__(spec, ctx)
        raw = spec.get("conditions")
        if not isinstance(raw, list) or not raw:
            raise ValueError("all_met 需要 conditions 列表 / all_met needs conditions")
        self.points = self._decimal("points", ctx.points)
        self.conditions: list[tuple[str, Decimal | None, Decimal | None]] = []
        for cond in raw:
            if not isinstance(cond, dict):
                raise ValueError("all_met 的条件应为映射 / each condition must be a mapping")
            unknown = set(cond) - {"input", "min", "max"}
            if unknown:
                raise ValueError(f"all_met 条件有未知参数 {sorted(unknown)} / unknown condition keys")
            low = to_decimal(cond["min"]) if cond.get("min") is not None else None
            high = to_decimal(cond["max"]) if cond.get("max") is not None else None
            if low is None and high is None:
                key = self._input(cond.get("input"), types=("bool",))
            else:
                key = self._input(cond.get("input"), types=("number",))
            self.conditions.append((key, low, high))

    def input_keys(self) -> set[str]:
        return {key for key, _, _ in self.conditions}

    def max_points(self) -> Decimal:
        return self.points

    def _check(self, env: Env, cond: tuple[str, Decimal | None, Decimal | None]) -> tuple[bool, str]:
        key, low, high = cond
        value = env.values[key]
        if low is None and high is None:
            return bool(value), f"{env.label(key)}：{'是' if value else '否'}"
        unit = env.unit(key)
        ok = (low is None or value >= low) and (high is None or value <= high)
        need = []
        if low is not None:
            need.append(f"不低于 {fmt(low)}{unit}")
        if high is not None:
            need.append(f"不超过 {fmt(high)}{unit}")
        verdict = "达到" if ok else "未达到"
        return ok, f"{env.label(key)} {fmt(value)}{unit}（要求{'、'.join(need)}，{verdict}）"

    def evaluate(self, env: Env) -> Outcome:
        checks = [self._check(env, cond) for cond in self.conditions]
        if all(ok for ok, _ in checks):
            return Outcome(
                self.points, lambda: f"{'；'.join(t for _, t in checks)}；条件全部满足，得 {fmt(self.points)} 分"
            )
        return Outcome(
            ZERO,
            lambda: (
                f"{'；'.join(t for _, t in checks)}；未满足："
                f"{'、'.join(env.label(self.conditions[i][0]) for i, (ok, _) in enumerate(checks) if not ok)}，不得分"
            ),
        )
