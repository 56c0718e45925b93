"""Sign-in, lock-out, sign-out and password change through the real pages."""

from __future__ import annotations

from django.conf import settings
from django.test import Client
from django.urls import reverse

from campuseval.audit.models import AuditEntry
from tests.web.appworld import PASSWORD, World

LOGIN = "/accounts/login/"


def post_login(client: Client, username: str, password: str, **extra: str) -> str:
    return client.post(LOGIN, {"username": username, "password": password, **extra}).content.decode()


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_login_page_is_chinese(db: None) -> None:
    page = Client().get(LOGIN).content.decode()
    assert '<html lang="zh-hans">' in page
    for text in ("登录", "用户名", "密码", "请使用教育行政部门分配的账号登录", "8 小时无操作将自动退出"):
        assert text in page
    assert 'name="username"' in page and 'type="password"' in page
    # anonymous visitors see no navigation, only the language switch
    assert "ce-nav-links" not in page and "English" in page


def test_wrong_password_says_so_and_keeps_the_username(w: World) -> None:
    client = Client()
    page = post_login(client, "school_officer", "not-the-password")
    assert "用户名或密码不正确，请重新输入（区分大小写）" in page
    assert 'value="school_officer"' in page
    assert not signed_in(client)


def test_good_login_lands_on_home_or_next(w: World) -> None:
    client = Client()
    response = client.post(LOGIN, {"username": "school_officer", "password": PASSWORD})
    assert response.headers["Location"] == reverse("shell:home")
    assert signed_in(client)
    assert "您好，school_officer" in client.get(reverse("shell:home")).content.decode()

    other = Client()
    response = other.post(LOGIN, {"username": "organizer", "password": PASSWORD, "next": "/reviews/notifications/"})
    assert response.headers["Location"] == "/reviews/notifications/"
    # an unsafe next is ignored
    third = Client()
    response = third.post(LOGIN, {"username": "expert", "password": PASSWORD, "next": "https://evil.example/"})
    assert response.headers["Location"] == reverse("shell:home")


def test_signed_in_user_visiting_login_goes_home(w: World) -> None:
    response = w.client("county_reviewer").get(LOGIN)
    assert response.headers["Location"] == reverse("shell:home")


def test_lock_out_after_repeated_failures(w: World) -> None:
    client = Client()
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert "用户名或密码不正确" in post_login(client, "school_head", "wrong")
    page = post_login(client, "school_head", "wrong")
    assert "账号已暂时锁定" in page
    assert f"该账号连续 {limit} 次登录失败，已被锁定 30 分钟" in page
    # now even the right password is refused, with the same message
    page = post_login(client, "school_head", PASSWORD)
    assert "账号已暂时锁定" in page
    assert not signed_in(client)
    # locking is by username: a colleague behind the same address still signs in
    post_login(client, "school_officer", PASSWORD)
    assert signed_in(client)


def test_logout_is_post_only(w: World) -> None:
    client = w.client("school_officer")
    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in(client)
    response = client.post("/accounts/logout/")
    assert response.headers["Location"] == reverse("accounts:login")
    assert not signed_in(client)
    assert client.get(reverse("shell:home")).headers["Location"].startswith(LOGIN)


def test_home_page_has_a_logout_form(w: World) -> None:
    page = w.client("school_officer").get(reverse("shell:home")).content.decode()
    assert 'action="/accounts/logout/"' in page and 'method="post"' in page and "退出登录" in page


def change(client: Client, old: str, new1: str, new2: str | None = None) -> str:
    data = {"old_password": old, "new_password1": new1, "new_password2": new1 if new2 is None else new2}
    return client.post(reverse("accounts:password_change"), data).content.decode()


def test_password_change_refuses_bad_input_in_chinese(w: World) -> None:
    client = w.client("expert")
    user = w.users["expert"]
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "原密码" in page and "确认新密码" in page

    page = change(client, "wrong-old", "Quiet-River-2024")
    assert "原密码不正确，请重新输入。" in page and "密码未修改" in page
    page = change(client, PASSWORD, "Quiet-River-2024", "Quiet-River-2025")
    assert "两次输入的新密码不一致，请重新输入。" in page
    page = change(client, PASSWORD, "a1b2")
    assert "密码太短，至少需要 8 个字符。" in page
    page = change(client, PASSWORD, "12345678901")
    assert "这个密码太常见了。" in page and "密码只包含数字。" in page
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action="accounts.change_password").exists()


def test_password_change_good(w: World) -> None:
    client = w.client("expert")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Quiet-River-2024", "new_password2": "Quiet-River-2024"},
    )
    assert response.headers["Location"] == reverse("accounts:password_change_done")
    user = w.users["expert"]
    user.refresh_from_db()
    assert user.check_password("Quiet-River-2024")
    assert "密码已修改" in client.get(response.headers["Location"]).content.decode()
    # still signed in after the change
    assert "您好" in client.get(reverse("shell:home")).content.decode()
    entry = AuditEntry.objects.get(action="accounts.change_password")
    assert entry.actor == user and entry.object_id == str(user.pk)
    # the new password signs in
    fresh = Client()
    post_login(fresh, "expert", "Quiet-River-2024")
    assert signed_in(fresh)
