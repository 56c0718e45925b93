"""Scoped querysets for campaigns: an organizer reaches the campaigns organized at or below
their unit; schools and counties reach the campaigns that cover them (never drafts)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from campuseval.accounts.models import Membership, Role
from campuseval.applications.models import Application
from campuseval.orgs.models import Unit

from .models import Campaign, FrameworkRecord
from .permissions import COVERED_ROLES, organizer_scope


def _listed(qs: QuerySet[Campaign]) -> QuerySet[Campaign]:
    return (
        qs.select_related("organizer", "school_framework", "district_framework")
        .prefetch_related("covered_units", "stages")
        .order_by("-year", "-pk")
    )


def organizer_campaigns(user: Any) -> QuerySet[Campaign]:
    """Campaigns the user manages: organized at or below one of their organizer units."""
    return Campaign.objects.filter(organizer_id__in=organizer_scope(user))


def _covering_filter(user: Any) -> Q:
    """Campaigns covering one of the user's school/county units: listed in coverage (the unit
    or one above it), or organized above it with no coverage listed. A school or district
    applicant sees only the campaigns that take its kind of applicant; a county reviewer also
    sees campaigns whose coverage lists schools of the county."""
    condition = Q(pk__in=[])
    memberships = Membership.objects.filter(user=user, role__in=COVERED_ROLES).select_related("unit")
    for membership in memberships:
        unit = membership.unit
        chain = [unit.pk, *(u.pk for u in unit.ancestors())]
        covers = Q(covered_units__in=chain) | Q(covered_units__isnull=True, organizer_id__in=chain)
        if membership.role == Role.COUNTY_REVIEWER:
            covers |= Q(covered_units__in=unit.descendant_ids())
        else:
            kinds = ["schools", "both"] if unit.kind == Unit.Kind.SCHOOL else ["districts", "both"]
            covers &= Q(applicants__in=kinds)
        condition |= covers
    return condition


def covering_campaigns(user: Any) -> QuerySet[Campaign]:
    """Campaigns (past preparation) that cover the user's school or county."""
    if not getattr(user, "is_authenticated", False):
        return Campaign.objects.none()
    ids = Campaign.objects.exclude(status=Campaign.Status.DRAFT).filter(_covering_filter(user)).values("pk")
    return Campaign.objects.filter(pk__in=ids)


def visible_campaigns(user: Any) -> QuerySet[Campaign]:
    """Everything the user may read: managed campaigns and those covering their unit."""
    if not getattr(user, "is_authenticated", False):
        return Campaign.objects.none()
    managed = organizer_campaigns(user).values("pk")
    covering = covering_campaigns(user).values("pk")
    return Campaign.objects.filter(Q(pk__in=managed) | Q(pk__in=covering))


def organizer_list(user: Any) -> QuerySet[Campaign]:
    """Managed campaigns for the list page, with their application counts."""
    return _listed(organizer_campaigns(user)).annotate(
        applications_total=Count("applications", distinct=True),
        applications_submitted=Count(
            "applications", filter=~Q(applications__status=Application.Status.DRAFT), distinct=True
        ),
    )


def covering_list(user: Any) -> QuerySet[Campaign]:
    return _listed(covering_campaigns(user))


def application_counts(campaign: Campaign) -> list[dict[str, Any]]:
    """Applications of the campaign by status, every status listed (zero included)."""
    found = dict(Application.objects.filter(campaign=campaign).values_list("status").annotate(n=Count("pk")).order_by())
    return [
        {"status": value, "label": label, "count": found.get(value, 0)} for value, label in Application.Status.choices
    ]


def active_frameworks(subject: str) -> QuerySet[FrameworkRecord]:
    """Frameworks an organizer may choose for `subject` (school | district)."""
    return FrameworkRecord.objects.filter(subject=subject, is_active=True).order_by("key")
