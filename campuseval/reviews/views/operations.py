"""A background review operation's page (automatic assignment, computing results): the
organizer lands here after asking for one; the status fragment is what htmx polls every two
seconds until the operation is done or failed, then it shows the outcome and stops polling.
Any organizer of the campaign may follow it; anyone else gets a 404."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from campuseval.access.rules import is_organizer
from campuseval.access.views import AuthenticatedRequest, require

from ..models import Operation
from .common import organizer_campaign


def _operation(request: AuthenticatedRequest, pk: int, op_pk: int) -> Operation:
    campaign = organizer_campaign(request, pk)
    operation = get_object_or_404(Operation.objects.select_related("user"), campaign=campaign, pk=op_pk)
    operation.campaign = campaign
    return operation


@require_GET
@require(is_organizer)
def operation(request: AuthenticatedRequest, pk: int, op_pk: int) -> HttpResponse:
    """The operation's page: what was asked, by whom, its progress and, once finished, its
    outcome (the problems an assignment met) or the reason it failed."""
    return render(request, "reviews/operations/operation.html", {"operation": _operation(request, pk, op_pk)})


@require_GET
@require(is_organizer)
def operation_status(request: AuthenticatedRequest, pk: int, op_pk: int) -> HttpResponse:
    """The status fragment alone (what the page polls)."""
    return render(request, "reviews/operations/_status.html", {"operation": _operation(request, pk, op_pk)})
