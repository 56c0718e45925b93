"""Excel export pages. Thin: resolve the scope (someone else's campaign → 404), then either send
the workbook at once (small lists) or hand it to the background task (large lists, over
settings.EXPORT_BACKGROUND_ROWS rows) and show it on "my exports" with its progress."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campuseval.access.views import AuthenticatedRequest
from campuseval.engine.text import clean_search, id_param
from campuseval.listing import Sort, paginate
from campuseval.spreadsheets.responses import xlsx_response
from campuseval.spreadsheets.writing import XLSX

from . import exports
from .models import ExportJob
from .tasks import queue_export

#: lists longer than this are built in the background
DEFAULT_BACKGROUND_ROWS = 2000


def background_threshold() -> int:
    return int(getattr(settings, "EXPORT_BACKGROUND_ROWS", DEFAULT_BACKGROUND_ROWS))


@login_required
def export(request: AuthenticatedRequest, key: str, pk: int) -> HttpResponse:
    """One list of one campaign as .xlsx, with the screen's filters (`?status=`, `?q=`,
    `?application=`). `?background=1` asks for the background even for a short list."""
    params = request.GET.dict()
    q, typed, problem = clean_search(params.get("q", ""), _("学校名称或代码"))
    if typed and not q:
        # an over-long search is not applied on the list either: nothing to export by it
        messages.error(request, _("未导出：%(problem)s") % {"problem": problem})
        return redirect("reports:exports")
    params["q"] = q
    for name, label in (("actor", _("操作人")), ("action", _("操作代码"))):  # the audit page's filters
        value, typed_value, problem = clean_search(params.get(name, ""), str(label))
        if typed_value and not value:
            messages.error(request, _("未导出：%(problem)s") % {"problem": problem})
            return redirect("reports:exports")
        params[name] = value
    if "application" in params:
        application = id_param(params["application"])
        if application is None:
            raise Http404
        params["application"] = str(application)
    scope = exports.resolve_scope(request.user, key, pk, params)
    if scope is None:
        raise Http404
    if request.GET.get("background") or exports.LISTS[key].count(scope) > background_threshold():
        job = queue_export(user=request.user, key=key, scope=scope)
        messages.info(request, _("导出文件较大，已转入后台生成：%(title)s") % {"title": job.title})
        return redirect("reports:exports")
    data = exports.build(scope, key)
    return xlsx_response(data, exports.filename(scope, key))


def _mine(request: AuthenticatedRequest, pk: int) -> ExportJob:
    return get_object_or_404(ExportJob.objects.filter(user=request.user), pk=pk)


#: the columns "my exports" may be sorted by; newest first by default
EXPORT_SORTS = [
    Sort("created", gettext_lazy("提交时间"), ["created_at"]),
    Sort("title", gettext_lazy("名称"), ["title"]),
    Sort("status", gettext_lazy("状态"), ["status", "-created_at"]),
]


@login_required
def export_list(request: AuthenticatedRequest) -> HttpResponse:
    """The user's own exports, a page at a time with the total, newest first (or by name or
    status), filtered by status and a word of the name; unfinished ones poll for progress."""
    jobs = ExportJob.objects.filter(user=request.user).select_related("campaign")
    status = request.GET.get("status", "")
    if status not in ExportJob.Status.values:
        status = ""
    if status:
        jobs = jobs.filter(status=status)
    q, typed, problem = clean_search(request.GET.get("q", ""), _("名称"))
    if problem:
        messages.error(request, problem)
    if q:
        jobs = jobs.filter(title__icontains=q)
    listing = paginate(request, jobs, sorts=EXPORT_SORTS, default="-created", per_page=20)
    return render(
        request,
        "reports/exports/list.html",
        {
            "listing": listing,
            "jobs": listing.rows,
            "q": typed,
            "status": status,
            "statuses": ExportJob.Status.choices,
        },
    )


@login_required
def export_job(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """One row of "my exports" (what htmx polls while the job runs)."""
    return render(request, "reports/exports/_job.html", {"job": _mine(request, pk)})


@login_required
def export_download(request: AuthenticatedRequest, pk: int) -> FileResponse:
    """The finished file, to its requester only."""
    job = _mine(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=job.filename or "export.xlsx", content_type=XLSX)
