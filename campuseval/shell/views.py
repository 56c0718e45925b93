"""The shell's own page: the home page every role lands on after signing in. Read-only and
thin; the data comes from queries.py."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from campuseval.access.views import AuthenticatedRequest
from campuseval.accounts.models import Role
from campuseval.reviews import queries as review_queries

from . import queries
from .navigation import shell_for


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    """Greets the user and shows, per role, cards for what they can do now and the running
    campaigns that concern their units."""
    shell = shell_for(request)
    assert shell is not None  # login_required
    roles = shell.roles
    context: dict[str, Any] = {"campaigns": queries.related_campaigns(shell)}
    if shell.is_school:
        context["school"] = queries.school_summary(shell)
        #: for heads: what waits for their confirmation or correction (None for the others)
        context["head_waiting"] = queries.head_waiting(shell)
        #: the school's final results, each a link to its result page (else reached only from
        #: the notification sent at publication)
        context["results"] = list(
            review_queries.results_for_applicant(request.user).order_by("-campaign__year", "-pk")[:5]
        )
    if Role.COUNTY_REVIEWER in roles:
        context["county_pending"] = queries.county_pending(shell)
    if Role.EXPERT in roles:
        context["expert_pending"] = queries.expert_pending(request.user)
    context["is_organizer"] = Role.ORGANIZER in roles
    context["may_import"] = bool(roles & {Role.ORGANIZER, Role.ADMIN}) or request.user.is_superuser
    return render(request, "shell/home.html", context)
