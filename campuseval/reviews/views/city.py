"""City reviewer pages (县 → 市 → 省): the campaigns with a city step, and the city's list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campuseval.access.rules import Actor, city_reviewer_units
from campuseval.access.views import AuthenticatedRequest, require
from campuseval.audit.services import client_ip
from campuseval.campaigns.models import Campaign
from campuseval.orgs.models import Unit

from .. import queries, services
from ..forms import ConfirmListForm, RecommendationForm
from ..models import CountyReview, RecommendationEntry, RecommendationList, ReviewSettings
from .common import actor, show_errors


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
    wanted = request.GET.get("city", "")
    if wanted.isdigit():
        city = next((c for c in cities if c.pk == int(wanted)), city)
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
    reviews = {
        r.application_id: r
        for r in CountyReview.objects.filter(
            application_id__in=[row.application_id for row in county_rows], decision=CountyReview.Decision.ACCEPTED
        ).order_by("application_id", "-decided_at")
    }
    return [{"row": row, "app": row.application, "county": reviews.get(row.application_id)} for row in county_rows]


def _city_page(request: AuthenticatedRequest, campaign_pk: int, form: RecommendationForm | None = None) -> HttpResponse:
    campaign, city, cities = _city_campaign(request, campaign_pk)
    rec = RecommendationList.objects.filter(campaign=campaign, unit=city).first()
    if form is not None and form.is_bound:
        chosen = [int(x) for x in form.data.getlist("application") if x.isdigit()]
        filled_by, phone = form.data.get("filled_by", ""), form.data.get("phone", "")
    else:
        chosen = list(rec.rows.values_list("application_id", flat=True)) if rec else []
        filled_by, phone = (rec.filled_by, rec.phone) if rec else ("", "")
    conf = ReviewSettings.objects.filter(campaign=campaign).first()
    return render(
        request,
        "reviews/city_recommend.html",
        {
            "campaign": campaign,
            "city": city,
            "cities": cities,
            "candidates": _candidates(campaign, city),
            "rec": rec,
            "chosen": chosen,
            "quota": conf.city_quota if conf else None,
            "filled_by": filled_by,
            "phone": phone,
        },
    )


@require_http_methods(["GET", "POST"])
@require(_is_city_reviewer)
def city_recommend(request: AuthenticatedRequest, campaign_pk: int) -> HttpResponse:
    """The city picks, from its counties' confirmed lists, the list it sends to the province
    (GET shows it, POST saves it); the city quota is checked on save."""
    if request.method != "POST":
        return _city_page(request, campaign_pk)
    campaign, city, _cities = _city_campaign(request, campaign_pk)
    candidates = [c["app"] for c in _candidates(campaign, city)]
    form = RecommendationForm(request.POST, candidates=[(a.pk, a.unit.name) for a in candidates])
    if not form.is_valid():
        show_errors(request, form.problems())
        return _city_page(request, campaign_pk, form)
    by_pk = {a.pk: a for a in candidates}
    try:
        services.recommend_from_city(
            actor=actor(request),
            campaign=campaign,
            city=city,
            applications=[by_pk[pk] for pk in form.picked() if pk in by_pk],
            filled_by=form.cleaned_data["filled_by"],
            phone=form.cleaned_data["phone"],
            highlights=form.highlights(),
            ip=client_ip(request),
        )
    except ValidationError as exc:
        show_errors(request, exc)
        return _city_page(request, campaign_pk, form)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("市级推荐名单已保存"))
    return redirect(request.path + f"?city={city.pk}")


@require_POST
@require(_is_city_reviewer)
def city_recommend_confirm(request: AuthenticatedRequest, campaign_pk: int) -> HttpResponse:
    """A named person confirms the city's list and it freezes."""
    campaign, city, _cities = _city_campaign(request, campaign_pk)
    rec = get_object_or_404(RecommendationList, campaign=campaign, unit=city)
    form = ConfirmListForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.problems())
        services.confirm_recommendation(
            actor=actor(request),
            recommendation=rec,
            confirmed_name=form.cleaned_data["confirmed_name"],
            ip=client_ip(request),
        )
    except ValidationError as exc:
        show_errors(request, exc)
        return _city_page(request, campaign_pk)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("市级推荐名单已确认"))
    return redirect(reverse("reviews:city_recommend", args=[campaign.pk]) + f"?city={city.pk}")
