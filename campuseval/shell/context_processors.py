"""What every page of the shell needs: the site's name, the session's lifetime and, lazily, the
signed-in user's roles, navigation and unread notifications (see navigation.py)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext, gettext_noop

from .navigation import shell_for

#: settings.SITE_NAME's default, in the catalogue so an English page names the product in English;
#: a name a bureau sets for itself is shown as it is set
DEFAULT_SITE_NAME = gettext_noop("智慧校园评估遴选平台")


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "SITE_NAME": gettext(settings.SITE_NAME),
        "SESSION_HOURS": settings.SESSION_COOKIE_AGE // 3600,
        # Evaluated only by templates that show it (base.html), so htmx fragments cost nothing.
        "shell": SimpleLazyObject(lambda: shell_for(request)),
    }
