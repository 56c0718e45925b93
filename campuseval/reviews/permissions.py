"""Who may act in review and selection: the county reviewer of an applicant's county, the
organizer of a campaign (at the organizing unit or above), the expert assigned."""

from __future__ import annotations

from typing import Any

from campuseval.accounts.models import Membership, Role
from campuseval.orgs.models import Unit


def _unit_ids_with_role(user: Any, role: str) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Membership.objects.filter(user=user, role=role).values_list("unit_id", flat=True))


def county_of(unit: Unit) -> Unit | None:
    """The county/district a unit belongs to (a district applicant is its own county)."""
    return unit.ancestor_of_kind(Unit.Kind.COUNTY)


def is_county_reviewer_for(user: Any, unit: Unit) -> bool:
    county = county_of(unit)
    return county is not None and county.pk in _unit_ids_with_role(user, Role.COUNTY_REVIEWER)


def is_organizer_for(user: Any, campaign: Any) -> bool:
    """An organizer at the campaign's organizing unit or any unit above it."""
    ids = _unit_ids_with_role(user, Role.ORGANIZER)
    if not ids:
        return False
    organizer = campaign.organizer
    return organizer.pk in ids or any(u.pk in ids for u in organizer.ancestors())


def expert_profile(user: Any) -> Any:
    from .models import Expert

    if not getattr(user, "is_authenticated", False):
        return None
    return Expert.objects.filter(user=user, is_active=True).first()
