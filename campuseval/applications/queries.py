"""Scoped querysets: a user only ever reaches applications their role and unit allow."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from campuseval.accounts.models import Role
from campuseval.campaigns.models import Campaign
from campuseval.orgs.models import Unit

from .models import Application
from .permissions import SCHOOL_ROLES, unit_ids_with


def _below(unit_ids: set[int]) -> set[int]:
    ids: set[int] = set()
    for unit in Unit.objects.filter(pk__in=unit_ids):
        ids |= unit.descendant_ids()
    return ids


def my_applications(user: Any) -> QuerySet[Application]:
    """Applications of the units where the user is applicant or head."""
    return Application.objects.filter(unit_id__in=unit_ids_with(user, *SCHOOL_ROLES)).select_related(
        "campaign", "unit", "framework"
    )


def visible_applications(user: Any) -> QuerySet[Application]:
    """Everything the user may read: their own school's (any status), and, once submitted,
    those of schools in their counties (county reviewer) or under their unit (organizer)."""
    own = unit_ids_with(user, *SCHOOL_ROLES)
    above = _below(unit_ids_with(user, Role.COUNTY_REVIEWER, Role.ORGANIZER))
    return Application.objects.filter(
        Q(unit_id__in=own) | (Q(unit_id__in=above) & ~Q(status=Application.Status.DRAFT))
    ).select_related("campaign", "unit", "framework")


def open_campaigns_for(unit: Unit) -> QuerySet[Campaign]:
    """Campaigns now taking applications from this unit: open, for its kind of applicant, and
    covering it (or one of its ancestors), or organized above it when no coverage is listed."""
    chain = [unit.pk, *(u.pk for u in unit.ancestors())]
    kinds = ["schools", "both"] if unit.kind == Unit.Kind.SCHOOL else ["districts", "both"]
    return (
        Campaign.objects.filter(status=Campaign.Status.OPEN, applicants__in=kinds)
        .filter(Q(covered_units__in=chain) | Q(covered_units__isnull=True, organizer_id__in=chain))
        .distinct()
        .order_by("-year", "pk")
    )
