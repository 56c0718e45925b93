"""Eligibility (申报条件: minimum total, necessary conditions, declared exclusions) and the
level reached with the gap to the next one, decided on a finished score result."""

from __future__ import annotations

from decimal import Decimal

from .answers import CleanAnswers
from .framework import Framework
from .numbers import ZERO, fmt
from .results import SCORED, ScoreResult, UnmetMark


def decide_eligibility(fw: Framework, answers: CleanAnswers, result: ScoreResult) -> None:
    """Whether the applicant may apply: the minimum score, necessary conditions, exclusions.

    Inputs the seed leaves to the review group (`decided_by: reviewer`) are scored from what the
    applicant entered, like every other answer: the gate the seed sets is a self-score (Sichuan
    第四条“自评 70 分以上的可自愿申报”), so the applicant's self-estimate of them counts towards it,
    and the leaves are listed in `eligibility_self_estimated` so pages can say so. In review
    the reviewer's decision replaces the estimate (as the values or overrides scored there),
    and the same gate read on that result decides again."""
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
    if rule.min_total is not None:
        result.eligibility_self_estimated = [
            code for code, r in result.indicators.items() if r.reviewer_decided and r.status == SCORED
        ]


def level_gap(
    level_total: Decimal, result: ScoreResult, level_on: str, kinds: tuple[str, ...]
) -> tuple[Decimal, list[UnmetMark]]:
    basis = result.base_total if level_on == "base" else result.total
    gap = max(ZERO, level_total - basis)
    missing = [m for m in result.unmet if m.kind in kinds]
    return gap, missing


def decide_level(fw: Framework, result: ScoreResult) -> None:
    reached_index: int | None = None
    for index, level in enumerate(fw.levels):
        gap, missing = level_gap(level.min_total, result, level.on, level.requires)
        if gap == ZERO and not missing and result.eligible:
            reached_index = index
            result.level = level.name
            break
    target_index = (reached_index - 1) if reached_index is not None else len(fw.levels) - 1
    if target_index < 0 or not fw.levels:
        result.next_level = None
        return
    target = fw.levels[target_index]
    gap, missing = level_gap(target.min_total, result, target.on, target.requires)
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
