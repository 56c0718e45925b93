"""Year over year: units of this campaign that applied in several campaigns the user can see,
with the change from the first score to the last (增值), read from the score figures."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import FilteredRelation, Q

from campuseval.applications.models import Application, Basis
from campuseval.campaigns.models import Campaign
from campuseval.orgs.models import Unit

from .rows import applications_in
from .scope import Scope, visible_campaigns
from .stats import pct

# --- 6. year over year -----------------------------------------------------------------------


def year_over_year(scope: Scope) -> dict[str, Any]:
    """For units of this campaign that applied in several campaigns the user can see: the score
    in each (final where reviewed, else self-score), the share of the framework's total, and
    the change from the first to the last (增值)."""
    here = applications_in(scope).exclude(status=Application.Status.DRAFT).values("unit_id")
    campaigns = (
        visible_campaigns(scope.user) if scope.user is not None else Campaign.objects.filter(pk=scope.campaign.pk)
    )
    apps = Application.objects.filter(unit_id__in=here, campaign__in=campaigns.values("pk")).exclude(
        status=Application.Status.DRAFT
    )
    if scope.region is not None:
        apps = apps.filter(scope.region.q("unit"))
    rows = (
        apps.annotate(
            own=FilteredRelation("score_figures", condition=Q(score_figures__basis=Basis.SELF)),
            review=FilteredRelation("score_figures", condition=Q(score_figures__basis=Basis.FINAL)),
        )
        .filter(Q(own__isnull=False) | Q(review__isnull=False))
        .values_list(
            "unit_id",
            "campaign_id",
            "own__total",
            "review__total",
            "framework__total",
            "framework__bonus_total",
            "unit__name",
            "unit__code",
            "unit__kind",
            "unit__parent__name",
        )
        .order_by()
    )
    by_unit: dict[int, list[dict[str, Any]]] = defaultdict(list)
    units: dict[int, tuple[str, str, str]] = {}
    for unit_id, campaign_id, own, final, total, bonus, name, code, kind, parent in rows:
        units[unit_id] = (code, name, name if kind == Unit.Kind.COUNTY or not parent else parent)
        value, source = (final, "评审") if final is not None else (own, "自评")
        max_total = total + bonus
        by_unit[unit_id].append(
            {"campaign": campaign_id, "score": value, "source": source, "rate": pct(value, max_total), "max": max_total}
        )
    repeat = {pk: cells for pk, cells in by_unit.items() if len(cells) >= 2}
    seen_campaigns = Campaign.objects.in_bulk({c["campaign"] for cells in repeat.values() for c in cells})
    used = sorted(
        {c["campaign"] for cells in repeat.values() for c in cells},
        key=lambda pk: (seen_campaigns[pk].year, pk),
    )
    columns = [{"pk": pk, "name": seen_campaigns[pk].name, "year": seen_campaigns[pk].year} for pk in used]
    out = []
    for unit_pk in sorted(repeat, key=lambda pk: units[pk][0]):
        cells = {c["campaign"]: c for c in repeat[unit_pk]}
        ordered = [cells[pk] for pk in used if pk in cells]
        first, last = ordered[0], ordered[-1]
        same_scale = len({c["max"] for c in ordered}) == 1
        out.append(
            {
                "name": units[unit_pk][1],
                "region": units[unit_pk][2],
                "cells": [cells.get(pk) for pk in used],
                "gain": last["score"] - first["score"] if same_scale else None,
                "rate_gain": last["rate"] - first["rate"],
            }
        )
    return {"campaigns": columns, "rows": out}
