"""Items by level: awards, cases, projects with points per level, a cap, time windows and
"the same item counts once, at its highest level" (Bozhou 6.3 and 7.x; Sichuan C19, C40–C45)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from functools import cached_property
from typing import Any

from ..numbers import ZERO, fmt, to_decimal
from . import register
from .base import CaseClaim, Env, Outcome, PointsFn, Rule

Counted = list[tuple[dict[str, Any], Decimal]]

#: how a shared case was placed, cited where it is left out (see `plan.excluded_cases`)
SHARED_RULE = "（归入使各项合计得分最高的指标，已封顶的指标不再占用；同分时归入编码在前的指标）"


def _plain(value: Any) -> str:
    """A field's value as compared for `once_per`: dates in ISO form, text without outer spaces."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


@register
class LevelItems(Rule):
    """Each listed item earns the points of its level; the total is capped.

    - `dedupe`: a field (case name, project, category); items sharing it count once, at the
      highest level ("同一课题不累计加分", "同类别认最高级").
    - `window` + `date_field`: only items dated inside a named time window count.
    - `bonus`: a yes/no field and a factor, e.g. excellent results count +50% (Sichuan C8).
    - `case_field`: the field framework-wide "same case counts once" policies look at.
    - `once_per`: fields (e.g. `[name, date]`) on which two entries that agree are one entry
      typed twice: it counts once (Xiamen 六.1.(1) “每次1分”: one activity on one date is one
      time, however often it is listed)."""

    type_name = "level_items"
    params = frozenset(
        {"input", "level_field", "points", "cap", "dedupe", "window", "date_field", "bonus", "case_field", "once_per"}
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
        once_per = spec.get("once_per")
        self.once_per: tuple[str, ...] = ()
        if once_per is not None:
            if not isinstance(once_per, list) or not once_per or any(f not in fields for f in once_per):
                raise ValueError("once_per 应为已声明字段的列表 / once_per must list declared fields")
            self.once_per = tuple(str(f) for f in once_per)
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

    @cached_property
    def _item_points(self) -> Callable[[Mapping[str, Any]], Decimal]:
        """An item's points: its level's, times the bonus factor when the bonus field is yes."""
        table, level_field, bonus_field, factor = self.points, self.level_field, self.bonus_field, self.bonus_factor
        if not bonus_field:
            return lambda item: table[item[level_field]]

        def worth(item: Mapping[str, Any]) -> Decimal:
            base = table[item[level_field]]
            return base * factor if item.get(bonus_field) else base

        return worth

    def _counted(
        self, values: Mapping[str, Any], as_of: dt.date, excluded: Mapping[str, str], notes: list[str] | None
    ) -> Counted:
        """Items that count, each with its points; a note per item left out goes to `notes`
        when a list is given (explanations), and is not written otherwise (points only)."""
        items: list[dict[str, Any]] | tuple[dict[str, Any], ...] = values[self.key]
        if not items:
            return []
        worth = self._item_points
        if self.window is not None:
            window = self.ctx.windows[self.window]
            start, date_field = window.start(as_of), self.date_field
            if notes is None:
                items = [item for item in items if item[date_field] >= start]
            else:
                inside = []
                for item in items:
                    if item[date_field] < start:
                        when = item[date_field].isoformat()
                        notes.append(f"「{self._name(item)}」{when} 不在{window.describe(as_of)}内")
                    else:
                        inside.append(item)
                items = inside
        if self.once_per:
            items = self._once(items, notes)
        if excluded and self.case_field:
            # Cases another indicator scores leave first, and only then does `dedupe` pick among
            # what is left: a school with two honours, one scored in 7.1, still counts once with
            # the other (Bozhou district 17.1 第 1 部分“每所加 0.3 分”).
            kept = []
            case_field = self.case_field
            noted: set[str] = set()
            for item in items:
                case = str(item[case_field]).strip()
                if case and case in excluded:
                    if notes is not None and case not in noted:
                        noted.add(case)
                        notes.append(f"「{case}」已在 {excluded[case]} 计分，同一案例只取一项{SHARED_RULE}")
                    continue
                kept.append(item)
            items = kept
        if self.dedupe is None:
            return [(item, worth(item)) for item in items]
        best: dict[str, tuple[dict[str, Any], Decimal]] = {}
        dedupe = self.dedupe
        for item in items:
            key = str(item[dedupe]).strip()
            points = worth(item)
            held = best.get(key)
            if held is None or points > held[1]:
                if held is not None and notes is not None:
                    notes.append(f"「{key}」重复，只计最高级")
                best[key] = (item, points)
            elif notes is not None:
                notes.append(f"「{key}」重复，只计最高级")
        return list(best.values())

    def _once(
        self, items: list[dict[str, Any]] | tuple[dict[str, Any], ...], notes: list[str] | None
    ) -> list[dict[str, Any]]:
        """Entries agreeing on every `once_per` field, but the first, dropped as typed twice."""
        seen: set[tuple[str, ...]] = set()
        kept = []
        fields = self.once_per
        for item in items:
            key = tuple(_plain(item[f]) for f in fields)
            if key in seen:
                if notes is not None:
                    shown = "、".join(k for k in key if k)
                    notes.append(f"「{shown}」重复填报（{self._once_labels()}相同），只计一次")
                continue
            seen.add(key)
            kept.append(item)
        return kept

    def _once_labels(self) -> str:
        spec = self.ctx.inputs[self.key]
        labels = {f.key: f.label for f in spec.fields}
        return "、".join(labels[f] for f in self.once_per)

    def _total(self, counted: Counted) -> tuple[Decimal, Decimal]:
        """The items' points added up, and capped."""
        total = ZERO
        for _, points in counted:
            total += points
        return total, min(total, self.cap)

    def compile(self) -> PointsFn:
        counted_of, total_of = self._counted, self._total

        def fn(v: Mapping[str, Any], c: Mapping[str, Any], a: dt.date, x: Mapping[str, str]) -> Decimal:
            return total_of(counted_of(v, a, x, None))[1]

        return fn

    def _name(self, item: dict[str, Any]) -> str:
        for field_name in (self.case_field, self.dedupe, "name", "title"):
            if field_name and item.get(field_name):
                return str(item[field_name])
        return str(item.get(self.level_field, ""))

    def case_claims(self, env: Env) -> list[CaseClaim]:
        """Every case listed inside the time window, once, at its best item's points. Items a
        `dedupe` on another field would drop still claim their case: which of a school's
        honours counts is decided after the cases are shared out."""
        if not self.case_field:
            return []
        items = env.values[self.key]
        if not items:
            return []
        if self.window is not None:
            start, date_field = self.ctx.windows[self.window].start(env.as_of), self.date_field
            items = [item for item in items if item[date_field] >= start]
        worth, case_field = self._item_points, self.case_field
        best: dict[str, Decimal] = {}
        for item in items:
            case = str(item[case_field]).strip()
            if case:
                points = worth(item)
                if case not in best or points > best[case]:
                    best[case] = points
        return [CaseClaim(case, points) for case, points in best.items()]

    def evaluate(self, env: Env) -> Outcome:
        notes: list[str] = []
        counted = self._counted(env.values, env.as_of, env.excluded_cases, notes)
        total, points = self._total(counted)
        if not counted:
            tail = f"（{'；'.join(notes)}）" if notes else ""
            return Outcome(points, lambda: f"{env.label(self.key)}：无计分条目{tail}，不得分")
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
