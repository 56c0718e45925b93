"""Single sign-on (统一身份认证): the OIDC and CAS authentication backends and the one rule both
follow to find the platform account a provider's person is.

The provider only vouches for who someone is; what they may do here stays the platform's
business. So a backend never creates an account, a role or a unit: it looks up the existing
account whose field named by settings.SSO_MATCH (工号 staff_no, username, phone or email) equals
the value the provider sent (an OIDC claim named by OIDC_MATCH_CLAIM, or the CAS user name or
the attribute named by CAS_MATCH_ATTRIBUTE). No account, two accounts, or a disabled account:
nobody is signed in, and the reason is noted on the request for the page that explains it.

Both backends stay in AUTHENTICATION_BACKENDS whether their protocol is on or not (a session
signed in through one names it on every request); switched off, they answer None to everything."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.urls import reverse
from django_cas_ng.backends import CASBackend as BaseCASBackend
from django_cas_ng.utils import get_cas_client
from mozilla_django_oidc.auth import OIDCAuthenticationBackend  # type: ignore[import-untyped]

from campuseval.audit.services import client_ip, record

from .models import User

LOGGER = logging.getLogger(__name__)

#: the account fields a provider's value may be matched against (settings.SSO_MATCH)
MATCH_FIELDS: dict[str, str] = {
    "staff_no": "工号",
    "username": "用户名",
    "phone": "手机",
    "email": "电子邮箱",
}
#: fields compared without regard to case (user names and e-mail addresses are typed both ways)
CASELESS = {"username", "email"}
#: how each method is named in the audit and on the pages
METHODS = {"oidc": "OIDC", "cas": "CAS"}
#: the session key that remembers how this session signed in (sign-out at the CAS server)
SESSION_METHOD = "campuseval_sso_method"
#: where a backend leaves its reason for refusing on the request (read by the callback views)
REFUSAL_ATTR = "campuseval_sso_refusal"


class Refusal(StrEnum):
    MISSING = "missing"  # the provider sent no value to match
    UNKNOWN = "unknown"  # no platform account has that value
    AMBIGUOUS = "ambiguous"  # more than one account has it
    INACTIVE = "inactive"  # the account is disabled


REFUSAL_TEXT: dict[Refusal, str] = {
    Refusal.MISSING: "统一身份认证未提供用于匹配平台账号的信息（{field}），请联系本单位管理员",
    Refusal.UNKNOWN: "未找到与统一身份认证账号对应的平台账号，请联系本单位管理员",
    Refusal.AMBIGUOUS: "统一身份认证账号对应了多个平台账号（{field}重复），请联系本单位管理员",
    Refusal.INACTIVE: "与统一身份认证账号对应的平台账号已停用，请联系本单位管理员",
}


def match_field() -> str:
    """The configured account field; an unknown setting is a deployment error said plainly
    (campuseval would otherwise match nobody and every sign-in would look like an unknown person)."""
    field = str(getattr(settings, "SSO_MATCH", "staff_no"))
    if field not in MATCH_FIELDS:
        raise ValueError(f"SSO_MATCH={field!r}：只能是 {' / '.join(MATCH_FIELDS)}")
    return field


def provided_value(raw: Any) -> str:
    """A claim or attribute as one string: providers send multi-valued attributes as lists
    (CAS) and numbers as numbers (a 工号 claim); blanks around it are not part of it."""
    if isinstance(raw, list | tuple):
        raw = raw[0] if len(raw) == 1 else None
    if raw is None or isinstance(raw, dict | bool):
        return ""
    return str(raw).strip()


def matching_accounts(*, value: str, field: str | None = None) -> list[User]:
    """Every account whose `field` (default settings.SSO_MATCH) equals `value`, at most two
    (two already make it ambiguous). Inactive accounts are included: refusing them is a
    separate, explained answer."""
    field = field or match_field()
    if field not in MATCH_FIELDS:
        raise ValueError(f"不能按 {field!r} 匹配账号")
    if not value:
        return []
    lookup = f"{field}__iexact" if field in CASELESS else field
    return list(User.objects.filter(**{lookup: value}).order_by("pk")[:2])


def find_account(*, value: str, field: str | None = None) -> tuple[User | None, Refusal | None]:
    """The one active account the provider's value names, or the reason there is none."""
    if not value:
        return None, Refusal.MISSING
    found = matching_accounts(value=value, field=field)
    if not found:
        return None, Refusal.UNKNOWN
    if len(found) > 1:
        return None, Refusal.AMBIGUOUS
    if not found[0].is_active:
        return None, Refusal.INACTIVE
    return found[0], None


def refusal_of(request: HttpRequest) -> Refusal | None:
    reason = getattr(request, REFUSAL_ATTR, None)
    return reason if isinstance(reason, Refusal) else None


