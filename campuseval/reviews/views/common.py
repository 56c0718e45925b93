"""What the review pages share: the signed-in actor, the failed action's messages for the
page being re-rendered, the organizer's campaign lookup, and saving and confirming a county's
or a city's recommendation list."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from campuseval.access.rules import as_user, is_organizer_for
from campuseval.access.views import AuthenticatedRequest
from campuseval.accounts.models import User
from campuseval.applications.models import Application
from campuseval.audit.services import client_ip
from campuseval.campaigns.models import Campaign
from campuseval.campaigns.queries import organizer_campaigns
from campuseval.orgs.models import Unit

from .. import services
from ..forms import ConfirmListForm, RecommendationForm
from ..models import RecommendationList


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


def save_list(
    request: AuthenticatedRequest,
    form: RecommendationForm,
    candidates: Sequence[Application],
    save: Callable[[list[Application]], object],
    refused: Callable[[], HttpResponse],
    done: str,
    back: str,
) -> HttpResponse:
    """Save a county's or a city's recommendation list: the form checked, the picked
    candidates handed to `save` in order, a refusal shown on the page with what was typed."""
    if not form.is_valid():
        show_errors(request, form.problems())
        return refused()
    by_pk = {a.pk: a for a in candidates}
    try:
        save([by_pk[pk] for pk in form.picked() if pk in by_pk])
    except ValidationError as exc:
        show_errors(request, exc)
        return refused()
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, done)
    return redirect(back)


def confirm_list(
    request: AuthenticatedRequest,
    recommendation: RecommendationList,
    refused: Callable[[], HttpResponse],
    done: str,
    back: str,
) -> HttpResponse:
    """A named person confirms a saved list and it freezes."""
    form = ConfirmListForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.problems())
        services.confirm_recommendation(
            actor=actor(request),
            recommendation=recommendation,
            confirmed_name=form.cleaned_data["confirmed_name"],
            ip=client_ip(request),
        )
    except ValidationError as exc:
        show_errors(request, exc)
        return refused()
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, done)
    return redirect(back)
