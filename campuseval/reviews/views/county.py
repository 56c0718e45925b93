"""County reviewer pages: the list of submitted applications, one application's first review
(县级初审), and the county's recommendation list."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campuseval.access.rules import Actor, may_see_recommendation, reviewer_counties
from campuseval.access.views import AuthenticatedRequest, require
from campuseval.applications.forms import StampedScanForm
from campuseval.applications.models import Application
from campuseval.applications.services import scan_content_type
from campuseval.audit.services import client_ip
from campuseval.campaigns import stages
from campuseval.campaigns.models import Campaign
from campuseval.campaigns.scoring import framework_for
from campuseval.engine.text import clean_search, id_param
from campuseval.listing import Sort, paginate
from campuseval.orgs.models import Unit

from .. import queries, services
from ..county_scores import county_totals, with_county_total
from ..forms import CountyDecisionForm, RecommendationForm, shown_list
from ..materials import materials_for
from ..models import CountyReview, RecommendationList, ReviewSettings
from ..services.county import labelled_version_diff
from ..services.recommendation import upload_recommendation_scan
from .common import actor, confirm_list, save_list, show_errors
from .decided import decided_inputs, decided_rows, parse_decided

#: the county list's sorts: "score" is the county's score once it has decided, else the
#: self-score; the score columns list the highest first (the key itself sorts descending, as the
#: links shared before pagination did), `-key` reverses
SORTS = (
    Sort("score", gettext_lazy("得分从高到低（已初审的按县级评分）"), ("-score", "unit__code")),
    Sort("self", gettext_lazy("自评分从高到低"), ("-self_total", "unit__code")),
    Sort("name", gettext_lazy("名称"), ("unit__name",)),
    Sort("code", gettext_lazy("单位代码"), ("unit__code",)),
    Sort("submitted", gettext_lazy("提交时间（最近在前）"), ("-submitted_at",)),
)


def _is_county_reviewer(user: Actor) -> bool:
    return bool(reviewer_counties(user))


@require_GET
@require(_is_county_reviewer)
def county_list(request: AuthenticatedRequest) -> HttpResponse:
    """Submitted applications of the reviewer's counties, with filters and sorting."""
    qs = with_county_total(queries.county_applications(request.user))
    campaign_id = request.GET.get("campaign", "")
    status = request.GET.get("status", "")
    q, q_typed, q_problem = clean_search(request.GET.get("q", ""), _("学校名称或代码"))
    if q_problem:
        messages.warning(request, q_problem)
    campaign_pk = id_param(campaign_id)
    campaign_id = "" if campaign_pk is None else str(campaign_pk)
    if campaign_pk is not None:
        qs = qs.filter(campaign_id=campaign_pk)
    if status in Application.Status.values:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(unit__name__icontains=q) | Q(unit__code__icontains=q))
    area = request.GET.get("area", "")
    if area in Unit.Area.values:
        qs = qs.filter(unit__area=area)
    listing = paginate(request, qs, sorts=SORTS, default="score")
    rows = []
    for app in listing:
        result = app.result or {}
        rows.append(
            {
                "app": app,
                "progress": result.get("progress", {}),
                "unmet": len(result.get("unmet_requirements", [])),
                "necessary": len(result.get("unmet_necessary", [])),
            }
        )
    campaigns = list(
        Campaign.objects.filter(applications__in=queries.county_applications(request.user))
        .distinct()
        .select_related("review_settings")
    )
    return render(
        request,
        "reviews/county_list.html",
        {
            "rows": rows,
            "campaigns": campaigns,
            "statuses": Application.Status.choices,
            #: campaigns whose accepted applications go straight to the experts (no county list)
            "without_list": {c.pk for c in campaigns if _without_county_list(c)},
            "listing": listing,
            "sorts": SORTS,
            "filters": {"campaign": campaign_id, "status": status, "q": q_typed, "area": area},
            "areas": Unit.Area.choices,
        },
    )


def _without_county_list(campaign: Campaign) -> bool:
    try:
        return not campaign.review_settings.county_list
    except ReviewSettings.DoesNotExist:
        return False


def _labelled_diff(fw: Any, application: Application, older: Any, newer: Any) -> list[tuple[str, str, Any, Any]]:
    """What changed between two versions, in the words the reviewer reads on the forms (see
    `labelled_version_diff`)."""
    return labelled_version_diff(application, older, newer)


