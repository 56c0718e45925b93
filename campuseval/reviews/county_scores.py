"""The county's score of an application, carried wherever the application is listed after the
county decided: the total of its latest county review (None before the decision, and for a
return or a rejection). Pages show it with the self-score beside it."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import F, Model, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .models import CountyReview

M = TypeVar("M", bound=Model)


def latest_county_total(application_ref: str = "pk") -> Subquery:
    """The total of the latest county review of the application at `application_ref`."""
    latest = CountyReview.objects.filter(application=OuterRef(application_ref)).order_by("-decided_at", "-pk")
    return Subquery(latest.values("total")[:1])


def with_county_total(applications: QuerySet[M], application_ref: str = "pk") -> QuerySet[Any]:
    """Applications (or rows pointing at one through `application_ref`) annotated with
    `county_total` and `score`: the county's score once it has decided, else the self-score."""
    self_total = "self_total" if application_ref == "pk" else f"{application_ref.removesuffix('_id')}__self_total"
    annotated: QuerySet[Any] = applications.annotate(
        county_total=latest_county_total(application_ref),
        score=Coalesce(F("county_total"), F(self_total)),
    )
    return annotated


def county_totals(application_ids: list[int]) -> dict[int, Any]:
    """{application id: county total or None} of the latest county review of each; one query."""
    totals: dict[int, Any] = {}
    rows = CountyReview.objects.filter(application_id__in=application_ids).order_by(
        "application_id", "decided_at", "pk"
    )
    for application_id, total in rows.values_list("application_id", "total"):
        totals[application_id] = total  # later reviews overwrite earlier ones
    return totals
