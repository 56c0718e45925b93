"""Request/response plumbing of the shell: the chosen language, the sliding session expiry
written rarely, and private responses for signed-in users.

Chinese unless the user chose English.

Django's LocaleMiddleware follows the browser's Accept-Language, so an English-language browser
(or a headless test browser) would get English pages unasked. The platform's working language
is Chinese; English is one switch away (the language cookie set by Django's set_language)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_cache_control


class ChosenLanguageMiddleware(LocaleMiddleware):
    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or settings.LANGUAGE_CODE
        try:
            language = translation.get_supported_language_variant(chosen)
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


#: The session key holding when the expiry was last pushed forward (seconds since the epoch).
REFRESHED_KEY = "_refreshed"


class SlidingSessionMiddleware:
    """The inactivity expiry (SESSION_COOKIE_AGE after the last request) without a session write
    on every request: the session is saved (and its cookie re-sent) only when it has changed or
    when its expiry was last pushed forward more than SESSION_REFRESH_SECONDS ago. Sits after
    SessionMiddleware, which does the saving once the session is marked modified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty() or response.status_code >= 500:
            return response
        now = int(time.time())
        refreshed = session.get(REFRESHED_KEY)
        if not isinstance(refreshed, int) or now - refreshed >= settings.SESSION_REFRESH_SECONDS:
            session[REFRESHED_KEY] = now  # marks it modified: SessionMiddleware saves it with a new expiry
        return response


class PrivateResponseMiddleware:
    """A signed-in user's pages and files (PDFs, evidence, exports) are theirs alone: no shared cache
    or browser cache may keep them (`Cache-Control: private, no-store`, whatever the view said).
    Static files never get here (WhiteNoise answers them first); anonymous pages are left as they are."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers.pop("Cache-Control", None)
            add_never_cache_headers(response)
            patch_cache_control(response, private=True, no_store=True)
        return response


def stamp_login(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Signing in saves a new session anyway: stamp it then, so the first page after signing in
    does not write it a second time (connected to user_logged_in in ShellConfig.ready)."""
    session = getattr(request, "session", None)
    if session is not None:
        session[REFRESHED_KEY] = int(time.time())
