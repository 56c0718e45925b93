"""`{% copy_marked application code=… page=… as marked %}`: whether a carried-over indicator or
page of `applications/_copy_mark.html` still waits for the school's look (read from the
application's answers document: no query)."""

from __future__ import annotations

from django import template

from .. import copying
from ..models import Application

register = template.Library()


@register.simple_tag
def copy_marked(application: Application, code: str = "", page: str = "") -> bool:
    return copying.is_marked(application.answers or {}, code=code or "", page=page or "")
