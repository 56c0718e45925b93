"""Unit pages for organizers and system administrators: the unit tree of their region and the
Excel import of counties and schools. Anyone else gets 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render

from campuseval.access.rules import managed_roots
from campuseval.access.views import AuthenticatedRequest
from campuseval.audit.services import client_ip
from campuseval.spreadsheets.reading import ImportReport
from campuseval.spreadsheets.responses import xlsx_response
from campuseval.spreadsheets.writing import Column, build_workbook

from . import queries, services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXAMPLE_ROWS = (
    ("9901020013", "城关区第四小学", "990102", "学校", "小学", "城镇", "示例市城关区和平路 8 号", 1200, 70, 28),
    ("9901210012", "清河县白庙镇中心小学", "990121", "学校", "小学", "乡村", "示例市清河县白庙镇", 380, 30, 10),
)


@login_required
def tree(request: AuthenticatedRequest) -> HttpResponse:
    """City → counties → schools with stage, area and size; counts of schools and rural schools."""
    roots = queries.unit_tree(request.user)
    if not roots:
        raise Http404
    return render(request, "units/tree.html", {"roots": roots})


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
