"""Small helpers for the shell's templates."""

from __future__ import annotations

import datetime as dt

from django import template

register = template.Library()


@register.filter
def minutes(value: dt.timedelta | None) -> int:
    """A lock-out's cool-off as whole minutes (django-axes passes a timedelta)."""
    if not value:
        return 0
    return max(1, round(value.total_seconds() / 60))
