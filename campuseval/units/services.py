"""Units as domain functions: the Excel import of provinces, cities, counties and schools.

The sheet is read with the same reader as the other imports (`spreadsheets.reading.read_sheet`:
any valid .xlsx, with or without a dimension record): every row is checked first, each refused
row comes back with its reason in Chinese, and nothing is written until the whole sheet is
clean. The write is linear and bulk: the existing units are read in batches of codes, new units
are inserted level by level with `bulk_create` and their paths set with `fill_paths`, updated
ones written with `bulk_update`, so a province of 20,000 schools costs a few dozen queries."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from campuseval.access.rules import managed_scope
from campuseval.accounts.models import User
from campuseval.audit.services import record
from campuseval.orgs.models import Subtree, Unit, fill_paths
from campuseval.spreadsheets.reading import ImportReport, Sheet, in_batches, read_sheet

UNIT_COLUMNS = ("单位代码", "名称", "上级单位代码", "类型", "学段", "城乡", "地址", "在校学生数", "教职工数", "班级数")
CODE = re.compile(r"^[0-9A-Za-z-]{2,32}$")

KINDS = {
    "省": Unit.Kind.PROVINCE,
    "市": Unit.Kind.CITY,
    "区县": Unit.Kind.COUNTY,
    "县": Unit.Kind.COUNTY,
    "区": Unit.Kind.COUNTY,
    "县区": Unit.Kind.COUNTY,
    "县（区）": Unit.Kind.COUNTY,
    "学校": Unit.Kind.SCHOOL,
}
STAGES = {str(label): value for value, label in Unit.Stage.choices} | {
    "高中": Unit.Stage.SENIOR,
    "普高": Unit.Stage.SENIOR,
    "中等职业学校": Unit.Stage.VOCATIONAL,
    "职业高中": Unit.Stage.VOCATIONAL,
}
AREAS = {str(label): value for value, label in Unit.Area.choices} | {
    "城区": Unit.Area.URBAN,
    "城市": Unit.Area.URBAN,
    "农村": Unit.Area.RURAL,
}
#: which kind of unit may sit under which
PARENT_KINDS: dict[str, tuple[str, ...]] = {
    Unit.Kind.CITY: (Unit.Kind.PROVINCE,),
    Unit.Kind.COUNTY: (Unit.Kind.CITY,),
    #: 市直 / 省直 schools sit directly under a city or the province
    Unit.Kind.SCHOOL: (Unit.Kind.COUNTY, Unit.Kind.CITY, Unit.Kind.PROVINCE),
}
#: the columns an import writes on a unit (besides its parent)
WRITTEN = ("name", "kind", "stage", "area", "address", "students", "staff", "classes")
#: rows per INSERT / UPDATE statement
BATCH = 1000
#: a progress callback: (rows done, rows in all)
Progress = Callable[[int, int], None]
NUMBERS = (("在校学生数", "students"), ("教职工数", "staff"), ("班级数", "classes"))


@dataclass
class _Planned:
    number: int
    code: str
    parent_code: str
    kind: str
    values: dict[str, Any]


def _count(label: str, text: str) -> tuple[int | None, str | None]:
    cleaned = text.replace(",", "").replace("，", "").strip()
    if not cleaned:
        return None, None
    if not cleaned.isdigit():
        return None, _("“%(label)s”应为不小于 0 的整数，收到「%(text)s」") % {"label": label, "text": text}
    return int(cleaned), None


def _check_row(row: dict[str, str], *, provinces: bool) -> tuple[_Planned | None, str | None]:
    """One row on its own (codes, names, kinds, numbers); the relations come after. A province
    (a root: no parent) only when `provinces` (the importer is a superuser)."""
    for key, value in row.items():
        if "\x00" in value:
            return None, _("“%(col)s”含有不可见的空字符") % {"col": key}
    code, name = row["单位代码"], row["名称"]
    if not CODE.match(code):
        return None, _("单位代码「%(code)s」只能包含字母、数字和连字符，长度 2–32") % {"code": code}
    if not name:
        return None, _("名称未填写")
    if len(name) > 120:
        return None, _("名称超过 120 个字")
    kind = KINDS.get(row["类型"])
    if kind is None:
        known = "省、市、区县、学校" if provinces else "市、区县、学校"
        return None, _("类型「%(kind)s」未知，可填：%(known)s") % {"kind": row["类型"], "known": known}
    if kind == Unit.Kind.PROVINCE:
        if not provinces:
            return None, _("不能导入省级单位：只有系统管理员（超级用户）可以创建省")
        if row["上级单位代码"]:
            return None, _("省级单位没有上级单位，“上级单位代码”请留空")
    elif not row["上级单位代码"]:
        return None, _("上级单位代码未填写")
    stage = STAGES.get(row["学段"], "") if row["学段"] else ""
    if row["学段"] and not stage:
        return None, _("学段「%(stage)s」未知，可填：%(known)s") % {
            "stage": row["学段"],
            "known": "、".join(str(label) for label in Unit.Stage.labels),
        }
    if kind == Unit.Kind.SCHOOL and not stage:
        return None, _("学校须填写学段")
    if kind != Unit.Kind.SCHOOL and stage:
        return None, _("只有学校填写学段")
    area = AREAS.get(row["城乡"], "") if row["城乡"] else ""
    if row["城乡"] and not area:
        return None, _("城乡「%(area)s」未知，可填：城镇、乡村") % {"area": row["城乡"]}
    if kind == Unit.Kind.SCHOOL and not area:
        return None, _("学校须填写城乡（城镇或乡村）")
    if len(row["地址"]) > 200:
        return None, _("地址超过 200 个字")
    values: dict[str, Any] = {"name": name, "kind": kind, "stage": stage, "area": area, "address": row["地址"]}
    for label, key in NUMBERS:
        values[key], problem = _count(label, row[label])
        if problem:
            return None, problem
    return _Planned(0, code, row["上级单位代码"], kind, values), None


def import_units(
    *,
    actor: User,
    file: IO[bytes] | None = None,
    sheet: Sheet | None = None,
    ip: str | None = None,
    progress: Progress | None = None,
    job_id: int | None = None,
) -> ImportReport:
    """Provinces (superusers only), cities, counties and schools (code, name, parent code,
    kind, stage, urban/rural, address, students, staff, classes) under the importer's units.
    An existing code inside the importer's region is updated; a parent may be an existing unit
    or another row of the sheet; a school may sit under a county, a city (市直) or the province
    (省直). Organizers keep their own unit lists this way instead of typing thirty schools by
    hand, and a system administrator creates a whole province from one sheet. `sheet` is an
    already read sheet (the background job, a benchmark); otherwise `file` is read."""
    scope = managed_scope(actor)
    if not scope:
        raise PermissionDenied
    provinces = bool(getattr(actor, "is_superuser", False))
    report = ImportReport()
    if sheet is None:
        assert file is not None
        sheet = read_sheet(file, UNIT_COLUMNS)
    rows, report.refused = sheet.rows, list(sheet.refused)
    if any(number <= 1 for number, _ in report.refused):
        return report
    codes = {r["单位代码"] for _, r in rows} | {r["上级单位代码"] for _, r in rows if r["上级单位代码"]}
    existing = {u.code: u for batch in in_batches(codes) for u in Unit.objects.filter(code__in=batch)}
    planned: dict[str, _Planned] = {}
    for number, row in rows:
        plan, problem = _check_row(row, provinces=provinces)
        if plan is not None:
            plan.number = number
            current = existing.get(plan.code)
            if plan.code in planned:
                problem = _("单位代码「%(code)s」与第 %(row)s 行重复") % {
                    "code": plan.code,
                    "row": planned[plan.code].number,
                }
            elif current is not None and current not in scope:
                problem = _("单位代码「%(code)s」已被您管理范围以外的单位使用") % {"code": plan.code}
            elif current is not None and current.kind != plan.kind:
                problem = _("单位「%(name)s」已是%(was)s，不能改为%(now)s") % {
                    "name": current.name,
                    "was": current.get_kind_display(),
                    "now": Unit.Kind(plan.kind).label,
                }
            elif plan.parent_code == plan.code:
                problem = _("上级单位不能是本单位")
        if problem or plan is None:
            report.refused.append((number, problem or ""))
            continue
        planned[plan.code] = plan
    for plan in planned.values():
        problem = _check_parent(plan, planned, existing, scope)
        if problem:
            report.refused.append((plan.number, problem))
    if report.refused:
        report.refused.sort()
        return report
    with transaction.atomic():
        _write(planned, existing, report, progress)
        record(
            actor=actor,
            action="import.units",
            ip=ip,
            summary=f"导入单位：新建 {report.created}，更新 {report.updated}",
            after={"job": job_id, "codes": sorted(planned)},
        )
    return report


def _write(
    planned: dict[str, _Planned], existing: dict[str, Unit], report: ImportReport, progress: Progress | None
) -> None:
    """Level by level from the top (a row's parent is written before it): new units with one
    INSERT per batch and their paths with `fill_paths`; updated units with one UPDATE per
    batch. A unit moved to another parent is saved on its own, since its whole subtree's paths
    move with it (`Unit.save`)."""
    levels: dict[int, list[_Planned]] = {}
    for plan in planned.values():
        levels.setdefault(_depth(plan, planned), []).append(plan)
    total, done = len(planned), 0
    for depth in sorted(levels):
        new: list[Unit] = []
        changed: list[Unit] = []
        for plan in levels[depth]:
            parent = existing.get(plan.parent_code) if plan.parent_code else None
            unit = existing.get(plan.code)
            if unit is None:
                unit = Unit(code=plan.code, parent=parent, **plan.values)
                new.append(unit)
                existing[plan.code] = unit
                continue
            for key, value in plan.values.items():
                setattr(unit, key, value)
            if unit.parent_id != (parent.pk if parent is not None else None):
                unit.parent = parent
                unit.save()
            else:
                changed.append(unit)
            report.updated += 1
        Unit.objects.bulk_create(new, batch_size=BATCH)
        fill_paths(new)
        Unit.objects.bulk_update(changed, list(WRITTEN), batch_size=BATCH)
        report.created += len(new)
        done += len(levels[depth])
        if progress is not None:
            progress(done, total)


def _depth(plan: _Planned, planned: dict[str, _Planned]) -> int:
    depth, code = 0, plan.parent_code
    while code in planned and depth <= len(planned):
        depth += 1
        code = planned[code].parent_code
    return depth


def _check_parent(
    plan: _Planned, planned: dict[str, _Planned], existing: dict[str, Unit], scope: Subtree
) -> str | None:
    """The parent exists (in the sheet or inside the importer's region), is of a kind that may
    hold this unit, and the sheet does not make a unit its own ancestor. A province has none."""
    code = plan.parent_code
    if plan.kind == Unit.Kind.PROVINCE:
        current = existing.get(plan.code)
        if current is not None and current.parent_id is not None:
            return _("单位「%(name)s」已有上级单位，不能改为省级单位") % {"name": current.name}
        return None
    if code in planned:
        parent_kind = planned[code].kind
        seen = {plan.code}
        while code in planned:
            if code in seen:
                return _("上级单位关系成环：%(code)s") % {"code": code}
            seen.add(code)
            code = planned[code].parent_code
    else:
        parent = existing.get(code)
        current = existing.get(plan.code)
        if parent is None:
            return _("上级单位代码「%(code)s」不存在（可先在本表中列出上级单位）") % {"code": code}
        if parent not in scope and not (current is not None and current.parent_id == parent.pk):
            return _("上级单位「%(name)s」不在您的管理范围内") % {"name": parent.name}
        if current is not None and parent in current.subtree():
            return _("上级单位「%(name)s」是本单位的下级，不能作为上级") % {"name": parent.name}
        parent_kind = parent.kind
    if parent_kind not in PARENT_KINDS[plan.kind]:
        return _("%(kind)s的上级不能是%(parent)s") % {
            "kind": Unit.Kind(plan.kind).label,
            "parent": Unit.Kind(parent_kind).label,
        }
    return None
