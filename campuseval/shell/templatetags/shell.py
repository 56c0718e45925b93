"""Small helpers for the shell's templates."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.html import json_script
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from campuseval.shell.js_messages import JS_MESSAGES

register = template.Library()


@register.filter
def minutes(value: dt.timedelta | None) -> int:
    """A lock-out's cool-off as whole minutes (django-axes passes a timedelta)."""
    if not value:
        return 0
    return max(1, round(value.total_seconds() / 60))


@register.simple_tag
def js_messages() -> SafeString:
    """The scripts' messages in the active language, as the JSON block js/i18n.js reads."""
    return json_script({message: gettext(message) for message in JS_MESSAGES}, "js-messages")
