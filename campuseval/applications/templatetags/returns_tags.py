"""`{% return_notice application as notice %}`: the return notice of the workspace partial
`applications/_returned.html`, read only where that partial shows it (a returned application),
so the other workspace pages and the autosave fragments pay nothing for it."""

from __future__ import annotations

from django import template

from .. import returns, services
from ..models import Application

register = template.Library()


@register.simple_tag
def return_notice(application: Application) -> returns.ReturnNotice | None:
    return returns.return_notice(application, services.framework_of(application), services.form_definition(application))
