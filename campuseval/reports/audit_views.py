"""The system-wide audit log page (审计日志) and its background export. Thin: the filters are a
Form, the entries and the export come from `audit_log`, access from `access` (anyone who is
neither a system administrator nor an organizer gets 404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from campuseval.access.rules import may_read_audit_log
from campuseval.access.views import AuthenticatedRequest, require
from campuseval.audit.models import AuditExport
from campuseval.audit.services import client_ip
from campuseval.listing import Sort, paginate
from campuseval.spreadsheets.writing import XLSX

from . import audit_log

#: the columns the log may be sorted by; newest first unless the reader chose otherwise
SORTS = [
    Sort("at", gettext_lazy("时间"), ["at"]),
    Sort("actor", gettext_lazy("操作人"), ["actor_name", "at"]),
    Sort("action", gettext_lazy("操作"), ["action", "at"]),
]


def _page_url(params: dict[str, str]) -> str:
    """The page with the filters `params` (where the export button returns)."""
    url = reverse("reports:audit_log")
    return f"{url}?{urlencode(params)}" if params else url


@require_GET
@require(may_read_audit_log)
def audit_log_page(request: AuthenticatedRequest) -> HttpResponse:
    """The entries the reader may see, newest first (or by actor or action), a page at a time
    with the total, with the filters; a filter with an error is named and left out, the others
    still apply, and every page and sort link keeps them."""
    filtering = any(name in request.GET for name in audit_log.AuditFilterForm.base_fields)
    form = audit_log.AuditFilterForm(request.GET if filtering else None)
    params = form.params()
    listing = paginate(
        request, audit_log.entries_for(request.user, params), sorts=SORTS, default="-at", per_page=audit_log.PER_PAGE
    )
    return render(
        request,
        "reports/audit/log.html",
        {
            "form": form,
            "listing": listing,
            "entries": audit_log.shown_entries(listing.rows),
            "params": params,
            "exports": AuditExport.objects.filter(user=request.user)[:10],
        },
    )


@require_POST
@require(may_read_audit_log)
def audit_export(request: AuthenticatedRequest) -> HttpResponse:
    """Queue the export of what the page shows (its filters), and return to the page."""
    form = audit_log.AuditFilterForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            text = "；".join(str(error) for error in errors)
            messages.error(request, f"{label}：{text}" if label else text)
        return redirect(_page_url(form.params()))
    params = form.params()
    job = audit_log.queue_audit_export(actor=request.user, params=params, ip=client_ip(request))
    messages.info(request, _("已转入后台生成：%(title)s，完成后在本页下方下载") % {"title": job.title})
    return redirect(_page_url(params))


@require_GET
@login_required
def audit_export_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """The finished workbook, to its requester only, while they may still read the log."""
    if not may_read_audit_log(request.user):
        raise Http404
    job = get_object_or_404(AuditExport.objects.filter(user=request.user), pk=pk)
    if job.status != AuditExport.Status.DONE or not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=audit_log.download_name(job), content_type=XLSX)
