"""Who may print what: an application's own unit, the county reviewer of its county, and the
organizer of its campaign; an expert only their own sheet."""

from __future__ import annotations

from typing import Any

from campuseval.accounts.models import Membership, Role
from campuseval.reviews.permissions import is_county_reviewer_for, is_organizer_for


def may_see_application(user: Any, application: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    own = Membership.objects.filter(
        user=user, unit=application.unit, role__in=[Role.APPLICANT, Role.HEAD, Role.COUNTY_REVIEWER]
    ).exists()
    return own or is_county_reviewer_for(user, application.unit) or is_organizer_for(user, application.campaign)
