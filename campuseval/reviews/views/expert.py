"""The expert's pages: their tasks and declared conflicts, and one score sheet: whom it concerns
and the system's 回避 checks, then confirm no conflict or withdraw; while open, the application's
materials beside each indicator, a decision per indicator (points or 同意初审分), the overall
opinion, save and submit. What the expert may see is decided by `queries` and `access`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from campuseval.access.rules import Actor, as_user, county_of
from campuseval.access.views import AuthenticatedRequest, require
from campuseval.audit.services import client_ip
from campuseval.campaigns.scoring import framework_for
from campuseval.engine import Framework

from .. import queries, services
from ..forms import AbstainForm, AgreeRestForm, ConfirmForm, DeclareConflictForm, ScoreSheetForm
from ..materials import materials_for
from ..models import Assignment, CountyReview, Expert
from ..services.common import latest_version
from .common import actor, show_errors, unit_by_code
from .decided import decided_inputs, decided_rows, parse_decided


def _is_expert(user: Actor) -> bool:
    signed = as_user(user)
    return signed is not None and Expert.objects.filter(user=signed).exists()


def _list_page(request: AuthenticatedRequest) -> HttpResponse:
    profile = get_object_or_404(Expert, user=request.user)
    assignments = list(queries.expert_assignments(request.user))
    blind = queries.blind_campaigns(a.panel.campaign_id for a in assignments)
    for a in assignments:
        a.show_name = a.panel.campaign_id not in blind  # type: ignore[attr-defined]
    return render(
        request,
        "reviews/expert_list.html",
        {
            "assignments": assignments,
            "profile": profile,
            "conflicts": profile.conflicts.select_related("unit").order_by("-created_at"),
            "post": request.POST if request.method == "POST" else {},
        },
    )


@require_http_methods(["GET", "POST"])
@require(_is_expert)
def expert_list(request: AuthenticatedRequest) -> HttpResponse:
    """The expert's tasks (GET); POST declares a conflict of interest ahead of assignment."""
    if request.method != "POST":
        return _list_page(request)
    form = DeclareConflictForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.problems())
        services.declare_conflict(
            actor=actor(request),
            unit=unit_by_code(form.cleaned_data["unit_code"], "unit_code", "单位代码"),
            reason=form.cleaned_data["reason"],
            ip=client_ip(request),
        )
    except ValidationError as exc:
        show_errors(request, exc)
        return _list_page(request)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, gettext("回避申报已登记，今后不会分配该单位的评审任务"))
    return redirect("reviews:expert_list")


def _own(request: AuthenticatedRequest, pk: int) -> Assignment:
    return get_object_or_404(queries.expert_assignments(request.user), pk=pk)


