"""Excel imports for accounts, the expert pool and a framework's indicator table. Every row is
checked first; nothing is written until the whole sheet is clean; each refused row comes back
with its reason in Chinese.

Every row stays inside the importer's units (`access.rules.managed_scope`: an organizer's
region, an administrator's managed trees, everything for a superuser): a role is granted only at
a unit in that scope, an existing account is touched only when everything it belongs to (its
roles' units and its expert profile's work unit) lies in that scope, and superusers and staff
accounts are never touched by an import. Each account, role and expert written is audited on
its own with the values before and after, so the imports page can show what changed."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from typing import IO, Any, TypeVar

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction

from campuseval.access.rules import managed_scope
from campuseval.accounts.models import Membership, Role, User
from campuseval.audit.models import AuditEntry
from campuseval.audit.services import pending, record, record_many
from campuseval.campaigns.models import FrameworkRecord
from campuseval.campaigns.queries import author_units
from campuseval.engine import FrameworkError, check_framework, load_framework_text
from campuseval.orgs.models import Subtree, Unit
from campuseval.people.services import initial_password
from campuseval.reviews.models import Expert
from campuseval.spreadsheets.reading import ImportReport, Sheet, in_batches, read_sheet

ROLE_NAMES = {str(label): value for value, label in Role.choices}
USERNAME = re.compile(r"^[A-Za-z0-9_.@+-]{3,150}$")
#: one row may give several roles: 学校填报员、学校负责人 (also ，,;；/ or spaces between them)
ROLE_SEPARATORS = re.compile(r"[、，,;；/／\s]+")
PHONE = re.compile(r"1\d{10}|0\d{2,3}-?\d{7,8}")

#: a progress callback: (rows done, rows in all)
Progress = Callable[[int, int], None]
#: rows written per transaction in the background, so other writers (SQLite's one lock) and the
#: progress page are not held up for the whole sheet
CHUNK = 100
#: rows per INSERT / UPDATE statement
BATCH = 500

T = TypeVar("T")


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), max(size, 1)):
        yield items[start : start + size]


def _field_max(model: Any, name: str) -> int:
    return int(model._meta.get_field(name).max_length)


NAME_MAX = _field_max(User, "display_name")
EMAIL_MAX = _field_max(User, "email")
TITLE_MAX = _field_max(Expert, "title")
FIELDS_MAX = _field_max(Expert, "fields")


# --- who an existing account belongs to ----------------------------------------------------------


def _existing_accounts(usernames: Iterable[str]) -> tuple[dict[str, User], dict[int, set[str]]]:
    """The accounts already there by user name, and for each the units it belongs to (its
    roles' units and its expert profile's work unit)."""
    users: dict[str, User] = {}
    for batch in in_batches(set(usernames)):
        users.update({u.username: u for u in User.objects.filter(username__in=batch)})
    units: dict[int, set[str]] = {u.pk: set() for u in users.values()}
    for batch in in_batches(units):
        for user_id, path in Membership.objects.filter(user_id__in=batch).values_list("user_id", "unit__path"):
            units[user_id].add(path)
        for user_id, path in Expert.objects.filter(user_id__in=batch).values_list("user_id", "unit__path"):
            units[user_id].add(path)
    return users, units


def _account_problem(username: str, user: User | None, belongs: dict[int, set[str]], scope: Subtree) -> str | None:
    """Why an import may not touch this existing account, or None (also None for a new one)."""
    if user is None:
        return None
    if user.is_superuser or user.is_staff:
        return f"账号「{username}」是系统管理账号（超级用户或后台人员），导入不能修改"
    paths = belongs.get(user.pk, set())
    if not paths or not all(scope.holds_path(path) for path in paths):
        return f"账号「{username}」已存在，且属于您管理范围以外的单位（或不属于任何单位），导入不能修改"
    return None


def _common_problem(row: dict[str, str], username: str, seen: dict[str, int]) -> str | None:
    """The checks every account row shares: user name, duplicates, name, e-mail, phone."""
    if not USERNAME.match(username):
        return f"用户名「{username[:40]}」只能包含字母、数字和 _ . @ + -，长度 3–150"
    if username in seen:
        return f"用户名「{username}」与第 {seen[username]} 行重复"
    if not row["姓名"]:
        return "姓名未填写"
    if len(row["姓名"]) > NAME_MAX:
        return f"姓名超过 {NAME_MAX} 个字（{len(row['姓名'])} 个）"
    if row["邮箱"]:
        if len(row["邮箱"]) > EMAIL_MAX:
            return f"邮箱超过 {EMAIL_MAX} 个字符"
        try:
            validate_email(row["邮箱"])
        except ValidationError:
            return f"邮箱「{row['邮箱'][:60]}」格式不正确"
    if row["手机"] and not PHONE.fullmatch(row["手机"]):
        return f"手机「{row['手机'][:30]}」格式不正确"
    return None


def _snapshot(user: User) -> dict[str, str]:
    return {"display_name": user.display_name, "phone": user.phone, "email": user.email}


#: one planned account row: the row, the account already there (or None), the unit, the roles
Planned = tuple[dict[str, str], User | None, Unit, list[str]]


def _write_accounts(
    *, actor: User, part: Sequence[Planned], ip: str | None, report: ImportReport, entries: list[AuditEntry]
) -> list[User]:
    """Create the new accounts (each with a one-time initial password, hashed cheaply: see
    `people.services.initial_password`) with one INSERT per batch, and update the existing ones'
    name and contacts (an empty 手机/邮箱 cell keeps what is there) with one UPDATE per batch.
    The audit entries (one per account created or changed, values before and after) are added
    to `entries` for `record_many`. Returns the accounts in the order of `part`."""
    accounts: list[User] = []
    new: list[tuple[User, Unit]] = []
    changed: list[User] = []
    for row, user, unit, _roles in part:
        username = row["用户名"]
        if user is None:
            password, hashed = initial_password()
            user = User(
                username=username,
                display_name=row["姓名"],
                phone=row["手机"],
                email=User.objects.normalize_email(row["邮箱"]),
                password=hashed,
                must_change_password=True,
            )
            new.append((user, unit))
            report.passwords.append((username, password))
            accounts.append(user)
            continue
        before = _snapshot(user)
        user.display_name = row["姓名"]
        user.phone = row["手机"] or user.phone
        user.email = User.objects.normalize_email(row["邮箱"]) if row["邮箱"] else user.email
        after = _snapshot(user)
        report.updated += 1
        if after != before:
            changed.append(user)
            keys = [k for k in after if after[k] != before[k]]
            entries.append(
                pending(
                    actor=actor,
                    action="import.account.update",
                    obj=user,
                    summary=f"导入更新账号 {username}（{user.display_name}）",
                    before={k: before[k] for k in keys},
                    after={k: after[k] for k in keys},
                    unit_id=unit.pk,
                    ip=ip,
                )
            )
        accounts.append(user)
    User.objects.bulk_create([user for user, _unit in new], batch_size=BATCH)
    User.objects.bulk_update(changed, ["display_name", "phone", "email"], batch_size=BATCH)
    report.created += len(new)
    entries.extend(
        pending(
            actor=actor,
            action="import.account.create",
            obj=user,
            summary=f"导入新建账号 {user.username}（{user.display_name}）",
            after={"username": user.username, **_snapshot(user)},
            unit_id=unit.pk,
            ip=ip,
        )
        for user, unit in new
    )
    return accounts


def _grant_all(
    *, actor: User, grants: Sequence[tuple[User, Unit, str]], ip: str | None, entries: list[AuditEntry]
) -> None:
    """The roles not yet held, with one query for those already held and one INSERT per batch;
    each new role audited (into `entries`)."""
    held: set[tuple[int, int, str]] = set()
    for batch in in_batches({user.pk for user, _unit, _role in grants}):
        held.update(Membership.objects.filter(user_id__in=batch).values_list("user_id", "unit_id", "role"))
    new: list[Membership] = []
    for user, unit, role in grants:
        key = (user.pk, unit.pk, role)
        if key in held:
            continue
        held.add(key)
        new.append(Membership(user=user, unit=unit, role=role))
    Membership.objects.bulk_create(new, batch_size=BATCH)
    entries.extend(
        pending(
            actor=actor,
            action="import.membership.create",
            obj=membership,
            summary=f"导入授权 {membership.user.username}：{membership.unit.name} · {Role(membership.role).label}",
            after={"username": membership.user.username, "unit": membership.unit.code, "role": membership.role},
            unit_id=membership.unit.pk,
            ip=ip,
        )
        for membership in new
    )


def _roles(text: str) -> tuple[list[str], str | None]:
    """The roles named in a cell, in order. A label that itself holds a separator ("市/省组织者")
    is taken whole before the rest is split, so it is never read as two unknown names."""
    whole: list[str] = []
    for label in sorted((n for n in ROLE_NAMES if ROLE_SEPARATORS.search(n)), key=len, reverse=True):
        if label in text:
            whole.append(label)
            text = text.replace(label, "、")
    names = whole + [n for n in ROLE_SEPARATORS.split(text) if n]
    if not names:
        return [], "角色未填写"
    unknown = [n for n in names if n not in ROLE_NAMES]
    if unknown:
        return [], f"角色「{'、'.join(unknown)[:60]}」未知，可填：{'、'.join(ROLE_NAMES)}（多个角色用“、”分隔）"
    roles: list[str] = []
    for name in names:
        if ROLE_NAMES[name] not in roles:
            roles.append(ROLE_NAMES[name])
    return roles, None


def _sheet(file: IO[bytes] | None, sheet: Sheet | None, columns: tuple[str, ...]) -> Sheet:
    if sheet is not None:
        return sheet
    assert file is not None
    return read_sheet(file, columns)


def _summary(*, actor: User, action: str, text: str, report: ImportReport, job_id: int | None, ip: str | None) -> None:
    record(
        actor=actor,
        action=action,
        summary=f"{text}：新建 {report.created}，更新 {report.updated}",
        after={"job": job_id, "created": report.created, "updated": report.updated},
        ip=ip,
    )


ACCOUNT_COLUMNS = ("用户名", "姓名", "手机", "邮箱", "单位代码", "角色")


def import_accounts(
    *,
    actor: User,
    file: IO[bytes] | None = None,
    sheet: Sheet | None = None,
    ip: str | None = None,
    progress: Progress | None = None,
    chunk: int | None = None,
    job_id: int | None = None,
) -> ImportReport:
    """Accounts with one or more roles (角色 "学校填报员、学校负责人") at a unit inside the
    importer's scope. New accounts get a random one-time initial password, returned once for
    the importer to hand out. `chunk` writes that many rows per transaction (the background
    worker); without it the whole sheet is one transaction."""
    scope = managed_scope(actor)
    if not scope:
        raise PermissionDenied
    report = ImportReport()
    read = _sheet(file, sheet, ACCOUNT_COLUMNS)
    rows, report.refused = read.rows, list(read.refused)
    if any(number <= 1 for number, _ in report.refused):
        return report
    units = {
        u.code: u
        for batch in in_batches({r["单位代码"] for _, r in rows})
        for u in Unit.objects.filter(code__in=batch)
    }
    users, belongs = _existing_accounts(r["用户名"] for _, r in rows)
    superuser = bool(getattr(actor, "is_superuser", False))
    seen: dict[str, int] = {}
    plan: list[tuple[dict[str, str], User | None, Unit, list[str]]] = []
    for number, row in rows:
        username = row["用户名"]
        unit = units.get(row["单位代码"])
        roles, problem = _roles(row["角色"])
        problem = _common_problem(row, username, seen) or problem
        if problem is None and unit is None:
            problem = f"单位代码「{row['单位代码'][:40]}」不存在"
        if problem is None and unit is not None and unit not in scope:
            problem = f"单位「{unit.name}」不在您的管理范围内"
        if problem is None and Role.ADMIN in roles and not superuser:
            problem = "只有系统管理员可以导入系统管理员账号"
        if problem is None:
            problem = _account_problem(username, users.get(username), belongs, scope)
        if problem:
            report.refused.append((number, problem))
            continue
        seen[username] = number
        assert unit is not None
        plan.append((row, users.get(username), unit, roles))
    if report.refused:
        report.refused.sort()
        return report
    total, done = len(plan), 0
    for part in _chunks(plan, chunk or len(plan)):
        entries: list[AuditEntry] = []
        with transaction.atomic():
            accounts = _write_accounts(actor=actor, part=part, ip=ip, report=report, entries=entries)
            grants = [
                (account, unit, role)
                for account, (_row, _user, unit, roles) in zip(accounts, part, strict=True)
                for role in roles
            ]
            _grant_all(actor=actor, grants=grants, ip=ip, entries=entries)
            record_many(entries)
        done += len(part)
        if progress is not None:
            progress(done, total)
    _summary(actor=actor, action="import.accounts", text="导入账号", report=report, job_id=job_id, ip=ip)
    return report


EXPERT_COLUMNS = ("用户名", "姓名", "手机", "邮箱", "工作单位代码", "所在区县代码", "职称/职务", "专业领域")


def _expert_snapshot(expert: Expert) -> dict[str, Any]:
    return {
        "unit": expert.unit.code if expert.unit_id else None,
        "region": expert.region.code if expert.region_id and expert.region else None,
        "title": expert.title,
        "fields": expert.fields,
    }


def import_experts(
    *,
    actor: User,
    file: IO[bytes] | None = None,
    sheet: Sheet | None = None,
    ip: str | None = None,
    progress: Progress | None = None,
    chunk: int | None = None,
    job_id: int | None = None,
) -> ImportReport:
    """The expert pool (专家库): an account, the expert role at the work unit, and the profile
    with region and fields used for 回避 and panels. The work unit and the region must lie in
    the importer's scope, and an expert already registered elsewhere is not moved here."""
    scope = managed_scope(actor)
    if not scope:
        raise PermissionDenied
    report = ImportReport()
    read = _sheet(file, sheet, EXPERT_COLUMNS)
    rows, report.refused = read.rows, list(read.refused)
    if any(number <= 1 for number, _ in report.refused):
        return report
    codes = {r["工作单位代码"] for _, r in rows} | {r["所在区县代码"] for _, r in rows}
    units = {u.code: u for batch in in_batches(codes) for u in Unit.objects.filter(code__in=batch)}
    users, belongs = _existing_accounts(r["用户名"] for _, r in rows)
    experts = {
        e.user_id: e
        for batch in in_batches([u.pk for u in users.values()])
        for e in Expert.objects.filter(user_id__in=batch).select_related("unit", "region")
    }
    plan: list[tuple[dict[str, str], User | None, Unit, Unit | None]] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        username = row["用户名"]
        unit = units.get(row["工作单位代码"])
        region = units.get(row["所在区县代码"]) if row["所在区县代码"] else None
        user = users.get(username)
        problem = _common_problem(row, username, seen)
        if problem is None and unit is None:
            problem = f"工作单位代码「{row['工作单位代码'][:40]}」不存在"
        if problem is None and unit is not None and unit not in scope:
            problem = f"工作单位「{unit.name}」不在您的管理范围内"
        if problem is None and row["所在区县代码"] and (region is None or region.kind != Unit.Kind.COUNTY):
            problem = f"所在区县代码「{row['所在区县代码'][:40]}」不是区县"
        if problem is None and region is not None and region not in scope:
            problem = f"所在区县「{region.name}」不在您的管理范围内"
        if problem is None and len(row["职称/职务"]) > TITLE_MAX:
            problem = f"职称/职务超过 {TITLE_MAX} 个字"
        if problem is None and len(row["专业领域"]) > FIELDS_MAX:
            problem = f"专业领域超过 {FIELDS_MAX} 个字"
        existing = experts.get(user.pk) if user is not None else None
        if problem is None and existing is not None and existing.unit not in scope:
            problem = f"专家「{username}」已在{existing.unit.name}的专家库中，不能移入本库"
        if problem is None:
            problem = _account_problem(username, user, belongs, scope)
        if problem:
            report.refused.append((number, problem))
            continue
        seen[username] = number
        assert unit is not None
        plan.append((row, user, unit, region))
    if report.refused:
        report.refused.sort()
        return report
    total, done = len(plan), 0
    for part in _chunks(plan, chunk or len(plan)):
        entries: list[AuditEntry] = []
        with transaction.atomic():
            accounts = _write_accounts(
                actor=actor,
                part=[(row, user, unit, [Role.EXPERT]) for row, user, unit, _region in part],
                ip=ip,
                report=report,
                entries=entries,
            )
            _grant_all(
                actor=actor,
                grants=[(account, p[2], Role.EXPERT) for account, p in zip(accounts, part, strict=True)],
                ip=ip,
                entries=entries,
            )
            _write_experts(
                actor=actor,
                rows=[
                    (account, experts.get(account.pk), row, unit, region)
                    for account, (row, _user, unit, region) in zip(accounts, part, strict=True)
                ],
                ip=ip,
                entries=entries,
            )
            record_many(entries)
        done += len(part)
        if progress is not None:
            progress(done, total)
    _summary(actor=actor, action="import.experts", text="导入专家", report=report, job_id=job_id, ip=ip)
    return report


