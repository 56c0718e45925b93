"""The one way a view asks for access: `require(predicate)`.

An anonymous visitor is sent to sign in (keeping where they wanted to go); a signed-in user the
predicate refuses gets 404, so nobody learns whether another unit's page exists."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from campuseval.accounts.models import User

from .rules import Actor, signed_in

V = TypeVar("V", bound=Callable[..., HttpResponse])


def require(predicate: Callable[[Actor], bool] | None = None) -> Callable[[V], V]:
    """Sign-in, then `predicate(request.user)`; 404 when it refuses."""

    def decorator(view: V) -> V:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not signed_in(request.user):
                return redirect_to_login(request.get_full_path())
            if predicate is not None and not predicate(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


class AuthenticatedRequest(HttpRequest):
    """The request of a view that only signed-in users reach (`require`, `login_required`)."""

    user: User
