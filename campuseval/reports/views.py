"""Printable PDFs. Each looks up a scoped object (another unit's → 404) and renders it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header

from campuseval.access.rules import is_county_reviewer_for, is_organizer_for, may_import, may_see_application
from campuseval.access.views import AuthenticatedRequest
from campuseval.applications.models import Application
from campuseval.campaigns.models import Campaign
from campuseval.campaigns.scoring import framework_for
from campuseval.engine import formdefs
from campuseval.reviews import queries as review_queries
from campuseval.reviews import services as review_services
from campuseval.reviews.models import Assignment, RecommendationList
from campuseval.spreadsheets.reading import ImportReport
from campuseval.spreadsheets.responses import xlsx_response
from campuseval.spreadsheets.writing import Column, build_workbook

from . import imports as importers
from .pdf import render_pdf


def _pdf(data: bytes, filename: str) -> HttpResponse:
    disposition = content_disposition_header(False, filename)
    return HttpResponse(data, content_type="application/pdf", headers={"Content-Disposition": disposition})


def _application(request: HttpRequest, pk: int) -> Application:
    application = get_object_or_404(Application.objects.select_related("unit", "campaign", "framework"), pk=pk)
    if not may_see_application(request.user, application):
        raise Http404
    return application


def _result_of(application: Application, version: Any) -> dict[str, Any]:
    return (version.result if version is not None else application.result) or {}


@login_required
def self_evaluation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The self-evaluation table by secondary indicator (Taizhou annex 3 layout): max,
    self-score, notes."""
    application = _application(request, pk)
    fw = framework_for(application.framework)
    version = application.versions.order_by("-number").first()
    indicators = _result_of(application, version).get("indicators", {})
    sections = []
    for top in fw.indicators:
        rows = []
        for child in top.children or [top]:
            data = indicators.get(child.code, {})
            rows.append(
                {
                    "node": child,
                    "points": data.get("points", "0"),
                    "note": "未作答" if data.get("status") == "unanswered" else "",
                }
            )
        sections.append({"node": top, "rows": rows})
    total = _result_of(application, version).get("total", "0")
    data = render_pdf(
        "reports/pdf/self_evaluation.html",
        {"application": application, "framework": fw, "sections": sections, "total": total},
    )
    return _pdf(data, f"自评表-{application.unit.name}.pdf")


