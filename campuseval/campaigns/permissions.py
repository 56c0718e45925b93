"""Who may manage and who may see a campaign.

Organizers (市/省组织者) manage the campaigns organized at their unit or below it. Schools and
counties only read the campaigns that cover them, once they are no longer in preparation."""

from __future__ import annotations

from typing import Any

from campuseval.accounts.models import Membership, Role
from campuseval.orgs.models import Unit

#: roles that read the campaigns covering their unit
COVERED_ROLES = (Role.APPLICANT, Role.HEAD, Role.COUNTY_REVIEWER)


def unit_ids_with(user: Any, *roles: str) -> set[int]:
    """Units where the user holds one of `roles` (empty for anonymous users)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Membership.objects.filter(user=user, role__in=roles).values_list("unit_id", flat=True))


def organizer_units(user: Any) -> list[Unit]:
    """The units at which the user is an organizer, in code order."""
    return list(Unit.objects.filter(pk__in=unit_ids_with(user, Role.ORGANIZER)).order_by("code"))


def organizer_scope(user: Any) -> set[int]:
    """Ids of every unit at or below the user's organizer units."""
    ids: set[int] = set()
    for unit in organizer_units(user):
        ids |= unit.descendant_ids()
    return ids


def is_organizer(user: Any) -> bool:
    return bool(unit_ids_with(user, Role.ORGANIZER))


def is_organizer_for(user: Any, campaign: Any) -> bool:
    """An organizer at the campaign's organizing unit or any unit above it."""
    ids = unit_ids_with(user, Role.ORGANIZER)
    if not ids:
        return False
    organizer = campaign.organizer
    return organizer.pk in ids or any(u.pk in ids for u in organizer.ancestors())
