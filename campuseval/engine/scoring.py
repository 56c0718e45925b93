"""Score an application against a framework: points per indicator with a Chinese line that
cites the numbers, subtotals, totals, unmet ★/▲ and necessary conditions, level and gap,
eligibility. Input is checked first; every bad field is reported with its indicator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .errors import InvalidAnswers, Problem
from .framework import MARK_NAMES, Framework, Indicator, Mark
from .numbers import ROUNDING_MODES, ZERO, fmt
from .rules import Env
from .rules.base import NO_CASES

ANSWER_KEYS = {"framework", "as_of", "context", "choices", "declarations", "answers", "applicant"}

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
            },
            "choices": dict(self.choices),
        }


@dataclass
class CleanAnswers:
    """Answers after checking: parsed values per leaf code, context, choices, declarations."""

    as_of: dt.date
    values: dict[str, dict[str, Any]]
    context: dict[str, Any]
    choices: dict[str, str]
    declarations: dict[str, bool]


def _today() -> dt.date:
    return dt.date.today()


def clean_answers(fw: Framework, raw: Mapping[str, Any], *, as_of: dt.date | None = None) -> CleanAnswers:
    """Check an answer document against the framework and parse every value.

    Raises InvalidAnswers listing every problem (unknown code or field, wrong type, negative
    count, percentage over 100, date after the reference date), each with code and field."""
    problems: list[Problem] = []

    def bad(zh: str, en: str, *, code: str = "", fieldname: str = "") -> None:
        problems.append(Problem(zh, en, code=code, field=fieldname))

    if not isinstance(raw, Mapping):
        raise InvalidAnswers([Problem("答卷应为映射", "answers must be a mapping")])
    for key in sorted(set(raw) - ANSWER_KEYS):
        bad(f"未知的顶层键 {key}", f"unknown top-level key {key}", fieldname=key)
    if raw.get("framework") not in (None, fw.id):
        bad(
            f"答卷属于框架 {raw.get('framework')}，不是 {fw.id}",
            "answers belong to another framework",
            fieldname="framework",
        )
    if as_of is None:
        given = raw.get("as_of")
        if given is None:
            as_of = _today()
        elif isinstance(given, dt.date):
            as_of = given
        else:
            try:
                as_of = dt.date.fromisoformat(str(given))
            except ValueError:
                bad(f"评估基准日「{given}」不是日期", "as_of is not a date", fieldname="as_of")
                as_of = _today()

    context: dict[str, Any] = {}
    raw_context = raw.get("context") or {}
    if not isinstance(raw_context, Mapping):
        bad("context 应为映射", "context must be a mapping", fieldname="context")
        raw_context = {}
    for key, value in raw_context.items():
        spec = fw.context.get(key)
        if spec is None:
            bad(f"未知的基本情况字段 {key}", f"unknown context field {key}", fieldname=f"context.{key}")
            continue
        if value is None:
            continue
        try:
            context[key] = spec.parse(value, as_of=as_of)
        except ValueError as exc:
            bad(str(exc), f"bad value for context field {key}", fieldname=f"context.{key}")

    choices: dict[str, str] = {}
    raw_choices = raw.get("choices") or {}
    choose_nodes = {n.code: n for n in fw.choose_one_nodes()}
    for code, chosen in raw_choices.items() if isinstance(raw_choices, Mapping) else []:
        node = choose_nodes.get(str(code))
        if node is None:
            bad(
                f"指标 {code} 不是多选一部分",
                f"{code} is not a choose-one section",
                code=str(code),
                fieldname="choices",
            )
            continue
        if chosen is None:
            continue
        options = [c.code for c in node.children]
        if str(chosen) not in options:
            bad(
                f"方向「{chosen}」不存在，可选：{'、'.join(options)}",
                "unknown alternative",
                code=str(code),
                fieldname="choices",
            )
            continue
        choices[str(code)] = str(chosen)

    declarations: dict[str, bool] = {}
    known_decl = {e.key: e for e in (fw.eligibility.exclusions if fw.eligibility else ())}
    raw_decl = raw.get("declarations") or {}
    for key, value in raw_decl.items() if isinstance(raw_decl, Mapping) else []:
        if key not in known_decl:
            bad(f"未知的声明项 {key}", f"unknown declaration {key}", fieldname=f"declarations.{key}")
            continue
        if value is None:
            continue
        if not isinstance(value, bool):
            bad(
                f"声明项「{known_decl[key].label}」应填 true 或 false",
                "declaration must be a boolean",
                fieldname=f"declarations.{key}",
            )
            continue
        declarations[key] = value

    values: dict[str, dict[str, Any]] = {}
    raw_answers = raw.get("answers") or {}
    if not isinstance(raw_answers, Mapping):
        bad("answers 应为映射：指标编码 → 字段", "answers must map codes to fields", fieldname="answers")
        raw_answers = {}
    for code, fields in raw_answers.items():
        code = str(code)
        node = fw.by_code.get(code)
        if node is None:
            bad(f"未知的指标编码 {code}", f"unknown indicator code {code}", code=code)
            continue
        if not node.is_leaf:
            bad(f"指标 {code} 有下级指标，请在末级指标下作答", f"{code} is not a leaf indicator", code=code)
            continue
        if fields is None:
            continue
        if not isinstance(fields, Mapping):
            bad("应为 字段 → 值 的映射", "must map fields to values", code=code)
            continue
        parsed: dict[str, Any] = {}
        for key, value in fields.items():
            spec = node.inputs.get(str(key))
            if spec is None:
                known = "、".join(node.inputs) or "无"
                bad(f"未知字段 {key}（可填：{known}）", f"unknown field {key}", code=code, fieldname=str(key))
                continue
            if value is None:
                continue
            try:
                parsed[str(key)] = spec.parse(value, as_of=as_of)
            except ValueError as exc:
                bad(str(exc), f"bad value for {key}", code=code, fieldname=str(key))
        values[code] = parsed
    if problems:
        raise InvalidAnswers(problems)
    return CleanAnswers(as_of=as_of, values=values, context=context, choices=choices, declarations=declarations)


@dataclass(frozen=True)
class _LeafPlan:
    node: Indicator
    required: tuple[tuple[str, str], ...]
    context_required: tuple[tuple[str, str], ...]
    required_keys: frozenset[str]
    context_keys: frozenset[str]

    def answered(self, values: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
        """Every required input (and every context input the rule reads) is given."""
        return values.keys() >= self.required_keys and (not self.context_keys or context.keys() >= self.context_keys)


@dataclass(frozen=True)
class _Plan:
    """What scoring needs from a framework, worked out once per framework object."""

    order: tuple[Indicator, ...]
    #: every indicator after its children: the order results are worked out in
    postorder: tuple[Indicator, ...]
    leaves: dict[str, _LeafPlan]
    choose_one: tuple[Indicator, ...]
    marked: tuple[Indicator, ...]
    #: the rounding step and mode of `fw.places` / `fw.rounding_mode`
    exponent: Decimal
    rounding: str


_PLANS: dict[int, tuple[Framework, _Plan]] = {}


def _plan(fw: Framework) -> _Plan:
    cached = _PLANS.get(id(fw))
    if cached is not None and cached[0] is fw:
        return cached[1]
    order = tuple(fw.walk())
    leaves = {}
    for node in order:
        if node.is_leaf and node.rule is not None:
            used = node.rule.input_keys()
            required = tuple((k, s.label) for k, s in node.inputs.items() if not s.optional)
            context_required = tuple((k, s.label) for k, s in fw.context.items() if k in used)
            leaves[node.code] = _LeafPlan(
                node=node,
                required=required,
                context_required=context_required,
                required_keys=frozenset(k for k, _ in required),
                context_keys=frozenset(k for k, _ in context_required),
            )
    postorder: list[Indicator] = []

    def after_children(node: Indicator) -> None:
        for child in node.children:
            after_children(child)
        postorder.append(node)

    for top in fw.indicators:
        after_children(top)
    plan = _Plan(
        order=order,
        postorder=tuple(postorder),
        leaves=leaves,
        choose_one=tuple(n for n in order if n.choose_one),
        marked=tuple(n for n in order if any(m.kind != "bonus" for m in n.marks)),
        exponent=Decimal(1).scaleb(-fw.places),
        rounding=ROUNDING_MODES[fw.rounding_mode],
    )
    _PLANS[id(fw)] = (fw, plan)
    return plan


def leaf_points(raw: Decimal, cap: Decimal, exponent: Decimal, rounding: str) -> Decimal:
    """A leaf's points from its rule's: at most the indicator's points, and rounded to the
    framework's places (`exponent`, `rounding`) only when not a whole number."""
    capped = raw if raw <= cap else cap
    return capped if capped == capped.to_integral_value() else capped.quantize(exponent, rounding=rounding)


