"""Scoped querysets for cultivation pages: nobody reaches another unit's project (the rules are
`campuseval.access`)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from campuseval.access import scopes
from campuseval.access.rules import Actor
from campuseval.reviews.models import ReviewSettings

from .models import Evaluation, Project
from .services.evaluations import steps_text


def visible_projects(user: Actor) -> QuerySet[Project]:
    """Organizers see the projects of their campaigns; county reviewers those of units in
    their county; a unit sees its own project."""
    return scopes.visible_projects(user, Project.objects.all()).select_related(
        "unit", "selection__organizer", "application__framework"
    )


def overview_projects(user: Actor) -> QuerySet[Project]:
    """Projects with their evaluations prefetched, for the list with status and risk."""
    return visible_projects(user).prefetch_related(
        Prefetch("evaluations", queryset=Evaluation.objects.order_by("due_date", "pk"))
    )


def evaluation_steps(evaluation: Evaluation) -> str:
    """The review steps of an opened evaluation's campaign, as chosen when it was opened."""
    if evaluation.campaign_id is None:
        return ""
    conf = ReviewSettings.objects.filter(campaign_id=evaluation.campaign_id).first()
    return steps_text(conf) if conf is not None else ""