@login_required
def application_form(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The application form (申报书) laid out as its seed annex: basic data in label/value
    pairs, narratives in full, derived values, the promise and a blank signature and stamp
    area for each level's opinion. A submitted application prints its latest frozen version."""
    application = _application(request, pk)
    definition = formdefs.load_definition(application.form_key)
    version = application.versions.select_related("confirmed_by").order_by("-number").first()
    data = version.form_data if version is not None else application.form_data
    sections = []
    for title, fields in definition.sections:
        rows = [{"field": f, "value": formdefs.display_value(f, data.get(f.key))} for f in fields]
        narrative = all(f.kind == "narrative" for f in fields)
        pairs = [rows[i : i + 2] for i in range(0, len(rows), 2)]
        sections.append({"title": title, "rows": rows, "pairs": pairs, "narrative": narrative})
    computed = formdefs.compute_derived(definition, data)
    derived = [{"label": d.label, "unit": d.unit, "value": computed.get(d.key, "")} for d in definition.derived]
    promise = None
    if version is not None and version.confirmed_by is not None:
        promise = {"by": version.confirmed_by, "confirmed_at": version.submitted_at}
    pdf = render_pdf(
        "reports/pdf/application_form.html",
        {
            "application": application,
            "definition": definition,
            "version": version,
            "sections": sections,
            "derived": derived,
            "promise": promise,
        },
    )
    return _pdf(pdf, f"申报书-{application.unit.name}.pdf")


@login_required
def self_assessment(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Every indicator with criterion, scoring text, self-score and explanation, narrative, and
    the evidence by file name and SHA-256, ending with the authenticity promise."""
    application = _application(request, pk)
    fw = framework_for(application.framework)
    version = application.versions.order_by("-number").first()
    if version is None:
        raise Http404
    indicators = version.result.get("indicators", {})
    evidence: dict[str, list[dict[str, Any]]] = {}
    for item in version.evidence or []:
        evidence.setdefault(item.get("indicator", ""), []).append(item)  # as submit_application freezes it
    rows = [
        {
            "node": leaf,
            "result": indicators.get(leaf.code, {}),
            "narrative": (version.narratives or {}).get(leaf.code, ""),
            "evidence": evidence.get(leaf.code, []),
        }
        for leaf in fw.leaves()
        if indicators.get(leaf.code, {}).get("status") != "not_chosen"
    ]
    data = render_pdf(
        "reports/pdf/self_assessment.html",
        {"application": application, "framework": fw, "version": version, "rows": rows},
    )
    return _pdf(data, f"自评报告-{application.unit.name}.pdf")


@login_required
def recommendation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rec = get_object_or_404(RecommendationList.objects.select_related("unit", "campaign"), pk=pk)
    if not (is_county_reviewer_for(request.user, rec.unit) or is_organizer_for(request.user, rec.campaign)):
        raise Http404
    rows = []
    for row in rec.rows.select_related("application__unit"):
        row.kind = "示范区" if row.application.unit.kind == "county" else "示范校"  # type: ignore[attr-defined]
        rows.append(row)
    data = render_pdf("reports/pdf/recommendation.html", {"rec": rec, "campaign": rec.campaign, "rows": rows})
    return _pdf(data, f"推荐表-{rec.unit.name}.pdf")


@login_required
def expert_sheet(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    assignment = get_object_or_404(
        Assignment.objects.select_related("panel__campaign", "application__unit", "application__framework", "expert"),
        pk=pk,
    )
    own = assignment.expert.user_id == request.user.pk
    if not (own or is_organizer_for(request.user, assignment.panel.campaign)):
        raise Http404
    fw = framework_for(assignment.application.framework)
    indicators = assignment.result.get("indicators", {})
    rows = [
        {
            "node": leaf,
            "points": indicators.get(leaf.code, {}).get("points", ""),
            "comment": assignment.comments.get(leaf.code, ""),
        }
        for leaf in fw.leaves()
    ]
    data = render_pdf(
        "reports/pdf/expert_sheet.html",
        {
            "assignment": assignment,
            "application": assignment.application,
            "campaign": assignment.panel.campaign,
            "rows": rows,
        },
    )
    return _pdf(data, f"专家评分表-{assignment.application.unit.name}.pdf")


@login_required
def result_notice(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    result = get_object_or_404(review_queries.results_for_applicant(request.user), pk=pk)
    fw = framework_for(result.application.framework)
    feedback = review_services.feedback_for(result)
    rows = [
        {
            "node": leaf,
            "points": feedback["indicators"].get(leaf.code, ""),
            "comments": feedback["comments"].get(leaf.code, []),
        }
        for leaf in fw.leaves()
    ]
    data = render_pdf("reports/pdf/result_notice.html", {"result": result, "rows": rows})
    return _pdf(data, f"评审结果通知-{result.application.unit.name}.pdf")


def published_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The published list, for anyone, with no personal data."""
    campaign = get_object_or_404(Campaign.objects.select_related("organizer"), pk=pk, publication__isnull=False)
    publication = campaign.publication
    results = [r for r in review_queries.published_results(campaign) if r.selected]
    data = render_pdf(
        "reports/pdf/published_list.html", {"campaign": campaign, "publication": publication, "results": results}
    )
    return _pdf(data, f"名单-{campaign.name}.pdf")


# --- imports -------------------------------------------------------------------------------------


@login_required
def imports(request: AuthenticatedRequest) -> HttpResponse:
    """Organizers import accounts, the expert pool and framework indicator tables from Excel;
    refused rows are listed with their reasons and nothing is imported until the sheet is clean."""
    if not may_import(request.user):
        raise Http404
    report = None
    kind = request.POST.get("kind", "")
    draft = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            report = ImportReport(refused=[(0, "请选择要上传的 Excel 文件")])
        else:
            try:
                if kind == "accounts":
                    report = importers.import_accounts(actor=request.user, file=upload)
                elif kind == "experts":
                    report = importers.import_experts(actor=request.user, file=upload)
                elif kind == "framework":
                    levels = [x.strip() for x in request.POST.get("level_names", "").split(",") if x.strip()]
                    report, draft = importers.import_framework_table(
                        actor=request.user,
                        file=upload,
                        key=request.POST.get("key", "").strip(),
                        title=request.POST.get("title", "").strip() or "未命名指标体系",
                        subject=request.POST.get("subject", "school"),
                        level_names=levels or ["一级指标", "二级指标", "三级指标"],
                    )
                else:
                    raise Http404
            except PermissionDenied:
                raise Http404 from None
    return render(
        request, "reports/imports.html", {"report": report, "kind": kind, "post": request.POST, "draft": draft}
    )


TEMPLATES_COLUMNS = {
    "accounts": ("账号导入模板", "ACCOUNT_COLUMNS"),
    "experts": ("专家库导入模板", "EXPERT_COLUMNS"),
    "framework": ("指标表导入模板", "FRAMEWORK_COLUMNS"),
}


@login_required
def import_template(request: AuthenticatedRequest, kind: str) -> HttpResponse:
    """The empty sheet of an import, for those who may import."""
    if kind not in TEMPLATES_COLUMNS or not may_import(request.user):
        raise Http404
    title, attr = TEMPLATES_COLUMNS[kind]
    columns = [Column(name, 16) for name in getattr(importers, attr)]
    return xlsx_response(build_workbook(title, columns, []), f"{title}.xlsx")
