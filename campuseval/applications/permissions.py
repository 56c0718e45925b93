"""Who may see and change an application: the school's applicant and head edit it; the county
reviewer of its county and the campaign's organizers see it once submitted. Anyone else gets 404."""

from __future__ import annotations

from typing import Any

from campuseval.accounts.models import Membership, Role
from campuseval.orgs.models import Unit

SCHOOL_ROLES = (Role.APPLICANT, Role.HEAD)


def unit_ids_with(user: Any, *roles: str) -> set[int]:
    """Units where the user holds one of `roles` (empty for anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Membership.objects.filter(user=user, role__in=roles).values_list("unit_id", flat=True))


def can_edit(user: Any, application: Any) -> bool:
    """The school's own applicant or head prepares the application."""
    return application.unit_id in unit_ids_with(user, *SCHOOL_ROLES)


def is_head(user: Any, unit: Unit) -> bool:
    """Only the head (负责人) confirms the authenticity promise and submits."""
    return unit.pk in unit_ids_with(user, Role.HEAD)


def is_county_reviewer_for(user: Any, unit: Unit) -> bool:
    county = unit.ancestor_of_kind(Unit.Kind.COUNTY)
    return county is not None and county.pk in unit_ids_with(user, Role.COUNTY_REVIEWER)
