"""The retention period may not be shorter than the law allows: 网络安全法 §21 requires network
logs to be kept at least six months, so AUDIT_RETENTION_DAYS below 180 stops every command and
the server at start."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from .services import DEFAULT_RETENTION_DAYS, MIN_RETENTION_DAYS


@register()
def retention_is_lawful(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    value = getattr(settings, "AUDIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS)
    if isinstance(value, int) and not isinstance(value, bool) and value >= MIN_RETENTION_DAYS:
        return []
    return [
        Error(
            f"AUDIT_RETENTION_DAYS={value!r}：审计日志至少保存 {MIN_RETENTION_DAYS} 天"
            "（网络安全法第二十一条：网络日志留存不少于六个月）。",
            hint=f"设置 AUDIT_RETENTION_DAYS 为不小于 {MIN_RETENTION_DAYS} 的整数（默认 {DEFAULT_RETENTION_DAYS}）。",
            id="campuseval.E010",
        )
    ]