def not_chosen_codes(fw: Framework, choices: Mapping[str, str]) -> set[str]:
    """Codes (every level) under the alternatives of choose-one sections that were not chosen."""
    not_chosen: set[str] = set()
    for node in _plan(fw).choose_one:
        chosen = choices.get(node.code)
        for child in node.children:
            if child.code != chosen:
                not_chosen.update(n.code for n in child.walk())
    return not_chosen


def excluded_cases(fw: Framework, answers: CleanAnswers, not_chosen: set[str]) -> dict[str, dict[str, str]]:
    """For "the same case counts once" policies: leaf code → {case: the leaf that scores it}
    for every case this leaf must leave out, because another indicator earns more with it."""
    plan = _plan(fw)
    excluded: dict[str, dict[str, str]] = {}
    for policy in fw.case_policies:
        best: dict[str, tuple[Decimal, int, str]] = {}
        for order, code in enumerate(policy.indicators):
            leaf_plan = plan.leaves.get(code)
            values = answers.values.get(code, {})
            if code in not_chosen or leaf_plan is None or not leaf_plan.answered(values, answers.context):
                continue
            node = leaf_plan.node
            assert node.rule is not None
            env = Env(
                code=node.code,
                points=node.points,
                values=values,
                context=answers.context,
                inputs=node.inputs,
                context_inputs=fw.context,
                as_of=answers.as_of,
                windows=fw.windows,
            )
            for claim in node.rule.case_claims(env):
                current = best.get(claim.case)
                if current is None or claim.points > current[0]:
                    best[claim.case] = (claim.points, order, code)
        for case, (_, _, owner) in best.items():
            for code in policy.indicators:
                if code != owner:
                    excluded.setdefault(code, {})[case] = owner
    return excluded


