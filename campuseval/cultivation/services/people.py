"""Who a project's messages go to and who may act on it: the unit's school roles, the
organizer chain, the project's page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from campuseval.access.rules import SCHOOL_ROLES, is_organizer_for
from campuseval.accounts.models import Membership, Role, User
from campuseval.campaigns.models import Campaign

from ..models import Project


def require_organizer(actor: User, campaign: Campaign) -> None:
    if not is_organizer_for(actor, campaign):
        raise PermissionDenied


def unit_users(project: Project) -> list[User]:
    memberships = Membership.objects.filter(unit_id=project.unit_id, role__in=SCHOOL_ROLES).select_related("user")
    return list({m.user_id: m.user for m in memberships}.values())


def organizer_users(project: Project) -> list[User]:
    chain = project.selection.organizer.path_ids
    memberships = Membership.objects.filter(unit_id__in=chain, role=Role.ORGANIZER).select_related("user")
    return list({m.user_id: m.user for m in memberships}.values())


def project_link(project: Project) -> str:
    return f"/cultivation/{project.pk}/"
