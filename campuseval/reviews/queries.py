"""Scoped querysets for review pages: nobody sees beyond their role and unit."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db.models import Count, Q, QuerySet

from campuseval.access import scopes
from campuseval.access.rules import Actor, as_user, city_reviewer_units
from campuseval.applications.models import Application
from campuseval.campaigns.models import Campaign
from campuseval.campaigns.scoring import framework_for
from campuseval.orgs.models import Subtree, Unit

from .models import (
    Assignment,
    CountyReview,
    Expert,
    Objection,
    Publication,
    PublishedEntry,
    RecommendationEntry,
    Result,
    ReviewSettings,
)

#: a row ranked among its kind: a live result or a published entry
KindRow = TypeVar("KindRow", Result, PublishedEntry)


def expert_profile(user: Actor) -> Expert | None:
    """The user's active expert record, if they are in an expert pool."""
    signed = as_user(user)
    if signed is None:
        return None
    return Expert.objects.filter(user=signed, is_active=True).first()


def county_applications(user: Actor) -> QuerySet[Application]:
    """Applications of schools in the reviewer's counties (and the county's own), once
    submitted; drafts stay private to the school."""
    return (
        scopes.county_applications(user, Application.objects.all())
        .select_related("unit", "campaign", "framework")
        .annotate(evidence_count=Count("evidence"))
    )


def expert_pool(user: Actor, scope: Subtree | None = None) -> QuerySet[Expert]:
    """The experts an organizer manages: those whose work unit is in the organizer's scope
    (pass `scope` when the caller already has it)."""
    return (
        scopes.managed_experts(user, Expert.objects.all(), scope)
        .select_related("user", "unit", "region")
        .order_by("-is_active", "unit__code", "user__username")
    )


def city_review_campaigns(user: Actor) -> QuerySet[Campaign]:
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


#: statuses an application reaches only after it went to expert review
REVIEWED_STATUSES = (
    Application.Status.RECOMMENDED,
    Application.Status.SELECTED,
    Application.Status.NOT_SELECTED,
    Application.Status.AWARDED,
    Application.Status.TERMINATED,
)


def finalists(campaign: Campaign) -> QuerySet[Application]:
    """The applications the organizer reviews: recommended by the counties, or, when the
    campaign has a city step, on a confirmed city list. A campaign without a county list (an
    annual or mid-term evaluation) takes every application the county accepted. Those the
    final list or the cultivation cycle moved on (入选, 未入选, 已授牌, 终止) stay finalists."""
    conf = ReviewSettings.objects.filter(campaign=campaign).first()
    if conf is not None and not conf.county_list:
        accepted = CountyReview.objects.filter(
            application__campaign=campaign, decision=CountyReview.Decision.ACCEPTED
        ).values("application_id")
        qs = Application.objects.filter(campaign=campaign).filter(
            Q(status=Application.Status.ACCEPTED, pk__in=accepted) | Q(status__in=REVIEWED_STATUSES)
        )
        return qs.select_related("unit__parent", "framework")
    qs = Application.objects.filter(campaign=campaign, status__in=REVIEWED_STATUSES)
    if conf is not None and conf.city_review:
        # a 省直 school has no city: the province's own county-step list sends it on
        qs = qs.filter(
            pk__in=RecommendationEntry.objects.filter(
                recommendation__campaign=campaign,
                recommendation__unit__kind__in=[Unit.Kind.CITY, Unit.Kind.PROVINCE],
                recommendation__confirmed_at__isnull=False,
            ).values("application_id")
        )
    return qs.select_related("unit__parent", "framework")


def expert_assignments(user: Actor) -> QuerySet[Assignment]:
    return (
        scopes.own_assignments(user, Assignment.objects.all())
        .select_related("panel__campaign", "application__unit", "application__framework")
        .order_by("status", "pk")
    )


def current_publication(campaign: Campaign) -> Publication | None:
    """The campaign's latest publication (公示 or final list), or None before the first."""
    return Publication.objects.filter(campaign=campaign).order_by("-number").first()


def by_kind(rows: Iterable[KindRow], labels: tuple[str, str] = ("学校", "区县")) -> list[tuple[str, list[KindRow]]]:
    """Schools and districts are ranked apart and shown in separate tables: the non-empty
    groups, schools first, each labelled."""
    rows = list(rows)
    groups = [
        (labels[0], [r for r in rows if r.kind != "district"]),
        (labels[1], [r for r in rows if r.kind == "district"]),
    ]
    return [(label, group) for label, group in groups if group]


def published_entries(publication: Publication, *, selected_only: bool = False) -> QuerySet[PublishedEntry]:
    """The snapshot a publication froze: schools before districts, each by rank."""
    entries = PublishedEntry.objects.filter(publication=publication).select_related("application")
    if selected_only:
        entries = entries.filter(selected=True)
    return entries.order_by("-kind", "rank", "unit_name")


def final_entry(result: Result) -> PublishedEntry | None:
    """The result as the final list froze it."""
    return (
        PublishedEntry.objects.filter(
            publication__campaign_id=result.campaign_id,
            publication__status=Publication.Status.FINAL,
            application_id=result.application_id,
        )
        .select_related("publication")
        .first()
    )


def result_rows(entry: PublishedEntry) -> dict[str, Any]:
    """An applicant's frozen result per indicator with the experts' comments (numbered, never
    named): what the result page and the result notice print."""
    fw = framework_for(entry.application.framework)
    comments = (entry.comments or {}).get("indicators", {})
    rows = [
        {"node": n, "points": entry.indicators.get(n.code, ""), "comments": comments.get(n.code, [])}
        for n in fw.leaves()
    ]
    return {"entry": entry, "rows": rows, "overall": (entry.comments or {}).get("overall", [])}


def campaign_objections(campaign: Campaign) -> QuerySet[Objection]:
    return (
        Objection.objects.filter(campaign=campaign)
        .select_related("application__unit")
        .order_by("status", "-created_at")
    )


def results_for_applicant(user: Actor) -> QuerySet[Result]:
    return scopes.own_final_results(user, Result.objects.all()).select_related("campaign", "application__unit")


def applicant_visible(assignment: Assignment) -> bool:
    """Whether the expert sees the applicant's name and county: always, before confirming no
    conflict too (they cannot judge a conflict without knowing whom it concerns), unless the
    campaign reviews blind — then only the application code (reads settings; creates none)."""
    conf = ReviewSettings.objects.filter(campaign_id=assignment.panel.campaign_id).first()
    return not (conf is not None and conf.hide_applicant)


def other_scores(assignment: Assignment) -> dict[str, list[str]]:
    """Other experts' points per indicator, when the campaign shows them after submitting and
    this sheet is submitted; otherwise nothing."""
    conf = ReviewSettings.objects.filter(campaign_id=assignment.panel.campaign_id).first()
    if (
        conf is None
        or conf.other_scores != ReviewSettings.Visibility.AFTER_SUBMIT
        or assignment.status != Assignment.Status.SUBMITTED
    ):
        return {}
    others: dict[str, list[str]] = {}
    for other in Assignment.objects.filter(
        application_id=assignment.application_id, status=Assignment.Status.SUBMITTED
    ).exclude(pk=assignment.pk):
        for code, data in (other.result or {}).get("indicators", {}).items():
            others.setdefault(code, []).append(data.get("points", ""))
    return others


def blind_campaigns(campaign_ids: Iterable[int]) -> set[int]:
    """Which of these campaigns review blind (one query for a whole task list)."""
    return set(
        ReviewSettings.objects.filter(campaign_id__in=set(campaign_ids), hide_applicant=True).values_list(
            "campaign_id", flat=True
        )
    )
