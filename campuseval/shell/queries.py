"""Scoped, bounded reads for the home page. Every function costs a fixed number of queries
however many rows there are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from campuseval.access.rules import SCHOOL_ROLES, Actor
from campuseval.access.scopes import applicant_kinds, campaigns_below, own_assignments
from campuseval.accounts.models import Role
from campuseval.applications import confirmation
from campuseval.applications.confirmation import Ask
from campuseval.applications.models import Application
from campuseval.applications.queries import open_campaigns_for
from campuseval.campaigns import stages
from campuseval.campaigns.models import Campaign
from campuseval.orgs.models import Subtree
from campuseval.reviews.models import Assignment

from .state import Shell

HOME_CAMPAIGNS = 8
ACTIVE_STATES = [
    Campaign.Status.OPEN,
    Campaign.Status.COUNTY_REVIEW,
    Campaign.Status.EXPERT_REVIEW,
    Campaign.Status.PUBLICITY,
]


def _chain_ids(units: list[Any]) -> set[int]:
    """The units and their ancestors (read from their paths: no query)."""
    ids: set[int] = set()
    for unit in units:
        ids.update(unit.path_ids)
    return ids


def _with_stages(campaigns: QuerySet[Campaign], limit: int) -> list[Campaign]:
    """The first `limit` campaigns with their stages read in the same statement (no prefetch
    query)."""
    rows = list(stages.with_stage_rows(campaigns, "pk")[:limit])
    for campaign in rows:
        stages.attach_stages(campaign, getattr(campaign, stages.STAGE_ROWS))
    return rows


def related_campaigns(shell: Shell) -> list[Campaign]:
    """Running campaigns that concern the user's units: those covering one of their units or
    an ancestor (or organized above them when no coverage is listed), and for organizers those
    organized at or below their unit. At most HOME_CAMPAIGNS, newest first; one query."""
    chain = _chain_ids([m.unit for m in shell.memberships])
    if not chain:
        return []
    scope = Q(covered_units__in=chain) | Q(covered_units__isnull=True, organizer_id__in=chain)
    org_units = {u.pk for u in shell.units(Role.ORGANIZER)}
    if org_units:
        scope |= Q(pk__in=campaigns_below(org_units, Campaign.objects.all()).values("pk"))
    qs = Campaign.objects.filter(status__in=ACTIVE_STATES, pk__in=Campaign.objects.filter(scope).values("pk"))
    qs = qs.select_related("organizer__parent__parent__parent").order_by("-year", "-pk")
    campaigns = with_current_stage(_with_stages(qs, HOME_CAMPAIGNS))
    #: 去申报 only where one of the user's own units is the kind of applicant the campaign takes
    kinds = {kind for unit in shell.units(*SCHOOL_ROLES) for kind in applicant_kinds(unit)}
    for campaign in campaigns:
        chain = set(campaign.organizer.path_ids)
        campaign.managed = bool(chain & org_units)  # type: ignore[attr-defined]
        campaign.apply_open = campaign.apply_open and campaign.applicants in kinds  # type: ignore[attr-defined]
    return campaigns


def with_current_stage(campaigns: list[Campaign], now: dt.datetime | None = None) -> list[Campaign]:
    """Set `current_stage` and `stage_state` on each campaign (stages attached, no query):
    the stage running now by its dates, else the next one to start, with the days left; and
    `apply_open`, whether applications are taken now."""
    now = now or timezone.now()
    for campaign in stages.with_stage_state(campaigns, now):
        campaign.apply_open = stages.is_open(campaign, stages.Action.APPLY, now=now)  # type: ignore[attr-defined]
    return campaigns


def school_summary(shell: Shell) -> dict[str, Any]:
    """For school applicants and heads: their applications counted by status, and campaigns
    now open to their units that they have not started (one query per school unit)."""
    units = shell.units(*SCHOOL_ROLES)
    rows = list(
        Application.objects.filter(unit__in=units).values_list("campaign_id", "unit_id", "status", "fix_deadline")
    )
    started = {(campaign_id, unit_id) for campaign_id, unit_id, *_ in rows}
    fix_deadlines = [d for *_, status, d in rows if status == Application.Status.RETURNED and d is not None]
    in_hand = (Application.Status.DRAFT, Application.Status.RETURNED)
    to_start = []
    for unit in units:
        for campaign in open_campaigns_for(unit)[:HOME_CAMPAIGNS]:
            if (campaign.pk, unit.pk) not in started:
                to_start.append({"campaign": campaign, "unit": unit})
    return {
        "in_hand": sum(1 for *_, status, _d in rows if status in in_hand),
        "returned": sum(1 for *_, status, _d in rows if status == Application.Status.RETURNED),
        "submitted": sum(1 for *_, status, _d in rows if status not in in_hand),
        #: the earliest 补正截止 of the returned applications, and the days left until it
        "fix_deadline": min(fix_deadlines) if fix_deadlines else None,
        "fix_days_left": stages.days_until(min(fix_deadlines)) if fix_deadlines else None,
        "to_start": to_start,
    }


#: at most this many of the head's applications are read for the home page
HEAD_ROWS = 20


@dataclass(frozen=True)
class HeadItem:
    """One application waiting for the head (负责人): returned by the county to be corrected,
    asked for by the officer, or complete and ready for the head to confirm and submit."""

    application: Application
    returned: bool
    complete: bool
    ask: Ask | None
    #: whole days left until the 补正截止 of a returned application
    fix_days_left: int | None

    @property
    def to_confirm(self) -> bool:
        """The head's own step is next: the officer asked, or everything is filled in. A
        returned application was complete when it was submitted: only the officer's ask after
        the return says the correction is done."""
        return self.ask is not None or (self.complete and not self.returned)


def head_waiting(shell: Shell, now: dt.datetime | None = None) -> list[HeadItem] | None:
    """For heads: the applications of their units that wait for them, returned ones first (by
    补正截止), then those to confirm, newest first; None for anyone who is no head. Only what
    can still be done: an application whose apply stage (or 补正期) has closed is left out.
    Two queries however many applications: the applications with their campaigns and stages,
    and the officers' asks (`applications.confirmation`); completeness is read from the stored
    score (`confirmation.looks_complete`), not scored again."""
    units = shell.units(Role.HEAD)
    if not units:
        return None
    now = now or timezone.now()
    qs = (
        Application.objects.filter(unit__in=units, status__in=[Application.Status.DRAFT, Application.Status.RETURNED])
        .select_related("campaign", "unit")
        .order_by("-updated_at", "-pk")
    )
    rows = list(stages.with_stage_rows(qs)[:HEAD_ROWS])
    for application in rows:
        stages.attach_stages(application.campaign, getattr(application, stages.STAGE_ROWS))
    rows = [a for a in rows if stages.is_open(a.campaign, stages.Action.APPLY, application=a, now=now)]
    asks = confirmation.latest_asks(rows)
    items = []
    for application in rows:
        returned = application.status == Application.Status.RETURNED
        item = HeadItem(
            application=application,
            returned=returned,
            complete=confirmation.looks_complete(application),
            ask=asks.get(application.pk),
            fix_days_left=stages.days_until(application.fix_deadline, now)
            if returned and application.fix_deadline is not None
            else None,
        )
        if item.returned or item.to_confirm:
            items.append(item)
    far = dt.datetime.max.replace(tzinfo=dt.UTC)
    items.sort(key=lambda i: (not i.returned, i.application.fix_deadline or far if i.returned else far))
    return items


def county_pending(shell: Shell) -> int:
    """Submitted applications waiting for the county reviewer (anywhere in their counties)."""
    counties = {u.pk for u in shell.units(Role.COUNTY_REVIEWER)}
    if not counties:
        return 0
    region = Subtree.of(shell.units(Role.COUNTY_REVIEWER))
    return Application.objects.filter(region.q("unit"), status=Application.Status.SUBMITTED).count()


def expert_pending(user: Actor) -> int:
    """Score sheets the expert has not yet submitted (nor abstained from); one query."""
    return (
        own_assignments(user, Assignment.objects.all())
        .exclude(status__in=[Assignment.Status.SUBMITTED, Assignment.Status.ABSTAINED])
        .count()
    )
