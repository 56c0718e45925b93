"""Accounts managed in pages: who may list, create, disable, grant, withdraw, reset and unlock,
over which accounts; every change audited with the state before and after."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, get_resolver, reverse

from campuseval.accounts.models import Membership, Role, User
from campuseval.audit.models import AuditEntry
from campuseval.people import services
from tests import factories as f

from .conftest import Admins

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def people_urls(a: Admins) -> list[tuple[str, str]]:
    """(name, url) of every people URL, aimed at 甲县实验小学's officer."""
    officer = a.p.school_officer
    membership = officer.memberships.get()
    kwargs = {
        "list": {},
        "create": {},
        "detail": {"pk": officer.pk},
        "active": {"pk": officer.pk},
        "role_add": {"pk": officer.pk},
        "role_remove": {"pk": officer.pk, "membership_pk": membership.pk},
        "password_reset": {"pk": officer.pk},
        "unlock": {"pk": officer.pk},
    }
    names = sorted(
        pattern.name
        for entry in get_resolver().url_patterns
        if getattr(entry, "namespace", None) == "people"
        for pattern in entry.url_patterns  # type: ignore[union-attr]
        if isinstance(pattern, URLPattern) and pattern.name
    )
    assert sorted(kwargs) == names, "a new people URL needs kwargs here"
    return [(n, reverse(f"people:{n}", kwargs=kwargs[n])) for n in names]


def state() -> Any:
    return (
        list(User.objects.order_by("pk").values_list("pk", "password", "is_active", "must_change_password")),
        list(Membership.objects.order_by("pk").values_list("pk", "user_id", "unit_id", "role")),
    )


POSTS = {
    "create": lambda a: {"username": "intruder", "display_name": "越权", "unit": a.p.school.pk, "role": "admin"},
    "active": lambda a: {"active": "0"},
    "role_add": lambda a: {"unit": a.p.school.pk, "role": "head"},
    "role_remove": lambda a: {},
    "password_reset": lambda a: {},
    "unlock": lambda a: {},
}


def test_outsiders_get_404_on_every_people_url_and_change_nothing(admins: Admins) -> None:
    """Another city's administrator, the other county's administrator and every persona without
    the administrator role: 404 for GET and POST on the school officer's account, nothing
    written. The anonymous visitor is sent to sign in."""
    a = admins
    outsiders = {
        "outsider_admin": a.client("outsider_admin"),
        "county_y_admin": a.client("county_y_admin"),
        **{who: a.p.client(who) for who in ("city_organizer", "county_reviewer", "school_head", "outsider_organizer")},
    }
    before = state()
    problems = []
    for name, url in people_urls(a):
        for who, client in outsiders.items():
            if name in ("list", "create") and who in ("outsider_admin", "county_y_admin"):
                continue  # they have their own list and form (checked below for what they show)
            for method in ("get", "post"):
                data = POSTS.get(name, lambda a: {})(a) if method == "post" else None
                response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
                if response.status_code != 404:
                    problems.append(f"{method.upper()} {name} as {who}: {response.status_code}")
        response = Client().get(url)
        if not (response.status_code == 302 and response["Location"].startswith(LOGIN)):
            problems.append(f"GET {name} anonymous: {response.status_code}")
    assert problems == []
    assert state() == before
    assert not AuditEntry.objects.filter(action__startswith="people.").exists()
    # their own list shows none of 甲县's accounts; their form offers none of 甲县's units
    page = a.client("outsider_admin").get(reverse("people:list")).content.decode()
    assert "school_officer" not in page and "甲县" not in page
    page = a.client("county_y_admin").get(reverse("people:list")).content.decode()
    assert "outsider_school" in page and "school_officer" not in page
    response = a.client("county_y_admin").post(reverse("people:create"), POSTS["create"](a))
    assert "「单位」的取值无效" in response.content.decode()
    assert not User.objects.filter(username="intruder").exists()


def test_list_search_filters_and_scope(admins: Admins) -> None:
    a = admins
    a.p.school_officer.staff_no = "GH-0042"
    a.p.school_officer.phone = "13912345678"
    a.p.school_officer.save()
    client = a.client("county_admin")
    page = client.get(reverse("people:list")).content.decode()
    assert "school_officer" in page and "school_head" in page and "county_reviewer" in page
    # above the county (the city's organizer), another county, another city: not listed
    for absent in ("city_organizer", "outsider_school", "outsider_organizer", "root"):
        assert f">{absent}<" not in page, absent
    for q in ("GH-0042", "1391234", "王填报", "school_off"):
        page = client.get(reverse("people:list"), {"q": q}).content.decode()
        assert "school_officer" in page and "school_head" not in page, q
    page = client.get(reverse("people:list"), {"role": "head"}).content.decode()
    assert "school_head" in page and "school_officer" not in page
    page = client.get(reverse("people:list"), {"unit": a.p.county.pk}).content.decode()
    assert "school_officer" in page
    page = client.get(reverse("people:list"), {"unit": a.p.other_county.pk}).content.decode()
    assert "「单位（含下级）」的取值无效" in page  # not a unit of theirs: refused, nothing shown broken
    page = client.get(reverse("people:list"), {"q": "\x00"}).content.decode()
    assert "「姓名、用户名、手机或工号」含有不可见的空字符" in page
    # the superuser sees everyone, the superuser account included
    page = a.client("superuser").get(reverse("people:list")).content.decode()
    assert "outsider_organizer" in page and "school_officer" in page and ">root<" in page