def _write_experts(
    *,
    actor: User,
    rows: Sequence[tuple[User, Expert | None, dict[str, str], Unit, Unit | None]],
    ip: str | None,
    entries: list[AuditEntry],
) -> None:
    """The expert profiles: new ones with one INSERT per batch, changed ones with one UPDATE per
    batch, each audited with what changed (into `entries`)."""
    new: list[Expert] = []
    changed: list[Expert] = []
    written: list[tuple[Expert, dict[str, Any] | None, dict[str, Any]]] = []
    for user, existing, row, unit, region in rows:
        before = _expert_snapshot(existing) if existing is not None else None
        expert = existing or Expert(user=user)
        expert.unit, expert.region, expert.title, expert.fields = unit, region, row["职称/职务"], row["专业领域"]
        after = _expert_snapshot(expert)
        if before == after:
            continue
        (new if existing is None else changed).append(expert)
        written.append((expert, before, after))
    Expert.objects.bulk_create(new, batch_size=BATCH)
    Expert.objects.bulk_update(changed, ["unit", "region", "title", "fields"], batch_size=BATCH)
    for expert, before, after in written:
        keys = list(after) if before is None else [k for k in after if after[k] != before[k]]
        verb = "新建" if before is None else "更新"
        entries.append(
            pending(
                actor=actor,
                action="import.expert.create" if before is None else "import.expert.update",
                obj=expert,
                summary=f"导入{verb}专家 {expert.user.username}（{expert.user.display_name}）",
                before={k: before[k] for k in keys} if before is not None else None,
                after={k: after[k] for k in keys},
                unit_id=expert.unit_id,
                ip=ip,
            )
        )


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(Decimal, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:float", str(value)))

FRAMEWORK_COLUMNS = ("编码", "上级编码", "名称", "分值", "指标内容", "评分说明", "材料要求", "标记")
MARKS = {"★": "basic", "▲": "demonstration", "必要条件": "necessary", "加分项": "bonus"}
#: an indicator's points: a finite number, at most this, with at most two decimals
POINTS_MAX = Decimal(1000)
#: the framework's total, as FrameworkRecord.total holds it (8 digits, 2 decimals)
TOTAL_MAX = Decimal("999999.99")
CODE_MAX = 40
TITLE_TEXT_MAX = 200
FRAMEWORK_TITLE_MAX = _field_max(FrameworkRecord, "title")


def _points(text: str) -> tuple[Decimal | None, str | None]:
    shown = text[:30]
    try:
        points = Decimal(text)
    except InvalidOperation:
        return None, f"分值「{shown}」不是数字"
    if not points.is_finite():
        return None, f"分值「{shown}」不是有限的数字"
    if points < 0:
        return None, "分值不能为负数"
    if points > POINTS_MAX:
        return None, f"分值「{shown}」超过 {POINTS_MAX} 分"
    if points != points.quantize(Decimal("0.01")):
        return None, f"分值「{shown}」最多两位小数"
    return Decimal(format(points, "f")), None  # 1E+1 → 10: the YAML holds plain numbers


def import_framework_table(
    *,
    actor: User,
    key: str,
    title: str,
    subject: str,
    level_names: list[str],
    file: IO[bytes] | None = None,
    sheet: Sheet | None = None,
    ip: str | None = None,
    progress: Progress | None = None,
    job_id: int | None = None,
) -> tuple[ImportReport, str]:
    """An indicator table into a new framework draft (inactive FrameworkRecord). Leaves get a
    `manual` rule (points set by evaluators) to be refined in the YAML later; the engine's
    validator checks the draft, and its findings are listed as refused rows or notes."""
    if not managed_scope(actor):
        raise PermissionDenied
    report = ImportReport()
    read = _sheet(file, sheet, FRAMEWORK_COLUMNS)
    rows, report.refused = read.rows, list(read.refused)
    if report.refused:
        return report, ""
    if not re.fullmatch(r"[a-z0-9-]{3,80}", key):
        report.refused.append((0, "框架编号只能用小写字母、数字和连字符（3–80 位）"))
        return report, ""
    if len(title) > FRAMEWORK_TITLE_MAX:
        report.refused.append((0, f"名称超过 {FRAMEWORK_TITLE_MAX} 个字"))
        return report, ""
    if FrameworkRecord.objects.filter(key=key).exists():
        report.refused.append((0, f"框架编号「{key}」已存在"))
        return report, ""
    nodes: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    parents: dict[str, str] = {}
    for number, row in rows:
        problem = None
        code = row["编码"]
        if not code:
            problem = "编码未填写"
        elif len(code) > CODE_MAX:
            problem = f"编码超过 {CODE_MAX} 个字符"
        elif code in nodes:
            problem = f"编码「{code}」重复"
        elif not row["名称"]:
            problem = "名称未填写"
        elif len(row["名称"]) > TITLE_TEXT_MAX:
            problem = f"名称超过 {TITLE_TEXT_MAX} 个字"
        points = None
        if problem is None:
            points, problem = _points(row["分值"])
        marks = [m.strip() for m in re.split(r"[、,，\s]+", row["标记"]) if m.strip()]
        unknown = [m for m in marks if m not in MARKS]
        if problem is None and unknown:
            problem = f"标记「{'、'.join(unknown)[:40]}」未知，可填：★、▲、必要条件、加分项"
        if problem is None and row["上级编码"] and row["上级编码"] not in nodes:
            problem = f"上级编码「{row['上级编码'][:40]}」不存在（上级须写在下级之前）"
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
    if total > TOTAL_MAX:
        report.refused.append((0, f"一级指标合计 {total} 分，超过上限 {TOTAL_MAX} 分"))
        return report, ""
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
    owners = author_units(actor)
    record_ = FrameworkRecord.objects.create(
        key=key,
        title=title,
        subject=subject,
        total=total,
        source_yaml=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        is_active=False,
        # the importer's bureau owns the draft, so the framework pages preview and activate it
        owner=owners[0] if owners else None,
        created_by=actor,
    )
    report.created = len(order)
    if progress is not None:
        progress(len(order), len(order))
    record(
        actor=actor,
        action="import.framework",
        obj=record_,
        summary=f"导入指标表为框架草稿 {key}（{len(order)} 项）",
        after={"job": job_id, "key": key, "title": title, "indicators": len(order), "total": str(total)},
        ip=ip,
    )
    return report, text
