"""Review and selection pages. Thin: look up scoped objects (another unit's → 404), call a
service, show its message."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from campuseval.access.rules import city_reviewer_units, is_organizer_for, organizer_scope, reviewer_counties
from campuseval.applications.models import Application
from campuseval.audit.models import AuditEntry
from campuseval.audit.services import client_ip
from campuseval.campaigns.models import Campaign
from campuseval.campaigns.scoring import framework_for
from campuseval.orgs.models import Unit
from campuseval.spreadsheets.writing import XLSX, Column, build_workbook

from . import queries, services
from .forms import ObjectionForm, PublishForm, ReviewSettingsForm
from .models import (
    Assignment,
    Conflict,
    CountyReview,
    Expert,
    Objection,
    Panel,
    Publication,
    RecommendationEntry,
    RecommendationList,
)


def _ints(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    """Keep a failed action's messages for the page being re-rendered (shown beside the form,
    with everything the user typed still in it)."""
    request.review_errors = [*getattr(request, "review_errors", []), *exc.messages]  # type: ignore[attr-defined]


# --- county ------------------------------------------------------------------------------------

SORTS = {"score": "-self_total", "name": "unit__name", "submitted": "-submitted_at"}


@login_required
def county_list(request: HttpRequest) -> HttpResponse:
    """Submitted applications of the reviewer's counties, with filters and sorting."""
    if not reviewer_counties(request.user):
        raise Http404
    qs = queries.county_applications(request.user)
    campaign_id = request.GET.get("campaign", "")
    status = request.GET.get("status", "")
    q = request.GET.get("q", "").strip()
    if campaign_id.isdigit():
        qs = qs.filter(campaign_id=int(campaign_id))
    if status in Application.Status.values:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(unit__name__icontains=q) | Q(unit__code__icontains=q))
    area = request.GET.get("area", "")
    if area in Unit.Area.values:
        qs = qs.filter(unit__area=area)
    sort = request.GET.get("sort", "score")
    qs = qs.order_by(SORTS.get(sort, "-self_total"), "unit__code")
    rows = []
    for app in qs:
        result = app.result or {}
        progress = result.get("progress", {})
        rows.append(
            {
                "app": app,
                "progress": progress,
                "unmet": len(result.get("unmet_requirements", [])),
                "necessary": len(result.get("unmet_necessary", [])),
            }
        )
    campaigns = Campaign.objects.filter(applications__in=queries.county_applications(request.user)).distinct()
    return render(
        request,
        "reviews/county_list.html",
        {
            "rows": rows,
            "campaigns": campaigns,
            "statuses": Application.Status.choices,
            "sort": sort,
            "filters": {"campaign": campaign_id, "status": status, "q": q, "area": area},
            "areas": Unit.Area.choices,
        },
    )


SECTION_NAMES = {"context": "基本情况", "choices": "方向选择", "declarations": "否决情形声明", "form": "申报书"}


def _labelled_diff(fw: Any, application: Any, older: Any, newer: Any) -> list[tuple[str, str, Any, Any]]:
    """What changed between two versions, in the words the reviewer reads on the forms:
    indicator code and title, the input's label, and the application form's field labels."""
    from campuseval.engine import formdefs

    definition = formdefs.load_definition(application.form_key)
    fields = {f.key: f for f in definition.fields()}
    exclusions = {e.key: e.label for e in (fw.eligibility.exclusions if fw.eligibility else ())}
    rows: list[tuple[str, str, Any, Any]] = []
    for code, key, old, new in services.version_diff(older.answers, newer.answers):
        node = fw.by_code.get(code)
        if node is not None:
            spec = node.inputs.get(key)
            rows.append((f"{node.code} {node.title}", spec.label if spec else key, old, new))
        elif code == "context":
            spec = fw.context.get(key)
            rows.append((SECTION_NAMES[code], spec.label if spec else key, old, new))
        elif code == "choices":
            chosen = fw.by_code.get(key)
            rows.append((SECTION_NAMES[code], f"{key} {chosen.title}" if chosen else key, old, new))
        else:
            rows.append((SECTION_NAMES.get(code, code), exclusions.get(key, key), old, new))
    old_form, new_form = older.form_data or {}, newer.form_data or {}
    for key in sorted(set(old_form) | set(new_form)):
        if old_form.get(key) != new_form.get(key):
            f = fields.get(key)
            if f is None:
                rows.append((SECTION_NAMES["form"], key, old_form.get(key), new_form.get(key)))
                continue
            before, after = formdefs.display_value(f, old_form.get(key)), formdefs.display_value(f, new_form.get(key))
            rows.append((SECTION_NAMES["form"], f.label, before or None, after or None))
    return rows


