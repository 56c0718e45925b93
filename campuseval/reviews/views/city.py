"""City reviewer pages (县 → 市 → 省): the campaigns with a city step, and the city's list."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campuseval.access.rules import Actor, city_reviewer_units
from campuseval.access.views import AuthenticatedRequest, require
from campuseval.applications.models import Application
from campuseval.audit.services import client_ip
from campuseval.campaigns import stages
from campuseval.campaigns.models import Campaign
from campuseval.engine.text import id_param
from campuseval.orgs.models import Unit

from .. import queries, services
from ..county_scores import county_totals
from ..forms import RecommendationForm, shown_list
from ..models import CountyReview, RecommendationEntry, RecommendationList, ReviewSettings
from .common import actor, confirm_list, save_list


def _is_city_reviewer(user: Actor) -> bool:
    return bool(city_reviewer_units(user))


@require_GET
@require(_is_city_reviewer)
def city_list(request: AuthenticatedRequest) -> HttpResponse:
    """Campaigns where the user's city screens its counties' lists before the province."""
    cities = city_reviewer_units(request.user)
    campaigns = list(queries.city_review_campaigns(request.user))
    lists = {
        (r.campaign_id, r.unit_id): r
        for r in RecommendationList.objects.filter(campaign__in=campaigns, unit__in=cities)
    }
    rows = [{"campaign": c, "city": city, "rec": lists.get((c.pk, city.pk))} for c in campaigns for city in cities]
    return render(request, "reviews/city_list.html", {"rows": rows})


def _city_campaign(request: AuthenticatedRequest, campaign_pk: int) -> tuple[Campaign, Unit, list[Unit]]:
    cities = city_reviewer_units(request.user)
    campaign = get_object_or_404(queries.city_review_campaigns(request.user), pk=campaign_pk)
    city = cities[0]
    wanted = id_param(request.GET.get("city", ""))
    if wanted is not None:
        city = next((c for c in cities if c.pk == wanted), city)
    return campaign, city, cities


def _candidates(campaign: Campaign, city: Unit) -> list[dict[str, Any]]:
    county_rows = list(
        RecommendationEntry.objects.filter(
            recommendation__campaign=campaign,
            recommendation__unit__kind=Unit.Kind.COUNTY,
            recommendation__unit__parent=city,
            recommendation__confirmed_at__isnull=False,
        )
        .select_related("application__unit", "recommendation__unit")
        .order_by("recommendation__unit__code", "position")
    )
    # the city's own 市直 schools it accepted (it is their county step), after the counties' lists
    direct = list(
        Application.objects.filter(
            campaign=campaign,
            unit__parent=city,
            unit__kind=Unit.Kind.SCHOOL,
            status__in=[Application.Status.ACCEPTED, Application.Status.RECOMMENDED],
        )
        .select_related("unit")
        .order_by("unit__code")
    )
    # oldest first, so each application keeps its latest accepted review (the county's score)
    reviews = {
        r.application_id: r
        for r in CountyReview.objects.filter(
            application_id__in=[row.application_id for row in county_rows] + [a.pk for a in direct],
            decision=CountyReview.Decision.ACCEPTED,
        ).order_by("application_id", "decided_at", "pk")
    }
    return [{"row": row, "app": row.application, "county": reviews.get(row.application_id)} for row in county_rows] + [
        {"row": None, "app": app, "county": reviews.get(app.pk)} for app in direct
    ]


#: (campaign, the city whose list it is, all the user's cities)
CityPlace = tuple[Campaign, Unit, list[Unit]]


def _city_page(
    request: AuthenticatedRequest,
    place: CityPlace,
    form: RecommendationForm | None = None,
    candidates: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    campaign, city, cities = place
    rec = RecommendationList.objects.filter(campaign=campaign, unit=city).first()
    rows = list(rec.rows.select_related("application__unit")) if rec is not None else []
    totals = county_totals([row.application_id for row in rows])
    for row in rows:
        row.county_total = totals.get(row.application_id)  # type: ignore[attr-defined]
    conf = ReviewSettings.objects.filter(campaign=campaign).first()
    return render(
        request,
        "reviews/city_recommend.html",
        {
            "campaign": campaign,
            "city": city,
            "cities": cities,
            "candidates": _candidates(campaign, city) if candidates is None else candidates,
            "rec": rec,
            "rows": rows,
            "stage_problem": stages.action_problem(campaign, stages.Action.CITY_RECOMMEND),
            "quota": conf.city_quota if conf else None,
            **shown_list(form, rec),
        },
    )


@require_http_methods(["GET", "POST"])
@require(_is_city_reviewer)
def city_recommend(request: AuthenticatedRequest, campaign_pk: int) -> HttpResponse:
    """The city picks, from its counties' confirmed lists, the list it sends to the province
    (GET shows it, POST saves it); the city quota is checked on save."""
    place = _city_campaign(request, campaign_pk)
    if request.method != "POST":
        return _city_page(request, place)
    campaign, city, _cities = place
    rows = _candidates(campaign, city)
    candidates = [row["app"] for row in rows]
    form = RecommendationForm(request.POST, candidates=[(a.pk, a.unit.name) for a in candidates])

    def save(applications: list[Application]) -> object:
        return services.recommend_from_city(
            actor=actor(request),
            campaign=campaign,
            city=city,
            applications=applications,
            ip=client_ip(request),
            **form.list_fields(),
        )

    return save_list(
        request,
        form,
        candidates,
        save,
        lambda: _city_page(request, place, form, rows),
        _("市级推荐名单已保存"),
        request.path + f"?city={city.pk}",
    )


@require_POST
@require(_is_city_reviewer)
def city_recommend_confirm(request: AuthenticatedRequest, campaign_pk: int) -> HttpResponse:
    """A named person confirms the city's list and it freezes."""
    place = _city_campaign(request, campaign_pk)
    campaign, city, _cities = place
    rec = get_object_or_404(RecommendationList, campaign=campaign, unit=city)
    return confirm_list(
        request,
        rec,
        lambda: _city_page(request, place),
        _("市级推荐名单已确认"),
        reverse("reviews:city_recommend", args=[campaign.pk]) + f"?city={city.pk}",
    )
