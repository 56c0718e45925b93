"""Small template helpers for the application workspace."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: Any, key: str) -> Any:
    """`mapping|get:key` — dictionary lookup with a variable key."""
    if isinstance(mapping, dict):
        return mapping.get(key)
    return None
