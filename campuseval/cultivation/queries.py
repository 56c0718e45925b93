"""Scoped querysets for cultivation pages: nobody reaches another unit's project."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from campuseval.accounts.models import Membership, Role
from campuseval.orgs.models import Unit
from campuseval.reviews.queries import organizer_campaigns

from .models import Evaluation, Project


def _below(unit_ids: set[int]) -> set[int]:
    ids: set[int] = set()
    for unit in Unit.objects.filter(pk__in=unit_ids):
        ids |= unit.descendant_ids()
    return ids


def visible_projects(user: Any) -> QuerySet[Project]:
    """Organizers see the projects of their campaigns; county reviewers those of units in
    their county; a unit sees its own project."""
    if not getattr(user, "is_authenticated", False):
        return Project.objects.none()
    roles: dict[str, set[int]] = {key: set() for key in (Role.APPLICANT, Role.HEAD, Role.COUNTY_REVIEWER)}
    for unit_id, role in Membership.objects.filter(user=user, role__in=list(roles)).values_list("unit_id", "role"):
        roles[role] = roles[role] | {unit_id}
    own = roles[Role.APPLICANT] | roles[Role.HEAD]
    county = _below(roles[Role.COUNTY_REVIEWER])
    return Project.objects.filter(
        Q(selection__in=organizer_campaigns(user)) | Q(unit_id__in=own) | Q(unit_id__in=county)
    ).select_related("unit", "selection__organizer", "application__framework")


def overview_projects(user: Any) -> QuerySet[Project]:
    """Projects with their evaluations prefetched, for the list with status and risk."""
    return visible_projects(user).prefetch_related(
        Prefetch("evaluations", queryset=Evaluation.objects.order_by("due_date", "pk"))
    )