def _county_review_page(
    request: AuthenticatedRequest, application: Application, form: CountyDecisionForm
) -> HttpResponse:
    versions = list(application.versions.order_by("-number"))
    latest = versions[0] if versions else None
    fw = framework_for(application.framework)
    diff = _labelled_diff(fw, application, versions[1], latest) if len(versions) > 1 and latest else []
    typed = form.data if form.is_bound else {}
    indicators = (latest.result if latest else application.result).get("indicators", {})
    materials = materials_for(application, blind=False)
    estimates = (latest.answers if latest else application.answers).get("answers", {}) or {}
    decided_keys = fw.reviewer_decided_inputs()
    leaves = [
        {
            "node": leaf,
            "self": indicators.get(leaf.code, {}),
            "points": typed.get(f"points_{leaf.code}", ""),
            "reason": typed.get(f"reason_{leaf.code}", ""),
            "materials": materials.leaf(leaf.code),
            "decided": decided_rows(fw, leaf.code, estimates=estimates.get(leaf.code) or {}, current={}, typed=typed)
            if leaf.code in decided_keys
            else [],
        }
        for leaf in fw.leaves()
    ]
    return render(
        request,
        "reviews/county_review.html",
        {
            "materials": materials,
            "application": application,
            "latest": latest,
            "versions": versions,
            "diff": diff,
            "leaves": leaves,
            "reviews": application.county_reviews.select_related("reviewer").prefetch_related("adjustments"),
            "decisions": CountyReview.Decision.choices,
            "form_values": typed,
        },
    )


def _decision_form(application: Application, data: Any = None) -> CountyDecisionForm:
    fw = framework_for(application.framework)
    return CountyDecisionForm(data, codes=[leaf.code for leaf in fw.leaves()], decided=decided_inputs(fw))


#: the reason an input the review group decides carries when the county gave none
DECIDED_REASON = "县级评审认定（此项由评审认定）"


