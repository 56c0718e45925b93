"""Scoped querysets for campaigns: an organizer reaches the campaigns organized at or below
their unit; schools and counties reach the campaigns that cover them (never drafts). The rules
are `campuseval.access`."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from campuseval.access import scopes
from campuseval.access.rules import Actor, signed_in

from .extensions import annotate_list
from .models import Campaign, FrameworkRecord


def _listed(qs: QuerySet[Campaign]) -> QuerySet[Campaign]:
    return (
        qs.select_related("organizer", "school_framework", "district_framework")
        .prefetch_related("covered_units", "stages")
        .order_by("-year", "-pk")
    )


def organizer_campaigns(user: Actor) -> QuerySet[Campaign]:
    """Campaigns the user manages: organized at or below one of their organizer units."""
    return scopes.managed_campaigns(user, Campaign.objects.all())


def covering_campaigns(user: Actor) -> QuerySet[Campaign]:
    """Campaigns (past preparation) that cover the user's school or county."""
    if not signed_in(user):
        return Campaign.objects.none()
    ids = Campaign.objects.exclude(status=Campaign.Status.DRAFT).filter(scopes.covering_campaigns_q(user)).values("pk")
    return Campaign.objects.filter(pk__in=ids)


def visible_campaigns(user: Actor) -> QuerySet[Campaign]:
    """Everything the user may read: managed campaigns and those covering their unit."""
    if not signed_in(user):
        return Campaign.objects.none()
    managed = organizer_campaigns(user).values("pk")
    covering = covering_campaigns(user).values("pk")
    return Campaign.objects.filter(Q(pk__in=managed) | Q(pk__in=covering))


def organizer_list(user: Actor) -> QuerySet[Campaign]:
    """Managed campaigns for the list page, with what the apps above add (application counts)."""
    return annotate_list(_listed(organizer_campaigns(user)))


def covering_list(user: Actor) -> QuerySet[Campaign]:
    return _listed(covering_campaigns(user))


def active_frameworks(subject: str) -> QuerySet[FrameworkRecord]:
    """Frameworks an organizer may choose for `subject` (school | district)."""
    return FrameworkRecord.objects.filter(subject=subject, is_active=True).order_by("key")
