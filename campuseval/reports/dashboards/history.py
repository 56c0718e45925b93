"""Year over year: units of this campaign that applied in several campaigns the user can see,
with the change from the first score to the last (增值), read from the score figures — one series
per framework family, since a Taizhou score out of 110 and a Xiamen score out of 200 are not
points on one line, and their difference is no 增值."""

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
    """For units of this campaign that applied in several campaigns of one framework family the
    user can see: the score in each (final where reviewed, else self-score), the share of the
    framework's total, and the change from the first to the last (增值). Each family is its own
    series (`families`, this campaign's first); a unit's campaigns of different families are
    never compared. `campaigns` and `rows` repeat this campaign's family."""
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
            "framework__family",
            "framework__title",
            "unit__name",
            "unit__code",
            "unit__kind",
            "unit__parent__name",
        )
        .order_by()
    )
    by_family: dict[str, dict[int, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    titles: dict[str, dict[int, str]] = defaultdict(dict)
    units: dict[int, tuple[str, str, str]] = {}
    for unit_id, campaign_id, own, final, total, bonus, family, title, name, code, kind, parent in rows:
        units[unit_id] = (code, name, name if kind == Unit.Kind.COUNTY or not parent else parent)
        value, source = (final, "评审") if final is not None else (own, "自评")
        max_total = total + bonus
        titles[family][campaign_id] = title
        by_family[family][unit_id].append(
            {"campaign": campaign_id, "score": value, "source": source, "rate": pct(value, max_total), "max": max_total}
        )
    repeats = {
        family: {pk: cells for pk, cells in per_unit.items() if len(cells) >= 2}
        for family, per_unit in by_family.items()
    }
    seen_campaigns = Campaign.objects.in_bulk(
        {c["campaign"] for per_unit in repeats.values() for cells in per_unit.values() for c in cells}
    )
    own_family = scope.record.family or scope.framework.family
    series = []
    for family in sorted(repeats, key=lambda f: (f != own_family, f)):
        repeat = repeats[family]
        if not repeat:
            continue
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
        series.append({"family": family, "title": titles[family][used[-1]], "campaigns": columns, "rows": out})
    mine = next((s for s in series if s["family"] == own_family), None)
    return {
        "families": series,
        "campaigns": mine["campaigns"] if mine else [],
        "rows": mine["rows"] if mine else [],
    }
