"""What the applications app adds to the campaign pages (registered in `AppConfig.ready`):
counts of applications by status for the organizer, and the signed-in school's own rows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from campuseval.access.rules import SCHOOL_ROLES, unit_ids_with
from campuseval.campaigns.models import Campaign
from campuseval.orgs.models import Unit

from . import queries
from .models import Application


def own_rows(request: HttpRequest, campaign: Campaign) -> list[dict[str, Any]]:
    """The user's own units for this campaign: their application, or whether they may start one."""
    unit_ids = unit_ids_with(request.user, *SCHOOL_ROLES)
    if not unit_ids:
        return []
    started = {
        a.unit_id: a for a in Application.objects.filter(campaign=campaign, unit_id__in=unit_ids).select_related("unit")
    }
    rows = []
    for unit in Unit.objects.filter(pk__in=unit_ids).order_by("code"):
        open_here = queries.open_campaigns_for(unit).filter(pk=campaign.pk).exists()
        if unit.pk in started or open_here:
            rows.append({"unit": unit, "application": started.get(unit.pk), "can_start": open_here})
    return rows


def campaign_detail_part(request: HttpRequest, campaign: Campaign, manager: bool) -> dict[str, Any]:
    context: dict[str, Any] = {"own_rows": own_rows(request, campaign)}
    if manager:
        counts = queries.application_counts(campaign)
        context["counts"] = counts
        context["total"] = sum(row["count"] for row in counts)
    return context
