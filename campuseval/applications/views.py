"""Application pages. Thin: look up a scoped object (another unit's → 404), call a service,
render. Saves work with and without htmx; a save posted after the session expired is kept
in the session and replayed after the user logs in again."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from campuseval.access.rules import (
    SCHOOL_ROLES,
    hides_applicant,
    hides_applicant_from,
    is_county_reviewer_for,
    is_head,
    may_edit_application,
    may_see_application,
    may_see_materials,
    unit_ids_with,
)
from campuseval.access.views import AuthenticatedRequest
from campuseval.audit.services import client_ip
from campuseval.campaigns.models import Campaign
from campuseval.engine import Framework, Indicator, formdefs
from campuseval.engine.evidence import evidence_items
from campuseval.engine.numbers import fmt
from campuseval.engine.text import id_param
from campuseval.orgs.models import Unit

from . import agreement, confirmation, copying, queries, services
from .downloads import stored_file_response
from .evidence_items import group_files
from .forms import AskHeadForm, CopyConfirmForm, CopyPreviousForm, EvidenceUploadForm, ReturnForm, StampedScanForm
from .models import Application, Evidence

PENDING = "applications_pending_post"
#: the pages whose POST is a draft replayed after sign-in (they read it with _pending_post)
DRAFT_PAGES = frozenset({"applications:form", "applications:indicator", "applications:choices"})


def login_keeping_post(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Like login_required, but a save posted from an expired session on one of the draft pages
    (申报书, 逐项自评, 学段与方向) is kept server-side and replayed when the user comes back.

    Only a bounded draft is kept: anyone can post without signing in, so the session row must
    not grow with what is posted. A draft whose JSON exceeds PENDING_POST_MAX_BYTES is not kept
    (nothing of it is stored, no value is cut short); the session keeps only a note, and after
    sign-in the page says the content was too large to keep. The page's autosave keeps what was
    typed in the browser until the server confirms it, so it is restored there. POSTs to other
    pages (uploads, deletions) were never replayed and are not stored."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            target = request.path
            match = request.resolver_match
            if request.method == "POST" and match is not None and match.view_name in DRAFT_PAGES:
                data = {k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"}
                size = len(json.dumps(data))
                if size <= settings.PENDING_POST_MAX_BYTES:
                    request.session[PENDING] = {"path": target, "data": data}
                else:
                    request.session[PENDING] = {"path": target, "dropped": size}
            url = resolve_url(settings.LOGIN_URL) + "?" + urlencode({"next": target})
            if getattr(request, "htmx", False):
                response = HttpResponse(status=204)
                response["HX-Redirect"] = url
                return response
            return redirect(url)
        return view(request, *args, **kwargs)

    return wrapped


def _pending_post(request: HttpRequest) -> QueryDict | None:
    """The stashed POST for this page, if any (taken out of the session once). A draft that was
    too large to keep leaves a message instead."""
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or pending.get("path") != request.path:
        return None
    del request.session[PENDING]
    if "data" not in pending:
        messages.warning(
            request,
            _(
                "登录已过期，刚才未保存的内容较多，服务器未能保留，请重新填写后保存"
                "（本浏览器中自动保存的草稿如有，会在页面上恢复，请核对）"
            ),
        )
        return None
    data = QueryDict(mutable=True)
    for key, values in pending["data"].items():
        data.setlist(key, values)
    return data


def _revision(data: QueryDict) -> int:
    raw = data.get("overwrite_revision") or data.get("revision") or ""
    value = id_param(str(raw))  # ASCII digits only: int() of 5,000 digits or '²' would raise
    return -1 if value is None else value


def _visible(request: HttpRequest, pk: int) -> Application:
    application = queries.visible_application(request.user, pk)
    if application is None:
        raise Http404
    return application


def _editable(request: HttpRequest, pk: int) -> Application:
    application = _visible(request, pk)
    if not may_edit_application(request.user, application):
        raise Http404
    return application


# --- my applications ----------------------------------------------------------------------------


@login_keeping_post
def mine(request: AuthenticatedRequest) -> HttpResponse:
    """Campaigns open to the user's school with a start button, and its applications."""
    unit_ids = unit_ids_with(request.user, *SCHOOL_ROLES)
    if not unit_ids:
        raise Http404
    if request.method == "POST":
        campaign = get_object_or_404(Campaign, pk=id_param(request.POST.get("campaign", "")) or 0)
        unit = get_object_or_404(Unit, pk=id_param(request.POST.get("unit", "")) or 0, pk__in=unit_ids)
        try:
            application = services.start_application(
                actor=request.user, campaign=campaign, unit=unit, ip=client_ip(request)
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("applications:mine")
        except PermissionDenied:
            raise Http404 from None
        return redirect("applications:form", pk=application.pk)
    applications = list(queries.my_applications(request.user).order_by("-campaign__year", "unit__code"))
    started = {(a.campaign_id, a.unit_id) for a in applications}
    open_rows = []
    for unit in Unit.objects.filter(pk__in=unit_ids).order_by("code"):
        for campaign in queries.open_campaigns_for(unit):
            if (campaign.pk, unit.pk) not in started:
                open_rows.append({"campaign": campaign, "unit": unit})
    return render(
        request,
        "applications/mine.html",
        {
            "applications": applications,
            "open_rows": open_rows,
            # start from an earlier application of the same framework family (_copy_from.html)
            "copy_offers": copying.copy_offers(open_rows, unit_ids),
            "copy_pending": [a for a in applications if copying.codes_to_review(a) or copying.pages_to_review(a)],
        },
    )


@require_POST
@login_keeping_post
def copy_previous(request: AuthenticatedRequest) -> HttpResponse:
    """Start an application from the unit's earlier one (the offer on 我的申报), then list what
    the school is to review and what could not be carried over."""
    unit_ids = unit_ids_with(request.user, *SCHOOL_ROLES)
    if not unit_ids:
        raise Http404
    form = CopyPreviousForm(request.POST)
    if not form.is_valid():
        for problem in form.problems():
            messages.error(request, problem)
        return redirect("applications:mine")
    unit = get_object_or_404(Unit, pk=form.cleaned_data["unit"], pk__in=unit_ids)
    campaign = get_object_or_404(Campaign, pk=form.cleaned_data["campaign"])
    source = get_object_or_404(Application, pk=form.cleaned_data["source"], unit=unit)
    try:
        application = services.start_application_from_previous(
            actor=request.user, campaign=campaign, unit=unit, source=source, ip=client_ip(request)
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("applications:mine")
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("已从「%(name)s」的申报复制，请逐项核对后再提交") % {"name": source.campaign.name})
    return redirect("applications:copied", pk=application.pk)


def _copied_rows(application: Application) -> dict[str, Any]:
    fw = services.framework_of(application)
    found = copying.marks(application.answers)
    codes = [c for c in copying.codes_to_review(application) if c in fw.by_code]
    return {
        "copied": found,
        "copied_pages": [
            {"page": p, "title": copying.PAGES[p]} for p in copying.pages_to_review(application) if p in copying.PAGES
        ],
        "copied_codes": [{"code": c, "node": fw.by_code[c]} for c in codes],
        "copied_dropped": [str(d) for d in found.get("dropped") or ()],
        "mark_text": copying.MARK_TEXT,
    }


@login_keeping_post
def copied(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """What was carried over from the previous application and still waits for the school's
    look, each with its link and 「确认无变化」, and what could not be carried over."""
    application = _editable(request, pk)
    return render(
        request,
        "applications/copied.html",
        {**_base_context(request, application), **_copied_rows(application), "active": "copied"},
    )


@require_POST
@login_keeping_post
def copy_confirm(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """「确认无变化」 on one carried-over indicator or page."""
    application = _editable(request, pk)
    form = CopyConfirmForm(request.POST)
    code = page = back = ""
    if not form.is_valid():
        for problem in form.problems():
            messages.error(request, problem)
    else:
        code, page, back = form.cleaned_data["code"], form.cleaned_data["page"], form.cleaned_data["back"]
        try:
            services.confirm_copied(
                actor=request.user, application=application, code=code, page=page, ip=client_ip(request)
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("已确认无变化"))
    if back == "indicator" and code in services.framework_of(application).by_code:
        return redirect("applications:indicator", pk=pk, code=code)
    if back == "page" and page in copying.PAGES:
        return redirect(f"applications:{page}", pk=pk)
    return redirect("applications:copied", pk=pk)


# --- workspace ----------------------------------------------------------------------------------


def _tree(application: Application) -> list[dict[str, Any]]:
    fw = services.framework_of(application)
    indicators = (application.result or {}).get("indicators", {})
    return [{"node": node, "r": indicators.get(node.code, {})} for node in fw.walk()]


def _score(application: Application) -> dict[str, Any]:
    fw = services.framework_of(application)
    result = application.result or {}
    subtotals = [{"node": n, "points": result.get("subtotals", {}).get(n.code, "0")} for n in fw.indicators]
    progress = result.get("progress", {"answered": 0, "total": 0})
    pct = int(progress["answered"] * 100 / progress["total"]) if progress.get("total") else 0
    return {
        "result": result,
        "subtotals": subtotals,
        "progress": progress,
        "progress_pct": pct,
        **_estimated(fw, result.get("indicators", {})),
    }


def _estimated(fw: Framework, indicators: Mapping[str, Any]) -> dict[str, Any]:
    """The scored indicators whose points rest on a self-estimate of an input the review group
    decides (`decided_by: reviewer`), and their points together: the score panel marks them, as
    the review will replace them."""
    rows = []
    total = Decimal(0)
    for code in fw.reviewer_decided_inputs():
        r = indicators.get(code) or {}
        if r.get("status") != "scored":
            continue
        points = Decimal(str(r.get("points") or 0))
        total += points
        rows.append({"code": code, "title": fw.by_code[code].title, "points": r.get("points")})
    return {"estimated_rows": rows, "estimated_points": fmt(total)}


def _base_context(request: HttpRequest, application: Application) -> dict[str, Any]:
    fw = services.framework_of(application)
    return {
        "application": application,
        "fw": fw,
        "tree": _tree(application),
        # looked up when a template reads them (the autosave fragments do not)
        "editable": SimpleLazyObject(
            lambda: may_edit_application(request.user, application) and application.status in services.EDITABLE
        ),
        "is_head": SimpleLazyObject(lambda: is_head(request.user, application.unit)),
        **_score(application),
    }


def _shown_before(application: Application, data: QueryDict) -> dict[str, Any] | None:
    """The indicators' results as the page shows them before this save, when the page is known
    to show the stored row's: it posted the revision it was loaded or last saved at (not an
    overwrite after a conflict, which follows a colleague's save the page never showed)."""
    if "overwrite_revision" in data:
        return None
    return dict((application.result or {}).get("indicators", {}))


def _saved_response(
    request: HttpRequest,
    application: Application,
    template: str,
    context: dict[str, Any],
    shown_before: dict[str, Any] | None,
) -> HttpResponse:
    """After an htmx save: the save status, plus out-of-band updates of the revision, field
    errors, the score panel and the tree links whose points moved (the whole tree after a
    conflict). The inputs themselves are left as typed."""
    tree_before = shown_before if context.get("conflict") is None else None
    return render(
        request, template, {**_base_context(request, application), **context, "oob": True, "tree_before": tree_before}
    )


@login_keeping_post
def form(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The application form (申报书): basic data with derived values shown live."""
    application = _visible(request, pk)
    definition = services.form_definition(application)
    data = request.POST if request.method == "POST" else _pending_post(request)
    errors: dict[str, str] = {}
    conflict = None
    values: dict[str, Any] = dict(application.form_data)
    shown_before = None
    if data is not None:
        if not may_edit_application(request.user, application):
            raise Http404
        shown_before = _shown_before(application, data)
        typed = {f.key: data.get(f.key, "") for f in definition.fields() if f.key in data}
        values.update(typed)
        try:
            outcome = services.save_form(
                actor=request.user,
                application=application,
                revision=_revision(data),
                data=typed,
                ip=client_ip(request),
            )
        except services.StaleRevision as exc:
            conflict = exc
            application.refresh_from_db()
        except ValidationError as exc:
            errors["general"] = "；".join(exc.messages)
        else:
            application = outcome.application
            errors = outcome.errors
            if request.method == "POST" and not errors and not getattr(request, "htmx", False):
                messages.success(request, _("已保存"))
                return redirect(request.path)  # post/redirect/get: a reload never re-posts
    sections = [
        {
            "title": title,
            "fields": [
                {
                    "f": f,
                    "value": "" if values.get(f.key) is None else values.get(f.key),
                    "display": formdefs.display_value(f, values.get(f.key)),
                    # a stored value that today's bounds refuse is shown with the reason, never a 500
                    "error": errors.get(f.key) or formdefs.value_problem(f, values.get(f.key)),
                }
                for f in fields
            ],
        }
        for title, fields in definition.sections
    ]
    clean_values = {k: v for k, v in values.items() if k not in errors}
    derived_values = formdefs.compute_derived(definition, clean_values)
    derived_issues = formdefs.derived_problems(definition, clean_values)
    ctx = {
        "definition": definition,
        "sections": sections,
        "derived": [
            {"d": d, "value": derived_values.get(d.key, ""), "problem": derived_issues.get(d.key, "")}
            for d in definition.derived
        ],
        "yes_no": (formdefs.YES, formdefs.NO),
        "errors": errors,
        "conflict": conflict,
        "revision_value": application.revision if conflict is None else _revision(data or QueryDict()),
        "saved": data is not None and conflict is None and not errors,
        "active": "form",
    }
    if data is not None and request.method == "POST" and getattr(request, "htmx", False):
        return _saved_response(request, application, "applications/_form_saved.html", ctx, shown_before)
    return render(request, "applications/form.html", {**_base_context(request, application), **ctx})


def _raw_indicator_values(node: Indicator, data: QueryDict) -> dict[str, Any]:
    """What the indicator form posted, per input, in the shape InputSpec.parse reads."""
    raw: dict[str, Any] = {}
    for key, spec in node.inputs.items():
        name = f"in_{key}"
        if spec.type == "multi":
            if f"{name}__present" in data:
                raw[key] = data.getlist(name)
        elif spec.type == "items":
            if f"{name}__present" not in data:
                continue
            indexes = sorted(
                {k[len(name) + 1 :].split("-", 1)[0] for k in data if k.startswith(f"{name}-")},
                key=lambda s: (len(s), s),
            )
            rows = []
            for index in indexes:
                row = {f.key: data.get(f"{name}-{index}-{f.key}", "").strip() for f in spec.fields}
                if any(row.values()):
                    rows.append({k: (v if v != "" else None) for k, v in row.items()})
            raw[key] = rows if rows or data.get(f"{name}__none") else None
        elif name in data:
            raw[key] = data.get(name, "")
    return raw


def _widgets(
    application: Application, node: Indicator, typed: dict[str, Any], errors: dict[str, str]
) -> list[dict[str, Any]]:
    definition = services.form_definition(application)
    stored = (application.answers.get("answers") or {}).get(node.code, {})
    linked = agreement.linked_inputs(services.framework_of(application), definition).get(node.code, {})
    widgets = []
    for key, spec in node.inputs.items():
        fed = formdefs.form_value(definition, application.form_data, spec.form_field) if key in linked else None
        value = typed[key] if key in typed else stored.get(key)
        if spec.type == "items":
            rows = value if isinstance(value, list) else []
            value = [
                {"index": i, "values": {f.key: (r.get(f.key) if isinstance(r, dict) else "") for f in spec.fields}}
                for i, r in enumerate(rows)
            ]
            # one blank row, so a row can be entered even where scripts do not run
            value.append({"index": str(len(rows)), "values": {f.key: "" for f in spec.fields}})
        widgets.append(
            {
                "spec": spec,
                "name": f"in_{key}",
                "value": "" if value is None else value,
                "error": errors.get(key),
                #: answered on the 申报书 only: shown read-only (empty: not yet filled in there)
                "linked": key in linked,
                "fed": fed,
                "fed_shown": "" if fed is None else services.display(fed) + ("" if fed in (True, False) else spec.unit),
                "fed_label": formdefs.label_of(definition, spec.form_field) if key in linked else "",
                #: the review group decides it (`decided_by: reviewer`): what the school types is a
                #: self-estimate, labelled so
                "estimate": spec.decided_by == "reviewer",
                "none": key in stored and stored.get(key) == [] and spec.type == "items",
            }
        )
    return widgets


@login_keeping_post
def indicator(request: AuthenticatedRequest, pk: int, code: str) -> HttpResponse:
    """One indicator: criterion, scoring text, evidence asked for, marks, inputs, narrative,
    files; saves as the user types (htmx) and shows the engine's explanation live."""
    if request.method == "POST" and getattr(request, "htmx", False):  # an autosave: the lean read
        application = queries.application_to_save(request.user, pk)
        if application is None:
            raise Http404
    else:
        application = _visible(request, pk)
    fw = services.framework_of(application)
    node = fw.by_code.get(code)
    if node is None:
        raise Http404
    if not node.is_leaf:
        first = next((n for n in node.walk() if n.is_leaf), None)
        if first is None:
            raise Http404
        return redirect("applications:indicator", pk=pk, code=first.code)
    data = request.POST if request.method == "POST" else _pending_post(request)
    typed: dict[str, Any] = {}
    errors: dict[str, str] = {}
    conflict = None
    narrative = application.narratives.get(code, "")
    shown_before = None
    if data is not None:
        if not may_edit_application(request.user, application):
            raise Http404
        shown_before = _shown_before(application, data)
        typed = _raw_indicator_values(node, data)
        if "narrative" in data:
            narrative = data.get("narrative", "")
        too_long = services.narrative_problem(data.get("narrative"))
        try:
            outcome = services.save_indicator(
                actor=request.user,
                application=application,
                revision=_revision(data),
                code=code,
                values=typed,
                narrative=data.get("narrative") if "narrative" in data and not too_long else None,
                ip=client_ip(request),
            )
        except services.StaleRevision as exc:
            conflict = exc
            application.refresh_from_db()
        except ValidationError as exc:
            errors["general"] = "；".join(exc.messages)
        else:
            application = outcome.application
            errors = {**outcome.errors, "narrative": too_long} if too_long else outcome.errors
            if request.method == "POST" and not errors and not getattr(request, "htmx", False):
                messages.success(request, _("已保存"))
                return redirect(request.path)  # post/redirect/get: a reload never re-posts
    leaves = [n for n in fw.leaves()]
    position = leaves.index(node)
    ctx = {
        "node": node,
        "widgets": _widgets(application, node, typed, errors),
        "narrative": narrative,
        "errors": errors,
        "conflict": conflict,
        "revision_value": application.revision if conflict is None else _revision(data or QueryDict()),
        "saved": data is not None and conflict is None and not errors,
        "ir": (application.result or {}).get("indicators", {}).get(code, {}),
        "estimated": any(spec.decided_by == "reviewer" for spec in node.inputs.values()),
        "disagreements": [
            d.message
            for d in agreement.disagreements(
                fw,
                services.form_definition(application),
                application.form_data,
                (application.answers or {}).get("answers") or {},
                code,
            )
        ],
        "evidence": application.evidence.filter(indicator_code=code),
        "previous": leaves[position - 1] if position > 0 else None,
        "next": leaves[position + 1] if position + 1 < len(leaves) else None,
        "active": code,
        "max_mb": settings.EVIDENCE_MAX_BYTES // (1024 * 1024),
    }
    if data is not None and request.method == "POST" and getattr(request, "htmx", False):
        # an autosave answers with the status, score and tree: the files are not read
        return _saved_response(request, application, "applications/_indicator_saved.html", ctx, shown_before)
    ctx["evidence_groups"] = group_files(node.evidence, ctx["evidence"], lambda e: e.evidence_item)
    ctx["evidence_form"] = EvidenceUploadForm(items=evidence_items(node.evidence))
    return render(request, "applications/indicator.html", {**_base_context(request, application), **ctx})


@login_keeping_post
def item_row(request: AuthenticatedRequest, pk: int, code: str, key: str) -> HttpResponse:
    """A blank row for a repeatable input (awards: name, level, date, case)."""
    application = _editable(request, pk)
    node = services.framework_of(application).by_code.get(code)
    spec = node.inputs.get(key) if node else None
    if spec is None or spec.type != "items":
        raise Http404
    index = request.GET.get("n", "0")
    index = index if index.isdigit() else "0"
    row = {"index": index, "values": {f.key: "" for f in spec.fields}}
    return render(request, "applications/_item_row.html", {"w": {"spec": spec, "name": f"in_{key}"}, "row": row})


@login_keeping_post
def choices(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Framework-wide answers: context (学段), choose-one directions, declarations."""
    application = _visible(request, pk)
    fw = services.framework_of(application)
    data = request.POST if request.method == "POST" else _pending_post(request)
    errors: dict[str, str] = {}
    conflict = None
    shown_before = None
    if data is not None:
        if not may_edit_application(request.user, application):
            raise Http404
        shown_before = _shown_before(application, data)
        try:
            outcome = services.save_choices(
                actor=request.user,
                application=application,
                revision=_revision(data),
                context={k: data.get(f"context_{k}", "") for k in fw.context if f"context_{k}" in data},
                choices={
                    n.code: data.get(f"choice_{n.code}", "")
                    for n in fw.choose_one_nodes()
                    if f"choice_{n.code}" in data
                },
                declarations={
                    e.key: data.get(f"decl_{e.key}", "")
                    for e in (fw.eligibility.exclusions if fw.eligibility else ())
                    if f"decl_{e.key}" in data
                },
                ip=client_ip(request),
            )
        except services.StaleRevision as exc:
            conflict = exc
            application.refresh_from_db()
        except ValidationError as exc:
            errors["general"] = "；".join(exc.messages)
        else:
            application = outcome.application
            errors = outcome.errors
            if request.method == "POST" and not errors and not getattr(request, "htmx", False):
                messages.success(request, _("已保存"))
                return redirect(request.path)  # post/redirect/get: a reload never re-posts
    doc = application.answers or {}
    ctx = {
        "context_inputs": [
            {"spec": s, "value": (doc.get("context") or {}).get(k, ""), "error": errors.get(f"context.{k}")}
            for k, s in fw.context.items()
        ],
        "choose_nodes": [
            {"node": n, "chosen": (doc.get("choices") or {}).get(n.code, ""), "error": errors.get(f"choice.{n.code}")}
            for n in fw.choose_one_nodes()
        ],
        "declarations": [
            {"e": e, "value": (doc.get("declarations") or {}).get(e.key)}
            for e in (fw.eligibility.exclusions if fw.eligibility else ())
        ],
        "errors": errors,
        "conflict": conflict,
        "revision_value": application.revision if conflict is None else _revision(data or QueryDict()),
        "saved": data is not None and conflict is None and not errors,
        "active": "choices",
    }
    if data is not None and request.method == "POST" and getattr(request, "htmx", False):
        return _saved_response(request, application, "applications/_choices_saved.html", ctx, shown_before)
    return render(request, "applications/choices.html", {**_base_context(request, application), **ctx})


# --- evidence -----------------------------------------------------------------------------------


@require_POST
@login_keeping_post
def evidence_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    application = _editable(request, pk)
    code = request.POST.get("indicator", "")
    files = request.FILES.getlist("file")
    if not files:
        messages.error(request, _("请选择要上传的文件"))
    node = services.framework_of(application).by_code.get(code)
    form = EvidenceUploadForm(request.POST, items=evidence_items(node.evidence) if node is not None else ())
    # a number the requirement does not give is named, and the files are kept under 其他材料
    item = form.cleaned_data.get("evidence_item") if form.is_valid() else None
    try:
        stored, problems = services.upload_evidence_files(
            actor=request.user,
            application=application,
            files=files,
            indicator_code=code,
            evidence_item=item,
            ip=client_ip(request),
        )
    except ValidationError as exc:
        stored, problems = [], exc.messages
    except PermissionDenied:
        raise Http404 from None
    for problem in problems:
        messages.error(request, problem)
    for problem in form.problems():
        messages.error(request, problem + (_("；已上传的文件放在「其他材料」下") if stored else ""))
    for evidence in stored:
        messages.success(request, _("已上传：%(name)s") % {"name": evidence.original_name})
    if code in services.framework_of(application).by_code:  # back to the indicator, if it is one
        return redirect("applications:indicator", pk=pk, code=code)
    return redirect("applications:form", pk=pk)


@require_POST
@login_keeping_post
def evidence_item(request: AuthenticatedRequest, pk: int, evidence_pk: int) -> HttpResponse:
    """Tie an uploaded file to another numbered item of its indicator's 提供材料要求 (or none)."""
    application = _editable(request, pk)
    evidence = get_object_or_404(Evidence, pk=evidence_pk, application=application)
    node = services.framework_of(application).by_code.get(evidence.indicator_code)
    form = EvidenceUploadForm(request.POST, items=evidence_items(node.evidence) if node is not None else ())
    if not form.is_valid():
        for problem in form.problems():
            messages.error(request, problem)
    else:
        try:
            services.assign_evidence_item(
                actor=request.user,
                evidence=evidence,
                evidence_item=form.cleaned_data.get("evidence_item"),
                ip=client_ip(request),
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("已更改：%(name)s") % {"name": evidence.original_name})
    if node is not None:
        return redirect("applications:indicator", pk=pk, code=evidence.indicator_code)
    return redirect("applications:form", pk=pk)


@require_POST
@login_keeping_post
def evidence_remove(request: AuthenticatedRequest, pk: int, evidence_pk: int) -> HttpResponse:
    application = _editable(request, pk)
    evidence = get_object_or_404(Evidence, pk=evidence_pk, application=application)
    code = evidence.indicator_code
    try:
        services.remove_evidence(actor=request.user, evidence=evidence, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("已删除"))
    if code:
        return redirect("applications:indicator", pk=pk, code=code)
    return redirect("applications:form", pk=pk)


@login_keeping_post
def evidence_file(request: AuthenticatedRequest, pk: int, evidence_pk: int) -> HttpResponse | FileResponse:
    """The file itself, for people who may see the application and for its expert while the
    assignment is open (only what was submitted; in blind review under a numbered name): PDF
    and images inline so the browser previews them, other types as downloads."""
    application = get_object_or_404(Application.objects.select_related("unit", "campaign"), pk=pk)
    if not may_see_materials(request.user, application):
        raise Http404
    evidence = get_object_or_404(Evidence, pk=evidence_pk, application=application)
    name = evidence.original_name
    if not may_see_application(request.user, application):
        if evidence.frozen_in_version is None:
            raise Http404
        if hides_applicant(application.campaign):
            name = queries.anonymous_evidence_name(queries.evidence_numbers(application)[evidence.pk], name)
    inline = evidence.content_type in services.INLINE_TYPES
    return stored_file_response(
        evidence.file, as_attachment=not inline, filename=name, content_type=evidence.content_type
    )


# --- submit, return, versions ------------------------------------------------------------------


@login_keeping_post
def submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """What is still missing, and for the head: the promise and the submit button."""
    application = _editable(request, pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            version = services.submit_application(
                actor=request.user,
                application=application,
                promise_confirmed=request.POST.get("promise") == "yes",
                ip=client_ip(request),
            )
        except ValidationError as exc:
            errors = exc.messages
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("已提交第 %(n)s 版") % {"n": version.number})
            return redirect("applications:version", pk=pk, number=version.number)
    return _submit_page(request, application, errors)


def _submit_page(
    request: AuthenticatedRequest,
    application: Application,
    errors: list[str],
    scan_form: StampedScanForm | None = None,
    *,
    ask_form: AskHeadForm | None = None,
    ask_errors: list[str] | None = None,
) -> HttpResponse:
    problems = services.submission_problems(application) if application.status in services.EDITABLE else []
    return render(
        request,
        "applications/submit.html",
        {
            **_base_context(request, application),
            "problems": problems,
            "warnings": services.submission_warnings(application) if application.status in services.EDITABLE else [],
            "errors": errors,
            "promise": services.form_definition(application).promise,
            "stage": services.apply_stage(application.campaign),
            "scan_form": scan_form or StampedScanForm(),
            "district": application.unit.kind != Unit.Kind.SCHOOL,
            "active": "submit",
            #: for the unit's officer: the heads to ask and the last ask (None for anyone else)
            "ask_head": SimpleLazyObject(lambda: confirmation.ask_state(request.user, application)),
            "ask_form": ask_form or AskHeadForm(),
            "ask_errors": ask_errors or [],
        },
    )


@require_POST
@login_keeping_post
def ask_head(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The officer asks the head(s) to confirm and submit (a notification linking here);
    anyone but the unit's officer gets 404. Refused (too soon, no head): the submit page again
    with the message and the note as typed."""
    application = _editable(request, pk)
    if not confirmation.is_officer(request.user, application):
        raise Http404
    form = AskHeadForm(request.POST)
    if not form.is_valid():
        return _submit_page(request, application, [], ask_form=form, ask_errors=form.problems())
    try:
        heads = services.ask_head_to_submit(
            actor=request.user, application=application, note=form.cleaned_data["note"], ip=client_ip(request)
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        if application.status not in services.EDITABLE:  # the page shows no ask: say it on top
            messages.error(request, "；".join(exc.messages))
            return redirect("applications:submit", pk=pk)
        return _submit_page(request, application, [], ask_form=form, ask_errors=exc.messages)
    messages.success(request, _("已通知 %(names)s 确认并提交") % {"names": "、".join(str(h) for h in heads)})
    return redirect("applications:submit", pk=pk)


@require_POST
@login_keeping_post
def stamped_scan_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The signed and stamped 申报书, scanned, uploaded before the head submits."""
    application = _editable(request, pk)
    form = StampedScanForm(request.POST, request.FILES)
    if not form.is_valid():
        return _submit_page(request, application, form.problems(), form)
    try:
        services.upload_stamped_scan(
            actor=request.user, application=application, file=form.cleaned_data["stamped_scan"], ip=client_ip(request)
        )
    except ValidationError as exc:
        return _submit_page(request, application, exc.messages, form)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("已上传盖章申报书扫描件"))
    return redirect("applications:submit", pk=pk)


@login_keeping_post
def stamped_scan_file(request: AuthenticatedRequest, pk: int) -> HttpResponse | FileResponse:
    """The stamped scan, for whoever may see the application (the school's own while it is
    still being prepared)."""
    application = _visible(request, pk)
    if not application.stamped_scan:
        raise Http404
    name = application.stamped_scan.name or ""
    return stored_file_response(
        application.stamped_scan,
        as_attachment=False,
        filename=f"盖章申报书-{application.unit.name}{name[name.rfind('.') :] if '.' in name else ''}",
        content_type=services.scan_content_type(name),
    )


@require_POST
@login_keeping_post
def return_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The county returns a submitted application with a reason and a 补正截止."""
    application = _visible(request, pk)
    if not is_county_reviewer_for(request.user, application.unit):
        raise Http404
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _versions_page(request, application, form, form.problems())
    try:
        services.return_application(
            actor=request.user,
            application=application,
            reason=form.cleaned_data["reason"],
            fix_deadline=form.cleaned_data["fix_deadline"],
            ip=client_ip(request),
        )
    except ValidationError as exc:
        return _versions_page(request, application, form, exc.messages)
    messages.success(request, _("已退回学校修改"))
    return redirect("applications:versions", pk=pk)


@login_keeping_post
def versions(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _versions_page(request, _visible(request, pk))


def _versions_page(
    request: AuthenticatedRequest,
    application: Application,
    return_form: ReturnForm | None = None,
    return_errors: list[str] | None = None,
) -> HttpResponse:
    """The versions, and for the county the return form (refused: shown again as typed)."""
    return render(
        request,
        "applications/versions.html",
        {
            "application": application,
            "versions": application.versions.select_related("confirmed_by").order_by("-number"),
            "can_return": is_county_reviewer_for(request.user, application.unit)
            and application.status == Application.Status.SUBMITTED,
            "can_edit": may_edit_application(request.user, application),
            "return_form": return_form or ReturnForm(),
            "return_errors": return_errors or [],
        },
    )


@login_keeping_post
def version(request: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    """A submitted version, read-only, with its scores as frozen: for the application's readers,
    and for its expert while the assignment is open — in blind review under the application
    code, without the 申报书's names and contacts, the school's name masked, files numbered."""
    application = get_object_or_404(Application.objects.select_related("unit", "campaign", "framework"), pk=pk)
    if not may_see_materials(request.user, application):
        raise Http404
    blind = hides_applicant_from(request.user, application)

    def shown(text: str) -> str:
        return text.replace(application.unit.name, "〔申报单位〕") if blind and application.unit.name else text

    frozen = get_object_or_404(application.versions.select_related("confirmed_by"), number=number)
    fw = services.framework_of(application)
    indicators = frozen.result.get("indicators", {})
    answers = frozen.answers.get("answers", {})
    rows = []
    for node in fw.walk():
        rows.append(
            {
                "node": node,
                "r": indicators.get(node.code, {}),
                "values": [
                    {
                        "label": s.label + (_("（自评估计，由评审认定）") if s.decided_by == "reviewer" else ""),
                        "value": shown(services.display(answers.get(node.code, {}).get(k))),
                        "unit": s.unit,
                    }
                    for k, s in node.inputs.items()
                ],
                "narrative": shown(frozen.narratives.get(node.code, "")),
            }
        )
    definition = services.form_definition(application)
    kinds = {f.key: f.kind for f in definition.fields()}
    form_rows = [
        {"label": formdefs.label_of(definition, key), "value": shown(services.display(value))}
        for key, value in frozen.form_data.items()
        if not (blind and kinds.get(key, "text") == "text")
    ]
    numbers = queries.evidence_numbers(application) if blind else {}
    evidence = [
        {**e, "name": queries.anonymous_evidence_name(numbers.get(e.get("id", 0), 0), str(e.get("name", "")))}
        if blind
        else e
        for e in frozen.evidence or []
    ]
    return render(
        request,
        "applications/version.html",
        {
            "form_rows": form_rows,
            "application": application,
            "applicant_name": application.code if blind else application.unit.name,
            "blind": blind,
            "v": frozen,
            "rows": rows,
            "evidence": evidence,
            "versions_url": reverse("applications:versions", args=[pk])
            if may_see_application(request.user, application)
            else "",
        },
    )