def test_list_costs_the_same_queries_for_one_row_and_a_full_page(
    admins: Admins, django_assert_num_queries: Any
) -> None:
    a = admins
    client = a.client("county_y_admin")
    url = reverse("people:list")
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as one:
        page = client.get(url).content.decode()
    assert page.count('href="/people/') >= 1
    for i in range(60):
        user = f.person(f"teacher{i:02d}", a.p.school_y, Role.APPLICANT, Role.HEAD)
        if i % 3 == 0:
            f.MembershipFactory(user=user, unit=a.p.county_y, role=Role.EXPERT)
    with django_assert_num_queries(len(one)):
        page = client.get(url).content.decode()
    assert "teacher00" in page and "第 1 / 2 页" in page
    page = client.get(url, {"page": "2"}).content.decode()
    assert "teacher59" in page


def test_list_pages_keep_filters_and_sort(admins: Admins) -> None:
    a = admins
    for i in range(55):
        f.person(f"teacher{i:02d}", a.p.school_y, Role.HEAD if i % 2 else Role.APPLICANT)
    client = a.client("county_y_admin")
    url = reverse("people:list")
    first = client.get(url, {"role": "head", "sort": "-username"}).content.decode()
    shown = re.search(r"共 (\d+) 条", first)
    assert shown is not None and int(shown.group(1)) >= 27
    # by user name, descending: teacher53 first; applicants (even numbers) never
    assert first.index("teacher53") < first.index("teacher51") and "teacher52" not in first
    small = client.get(url, {"role": "head", "sort": "-username", "per_page": "20"}).content.decode()
    link = re.search(r'rel="next" href="([^"]+)"', small)
    assert link is not None
    href = html.unescape(link.group(1))
    assert "role=head" in href and "sort=-username" in href and "per_page=20" in href and "page=2" in href
    second = client.get(url + href).content.decode()
    assert "teacher13" in second and "teacher53" not in second and "teacher12" not in second
    f.person("zz_teacher", a.p.school_y, Role.APPLICANT, display_name="Aaron")
    by_name = client.get(url, {"sort": "name", "per_page": "100"}).content.decode()
    assert 'aria-sort="ascending"' in by_name and by_name.index(">zz_teacher<") < by_name.index(">teacher00<")
    by_username = client.get(url, {"per_page": "100"}).content.decode()
    assert by_username.index(">teacher00<") < by_username.index(">zz_teacher<")


def test_create_account_shows_a_one_time_password_once(admins: Admins) -> None:
    a = admins
    client = a.client("county_admin")
    data = {
        "username": "new_teacher",
        "display_name": "张老师",
        "phone": "13800001111",
        "email": "",
        "staff_no": "GH-7",
        "unit": a.p.school.pk,
        "role": "applicant",
    }
    response = client.post(reverse("people:create"), data)
    page = response.content.decode()
    assert response.status_code == 200 and "新账号通知" in page and "new_teacher" in page
    password = re.search(r'id="slip-password">([^<]+)<', page).group(1)  # type: ignore[union-attr]
    user = User.objects.get(username="new_teacher")
    assert user.check_password(password) and user.must_change_password and user.staff_no == "GH-7"
    assert list(user.memberships.values_list("unit", "role")) == [(a.p.school.pk, "applicant")]
    assert password not in client.get(reverse("people:detail", args=[user.pk])).content.decode()
    entry = AuditEntry.objects.get(action="people.create_account")
    assert entry.actor == a.county_admin and entry.after["roles"] == ["applicant@P-XA"]
    assert password not in str(entry.after)
    # the slip: no inline script or style (the Content-Security-Policy forbids them)
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", page)) and "<style" not in page
    # the same user name again, a duplicate 工号, a bad phone: messages naming the field, input kept
    page = client.post(reverse("people:create"), {**data, "username": "NEW_teacher"}).content.decode()
    assert "用户名「NEW_teacher」已被使用" in page and 'value="张老师"' in page
    page = client.post(reverse("people:create"), {**data, "username": "other", "phone": "abc"}).content.decode()
    assert "「手机」只能包含数字" in page
    page = client.post(reverse("people:create"), {**data, "username": "x" * 200}).content.decode()
    assert "「用户名」不能超过 150 个字符" in page
    # an administrator at a county cannot create an administrator of the city above it
    page = client.post(reverse("people:create"), {**data, "username": "boss", "unit": a.p.city.pk, "role": "admin"})
    assert "「单位」的取值无效" in page.content.decode()
    assert not User.objects.filter(username__in=["other", "boss"]).exists()


