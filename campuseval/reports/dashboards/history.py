"""Year over year: units of this campaign that applied in several campaigns the user can see,
with the change from the first score to the last (增值)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from campuseval.applications.models import Application
from campuseval.campaigns.models import Campaign
from campuseval.orgs.models import Unit

from .rows import applications_in, latest_versions, region_of, results_by_application
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
    versions = latest_versions(apps)
    results = results_by_application(apps)
    by_unit: dict[int, list[dict[str, Any]]] = defaultdict(list)
    units: dict[int, Unit] = {}
    seen_campaigns: dict[int, Campaign] = {}
    for app in apps.select_related("unit__parent", "campaign", "framework"):
        result = results.get(app.pk)
        version = versions.get(app.pk)
        if result is not None:
            value, source = result.final, "评审"
        elif version is not None:
            value, source = version.total, "自评"
        else:
            continue
        max_total = app.framework.total + app.framework.bonus_total
        by_unit[app.unit_id].append(
            {
                "campaign": app.campaign_id,
                "score": value,
                "source": source,
                "rate": pct(value, max_total),
                "max": max_total,
            }
        )
        units[app.unit_id] = app.unit
        seen_campaigns[app.campaign_id] = app.campaign
    repeat = {pk: cells for pk, cells in by_unit.items() if len(cells) >= 2}
    used = sorted(
        {c["campaign"] for cells in repeat.values() for c in cells},
        key=lambda pk: (seen_campaigns[pk].year, pk),
    )
    columns = [{"pk": pk, "name": seen_campaigns[pk].name, "year": seen_campaigns[pk].year} for pk in used]
    out = []
    for unit_pk in sorted(repeat, key=lambda pk: units[pk].code):
        cells = {c["campaign"]: c for c in repeat[unit_pk]}
        ordered = [cells[pk] for pk in used if pk in cells]
        first, last = ordered[0], ordered[-1]
        same_scale = len({c["max"] for c in ordered}) == 1
        out.append(
            {
                "name": units[unit_pk].name,
                "region": region_of(units[unit_pk]).name,
                "cells": [cells.get(pk) for pk in used],
                "gain": last["score"] - first["score"] if same_scale else None,
                "rate_gain": last["rate"] - first["rate"],
            }
        )
    return {"campaigns": columns, "rows": out}