@require_GET
@require()
def county_review(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One application: its latest version per indicator, the difference from the previous
    version, and the decision form (accept with adjustments, reject, return)."""
    application = get_object_or_404(queries.county_applications(request.user), pk=pk)
    return _county_review_page(request, application, _decision_form(application))


@require_POST
@require()
def county_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The county's decision on one application."""
    application = get_object_or_404(queries.county_applications(request.user), pk=pk)
    form = _decision_form(application, request.POST)
    if not form.is_valid():
        show_errors(request, form.problems())
        return _county_review_page(request, application, form)
    data = form.cleaned_data
    adjustments = [
        services.AdjustmentInput(
            code=code, field="points", value=data[f"points_{code}"].strip(), reason=data[f"reason_{code}"].strip()
        )
        for code in form.codes
        if data[f"points_{code}"].strip() or (data[f"reason_{code}"].strip() and not form.decided_values().get(code))
    ]
    try:
        decided = parse_decided(framework_for(application.framework), form.decided_values(), application.campaign.as_of)
    except ValidationError as exc:
        show_errors(request, exc)
        return _county_review_page(request, application, form)
    adjustments += [
        services.AdjustmentInput(
            code=code, field=key, value=value, reason=data[f"reason_{code}"].strip() or DECIDED_REASON
        )
        for code, values in decided.items()
        for key, value in values.items()
    ]
    try:
        services.decide_county_review(
            actor=actor(request),
            application=application,
            decision=data["decision"],
            reason=data["reason"],
            opinion=data["opinion"],
            adjustments=adjustments,
            fix_deadline=data.get("fix_deadline"),
            ip=client_ip(request),
        )
    except ValidationError as exc:
        show_errors(request, exc)
        return _county_review_page(request, application, form)
    messages.success(request, _("初审结论已保存"))
    return redirect("reviews:county_list")


# --- recommendation list -------------------------------------------------------------------------


def _county_campaign(request: AuthenticatedRequest, campaign_pk: int) -> tuple[Campaign, Unit, list[Unit]]:
    counties = reviewer_counties(request.user)
    if not counties:
        raise Http404
    campaign = get_object_or_404(
        Campaign.objects.filter(applications__in=queries.county_applications(request.user)).distinct(), pk=campaign_pk
    )
    county = counties[0]
    wanted = id_param(request.GET.get("county", ""))
    if wanted is not None:
        county = next((c for c in counties if c.pk == wanted), county)
    return campaign, county, counties


def _candidates(request: AuthenticatedRequest, campaign: Campaign) -> list[Application]:
    """What the county may recommend, by the county's score (the self-score beside it)."""
    return list(
        with_county_total(queries.county_applications(request.user))
        .filter(campaign=campaign, status__in=[Application.Status.ACCEPTED, Application.Status.RECOMMENDED])
        .order_by(F("score").desc(), "unit__code")
    )


#: (campaign, the county whose list it is, all the reviewer's counties)
CountyPlace = tuple[Campaign, Unit, list[Unit]]


def _recommend_page(
    request: AuthenticatedRequest,
    place: CountyPlace,
    form: RecommendationForm | None = None,
    candidates: list[Application] | None = None,
    scan_form: StampedScanForm | None = None,
) -> HttpResponse:
    campaign, county, counties = place
    rec = RecommendationList.objects.filter(campaign=campaign, unit=county).first()
    rows = list(rec.rows.select_related("application__unit")) if rec is not None else []
    totals = county_totals([row.application_id for row in rows])
    for row in rows:
        row.county_total = totals.get(row.application_id)  # type: ignore[attr-defined]
    everyone = _candidates(request, campaign) if candidates is None else candidates
    shown, filters = _shown_candidates(request, everyone)
    listed = shown_list(form, rec)
    shown_pks = {app.pk for app in shown}
    return render(
        request,
        "reviews/recommend.html",
        {
            "campaign": campaign,
            "county": county,
            "counties": counties,
            #: every candidate in the list's order, with whether the filter shows it: a chosen one
            #: the filter hides is carried as hidden fields in its place, so saving a filtered page
            #: neither drops nor reorders it
            "candidate_rows": [(app, app.pk in shown_pks) for app in everyone],
            "shown_count": len(shown),
            "candidate_total": len(everyone),
            "filters": filters,
            "areas": Unit.Area.choices,
            "rec": rec,
            "rows": rows,
            "stage_problem": stages.action_problem(campaign, stages.Action.RECOMMEND),
            "scan_form": scan_form or StampedScanForm(),
            **listed,
        },
    )


def _shown_candidates(
    request: AuthenticatedRequest, candidates: list[Application]
) -> tuple[list[Application], dict[str, str]]:
    """The candidates the reviewer's filter (`q` name or code, `area`) leaves on the page. A
    county has at most a few hundred candidates and chooses among all of them within its quota,
    so the list is never cut into pages: the filter narrows what is shown, in Python, on the
    list already read (no query more), and the choice stays whole."""
    q, q_typed, q_problem = clean_search(request.GET.get("q", ""), _("学校名称或代码"))
    if q_problem and request.method == "GET":
        messages.warning(request, q_problem)
    area = request.GET.get("area", "")
    if area not in Unit.Area.values:
        area = ""
    shown = candidates
    if q:
        needle = q.casefold()
        shown = [a for a in shown if needle in a.unit.name.casefold() or needle in a.unit.code.casefold()]
    if area:
        shown = [a for a in shown if a.unit.area == area]
    return shown, {"q": q_typed, "area": area}


@require_http_methods(["GET", "POST"])
@require(_is_county_reviewer)
def recommend(request: AuthenticatedRequest, campaign_pk: int) -> HttpResponse:
    """The county picks and orders its recommendation list (GET shows it, POST saves it);
    quotas are checked on save."""
    place = _county_campaign(request, campaign_pk)
    if request.method != "POST":
        return _recommend_page(request, place)
    campaign, county, _counties = place
    candidates = _candidates(request, campaign)
    form = RecommendationForm(request.POST, candidates=[(a.pk, a.unit.name) for a in candidates])

    def save(applications: list[Application]) -> object:
        return services.recommend_applications(
            actor=actor(request),
            campaign=campaign,
            county=county,
            applications=applications,
            ip=client_ip(request),
            **form.list_fields(),
        )

    return save_list(
        request,
        form,
        candidates,
        save,
        lambda: _recommend_page(request, place, form, candidates),
        _("推荐名单已保存"),
        request.path + f"?county={county.pk}",
    )


@require_POST
@require(_is_county_reviewer)
def recommend_confirm(request: AuthenticatedRequest, campaign_pk: int) -> HttpResponse:
    """A named person confirms the county's list and it freezes."""
    place = _county_campaign(request, campaign_pk)
    campaign, county, _counties = place
    rec = get_object_or_404(RecommendationList, campaign=campaign, unit=county)
    return confirm_list(
        request,
        rec,
        lambda: _recommend_page(request, place),
        _("推荐名单已确认"),
        reverse("reviews:recommend", args=[campaign.pk]) + f"?county={county.pk}",
    )


@require_POST
@require(_is_county_reviewer)
def recommend_scan_upload(request: AuthenticatedRequest, campaign_pk: int) -> HttpResponse:
    """The county uploads its stamped 推荐表, scanned, before confirming the list."""
    place = _county_campaign(request, campaign_pk)
    campaign, county, _counties = place
    rec = get_object_or_404(RecommendationList, campaign=campaign, unit=county)
    form = StampedScanForm(request.POST, request.FILES)
    if not form.is_valid():
        show_errors(request, form.problems())
        return _recommend_page(request, place, scan_form=form)
    try:
        upload_recommendation_scan(
            actor=actor(request), recommendation=rec, file=form.cleaned_data["stamped_scan"], ip=client_ip(request)
        )
    except ValidationError as exc:
        show_errors(request, exc)
        return _recommend_page(request, place, scan_form=form)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("已上传盖章推荐表扫描件"))
    return redirect(reverse("reviews:recommend", args=[campaign.pk]) + f"?county={county.pk}")


@require_GET
@login_required
def recommend_scan(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """A list's stamped 推荐表 scan, for its county and the campaign's organizers."""
    rec = get_object_or_404(RecommendationList.objects.select_related("unit", "campaign"), pk=pk)
    if not may_see_recommendation(request.user, rec) or not rec.stamped_scan:
        raise Http404
    name = rec.stamped_scan.name or ""
    response = FileResponse(
        rec.stamped_scan.open("rb"),
        as_attachment=False,
        filename=f"盖章推荐表-{rec.unit.name}{name[name.rfind('.') :] if '.' in name else ''}",
        content_type=scan_content_type(name),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