def _missing_inputs(leaf: _LeafPlan, values: Mapping[str, Any], context: Mapping[str, Any]) -> list[str]:
    missing = [label for key, label in leaf.required if key not in values]
    if leaf.context_required:
        missing += [label for key, label in leaf.context_required if key not in context]
    return missing


def _mark_met(mark: Mark, result: IndicatorResult, values: Mapping[str, Any]) -> bool:
    if result.status != SCORED:
        return False
    if mark.met == "full":
        return result.points >= result.max_points
    if mark.met == "any":
        return result.points > ZERO
    if mark.met == "input":
        return bool(values.get(mark.input))
    return result.points >= mark.min_points


def score(
    fw: Framework,
    raw: Mapping[str, Any],
    *,
    as_of: dt.date | None = None,
    overrides: Mapping[str, Decimal] | None = None,
) -> ScoreResult:
    """Check and score an answer document. See README for its format.

    `overrides` maps leaf codes to points a reviewer set directly (within the indicator's
    points); the rule's own result is kept in the explanation beside it."""
    return score_clean(fw, clean_answers(fw, raw, as_of=as_of), overrides=overrides)


def score_clean(fw: Framework, answers: CleanAnswers, *, overrides: Mapping[str, Decimal] | None = None) -> ScoreResult:
    """Score answers already checked by `clean_answers` (the web layer and benchmarks call
    this directly after checking once)."""
    plan = _plan(fw)
    overrides = overrides or {}
    bad_overrides = []
    for code, value in overrides.items():
        target = fw.by_code.get(code)
        if target is None or not target.is_leaf:
            bad_overrides.append(Problem(f"未知的末级指标 {code}", f"unknown leaf {code}", code=code, field="points"))
        elif not ZERO <= value <= target.points:
            bad_overrides.append(
                Problem(
                    f"调整分值应在 0–{fmt(target.points)} 分之间，收到 {fmt(value)}",
                    "override outside the indicator's points",
                    code=code,
                    field="points",
                )
            )
    if bad_overrides:
        raise InvalidAnswers(bad_overrides)
    results: dict[str, IndicatorResult] = {}
    problems: list[Problem] = []
    not_chosen = not_chosen_codes(fw, answers.choices) if plan.choose_one else set()
    context, as_of = answers.context, answers.as_of

    def make_env(node: Indicator, values: Mapping[str, Any], excluded: Mapping[str, str]) -> Env:
        return Env(
            code=node.code,
            points=node.points,
            values=values,
            context=context,
            inputs=node.inputs,
            context_inputs=fw.context,
            as_of=as_of,
            windows=fw.windows,
            excluded_cases=excluded,
        )

    excluded = excluded_cases(fw, answers, not_chosen) if fw.case_policies else {}
    places, exponent, rounding = fw.places, plan.exponent, plan.rounding

    def leaf(node: Indicator) -> IndicatorResult:
        rule = node.rule
        assert rule is not None
        if node.code in not_chosen:
            return IndicatorResult(
                code=node.code,
                title=node.title,
                level_name=node.level_name,
                depth=node.depth,
                points=ZERO,
                max_points=node.points,
                explanation="未选择该方向，不计分",
                status=NOT_CHOSEN,
                is_leaf=True,
                bonus=node.bonus,
            )
        values = answers.values.get(node.code, {})
        leaf_plan = plan.leaves[node.code]
        if not leaf_plan.answered(values, context):
            missing = _missing_inputs(leaf_plan, values, context)
            context_missing = any(key not in answers.context for key, _ in leaf_plan.context_required)
            nothing = not values and not context_missing
            text = "未作答，得 0 分" if nothing else f"未填写：{'、'.join(missing)}，暂按 0 分计"
            return IndicatorResult(
                code=node.code,
                title=node.title,
                level_name=node.level_name,
                depth=node.depth,
                points=ZERO,
                max_points=node.points,
                explanation=text,
                status=UNANSWERED,
                is_leaf=True,
                bonus=node.bonus,
                missing=tuple(missing),
            )
        left_out = excluded.get(node.code, NO_CASES)
        try:
            raw = rule.fast(values, context, as_of, left_out)
        except ValueError as exc:
            problems.append(Problem(str(exc), "bad value", code=node.code))
            return IndicatorResult(
                code=node.code,
                title=node.title,
                level_name=node.level_name,
                depth=node.depth,
                points=ZERO,
                max_points=node.points,
                explanation=str(exc),
                status=UNANSWERED,
                is_leaf=True,
                bonus=node.bonus,
            )
        points = leaf_points(raw, node.points, exponent, rounding)

        def explanation() -> str:
            # The rule's own line, written on first read by `evaluate` (same points as `fast`).
            text = rule.evaluate(make_env(node, values, left_out)).explanation
            if points == raw:
                return text
            if raw > node.points:
                return text + f"（超过本指标 {fmt(node.points)} 分，按 {fmt(node.points)} 分计）"
            return text + f"（保留 {places} 位小数为 {fmt(points)} 分）"

        return IndicatorResult(
            code=node.code,
            title=node.title,
            level_name=node.level_name,
            depth=node.depth,
            points=points,
            max_points=node.points,
            explanation=explanation,
            status=SCORED,
            is_leaf=True,
            bonus=node.bonus,
        )

    def overridden(node: Indicator, result: IndicatorResult) -> IndicatorResult:
        value = overrides[node.code]
        before = result

        def text() -> str:
            rule_part = f"（按规则 {fmt(before.points)} 分：{before.explanation}）" if before.status == SCORED else ""
            return f"评审调整为 {fmt(value)} 分{rule_part}"

        return IndicatorResult(
            code=node.code,
            title=node.title,
            level_name=node.level_name,
            depth=node.depth,
            points=value,
            max_points=node.points,
            explanation=text,
            status=SCORED,
            is_leaf=True,
            bonus=node.bonus,
        )

    def visit(node: Indicator) -> IndicatorResult:
        """One indicator's result; its children's are already in `results` (post-order)."""
        if not node.children:
            result = leaf(node)
            if overrides and node.code in overrides and result.status != NOT_CHOSEN:
                result = overridden(node, result)
        else:
            points = ZERO
            for child in node.children:
                child_result = results[child.code]
                if child_result.status != NOT_CHOSEN:
                    points += child_result.points
            status = SCORED
            subtotal = points

            def text_subtotal() -> str:
                return f"小计 {fmt(subtotal)} 分"

            text: str | Callable[[], str] = text_subtotal
            if node.choose_one:
                chosen = answers.choices.get(node.code)
                if chosen is None:
                    status = UNANSWERED
                    text = "未选择方向，本部分不计分"
                else:
                    title = fw.by_code[chosen].title
                    text = f"选择{title}，小计 {fmt(points)} 分"
            if node.code in not_chosen:
                status = NOT_CHOSEN
            result = IndicatorResult(
                code=node.code,
                title=node.title,
                level_name=node.level_name,
                depth=node.depth,
                points=points,
                max_points=node.points,
                explanation=text,
                status=status,
                is_leaf=False,
                bonus=node.bonus,
            )
        return result

    for node in plan.postorder:
        results[node.code] = visit(node)
    base_total = ZERO
    bonus_total = ZERO
    for top in fw.indicators:
        top_result = results[top.code]
        if top.bonus:
            bonus_total += top_result.points
        else:
            base_total += top_result.points
    if problems:
        raise InvalidAnswers(problems)

    unanswered = [code for code in plan.leaves if results[code].status == UNANSWERED]
    unanswered += [n.code for n in plan.choose_one if results[n.code].status == UNANSWERED]
    unmet: list[UnmetMark] = []
    for node in plan.marked:
        if node.code in not_chosen:
            continue
        values = answers.values.get(node.code, {})
        for mark in node.marks:
            if mark.kind != "bonus" and not _mark_met(mark, results[node.code], values):
                unmet.append(UnmetMark(code=node.code, kind=mark.kind, label=mark.label or node.title))

    result = ScoreResult(
        framework_id=fw.id,
        framework_title=fw.title,
        as_of=answers.as_of,
        total=base_total + bonus_total,
        base_total=base_total,
        bonus_total=bonus_total,
        max_total=fw.max_total,
        indicators={n.code: results[n.code] for n in plan.order},
        unanswered=unanswered,
        unmet=unmet,
        choices=dict(answers.choices),
    )
    for name, codes in fw.parts.items():
        result.parts[name] = sum((results[c].points for c in codes), ZERO)
    _decide_eligibility(fw, answers, result)
    _decide_level(fw, result)
    return result


