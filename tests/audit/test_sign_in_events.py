"""Issue 12 item 7: sign-in, sign-out, a failed sign-in and a lock-out leave audit entries with
the client address (read through the trusted proxy) and the user name tried, never a password."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse

from campuseval.accounts.models import Role
from campuseval.audit import signals
from campuseval.audit.models import AuditEntry
from tests.factories import PASSWORD, UnitFactory, person

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"
CLIENT = "203.0.113.9"
WRONG = "Wr0ng-pass-word!"


@pytest.fixture
def behind_proxy(settings):  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXIES = [PROXY]
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.1, {CLIENT}")


def everything_logged() -> str:
    return json.dumps(list(AuditEntry.objects.values()), default=str, ensure_ascii=False)


def test_sign_in_and_sign_out_are_recorded_with_the_client_address(behind_proxy: Client) -> None:
    city = UnitFactory.city(name="演示市")
    user = person("organizer1", city, Role.ORGANIZER, display_name="市组织者")
    response = behind_proxy.post(reverse("accounts:login"), {"username": "organizer1", "password": PASSWORD})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="auth.login")
    assert (entry.actor_id, entry.actor_name, entry.ip, entry.unit_id) == (user.pk, "市组织者", CLIENT, city.pk)
    assert entry.summary == "登录成功"
    behind_proxy.post(reverse("accounts:logout"))
    entry = AuditEntry.objects.get(action="auth.logout")
    assert (entry.actor_id, entry.ip, entry.summary) == (user.pk, CLIENT, "退出登录")
    assert PASSWORD not in everything_logged()


def test_a_failed_sign_in_records_the_name_tried_but_not_the_password(behind_proxy: Client) -> None:
    school = UnitFactory.school(UnitFactory.county(UnitFactory.city()))
    person("head1", school, Role.HEAD)
    response = behind_proxy.post(reverse("accounts:login"), {"username": "head1", "password": WRONG})
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert (entry.actor_id, entry.actor_name, entry.ip, entry.unit_id) == (None, "head1", CLIENT, school.pk)
    assert entry.summary == "登录失败：用户名“head1”"
    # an unknown name is recorded as typed, control characters removed
    behind_proxy.post(reverse("accounts:login"), {"username": "nobody\x07", "password": WRONG})
    unknown = AuditEntry.objects.filter(action="auth.login_failed").exclude(pk=entry.pk).get()
    assert (unknown.actor_name, unknown.unit_id) == ("nobody", None)
    # a NUL (refused by PostgreSQL) in the name is no server error
    response = behind_proxy.post(reverse("accounts:login"), {"username": "nul\x00name", "password": WRONG})
    assert response.status_code == 200
    # a sign-in path without the form's checks hands the audit's receiver the raw name (sent to it
    # alone: django-axes' own receiver is not the audit's to test)
    request = RequestFactory().post("/", REMOTE_ADDR=CLIENT)
    signals.login_failed(
        sender=__name__, credentials={"username": "nul\x00" + "长" * 300, "password": "********"}, request=request
    )
    raw = AuditEntry.objects.filter(action="auth.login_failed").latest("pk")
    assert raw.actor_name == "nul" + "长" * 147 and raw.after == {"username": raw.actor_name}
    assert WRONG not in everything_logged()
    assert not AuditEntry.objects.filter(action="auth.login").exists()


def test_a_lock_out_is_recorded(behind_proxy: Client) -> None:
    school = UnitFactory.school(UnitFactory.county(UnitFactory.city()))
    person("officer1", school, Role.APPLICANT)
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        behind_proxy.post(reverse("accounts:login"), {"username": "officer1", "password": WRONG})
        if AuditEntry.objects.filter(action="auth.locked_out").exists():
            break
    entry = AuditEntry.objects.get(action="auth.locked_out")
    assert (entry.actor_name, entry.ip, entry.unit_id) == ("officer1", CLIENT, school.pk)
    assert entry.summary == "连续登录失败，已锁定：用户名“officer1”"
    assert AuditEntry.objects.filter(action="auth.login_failed").count() >= settings.AXES_FAILURE_LIMIT
    assert WRONG not in everything_logged()
