"""Scoped querysets for review pages: nobody sees beyond their role and unit."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from campuseval.accounts.models import Membership, Role
from campuseval.applications.models import Application
from campuseval.campaigns.models import Campaign
from campuseval.orgs.models import Unit

from .models import Assignment, Objection, Result


def _below(unit_ids: set[int]) -> set[int]:
    ids: set[int] = set()
    for unit in Unit.objects.filter(pk__in=unit_ids):
        ids |= unit.descendant_ids()
    return ids


def reviewer_counties(user: Any) -> list[Unit]:
    return list(Unit.objects.filter(memberships__user=user, memberships__role=Role.COUNTY_REVIEWER).distinct())


def county_applications(user: Any) -> QuerySet[Application]:
    """Applications of schools in the reviewer's counties (and the county's own), once
    submitted; drafts stay private to the school."""
    counties = {u.pk for u in reviewer_counties(user)}
    unit_ids = _below(counties)
    return (
        Application.objects.filter(unit_id__in=unit_ids)
        .exclude(status=Application.Status.DRAFT)
        .select_related("unit", "campaign", "framework")
        .annotate(evidence_count=Count("evidence"))
    )


def organizer_campaigns(user: Any) -> QuerySet[Campaign]:
    unit_ids = set(Membership.objects.filter(user=user, role=Role.ORGANIZER).values_list("unit_id", flat=True))
    return Campaign.objects.filter(organizer_id__in=_below(unit_ids)).select_related("organizer")


def expert_assignments(user: Any) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(expert__user=user)
        .select_related("panel__campaign", "application__unit", "application__framework")
        .order_by("status", "pk")
    )


def published_results(campaign: Campaign) -> QuerySet[Result]:
    return (
        Result.objects.filter(campaign=campaign, campaign__publication__isnull=False)
        .select_related("application__unit__parent")
        .order_by("rank", "application__unit__code")
    )


def campaign_objections(campaign: Campaign) -> QuerySet[Objection]:
    return (
        Objection.objects.filter(campaign=campaign)
        .select_related("application__unit")
        .order_by("status", "-created_at")
    )


def results_for_applicant(user: Any) -> QuerySet[Result]:
    unit_ids = set(
        Membership.objects.filter(user=user, role__in=[Role.APPLICANT, Role.HEAD]).values_list("unit_id", flat=True)
    )
    return Result.objects.filter(Q(application__unit_id__in=unit_ids), status=Result.Status.FINAL).select_related(
        "campaign", "application__unit"
    )
