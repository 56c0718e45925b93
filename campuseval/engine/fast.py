"""Totals only, fast: what ranking, re-scoring a whole campaign and the benchmark need.

`compile_totals(fw)` turns a framework into one function from checked answers to the total,
with no per-indicator result objects and no explanations. Common rule types get a lean
specialised function here; any other rule (and any rule added later) falls back to its own
`evaluate`, so this module is an accelerator, never a second source of scoring rules. Every
framework's totals are tested equal to `score_clean(...).total`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from .framework import Framework, Indicator
from .numbers import ROUNDING_MODES, ZERO
from .rules import Env, Rule
from .rules.all_met import AllMet
from .rules.composite import Sum
from .rules.items import LevelItems
from .rules.lists import Checklist, DeductPerMissing, NOfM
from .rules.numeric import CountPoints, ScenarioCount, TargetDeduction, Tiers
from .rules.simple import Band, Choice, Manual, YesNo
from .scoring import CleanAnswers, score_clean

Values = Mapping[str, Any]
PointsFn = Callable[[Values, CleanAnswers], Decimal]


def _yes_no(rule: YesNo) -> PointsFn:
    key, points = rule.key, rule.points
    return lambda v, a: points if v[key] else ZERO


def _choice(rule: Choice) -> PointsFn:
    key, options = rule.key, rule.options
    return lambda v, a: options[v[key]]


def _checklist(rule: Checklist) -> PointsFn:
    items = tuple(rule.items)

    def fn(v: Values, a: CleanAnswers) -> Decimal:
        total = ZERO
        for key, points in items:
            if v[key]:
                total += points
        return total

    return fn


def _n_of_m(rule: NOfM) -> PointsFn:
    keys, tiers = tuple(rule.keys), tuple(rule.tiers)

    def fn(v: Values, a: CleanAnswers) -> Decimal:
        count = sum(1 for k in keys if v[k])
        for min_count, points in tiers:
            if count >= min_count:
                return points
        return ZERO

    return fn


def _deduct_per_missing(rule: DeductPerMissing) -> PointsFn:
    keys, per, points = tuple(rule.keys), rule.per, rule.points

    def fn(v: Values, a: CleanAnswers) -> Decimal:
        missing = sum(1 for k in keys if not v[k])
        return max(ZERO, points - per * missing) if missing else points

    return fn


def _tiers(rule: Tiers) -> PointsFn:
    key, tiers = rule.key, tuple(rule.tiers)

    def fn(v: Values, a: CleanAnswers) -> Decimal:
        value = v[key]
        for low, high, inc, points in tiers:
            if low is not None and value < low:
                continue
            if high is not None and (value > high if inc else value >= high):
                continue
            return points
        return ZERO

    return fn


def _target(rule: TargetDeduction) -> PointsFn:
    key, target, points, per, step, floor, mode = (
        rule.key,
        rule.target,
        rule.points,
        rule.per,
        rule.step,
        rule.floor,
        rule.shortfall,
    )

    def fn(v: Values, a: CleanAnswers) -> Decimal:
        value = v[key]
        if value >= target:
            return points
        units = (target - value) / step
        if mode == "ceil":
            units = units.to_integral_value(rounding="ROUND_CEILING")
        elif mode == "floor":
            units = units.to_integral_value(rounding="ROUND_FLOOR")
        remaining: Decimal = points - units * per
        return remaining if remaining > floor else floor

    return fn


def _count_points(rule: CountPoints) -> PointsFn:
    key, per, cap = rule.key, rule.per, rule.cap
    return lambda v, a: min(v[key] * per, cap)


def _scenarios(rule: ScenarioCount) -> PointsFn:
    key, floor, floor_points, step, cap, required = (
        rule.key,
        rule.floor,
        rule.floor_points,
        rule.step_points,
        rule.cap,
        tuple(rule.required),
    )

    def fn(v: Values, a: CleanAnswers) -> Decimal:
        raw = v[key]
        count = Decimal(len(raw)) if isinstance(raw, tuple) else raw
        if count < floor or not all(v[k] for k in required):
            return ZERO
        return min(floor_points + (count - floor) * step, cap)

    return fn


def _band(rule: Band) -> PointsFn:
    key, points_key, bands = rule.key, rule.points_key, rule.bands

    def fn(v: Values, a: CleanAnswers) -> Decimal:
        low, high = bands[v[key]]
        if low == high:
            return low
        points = v.get(points_key) if points_key else None
        if points is None or not low <= points <= high:
            return generic(v, a)
        return points  # type: ignore[no-any-return]

    generic = _generic(rule)
    return fn


def _manual(rule: Manual) -> PointsFn:
    key, most = rule.key, rule.max

    def fn(v: Values, a: CleanAnswers) -> Decimal:
        value: Decimal = v[key]
        if value > most:
            return generic(v, a)
        return value

    generic = _generic(rule)
    return fn


def _sum(rule: Sum) -> PointsFn:
    parts = tuple(compile_rule(p) for p in rule.parts)
    cap = rule.cap

    def fn(v: Values, a: CleanAnswers) -> Decimal:
        total = ZERO
        for part in parts:
            total += part(v, a)
        return total if total <= cap else cap

    return fn


def _all_met(rule: AllMet) -> PointsFn:
    if rule.counted:  # lists counted inside a time window: the rule's own evaluate
        return _generic(rule)
    conditions, points = tuple(rule.conditions), rule.points

    def fn(v: Values, a: CleanAnswers) -> Decimal:
        for key, low, high in conditions:
            value = v[key]
            if low is None and high is None:
                if not value:
                    return ZERO
            elif (low is not None and value < low) or (high is not None and value > high):
                return ZERO
        return points

    return fn


def _level_items(rule: LevelItems) -> PointsFn:
    """Items without the notes the explanation needs; same windows, dedupe and bonus."""
    key, level_field, table, cap = rule.key, rule.level_field, rule.points, rule.cap
    dedupe, window, date_field = rule.dedupe, rule.window, rule.date_field
    bonus_field, factor = rule.bonus_field, rule.bonus_factor
    windows = rule.ctx.windows

    def worth(item: Mapping[str, Any]) -> Decimal:
        base = table[item[level_field]]
        return base * factor if bonus_field and item.get(bonus_field) else base

    def fn(v: Values, a: CleanAnswers) -> Decimal:
        items = v[key]
        if window is not None:
            start = windows[window].start(a.as_of)
            items = [i for i in items if i[date_field] >= start]
        if dedupe is not None:
            best: dict[str, Decimal] = {}
            for item in items:
                name = str(item[dedupe]).strip()
                value = worth(item)
                if value > best.get(name, ZERO - 1):
                    best[name] = value
            total = sum(best.values(), ZERO)
        else:
            total = sum((worth(i) for i in items), ZERO)
        return total if total <= cap else cap

    return fn


def _generic(rule: Rule) -> PointsFn:
    ctx = rule.ctx

    def fn(v: Values, a: CleanAnswers) -> Decimal:
        env = Env(
            code=ctx.code,
            points=ctx.points,
            values=v,
            context=a.context,
            inputs=ctx.inputs,
            context_inputs=ctx.context_inputs,
            as_of=a.as_of,
            windows=ctx.windows,
        )
        return rule.evaluate(env).points

    return fn


FAST: dict[type[Rule], Callable[[Any], PointsFn]] = {
    YesNo: _yes_no,
    Choice: _choice,
    Checklist: _checklist,
    NOfM: _n_of_m,
    DeductPerMissing: _deduct_per_missing,
    Tiers: _tiers,
    TargetDeduction: _target,
    CountPoints: _count_points,
    ScenarioCount: _scenarios,
    Band: _band,
    Manual: _manual,
    Sum: _sum,
    AllMet: _all_met,
    LevelItems: _level_items,
}


def compile_rule(rule: Rule) -> PointsFn:
    maker = FAST.get(type(rule))
    return maker(rule) if maker is not None else _generic(rule)


def compile_totals(fw: Framework) -> Callable[[CleanAnswers], Decimal]:
    """A function from checked answers to the framework's total (base + bonus), equal to
    `score_clean(fw, answers).total`. The steps are unrolled into one generated function (no
    per-leaf loop overhead; yes/no leaves inlined). Frameworks with "same case counts once"
    policies use the full scorer, because a case's home depends on the other indicators."""
    if fw.case_policies:
        return lambda answers: score_clean(fw, answers).total
    namespace: dict[str, Any] = {
        "ZERO": ZERO,
        "EXP": Decimal(1).scaleb(-fw.places),
        "MODE": ROUNDING_MODES[fw.rounding_mode],
    }
    lines = [
        "def total(answers):",
        "    V = answers.values",
        "    C = answers.context",
        "    CH = answers.choices",
        "    r = ZERO",
    ]
    for index, leaf in enumerate(fw.leaves()):
        rule = leaf.rule
        assert rule is not None
        required = frozenset(k for k, spec in leaf.inputs.items() if not spec.optional)
        used = rule.input_keys()
        context_keys = frozenset(k for k in fw.context if k in used)
        namespace[f"R{index}"] = required
        namespace[f"CAP{index}"] = leaf.points
        conditions = [f"v{index} is not None", f"v{index}.keys() >= R{index}"]
        if context_keys:
            namespace[f"CK{index}"] = context_keys
            conditions.append(f"C.keys() >= CK{index}")
        for parent, child in _alternatives(fw, leaf):
            conditions.append(f"CH.get({parent!r}) == {child!r}")
        lines.append(f"    v{index} = V.get({leaf.code!r})")
        lines.append(f"    if {' and '.join(conditions)}:")
        if isinstance(rule, YesNo) and rule.points <= leaf.points:
            namespace[f"P{index}"] = rule.points
            lines.append(f"        if v{index}[{rule.key!r}]:")
            lines.append(f"            r += P{index}")
            continue
        namespace[f"F{index}"] = compile_rule(rule)
        lines += [
            f"        p = F{index}(v{index}, answers)",
            f"        if p > CAP{index}:",
            f"            p = CAP{index}",
            "        if p != p.to_integral_value():",
            "            p = p.quantize(EXP, rounding=MODE)",
            "        r += p",
        ]
    lines.append("    return r")
    # The source is ours, generated from the checked framework: no user text reaches it but codes,
    # which are embedded with repr().
    exec(compile("\n".join(lines), f"<totals {fw.id}>", "exec"), namespace)
    function: Callable[[CleanAnswers], Decimal] = namespace["total"]
    return function


def _alternatives(fw: Framework, leaf: Indicator) -> tuple[tuple[str, str], ...]:
    """(choose-one parent, alternative) pairs a leaf sits under: it counts only if chosen."""
    pairs = []
    node: Indicator | None = leaf
    while node is not None and node.parent is not None:
        if node.parent.choose_one:
            pairs.append((node.parent.code, node.code))
        node = node.parent
    return tuple(pairs)
