"""The login page's 统一身份认证登录 buttons: one per provider switched on in the settings."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


@register.simple_tag
def sso_providers(next_url: str = "") -> list[dict[str, str]]:
    """id, link and label of each enabled provider (none when both are off). The label names
    the provider only when there are two to tell apart or the deployment named it."""
    on = [
        (method, url_name, str(getattr(settings, f"{method.upper()}_PROVIDER_LABEL", "") or ""))
        for method, url_name in (("oidc", "sso:oidc_login"), ("cas", "sso:cas_login"))
        if getattr(settings, f"{method.upper()}_ENABLED", False)
    ]
    query = f"?{urlencode({'next': next_url})}" if next_url else ""
    return [
        {
            "id": f"sso-{method}",
            "url": reverse(url_name) + query,
            "label": label or (method.upper() if len(on) > 1 else ""),
        }
        for method, url_name, label in on
    ]
