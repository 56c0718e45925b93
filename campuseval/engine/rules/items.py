"""Items by level: awards, cases, projects with points per level, a cap, time windows and
"the same item counts once, at its highest level" (Bozhou 6.3 and 7.x; Sichuan C19, C40–C45)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..numbers import ZERO, fmt, to_decimal
from . import register
from .base import CaseClaim, Env, Outcome, Rule


@register
class LevelItems(Rule):
    """Each listed item earns the points of its level; the total is capped.

    - `dedupe`: a field (case name, project, category); items sharing it count once, at the
      highest level ("同一课题不累计加分", "同类别认最高级").
    - `window` + `date_field`: only items dated inside a named time window count.
    - `bonus`: a yes/no field and a factor, e.g. excellent results count +50% (Sichuan C8).
    - `case_field`: the field framework-wide "same case counts once" policies look at."""

    type_name = "level_items"
    params = frozenset(
        {"input", "level_field", "points", "cap", "dedupe", "window", "date_field", "bonus", "case_field"}
    )

    def __init__(self, spec: Any, ctx: Any) -> None:
        super().__init__(spec, ctx)
        self.key = self._input(spec.get("input"), types=("items",))
        item_spec = ctx.inputs[self.key]
        fields = {f.key: f for f in item_spec.fields}
        self.level_field = str(spec.get("level_field", "level"))
        level = fields.get(self.level_field)
        if level is None or level.type != "choice":
            raise ValueError(f"level_items 需要选择型字段 {self.level_field} / needs a choice level field")
        raw = spec.get("points")
        if not isinstance(raw, dict) or not raw:
            raise ValueError("level_items 需要 points：级别 → 分值 / points must map level to points")
        self.points = {str(k): to_decimal(v) for k, v in raw.items()}
        if set(self.points) != set(level.options):
            raise ValueError("points 的级别与字段选项不一致 / levels differ from the field's options")
        self.order = list(level.options)
        self.cap = self._decimal("cap", ctx.points)
        self.dedupe = spec.get("dedupe")
        if self.dedupe is not None and self.dedupe not in fields:
            raise ValueError(f"dedupe 字段 {self.dedupe} 未声明 / unknown dedupe field")
        self.case_field = spec.get("case_field", self.dedupe)
        if self.case_field is not None and self.case_field not in fields:
            raise ValueError(f"case_field 字段 {self.case_field} 未声明 / unknown case field")
        self.window = spec.get("window")
        self.date_field = spec.get("date_field")
        if self.window is not None:
            if self.window not in ctx.windows:
                raise ValueError(f"未定义的时间窗口 {self.window} / unknown time window")
            if self.date_field not in fields or fields[self.date_field].type != "date":
                raise ValueError("使用时间窗口需要日期字段 date_field / a window needs a date field")
        bonus = spec.get("bonus")
        self.bonus_field: str | None = None
        self.bonus_factor = Decimal(1)
        if bonus is not None:
            self.bonus_field = str(bonus.get("field"))
            if self.bonus_field not in fields or fields[self.bonus_field].type != "bool":
                raise ValueError("bonus 需要是否型字段 / bonus needs a yes/no field")
            self.bonus_factor = to_decimal(bonus.get("factor"))

    def input_keys(self) -> set[str]:
        return {self.key}

    def max_points(self) -> Decimal:
        return self.cap

    def _item_points(self, item: dict[str, Any]) -> Decimal:
        base = self.points[item[self.level_field]]
        if self.bonus_field and item.get(self.bonus_field):
            return base * self.bonus_factor
        return base

    def _counted(self, env: Env) -> tuple[list[tuple[dict[str, Any], Decimal]], list[str]]:
        """Items that count, each with its points, and a note per item left out."""
        notes: list[str] = []
        items: list[dict[str, Any]] = list(env.values[self.key])
        if self.window is not None:
            window = env.windows[self.window]
            start = window.start(env.as_of)
            inside = []
            for item in items:
                if item[self.date_field] < start:
                    notes.append(
                        f"「{self._name(item)}」{item[self.date_field].isoformat()} 不在{window.describe(env.as_of)}内"
                    )
                else:
                    inside.append(item)
            items = inside
        if self.dedupe is not None:
            best: dict[str, dict[str, Any]] = {}
            for item in items:
                key = str(item[self.dedupe]).strip()
                if key not in best or self._item_points(item) > self._item_points(best[key]):
                    if key in best:
                        notes.append(f"「{key}」重复，只计最高级")
                    best[key] = item
                else:
                    notes.append(f"「{key}」重复，只计最高级")
            items = list(best.values())
        counted = []
        for item in items:
            case = str(item[self.case_field]).strip() if self.case_field else ""
            if case and case in env.excluded_cases:
                notes.append(f"「{case}」已在 {env.excluded_cases[case]} 计分，同一案例只取一项")
                continue
            counted.append((item, self._item_points(item)))
        return counted, notes

    def _name(self, item: dict[str, Any]) -> str:
        for field_name in (self.case_field, self.dedupe, "name", "title"):
            if field_name and item.get(field_name):
                return str(item[field_name])
        return str(item.get(self.level_field, ""))

    def case_claims(self, env: Env) -> list[CaseClaim]:
        if not self.case_field:
            return []
        counted, _ = self._counted(env)
        return [CaseClaim(str(item[self.case_field]).strip(), pts) for item, pts in counted]

    def evaluate(self, env: Env) -> Outcome:
        counted, notes = self._counted(env)
        total = sum((p for _, p in counted), ZERO)
        points = min(total, self.cap)
        if not counted:
            tail = f"（{'；'.join(notes)}）" if notes else ""
            return Outcome(ZERO, lambda: f"{env.label(self.key)}：无计分条目{tail}，不得分")
        by_level: dict[str, int] = {}
        for item, _ in counted:
            by_level[item[self.level_field]] = by_level.get(item[self.level_field], 0) + 1
        parts = "，".join(f"{lvl} {by_level[lvl]} 个×{fmt(self.points[lvl])}" for lvl in self.order if lvl in by_level)
        boosted = sum(1 for item, _ in counted if self.bonus_field and item.get(self.bonus_field))
        bonus = f"（其中 {boosted} 个按 {fmt(self.bonus_factor)} 倍计）" if boosted else ""
        capped = f"，超过上限按 {fmt(self.cap)} 分计" if total > self.cap else ""
        tail = f"（{'；'.join(notes)}）" if notes else ""
        return Outcome(
            points,
            lambda: f"{env.label(self.key)}：{parts}{bonus}，计 {fmt(total)} 分{capped}，得 {fmt(points)} 分{tail}",
        )
