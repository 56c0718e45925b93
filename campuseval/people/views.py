"""Account pages for system administrators (every unit) and units' administrators (their own
units): the list with search and filters, a new account, and one account's page with its roles,
status, password reset and unlock. Anyone else, and any account outside the user's units,
gets 404. Views only read and hand forms to people.services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from campuseval.access import rules, scopes
from campuseval.access.views import AuthenticatedRequest, require
from campuseval.accounts import lockout
from campuseval.accounts.models import Membership, User
from campuseval.audit.models import AuditEntry
from campuseval.audit.services import client_ip
from campuseval.listing import Sort, paginate
from campuseval.orgs.models import Subtree

from . import services
from .forms import AccountCreateForm, AccountFilterForm, ActiveForm, ConfirmForm, PeopleForm, RoleForm

PAGE_SIZE = 50
#: the columns the account list may be sorted by (user name by default)
SORTS = [
    Sort("username", gettext_lazy("用户名"), ["username"]),
    Sort("name", gettext_lazy("姓名"), ["display_name", "username"]),
    Sort("staff_no", gettext_lazy("工号"), ["staff_no", "username"]),
    Sort("active", gettext_lazy("状态"), ["-is_active", "username"]),
    Sort("joined", gettext_lazy("创建时间"), ["date_joined"]),
]


def _scope(request: AuthenticatedRequest) -> Subtree | None:
    """The units of the user's choices (None: every unit, for a superuser)."""
    return None if request.user.is_superuser else rules.account_scope(request.user)


def _accounts(request: AuthenticatedRequest) -> QuerySet[User]:
    return scopes.managed_accounts(request.user, User.objects.all())


def _target(request: AuthenticatedRequest, pk: int) -> User:
    return get_object_or_404(_accounts(request), pk=pk)


@require(rules.may_manage_accounts)
@require_GET
def account_list(request: AuthenticatedRequest) -> HttpResponse:
    """Search by name, user name, phone or 工号; filter by unit (with the units below), role and
    status. The same few queries for one row or a full page: roles come in one prefetch, lock
    states in one read of the failed sign-ins."""
    form = AccountFilterForm(request.GET or None, scope=_scope(request))
    accounts = _accounts(request)
    if form.is_bound and form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            accounts = accounts.filter(
                Q(display_name__icontains=q)
                | Q(username__icontains=q)
                | Q(phone__icontains=q)
                | Q(staff_no__icontains=q)
            )
        unit = form.cleaned_data["unit"]
        role = form.cleaned_data["role"]
        if unit is not None or role:
            held = Membership.objects.all()
            if unit is not None:
                held = held.filter(unit.subtree().q("unit"))
            if role:
                held = held.filter(role=role)
            accounts = accounts.filter(pk__in=held.values("user_id"))
        if form.cleaned_data["active"] in ("0", "1"):
            accounts = accounts.filter(is_active=form.cleaned_data["active"] == "1")
    accounts = accounts.prefetch_related(
        Prefetch("memberships", queryset=Membership.objects.select_related("unit").order_by("unit__code", "role"))
    )
    listing = paginate(request, accounts, sorts=SORTS, default="username", per_page=PAGE_SIZE)
    rows = listing.rows
    locks = lockout.lock_states(u.username for u in rows)
    return render(
        request,
        "people/list.html",
        {
            "form": form,
            "listing": listing,
            "rows": [(u, locks.get(u.username, lockout.LockState())) for u in rows],
        },
    )


