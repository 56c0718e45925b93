"""Submission checks registered by the apps above: a rule that reads what those apps own (a
level already awarded, say) and may refuse a submission. Each check returns the problems in
Chinese, an empty list when it has none. Warning checks are the same shape but refuse nothing:
the submit page shows what they say (the declared 申报类型 against the level the score reaches)."""

from __future__ import annotations

from collections.abc import Callable

from .models import Application

SubmissionCheck = Callable[[Application], list[str]]

submission_checks: list[SubmissionCheck] = []


def register_submission_check(check: SubmissionCheck) -> SubmissionCheck:
    if check not in submission_checks:
        submission_checks.append(check)
    return check


def registered_problems(application: Application) -> list[str]:
    return [problem for check in submission_checks for problem in check(application)]


submission_warning_checks: list[SubmissionCheck] = []


def register_submission_warning(check: SubmissionCheck) -> SubmissionCheck:
    if check not in submission_warning_checks:
        submission_warning_checks.append(check)
    return check


def registered_warnings(application: Application) -> list[str]:
    return [warning for check in submission_warning_checks for warning in check(application)]
