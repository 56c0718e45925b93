"""Where a project stands: its risk for the organizer's overview, and its scores across
evaluations with the growth (增值) since creation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from campuseval.campaigns.scoring import framework_for
from campuseval.engine.numbers import fmt

from ..models import Evaluation, Project
from .evaluations import AWARD_SCORE


@dataclass
class Risk:
    level: str  # "high" | "medium" | ""
    reasons: list[str]
    latest: Decimal | None
    next_due: Evaluation | None


def risk_of(project: Project, today: dt.date | None = None) -> Risk:
    """Why an organizer should look at this project now: overdue evaluations, a warning, a
    score below the creation score, or a final evaluation near with the score under 100.
    Reads `project.evaluations.all()` (prefetch it for lists)."""
    today = today or timezone.localdate()
    evaluations = list(project.evaluations.all())
    decided = [e for e in evaluations if e.score is not None]
    latest = decided[-1].score if decided else None
    pending = [e for e in evaluations if e.outcome == Evaluation.Outcome.PENDING]
    next_due = pending[0] if pending and project.is_open else None
    reasons: list[str] = []
    high = False
    if project.status == Project.Status.PLANNING:
        if today > project.start_date + dt.timedelta(days=90):
            reasons.append("开始已超过 90 天，实施方案尚未受理")
        return Risk("medium" if reasons else "", reasons, latest, None)
    if not project.is_open:
        return Risk("", [], latest, None)
    late = [e for e in pending if e.due_date < today]
    if late:
        high = True
        reasons.append(f"{len(late)} 项评估逾期（最早截止 {late[0].due_date}）")
    if project.status == Project.Status.WARNING:
        high = True
        reasons.append(f"预警整改中：{project.corrections}")
    if latest is not None and latest < project.creation_score:
        reasons.append(f"最近评定 {fmt(latest)} 分，低于创建评定 {fmt(project.creation_score)} 分")
    final = next((e for e in evaluations if e.kind == Evaluation.Kind.FINAL), None)
    current = latest if latest is not None else project.creation_score
    near = final is not None and final in pending and final.due_date - today <= dt.timedelta(days=365)
    if near and current < AWARD_SCORE:
        reasons.append(f"距终期评审不足一年，目前 {fmt(current)} 分，未达 {fmt(AWARD_SCORE)} 分")
    level = "high" if high else ("medium" if reasons else "")
    return Risk(level, reasons, latest, next_due)


@dataclass
class Moved:
    code: str
    title: str
    delta: Decimal


@dataclass
class ProgressRow:
    label: str
    score: Decimal | None
    sections: dict[str, Decimal]
    change: Decimal | None
    moved: list[Moved]
    growth: Decimal | None = None  # 增值: change from the creation score


def progress(project: Project) -> tuple[list[tuple[str, str]], list[ProgressRow]]:
    """Scores at creation and at each decided evaluation, per top-level section, with the
    change from the previous row, the growth (增值) since creation and the indicators that
    moved."""
    fw = framework_for(project.application.framework)
    sections = [(top.code, top.title) for top in fw.indicators]
    section_leaves = {top.code: [n.code for n in top.walk() if n.is_leaf] for top in fw.indicators}
    leaves = fw.leaves()

    def by_section(indicators: dict[str, Any]) -> dict[str, Decimal]:
        return {
            code: sum((Decimal(str(indicators.get(leaf, "0"))) for leaf in codes), Decimal(0))
            for code, codes in section_leaves.items()
        }

    rows = [ProgressRow("创建评定", project.creation_score, by_section(project.creation_indicators), None, [])]
    previous = project.creation_indicators
    previous_score = project.creation_score
    for evaluation in project.evaluations.exclude(score__isnull=True).order_by("due_date"):
        moved = []
        for leaf in leaves:
            before = Decimal(str(previous.get(leaf.code, "0")))
            after = Decimal(str(evaluation.indicators.get(leaf.code, "0")))
            if before != after:
                moved.append(Moved(leaf.code, leaf.title, after - before))
        label = evaluation.get_kind_display()
        if evaluation.kind == Evaluation.Kind.ANNUAL:
            label = f"第{evaluation.sequence}年{label}"
        assert evaluation.score is not None
        rows.append(
            ProgressRow(
                f"{label}（{evaluation.due_date}）",
                evaluation.score,
                by_section(evaluation.indicators),
                evaluation.score - previous_score,
                moved,
                evaluation.score - project.creation_score,
            )
        )
        previous, previous_score = evaluation.indicators, evaluation.score
    return sections, rows