def _slip(request: AuthenticatedRequest, target: User, password: str, created: bool) -> HttpResponse:
    """The one-time password, shown once: this answer is the only place it ever appears."""
    roles = list(Membership.objects.filter(user=target).select_related("unit").order_by("unit__code"))
    response = render(
        request,
        "people/slip.html",
        {"target": target, "password": password, "created": created, "roles": roles},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require(rules.may_manage_accounts)
@require_http_methods(["GET", "POST"])
def account_create(request: AuthenticatedRequest) -> HttpResponse:
    form = AccountCreateForm(request.POST or None, scope=_scope(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = services.create_account(
                actor=request.user,
                username=data["username"],
                display_name=data["display_name"],
                unit=data["unit"],
                role=data["role"],
                phone=data["phone"],
                email=data["email"],
                staff_no=data["staff_no"].strip(),
                ip=client_ip(request),
            )
        except PermissionDenied:
            form.add_error("unit", "「单位」不在您管理的范围内，或您不能在该单位授予这个角色")
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _slip(request, user, password, created=True)
    return render(request, "people/create.html", {"form": form})


def _add_errors(form: PeopleForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for e in errors:
                form.add_error(field if field in form.fields else None, e)
    else:
        for message in error.messages:
            form.add_error(None, message)


def _detail(request: AuthenticatedRequest, target: User, **forms: PeopleForm) -> HttpResponse:
    scope = _scope(request)
    roles = list(Membership.objects.filter(user=target).select_related("unit").order_by("unit__code", "role"))
    history = list(AuditEntry.objects.filter(object_type="User", object_id=str(target.pk)).order_by("-at", "-pk")[:20])
    problems = [p for f in forms.values() for p in f.problems()]
    return render(
        request,
        "people/detail.html",
        {
            "target": target,
            "roles": roles,
            "role_form": forms.get("role_form") or RoleForm(scope=scope),
            "problems": problems,
            "lock": lockout.lock_state(target.username),
            "history": history,
            "is_self": target.pk == request.user.pk,
        },
    )


@require(rules.may_manage_accounts)
def account_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    target = _target(request, pk)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    return _detail(request, target)


def _done(request: AuthenticatedRequest, target: User, message: str) -> HttpResponse:
    messages.success(request, message)
    return HttpResponseRedirect(reverse("people:detail", args=[target.pk]))


@require(rules.may_manage_accounts)
def account_active(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    target = _target(request, pk)
    if request.method != "POST":  # looked up first: another unit's account is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    form = ActiveForm(request.POST)
    if form.is_valid():
        active = form.cleaned_data["active"] == "1"
        try:
            services.set_active(actor=request.user, target=target, active=active, ip=client_ip(request))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _done(request, target, "账号已启用。" if active else "账号已停用，该用户不能再登录。")
    return _detail(request, target, active_form=form)


@require(rules.may_manage_accounts)
def role_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    target = _target(request, pk)
    if request.method != "POST":  # looked up first: another unit's account is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    form = RoleForm(request.POST, scope=_scope(request))
    if form.is_valid():
        try:
            services.grant_role(
                actor=request.user,
                target=target,
                unit=form.cleaned_data["unit"],
                role=form.cleaned_data["role"],
                ip=client_ip(request),
            )
        except PermissionDenied:
            form.add_error("unit", "「单位」不在您管理的范围内")
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _done(request, target, "角色已授予。")
    return _detail(request, target, role_form=form)


@require(rules.may_manage_accounts)
def role_remove(request: AuthenticatedRequest, pk: int, membership_pk: int) -> HttpResponse:
    target = _target(request, pk)
    if request.method != "POST":  # looked up first: another unit's account is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    membership = get_object_or_404(Membership.objects.select_related("unit", "user"), pk=membership_pk, user=target)
    form = ConfirmForm(request.POST)
    if form.is_valid():
        try:
            services.withdraw_role(actor=request.user, membership=membership, ip=client_ip(request))
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _done(request, target, "角色已撤销。")
    return _detail(request, target, remove_form=form)


@require(rules.may_manage_accounts)
def password_reset(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Answers with the slip to print or read out; the password is not kept anywhere else."""
    target = _target(request, pk)
    if request.method != "POST":  # looked up first: another unit's account is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    form = ConfirmForm(request.POST)
    if form.is_valid():
        try:
            password = services.reset_password(actor=request.user, target=target, ip=client_ip(request))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            target.refresh_from_db()
            return _slip(request, target, password, created=False)
    return _detail(request, target, reset_form=form)


@require(rules.may_manage_accounts)
def unlock(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    target = _target(request, pk)
    if request.method != "POST":  # looked up first: another unit's account is 404 whatever the method
        return HttpResponseNotAllowed(["POST"])
    form = ConfirmForm(request.POST)
    if form.is_valid():
        services.unlock_account(actor=request.user, target=target, ip=client_ip(request))
        return _done(request, target, "已解除登录锁定，该用户可以立即登录。")
    return _detail(request, target, unlock_form=form)
