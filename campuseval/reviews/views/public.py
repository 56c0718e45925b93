"""Pages for anyone: the published list and objections during 公示; the applicant's result."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from campuseval.access.rules import unit_ids_with
from campuseval.access.views import AuthenticatedRequest, require
from campuseval.accounts.models import Role
from campuseval.audit.services import client_ip
from campuseval.campaigns.models import Campaign

from .. import queries, services
from ..forms import ObjectionForm
from ..models import Publication
from ..queries import result_rows


def _objection_choices(request: HttpRequest, publication: Publication) -> list[tuple[int, str]]:
    """What an objection may concern: the published names, and for a signed-in applicant its
    own published application (a unit objecting to its own result)."""
    entries = list(queries.published_entries(publication))
    own = unit_ids_with(request.user, Role.APPLICANT, Role.HEAD)
    return [(e.application_id, e.unit_name) for e in entries if e.selected or (own and e.application.unit_id in own)]


def _public_page(
    request: HttpRequest, campaign: Campaign, publication: Publication, form: ObjectionForm
) -> HttpResponse:
    entries = queries.published_entries(publication, selected_only=True)
    today = timezone.localdate()
    return render(
        request,
        "reviews/public.html",
        {
            "campaign": campaign,
            "publication": publication,
            "groups": queries.by_kind(entries, (gettext("学校"), gettext("区县"))),
            "earlier": Publication.objects.filter(campaign=campaign, number__lt=publication.number).order_by("-number"),
            "form": form,
            "open": publication.status == Publication.Status.PUBLICITY
            and publication.starts_on <= today <= publication.ends_on,
        },
    )


@require_http_methods(["GET", "POST"])
def public(request: HttpRequest, pk: int) -> HttpResponse:
    """The published list for anyone: only the names put forward (拟入选 during 公示, 入选 in
    the final list), as frozen at publication, without personal data; POST lodges an
    objection during 公示."""
    campaign = get_object_or_404(Campaign, pk=pk)
    publication = queries.current_publication(campaign)
    if publication is None:
        raise Http404
    choices = _objection_choices(request, publication)
    if request.method != "POST":
        return _public_page(request, campaign, publication, ObjectionForm(choices=choices))
    form = ObjectionForm(request.POST, choices=choices)
    if form.is_valid():
        try:
            services.lodge_objection(campaign=campaign, ip=client_ip(request), **form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errs in exc.message_dict.items():
                    for err in errs:
                        form.add_error(field if field in form.fields else None, err)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, gettext("异议已提交，组织单位将核查并答复"))
            return redirect("reviews:public", pk=pk)
    return _public_page(request, campaign, publication, form)


@require_GET
@require()
def result_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The applicant's final result as the final list froze it (the live sheets never show)."""
    result = get_object_or_404(queries.results_for_applicant(request.user), pk=pk)
    entry = queries.final_entry(result)
    if entry is None:
        raise Http404
    return render(request, "reviews/result_detail.html", {"result": result, **result_rows(entry)})
