"""The 3-year cultivation cycle as domain functions: projects from a final list, scheduled
evaluations, warnings, termination, and the award decision with its stated conditions.

The functions live by subject in the modules below and are all importable from here."""

from __future__ import annotations

from .evaluations import (
    AWARD_SCORE,
    SAMPLED_SCHOOL_MIN,
    AwardCheck,
    capped_by_creation,
    check_award,
    conclude_evaluation,
    evaluation_result,
    open_evaluation,
    record_evaluation,
    sampled_school_result,
    source_application,
    steps_text,
)
from .plans import PLAN_EXTENSIONS, accept_plan, check_plan_file, return_plan, store_plan, submit_plan
from .progress import Moved, ProgressRow, Risk, progress, risk_of
from .projects import (
    add_months,
    create_projects,
    district_figures,
    exclude_school,
    mark_application,
    schedule,
    terminate_project,
)
from .reminders import overdue, remind_due, tell_once

__all__ = [
    "AWARD_SCORE",
    "PLAN_EXTENSIONS",
    "SAMPLED_SCHOOL_MIN",
    "AwardCheck",
    "Moved",
    "ProgressRow",
    "Risk",
    "accept_plan",
    "add_months",
    "capped_by_creation",
    "check_award",
    "check_plan_file",
    "conclude_evaluation",
    "create_projects",
    "district_figures",
    "evaluation_result",
    "exclude_school",
    "mark_application",
    "open_evaluation",
    "overdue",
    "progress",
    "record_evaluation",
    "remind_due",
    "return_plan",
    "risk_of",
    "sampled_school_result",
    "schedule",
    "source_application",
    "steps_text",
    "store_plan",
    "submit_plan",
    "tell_once",
    "terminate_project",
]
