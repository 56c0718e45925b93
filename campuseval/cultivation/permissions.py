"""Who may act on a cultivation project: the organizer of its selection campaign (at the
organizing unit or above) decides; the unit itself (applicant or head) submits its plan and
reads its progress; the county reviewer above a school reads it."""

from __future__ import annotations

from typing import Any

from campuseval.accounts.models import Membership, Role
from campuseval.reviews.permissions import is_organizer_for

from .models import Project

UNIT_ROLES = (Role.APPLICANT, Role.HEAD)


def is_project_organizer(user: Any, project: Project) -> bool:
    return is_organizer_for(user, project.selection)


def is_project_unit(user: Any, project: Project) -> bool:
    """The unit's own applicant or head (who upload the implementation plan)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(user=user, unit_id=project.unit_id, role__in=UNIT_ROLES).exists()
