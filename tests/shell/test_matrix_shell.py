"""Role × URL × status for the shell's URLs: every persona and an anonymous visitor, with the
city's campaign open and closed. Signed-in users reach their home and password pages; anonymous
visitors are sent to sign in; sign-out answers POST only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from campuseval.campaigns.models import Campaign
from tests.web.appworld import World

PERSONAS = [
    "school_officer",
    "school_head",
    "county_reviewer",
    "organizer",
    "expert",
    "outsider",
    "outsider_reviewer",
    "sysadmin",
    "anonymous",
]
URLS = {
    "home": reverse("shell:home"),
    "login": reverse("accounts:login"),
    "password_change": reverse("accounts:password_change"),
    "password_change_done": reverse("accounts:password_change_done"),
    "logout": reverse("accounts:logout"),
}
# what each page says when it is shown
SHOWS = {"home": "我的工作", "login": "请使用教育行政部门分配的账号登录", "password_change": "确认新密码"}
SHOWS["password_change_done"] = "新密码已生效"


def expected(who: str, name: str) -> tuple[int, str]:
    """(status, Location or a text the page shows)."""
    if name == "logout":
        return 405, ""
    if who == "anonymous":
        if name == "login":
            return 200, SHOWS["login"]
        return 302, f"/accounts/login/?next={URLS[name]}"
    if name == "login":
        return 302, "/"
    return 200, SHOWS[name]


def client_for(w: World, who: str) -> Client:
    return Client() if who == "anonymous" else w.client(who)


@pytest.mark.parametrize("status", [Campaign.Status.OPEN, Campaign.Status.CLOSED])
@pytest.mark.parametrize("who", PERSONAS)
def test_get_matrix(w: World, who: str, status: str) -> None:
    Campaign.objects.filter(pk=w.campaign.pk).update(status=status)
    client = client_for(w, who)
    for name, url in URLS.items():
        response = client.get(url)
        code, what = expected(who, name)
        assert response.status_code == code, (who, name, status)
        if code == 302:
            assert response.headers["Location"] == what, (who, name)
        elif code == 200:
            page = response.content.decode()
            assert what in page, (who, name)
            if name == "home":
                listed = w.campaign.name in page
                assert listed == (status == Campaign.Status.OPEN), (who, status)


@pytest.mark.parametrize("who", PERSONAS)
def test_logout_post_matrix(w: World, who: str) -> None:
    client = client_for(w, who)
    response = client.post(URLS["logout"])
    assert response.status_code == 302 and response.headers["Location"] == URLS["login"]
    assert "_auth_user_id" not in client.session
    assert client.get(URLS["home"]).status_code == 302


@pytest.mark.parametrize("who", PERSONAS)
def test_password_change_post_matrix(w: World, who: str) -> None:
    """Only the signed-in user changes their own password; anonymous posts change nothing."""
    client = client_for(w, who)
    data = {"old_password": "x-Pass-12345", "new_password1": "Quiet-River-2024", "new_password2": "Quiet-River-2024"}
    response = client.post(URLS["password_change"], data)
    if who == "anonymous":
        assert response.headers["Location"].startswith("/accounts/login/")
        assert all(u.check_password("x-Pass-12345") for u in w.users.values())
        return
    assert response.headers["Location"] == URLS["password_change_done"]
    for name, user in w.users.items():
        user.refresh_from_db()
        assert user.check_password("Quiet-River-2024") == (name == who)