@login_required
def county_review(request: HttpRequest, pk: int) -> HttpResponse:
    """One application: its latest version per indicator, the difference from the previous
    version, and the decision form (accept with adjustments, reject, return)."""
    application = get_object_or_404(queries.county_applications(request.user), pk=pk)
    versions = list(application.versions.order_by("-number"))
    latest = versions[0] if versions else None
    fw = framework_for(application.framework)
    diff = _labelled_diff(fw, application, versions[1], latest) if len(versions) > 1 and latest else []
    form_values = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        adjustments = []
        for leaf in fw.leaves():
            value = request.POST.get(f"points_{leaf.code}", "").strip()
            reason = request.POST.get(f"reason_{leaf.code}", "").strip()
            if value or reason:
                adjustments.append(services.AdjustmentInput(code=leaf.code, field="points", value=value, reason=reason))
        try:
            services.decide_county_review(
                actor=request.user,
                application=application,
                decision=request.POST.get("decision", ""),
                reason=request.POST.get("reason", ""),
                opinion=request.POST.get("opinion", ""),
                adjustments=adjustments,
                ip=client_ip(request),
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("初审结论已保存"))
            return redirect("reviews:county_list")
    indicators = (latest.result if latest else application.result).get("indicators", {})
    leaves = [
        {
            "node": leaf,
            "self": indicators.get(leaf.code, {}),
            "points": form_values.get(f"points_{leaf.code}", ""),
            "reason": form_values.get(f"reason_{leaf.code}", ""),
        }
        for leaf in fw.leaves()
    ]
    return render(
        request,
        "reviews/county_review.html",
        {
            "application": application,
            "latest": latest,
            "versions": versions,
            "diff": diff,
            "leaves": leaves,
            "reviews": application.county_reviews.select_related("reviewer").prefetch_related("adjustments"),
            "decisions": CountyReview.Decision.choices,
            "form_values": form_values,
        },
    )


def _save_or_confirm_list(
    request: HttpRequest,
    *,
    rec: RecommendationList | None,
    picked: list[Application],
    save: Callable[..., Any],
    confirmed: Any,
    saved: Any,
    back: str,
) -> HttpResponse | None:
    """The recommendation page's POST at county and at city level: confirm the list by name,
    or save the picked rows; None when the service refused it (the messages say why)."""
    try:
        if request.POST.get("action") == "confirm" and rec is not None:
            services.confirm_recommendation(
                actor=request.user,
                recommendation=rec,
                confirmed_name=request.POST.get("confirmed_name", ""),
                ip=client_ip(request),
            )
            messages.success(request, confirmed)
        else:
            save(
                actor=request.user,
                applications=picked,
                filled_by=request.POST.get("filled_by", ""),
                phone=request.POST.get("phone", ""),
                highlights={a.pk: request.POST.get(f"highlights_{a.pk}", "") for a in picked},
                ip=client_ip(request),
            )
            messages.success(request, saved)
        return redirect(back)
    except ValidationError as exc:
        _errors(request, exc)
    except PermissionDenied:
        raise Http404 from None
    return None


