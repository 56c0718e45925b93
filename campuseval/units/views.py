"""Unit pages for organizers and system administrators: the unit tree of their region (one level
at a time, searchable) and the Excel import of counties and schools. Anyone else gets 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from campuseval.access.rules import managed_roots, managed_scope
from campuseval.access.views import AuthenticatedRequest
from campuseval.engine.text import clean_search, id_param
from campuseval.listing import Sort, paginate
from campuseval.orgs.models import Unit
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
    Sort("code", gettext_lazy("单位代码"), ["code"]),
    Sort("name", gettext_lazy("名称"), ["name"]),
    Sort("kind", gettext_lazy("类型"), ["kind", "code"]),
]
#: the counts, sortable among one unit's children (not across a search: there they are counted
#: per page); `Counts` attribute by sort key
COUNT_SORTS = [
    Sort("schools", gettext_lazy("学校"), []),
    Sort("rural", gettext_lazy("乡村学校"), []),
    Sort("students", gettext_lazy("学生"), []),
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
    asked = request.GET.get("sort", "").lstrip("-")
    if searching:
        listing = paginate(request, rows.select_related("parent"), sorts=TREE_SORTS, default="code")
        counts = queries.scattered_counts(listing.rows)
    elif asked in {s.key for s in COUNT_SORTS}:
        # every child counted in the one GROUP BY the page makes anyway (a unit has at most a
        # few hundred children), sorted here, then paged
        children = list(rows.order_by("code"))
        counts = queries.children_counts(current.path if current is not None else "", children)
        descending = request.GET.get("sort", "").startswith("-")
        children.sort(key=lambda u: getattr(counts[u.pk], asked), reverse=descending)  # stable: code within ties
        listing = paginate(request, children, sorts=[*TREE_SORTS, *COUNT_SORTS], default="code")
    else:
        listing = paginate(request, rows, sorts=[*TREE_SORTS, *COUNT_SORTS], default="code")
        shown = listing.rows
        counts = queries.scattered_counts(shown) if current is None else queries.children_counts(current.path, shown)
    shown = listing.rows
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
    """The unit sheet's columns and template. The upload itself goes to the imports page
    (`reports:imports`, kind 单位), which imports a short sheet at once and hands a long one (a
    province's 20,000 schools) to the background worker with its progress: imported here, in
    the request, a big sheet would outlast the server's timeout."""
    if not managed_roots(request.user):
        raise Http404  # refused before the method is looked at: the page's existence is not told
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return render(request, "units/import.html", {"columns": services.UNIT_COLUMNS})


@login_required
def import_template(request: AuthenticatedRequest) -> HttpResponse:
    """The sheet to fill in, with its columns and two example rows."""
    if not managed_roots(request.user):
        raise Http404
    columns = [Column(name, 22 if name in ("名称", "地址") else 14) for name in services.UNIT_COLUMNS]
    data = build_workbook("单位导入模板", columns, EXAMPLE_ROWS)
    return xlsx_response(data, "单位导入模板.xlsx")