def _decide_eligibility(fw: Framework, answers: CleanAnswers, result: ScoreResult) -> None:
    rule = fw.eligibility
    if rule is None:
        return
    result.eligibility_applies = True
    reasons: list[str] = []
    if rule.min_total is not None:
        basis = result.base_total if rule.on == "base" else result.total
        if basis < rule.min_total:
            which = "基本分" if rule.on == "base" else "总分"
            reasons.append(f"{which} {fmt(basis)} 分，未达到申报要求的 {fmt(rule.min_total)} 分")
    if rule.necessary:
        for mark in result.unmet_necessary:
            reasons.append(f"必要条件未满足：{mark.code} {mark.label}")
    for exclusion in rule.exclusions:
        declared = answers.declarations.get(exclusion.key)
        if declared is None:
            reasons.append(f"未声明：{exclusion.label}")
        elif declared:
            reasons.append(f"存在否决情形：{exclusion.label}")
    result.eligible = not reasons
    result.eligibility_reasons = reasons


def _level_gap(
    level_total: Decimal, result: ScoreResult, level_on: str, kinds: tuple[str, ...]
) -> tuple[Decimal, list[UnmetMark]]:
    basis = result.base_total if level_on == "base" else result.total
    gap = max(ZERO, level_total - basis)
    missing = [m for m in result.unmet if m.kind in kinds]
    return gap, missing


def _decide_level(fw: Framework, result: ScoreResult) -> None:
    reached_index: int | None = None
    for index, level in enumerate(fw.levels):
        gap, missing = _level_gap(level.min_total, result, level.on, level.requires)
        if gap == ZERO and not missing and result.eligible:
            reached_index = index
            result.level = level.name
            break
    target_index = (reached_index - 1) if reached_index is not None else len(fw.levels) - 1
    if target_index < 0 or not fw.levels:
        result.next_level = None
        return
    target = fw.levels[target_index]
    gap, missing = _level_gap(target.min_total, result, target.on, target.requires)
    summary = []
    if gap > ZERO:
        summary.append(f"距{target.name}还差 {fmt(gap)} 分")
    if missing:
        summary.append("未达到：" + "；".join(m.describe() for m in missing))
    if not result.eligible:
        summary.append("资格条件未满足")
    result.next_level = {
        "name": target.name,
        "min_total": fmt(target.min_total),
        "gap": fmt(gap),
        "missing": [{"code": m.code, "kind": m.kind, "label": m.label} for m in missing],
        "summary": "；".join(summary) or f"已满足{target.name}条件",
    }
