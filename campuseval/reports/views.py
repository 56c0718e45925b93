"""Printable PDFs. Each looks up a scoped object (another unit's → 404) and renders it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from campuseval.access.rules import (
    hides_applicant_from,
    is_organizer_for,
    managed_scope,
    may_edit_application,
    may_import,
    may_see_assignment,
    may_see_materials,
    may_see_recommendation,
)
from campuseval.access.views import AuthenticatedRequest
from campuseval.accounts.models import Role
from campuseval.applications import queries as application_queries
from campuseval.applications.models import Application
from campuseval.audit.models import AuditEntry
from campuseval.audit.services import client_ip
from campuseval.campaigns.models import Campaign
from campuseval.campaigns.scoring import framework_for
from campuseval.campaigns.services import form_definition as form_by_key  # a form file or one stored with its framework
from campuseval.engine import formdefs
from campuseval.engine.text import clean_search
from campuseval.listing import Listing, Sort, paginate
from campuseval.reviews import queries as review_queries
from campuseval.reviews.county_scores import county_totals
from campuseval.reviews.models import Assignment, RecommendationList
from campuseval.spreadsheets.reading import ImportReport
from campuseval.spreadsheets.responses import xlsx_response
from campuseval.spreadsheets.writing import Column, build_workbook

from . import imports as importers
from .annexes import recommendation_annex
from .import_forms import ImportForm, TakePasswordsForm
from .import_tasks import start_import, take_passwords
from .models import ImportJob
from .pdf import render_pdf


def _pdf(data: bytes, filename: str) -> HttpResponse:
    disposition = content_disposition_header(False, filename)
    return HttpResponse(data, content_type="application/pdf", headers={"Content-Disposition": disposition})


def _application(request: HttpRequest, pk: int) -> Application:
    """The application for its readers, and for its expert while the assignment is open."""
    application = get_object_or_404(Application.objects.select_related("unit", "campaign", "framework"), pk=pk)
    if not may_see_materials(request.user, application):
        raise Http404
    return application


def _masked(text: str, application: Application, blind: bool) -> str:
    """Free text with the school's name masked, in blind review."""
    return text.replace(application.unit.name, "〔申报单位〕") if blind and application.unit.name else text


def _applicant_name(request: HttpRequest, application: Application) -> str:
    """The school's name, or the application code for an expert in blind review."""
    return application.code if hides_applicant_from(request.user, application) else application.unit.name


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
    estimated_any = False
    for top in fw.indicators:
        rows = []
        for child in top.children or [top]:
            data = indicators.get(child.code, {})
            # points resting on an input the review group decides are the school's estimate
            estimated = any(
                indicators.get(leaf.code, {}).get("reviewer_decided")
                and indicators.get(leaf.code, {}).get("status") == "scored"
                for leaf in child.walk()
                if leaf.is_leaf
            )
            estimated_any = estimated_any or estimated
            notes = ["未作答"] if data.get("status") == "unanswered" else []
            if estimated:
                notes.append("含自评估计（由评审认定）")
            rows.append({"node": child, "points": data.get("points", "0"), "note": "；".join(notes)})
        sections.append({"node": top, "rows": rows})
    total = _result_of(application, version).get("total", "0")
    name = _applicant_name(request, application)
    data = render_pdf(
        "reports/pdf/self_evaluation.html",
        {
            "application": application,
            "framework": fw,
            "sections": sections,
            "total": total,
            "applicant_name": name,
            "estimated": estimated_any,
        },
    )
    return _pdf(data, f"自评表-{name}.pdf")