def test_disable_and_enable(admins: Admins) -> None:
    a = admins
    client = a.client("county_admin")
    officer = a.p.school_officer
    officer_client = Client()
    officer_client.force_login(officer)
    response = client.post(reverse("people:active", args=[officer.pk]), {"active": "0"})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert not officer.is_active
    # the open session ends, and signing in is refused
    assert officer_client.get(reverse("shell:home"))["Location"].startswith(LOGIN)
    page = Client().post(LOGIN, {"username": "school_officer", "password": f.PASSWORD}).content.decode()
    assert "用户名或密码不正确" in page
    entry = AuditEntry.objects.get(action="people.disable_account")
    assert entry.before["is_active"] is True and entry.after["is_active"] is False
    client.post(reverse("people:active", args=[officer.pk]), {"active": "1"})
    officer.refresh_from_db()
    assert officer.is_active
    assert AuditEntry.objects.filter(action="people.enable_account").count() == 1
    response = Client().post(LOGIN, {"username": "school_officer", "password": f.PASSWORD})
    assert response.status_code == 302


def test_nobody_disables_themselves_or_the_last_system_administrator(admins: Admins) -> None:
    a = admins
    page = a.client("city_admin").post(reverse("people:active", args=[a.city_admin.pk]), {"active": "0"})
    assert "不能停用自己正在使用的账号" in page.content.decode()
    # another system administrator of the city may be disabled while others remain
    second = f.person("second_admin", a.p.city, Role.ADMIN)
    assert a.client("city_admin").post(reverse("people:active", args=[second.pk]), {"active": "0"}).status_code == 302
    # the last active one (the superuser and the other city's administrator disabled): refused
    User.objects.filter(pk__in=[a.superuser.pk, a.outsider_admin.pk]).update(is_active=False)
    a.superuser.refresh_from_db()
    with pytest.raises(ValidationError, match="最后一个启用中的系统管理员"):
        services.set_active(actor=a.superuser, target=a.city_admin, active=False)
    with pytest.raises(ValidationError, match="最后一个启用中的系统管理员"):
        services.withdraw_role(actor=a.superuser, membership=a.city_admin.memberships.get())
    a.city_admin.refresh_from_db()
    assert a.city_admin.is_active and a.city_admin.memberships.exists()


def test_roles_granted_and_withdrawn_within_the_units_administered(admins: Admins) -> None:
    a = admins
    client = a.client("county_admin")
    officer = a.p.school_officer
    url = reverse("people:role_add", args=[officer.pk])
    assert client.post(url, {"unit": a.p.school.pk, "role": "head"}).status_code == 302
    assert set(officer.memberships.values_list("role", flat=True)) == {"applicant", "head"}
    entry = AuditEntry.objects.get(action="people.grant_role")
    assert entry.before["roles"] == ["applicant@P-XA"] and entry.after["roles"] == ["applicant@P-XA", "head@P-XA"]
    page = client.post(url, {"unit": a.p.school.pk, "role": "head"}).content.decode()
    assert "该账号已是甲县实验小学的学校负责人" in page
    # administrator of the county, not above it
    assert client.post(url, {"unit": a.p.county.pk, "role": "admin"}).status_code == 302
    page = client.post(url, {"unit": a.p.city.pk, "role": "admin"}).content.decode()
    assert "「单位」的取值无效" in page
    assert not officer.memberships.filter(unit=a.p.city).exists()
    # withdraw: one of several is fine; the last one is refused (disable the account instead)
    for m in officer.memberships.exclude(role="applicant"):
        assert client.post(reverse("people:role_remove", args=[officer.pk, m.pk])).status_code == 302
    last = officer.memberships.get()
    page = client.post(reverse("people:role_remove", args=[officer.pk, last.pk])).content.decode()
    assert "这是该账号的最后一个角色" in page
    assert officer.memberships.count() == 1
    assert AuditEntry.objects.filter(action="people.withdraw_role").count() == 2
    # a superuser is nobody's to touch but a superuser's
    assert client.get(reverse("people:detail", args=[a.superuser.pk])).status_code == 404
    assert a.client("city_admin").get(reverse("people:detail", args=[a.superuser.pk])).status_code == 404
    assert a.client("superuser").get(reverse("people:detail", args=[a.superuser.pk])).status_code == 200
