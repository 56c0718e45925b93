"""What the test provider says about its users (django-oidc-provider's OIDC_USERINFO hook)."""

from __future__ import annotations

from typing import Any


def userinfo(claims: dict[str, Any], user: Any) -> dict[str, Any]:
    claims["preferred_username"] = user.username
    claims["name"] = f"{user.last_name}{user.first_name}"
    claims["email"] = user.email
    claims["email_verified"] = bool(user.email)
    return claims
