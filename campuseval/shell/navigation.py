"""The product's shell for one request: who is signed in, in which roles and units, what the
navigation offers them and how many notifications are unread.

Computed once per request and only when a page actually shows it (htmx fragments never pay for
it): one query for the memberships with the unread count folded in, plus one for an organizer's
campaign menu."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from campuseval.access.rules import SCHOOL_ROLES, Actor, as_user
from campuseval.access.scopes import campaigns_below
from campuseval.accounts.models import Membership, Role
from campuseval.campaigns.models import Campaign
from campuseval.notifications.models import Notification

from .state import Link, Shell

#: Campaign states in which the organizer's review desk has work to do.
REVIEW_STATES = [
    Campaign.Status.OPEN,
    Campaign.Status.COUNTY_REVIEW,
    Campaign.Status.EXPERT_REVIEW,
    Campaign.Status.PUBLICITY,
]
MENU_CAMPAIGNS = 8
#: where the shell of a request is kept once computed
SHELL_ATTRIBUTE = "_campuseval_shell"


def memberships_with_unread(user: Actor) -> tuple[list[Membership], int]:
    """The user's memberships (unit and three levels of ancestors loaded) and their unread
    notification count, in one query when they hold any role."""
    signed = as_user(user)
    if signed is None:
        return [], 0
    unread = (
        Notification.objects.filter(user=OuterRef("user"), read_at__isnull=True)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = list(
        Membership.objects.filter(user=signed)
        .select_related("unit__parent__parent__parent")
        .annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0))
        .order_by("unit__code", "role")
    )
    if rows:
        return list(rows), int(rows[0].unread)
    return list(rows), Notification.objects.filter(user=signed, read_at__isnull=True).count()


def _active(view_name: str, *prefixes: str) -> bool:
    return any(view_name.startswith(p) for p in prefixes)


def build_links(shell: Shell, user: Actor, view_name: str) -> list[Link]:
    """Navigation that follows the user's roles: each role sees only what it can open."""
    roles = shell.roles
    links: list[Link] = [Link("home", _("首页"), reverse("shell:home"), view_name == "shell:home")]
    if roles.intersection(SCHOOL_ROLES):
        links.append(Link("mine", _("我的申报"), reverse("applications:mine"), _active(view_name, "applications:")))
    if Role.COUNTY_REVIEWER in roles:
        links.append(
            Link(
                "county",
                _("县级初审"),
                reverse("reviews:county_list"),
                _active(view_name, "reviews:county_", "reviews:recommend"),
            )
        )
    if Role.ORGANIZER in roles:
        links.append(Link("campaigns", _("活动管理"), reverse("campaigns:list"), _active(view_name, "campaigns:")))
        org_units = {u.pk for u in shell.units(Role.ORGANIZER)}
        menu = [
            Link(f"campaign-{c.pk}", c.name, reverse("reviews:organizer", args=[c.pk]))
            for c in campaigns_below(org_units, Campaign.objects.all())
            .filter(status__in=REVIEW_STATES)
            .order_by("-year", "-pk")[:MENU_CAMPAIGNS]
        ]
        menu.append(Link("all-campaigns", _("全部活动…"), reverse("campaigns:list")))
        menu.append(Link("expert-pool", _("专家库"), reverse("reviews:expert_pool")))
        menu.append(Link("city-review", _("市级推荐"), reverse("reviews:city_list")))
        links.append(
            Link(
                "review",
                _("评审组织"),
                "",
                _active(view_name, "reviews:organizer", "reviews:audit_", "reviews:expert_pool", "reviews:city_"),
                tuple(menu),
            )
        )
        cultivation = reverse("cultivation:list")
        links.append(Link("cultivation", _("培育项目"), cultivation, _active(view_name, "cultivation:")))
    data: list[Link] = []
    if roles & {Role.ORGANIZER, Role.COUNTY_REVIEWER}:
        data.append(Link("dashboards", _("数据看板"), reverse("reports:dashboards")))
        data.append(Link("exports", _("我的导出"), reverse("reports:exports")))
    if Role.ORGANIZER in roles:
        data.append(Link("units", _("单位管理"), reverse("units:tree")))
    if roles & {Role.ORGANIZER, Role.ADMIN} or getattr(user, "is_superuser", False):
        data.append(Link("imports", _("数据导入"), reverse("reports:imports")))
    if Role.ADMIN in roles or getattr(user, "is_superuser", False):  # access.rules.may_manage_accounts
        data.append(Link("people", _("账号管理"), reverse("people:list")))
    if Role.ORGANIZER in roles or getattr(user, "is_superuser", False):  # access.rules.may_read_audit_log
        data.append(Link("audit", _("审计日志"), reverse("reports:audit_log")))
    if data:
        links.append(
            Link(
                "data",
                _("数据与报表"),
                "",
                _active(view_name, "reports:dashboard", "reports:export", "reports:imports", "reports:audit_")
                or _active(view_name, "units:", "people:"),
                tuple(data),
            )
        )
    if Role.EXPERT in roles:
        links.append(
            Link("expert", _("我的评审"), reverse("reviews:expert_list"), _active(view_name, "reviews:expert_"))
        )
    if getattr(user, "is_staff", False):
        links.append(Link("admin", _("系统管理"), reverse("admin:index")))
    return links


def shell_for(request: HttpRequest) -> Shell | None:
    """The shell of this request (cached on it), or None for an anonymous visitor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    cached: Shell | None = getattr(request, SHELL_ATTRIBUTE, None)
    if cached is not None:
        return cached
    memberships, unread = memberships_with_unread(user)
    shell = Shell(memberships=memberships, unread=unread)
    match = getattr(request, "resolver_match", None)
    shell.links = build_links(shell, user, match.view_name if match else "")
    setattr(request, SHELL_ATTRIBUTE, shell)
    return shell
