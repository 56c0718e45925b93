"""Who manages units: organizers and system administrators, for their unit and everything below
it. Everyone else gets 404 on the unit pages."""

from __future__ import annotations

from typing import Any

from campuseval.accounts.models import Membership, Role

from .models import Unit

UNIT_MANAGER_ROLES = (Role.ORGANIZER, Role.ADMIN)


def managed_roots(user: Any) -> list[Unit]:
    """The top units the user manages (a unit below another managed unit is not repeated)."""
    if not getattr(user, "is_authenticated", False):
        return []
    if user.is_superuser:
        return list(Unit.objects.filter(parent__isnull=True).order_by("code"))
    ids = set(Membership.objects.filter(user=user, role__in=UNIT_MANAGER_ROLES).values_list("unit_id", flat=True))
    units = list(Unit.objects.filter(pk__in=ids).order_by("code"))
    return [u for u in units if not any(a.pk in ids for a in u.ancestors())]


def managed_scope(user: Any) -> set[int]:
    """Ids of every unit the user manages."""
    ids: set[int] = set()
    for unit in managed_roots(user):
        ids |= unit.descendant_ids()
    return ids
