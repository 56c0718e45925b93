"""Points only when every condition holds: yes/no answers that must be yes and numbers that
must reach a threshold (Sichuan district C25: 学校 100%、教师 90% 以上、学生及家长 50% 以上注册
得 2 分; C27: 有物理空间，且覆盖学校比例不低于 30%), or dated lists with enough entries inside
a time window (Bozhou district 2.3: 近两年内组织开展网络安全演练; 5.2: 近五年至少开展 2 次)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..numbers import ZERO, fmt, to_decimal
from . import register
from .base import Env, Outcome, PointsFn, Rule

Condition = tuple[str, Decimal | None, Decimal | None]


@register
class AllMet(Rule):
    """`conditions`: each `{input: key}` for a yes/no input that must be yes, or `{input: key,
    min: x}` / `{input: key, max: x}` for a number (both bounds inclusive: 以上/不低于、以下/不超过).
    A list (`items`) input is counted against `min`/`max`; with `window` and `date_field` only
    the entries dated inside that time window count. All met: `points` (default the
    indicator's); otherwise nothing."""

    type_name = "all_met"
    params = frozenset({"conditions", "points"})

    def __init__(self, spec: Any, ctx: Any) -> None:
        super().__init__(spec, ctx)
        raw = spec.get("conditions")
        if not isinstance(raw, list) or not raw:
            raise ValueError("all_met 需要 conditions 列表 / all_met needs conditions")
        self.points = self._decimal("points", ctx.points)
        self.conditions: list[Condition] = []
        #: list inputs counted, each with its time window and date field (or None, None)
        self.counted: dict[str, tuple[str | None, str | None]] = {}
        for cond in raw:
            if not isinstance(cond, dict):
                raise ValueError("all_met 的条件应为映射 / each condition must be a mapping")
            unknown = set(cond) - {"input", "min", "max", "window", "date_field"}
            if unknown:
                raise ValueError(f"all_met 条件有未知参数 {sorted(unknown)} / unknown condition keys")
            low = to_decimal(cond["min"]) if cond.get("min") is not None else None
            high = to_decimal(cond["max"]) if cond.get("max") is not None else None
            if low is None and high is None:
                key = self._input(cond.get("input"), types=("bool",))
            else:
                key = self._input(cond.get("input"), types=("number", "items"))
            declared = ctx.inputs.get(key) or ctx.context_inputs.get(key)
            if declared.type == "items":
                self.counted[key] = self._window(cond, declared)
            elif "window" in cond or "date_field" in cond:
                raise ValueError("只有条目列表条件可以限定时间窗口 / only a list condition takes a window")
            self.conditions.append((key, low, high))

    def _window(self, cond: dict[str, Any], declared: Any) -> tuple[str | None, str | None]:
        window, date_field = cond.get("window"), cond.get("date_field")
        if window is None and date_field is None:
            return None, None
        if window not in self.ctx.windows:
            raise ValueError(f"未定义的时间窗口 {window} / unknown time window")
        fields = {f.key: f for f in declared.fields}
        if date_field not in fields or fields[date_field].type != "date":
            raise ValueError("使用时间窗口需要日期字段 date_field / a window needs a date field")
        return str(window), str(date_field)

    def count(self, key: str, items: tuple[dict[str, Any], ...], as_of: dt.date) -> Decimal:
        """How many entries of a list condition count: all, or those inside its window."""
        window, date_field = self.counted[key]
        if window is None or date_field is None:
            return Decimal(len(items))
        start = self.ctx.windows[window].start(as_of)
        return Decimal(len([item for item in items if item[date_field] >= start]))

    def input_keys(self) -> set[str]:
        return {key for key, _, _ in self.conditions}

    def max_points(self) -> Decimal:
        return self.points

    def _met(self, cond: Condition, value: Any, as_of: dt.date) -> bool:
        """Whether one condition holds for its input's value."""
        key, low, high = cond
        if low is None and high is None:
            return bool(value)
        if key in self.counted:
            value = self.count(key, value, as_of)
        return (low is None or value >= low) and (high is None or value <= high)

    def compile(self) -> PointsFn:
        conditions, points, met = tuple(self.conditions), self.points, self._met
        if all(low is None and high is None for _, low, high in conditions):
            keys = tuple(key for key, _, _ in conditions)

            def all_yes(v: Mapping[str, Any], c: Mapping[str, Any], a: dt.date, x: Mapping[str, str]) -> Decimal:
                for key in keys:
                    if not v[key]:
                        return ZERO
                return points

            return all_yes

        def fn(v: Mapping[str, Any], c: Mapping[str, Any], a: dt.date, x: Mapping[str, str]) -> Decimal:
            for cond in conditions:
                if not met(cond, v[cond[0]], a):
                    return ZERO
            return points

        return fn

    def _check(self, env: Env, cond: Condition) -> tuple[bool, str]:
        key, low, high = cond
        value = env.values[key]
        ok = self._met(cond, value, env.as_of)
        if low is None and high is None:
            return ok, f"{env.label(key)}：{'是' if value else '否'}"
        if key in self.counted:
            return ok, self._describe_count(env, key, value, low, high, ok)
        unit = env.unit(key)
        need = []
        if low is not None:
            need.append(f"不低于 {fmt(low)}{unit}")
        if high is not None:
            need.append(f"不超过 {fmt(high)}{unit}")
        verdict = "达到" if ok else "未达到"
        return ok, f"{env.label(key)} {fmt(value)}{unit}（要求{'、'.join(need)}，{verdict}）"

    def _describe_count(
        self,
        env: Env,
        key: str,
        items: tuple[dict[str, Any], ...],
        low: Decimal | None,
        high: Decimal | None,
        ok: bool,
    ) -> str:
        unit = env.unit(key) or "项"
        count = self.count(key, items, env.as_of)
        window = self.counted[key][0]
        where = f"，其中{env.windows[window].describe(env.as_of)}内 {fmt(count)} {unit}" if window else ""
        need = []
        if low is not None:
            need.append(f"不少于 {fmt(low)} {unit}")
        if high is not None:
            need.append(f"不超过 {fmt(high)} {unit}")
        verdict = "达到" if ok else "未达到"
        return f"{env.label(key)}：填报 {len(items)} {unit}{where}（要求{'、'.join(need)}，{verdict}）"

    def evaluate(self, env: Env) -> Outcome:
        points = self.points_for(env)
        return Outcome(points, lambda: self._explain(env, points))

    def _explain(self, env: Env, points: Decimal) -> str:
        checks = [self._check(env, cond) for cond in self.conditions]
        if all(ok for ok, _ in checks):
            return f"{'；'.join(t for _, t in checks)}；条件全部满足，得 {fmt(points)} 分"
        return (
            f"{'；'.join(t for _, t in checks)}；未满足："
            f"{'、'.join(env.label(self.conditions[i][0]) for i, (ok, _) in enumerate(checks) if not ok)}，不得分"
        )
