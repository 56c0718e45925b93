"""Who sees what: a user's `Scope` on one campaign (its organizer sees the whole campaign, a
county reviewer their own county), on top of `access.scopes.dashboard_campaigns`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.db.models import QuerySet

from campuseval.access import scopes
from campuseval.access.rules import Actor, holds_role, organizer_scope, region_with, unit_ids_with
from campuseval.accounts.models import Role
from campuseval.campaigns.models import Campaign, FrameworkRecord
from campuseval.campaigns.scoring import framework_for
from campuseval.engine import Framework
from campuseval.orgs.models import Subtree, Unit

SCHOOL_KINDS = (Unit.Kind.SCHOOL,)
DISTRICT_KINDS = (Unit.Kind.COUNTY,)


# --- who sees what ---------------------------------------------------------------------------


def visible_campaigns(user: Actor) -> QuerySet[Campaign]:
    """Campaigns whose dashboards the user may open (see `access.scopes.dashboard_campaigns`)."""
    return scopes.dashboard_campaigns(user, Campaign.objects.all()).select_related("organizer").order_by("-year", "-pk")


@dataclass(frozen=True)
class Scope:
    """What one user sees of one campaign: `region` None means the whole campaign."""

    campaign: Campaign
    record: FrameworkRecord
    subject: str  # "school" | "district"
    region: Subtree | None
    label: str
    user: Any = None
    #: the unit drilled into (None: the top of the user's scope); always inside the scope
    unit: Unit | None = None

    @property
    def framework(self) -> Framework:
        return framework_for(self.record)

    @property
    def kinds(self) -> tuple[str, ...]:
        return SCHOOL_KINDS if self.subject == "school" else DISTRICT_KINDS

    def subjects(self) -> list[tuple[str, str]]:
        """The subjects this campaign can chart (both for a 学校和区县 campaign)."""
        out = []
        if self.campaign.school_framework_id:
            out.append(("school", "学校"))
        if self.campaign.district_framework_id:
            out.append(("district", "区县"))
        return out


def scope_for(user: Any, campaign: Campaign, subject: str | None = None, unit: Any = None) -> Scope | None:
    """The user's scope on the campaign, or None (the caller answers 404). `unit` (a pk, as
    typed in the address) drills down to a unit inside the scope; one outside it, or no such
    unit, is None as well — another unit's figures are never shown."""
    scope = _scope_for(user, campaign, subject)
    if scope is None or unit in (None, ""):
        return scope
    try:
        pk = int(unit)
    except (TypeError, ValueError):
        return None
    found = Unit.objects.filter(pk=pk).first()
    if found is None or not found.path:
        return None
    inside = scope.region.holds_path(found.path) if scope.region is not None else found in campaign.organizer.subtree()
    if not inside:
        return None
    return replace(scope, unit=found)


def _scope_for(user: Any, campaign: Campaign, subject: str | None) -> Scope | None:
    records = {"school": campaign.school_framework, "district": campaign.district_framework}
    if subject not in records or records[subject] is None:
        subject = "school" if campaign.school_framework_id else "district"
    record = records[subject]
    if record is None:
        return None
    if campaign.organizer in organizer_scope(user):
        return Scope(campaign, record, subject, None, campaign.organizer.name, user)
    counties = unit_ids_with(user, Role.COUNTY_REVIEWER)
    if counties and visible_campaigns(user).filter(pk=campaign.pk).exists():
        names = "、".join(Unit.objects.filter(pk__in=counties).order_by("code").values_list("name", flat=True))
        return Scope(campaign, record, subject, region_with(user, Role.COUNTY_REVIEWER), names, user)
    return None


def has_dashboard_role(user: Any) -> bool:
    """Organizers and county reviewers have dashboards (even before any campaign exists)."""
    return holds_role(user, Role.ORGANIZER, Role.COUNTY_REVIEWER)
