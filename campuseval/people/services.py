"""Writes on accounts as a bureau manages them. Each function checks access (access.rules),
validates, writes and leaves an audit entry with the state before and after, so who created,
disabled, re-enabled, granted, withdrew, reset or unlocked an account can always be answered."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from campuseval.access import rules
from campuseval.accounts import lockout
from campuseval.accounts.models import Membership, Role, User
from campuseval.audit.services import record
from campuseval.orgs.models import Unit

#: letters and digits that cannot be mistaken for each other on a printed slip (no 0/O, 1/l/I)
SLIP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"


def _state(user: User) -> dict[str, Any]:
    """What the audit keeps of an account before and after a change (never the password)."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "is_active": user.is_active,
        "must_change_password": user.must_change_password,
        "roles": sorted(f"{m.role}@{m.unit.code}" for m in Membership.objects.filter(user=user).select_related("unit")),
    }


def one_time_password() -> str:
    """A random password in groups of four (e.g. `Kp7m-Xq3r-Tz9w`): easy to type from a slip,
    at least PASSWORD_MIN_LENGTH long, and every character class of the policy in it."""
    groups = max(3, (int(getattr(settings, "PASSWORD_MIN_LENGTH", 8)) + 4) // 5)
    while True:
        parts = ["".join(secrets.choice(SLIP_ALPHABET) for _ in range(4)) for _ in range(groups)]
        candidate = "-".join(parts)
        if (
            any(c.isupper() for c in candidate)
            and any(c.islower() for c in candidate)
            and any(c.isdigit() for c in candidate)
        ):
            return candidate


class _InitialPasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2 with fewer rounds, for generated initial passwords only (imports, experts added by
    hand). They are 16 random characters of a 57-letter alphabet (about 93 bits), so no number
    of rounds changes how guessable they are; the rounds only protect chosen, guessable
    passwords. The stored hash names its rounds, so the first sign-in verifies it and Django
    re-hashes at full strength (`must_update`), and the user must choose a new password then
    anyway. At full strength one hash costs about half a second: 20,000 school accounts would
    take hours, 100 experts a minute; at 10,000 rounds the hashing alone was still some 100 s
    of CPU for a province's 20,000 schools, at 1,000 it is about 10 s."""

    iterations = 1_000


#: letters and digits a person reads off a slip without confusing them (no 0/O, 1/l/I); no
#: sign a spreadsheet would take for a formula
PASSWORD_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"


def initial_password() -> tuple[str, str]:
    """A new one-time password and its hash (cheap when the site's hasher is PBKDF2; the
    site's own hasher otherwise). The account holding it must have `must_change_password`."""
    password = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(16))
    hasher = get_hasher("default")
    if isinstance(hasher, PBKDF2PasswordHasher) and hasher.algorithm == _InitialPasswordHasher.algorithm:
        return password, make_password(password, hasher=_InitialPasswordHasher())
    return password, make_password(password)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _other_active_system_admin(target: User) -> bool:
    """Someone other than `target` still keeps the platform administrable."""
    others = User.objects.filter(is_active=True).exclude(pk=target.pk)
    return others.filter(
        Q(is_superuser=True) | Q(memberships__role=Role.ADMIN, memberships__unit__parent__isnull=True)
    ).exists()


def _give_password(target: User) -> str:
    for _ in range(20):
        password = one_time_password()
        try:
            validate_password(password, user=target)
        except ValidationError:
            continue
        break
    target.set_password(password)
    target.must_change_password = True
    return password


@transaction.atomic
def create_account(
    *,
    actor: User,
    username: str,
    display_name: str,
    unit: Unit,
    role: str,
    phone: str = "",
    email: str = "",
    staff_no: str = "",
    ip: str | None = None,
) -> tuple[User, str]:
    """A new account with its first role and a one-time password (returned once, to be shown
    or printed on a slip): the person must choose their own at the first sign-in."""
    _require(rules.may_grant_role(actor, unit, role))
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"用户名「{username}」已被使用，请换一个。"})
    if staff_no and User.objects.filter(staff_no=staff_no).exists():
        raise ValidationError({"staff_no": f"工号「{staff_no}」已属于另一个账号。"})
    user = User(username=username, display_name=display_name, phone=phone, email=email, staff_no=staff_no)
    password = _give_password(user)
    user.save()
    Membership.objects.create(user=user, unit=unit, role=role)
    record(
        actor=actor,
        action="people.create_account",
        obj=user,
        summary=f"新建账号 {username}（{Role(role).label} · {unit.name}），已生成一次性密码",
        after=_state(user),
        unit_id=unit.pk,
        ip=ip,
    )
    return user, password


