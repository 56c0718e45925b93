"""What the review pages share: the signed-in actor, the failed action's messages for the
page being re-rendered, and the organizer's campaign lookup."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from campuseval.access.rules import as_user, is_organizer_for
from campuseval.access.views import AuthenticatedRequest
from campuseval.accounts.models import User
from campuseval.campaigns.models import Campaign
from campuseval.campaigns.queries import organizer_campaigns
from campuseval.orgs.models import Unit


def actor(request: HttpRequest) -> User:
    """The signed-in user (views are behind `require`, so an anonymous one is a 404)."""
    user = as_user(request.user)
    if user is None:
        raise Http404
    return user


def show_errors(request: HttpRequest, problems: ValidationError | Iterable[str]) -> None:
    """Keep a failed action's messages for the page being re-rendered (shown beside the form,
    with everything the user typed still in it)."""
    texts = problems.messages if isinstance(problems, ValidationError) else list(problems)
    request.review_errors = [*getattr(request, "review_errors", []), *texts]  # type: ignore[attr-defined]


def organizer_campaign(request: AuthenticatedRequest, pk: int) -> Campaign:
    campaign = get_object_or_404(organizer_campaigns(request.user).select_related("organizer"), pk=pk)
    if not is_organizer_for(request.user, campaign):
        raise Http404
    return campaign


def unit_by_code(code: str, field: str, what: str) -> Unit | None:
    """The unit with this code, None for an empty code; an unknown code names the field."""
    code = code.strip()
    if not code:
        return None
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise ValidationError({field: f"{what}「{code}」不存在，请核对"})
    return unit
