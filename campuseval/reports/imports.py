"""Excel imports for accounts, the expert pool and a framework's indicator table. Every row is
checked first; nothing is written until the whole sheet is clean; each refused row comes back
with its reason in Chinese."""

from __future__ import annotations

import hashlib
import re
import secrets
from decimal import Decimal, InvalidOperation
from typing import IO, Any

import yaml
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_email
from django.db import transaction

from campuseval.access.rules import managed_scope
from campuseval.accounts.models import Membership, Role, User
from campuseval.audit.services import record
from campuseval.campaigns.models import FrameworkRecord
from campuseval.engine import FrameworkError, check_framework, load_framework_text
from campuseval.orgs.models import Unit
from campuseval.reviews.models import Expert
from campuseval.spreadsheets.reading import ImportReport, read_rows

ROLE_NAMES = {str(label): value for value, label in Role.choices}
USERNAME = re.compile(r"^[A-Za-z0-9_.@+-]{3,150}$")


def _nul(row: dict[str, str]) -> str | None:
    for key, value in row.items():
        if "\x00" in value:
            return f"“{key}”含有不可见的空字符"
    return None


ACCOUNT_COLUMNS = ("用户名", "姓名", "手机", "邮箱", "单位代码", "角色")


def import_accounts(*, actor: User, file: IO[bytes]) -> ImportReport:
    """Accounts with one role each at a unit inside the importer's region. New accounts get a
    random initial password, returned once for the organizer to hand out."""
    scope = managed_scope(actor)
    if not scope:
        raise PermissionDenied
    report = ImportReport()
    rows, report.refused = read_rows(file, ACCOUNT_COLUMNS)
    if report.refused:
        return report
    units = {u.code: u for u in Unit.objects.filter(code__in=[r["单位代码"] for _, r in rows])}
    seen: dict[str, int] = {}
    plan = []
    for number, row in rows:
        problem = _nul(row)
        username = row["用户名"]
        unit = units.get(row["单位代码"])
        role = ROLE_NAMES.get(row["角色"])
        if problem is None and not USERNAME.match(username):
            problem = f"用户名「{username}」只能包含字母、数字和 _ . @ + -，长度 3–150"
        if problem is None and username in seen:
            problem = f"用户名「{username}」与第 {seen[username]} 行重复"
        if problem is None and not row["姓名"]:
            problem = "姓名未填写"
        if problem is None and unit is None:
            problem = f"单位代码「{row['单位代码']}」不存在"
        if problem is None and unit is not None and unit.pk not in scope:
            problem = f"单位「{unit.name}」不在您的管理范围内"
        if problem is None and role is None:
            problem = f"角色「{row['角色']}」未知，可填：{'、'.join(ROLE_NAMES)}"
        if problem is None and role == Role.ADMIN and not getattr(actor, "is_superuser", False):
            problem = "只有系统管理员可以导入系统管理员账号"
        if problem is None and row["邮箱"]:
            try:
                validate_email(row["邮箱"])
            except Exception:
                problem = f"邮箱「{row['邮箱']}」格式不正确"
        if problem is None and row["手机"] and not re.fullmatch(r"1\d{10}|0\d{2,3}-?\d{7,8}", row["手机"]):
            problem = f"手机「{row['手机']}」格式不正确"
        if problem:
            report.refused.append((number, problem))
            continue
        seen[username] = number
        plan.append((row, unit, role))
    if report.refused:
        return report
    with transaction.atomic():
        for row, unit, role in plan:
            user = User.objects.filter(username=row["用户名"]).first()
            if user is None:
                password = secrets.token_urlsafe(9)
                user = User.objects.create_user(username=row["用户名"], password=password)
                report.passwords.append((user.username, password))
                report.created += 1
            else:
                report.updated += 1
            user.display_name, user.phone, user.email = row["姓名"], row["手机"], row["邮箱"]
            user.save()
            Membership.objects.get_or_create(user=user, unit=unit, role=role)
        record(actor=actor, action="import.accounts", summary=f"导入账号：新建 {report.created}，更新 {report.updated}")
    return report


EXPERT_COLUMNS = ("用户名", "姓名", "手机", "邮箱", "工作单位代码", "所在区县代码", "职称/职务", "专业领域")