@transaction.atomic
def set_active(*, actor: User, target: User, active: bool, ip: str | None = None) -> None:
    """Disable (a disabled account cannot sign in, and its open sessions end at the next request)
    or re-enable. Nobody disables themselves, and the last active system administrator stays."""
    _require(rules.may_manage_account(actor, target))
    target = User.objects.select_for_update().get(pk=target.pk)
    if target.is_active == active:
        return
    if not active:
        if target.pk == actor.pk:
            raise ValidationError("不能停用自己正在使用的账号。")
        if rules.is_system_admin(target) and not _other_active_system_admin(target):
            raise ValidationError("这是最后一个启用中的系统管理员账号，不能停用。")
    before = _state(target)
    target.is_active = active
    target.save(update_fields=["is_active"])
    record(
        actor=actor,
        action="people.enable_account" if active else "people.disable_account",
        obj=target,
        summary=("启用账号 " if active else "停用账号 ") + target.username,
        before=before,
        after=_state(target),
        ip=ip,
    )


@transaction.atomic
def grant_role(*, actor: User, target: User, unit: Unit, role: str, ip: str | None = None) -> Membership:
    """A role at a unit the actor administers, for a person they manage."""
    _require(rules.may_manage_account(actor, target) and rules.may_grant_role(actor, unit, role))
    if Membership.objects.filter(user=target, unit=unit, role=role).exists():
        raise ValidationError({"role": f"该账号已是{unit.name}的{Role(role).label}。"})
    before = _state(target)
    membership = Membership.objects.create(user=target, unit=unit, role=role)
    record(
        actor=actor,
        action="people.grant_role",
        obj=target,
        summary=f"授予 {target.username}：{Role(role).label} · {unit.name}",
        before=before,
        after=_state(target),
        unit_id=unit.pk,
        ip=ip,
    )
    return membership


@transaction.atomic
def withdraw_role(*, actor: User, membership: Membership, ip: str | None = None) -> None:
    """Withdraw one role. An administrator does not withdraw a person's last role (the account
    would leave every page they can see: disable it instead), and the last system
    administrator keeps the role that makes them one."""
    target = membership.user
    _require(rules.may_manage_account(actor, target))
    remaining = Membership.objects.filter(user=target).exclude(pk=membership.pk)
    if not actor.is_superuser and not remaining.exists():
        raise ValidationError("这是该账号的最后一个角色，不能撤销；如不再使用，请停用账号。")
    if (
        membership.role == Role.ADMIN
        and membership.unit.parent_id is None
        and target.is_active
        and not target.is_superuser
        and not remaining.filter(role=Role.ADMIN, unit__parent__isnull=True).exists()
        and not _other_active_system_admin(target)
    ):
        raise ValidationError("这是最后一个启用中的系统管理员，不能撤销其系统管理员角色。")
    before = _state(target)
    unit, role = membership.unit, membership.role
    membership.delete()
    record(
        actor=actor,
        action="people.withdraw_role",
        obj=target,
        summary=f"撤销 {target.username}：{Role(role).label} · {unit.name}",
        before=before,
        after=_state(target),
        unit_id=unit.pk,
        ip=ip,
    )


@transaction.atomic
def reset_password(*, actor: User, target: User, ip: str | None = None) -> str:
    """Give a one-time password (returned once for the slip; only its hash is stored). The
    person must choose their own at the next sign-in; failed sign-ins recorded so far are
    forgotten, since a forgotten password is what locked most of them out."""
    _require(rules.may_manage_account(actor, target))
    if target.pk == actor.pk:
        raise ValidationError("自己的密码请在“修改密码”中修改。")
    target = User.objects.select_for_update().get(pk=target.pk)
    before = {**_state(target), "failed_sign_ins": lockout.lock_state(target.username).failures}
    password = _give_password(target)
    target.save(update_fields=["password", "must_change_password"])
    lockout.unlock(target.username)
    record(
        actor=actor,
        action="people.reset_password",
        obj=target,
        summary=f"重置 {target.username} 的密码（一次性密码，下次登录须修改）",
        before=before,
        after={**_state(target), "failed_sign_ins": 0},
        ip=ip,
    )
    return password


@transaction.atomic
def unlock_account(*, actor: User, target: User, ip: str | None = None) -> int:
    """Forget the account's failed sign-ins from every address (axes' reset), so a locked-out
    person signs in again at once. Returns how many address records were cleared."""
    _require(rules.may_manage_account(actor, target))
    state = lockout.lock_state(target.username)
    cleared = lockout.unlock(target.username)
    record(
        actor=actor,
        action="people.unlock_account",
        obj=target,
        summary=f"解除 {target.username} 的登录锁定（清除 {state.failures} 次失败记录）",
        before={
            "failed_sign_ins": state.failures,
            "locked_addresses": list(state.locked_addresses),
            "account_locked": state.account_locked,
        },
        after={"failed_sign_ins": 0, "locked_addresses": [], "account_locked": False},
        ip=ip,
    )
    return cleared
