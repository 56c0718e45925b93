"""Plain-text rendering of a score result for the command line."""

from __future__ import annotations

import unicodedata

from .numbers import fmt
from .results import NOT_CHOSEN, UNANSWERED, ScoreResult


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def render_table(result: ScoreResult) -> str:
    """Every indicator with points and explanation, indented by level; then the summary."""
    out = [f"{result.framework_title}（{result.framework_id}）", f"评估基准日：{result.as_of.isoformat()}", ""]
    for code, r in result.indicators.items():
        indent = "  " * r.depth
        name = f"{indent}{code} {r.title}"
        if len(name) > 28:
            name = name[:27] + "…"
        score = f"{fmt(r.points)}/{fmt(r.max_points)}"
        flag = {UNANSWERED: " [未作答]", NOT_CHOSEN: " [未选]"}.get(r.status, "")
        text = r.explanation if r.is_leaf else f"【{r.level_name}小计】{r.explanation}"
        out.append(f"{_pad(name, 58)} {score:>9}  {text}{flag}")
    out.append("")
    if result.parts:
        for name, value in result.parts.items():
            out.append(f"{name}：{fmt(value)} 分")
    if result.bonus_total:
        out.append(f"基本分：{fmt(result.base_total)} 分；加分：{fmt(result.bonus_total)} 分")
    out.append(f"总分：{fmt(result.total)} / {fmt(result.max_total)} 分")
    out.append(f"作答进度：{result.answered_count}/{result.leaf_count}")
    if result.unanswered:
        out.append("未作答：" + "、".join(result.unanswered))
    if result.unmet_requirements:
        out.append("未达到的★/▲要求：" + "；".join(m.describe() for m in result.unmet_requirements))
    if result.unmet_necessary:
        out.append("未满足的必要条件：" + "；".join(m.describe() for m in result.unmet_necessary))
    if result.level:
        out.append(f"达到等级：{result.level}")
    elif result.next_level is not None:
        out.append("达到等级：未达到任何等级")
    if result.next_level is not None:
        out.append(f"下一等级：{result.next_level['name']}（{result.next_level['summary']}）")
    if result.eligibility_applies:
        if result.eligible:
            out.append("申报资格：符合")
        else:
            out.append("申报资格：不符合 — " + "；".join(result.eligibility_reasons))
    return "\n".join(out) + "\n"
