"""Every list the product shows, defined once for Excel: its columns (the screen's headings, in
the screen's order, with number formats), its scoped queryset and how one object becomes a row.

Views and the background task both go through `resolve_scope` and `build`, so a file built
later by the worker holds exactly what the requester could see on screen, and nothing more.
Rows are read with one query (select_related / annotations, `iterator()`), so an export of ten
thousand rows costs the same number of queries as one of ten.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any, ClassVar

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from campuseval.access.rules import is_organizer_for, reviewer_counties
from campuseval.applications import drafts
from campuseval.applications.models import Application
from campuseval.audit.models import AuditEntry
from campuseval.campaigns.models import Campaign
from campuseval.campaigns.queries import organizer_campaigns
from campuseval.campaigns.scoring import framework_for
from campuseval.orgs.models import Unit, units_below
from campuseval.reviews.county_scores import with_county_total
from campuseval.reviews.models import Assignment, RecommendationEntry, Result
from campuseval.spreadsheets.writing import Column, build_workbook, write_workbook

SCORE = "0.00"
INTEGER = "0"
PERCENT = "0.0%"
WHEN = "yyyy-mm-dd hh:mm"
WHEN_SECONDS = "yyyy-mm-dd hh:mm:ss"

#: rows fetched per database round trip and between two progress updates
CHUNK = 500


@dataclass(frozen=True)
class Scope:
    """What one export covers: a campaign (and possibly one application in it) as one user may
    see it. `organizer` says whether the user sees the whole campaign or only their counties."""

    user: Any
    campaign: Campaign
    organizer: bool
    county_ids: frozenset[int] = frozenset()
    application: Application | None = None
    params: dict[str, str] = field(default_factory=dict)


def _county_name(unit: Unit) -> str:
    """The county/district a unit belongs to; needs `unit.parent` selected (no query)."""
    if unit.kind == Unit.Kind.COUNTY:
        return unit.name
    parent = unit.parent
    return parent.name if parent is not None else ""


class ExportList:
    """One exportable list. Subclasses say which columns, which objects, and which cells."""

    key: ClassVar[str]
    title: ClassVar[Any]
    #: county reviewers may export it too (their counties' part only)
    for_counties: ClassVar[bool] = False
    #: the query parameters that narrow the list, as on its screen
    filters: ClassVar[tuple[str, ...]] = ()

    def columns(self, scope: Scope) -> list[Column]:
        raise NotImplementedError

    def queryset(self, scope: Scope) -> QuerySet[Any]:
        raise NotImplementedError

    def row(self, obj: Any, scope: Scope) -> list[Any]:
        raise NotImplementedError

    def count(self, scope: Scope) -> int:
        return self.queryset(scope).count()

    def rows(self, scope: Scope) -> Iterator[list[Any]]:
        for obj in self.queryset(scope).iterator(chunk_size=CHUNK):
            yield self.row(obj, scope)

    def label(self, scope: Scope) -> str:
        """The list's name for a file and for the "my exports" page."""
        name = f"{self.title}-{scope.campaign.name}"
        if scope.application is not None:
            name += f"-{scope.application.unit.name}"
        return name


