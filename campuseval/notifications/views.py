"""The notifications page of the signed-in user (for an organizer, with the e-mail copies that
could not be delivered in their region), and marking them read."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from campuseval.access.rules import as_user
from campuseval.access.views import AuthenticatedRequest, require

from . import queries, services
from .forms import MarkReadForm


@require()
def notification_list(request: AuthenticatedRequest) -> HttpResponse:
    items = queries.own_notifications(request.user)[: queries.PAGE]
    failed = queries.failed_emails(request.user)[: queries.FAILED_PAGE]
    return render(request, "notifications/list.html", {"items": items, "failed": failed, "form": MarkReadForm()})


@require()
@require_POST
def mark_read(request: AuthenticatedRequest) -> HttpResponse:
    user = as_user(request.user)
    if MarkReadForm(request.POST).is_valid() and user is not None:
        services.mark_all_read(user=user)
    return redirect("notifications:list")
