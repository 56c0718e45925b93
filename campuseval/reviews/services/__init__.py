"""Review and selection, as domain functions. Each checks permission, validates, writes and
audits, so "谁受理、谁负责、谁签字" can always be answered from the audit log.

One module per step of the review; the public names are re-exported here so callers keep
writing `services.compute_results(...)`."""

from ..models import ReviewSettings
from .assignments import (
    abstain,
    agree_with_first_review,
    assign_batch,
    assign_expert,
    auto_assign,
    configure_review,
    confirm_no_conflict,
    conflict_checks,
    conflict_reason,
    create_panel,
    estimated_codes,
    record_expert_score,
    save_and_submit_expert_score,
    set_panel_members,
    submit_expert_score,
    undecided,
    unlock_assignment,
)
from .common import OBJECTIONS_PER_HOUR, StaleRevision
from .county import AdjustmentInput, decide_county_review, version_diff
from .experts import USERNAME_RE, add_conflict, add_expert, declare_conflict, remove_conflict, update_expert
from .publication import (
    answer_objection,
    feedback_for,
    finalize_blockers,
    finalize_results,
    lodge_objection,
    override_selection,
    publish_results,
    resolve_divergence,
)
from .recommendation import (
    check_city_quota,
    check_quota,
    confirm_recommendation,
    recommend_applications,
    recommend_from_city,
)
from .reconsideration import close_reconsideration, open_reconsideration
from .results import compute_results

__all__ = [
    "OBJECTIONS_PER_HOUR",
    "USERNAME_RE",
    "AdjustmentInput",
    "ReviewSettings",
    "StaleRevision",
    "abstain",
    "add_conflict",
    "add_expert",
    "agree_with_first_review",
    "answer_objection",
    "assign_batch",
    "assign_expert",
    "auto_assign",
    "check_city_quota",
    "check_quota",
    "close_reconsideration",
    "compute_results",
    "configure_review",
    "confirm_no_conflict",
    "confirm_recommendation",
    "conflict_checks",
    "conflict_reason",
    "create_panel",
    "decide_county_review",
    "declare_conflict",
    "estimated_codes",
    "feedback_for",
    "finalize_blockers",
    "finalize_results",
    "lodge_objection",
    "open_reconsideration",
    "override_selection",
    "publish_results",
    "recommend_applications",
    "recommend_from_city",
    "record_expert_score",
    "remove_conflict",
    "resolve_divergence",
    "save_and_submit_expert_score",
    "set_panel_members",
    "submit_expert_score",
    "undecided",
    "unlock_assignment",
    "update_expert",
    "version_diff",
]