@login_required
def application_form(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The application form (申报书) laid out as its seed annex: basic data in label/value
    pairs, narratives in full, derived values, the promise and a blank signature and stamp
    area for each level's opinion. A submitted application prints its latest frozen version;
    the school correcting a returned one prints what it is about to resubmit (to sign and stamp)."""
    application = _application(request, pk)
    definition = form_by_key(application.form_key)
    correcting = application.status == Application.Status.RETURNED and may_edit_application(request.user, application)
    version = None if correcting else application.versions.select_related("confirmed_by").order_by("-number").first()
    data = version.form_data if version is not None else application.form_data
    blind = hides_applicant_from(request.user, application)
    sections = []
    for title, fields in definition.sections:
        # blind review: the text fields (names, contacts, addresses) are left out
        rows = [
            {"field": f, "value": _masked(formdefs.display_value(f, data.get(f.key)), application, blind)}
            for f in fields
            if not (blind and f.kind == "text")
        ]
        if not rows:
            continue
        narrative = all(f.kind == "narrative" for f in fields)
        pairs = [rows[i : i + 2] for i in range(0, len(rows), 2)]
        sections.append({"title": title, "rows": rows, "pairs": pairs, "narrative": narrative})
    computed = formdefs.compute_derived(definition, data)
    derived = [{"label": d.label, "unit": d.unit, "value": computed.get(d.key, "")} for d in definition.derived]
    promise = None
    if version is not None and version.confirmed_by is not None and not blind:
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
            "applicant_name": _applicant_name(request, application),
        },
    )
    return _pdf(pdf, f"申报书-{_applicant_name(request, application)}.pdf")


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
    blind = hides_applicant_from(request.user, application)
    name = _applicant_name(request, application)
    numbers = application_queries.evidence_numbers(application) if blind else {}
    for item in version.evidence or []:
        if blind:  # numbered file names, nothing of the school's own
            number = numbers.get(item.get("id", 0), 0)
            item = {**item, "name": application_queries.anonymous_evidence_name(number, str(item.get("name", "")))}
        evidence.setdefault(item.get("indicator", ""), []).append(item)  # as submit_application freezes it
    rows = [
        {
            "node": leaf,
            "result": indicators.get(leaf.code, {}),
            "narrative": _masked(str((version.narratives or {}).get(leaf.code, "")), application, blind),
            "evidence": evidence.get(leaf.code, []),
        }
        for leaf in fw.leaves()
        if indicators.get(leaf.code, {}).get("status") != "not_chosen"
    ]
    data = render_pdf(
        "reports/pdf/self_assessment.html",
        {"application": application, "framework": fw, "version": version, "rows": rows, "applicant_name": name},
    )
    return _pdf(data, f"自评报告-{name}.pdf")


@login_required
def recommendation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    rec = get_object_or_404(RecommendationList.objects.select_related("unit", "campaign"), pk=pk)
    if not may_see_recommendation(request.user, rec):
        raise Http404
    rows = list(rec.rows.select_related("application__unit"))
    totals = county_totals([row.application_id for row in rows])
    for row in rows:
        row.kind = "示范区" if row.application.unit.kind == "county" else "示范校"  # type: ignore[attr-defined]
        row.county_total = totals.get(row.application_id)  # type: ignore[attr-defined]
    data = render_pdf(
        "reports/pdf/recommendation.html",
        {"rec": rec, "campaign": rec.campaign, "rows": rows, "annex": recommendation_annex(rec.campaign, rows)},
    )
    return _pdf(data, f"推荐表-{rec.unit.name}.pdf")


@login_required
def expert_sheet(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One expert's sheet as signed: per indicator the decision (points, or 同意初审分) and the
    comment, the total, the overall opinion under the expert's name. In blind review the expert's
    copy names the application by its code only, in the file name too."""
    assignment = get_object_or_404(
        Assignment.objects.select_related(
            "panel__campaign", "application__unit", "application__framework", "expert__user"
        ),
        pk=pk,
    )
    if not may_see_assignment(request.user, assignment):
        raise Http404
    application = assignment.application
    blind = not is_organizer_for(request.user, assignment.panel.campaign) and not review_queries.applicant_visible(
        assignment
    )
    fw = framework_for(application.framework)
    indicators = assignment.result.get("indicators", {})
    rows = [
        {
            "node": leaf,
            "points": indicators.get(leaf.code, {}).get("points", ""),
            "agreed": leaf.code in assignment.agreed,
            "comment": assignment.comments.get(leaf.code, ""),
        }
        for leaf in fw.leaves()
    ]
    applicant = application.code if blind else application.unit.name
    data = render_pdf(
        "reports/pdf/expert_sheet.html",
        {
            "assignment": assignment,
            "applicant": applicant,
            "expert_name": assignment.expert.user.display_name or assignment.expert.user.username,
            "campaign": assignment.panel.campaign,
            "rows": rows,
        },
    )
    return _pdf(data, f"专家评分表-{applicant}.pdf")


@login_required
def result_notice(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The applicant's result notice, printed from the final list's frozen entry."""
    result = get_object_or_404(review_queries.results_for_applicant(request.user), pk=pk)
    entry = review_queries.final_entry(result)
    if entry is None:
        raise Http404
    data = render_pdf("reports/pdf/result_notice.html", {"result": result, **review_queries.result_rows(entry)})
    return _pdf(data, f"评审结果通知-{entry.unit_name}.pdf")


def published_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The current published list, for anyone, with no personal data: the names put forward
    only, schools and districts apart, as frozen at publication."""
    campaign = get_object_or_404(Campaign.objects.select_related("organizer"), pk=pk)
    publication = review_queries.current_publication(campaign)
    if publication is None:
        raise Http404
    groups = review_queries.by_kind(review_queries.published_entries(publication, selected_only=True))
    data = render_pdf(
        "reports/pdf/published_list.html", {"campaign": campaign, "publication": publication, "groups": groups}
    )
    return _pdf(data, f"名单-{campaign.name}-第{publication.number}次.pdf")


# --- imports -------------------------------------------------------------------------------------

#: import audit rows per page on the imports page
AUDIT_PAGE = 20


#: what the import audit list may be narrowed to: the label and the actions' prefixes
IMPORT_AUDIT_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "accounts": ("账号", ("import.account", "import.membership", "import.passwords")),
    "experts": ("专家", ("import.expert",)),
    "units": ("单位", ("import.units",)),
    "framework": ("指标框架", ("import.framework",)),
}
#: the columns the import audit list may be sorted by (newest first by default)
IMPORT_AUDIT_SORTS = [
    Sort("at", "时间", ["at"]),
    Sort("actor", "操作人", ["actor_name", "at"]),
]


def _import_audit(request: AuthenticatedRequest) -> tuple[Listing[AuditEntry], dict[str, str]]:
    """The import audit rows of the importer's scope (each row's unit in it), and their own,
    newest first, one page at a time with the total (a count and a page, whatever the page's
    length), narrowed by what was imported (`?what=`) and a word of the summary (`?q=`)."""
    user = request.user
    entries = AuditEntry.objects.filter(action__startswith="import.").only(
        "at", "actor_name", "action", "summary", "before", "after", "object_type", "object_id"
    )
    if not user.is_superuser:
        entries = entries.filter(Q(unit_id__in=managed_scope(user).ids()) | Q(actor_id=user.pk))
    what = request.GET.get("what", "")
    if what in IMPORT_AUDIT_KINDS:
        wanted = Q()
        for prefix in IMPORT_AUDIT_KINDS[what][1]:
            wanted |= Q(action__startswith=prefix)
        entries = entries.filter(wanted)
    else:
        what = ""
    q, typed, problem = clean_search(request.GET.get("q", ""), "导入记录摘要")
    if problem:
        messages.error(request, problem)
    if q:
        entries = entries.filter(summary__icontains=q)
    listing = paginate(request, entries, sorts=IMPORT_AUDIT_SORTS, default="-at", per_page=AUDIT_PAGE)
    return listing, {"what": what, "q": typed}


#: the names of what an import audit row records, as the page shows them
CHANGE_LABELS = {
    "username": "用户名",
    "display_name": "姓名",
    "phone": "手机",
    "email": "邮箱",
    "unit": "单位",
    "role": "角色",
    "region": "所在区县",
    "title": "职称/职务",
    "fields": "专业领域",
    "created": "新建",
    "updated": "更新",
    "key": "框架编号",
    "indicators": "指标数",
    "total": "总分",
}
ROLE_LABELS = {str(value): str(label) for value, label in Role.choices}


def _changes(entry: AuditEntry) -> list[tuple[str, Any, Any]]:
    """(field, before, after) of one audit row, for the page."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    rows = []
    for key in dict.fromkeys([*before, *after]):
        if key == "job":
            continue
        old, new = before.get(key, ""), after.get(key, "")
        if key == "role":
            old, new = ROLE_LABELS.get(str(old), old), ROLE_LABELS.get(str(new), new)
        rows.append((CHANGE_LABELS.get(key, key), old, new))
    return rows


def _label(form: ImportForm, name: str) -> str:
    return str(form.fields[name].label) if name in form.fields else "表单"


@login_required
def imports(request: AuthenticatedRequest) -> HttpResponse:
    """Organizers import accounts, the expert pool and framework indicator tables from Excel;
    refused rows are listed with their reasons and nothing is imported until the sheet is clean.
    A long sheet goes to the background worker and shows its progress here."""
    if not may_import(request.user):
        raise Http404
    report = None
    draft = ""
    job = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job, report, draft = start_import(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                file=upload,
                filename=str(upload.name or ""),
                params=form.params(),
                ip=client_ip(request),
            )
        except PermissionDenied:
            raise Http404 from None
        if report is None:
            notice = gettext("表格较大（%(n)s 行），已转入后台导入，进度见下方。") % {"n": job.rows_total}
            messages.info(request, notice)
            return redirect("reports:imports")
    elif request.method == "POST":
        problems = [(0, f"{_label(form, name)}：{e}") for name, errors in form.errors.items() for e in errors]
        report = ImportReport(refused=problems)
    jobs = list(ImportJob.objects.filter(user=request.user)[:10])
    audit, audit_filters = _import_audit(request)
    for entry in audit.rows:
        entry.changes = _changes(entry)  # type: ignore[attr-defined]
    return render(
        request,
        "reports/imports.html",
        {
            "report": report,
            "job": job,
            "kind": request.POST.get("kind", ""),
            "post": request.POST,
            "draft": draft,
            "jobs": jobs,
            "listing": audit,
            "audit": audit.rows,
            "audit_filters": audit_filters,
            "audit_kinds": [(key, label) for key, (label, _) in IMPORT_AUDIT_KINDS.items()],
            "password_form": TakePasswordsForm(),
        },
    )


def _own_job(request: AuthenticatedRequest, pk: int) -> ImportJob:
    if not may_import(request.user):
        raise Http404
    return get_object_or_404(ImportJob.objects.filter(user=request.user), pk=pk)


@login_required
def import_job(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One import job of the importer's (what htmx polls while it runs): progress, then its row
    messages."""
    job = _own_job(request, pk)
    return render(request, "reports/imports/_job.html", {"job": job, "password_form": TakePasswordsForm()})


@login_required
@require_POST
def import_passwords(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The new accounts' initial passwords as a sheet, to the importer, once."""
    job = _own_job(request, pk)
    form = TakePasswordsForm(request.POST)
    data = take_passwords(actor=request.user, job=job) if form.is_valid() else None
    if data is None:
        messages.error(request, gettext("初始密码表已下载过或不存在（只能下载一次）。"))
        return redirect("reports:imports")
    return xlsx_response(data, f"初始密码-{job.created_at:%Y%m%d-%H%M}.xlsx")


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
