"""Single sign-on without a browser: which account a provider's value finds for each SSO_MATCH
choice (and when it finds none), the switches (off: 404 and no button), password sign-in
untouched by the SSO backends, and the sign-out that goes on to the CAS server."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from campuseval.accounts import sso
from campuseval.accounts.models import User
from campuseval.audit.models import AuditEntry
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SSO_URLS = ("sso:oidc_login", "sso:oidc_callback", "sso:cas_login")


@pytest.fixture
def people(db: None) -> dict[str, User]:
    return {
        "wang": UserFactory(
            username="wangfang", display_name="王芳", staff_no="T2024001", phone="13800000001",
            email="Wang.Fang@example.edu.cn",
        ),
        "li": UserFactory(
            username="liting", display_name="李停", staff_no="T2024002", phone="13800000002",
            email="li.ting@example.edu.cn", is_active=False,
        ),
        # two accounts share one phone number (a school's duty phone): matching by phone must not pick one
        "duty1": UserFactory(username="duty1", phone="05550000000", email="duty1@example.edu.cn"),
        "duty2": UserFactory(username="duty2", phone="05550000000", email="duty2@example.edu.cn"),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("staff_no", "T2024001"),
        ("username", "WangFang"),  # user names are compared without case
        ("phone", "13800000001"),
        ("email", "wang.fang@EXAMPLE.edu.cn"),  # so are e-mail addresses
    ],
)
def test_each_match_choice_finds_the_one_account(
    settings: Any, people: dict[str, User], field: str, value: str
) -> None:
    settings.SSO_MATCH = field
    user, reason = sso.find_account(value=value)
    assert reason is None and user == people["wang"]
    # the other fields' values do not match under this choice
    others = {
        "staff_no": "T2024001",
        "username": "wangfang",
        "phone": "13800000001",
        "email": "wang.fang@example.edu.cn",
    }
    for other_field, other_value in others.items():
        if other_field != field:
            assert sso.find_account(value=other_value) == (None, sso.Refusal.UNKNOWN), other_field


@pytest.mark.parametrize("field", ["staff_no", "username", "phone", "email"])
def test_no_match_a_disabled_account_and_a_missing_value_are_refused(
    settings: Any, people: dict[str, User], field: str
) -> None:
    settings.SSO_MATCH = field
    li = people["li"]
    assert sso.find_account(value=str(getattr(li, field))) == (None, sso.Refusal.INACTIVE)
    assert sso.find_account(value="nobody-here") == (None, sso.Refusal.UNKNOWN)
    assert sso.find_account(value="") == (None, sso.Refusal.MISSING)


def test_a_value_two_accounts_share_is_refused(settings: Any, people: dict[str, User]) -> None:
    settings.SSO_MATCH = "phone"
    assert sso.find_account(value="05550000000") == (None, sso.Refusal.AMBIGUOUS)
    assert "手机重复" in sso.refusal_message(sso.Refusal.AMBIGUOUS)


def test_staff_numbers_are_compared_exactly(settings: Any, people: dict[str, User]) -> None:
    settings.SSO_MATCH = "staff_no"
    assert sso.find_account(value="t2024001") == (None, sso.Refusal.UNKNOWN)


def test_an_unknown_match_setting_is_an_error_not_a_silent_nobody(settings: Any, people: dict[str, User]) -> None:
    settings.SSO_MATCH = "display_name"
    with pytest.raises(ValueError, match="SSO_MATCH"):
        sso.find_account(value="王芳")


@pytest.mark.parametrize(
    ("raw", "value"),
    [("T2024001", "T2024001"), (" T2024001 ", "T2024001"), (["T2024001"], "T2024001"), (2024001, "2024001"),
     (["a", "b"], ""), (None, ""), ({"x": 1}, ""), (True, "")],
)  # fmt: skip
def test_provided_values_become_one_string(raw: Any, value: str) -> None:
    assert sso.provided_value(raw) == value


def test_refusals_are_audited_with_the_value_and_the_reason(rf: Any, settings: Any, people: dict[str, User]) -> None:
    settings.SSO_MATCH = "staff_no"
    request = rf.get("/accounts/sso/cas/login/")
    assert sso.resolve(request=request, method="cas", value="T2024999") is None
    assert sso.refusal_of(request) is sso.Refusal.UNKNOWN
    entry = AuditEntry.objects.get(action="accounts.sso_refused")
    assert entry.actor_id is None and entry.after["value"] == "T2024999" and entry.after["reason"] == "unknown"
    assert "未找到与统一身份认证账号对应的平台账号，请联系本单位管理员" in entry.summary
    assert sso.resolve(request=request, method="cas", value="T2024002") is None
    disabled = AuditEntry.objects.get(action="accounts.sso_refused", after__reason="inactive")
    assert disabled.object_id == str(people["li"].pk)
    assert User.objects.count() == 4  # nothing created


def test_switched_off_the_urls_answer_404_and_the_login_page_has_no_button(client: Client, settings: Any) -> None:
    settings.OIDC_ENABLED = False
    settings.CAS_ENABLED = False
    for name in SSO_URLS:
        assert client.get(reverse(name)).status_code == 404, name
    page = client.get(reverse("accounts:login")).content.decode()
    assert "统一身份认证登录" not in page and 'id="sso-buttons"' not in page


def test_switched_on_each_provider_has_a_button(client: Client, settings: Any) -> None:
    settings.OIDC_ENABLED = True
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "http://127.0.0.1:9/authorize"
    settings.OIDC_RP_CLIENT_ID = "campuseval"
    settings.CAS_ENABLED = False
    page = client.get(reverse("accounts:login") + "?next=/reviews/").content.decode()
    assert page.count("统一身份认证登录") == 1 and 'id="sso-oidc"' in page and 'id="sso-cas"' not in page
    assert 'href="/accounts/sso/oidc/login/?next=%2Freviews%2F"' in page
    settings.CAS_ENABLED = True
    settings.CAS_SERVER_URL = "http://127.0.0.1:9/cas/"
    settings.CAS_PROVIDER_LABEL = "市教育局"
    page = client.get(reverse("accounts:login")).content.decode()
    assert page.count("统一身份认证登录") == 2 and "（OIDC）" in page and "（市教育局）" in page
    # the OIDC button goes to the provider with a state kept in the session; the CAS one to its server
    answer = client.get(reverse("sso:oidc_login") + "?next=/reviews/")
    assert answer.status_code == 302 and answer["Location"].startswith("http://127.0.0.1:9/authorize?")
    assert "client_id=campuseval" in answer["Location"] and "code_challenge=" in answer["Location"]
    assert client.session["oidc_login_next"] == "/reviews/"
    answer = client.get(reverse("sso:cas_login"))
    assert answer.status_code == 302 and answer["Location"].startswith("http://127.0.0.1:9/cas/login?service=")
    assert client.session.get(SESSION_KEY) is None


def test_password_sign_in_is_untouched_by_the_sso_backends(
    client: Client, settings: Any, people: dict[str, User]
) -> None:
    settings.OIDC_ENABLED = True
    settings.CAS_ENABLED = True
    # a code and state on the password form must not make the OIDC backend call anyone
    answer = client.post(reverse("accounts:login") + "?code=x&state=y", {"username": "wangfang", "password": PASSWORD})
    assert answer.status_code == 302
    assert client.session[SESSION_KEY] == str(people["wang"].pk)
    assert not AuditEntry.objects.filter(action__startswith="accounts.sso").exists()


def test_callback_without_a_round_trip_signs_nobody_in(client: Client, settings: Any, people: dict[str, User]) -> None:
    settings.OIDC_ENABLED = True
    answer = client.get(reverse("sso:oidc_callback"))
    assert answer.status_code == 400 and "统一身份认证登录未完成" in answer.content.decode()
    assert client.session.get(SESSION_KEY) is None


def test_sign_out_after_cas_goes_on_to_the_cas_server(client: Client, settings: Any, people: dict[str, User]) -> None:
    settings.CAS_ENABLED = True
    settings.CAS_SERVER_URL = "http://127.0.0.1:9/cas/"
    client.force_login(people["wang"])
    session = client.session
    session[sso.SESSION_METHOD] = "cas"
    session.save()
    home = client.get("/").content.decode()
    assert 'action="/accounts/sso/logout/"' in home
    answer = client.post(reverse("sso:logout"))
    # a page that goes on by itself (a form's redirect to another site would break the CSP's form-action)
    cas_logout = "http://127.0.0.1:9/cas/logout?service=http%3A%2F%2Ftestserver%2Faccounts%2Flogin%2F"
    page = answer.content.decode()
    assert answer.status_code == 200 and f'<meta http-equiv="refresh" content="0;url={cas_logout}">' in page
    assert f'href="{cas_logout}"' in page and "已退出平台" in page
    assert client.session.get(SESSION_KEY) is None
    # a password session signs out locally, as before
    client.force_login(people["wang"])
    assert 'action="/accounts/logout/"' in client.get("/").content.decode()
    answer = client.post(reverse("sso:logout"))
    assert answer.status_code == 302 and answer["Location"] == reverse("accounts:login")
    assert client.get(reverse("sso:logout")).status_code == 405