@login_required
def recommend(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """The county picks and orders its recommendation list; quotas are checked on save; a named
    person confirms and the list freezes."""
    counties = reviewer_counties(request.user)
    if not counties:
        raise Http404
    campaign = get_object_or_404(
        Campaign.objects.filter(applications__in=queries.county_applications(request.user)).distinct(), pk=campaign_pk
    )
    county = counties[0]
    if request.GET.get("county", "").isdigit():
        county = next((c for c in counties if c.pk == int(request.GET["county"])), county)
    candidates = list(
        queries.county_applications(request.user)
        .filter(campaign=campaign, status__in=[Application.Status.ACCEPTED, Application.Status.RECOMMENDED])
        .order_by("-self_total", "unit__code")
    )
    rec = RecommendationList.objects.filter(campaign=campaign, unit=county).first()
    chosen = [int(x) for x in request.POST.getlist("application") if x.isdigit()]
    if request.method == "POST":
        by_pk = {a.pk: a for a in candidates}
        response = _save_or_confirm_list(
            request,
            rec=rec,
            picked=[by_pk[pk] for pk in chosen if pk in by_pk],
            save=functools.partial(services.recommend_applications, campaign=campaign, county=county),
            confirmed=_("推荐名单已确认"),
            saved=_("推荐名单已保存"),
            back=request.path + f"?county={county.pk}",
        )
        if response is not None:
            return response
    elif rec is not None:
        chosen = list(rec.rows.values_list("application_id", flat=True))
    return render(
        request,
        "reviews/recommend.html",
        {
            "campaign": campaign,
            "county": county,
            "counties": counties,
            "candidates": candidates,
            "rec": rec,
            "chosen": chosen,
            "filled_by": request.POST.get("filled_by", rec.filled_by if rec else ""),
            "phone": request.POST.get("phone", rec.phone if rec else ""),
        },
    )


# --- organizer ---------------------------------------------------------------------------------


def _organizer_campaign(request: HttpRequest, pk: int) -> Campaign:
    campaign = get_object_or_404(queries.organizer_campaigns(request.user), pk=pk)
    if not is_organizer_for(request.user, campaign):
        raise Http404
    return campaign


@login_required
def organizer(request: HttpRequest, pk: int) -> HttpResponse:
    """The organizer's review desk for one campaign: settings, panels, assignments, results,
    publication, objections."""
    campaign = _organizer_campaign(request, pk)
    conf = services.ReviewSettings.objects.get_or_create(campaign=campaign)[0]
    settings_form = ReviewSettingsForm(
        request.POST if request.POST.get("action") == "settings" else None,
        # a separate copy: validating the form must not change what the service compares with
        instance=services.ReviewSettings.objects.get(pk=conf.pk),
    )
    publish_form = PublishForm(request.POST if request.POST.get("action") == "publish" else None)
    pool = queries.expert_pool(request.user).filter(is_active=True)
    if request.method == "POST":
        action = request.POST.get("action")
        ip = client_ip(request)
        try:
            if action == "settings" and settings_form.is_valid():
                services.configure_review(
                    actor=request.user, campaign=campaign, values=settings_form.cleaned_data, ip=ip
                )
                messages.success(request, _("评审设置已保存"))
                return redirect("reviews:organizer", pk=pk)
            if action == "panel":
                services.create_panel(
                    actor=request.user,
                    campaign=campaign,
                    name=request.POST.get("name", ""),
                    kind=request.POST.get("kind", ""),
                    experts=list(pool.filter(pk__in=_ints(request.POST.getlist("experts")))),
                    ip=ip,
                )
                messages.success(request, _("专家组已创建"))
                return redirect("reviews:organizer", pk=pk)
            if action == "members":
                panel = get_object_or_404(Panel, pk=request.POST.get("panel"), campaign=campaign)
                services.set_panel_members(
                    actor=request.user,
                    panel=panel,
                    experts=list(pool.filter(pk__in=_ints(request.POST.getlist("experts")))),
                    ip=ip,
                )
                messages.success(request, _("专家组成员已更新"))
                return redirect("reviews:organizer", pk=pk)
            if action == "batch":
                panel = get_object_or_404(Panel, pk=request.POST.get("panel"), campaign=campaign)
                made, skipped = services.assign_batch(
                    actor=request.user,
                    panel=panel,
                    applications=list(
                        queries.finalists(campaign).filter(pk__in=_ints(request.POST.getlist("applications")))
                    ),
                    experts=list(pool.filter(pk__in=_ints(request.POST.getlist("experts")))),
                    ip=ip,
                )
                for problem in skipped:
                    messages.warning(request, problem)
                messages.success(request, _("批量分配完成：新增 %(n)s 项任务") % {"n": len(made)})
                return redirect("reviews:organizer", pk=pk)
            if action == "auto_assign":
                panel = get_object_or_404(Panel, pk=request.POST.get("panel"), campaign=campaign)
                problems = services.auto_assign(actor=request.user, panel=panel, ip=ip)
                for problem in problems:
                    messages.warning(request, problem)
                messages.success(request, _("已自动分配"))
                return redirect("reviews:organizer", pk=pk)
            if action == "assign":
                panel = get_object_or_404(Panel, pk=request.POST.get("panel"), campaign=campaign)
                application = get_object_or_404(Application, pk=request.POST.get("application"), campaign=campaign)
                expert = get_object_or_404(pool, pk=request.POST.get("expert"))
                services.assign_expert(actor=request.user, panel=panel, application=application, expert=expert, ip=ip)
                messages.success(request, _("已分配"))
                return redirect("reviews:organizer", pk=pk)
            if action == "unlock":
                assignment = get_object_or_404(Assignment, pk=request.POST.get("assignment"), panel__campaign=campaign)
                services.unlock_assignment(
                    actor=request.user, assignment=assignment, reason=request.POST.get("reason", ""), ip=ip
                )
                messages.success(request, _("已解锁"))
                return redirect("reviews:organizer", pk=pk)
            if action == "compute":
                services.compute_results(actor=request.user, campaign=campaign, ip=ip)
                messages.success(request, _("评审结果已计算"))
                return redirect("reviews:organizer", pk=pk)
            if action == "publish" and publish_form.is_valid():
                services.publish_results(actor=request.user, campaign=campaign, ip=ip, **publish_form.cleaned_data)
                messages.success(request, _("已发布公示"))
                return redirect("reviews:organizer", pk=pk)
            if action == "answer":
                objection = get_object_or_404(Objection, pk=request.POST.get("objection"), campaign=campaign)
                services.answer_objection(
                    actor=request.user, objection=objection, answer=request.POST.get("answer", ""), ip=ip
                )
                messages.success(request, _("已答复"))
                return redirect("reviews:organizer", pk=pk)
            if action == "finalize":
                services.finalize_results(actor=request.user, campaign=campaign, ip=ip)
                messages.success(request, _("最终名单已发布"))
                return redirect("reviews:organizer", pk=pk)
        except ValidationError as exc:
            _errors(request, exc)
        except PermissionDenied:
            raise Http404 from None
    assignments = list(
        Assignment.objects.filter(panel__campaign=campaign)
        .select_related("expert__user", "application__unit", "panel")
        .order_by("application__unit__code", "pk")
    )
    recommended = list(queries.finalists(campaign).order_by("unit__code"))
    return render(
        request,
        "reviews/organizer.html",
        {
            "campaign": campaign,
            "conf": conf,
            "settings_form": settings_form,
            "publish_form": publish_form,
            "panels": campaign.panels.prefetch_related("members__user"),
            "experts": list(pool),
            "post": request.POST,
            "chosen_apps": _ints(request.POST.getlist("applications")),
            "chosen_experts": _ints(request.POST.getlist("experts")),
            "assignments": assignments,
            "recommended": recommended,
            "results": campaign.results.select_related("application__unit").order_by("rank", "application__unit__code"),
            "publication": Publication.objects.filter(campaign=campaign).first(),
            "objections": queries.campaign_objections(campaign),
            "lists": campaign.recommendation_lists.select_related("unit").prefetch_related("rows__application__unit"),
        },
    )


def _audit_entries(campaign: Campaign, application_id: str) -> Any:
    """The campaign's entries, or one application's: entries about the application itself
    and about anything done for its unit in this campaign (reviews, sheets, objections)."""
    entries = AuditEntry.objects.filter(campaign_id=campaign.pk)
    if application_id.isdigit():
        application = Application.objects.filter(pk=int(application_id), campaign=campaign).first()
        if application is None:
            raise Http404
        entries = entries.filter(
            Q(object_type="Application", object_id=str(application.pk)) | Q(unit_id=application.unit_id)
        )
    return entries


@login_required
def audit_log(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's audit trail (read-only), optionally for one application."""
    campaign = _organizer_campaign(request, pk)
    app = request.GET.get("application", "")
    entries = _audit_entries(campaign, app)
    return render(
        request,
        "reviews/audit_log.html",
        {
            "campaign": campaign,
            "entries": entries.order_by("-at", "-pk")[:500],
            "applications": campaign.applications.exclude(status=Application.Status.DRAFT)
            .select_related("unit")
            .order_by("unit__code"),
            "selected": app,
        },
    )


# --- expert ------------------------------------------------------------------------------------


@login_required
def expert_list(request: HttpRequest) -> HttpResponse:
    """The expert's tasks, and the conflicts of interest they declare ahead of assignment."""
    profile = Expert.objects.filter(user=request.user).first()
    if profile is None:
        raise Http404
    if request.method == "POST":
        code = request.POST.get("unit_code", "").strip()
        unit = Unit.objects.filter(code=code).first() if code else None
        try:
            if code and unit is None:
                raise ValidationError(f"单位代码「{code}」不存在，请核对")
            services.declare_conflict(
                actor=request.user, unit=unit, reason=request.POST.get("reason", ""), ip=client_ip(request)
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("回避申报已登记，今后不会分配该单位的评审任务"))
            return redirect("reviews:expert_list")
    assignments = list(queries.expert_assignments(request.user).select_related("panel__campaign__review_settings"))
    for a in assignments:
        conf = getattr(a.panel.campaign, "review_settings", None)
        a.show_name = a.status != Assignment.Status.ASSIGNED and not (conf and conf.hide_applicant)  # type: ignore[attr-defined]
    return render(
        request,
        "reviews/expert_list.html",
        {
            "assignments": assignments,
            "profile": profile,
            "conflicts": profile.conflicts.select_related("unit").order_by("-created_at"),
            "post": request.POST,
        },
    )


@login_required
def expert_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """An expert's score sheet: confirm no conflict first; then per indicator the self-score
    and county score beside, points within range and a comment; save, submit, abstain."""
    assignment = get_object_or_404(queries.expert_assignments(request.user), pk=pk)
    application = assignment.application
    conf = services.ReviewSettings.objects.get_or_create(campaign=assignment.panel.campaign)[0]
    if request.method == "POST":
        action = request.POST.get("action")
        ip = client_ip(request)
        try:
            if action == "confirm":
                services.confirm_no_conflict(actor=request.user, assignment=assignment, ip=ip)
            elif action == "abstain":
                services.abstain(
                    actor=request.user, assignment=assignment, reason=request.POST.get("abstain_reason", ""), ip=ip
                )
            elif action in ("save", "submit"):
                fw = framework_for(application.framework)
                points = {leaf.code: request.POST.get(f"points_{leaf.code}", "") for leaf in fw.leaves()}
                comments = {leaf.code: request.POST.get(f"comment_{leaf.code}", "") for leaf in fw.leaves()}
                skipped = [leaf.code for leaf in fw.leaves() if request.POST.get(f"skip_{leaf.code}")]
                services.record_expert_score(
                    actor=request.user,
                    assignment=assignment,
                    revision=int(request.POST.get("revision", "-1") or -1),
                    points=points,
                    comments=comments,
                    skipped=skipped,
                    ip=ip,
                )
                if action == "submit":
                    assignment.refresh_from_db()
                    services.submit_expert_score(actor=request.user, assignment=assignment, ip=ip)
                    messages.success(request, _("评分已提交"))
                else:
                    messages.success(request, _("评分已保存"))
            return redirect("reviews:expert_sheet", pk=pk)
        except ValidationError as exc:
            _errors(request, exc)
        assignment.refresh_from_db()
    show_name = not conf.hide_applicant
    context: dict[str, Any] = {
        "assignment": assignment,
        "application": application,
        "show_name": show_name,
        "post": request.POST,
    }
    if assignment.status != Assignment.Status.ASSIGNED:
        fw = framework_for(application.framework)
        version = application.versions.order_by("-number").first()
        self_ind = (version.result if version else application.result).get("indicators", {})
        county = application.county_reviews.filter(decision=CountyReview.Decision.ACCEPTED).first()
        county_ind = county.result.get("indicators", {}) if county else {}
        mine = assignment.result.get("indicators", {})
        others: dict[str, list[str]] = {}
        if conf.other_scores == conf.Visibility.AFTER_SUBMIT and assignment.status == Assignment.Status.SUBMITTED:
            for other in Assignment.objects.filter(application=application, status=Assignment.Status.SUBMITTED).exclude(
                pk=assignment.pk
            ):
                for code, data in other.result.get("indicators", {}).items():
                    others.setdefault(code, []).append(data.get("points", ""))
        rows = []
        for node in fw.walk():
            rows.append(
                {
                    "node": node,
                    "self": self_ind.get(node.code, {}).get("points", ""),
                    "county": county_ind.get(node.code, {}).get("points", ""),
                    "mine": mine.get(node.code, {}),
                    "points": request.POST.get(f"points_{node.code}", assignment.points.get(node.code, "")),
                    "comment": request.POST.get(f"comment_{node.code}", assignment.comments.get(node.code, "")),
                    "skipped": node.code in assignment.skipped,
                    "others": others.get(node.code, []),
                }
            )
        context.update({"rows": rows, "evidence": application.evidence.all(), "version": version})
    return render(request, "reviews/expert_sheet.html", context)


# --- public and applicant ------------------------------------------------------------------------


def public(request: HttpRequest, pk: int) -> HttpResponse:
    """The published list for anyone (no personal data) and the objection form during 公示."""
    campaign = get_object_or_404(Campaign, pk=pk, publication__isnull=False)
    publication = campaign.publication
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
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
            messages.success(request, _("异议已提交，组织单位将核查并答复"))
            return redirect("reviews:public", pk=pk)
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


@login_required
def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    result = get_object_or_404(queries.results_for_applicant(request.user), pk=pk)
    feedback = services.feedback_for(result)
    fw = framework_for(result.application.framework)
    rows = [
        {"node": n, "points": feedback["indicators"].get(n.code, ""), "comments": feedback["comments"].get(n.code, [])}
        for n in fw.leaves()
    ]
    return render(request, "reviews/result_detail.html", {"result": result, "rows": rows, "feedback": feedback})


# --- exports -------------------------------------------------------------------------------------


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    from urllib.parse import quote

    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
def audit_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign's audit log as Excel (same columns as the page)."""
    campaign = _organizer_campaign(request, pk)
    entries = _audit_entries(campaign, request.GET.get("application", "")).order_by("at", "pk")
    columns = [
        Column("时间", 20, "yyyy-mm-dd hh:mm:ss"),
        Column("操作人"),
        Column("来源地址"),
        Column("操作", 24),
        Column("摘要", 40),
        Column("变更前", 40),
        Column("变更后", 40),
    ]
    rows = (
        [
            e.at,
            e.actor_name,
            e.ip,
            e.action,
            e.summary,
            json.dumps(e.before, ensure_ascii=False) if e.before else "",
            json.dumps(e.after, ensure_ascii=False) if e.after else "",
        ]
        for e in entries.iterator()
    )
    return _xlsx(build_workbook("审计日志", columns, rows), f"审计日志-{campaign.name}.xlsx")


@login_required
def results_export(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _organizer_campaign(request, pk)
    results = campaign.results.select_related("application__unit__parent").order_by("rank", "application__unit__code")
    columns = [
        Column("名次", 8),
        Column("单位名称", 28),
        Column("单位代码"),
        Column("所属区县"),
        Column("城乡", 8),
        Column("材料评审得分", 12, "0.00"),
        Column("实地考察得分", 12, "0.00"),
        Column("最终得分", 12, "0.00"),
        Column("等级"),
        Column("入选", 8),
        Column("需复议", 8),
        Column("说明", 40),
        Column("汇总方法", 40),
    ]
    rows = (
        [
            r.rank,
            r.application.unit.name,
            r.application.unit.code,
            r.application.unit.parent.name if r.application.unit.parent else "",
            r.application.unit.get_area_display(),
            r.materials,
            r.site,
            r.final,
            r.level,
            r.selected,
            r.divergent,
            r.note,
            r.method,
        ]
        for r in results
    )
    return _xlsx(build_workbook("评审结果", columns, rows), f"评审结果-{campaign.name}.xlsx")


# --- expert pool (专家库) ----------------------------------------------------------------------


def _unit_by_code(code: str) -> Unit | None:
    code = code.strip()
    return Unit.objects.filter(code=code).first() if code else None


@login_required
def expert_pool(request: HttpRequest) -> HttpResponse:
    """The organizer's expert pool: who is in it (unit, region, fields), filters, adding one
    expert by hand, editing, taking out, and the conflicts of interest (回避) on record."""
    scope = organizer_scope(request.user)
    if not scope:
        raise Http404
    pool = queries.expert_pool(request.user, scope)
    ip = client_ip(request)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                unit = _unit_by_code(request.POST.get("unit", ""))
                region = _unit_by_code(request.POST.get("region", ""))
                if request.POST.get("region", "").strip() and region is None:
                    raise ValidationError({"region": f"区县代码「{request.POST['region'].strip()}」不存在"})
                expert, password = services.add_expert(
                    actor=request.user,
                    username=request.POST.get("username", ""),
                    display_name=request.POST.get("display_name", ""),
                    email=request.POST.get("email", ""),
                    unit=unit,
                    region=region,
                    title=request.POST.get("title", ""),
                    fields=request.POST.get("fields", ""),
                    ip=ip,
                )
                text = _("专家 %(name)s 已入库") % {"name": expert}
                if password:
                    text += _("；初始密码 %(p)s（仅显示一次，请转交本人并提醒修改）") % {"p": password}
                messages.success(request, text)
                return redirect("reviews:expert_pool")
            expert = get_object_or_404(pool, pk=request.POST.get("expert"))
            if action == "update":
                region_code = request.POST.get("region", "").strip()
                region = _unit_by_code(region_code)
                if region_code and region is None:
                    raise ValidationError({"region": f"区县代码「{region_code}」不存在"})
                services.update_expert(
                    actor=request.user,
                    expert=expert,
                    title=request.POST.get("title", ""),
                    fields=request.POST.get("fields", ""),
                    region=region,
                    is_active=bool(request.POST.get("is_active")),
                    ip=ip,
                )
                messages.success(request, _("专家信息已保存"))
            elif action == "conflict":
                code = request.POST.get("unit", "").strip()
                unit = _unit_by_code(code)
                if code and unit is None:
                    raise ValidationError({"unit": f"单位代码「{code}」不存在"})
                services.add_conflict(
                    actor=request.user, expert=expert, unit=unit, reason=request.POST.get("reason", ""), ip=ip
                )
                messages.success(request, _("回避已登记"))
            elif action == "remove_conflict":
                conflict = get_object_or_404(Conflict, pk=request.POST.get("conflict"), expert=expert)
                services.remove_conflict(
                    actor=request.user, conflict=conflict, reason=request.POST.get("reason", ""), ip=ip
                )
                messages.success(request, _("回避已撤销"))
            else:
                raise Http404
            return redirect(f"{request.path}?{request.GET.urlencode()}" if request.GET else request.path)
        except ValidationError as exc:
            _errors(request, exc)
        except PermissionDenied:
            raise Http404 from None
    q = request.GET.get("q", "").strip()
    region_id = request.GET.get("region", "")
    active = request.GET.get("active", "1")
    experts = pool
    if q:
        experts = experts.filter(
            Q(user__display_name__icontains=q)
            | Q(user__username__icontains=q)
            | Q(fields__icontains=q)
            | Q(unit__name__icontains=q)
        )
    if region_id.isdigit():
        experts = experts.filter(region_id=int(region_id))
    if active in ("0", "1"):
        experts = experts.filter(is_active=active == "1")
    experts = experts.prefetch_related(
        Prefetch("conflicts", queryset=Conflict.objects.select_related("unit").order_by("unit__code"))
    ).annotate(open_tasks=Count("assignments", filter=Q(assignments__status__in=["assigned", "confirmed"])))
    regions = Unit.objects.filter(pk__in=scope, kind=Unit.Kind.COUNTY).order_by("code")
    return render(
        request,
        "reviews/expert_pool.html",
        {
            "experts": experts,
            "regions": regions,
            "filters": {"q": q, "region": region_id, "active": active},
            "post": request.POST,
        },
    )


# --- the city's step (县 → 市 → 省) ------------------------------------------------------------


@login_required
def city_list(request: HttpRequest) -> HttpResponse:
    """Campaigns where the user's city screens its counties' lists before the province."""
    cities = city_reviewer_units(request.user)
    if not cities:
        raise Http404
    campaigns = list(queries.city_review_campaigns(request.user))
    lists = {
        (r.campaign_id, r.unit_id): r
        for r in RecommendationList.objects.filter(campaign__in=campaigns, unit__in=cities)
    }
    rows = [{"campaign": c, "city": city, "rec": lists.get((c.pk, city.pk))} for c in campaigns for city in cities]
    return render(request, "reviews/city_list.html", {"rows": rows})


@login_required
def city_recommend(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """The city picks, from its counties' confirmed lists, the list it sends to the province;
    the city quota is checked on save; a named person confirms and the list freezes."""
    cities = city_reviewer_units(request.user)
    campaign = get_object_or_404(queries.city_review_campaigns(request.user), pk=campaign_pk)
    city = cities[0]
    if request.GET.get("city", "").isdigit():
        city = next((c for c in cities if c.pk == int(request.GET["city"])), city)
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
    candidates = [
        {"row": row, "app": row.application, "county": reviews.get(row.application_id)} for row in county_rows
    ]
    rec = RecommendationList.objects.filter(campaign=campaign, unit=city).first()
    chosen = _ints(request.POST.getlist("application"))
    if request.method == "POST":
        by_pk = {c["app"].pk: c["app"] for c in candidates}
        response = _save_or_confirm_list(
            request,
            rec=rec,
            picked=[by_pk[pk] for pk in chosen if pk in by_pk],
            save=functools.partial(services.recommend_from_city, campaign=campaign, city=city),
            confirmed=_("市级推荐名单已确认"),
            saved=_("市级推荐名单已保存"),
            back=request.path + f"?city={city.pk}",
        )
        if response is not None:
            return response
    elif rec is not None:
        chosen = list(rec.rows.values_list("application_id", flat=True))
    conf = services.ReviewSettings.objects.filter(campaign=campaign).first()
    return render(
        request,
        "reviews/city_recommend.html",
        {
            "campaign": campaign,
            "city": city,
            "cities": cities,
            "candidates": candidates,
            "rec": rec,
            "chosen": chosen,
            "quota": conf.city_quota if conf else None,
            "filled_by": request.POST.get("filled_by", rec.filled_by if rec else ""),
            "phone": request.POST.get("phone", rec.phone if rec else ""),
        },
    )
