"""Dashboard pages. Thin: find the user's scope on the campaign (none → 404), ask
`dashboards` for the numbers, and lay them out three ways from one structure — the table the
server renders, the chart data handed to ECharts through json_script, and the Excel download —
so the three can never disagree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from campuseval.access.rules import is_organizer
from campuseval.campaigns.models import Campaign
from campuseval.engine.numbers import fmt
from campuseval.spreadsheets.responses import xlsx_response
from campuseval.spreadsheets.writing import Column, build_workbook

from . import dashboards
from .dashboards import Scope

N = "0"
D = "0.00"
P = "0.0"

SECTIONS: dict[str, str] = {
    "progress": "申报进度",
    "scores": "得分分布",
    "indicators": "指标得分率热力图",
    "attainment": "等级达标",
    "gap": "自评与专家评分差",
    "trend": "历年得分（增值）",
}


@dataclass
class Table:
    """A table as the page shows it and the workbook holds it: raw values (numbers stay
    numbers in Excel), displayed with the same rounding everywhere."""

    title: str
    columns: list[Column]
    rows: list[list[Any]]
    note: str = ""
    total: list[Any] | None = None
    numeric: set[int] = field(default_factory=set)
    #: one row per unit can run to thousands at province level: the page shows this many at
    #: a time (with a pager); the Excel download always holds every row
    page_size: int | None = None

    def all_rows(self) -> list[list[Any]]:
        return [*self.rows, *([self.total] if self.total else [])]

    @property
    def wide(self) -> bool:
        """Too many columns to sit beside a chart: laid out full width under it."""
        return len(self.columns) > 8

    def _cells(self, row: Sequence[Any]) -> list[dict[str, str]]:
        out = []
        for column, value in zip(self.columns, row, strict=True):
            numeric = column.number_format is not None
            out.append({"text": show(value, column.number_format), "cls": "text-end" if numeric else "text-nowrap"})
        return out

    def display(self, rows: Sequence[Sequence[Any]] | None = None) -> list[list[dict[str, str]]]:
        return [self._cells(row) for row in (self.rows if rows is None else rows)]

    def display_total(self) -> list[dict[str, str]] | None:
        return self._cells(self.total) if self.total else None


def show(value: Any, number_format: str | None = None) -> str:
    """How a cell reads on the page: percentages with one decimal, other decimals without
    trailing zeros (6.00 → 6, as on score sheets), nothing as a dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value:.1f}" if number_format == P else fmt(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


def num(value: Decimal | int | None) -> float | None:
    """Chart data only: ECharts draws floats; the tables keep the exact decimals."""
    return None if value is None else float(value)


#: more groups than this and a chart turns its bars sideways and grows in height instead of
#: squeezing them into one box (a county's 150 schools stay readable)
MANY = 12
TREND_LINES = 30
#: rows per page of the per-unit tables (the download has them all)
UNIT_ROWS = 50


def grown(categories: int) -> int:
    """Chart height in pixels for horizontal bars: about 24 px a bar, at least the usual 380."""
    return max(380, 80 + 24 * categories)


# --- per-section layout ----------------------------------------------------------------------


def _progress(scope: Scope, request: HttpRequest) -> tuple[dict[str, Any], list[Table], dict[str, Any]]:
    data = dashboards.progress(scope)
    cols = data["columns"]
    table = Table(
        "各区县申报进度（单位数）",
        [Column("区县", 16), *(Column(label, 11, N) for _, label in cols), Column("合计", 9, N)],
        [[r["region"], *(r["counts"][k] for k, _ in cols), r["total"]] for r in data["rows"]],
        note="每个单位只计一次，计入其已到达的环节；“已评审”指已有专家评审结果；“未开始”为覆盖范围内尚未开始申报的单位",
        total=[data["total"]["region"], *(data["total"]["counts"][k] for k, _ in cols), data["total"]["total"]],
    )
    stages = Table(
        "阶段与截止时间",
        [Column("阶段", 14), Column("开始时间", 18), Column("截止时间", 18), Column("状态", 14)],
        [
            [
                s["kind"],
                show(s["starts_at"]),
                show(s["deadline"]),
                "已截止" if s["passed"] else f"剩余 {s['days_left']} 天",
            ]
            for s in data["stages"]
        ],
        note="" if data["stages"] else "本活动尚未设置阶段",
    )
    chart = {
        "kind": "stacked_bar",
        "height": grown(len(data["rows"])),
        "categories": [r["region"] for r in data["rows"]],
        "series": [{"name": label, "data": [r["counts"][k] for r in data["rows"]]} for k, label in cols],
    }
    return data, [table, stages], {"charts": [chart]}


