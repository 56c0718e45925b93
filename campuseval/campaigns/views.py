"""Campaign pages. Thin: look up a scoped campaign (another unit's → 404), call a service, render.

- list: organizers see the campaigns they manage; schools and counties, those covering them.
- create / edit: organizers only; a refused form comes back with everything as typed.
- detail: settings, stages, and (for organizers) counts of applications by status.
- status: open a campaign, or move it to its next stage."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campuseval.access.rules import (
    COVERED_ROLES,
    is_organizer_for,
    may_author_frameworks,
    organizer_units,
    unit_ids_with,
)
from campuseval.access.views import AuthenticatedRequest
from campuseval.accounts.models import Role
from campuseval.audit.services import client_ip

from . import extensions, queries, services, stages
from .forms import CampaignForm, initial_for, initial_new
from .models import Campaign


def _managed(request: HttpRequest, pk: int) -> Campaign:
    return get_object_or_404(
        queries.organizer_campaigns(request.user).select_related("organizer", "school_framework", "district_framework"),
        pk=pk,
    )


@login_required
def campaign_list(request: AuthenticatedRequest) -> HttpResponse:
    """Organizers: their campaigns with counts and a button to create one. Schools and counties:
    the campaigns that cover them, read-only."""
    organizers = organizer_units(request.user)
    covered = unit_ids_with(request.user, *COVERED_ROLES)
    if not organizers and not covered:
        raise Http404
    return render(
        request,
        "campaigns/list.html",
        {
            "managed": list(queries.organizer_list(request.user)) if organizers else None,
            "covering": list(queries.covering_list(request.user)) if covered else None,
            "can_apply": bool(unit_ids_with(request.user, Role.APPLICANT, Role.HEAD)),
            "may_author": may_author_frameworks(request.user),
        },
    )


def _form_page(request: HttpRequest, form: CampaignForm, campaign: Campaign | None) -> HttpResponse:
    return render(request, "campaigns/form.html", {"form": form, "campaign": campaign})


@login_required
def campaign_create(request: AuthenticatedRequest) -> HttpResponse:
    organizers = organizer_units(request.user)
    if not organizers:
        raise Http404
    if request.method != "POST":
        return _form_page(request, CampaignForm(organizers=organizers, initial=initial_new(organizers)), None)
    form = CampaignForm(request.POST, organizers=organizers)
    if form.is_valid():
        try:
            campaign = services.create_campaign(actor=request.user, data=form.to_data(), ip=client_ip(request))
        except ValidationError as exc:
            form.add_service_errors(exc.message_dict)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("活动已创建（筹备中）。检查设置无误后，点击“发布申报”。"))
            return redirect("campaigns:detail", pk=campaign.pk)
    return _form_page(request, form, None)


@login_required
def campaign_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    campaign = _managed(request, pk)
    organizers = organizer_units(request.user)
    if campaign.status == Campaign.Status.CLOSED:
        messages.error(request, _("活动已结束，不能修改"))
        return redirect("campaigns:detail", pk=campaign.pk)
    initial = initial_for(campaign)
    if campaign.organizer not in organizers:
        organizers = [campaign.organizer, *organizers]
    if request.method != "POST":
        return _form_page(request, CampaignForm(organizers=organizers, campaign=campaign, initial=initial), campaign)
    form = CampaignForm(request.POST, organizers=organizers, campaign=campaign, initial=initial)
    if form.is_valid():
        try:
            services.update_campaign(actor=request.user, campaign=campaign, data=form.to_data(), ip=client_ip(request))
        except ValidationError as exc:
            form.add_service_errors(exc.message_dict)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("活动设置已保存"))
            return redirect("campaigns:detail", pk=campaign.pk)
    return _form_page(request, form, campaign)


@login_required
def campaign_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(
        queries.visible_campaigns(request.user).select_related("organizer", "school_framework", "district_framework"),
        pk=pk,
    )
    manager = is_organizer_for(request.user, campaign)
    context: dict[str, Any] = {
        "campaign": campaign,
        "manager": manager,
        "stages": list(campaign.stages.order_by("starts_at")),
        "stage_state": stages.stage_state(campaign),
        "covered": list(campaign.covered_units.order_by("code")),
    }
    context.update(extensions.detail_context(request, campaign, manager))
    if manager:
        context["readiness"] = services.readiness(campaign) if campaign.status == Campaign.Status.DRAFT else []
        following = services.NEXT_STATUS.get(campaign.status)
        context["next_status"] = Campaign.Status(following).label if following else None
    return render(request, "campaigns/detail.html", context)


@login_required
@require_POST
def campaign_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Open a campaign (筹备中 → 申报中) or move it to its next stage."""
    campaign = _managed(request, pk)
    step = services.open_campaign if campaign.status == Campaign.Status.DRAFT else services.advance_campaign
    try:
        campaign = step(
            actor=request.user, campaign=campaign, from_status=request.POST.get("from") or None, ip=client_ip(request)
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("活动已进入“%(status)s”") % {"status": campaign.get_status_display()})
    return redirect("campaigns:detail", pk=campaign.pk)
