"""The expert pool (专家库) and conflicts of interest (回避)."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from campuseval.access.rules import county_of, manages_unit, organizer_scope
from campuseval.accounts.models import Membership, Role, User
from campuseval.audit.services import record
from campuseval.notifications.services import notify
from campuseval.orgs.models import Unit
from campuseval.people.services import initial_password

from ..models import (
    Assignment,
    Conflict,
    Expert,
)
from ..queries import expert_profile
from .assignments import organizer_users
from .common import (
    clean_text,
)

# --- experts, panels, assignments ------------------------------------------------------------


USERNAME_RE = re.compile(r"^[\w.@+-]{3,150}$", re.ASCII)


@transaction.atomic
def add_expert(
    *,
    actor: User,
    username: str,
    display_name: str,
    email: str = "",
    unit: Unit | None,
    region: Unit | None = None,
    title: str = "",
    fields: str = "",
    ip: str | None = None,
) -> tuple[Expert, str | None]:
    """Put one person into the expert pool (专家库) by hand: an account when there is none
    (its one-time password is returned, to be handed over), the expert role at the work unit,
    and the profile whose unit and region drive 回避. Only units in the organizer's scope."""
    if not organizer_scope(actor):
        raise PermissionDenied
    errors: dict[str, str] = {}
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        errors["username"] = "用户名只能包含字母、数字和 _ . @ + -，长度 3–150"
    try:
        display_name = clean_text(display_name, "display_name", required=True, max_length=60)
        email = clean_text(email, "email", max_length=254)
        title = clean_text(title, "title", max_length=60)
        fields = clean_text(fields, "fields", max_length=200)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if email and "@" not in email:
        errors["email"] = "邮箱格式不正确"
    if not manages_unit(actor, unit):
        errors["unit"] = "请选择本级或下级的工作单位"
    if region is not None and (region.kind != Unit.Kind.COUNTY or not manages_unit(actor, region)):
        errors["region"] = "所在区县须为本辖区内的区县"
    if errors or unit is None:
        raise ValidationError(errors or {"unit": "请选择本级或下级的工作单位"})
    user = User.objects.filter(username=username).first()
    password = None
    if user is None:
        # a one-time password hashed cheaply (people.services.initial_password): a full-strength
        # hash here made each expert cost 0.77 s, 100 experts over a minute
        password, hashed = initial_password()
        user = User.objects.create(
            username=username,
            password=hashed,
            email=User.objects.normalize_email(email),
            display_name=display_name,
            must_change_password=True,
        )
    elif Expert.objects.filter(user=user).exists():
        raise ValidationError({"username": f"{username} 已在专家库中"})
    Membership.objects.get_or_create(user=user, unit=unit, role=Role.EXPERT)
    expert = Expert.objects.create(
        user=user,
        unit=unit,
        region=region or county_of(unit),
        title=title,
        fields=fields,
    )
    record(
        actor=actor,
        action="expert.add",
        obj=expert,
        ip=ip,
        summary=f"专家入库：{display_name}（{unit}）",
        after={"unit": unit.code, "region": expert.region.code if expert.region else None, "fields": fields},
    )
    return expert, password


@transaction.atomic
def update_expert(
    *,
    actor: User,
    expert: Expert,
    title: str,
    fields: str,
    region: Unit | None,
    is_active: bool,
    ip: str | None = None,
) -> Expert:
    """Change an expert's title, fields, region (which drives 回避) or take them out of the
    pool; open assignments stay and are listed on the desk for reassignment."""
    expert = Expert.objects.select_for_update(of=("self",)).select_related("unit", "region").get(pk=expert.pk)
    if not manages_unit(actor, expert.unit):
        raise PermissionDenied
    title = clean_text(title, "title", max_length=60)
    fields = clean_text(fields, "fields", max_length=200)
    if region is not None and (region.kind != Unit.Kind.COUNTY or not manages_unit(actor, region)):
        raise ValidationError({"region": "所在区县须为本辖区内的区县"})
    before = {
        "title": expert.title,
        "fields": expert.fields,
        "region": expert.region.code if expert.region else None,
        "is_active": expert.is_active,
    }
    expert.title, expert.fields, expert.region, expert.is_active = title, fields, region, is_active
    expert.save()
    after = {"title": title, "fields": fields, "region": region.code if region else None, "is_active": is_active}
    record(
        actor=actor,
        action="expert.update",
        obj=expert,
        ip=ip,
        summary=f"修改专家信息：{expert}" + ("" if is_active else "（移出专家库）"),
        before=before,
        after=after,
    )
    return expert


