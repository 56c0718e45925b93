"""Score an application against a framework: the walk over the indicator tree giving each
indicator its points and a Chinese line that cites the numbers, subtotals and totals, unmet
★/▲ marks. Input is checked first (`answers.clean_answers`); what the result holds is in
`results`, the level and eligibility decisions in `levels`, the per-framework plan in `plan`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from .answers import CleanAnswers, clean_answers
from .errors import InvalidAnswers, Problem
from .framework import Framework, Indicator, Mark
from .levels import decide_eligibility, decide_level
from .numbers import ZERO, fmt
from .plan import excluded_cases, leaf_points, not_chosen_codes, scoring_plan
from .results import NOT_CHOSEN, SCORED, UNANSWERED, IndicatorResult, ScoreResult, UnmetMark
from .rules import Env
from .rules.base import NO_CASES

__all__ = ["CleanAnswers", "IndicatorResult", "ScoreResult", "clean_answers", "score", "score_clean"]


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
    plan = scoring_plan(fw)
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
            missing = leaf_plan.missing(values, context)
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
    for code, keys in plan.reviewer_decided.items():
        results[code].reviewer_decided = keys
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
    decide_eligibility(fw, answers, result)
    decide_level(fw, result)
    return result
