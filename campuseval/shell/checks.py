"""System checks a deployment must pass before it starts (run by every management command and
by the server): with DEBUG off, the SECRET_KEY must be a real one."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

MIN_SECRET_KEY_LENGTH = 50


@register(Tags.security)
def secret_key_is_real(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG:
        return []
    key = str(settings.SECRET_KEY or "")
    placeholder = key == getattr(settings, "PLACEHOLDER_SECRET_KEY", None) or key.startswith("insecure-")
    if placeholder or len(key) < MIN_SECRET_KEY_LENGTH:
        return [
            Error(
                "SECRET_KEY 是本地占位值或过短（少于 50 个字符），DEBUG 关闭时不能使用。",
                hint='设置环境变量 SECRET_KEY，例如：python -c "import secrets; print(secrets.token_urlsafe(50))"',
                id="campuseval.E001",
            )
        ]
    return []