def import_experts(*, actor: User, file: IO[bytes]) -> ImportReport:
    """The expert pool (专家库): an account, the expert role at the work unit, and the profile
    with region and fields used for 回避 and panels."""
    scope = managed_scope(actor)
    if not scope:
        raise PermissionDenied
    report = ImportReport()
    rows, report.refused = read_rows(file, EXPERT_COLUMNS)
    if report.refused:
        return report
    codes = [r["工作单位代码"] for _, r in rows] + [r["所在区县代码"] for _, r in rows]
    units = {u.code: u for u in Unit.objects.filter(code__in=codes)}
    plan = []
    seen: dict[str, int] = {}
    for number, row in rows:
        problem = _nul(row)
        unit = units.get(row["工作单位代码"])
        region = units.get(row["所在区县代码"]) if row["所在区县代码"] else None
        if problem is None and not USERNAME.match(row["用户名"]):
            problem = f"用户名「{row['用户名']}」只能包含字母、数字和 _ . @ + -，长度 3–150"
        if problem is None and row["用户名"] in seen:
            problem = f"用户名「{row['用户名']}」与第 {seen[row['用户名']]} 行重复"
        if problem is None and not row["姓名"]:
            problem = "姓名未填写"
        if problem is None and unit is None:
            problem = f"工作单位代码「{row['工作单位代码']}」不存在"
        if problem is None and row["所在区县代码"] and (region is None or region.kind != Unit.Kind.COUNTY):
            problem = f"所在区县代码「{row['所在区县代码']}」不是区县"
        if problem:
            report.refused.append((number, problem))
            continue
        seen[row["用户名"]] = number
        plan.append((row, unit, region))
    if report.refused:
        return report
    with transaction.atomic():
        for row, unit, region in plan:
            user = User.objects.filter(username=row["用户名"]).first()
            if user is None:
                password = secrets.token_urlsafe(9)
                user = User.objects.create_user(username=row["用户名"], password=password, email=row["邮箱"])
                report.passwords.append((user.username, password))
                report.created += 1
            else:
                report.updated += 1
            user.display_name, user.phone = row["姓名"], row["手机"]
            user.save()
            assert unit is not None  # rows without a known unit were refused above
            Membership.objects.get_or_create(user=user, unit=unit, role=Role.EXPERT)
            Expert.objects.update_or_create(
                user=user,
                defaults={"unit": unit, "region": region, "title": row["职称/职务"], "fields": row["专业领域"]},
            )
        record(actor=actor, action="import.experts", summary=f"导入专家：新建 {report.created}，更新 {report.updated}")
    return report


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(Decimal, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:float", str(value)))

FRAMEWORK_COLUMNS = ("编码", "上级编码", "名称", "分值", "指标内容", "评分说明", "材料要求", "标记")
MARKS = {"★": "basic", "▲": "demonstration", "必要条件": "necessary", "加分项": "bonus"}


def import_framework_table(
    *, actor: User, file: IO[bytes], key: str, title: str, subject: str, level_names: list[str]
) -> tuple[ImportReport, str]:
    """An indicator table into a new framework draft (inactive FrameworkRecord). Leaves get a
    `manual` rule (points set by evaluators) to be refined in the YAML later; the engine's
    validator checks the draft, and its findings are listed as refused rows or notes."""
    if not managed_scope(actor):
        raise PermissionDenied
    report = ImportReport()
    rows, report.refused = read_rows(file, FRAMEWORK_COLUMNS)
    if report.refused:
        return report, ""
    if not re.fullmatch(r"[a-z0-9-]{3,80}", key):
        report.refused.append((0, "框架编号只能用小写字母、数字和连字符（3–80 位）"))
        return report, ""
    if FrameworkRecord.objects.filter(key=key).exists():
        report.refused.append((0, f"框架编号「{key}」已存在"))
        return report, ""
    nodes: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    parents: dict[str, str] = {}
    for number, row in rows:
        problem = _nul(row)
        code = row["编码"]
        if problem is None and not code:
            problem = "编码未填写"
        if problem is None and code in nodes:
            problem = f"编码「{code}」重复"
        if problem is None and not row["名称"]:
            problem = "名称未填写"
        points = None
        if problem is None:
            try:
                points = Decimal(row["分值"])
                if points < 0:
                    problem = "分值不能为负数"
            except InvalidOperation:
                problem = f"分值「{row['分值']}」不是数字"
        marks = [m.strip() for m in re.split(r"[、,，\s]+", row["标记"]) if m.strip()]
        unknown = [m for m in marks if m not in MARKS]
        if problem is None and unknown:
            problem = f"标记「{'、'.join(unknown)}」未知，可填：★、▲、必要条件、加分项"
        if problem is None and row["上级编码"] and row["上级编码"] not in nodes:
            problem = f"上级编码「{row['上级编码']}」不存在（上级须写在下级之前）"
        if problem:
            report.refused.append((number, problem))
            continue
        node: dict[str, Any] = {"code": code, "title": row["名称"], "points": points}
        for column, name in (("指标内容", "criterion"), ("评分说明", "scoring"), ("材料要求", "evidence")):
            if row[column]:
                node[name] = row[column]
        if marks:
            node["marks"] = [MARKS[m] for m in marks]
        nodes[code] = node
        order.append(code)
        if row["上级编码"]:
            parents[code] = row["上级编码"]
    if report.refused:
        return report, ""
    children: dict[str, list[str]] = {}
    for code in order:
        if code in parents:
            children.setdefault(parents[code], []).append(code)

    def build(code: str) -> dict[str, Any]:
        node = dict(nodes[code])
        if code in children:
            node["children"] = [build(c) for c in children[code]]
        else:
            node["inputs"] = [{"key": "points", "type": "number", "label": "评定分", "min": 0}]
            node["rule"] = {"type": "manual", "input": "points"}
        return node

    tops = [build(c) for c in order if c not in parents]
    total = sum((n["points"] for n in tops), Decimal(0))
    draft = {
        "id": key,
        "title": title,
        "subject": subject,
        "level_names": level_names,
        "total": total,
        "notes": [{"text": "由 Excel 指标表导入的草稿：末级指标暂为评审直接评定分（manual），请按原文细化计分规则。"}],
        "indicators": tops,
    }
    text = yaml.dump(draft, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)
    try:
        fw = load_framework_text(text, f"{key}.yaml")
    except FrameworkError as exc:
        report.refused += [(0, p.message_zh) for p in exc.problems]
        return report, text
    for found in fw.problems + check_framework(fw):
        if found.severity == "error":
            report.refused.append((0, f"{found.code} {found.message_zh}".strip()))
        elif found.severity == "warning":
            report.notes.append(f"{found.code} {found.message_zh}".strip())
    if report.refused:
        return report, text
    FrameworkRecord.objects.create(
        key=key,
        title=title,
        subject=subject,
        total=total,
        source_yaml=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        is_active=False,
    )
    report.created = len(order)
    record(actor=actor, action="import.framework", summary=f"导入指标表为框架草稿 {key}（{len(order)} 项）")
    return report, text
