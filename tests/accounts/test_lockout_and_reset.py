"""Issue items 5 and 6 reproduced: lock-out by user name and client address with a per-account
ceiling, the administrator's unlock, the one-time password that forces a change, the password
policy and expiry, and the admin site's user model."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campuseval.accounts.models import User
from campuseval.audit.models import AuditEntry
from tests import factories as f
from tests.people.conftest import Admins

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ATTACKER, OWNER, THIRD = "203.0.113.9", "198.51.100.7", "192.0.2.44"


def login(client: Client, username: str, password: str, **meta: str) -> str:
    return client.post(LOGIN, {"username": username, "password": password}, **meta).content.decode()


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_five_bad_passwords_from_one_address_do_not_lock_the_owner_elsewhere(admins: Admins) -> None:
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(5):
        page = login(attacker, "school_head", "wrong")
    assert "账号已暂时锁定" in page
    assert "账号已暂时锁定" in login(attacker, "school_head", f.PASSWORD)
    assert not signed_in(attacker)
    owner = Client(REMOTE_ADDR=OWNER)
    login(owner, "school_head", f.PASSWORD)
    assert signed_in(owner)


def test_the_address_behind_the_proxy_is_believed_only_from_the_proxy(admins: Admins, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    via_proxy = Client(REMOTE_ADDR="127.0.0.1")
    for _ in range(5):
        page = login(via_proxy, "school_head", "wrong", HTTP_X_FORWARDED_FOR=ATTACKER)
    assert "账号已暂时锁定" in page
    owner = Client(REMOTE_ADDR="127.0.0.1")
    login(owner, "school_head", f.PASSWORD, HTTP_X_FORWARDED_FOR=OWNER)
    assert signed_in(owner)
    # someone not behind the proxy cannot dodge the lock by inventing addresses
    direct = Client(REMOTE_ADDR=THIRD)
    for i in range(5):
        page = login(direct, "school_officer", "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    assert "账号已暂时锁定" in page
    assert "账号已暂时锁定" in login(direct, "school_officer", f.PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9")


def test_failures_from_many_addresses_lock_the_account(admins: Admins, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_ACCOUNT_FAILURE_LIMIT = 8
    for n in range(8):
        page = login(Client(REMOTE_ADDR=f"203.0.113.{n // 4 + 1}"), "school_head", "wrong")
    assert "整个账号已被锁定" in page or "账号已暂时锁定" in page
    owner = Client(REMOTE_ADDR=OWNER)
    page = login(owner, "school_head", f.PASSWORD)
    assert "整个账号已被锁定" in page and not signed_in(owner)


def test_the_unit_administrator_unlocks(admins: Admins) -> None:
    a = admins
    attacker = Client(REMOTE_ADDR=ATTACKER)
    for _ in range(5):
        login(attacker, "school_head", "wrong")
    admin = a.client("county_admin")
    detail = admin.get(reverse("people:detail", args=[a.p.school_head.pk])).content.decode()
    assert f"已在以下地址锁定：{ATTACKER}" in detail
    listing = admin.get(reverse("people:list")).content.decode()
    assert "登录已锁定" in listing
    response = admin.post(reverse("people:unlock", args=[a.p.school_head.pk]))
    assert response.status_code == 302
    assert "已解除登录锁定" in admin.get(response["Location"]).content.decode()
    login(attacker, "school_head", f.PASSWORD)
    assert signed_in(attacker)
    entry = AuditEntry.objects.get(action="people.unlock_account")
    assert entry.actor == a.county_admin and entry.object_id == str(a.p.school_head.pk)
    assert entry.before["failed_sign_ins"] == 5 and entry.before["locked_addresses"] == [ATTACKER]
    assert entry.after["failed_sign_ins"] == 0
    # another county's administrator cannot
    assert a.client("county_y_admin").post(reverse("people:unlock", args=[a.p.school_head.pk])).status_code == 404


def test_an_overlong_user_name_is_refused_with_a_message(db: None) -> None:
    page = login(Client(), "x" * 300, "wrong")
    assert "「用户名」不能超过 150 个字符" in page


def test_a_reset_user_is_forced_to_change_the_password(admins: Admins) -> None:
    a = admins
    officer = a.p.school_officer
    admin = a.client("county_admin")
    response = admin.post(reverse("people:password_reset", args=[officer.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "密码重置通知" in page and "打印密码条" in page
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    one_time = re.search(r'id="slip-password">([^<]+)<', page).group(1)  # type: ignore[union-attr]
    validate_password(one_time, user=officer)  # the generated password meets the policy
    officer.refresh_from_db()
    assert officer.must_change_password and officer.check_password(one_time)
    assert not officer.check_password(f.PASSWORD)
    entry = AuditEntry.objects.get(action="people.reset_password")
    assert entry.before["must_change_password"] is False and entry.after["must_change_password"] is True
    assert one_time not in str(entry.before) + str(entry.after) + entry.summary

    user = Client()
    response = user.post(LOGIN, {"username": "school_officer", "password": one_time})
    assert response.status_code == 302
    change = reverse("accounts:password_change")
    for url in (reverse("shell:home"), reverse("applications:mine"), reverse("notifications:list")):
        assert user.get(url)["Location"] == change, url
    htmx = user.get(reverse("shell:home"), HTTP_HX_REQUEST="true")
    assert htmx["HX-Redirect"] == change
    page = user.get(change).content.decode()
    assert "请先设置新密码再继续使用" in page and ">取消</a>" not in page
    assert user.get("/healthz").status_code in (200, 503)
    page = user.post(change, {"old_password": one_time, "new_password1": "abcdefghij", "new_password2": "abcdefghij"})
    assert "密码须至少包含大写字母、小写字母、数字、符号中的 2 类" in page.content.decode()
    response = user.post(
        change, {"old_password": one_time, "new_password1": "Quiet-River-77", "new_password2": "Quiet-River-77"}
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    officer.refresh_from_db()
    assert not officer.must_change_password and officer.password_changed_at is not None
    assert user.get(reverse("shell:home")).status_code == 200


def test_sign_out_stays_open_while_the_change_is_due(admins: Admins) -> None:
    officer = admins.p.school_officer
    User.objects.filter(pk=officer.pk).update(must_change_password=True)
    client = Client()
    client.force_login(officer)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert not signed_in(client)


def test_password_expiry_only_when_configured(admins: Admins, settings) -> None:  # type: ignore[no-untyped-def]
    officer = admins.p.school_officer
    User.objects.filter(pk=officer.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=400))
    client = Client()
    client.force_login(officer)
    assert client.get(reverse("shell:home")).status_code == 200  # default: never expires
    settings.PASSWORD_MAX_AGE_DAYS = 365
    assert client.get(reverse("shell:home"))["Location"] == reverse("accounts:password_change")
    User.objects.filter(pk=officer.pk).update(password_changed_at=timezone.now() - dt.timedelta(days=30))
    assert client.get(reverse("shell:home")).status_code == 200


def test_password_policy_is_configurable(settings) -> None:  # type: ignore[no-untyped-def]
    validate_password("kettle4521")  # two classes, ten characters
    with pytest.raises(ValidationError) as refused:
        validate_password("abcdefghij")
    assert "密码须至少包含大写字母、小写字母、数字、符号中的 2 类。" in refused.value.messages
    settings.PASSWORD_MIN_LENGTH = 12
    settings.PASSWORD_REQUIRE_CLASSES = 3
    with pytest.raises(ValidationError) as refused:
        validate_password("kettle4521")
    assert refused.value.messages[:2] == [
        "密码太短，至少需要 12 个字符。",
        "密码须至少包含大写字母、小写字母、数字、符号中的 3 类。",
    ]
    validate_password("Abcd-1234-xyz")


def test_the_admin_site_has_users_and_roles_for_superusers_only(admins: Admins) -> None:
    a = admins
    root = a.client("superuser")
    page = root.get(reverse("admin:accounts_user_change", args=[a.p.school_officer.pk])).content.decode()
    assert "工号" in page and "下次登录须修改密码" in page
    assert root.get(reverse("admin:accounts_membership_changelist")).status_code == 200
    staff = f.UserFactory(username="staffer", is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