class Applications(ExportList):
    """The county's review list (县级初审): submitted applications with their self-scores."""

    key = "applications"
    title = _("申报列表")
    for_counties = True
    filters = ("status", "q", "area")

    def columns(self, scope: Scope) -> list[Column]:
        return [
            Column(str(_("申报单位")), 28),
            Column(str(_("单位代码")), 12),
            Column(str(_("学段")), 10),
            Column(str(_("所属区县")), 14),
            Column(str(_("活动")), 28),
            Column(str(_("城乡")), 8),
            Column(str(_("县级评分")), 10, SCORE),
            Column(str(_("自评分")), 10, SCORE),
            Column(str(_("完成度")), 10, PERCENT),
            Column(str(_("已作答指标")), 10, INTEGER),
            Column(str(_("指标总数")), 10, INTEGER),
            Column(str(_("未达★/▲")), 10, INTEGER),
            Column(str(_("必要条件未满足")), 12, INTEGER),
            Column(str(_("佐证材料")), 10, INTEGER),
            Column(str(_("状态")), 12),
            Column(str(_("提交时间")), 18, WHEN),
        ]

    def queryset(self, scope: Scope) -> QuerySet[Any]:
        qs = Application.objects.filter(campaign=scope.campaign).exclude(status=Application.Status.DRAFT)
        if not scope.organizer:
            qs = qs.filter(units_below(scope.county_ids).q("unit"))
        status = scope.params.get("status", "")
        if status in Application.Status.values:
            qs = qs.filter(status=status)
        q = scope.params.get("q", "").strip()
        if q:
            qs = qs.filter(Q(unit__name__icontains=q) | Q(unit__code__icontains=q))
        area = scope.params.get("area", "")
        if area in Unit.Area.values:  # the county list's 城乡 filter
            qs = qs.filter(unit__area=area)
        rows: QuerySet[Any] = (
            with_county_total(qs.select_related("unit__parent", "campaign"))
            .annotate(evidence_count=Count("evidence"))
            .order_by(F("score").desc(), "unit__code")
        )
        return rows

    def row(self, obj: Any, scope: Scope) -> list[Any]:
        result = obj.result or {}
        progress = result.get("progress", {}) or {}
        answered, total = progress.get("answered"), progress.get("total")
        return [
            obj.unit.name,
            obj.unit.code,
            obj.unit.get_stage_display(),
            _county_name(obj.unit),
            obj.campaign.name,
            obj.unit.get_area_display(),
            obj.county_total,
            obj.self_total,
            (answered / total) if answered is not None and total else None,
            answered,
            total,
            len(result.get("unmet_requirements", []) or []),
            len(result.get("unmet_necessary", []) or []),
            obj.evidence_count,
            obj.get_status_display(),
            obj.submitted_at,
        ]


class Recommendations(ExportList):
    """The counties' recommendation lists (推荐名单), one row per recommended application."""

    key = "recommendations"
    title = _("推荐名单")
    for_counties = True

    def columns(self, scope: Scope) -> list[Column]:
        return [
            Column(str(_("推荐单位")), 14),
            Column(str(_("序号")), 6, INTEGER),
            Column(str(_("申报单位")), 28),
            Column(str(_("单位代码")), 12),
            Column(str(_("城乡")), 8),
            Column(str(_("县级评分")), 10, SCORE),
            Column(str(_("自评分")), 10, SCORE),
            Column(str(_("亮点特色")), 40),
            Column(str(_("填表人")), 10),
            Column(str(_("联系电话")), 14),
            Column(str(_("确认人")), 10),
            Column(str(_("确认时间")), 18, WHEN),
        ]

    def queryset(self, scope: Scope) -> QuerySet[Any]:
        qs = RecommendationEntry.objects.filter(recommendation__campaign=scope.campaign)
        if not scope.organizer:
            qs = qs.filter(recommendation__unit_id__in=scope.county_ids)
        return with_county_total(
            qs.select_related("recommendation__unit", "application__unit"), "application_id"
        ).order_by("recommendation__unit__code", "position")

    def row(self, obj: Any, scope: Scope) -> list[Any]:
        rec = obj.recommendation
        return [
            rec.unit.name,
            obj.position,
            obj.application.unit.name,
            obj.application.unit.code,
            obj.application.unit.get_area_display(),
            obj.county_total,
            obj.application.self_total,
            obj.highlights,
            rec.filled_by,
            rec.phone,
            rec.confirmed_name,
            rec.confirmed_at,
        ]