def _save_conflict(
    *, actor: User, expert: Expert, unit: Unit | None, reason: str, by_expert: bool, ip: str | None
) -> Conflict:
    if unit is None:
        raise ValidationError({"unit": "请选择需要回避的单位"})
    reason = clean_text(reason, "reason", required=True, max_length=200)
    conflict, created = Conflict.objects.get_or_create(
        expert=expert, unit=unit, defaults={"reason": reason, "declared_by_expert": by_expert}
    )
    if not created:
        raise ValidationError({"unit": f"已登记回避 {unit.name}"})
    withdrawn = [
        a
        for a in Assignment.objects.select_for_update(of=("self",))
        .filter(expert=expert, status__in=[Assignment.Status.ASSIGNED, Assignment.Status.CONFIRMED])
        .select_related("application__unit", "panel__campaign")
        .order_by("pk")
        if unit.pk in a.application.unit.path_ids
    ]
    record(
        actor=actor,
        action="conflict.declare" if by_expert else "conflict.add",
        obj=conflict,
        ip=ip,
        summary=f"{'专家申报' if by_expert else '组织单位登记'}回避：{expert} ⟂ {unit.name}（{reason}）",
        after={"unit": unit.code, "reason": reason, "open_assignments": [a.pk for a in withdrawn]},
    )
    for assignment in withdrawn:
        _withdraw(actor=actor, assignment=assignment, reason=reason, ip=ip)
    return conflict


def _withdraw(*, actor: User, assignment: Assignment, reason: str, ip: str | None) -> None:
    """A conflict registered after assignment withdraws the open assignment it concerns (回避),
    logged and told to the campaign's organizers, who reassign it."""
    before = assignment.status
    assignment.status = Assignment.Status.ABSTAINED
    assignment.abstain_reason = f"登记回避：{reason}"
    assignment.save(update_fields=["status", "abstain_reason"])
    campaign = assignment.panel.campaign
    record(
        actor=actor,
        action="assignment.withdraw",
        obj=assignment,
        ip=ip,
        summary=f"因登记回避撤回评审任务：{assignment.expert} → {assignment.application.unit.name}（{reason}）",
        before={"status": before},
        after={"status": assignment.status},
        campaign_id=campaign.pk,
        unit_id=assignment.application.unit_id,
    )
    notify(
        users=organizer_users(campaign),
        text=f"{assignment.expert} 因登记回避不再评审 {assignment.application.unit.name}（{campaign}），请重新分配",
        link=f"/reviews/organizer/{campaign.pk}/",
    )


@transaction.atomic
def add_conflict(*, actor: User, expert: Expert, unit: Unit | None, reason: str, ip: str | None = None) -> Conflict:
    """The organizer records a conflict of interest (回避) it knows of: the expert will never be
    assigned to that unit or any school below it."""
    if not manages_unit(actor, expert.unit):
        raise PermissionDenied
    return _save_conflict(actor=actor, expert=expert, unit=unit, reason=reason, by_expert=False, ip=ip)


@transaction.atomic
def declare_conflict(*, actor: User, unit: Unit | None, reason: str, ip: str | None = None) -> Conflict:
    """An expert declares, ahead of any assignment, a unit they must not review (a former
    employer, a relative's school, a school they coached)."""
    expert = expert_profile(actor)
    if expert is None:
        raise PermissionDenied
    return _save_conflict(actor=actor, expert=expert, unit=unit, reason=reason, by_expert=True, ip=ip)


@transaction.atomic
def remove_conflict(*, actor: User, conflict: Conflict, reason: str, ip: str | None = None) -> None:
    """The organizer withdraws a conflict entered in error, with a reason (kept in the log)."""
    conflict = Conflict.objects.select_related("expert__unit", "unit").get(pk=conflict.pk)
    if not manages_unit(actor, conflict.expert.unit):
        raise PermissionDenied
    reason = clean_text(reason, "reason", required=True, max_length=200)
    record(
        actor=actor,
        action="conflict.remove",
        obj=conflict,
        ip=ip,
        summary=f"撤销回避：{conflict.expert} ⟂ {conflict.unit.name}（{reason}）",
        before={"unit": conflict.unit.code, "reason": conflict.reason, "by_expert": conflict.declared_by_expert},
    )
    conflict.delete()