def _scores(scope: Scope, request: HttpRequest) -> tuple[dict[str, Any], list[Table], dict[str, Any]]:
    data = dashboards.score_distribution(scope, request.GET.get("basis"))
    bins = data["bins"]
    hist = Table(
        f"得分分布（每 10 分一档，{data['basis_label']}，满分 {fmt(data['max_total'])}）",
        [Column("分组", 14), Column("份数", 8, N), *(Column(b["label"], 12, N) for b in bins)],
        [[g["name"], g["n"], *g["histogram"]] for g in data["groups"]],
        note="每档含下限、不含上限；最后一档含满分",
    )
    five = Table(
        "箱线图五数概括",
        [
            Column("分组", 14),
            Column("份数", 8, N),
            Column("最低分", 10, D),
            Column("下四分位数 Q1", 14, D),
            Column("中位数", 10, D),
            Column("上四分位数 Q3", 14, D),
            Column("最高分", 10, D),
            Column("平均分", 10, D),
        ],
        [
            [
                g["name"],
                g["n"],
                *(g["box"][k] if g["box"] else None for k in ("min", "q1", "median", "q3", "max")),
                g["mean"],
            ]
            for g in data["groups"]
        ],
        note=data["quantile_method"],
    )
    charts = [
        {
            "kind": "histogram",
            "categories": [b["label"] for b in bins],
            "series": [{"name": g["name"], "data": g["histogram"]} for g in data["groups"]],
            # many regions: only the total is drawn at first (the legend turns the others on)
            "selected": {
                g["name"]: g["kind"] == "all" or (g["kind"] == "region" and len(data["groups"]) <= MANY)
                for g in data["groups"]
            },
        },
        {
            "kind": "boxplot",
            "horizontal": len(data["groups"]) > MANY,
            "height": grown(len(data["groups"])) if len(data["groups"]) > MANY else 380,
            "categories": [g["name"] for g in data["groups"] if g["box"]],
            "data": [
                [num(g["box"][k]) for k in ("min", "q1", "median", "q3", "max")] for g in data["groups"] if g["box"]
            ],
        },
    ]
    return data, [hist, five], {"charts": charts}


def _indicators(scope: Scope, request: HttpRequest) -> tuple[dict[str, Any], list[Table], dict[str, Any]]:
    data = dashboards.indicator_heatmap(scope, request.GET.get("basis"))
    groups, indicators = data["groups"], data["indicators"]
    heat = Table(
        f"各指标平均得分率（%，{data['basis_label']}）",
        [
            Column("指标编码", 10),
            Column("指标", 28),
            Column("分值", 8, D),
            *(Column(f"{g['name']}（{g['n']}份）", 14, P) for g in groups),
        ],
        [[i["code"], i["title"], i["max"], *(g["shares"][i["code"]] for g in groups)] for i in indicators],
        note="得分率 = 指标得分 ÷ 指标分值，按区域内各申报取平均；未选择的方向不计入",
    )
    weakest = Table(
        "得分率最低的指标（合计）",
        [
            Column("序号", 6, N),
            Column("指标编码", 10),
            Column("指标", 28),
            Column("分值", 8, D),
            Column("平均得分率（%）", 14, P),
        ],
        [[n, w["code"], w["title"], w["max"], w["share"]] for n, w in enumerate(data["weakest"], start=1)],
    )
    per_region = Table(
        "各区域最弱的三项指标",
        [Column("区域", 14), Column("指标", 40), Column("平均得分率（%）", 14, P)],
        [[g["name"], f"{w['code']} {w['title']}", w["share"]] for g in groups for w in g["weakest"]],
    )
    chart = {
        "kind": "heatmap",
        "height": 140 + (40 if len(groups) <= MANY else 24) * len(groups),
        "x": [i["code"] for i in indicators],
        "x_titles": [f"{i['code']} {i['title']}" for i in indicators],
        "y": [g["name"] for g in groups],
        "data": [
            [x, y, num(g["shares"][i["code"]])]
            for y, g in enumerate(groups)
            for x, i in enumerate(indicators)
            if g["shares"][i["code"]] is not None
        ],
    }
    return data, [heat, weakest, per_region], {"charts": [chart]}