class Scores(ExportList):
    """Experts' scores (评审任务): one row per application × expert, one column per leaf
    indicator of the campaign's framework(s), then the expert's total."""

    key = "scores"
    title = _("专家评分明细")

    def _leaves(self, scope: Scope) -> list[tuple[int, str, str]]:
        """(framework record id, indicator code, heading) for every leaf, school first."""
        campaign = scope.campaign
        records = [r for r in (campaign.school_framework, campaign.district_framework) if r is not None]
        both = len(records) == 2
        leaves = []
        for record in records:
            prefix = f"{_('学校') if record.subject == 'school' else _('区县')}·" if both else ""
            for leaf in framework_for(record).leaves():
                leaves.append((record.pk, leaf.code, f"{prefix}{leaf.code} {leaf.title}"))
        return leaves

    def columns(self, scope: Scope) -> list[Column]:
        return [
            Column(str(_("申报单位")), 28),
            Column(str(_("单位代码")), 12),
            Column(str(_("专家")), 12),
            Column(str(_("组")), 14),
            Column(str(_("状态")), 14),
            Column(str(_("提交时间")), 18, WHEN),
            *(Column(leaf[2], 12, SCORE) for leaf in self._leaves(scope)),
            Column(str(_("评分")), 10, SCORE),
        ]

    def queryset(self, scope: Scope) -> QuerySet[Any]:
        return (
            Assignment.objects.filter(panel__campaign=scope.campaign)
            .select_related("expert__user", "application__unit", "panel")
            .order_by("application__unit__code", "panel_id", "pk")
        )

    def rows(self, scope: Scope) -> Iterator[list[Any]]:
        leaves = self._leaves(scope)
        for obj in self.queryset(scope).iterator(chunk_size=CHUNK):
            points = (obj.result or {}).get("indicators", {}) or {}
            cells = []
            for record_id, code, _heading in leaves:
                value = points.get(code, {}).get("points") if record_id == obj.application.framework_id else None
                cells.append(_decimal(value))
            yield [
                obj.application.unit.name,
                obj.application.unit.code,
                str(obj.expert.user),
                obj.panel.name,
                obj.get_status_display(),
                obj.submitted_at,
                *cells,
                obj.total,
            ]


class Results(ExportList):
    """Aggregated results and ranking (评审结果), as the organizer's results table."""

    key = "results"
    title = _("评审结果")

    def columns(self, scope: Scope) -> list[Column]:
        return [
            Column(str(_("名次")), 8, INTEGER),
            Column(str(_("单位名称")), 28),
            Column(str(_("单位代码")), 12),
            Column(str(_("所属区县")), 14),
            Column(str(_("城乡")), 8),
            Column(str(_("材料评审得分")), 12, SCORE),
            Column(str(_("实地考察得分")), 12, SCORE),
            Column(str(_("最终得分")), 12, SCORE),
            Column(str(_("等级")), 12),
            Column(str(_("入选")), 8),
            Column(str(_("需复议")), 8),
            Column(str(_("说明")), 40),
            Column(str(_("汇总方法")), 40),
        ]

    def queryset(self, scope: Scope) -> QuerySet[Any]:
        return (
            Result.objects.filter(campaign=scope.campaign)
            .select_related("application__unit__parent")
            .order_by("rank", "application__unit__code")
        )

    def row(self, obj: Any, scope: Scope) -> list[Any]:
        unit = obj.application.unit
        return [
            obj.rank,
            unit.name,
            unit.code,
            _county_name(unit),
            unit.get_area_display(),
            obj.materials,
            obj.site,
            obj.final,
            obj.level,
            obj.selected,
            obj.divergent,
            obj.note,
            obj.method,
        ]


class Audit(ExportList):
    """The campaign's audit log (审计日志), or one application's part of it, oldest first, with the
    page's filters: the operator's name (contains) and the action code's beginning."""

    key = "audit"
    title = _("审计日志")
    filters = ("application", "actor", "action")

    def columns(self, scope: Scope) -> list[Column]:
        return [
            Column(str(_("时间")), 20, WHEN_SECONDS),
            Column(str(_("操作人")), 12),
            Column(str(_("来源地址")), 14),
            Column(str(_("操作")), 24),
            Column(str(_("摘要")), 40),
            Column(str(_("变更前")), 40),
            Column(str(_("变更后")), 40),
        ]

    def queryset(self, scope: Scope) -> QuerySet[Any]:
        entries = AuditEntry.objects.filter(campaign_id=scope.campaign.pk)
        if scope.application is not None:
            app = scope.application
            entries = entries.filter(Q(object_type="Application", object_id=str(app.pk)) | Q(unit_id=app.unit_id))
        if scope.params.get("actor"):
            entries = entries.filter(actor_name__icontains=scope.params["actor"])
        if scope.params.get("action"):
            entries = entries.filter(action__startswith=scope.params["action"])
        return entries.order_by("at", "pk")

    def rows(self, scope: Scope) -> Iterator[list[Any]]:
        """What a school typed before submitting is exported as draft content, not its values."""
        windows = drafts.submission_windows(scope.campaign.pk)
        for obj in self.queryset(scope).iterator(chunk_size=CHUNK):
            yield self.row(drafts.shown(obj, windows), scope)

    def row(self, obj: Any, scope: Scope) -> list[Any]:
        return [
            obj.at,
            obj.actor_name,
            obj.ip,
            obj.action,
            obj.summary,
            _json(obj.before),
            _json(obj.after),
        ]


