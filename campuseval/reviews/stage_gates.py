"""The review steps' stage gates that need a review object to decide (the dates themselves are
read in `campaigns.stages`)."""

from __future__ import annotations

from campuseval.campaigns import stages

from .models import Assignment


def check_scoring_open(assignment: Assignment) -> None:
    """Experts score while the expert review stage runs. A sheet reopened by a 复议 after
    publication is scored whenever the 复议 asks, until the campaign closes."""
    campaign = Assignment.objects.select_related("panel__campaign").get(pk=assignment.pk).panel.campaign
    if assignment.reconsideration_id is not None:
        if campaign.status == campaign.Status.CLOSED:
            stages.check_open(campaign, stages.Action.EXPERT_REVIEW)
        return
    stages.check_open(campaign, stages.Action.EXPERT_REVIEW)
