"""Scoped querysets for cultivation pages: nobody reaches another unit's project (the rules are
`campuseval.access`)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from campuseval.access import scopes
from campuseval.access.rules import Actor

from .models import Evaluation, Project


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