def _decided_answers(assignment: Assignment, fw: Framework, typed: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The expert's values of reviewer-decided inputs, each leaf's answers whole (the sheet's
    answers replace a leaf's): {code: {key: value}}."""
    if not typed:
        return {}
    base = (assignment.answers or latest_version(assignment.application).answers).get("answers") or {}
    parsed = parse_decided(fw, typed, assignment.application.campaign.as_of)
    return {code: {**(base.get(code) or {}), **values} for code, values in parsed.items()}


def _pending(assignment: Assignment, fw: Any, typed: Any) -> list[tuple[str, str]]:
    """The indicators still to decide: as saved, or — on a refused save or submission shown
    again — as typed (a score, 同意初审分, not put aside)."""
    saved = services.undecided(assignment)
    if not typed:
        return saved
    needed = (
        {code for code, _title in saved} | set(assignment.points) | set(assignment.agreed) | set(assignment.entered)
    )
    return [
        (leaf.code, leaf.title)
        for leaf in fw.leaves()
        if leaf.code in needed
        and (
            typed.get(f"skip_{leaf.code}")
            or not (
                str(typed.get(f"points_{leaf.code}", "")).strip()
                or typed.get(f"agree_{leaf.code}")
                or leaf.code in assignment.entered
                or any(str(typed.get(f"decided_{leaf.code}__{key}", "")).strip() for key in leaf.inputs)
            )
        )
    ]


def _sheet_page(
    request: AuthenticatedRequest, assignment: Assignment, form: ScoreSheetForm | None = None
) -> HttpResponse:
    application = assignment.application
    typed: Any = form.data if form is not None and form.is_bound else {}
    show_name = queries.applicant_visible(assignment)
    county = county_of(application.unit)
    context: dict[str, Any] = {
        "assignment": assignment,
        "application": application,
        "show_name": show_name,
        "applicant": application.unit.name if show_name else application.code,
        "county_name": county.name if show_name and county else "",
        "post": request.POST if request.method == "POST" else {},
        "checks": services.conflict_checks(assignment.expert, application),
        "open": assignment.status == Assignment.Status.CONFIRMED,
    }
    if assignment.status in (Assignment.Status.CONFIRMED, Assignment.Status.SUBMITTED):
        fw = framework_for(application.framework)
        version = application.versions.order_by("-number").first()
        self_ind = (version.result if version else application.result).get("indicators", {})
        county_review = application.county_reviews.filter(decision=CountyReview.Decision.ACCEPTED).first()
        county_ind = county_review.result.get("indicators", {}) if county_review else {}
        mine = assignment.result.get("indicators", {})
        others = queries.other_scores(assignment)
        materials = materials_for(application, blind=not show_name) if context["open"] else None
        undecided = _pending(assignment, fw, typed)
        pending = {code for code, _title in undecided}
        decided_keys = fw.reviewer_decided_inputs()
        #: where 同意初审分 would adopt the applicant's estimate (not offered there)
        estimated = services.estimated_codes(assignment) if decided_keys else set()
        estimates = (version.answers if version else application.answers).get("answers", {}) or {}
        on_sheet = (assignment.answers or {}).get("answers", {}) or {}
        county_answers = (county_review.answers.get("answers", {}) or {}) if county_review else {}
        county_decided = (
            {(a.indicator_code, a.field) for a in county_review.adjustments.all()}
            if county_review and decided_keys
            else set()
        )

        def decided(code: str) -> list[dict[str, Any]]:
            county = {
                key: value for key, value in (county_answers.get(code) or {}).items() if (code, key) in county_decided
            }
            return decided_rows(
                fw,
                code,
                estimates=estimates.get(code) or {},
                current=(on_sheet.get(code) or {}) if code in assignment.entered else {},
                typed=typed,
                county=county,
            )

        agreed = (
            {c for c in (form.codes if form else []) if typed.get(f"agree_{c}")} if typed else set(assignment.agreed)
        )
        rows = [
            {
                "node": node,
                "self": self_ind.get(node.code, {}).get("points", ""),
                "county": county_ind.get(node.code, {}).get("points", ""),
                "mine": mine.get(node.code, {}),
                "points": typed.get(f"points_{node.code}", assignment.points.get(node.code, "")),
                "agreed": node.code in agreed,
                "entered": node.code in assignment.entered,
                "comment": typed.get(f"comment_{node.code}", assignment.comments.get(node.code, "")),
                "skipped": bool(typed.get(f"skip_{node.code}")) if typed else node.code in assignment.skipped,
                "undecided": node.code in pending,
                "others": others.get(node.code, []),
                "materials": materials.leaf(node.code) if materials else None,
                "decided": decided(node.code) if node.code in decided_keys else [],
                "estimated": node.code in estimated,
            }
            for node in fw.walk()
        ]
        context.update(
            {
                "rows": rows,
                "materials": materials,
                "version": version,
                "undecided": undecided,
                #: what 其余指标同意初审分 covers: not the leaves the review group decides
                "agreeable": [(code, title) for code, title in undecided if code not in estimated],
                "show_others": bool(others),
                "overall_comment": typed.get("overall_comment", assignment.overall_comment),
                "confirm_rest": context["open"] and request.GET.get("agree_rest") == "1",
            }
        )
    return render(request, "reviews/expert_sheet.html", context)


@require_GET
@require(_is_expert)
def expert_sheet(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """An expert's score sheet: confirm no conflict first; then per indicator the self-score
    and county score beside, points within range and a comment."""
    return _sheet_page(request, _own(request, pk))


@require_POST
@require(_is_expert)
def expert_confirm(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    assignment = _own(request, pk)
    try:
        if not ConfirmForm(request.POST).is_valid():
            raise ValidationError(gettext("提交内容无效"))
        services.confirm_no_conflict(actor=actor(request), assignment=assignment, ip=client_ip(request))
    except ValidationError as exc:
        show_errors(request, exc)
        return _sheet_page(request, _own(request, pk))
    except PermissionDenied:
        raise Http404 from None
    return redirect("reviews:expert_sheet", pk=pk)


@require_POST
@require(_is_expert)
def expert_abstain(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    assignment = _own(request, pk)
    form = AbstainForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.problems())
        services.abstain(
            actor=actor(request),
            assignment=assignment,
            reason=form.cleaned_data["abstain_reason"],
            ip=client_ip(request),
        )
    except ValidationError as exc:
        show_errors(request, exc)
        return _sheet_page(request, _own(request, pk))
    except PermissionDenied:
        raise Http404 from None
    return redirect("reviews:expert_sheet", pk=pk)


def _score(request: AuthenticatedRequest, pk: int, *, submit: bool) -> HttpResponse:
    assignment = _own(request, pk)
    fw = framework_for(assignment.application.framework)
    codes = [leaf.code for leaf in fw.leaves()]
    form = ScoreSheetForm(request.POST, codes=codes, decided=decided_inputs(fw))
    try:
        if not form.is_valid():
            raise ValidationError(form.problems())
        answers = _decided_answers(assignment, fw, form.decided_values())
        save = services.save_and_submit_expert_score if submit else services.record_expert_score
        save(
            actor=actor(request),
            assignment=assignment,
            revision=form.revision_number(),
            answers=answers,
            points=form.points(),
            comments=form.comments(),
            skipped=form.skipped(),
            agreed=form.agreed(),
            overall_comment=form.overall(),
            ip=client_ip(request),
        )
    except ValidationError as exc:
        show_errors(request, exc)
        return _sheet_page(request, _own(request, pk), form)
    except PermissionDenied:
        raise Http404 from None
    if not submit and request.POST.get("action") == "agree_rest":
        return redirect(reverse("reviews:expert_sheet", args=[pk]) + "?agree_rest=1#agree-rest")
    messages.success(request, gettext("评分已提交") if submit else gettext("评分已保存"))
    return redirect("reviews:expert_sheet", pk=pk)


@require_POST
@require(_is_expert)
def expert_save(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _score(request, pk, submit=False)


@require_POST
@require(_is_expert)
def expert_submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Save what was typed and submit, in one transaction (a refused submission keeps nothing)."""
    return _score(request, pk, submit=True)


@require_POST
@require(_is_expert)
def expert_agree(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """其余指标同意初审分, the confirmed step: every indicator still undecided takes the
    first-review score as the expert's decision."""
    assignment = _own(request, pk)
    form = AgreeRestForm(
        request.POST, codes=[leaf.code for leaf in framework_for(assignment.application.framework).leaves()]
    )
    try:
        if not form.is_valid():
            raise ValidationError(form.problems())
        services.agree_with_first_review(
            actor=actor(request),
            assignment=assignment,
            revision=form.cleaned_data["revision"],
            codes=form.cleaned_data["codes"],
            ip=client_ip(request),
        )
    except ValidationError as exc:
        show_errors(request, exc)
        return _sheet_page(request, _own(request, pk))
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, gettext("其余指标已记为同意初审分，请核对后提交"))
    return redirect("reviews:expert_sheet", pk=pk)
