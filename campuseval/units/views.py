"""Unit pages for organizers and system administrators: the unit tree of their region (one level
at a time, searchable) and the Excel import of counties and schools. Anyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from campuseval.access.rules import managed_roots, managed_scope
from campuseval.access.views import AuthenticatedRequest
from campuseval.audit.services import client_ip
from campuseval.engine.text import clean_search, id_param
from campuseval.listing import Sort, paginate
from campuseval.orgs.models import Unit
from campuseval.spreadsheets.reading import ImportReport
from campuseval.spreadsheets.responses import xlsx_response
from campuseval.spreadsheets.writing import Column, build_workbook

from . import queries, services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXAMPLE_ROWS = (
    ("9901020013", "城关区第四小学", "990102", "学校", "小学", "城镇", "示例市城关区和平路 8 号", 1200, 70, 28),
    ("9901210012", "清河县白庙镇中心小学", "990121", "学校", "小学", "乡村", "示例市清河县白庙镇", 380, 30, 10),
)


#: the columns the children (or the search results) may be sorted by
TREE_SORTS = [
    Sort("code", _("单位代码"), ["code"]),
    Sort("name", _("名称"), ["name"]),
    Sort("kind", _("类型"), ["kind", "code"]),
]


@require_GET
@login_required
def tree(request: AuthenticatedRequest) -> HttpResponse:
    """One level of the managed region at a time: the current unit (`?unit=`; by default the
    region's single top unit) with its children, each with its schools, rural schools and
    students counted in SQL, breadcrumbs back up, and a search by code or name across the whole
    region (`?q=`). A unit outside the reader's region answers 404, as does a reader managing
    nothing."""
    region = managed_scope(request.user)
    if not region:
        raise Http404
    current: Unit | None = None
    if "unit" in request.GET:
        unit_id = id_param(request.GET["unit"])
        current = Unit.objects.filter(pk=unit_id).first() if unit_id is not None else None
        if current is None or current not in region:
            raise Http404
    elif not region.everything and len(region.paths) == 1:
        current = Unit.objects.get(path=next(iter(region.paths)))
    q, typed, problem = clean_search(request.GET.get("q", ""), _("单位代码或名称"))
    if problem:
        messages.warning(request, problem)
    kind = request.GET.get("kind", "")
    if kind not in Unit.Kind.values:
        kind = ""
    searching = bool(q)
    rows = queries.search(region, q) if searching else queries.children_of(current, region)
    if kind:
        rows = rows.filter(kind=kind)
    listing = paginate(request, rows.select_related("parent") if searching else rows, sorts=TREE_SORTS, default="code")
    shown = listing.rows
    if searching or current is None:
        counts = queries.scattered_counts(shown)
    else:
        counts = queries.children_counts(current.path, shown)
    return render(
        request,
        "units/tree.html",
        {
            "current": current,
            "crumbs": queries.breadcrumbs(current, region) if current is not None else [],
            "totals": queries.totals(current.subtree() if current is not None else region),
            "listing": listing,
            "rows": [(unit, counts.get(unit.pk, queries.Counts())) for unit in shown],
            "q": typed,
            "searching": searching,
            "kind": kind,
            "kinds": Unit.Kind.choices,
            "many_roots": region.everything or len(region.paths) > 1,
        },
    )


@login_required
def import_units(request: AuthenticatedRequest) -> HttpResponse:
    if not managed_roots(request.user):
        raise Http404
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            report = ImportReport(refused=[(0, "请选择要上传的 Excel 文件")])
        else:
            try:
                report = services.import_units(actor=request.user, file=upload, ip=client_ip(request))
            except PermissionDenied:
                raise Http404 from None
    return render(request, "units/import.html", {"report": report, "columns": services.UNIT_COLUMNS})


@login_required
def import_template(request: AuthenticatedRequest) -> HttpResponse:
    """The sheet to fill in, with its columns and two example rows."""
    if not managed_roots(request.user):
        raise Http404
    columns = [Column(name, 22 if name in ("名称", "地址") else 14) for name in services.UNIT_COLUMNS]
    data = build_workbook("单位导入模板", columns, EXAMPLE_ROWS)
    return xlsx_response(data, "单位导入模板.xlsx")