def refusal_message(reason: Refusal) -> str:
    return REFUSAL_TEXT[reason].format(field=MATCH_FIELDS.get(str(getattr(settings, "SSO_MATCH", "")), ""))


def record_sign_in(*, request: HttpRequest, user: User, method: str) -> None:
    """Audit the sign-in with the method it came through (the generic sign-in entry does not
    know whether a password or a provider vouched), and remember the method in the session so
    signing out also signs out at the CAS server."""
    request.session[SESSION_METHOD] = method
    record(
        actor=user,
        action="accounts.sso_sign_in",
        obj=user,
        summary=f"通过统一身份认证（{METHODS[method]}）登录",
        after={"method": method, "match": match_field()},
        ip=client_ip(request),
    )


def record_refusal(*, request: HttpRequest, method: str, value: str, reason: Refusal, account: User | None) -> None:
    """Audit a provider's person the platform turned away: who the provider said it was
    (the value matched on), and why, so an administrator asked about it can find the entry."""
    record(
        actor=None,
        action="accounts.sso_refused",
        obj=account,
        summary=f"统一身份认证（{METHODS[method]}）登录被拒绝：{refusal_message(reason)}"[:300],
        after={"method": method, "match": match_field(), "value": value[:150], "reason": str(reason)},
        ip=client_ip(request),
    )


def resolve(*, request: HttpRequest, method: str, value: str) -> User | None:
    """The account to sign in for a provider's value, or None with the reason noted on the
    request and audited."""
    user, reason = find_account(value=value)
    if reason is not None:
        setattr(request, REFUSAL_ATTR, reason)
        account = matching_accounts(value=value)[0] if reason is Refusal.INACTIVE else None
        record_refusal(request=request, method=method, value=value, reason=reason, account=account)
        return None
    return user


def exempt_from_lockout(request: HttpRequest | None, credentials: Mapping[str, Any] | None = None) -> bool:
    """AXES_WHITELIST_CALLABLE: a provider's round trip is not a password attempt. Guessing
    happens at the provider; counted here, its failures would carry no user name and five unknown
    people behind a school's one address would lock single sign-on for the whole school."""
    if request is None:
        return False
    return request.path in {reverse("sso:oidc_callback"), reverse("sso:cas_login")}


class OIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """mozilla-django-oidc's code flow (token, signature, nonce, userinfo), with the account
    found by `resolve` instead of by e-mail and never created."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Switched off, the OIDC_OP_* settings may be empty: do not read them.
        self.enabled = bool(getattr(settings, "OIDC_ENABLED", False))
        if self.enabled:
            super().__init__(*args, **kwargs)
        self.UserModel = User

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> AbstractBaseUser | None:
        # Only the callback may exchange a code: a password form posted with ?code=&state=
        # must not send anything to the provider.
        if not self.enabled or request is None or "nonce" not in kwargs:
            return None
        if request.path != reverse(settings.OIDC_AUTHENTICATION_CALLBACK_URL):
            return None
        self.method_request = request
        user: AbstractBaseUser | None = super().authenticate(request, **kwargs)
        return user

    def verify_claims(self, claims: Mapping[str, Any]) -> bool:
        # The configured claim is looked at in get_or_create_user; a missing one is explained there.
        return True

    def get_or_create_user(self, access_token: str, id_token: str, payload: Mapping[str, Any]) -> User | None:
        claims = self.get_userinfo(access_token, id_token, payload)
        claim = str(getattr(settings, "OIDC_MATCH_CLAIM", "preferred_username"))
        value = provided_value(claims.get(claim, payload.get(claim)))
        return resolve(request=self.method_request, method="oidc", value=value)

    def create_user(self, claims: Mapping[str, Any]) -> None:
        raise AssertionError("single sign-on never creates accounts")

    def get_user(self, user_id: Any) -> AbstractBaseUser | None:
        # mozilla-django-oidc's own get_user would keep a disabled account's session alive
        return ModelBackend.get_user(self, user_id)


class CASBackend(BaseCASBackend):
    """django-cas-ng's ticket validation (python-cas against CAS_SERVER_URL), with the account
    found by `resolve` (the CAS user name, or the attribute CAS_MATCH_ATTRIBUTE) and never
    created; none of django-cas-ng's group, staff or attribute copying is used."""

    def authenticate(self, request: HttpRequest, ticket: str, service: str) -> User | None:  # type: ignore[override]
        if not getattr(settings, "CAS_ENABLED", False) or request is None or not ticket:
            return None
        client = get_cas_client(service_url=service, request=request)
        username, attributes, _pgtiou = client.verify_ticket(ticket)
        if not username:
            return None  # the server refused the ticket: no person to speak of
        attribute = str(getattr(settings, "CAS_MATCH_ATTRIBUTE", "") or "")
        raw = (attributes or {}).get(attribute) if attribute else username
        return resolve(request=request, method="cas", value=provided_value(raw))