def _attainment(scope: Scope, request: HttpRequest) -> tuple[dict[str, Any], list[Table], dict[str, Any]]:
    data = dashboards.attainment(scope)
    levels, targets = data["levels"], data["targets"]

    def cells(row: dict[str, Any]) -> list[Any]:
        values: list[Any] = [row["name"], row["units"]]
        for level in levels:
            values += [row["counts"][level], row["shares"][level]]
        values += [row["from_results"], row["from_self"], row["from_held"]]
        values += ["达标" if t["met"] else "未达标" for t in row["targets"]]
        return values

    columns = [Column("区域", 16), Column("单位数", 8, N)]
    for level in levels:
        columns += [Column(f"{level}及以上（个）", 12, N), Column(f"{level}及以上（%）", 12, P)]
    columns += [
        Column("等级取自本次评审结果", 12, N),
        Column("等级取自本次自评", 12, N),
        Column("等级沿用往年结果", 12, N),
    ]
    columns += [Column(f"{t['label']}（{t['level']}）", 16) for t in targets]
    table = Table(
        "各等级达标情况",
        columns,
        [cells(r) for r in data["rows"]],
        note=data["note"],
        total=cells(data["total"]),
    )
    target_table = Table(
        "目标",
        [
            Column("目标", 18),
            Column("区域", 12),
            Column("等级", 12),
            Column("比例（%）", 10, P),
            Column("数量（个）", 10, N),
            Column("年度", 8, N),
            Column("至本活动年度", 10),
            Column("依据或说明", 30),
        ],
        [
            [
                t["label"],
                t["region"],
                t["level"],
                t["share"],
                t["count"],
                t["year"],
                "已到期" if t["due"] else "未到期",
                t["note"],
            ]
            for t in targets
        ],
        note="目标由组织单位在“等级目标”页维护"
        if targets
        else "本区域尚未为该指标体系设定等级目标（组织单位可在“等级目标”页添加）",
    )
    everything = [*data["rows"], data["total"]]
    chart = {
        "kind": "attainment",
        "horizontal": len(everything) > MANY,
        "height": grown(len(everything) * max(len(levels), 1) // 2) if len(everything) > MANY else 380,
        "categories": [r["name"] for r in everything],
        "series": [
            {"name": f"{level}及以上", "data": [num(r["shares"][level]) for r in everything]} for level in levels
        ],
        # a count target is no percentage: the chart marks the share targets, the table has both
        "targets": [
            {"name": f"{t['label']}（{t['level']}）", "value": num(t["share"]), "series": levels.index(t["level"])}
            for t in targets
            if t["share"] is not None
        ],
    }
    return data, [table, target_table], {"charts": [chart]}


def _gap(scope: Scope, request: HttpRequest) -> tuple[dict[str, Any], list[Table], dict[str, Any]]:
    data = dashboards.score_gap(scope)

    def cells(r: dict[str, Any]) -> list[Any]:
        return [r["name"], r["n"], r["self_mean"], r["final_mean"], r["gap_mean"], r["gap_min"], r["gap_max"]]

    table = Table(
        "自评分与专家最终得分之差（最终 − 自评）",
        [
            Column("区域", 16),
            Column("份数", 8, N),
            Column("自评均分", 10, D),
            Column("专家最终均分", 12, D),
            Column("平均差", 10, D),
            Column("最小差", 10, D),
            Column("最大差", 10, D),
        ],
        [cells(r) for r in data["rows"]],
        note="只计已有专家评审结果的申报；差为负表示专家评分低于自评",
        total=cells(data["total"]),
    )
    units = Table(
        "各单位明细",
        [
            Column("单位", 22),
            Column("区域", 14),
            Column("自评分", 10, D),
            Column("最终得分", 10, D),
            Column("差", 10, D),
        ],
        [[u["name"], u["region"], u["self"], u["final"], u["gap"]] for u in data["units"]],
        page_size=UNIT_ROWS,
    )
    everything = [*data["rows"], data["total"]]
    bars = {
        "kind": "gap",
        "horizontal": len(everything) > MANY,
        "height": grown(len(everything)) if len(everything) > MANY else 380,
        "categories": [r["name"] for r in everything],
        "series": [{"name": "平均差（最终 − 自评）", "data": [num(r["gap_mean"]) for r in everything]}],
    }
    scores = [v for u in data["units"] for v in (u["self"], u["final"])]
    scatter = {
        "kind": "scatter",
        "points": [{"name": u["name"], "value": [num(u["self"]), num(u["final"])]} for u in data["units"]],
        "diagonal": [num(min(scores)), num(max(scores))] if scores else None,
    }
    return data, [table, units], {"charts": [bars, scatter]}


def _trend(scope: Scope, request: HttpRequest) -> tuple[dict[str, Any], list[Table], dict[str, Any]]:
    """One table and one chart per framework family: the scores of different issuers'
    frameworks are never drawn on one line nor subtracted."""
    data = dashboards.year_over_year(scope)
    tables, charts = [], []
    for series in data["families"] or [{"family": "", "title": scope.record.title, "campaigns": [], "rows": []}]:
        campaigns = series["campaigns"]
        columns = [Column("单位", 22), Column("区域", 14)]
        years = [c["year"] for c in campaigns]
        unique_years = len(set(years)) == len(years)
        for c in campaigns:
            label = f"{c['year']}年" if unique_years else c["name"]
            columns += [
                Column(f"{label} 得分", 14, D),
                Column(f"{label} 口径", 8),
                Column(f"{label} 得分率（%）", 14, P),
            ]
        columns += [Column("增值（分）", 10, D), Column("增值（得分率百分点）", 14, P)]
        rows = []
        for r in series["rows"]:
            values: list[Any] = [r["name"], r["region"]]
            for cell in r["cells"]:
                values += [cell["score"], cell["source"], cell["rate"]] if cell else [None, None, None]
            values += [r["gain"], r["rate_gain"]]
            rows.append(values)
        tables.append(
            Table(
                f"多次申报单位的历年得分（{series['title']}）",
                columns,
                rows,
                page_size=UNIT_ROWS,
                note="只比较同一指标体系系列的各次活动，不同系列分列；"
                "得分取专家评审最终得分，未评审的取自评分（口径列注明）；各次指标体系满分不同时只比较得分率；"
                + "；".join(f"{c['year']}年：{c['name']}" for c in campaigns),
            )
        )
        charts.append(
            {
                "kind": "trend",
                "title": series["title"],
                "categories": [
                    c["name"] if str(c["year"]) in c["name"] else f"{c['year']} {c['name']}" for c in campaigns
                ],
                # one line per unit is unreadable beyond a few dozen: the chart draws the first
                # TREND_LINES (the table below has every unit)
                "series": [
                    {"name": r["name"], "data": [num(cell["score"]) if cell else None for cell in r["cells"]]}
                    for r in series["rows"][:TREND_LINES]
                ],
            }
        )
    return data, tables, {"charts": charts}


BUILDERS: dict[str, Callable[[Scope, HttpRequest], tuple[dict[str, Any], list[Table], dict[str, Any]]]] = {
    "progress": _progress,
    "scores": _scores,
    "indicators": _indicators,
    "attainment": _attainment,
    "gap": _gap,
    "trend": _trend,
}


# --- views -----------------------------------------------------------------------------------


def _scope(request: HttpRequest, pk: int, section: str) -> Scope:
    if section not in BUILDERS:
        raise Http404
    campaign = get_object_or_404(
        Campaign.objects.select_related("organizer", "school_framework", "district_framework"), pk=pk
    )
    scope = dashboards.scope_for(request.user, campaign, request.GET.get("subject"), request.GET.get("unit"))
    if scope is None:  # not theirs, or a unit outside their region: 404 either way
        raise Http404
    return scope


def _query(request: HttpRequest, keys: Sequence[str] = ("subject", "basis", "unit")) -> str:
    params = {k: request.GET[k] for k in keys if request.GET.get(k)}
    return f"?{urlencode(params)}" if params else ""


def _laid_out(request: HttpRequest, table: Table, index: int) -> dict[str, Any]:
    """A table as the page shows it: long per-unit tables one page at a time (`?p<index>=`)."""
    item: dict[str, Any] = {"table": table, "total": table.display_total(), "index": index, "pager": None}
    if table.page_size is None or len(table.rows) <= table.page_size:
        item["rows"] = table.display()
        return item
    name = f"p{index}"
    page = Paginator(table.rows, table.page_size).get_page(request.GET.get(name))

    def link(number: int) -> str:
        params = request.GET.copy()
        params[name] = str(number)
        return f"?{params.urlencode()}"

    item["rows"] = table.display(list(page.object_list))
    item["pager"] = {
        "number": page.number,
        "pages": page.paginator.num_pages,
        "count": page.paginator.count,
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
        "next": link(page.next_page_number()) if page.has_next() else None,
    }
    return item


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The campaigns whose dashboards the user may open (organizers and county reviewers)."""
    campaigns = list(dashboards.visible_campaigns(request.user))
    if not campaigns and not dashboards.has_dashboard_role(request.user):
        raise Http404
    return render(
        request,
        "reports/dashboards/index.html",
        {"campaigns": campaigns, "sections": SECTIONS, "may_edit_targets": is_organizer(request.user)},
    )


@login_required
def dashboard(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    scope = _scope(request, pk, section)
    data, tables, chart = BUILDERS[section](scope, request)
    query = _query(request)
    level = dashboards.level_of(scope)
    keep = {k: request.GET[k] for k in ("subject", "basis") if request.GET.get(k)}
    drill = [
        {"name": g.name, "query": "?" + urlencode({**keep, "unit": g.pk})}
        for g in sorted(level.groups.values(), key=lambda g: g.code)
        if g.drillable and (scope.unit is None or g.pk != scope.unit.pk)
    ]
    crumbs = [{"name": scope.label, "query": "?" + urlencode(keep) if keep else "?"}]
    roots = scope.region.paths if scope.region is not None else {scope.campaign.organizer.path}
    for crumb in level.crumbs:
        if crumb.path in roots:
            continue  # the scope's own units are the top crumb already
        crumbs.append({"name": crumb.name, "query": "?" + urlencode({**keep, "unit": crumb.pk})})
    return render(
        request,
        "reports/dashboards/page.html",
        {
            "scope": scope,
            "campaign": scope.campaign,
            "section": section,
            "section_title": SECTIONS[section],
            "sections": SECTIONS,
            "data": data,
            "tables": [_laid_out(request, t, i) for i, t in enumerate(tables)],
            "chart": chart,
            "chart_full": section == "indicators" or all(t.wide for t in tables),
            "query": query,
            "drill": drill,
            "crumbs": crumbs,
            "unit": scope.unit,
            "subject_query": _query(request, ("subject",)),
            "basis": data.get("basis"),
            "basis_labels": dashboards.BASIS_LABELS,
            "may_edit_targets": section == "attainment" and is_organizer(request.user),
        },
    )


@login_required
def download(request: HttpRequest, pk: int, section: str, table: int) -> HttpResponse:
    """One table of a dashboard as Excel: the rows the page shows, numbers kept as numbers."""
    scope = _scope(request, pk, section)
    _, tables, _ = BUILDERS[section](scope, request)
    if table >= len(tables):
        raise Http404
    chosen = tables[table]
    sheet = "".join(ch for ch in chosen.title if ch not in "[]:*?/\\")
    data = build_workbook(sheet, chosen.columns, chosen.all_rows())
    return xlsx_response(data, f"{scope.campaign.name}-{SECTIONS[section]}-{chosen.title}.xlsx")
