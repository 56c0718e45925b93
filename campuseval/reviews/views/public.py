"""Pages for anyone: the published list and objections during 公示; the applicant's result."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from campuseval.access.views import AuthenticatedRequest, require
from campuseval.audit.services import client_ip
from campuseval.campaigns.models import Campaign
from campuseval.campaigns.scoring import framework_for

from .. import queries, services
from ..forms import ObjectionForm
from ..models import Publication


def _public_page(request: HttpRequest, campaign: Campaign, form: ObjectionForm) -> HttpResponse:
    publication = campaign.publication
    results = [
        r for r in queries.published_results(campaign) if r.selected or publication.status == Publication.Status.FINAL
    ]
    today = dt.date.today()
    return render(
        request,
        "reviews/public.html",
        {
            "campaign": campaign,
            "publication": publication,
            "results": results,
            "form": form,
            "open": publication.status == Publication.Status.PUBLICITY
            and publication.starts_on <= today <= publication.ends_on,
        },
    )


@require_http_methods(["GET", "POST"])
def public(request: HttpRequest, pk: int) -> HttpResponse:
    """The published list for anyone (no personal data); POST lodges an objection during 公示."""
    campaign = get_object_or_404(Campaign, pk=pk, publication__isnull=False)
    if request.method != "POST":
        return _public_page(request, campaign, ObjectionForm())
    form = ObjectionForm(request.POST)
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
            messages.success(request, "异议已提交，组织单位将核查并答复")
            return redirect("reviews:public", pk=pk)
    return _public_page(request, campaign, form)


@require_GET
@require()
def result_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    result = get_object_or_404(queries.results_for_applicant(request.user), pk=pk)
    feedback = services.feedback_for(result)
    fw = framework_for(result.application.framework)
    rows = [
        {"node": n, "points": feedback["indicators"].get(n.code, ""), "comments": feedback["comments"].get(n.code, [])}
        for n in fw.leaves()
    ]
    return render(request, "reviews/result_detail.html", {"result": result, "rows": rows, "feedback": feedback})
