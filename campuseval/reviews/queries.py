"""Scoped querysets for review pages: nobody sees beyond their role and unit."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from campuseval.accounts.models import Membership, Role
from campuseval.applications.models import Application
from campuseval.campaigns.models import Campaign
from campuseval.orgs.models import Unit

from .models import Assignment, Expert, Objection, RecommendationEntry, Result, ReviewSettings


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


def organizer_scope(user: Any) -> set[int]:
    """Ids of the units at or below the user's organizer memberships."""
    if not getattr(user, "is_authenticated", False):
        return set()
    unit_ids = set(Membership.objects.filter(user=user, role=Role.ORGANIZER).values_list("unit_id", flat=True))
    return _below(unit_ids)


def organizer_campaigns(user: Any) -> QuerySet[Campaign]:
    return Campaign.objects.filter(organizer_id__in=organizer_scope(user)).select_related("organizer")


def expert_pool(user: Any, scope: set[int] | None = None) -> QuerySet[Expert]:
    """The experts an organizer manages: those whose work unit is in the organizer's scope
    (pass `scope` when the caller already has it)."""
    return (
        Expert.objects.filter(unit_id__in=organizer_scope(user) if scope is None else scope)
        .select_related("user", "unit", "region")
        .order_by("-is_active", "unit__code", "user__username")
    )


def city_reviewer_units(user: Any) -> list[Unit]:
    """Cities where the user screens the counties' lists (a reviewer or organizer there)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Unit.objects.filter(
            kind=Unit.Kind.CITY,
            memberships__user=user,
            memberships__role__in=[Role.COUNTY_REVIEWER, Role.ORGANIZER],
        ).distinct()
    )


def city_review_campaigns(user: Any) -> QuerySet[Campaign]:
    """Campaigns with a city step that cover at least one of the user's cities."""
    cities = [c.pk for c in city_reviewer_units(user)]
    return (
        Campaign.objects.filter(review_settings__city_review=True)
        .filter(Q(applications__unit__parent_id__in=cities) | Q(applications__unit__parent__parent_id__in=cities))
        .distinct()
        .order_by("-year", "-pk")
    )


def county_recommended_ids(campaign: Campaign) -> QuerySet[Any]:
    """Ids of applications on a confirmed county list of the campaign."""
    return RecommendationEntry.objects.filter(
        recommendation__campaign=campaign,
        recommendation__unit__kind=Unit.Kind.COUNTY,
        recommendation__confirmed_at__isnull=False,
    ).values("application_id")


def finalists(campaign: Campaign) -> QuerySet[Application]:
    """The applications the organizer reviews: recommended by the counties, or, when the
    campaign has a city step, on a confirmed city list."""
    qs = Application.objects.filter(campaign=campaign, status=Application.Status.RECOMMENDED)
    conf = ReviewSettings.objects.filter(campaign=campaign).first()
    if conf is not None and conf.city_review:
        qs = qs.filter(
            pk__in=RecommendationEntry.objects.filter(
                recommendation__campaign=campaign,
                recommendation__unit__kind=Unit.Kind.CITY,
                recommendation__confirmed_at__isnull=False,
            ).values("application_id")
        )
    return qs.select_related("unit__parent", "framework")


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
