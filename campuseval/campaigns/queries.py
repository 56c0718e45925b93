"""Scoped querysets for campaigns: an organizer reaches the campaigns organized at or below
their unit; schools and counties reach the campaigns that cover them (never drafts). The rules
are `campuseval.access`."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from campuseval.access import scopes
from campuseval.access.rules import FRAMEWORK_AUTHOR_KINDS, Actor, organizer_units, signed_in
from campuseval.orgs.models import SEP, Subtree, Unit

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


def active_frameworks(subject: str, units: Iterable[Unit] | None = None) -> QuerySet[FrameworkRecord]:
    """Frameworks an organizer may choose for `subject` (school | district); with `units`
    (their organizer units), only those those units see (`frameworks_seen_by`)."""
    qs = FrameworkRecord.objects.filter(subject=subject, is_active=True)
    if units is not None:
        qs = qs.filter(frameworks_seen_by(units))
    return qs.order_by("key")


def frameworks_seen_by(units: Iterable[Unit]) -> Q:
    """The frameworks organizers at `units` see: the platform's own (no owner), those owned at
    or below their units (drafts included), and the active ones a unit above them issued (a
    province's framework reaches its cities). A neighbouring city's frameworks stay out."""
    units = list(units)
    above = {int(part) for unit in units for part in unit.path.split(SEP) if part} - {u.pk for u in units}
    return (
        Q(owner__isnull=True)
        | Subtree.of(units).q("owner")
        | Q(owner_id__in=[u.pk for u in units])
        | (Q(owner_id__in=sorted(above)) & Q(is_active=True))
    )


def author_units(user: Actor) -> list[Unit]:
    """The city and provincial units at which the user is an organizer (who own frameworks)."""
    return [u for u in organizer_units(user) if u.kind in FRAMEWORK_AUTHOR_KINDS]


def authored_frameworks(user: Actor) -> QuerySet[FrameworkRecord]:
    """Frameworks the framework pages show the user (see `frameworks_seen_by`)."""
    units = author_units(user)
    if not units:
        return FrameworkRecord.objects.none()
    return FrameworkRecord.objects.filter(frameworks_seen_by(units)).select_related("owner")


def framework_list(user: Actor) -> QuerySet[FrameworkRecord]:
    """The list page's rows, without the snapshots (a framework's YAML runs to 100 KB)."""
    return authored_frameworks(user).defer("source_yaml", "form_yaml").order_by("family", "-is_active", "key")


def campaigns_using(framework: FrameworkRecord) -> QuerySet[Campaign]:
    """Campaigns pinned to this edition (for the school or the district side)."""
    return (
        Campaign.objects.filter(Q(school_framework=framework) | Q(district_framework=framework))
        .select_related("organizer")
        .only("pk", "name", "year", "status", "organizer__name")
        .order_by("-year", "-pk")
    )