LISTS: dict[str, ExportList] = {cls.key: cls() for cls in (Applications, Recommendations, Scores, Results, Audit)}


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str) if value else ""


def _decimal(value: Any) -> Any:
    """Engine points are decimal strings; a sheet wants numbers."""
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return str(value)


def resolve_scope(user: Any, key: str, campaign_pk: int, params: dict[str, str] | None = None) -> Scope | None:
    """The scope `user` may export for list `key` of campaign `campaign_pk`, or None when the
    list, the campaign or the application is not theirs to see (the caller answers 404)."""
    export = LISTS.get(key)
    if export is None or not getattr(user, "is_authenticated", False):
        return None
    campaign = (
        Campaign.objects.select_related("organizer", "school_framework", "district_framework")
        .filter(pk=campaign_pk)
        .first()
    )
    if campaign is None:
        return None
    clean = {name: str(value) for name, value in (params or {}).items() if name in export.filters and value}
    organizer = organizer_campaigns(user).filter(pk=campaign.pk).exists() and is_organizer_for(user, campaign)
    county_ids: frozenset[int] = frozenset()
    if not organizer:
        if not export.for_counties:
            return None
        county_ids = frozenset(c.pk for c in reviewer_counties(user))
        if (
            not county_ids
            or not Application.objects.filter(units_below(county_ids).q("unit"), campaign=campaign)
            .exclude(status=Application.Status.DRAFT)
            .exists()
        ):
            return None
    application = None
    if clean.get("application"):
        if not clean["application"].isdigit():
            return None
        application = (
            Application.objects.select_related("unit").filter(pk=int(clean["application"]), campaign=campaign).first()
        )
        if application is None:
            return None
    return Scope(
        user=user, campaign=campaign, organizer=organizer, county_ids=county_ids, application=application, params=clean
    )


def with_progress(
    rows: Iterable[Sequence[Any]], report: Callable[[int], None], every: int = CHUNK
) -> Iterator[Sequence[Any]]:
    """Pass rows through, calling `report(done)` every `every` rows and once at the end."""
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % every == 0:
            report(done)
    report(done)


def build(scope: Scope, key: str, report: Callable[[int], None] | None = None) -> bytes:
    """The workbook for list `key` over `scope`: frozen header, number formats, inert text."""
    export = LISTS[key]
    rows: Iterable[Sequence[Any]] = export.rows(scope)
    if report is not None:
        rows = with_progress(rows, report)
    return build_workbook(str(export.title), export.columns(scope), rows)


def write(scope: Scope, key: str, target: IO[bytes], report: Callable[[int], None] | None = None) -> None:
    """`build` into a file (the background job's temporary file): a province's list is never
    held whole in memory on its way to storage."""
    export = LISTS[key]
    rows: Iterable[Sequence[Any]] = export.rows(scope)
    if report is not None:
        rows = with_progress(rows, report)
    write_workbook(target, str(export.title), export.columns(scope), rows)


def filename(scope: Scope, key: str) -> str:
    unsafe = '\\/:*?"<>|'
    name = LISTS[key].label(scope)
    return "".join("_" if ch in unsafe else ch for ch in name)[:120] + ".xlsx"
