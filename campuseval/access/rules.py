"""Who may see and act on what: every access decision of the platform, in one place.

A person's rights come from their memberships (a role held at a unit, see `accounts`). From them
follow a few unit sets — the user's own units, the units below their county, the units below
their organizer units (any depth) — and from those the predicates below. Views, services and
querysets in every app ask these functions and never decide access themselves, so one change
here changes it everywhere and the permission matrix in the tests checks it once.

The predicates read plain attributes of the objects they are given (`unit_id`, `status`,
`campaign.organizer`…) and import no model above the bottom floor, so every app can use them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import post_delete, post_save

from campuseval.accounts.models import Membership, Role, User
from campuseval.orgs.models import SEP, Subtree, Unit, minimal_paths

#: Whoever sends a request: a signed-in user or the anonymous visitor.
Actor: TypeAlias = User | AnonymousUser

#: The school's own people: the informatization officer (填报员) and the head (负责人).
SCHOOL_ROLES: tuple[str, ...] = (Role.APPLICANT, Role.HEAD)
#: Roles that read the campaigns covering their unit.
COVERED_ROLES: tuple[str, ...] = (Role.APPLICANT, Role.HEAD, Role.COUNTY_REVIEWER)
#: Roles that manage the unit tree of their region.
UNIT_MANAGER_ROLES: tuple[str, ...] = (Role.ORGANIZER, Role.ADMIN)
#: Roles that may import accounts, experts and frameworks.
IMPORT_ROLES: tuple[str, ...] = (Role.ORGANIZER, Role.ADMIN)


class CampaignLike(Protocol):
    organizer: Unit
    organizer_id: int


def as_user(user: Actor | None) -> User | None:
    """The signed-in `User`, or None for an anonymous visitor."""
    return user if isinstance(user, User) and user.is_authenticated else None


def signed_in(user: Actor | None) -> bool:
    return as_user(user) is not None


# --- units ---------------------------------------------------------------------------------------


#: Bumped on every membership write in this process: a user object's remembered memberships
#: are read again after any change, so a grant or a withdrawal counts from the next check.
_generation = [0]


def _membership_changed(**kwargs: Any) -> None:
    _generation[0] += 1


post_save.connect(_membership_changed, sender=Membership, dispatch_uid="access.membership_saved")
post_delete.connect(_membership_changed, sender=Membership, dispatch_uid="access.membership_deleted")


@dataclass(frozen=True)
class Held:
    """One role held at one unit, with what the predicates compare: the unit's path and kind."""

    role: str
    unit_id: int
    path: str
    kind: str


def held(user: User) -> tuple[Held, ...]:
    """The user's roles with their units' paths, read once per user object and generation.

    A page asks several predicates about the same person (may they see it, edit it, are they
    its head…); each used to read the memberships again. The user object of a request lives
    for that request, so what is remembered on it is never older than the request."""
    cached: tuple[int, tuple[Held, ...]] | None = getattr(user, "_access_held", None)
    if cached is not None and cached[0] == _generation[0]:
        return cached[1]
    generation = _generation[0]
    rows = tuple(
        Held(*row)
        for row in Membership.objects.filter(user=user)
        .order_by("pk")
        .values_list("role", "unit_id", "unit__path", "unit__kind")
    )
    user._access_held = (generation, rows)  # type: ignore[attr-defined]
    return rows


def remember_held(user: User, rows_json: str) -> None:
    """Hand `held` the memberships read with the user (`backends.HeldRows`: JSON text of
    `[role, unit_id, path, kind]` rows), so that it does not read them again for this object."""
    rows = tuple(
        Held(str(role), int(unit_id), str(path), str(kind)) for role, unit_id, path, kind in json.loads(rows_json)
    )
    user._access_held = (_generation[0], rows)  # type: ignore[attr-defined]


def memberships(user: User) -> frozenset[tuple[str, int]]:
    """The user's (role, unit id) pairs."""
    return frozenset((h.role, h.unit_id) for h in held(user))


def region_with(user: Actor | None, *roles: str) -> Subtree:
    """Everything at or under the units where the user holds one of `roles` (no query beyond
    the memberships)."""
    signed = as_user(user)
    if signed is None:
        return Subtree()
    return Subtree(minimal_paths(h.path for h in held(signed) if h.role in roles))


def unit_ids_with(user: Actor | None, *roles: str) -> set[int]:
    """Units where the user holds one of `roles` (empty for anonymous users)."""
    signed = as_user(user)
    if signed is None:
        return set()
    return {unit_id for role, unit_id in memberships(signed) if role in roles}


def holds_role(user: Actor | None, *roles: str) -> bool:
    signed = as_user(user)
    return signed is not None and any(role in roles for role, _ in memberships(signed))


def county_of(unit: Unit) -> Unit | None:
    """The county/district a unit belongs to (a district applicant is its own county)."""
    return unit.ancestor_of_kind(Unit.Kind.COUNTY)


#: Units above which a school may sit with no county between: a 市直 school directly under its
#: city, a 省直 school directly under the province.
DIRECT_PARENT_KINDS: tuple[str, ...] = (Unit.Kind.CITY, Unit.Kind.PROVINCE)
#: Roles that, held at such a city or province, take the county step (初审 and the recommendation
#: list within the county quota) for the schools directly under it. A 市直 school has no county
#: reviewer, so the city's reviewer acts as one (or its organizer where the city has no separate
#: reviewer); likewise the province's reviewer or organizer for a 省直 school. Only the direct
#: parent counts: the province does not review a 市直 school, the city not a county's school.
DIRECT_REVIEWER_ROLES: tuple[str, ...] = (Role.COUNTY_REVIEWER, Role.ORGANIZER)


def is_direct_school(unit: Unit) -> bool:
    """A 市直 / 省直 school: a school whose parent is a city or the province (no county). Reads
    the parent, one query unless it is already loaded."""
    return unit.kind == Unit.Kind.SCHOOL and unit.parent is not None and unit.parent.kind in DIRECT_PARENT_KINDS


def first_review_unit(unit: Unit) -> Unit | None:
    """The unit whose reviewer takes the county step for this applicant: its county; for a 市直
    school its city, for a 省直 school the province; None for a unit no one first-reviews (a
    city or the province itself)."""
    county = county_of(unit)
    if county is not None:
        return county
    return unit.parent if is_direct_school(unit) else None


def _direct_review_ids(user: User) -> set[int]:
    """Cities and provinces where the user holds a role that first-reviews their direct schools."""
    return {h.unit_id for h in held(user) if h.role in DIRECT_REVIEWER_ROLES and h.kind in DIRECT_PARENT_KINDS}


def direct_review_units(user: Actor | None) -> set[int]:
    """Ids of the cities and provinces whose 市直 / 省直 schools the user first-reviews (their own
    memberships' units, never a list of descendants)."""
    signed = as_user(user)
    return _direct_review_ids(signed) if signed is not None else set()


def reviews_first_step_at(user: Actor | None, unit: Unit) -> bool:
    """The user keeps the county-step list of `unit`: its county reviewer when it is a county;
    at a city or the province, a reviewer or organizer there (the list of its direct schools)."""
    signed = as_user(user)
    if signed is None:
        return False
    if unit.kind == Unit.Kind.COUNTY:
        return any(h.role == Role.COUNTY_REVIEWER and h.unit_id == unit.pk for h in held(signed))
    return unit.kind in DIRECT_PARENT_KINDS and unit.pk in _direct_review_ids(signed)


def own_units(user: Actor | None) -> set[int]:
    """The schools or districts the user applies for (applicant or head)."""
    return unit_ids_with(user, *SCHOOL_ROLES)


def organizer_units(user: Actor | None) -> list[Unit]:
    """The units at which the user is an organizer, in code order."""
    return list(Unit.objects.filter(pk__in=unit_ids_with(user, Role.ORGANIZER)).order_by("code"))


def is_organizer(user: Actor | None) -> bool:
    return holds_role(user, Role.ORGANIZER)


def organizer_scope(user: Actor | None) -> Subtree:
    """The organizer's region: every unit at or below their organizer units, at any depth."""
    return region_with(user, Role.ORGANIZER)


def reviewer_counties(user: Actor | None) -> list[Unit]:
    """The units whose county step the user takes, in code order: the counties where they are
    the county reviewer, and the cities / the province where they are reviewer or organizer and
    that have schools directly under them (市直 / 省直). A city organizer without such schools
    is no county reviewer: the county pages stay closed to them. A city reviewer's role only
    at the city (no direct schools) opens the city step's pages, not these."""
    signed = as_user(user)
    if signed is None:
        return []
    counties = {h.unit_id for h in held(signed) if h.role == Role.COUNTY_REVIEWER and h.kind == Unit.Kind.COUNTY}
    direct = _direct_review_ids(signed)
    if not counties and not direct:
        return []
    schools_below = Unit.objects.filter(parent=OuterRef("pk"), kind=Unit.Kind.SCHOOL)
    return list(Unit.objects.filter(Q(pk__in=counties) | (Q(pk__in=direct) & Exists(schools_below))).order_by("code"))


def county_scope(user: Actor | None) -> Subtree:
    """Every unit at or below the user's county-reviewer units."""
    return region_with(user, Role.COUNTY_REVIEWER)


def city_reviewer_units(user: Actor | None) -> list[Unit]:
    """Cities where the user screens the counties' lists (a reviewer or organizer there)."""
    signed = as_user(user)
    if signed is None:
        return []
    return list(
        Unit.objects.filter(
            kind=Unit.Kind.CITY,
            memberships__user=signed,
            memberships__role__in=[Role.COUNTY_REVIEWER, Role.ORGANIZER],
        )
        .distinct()
        .order_by("code")
    )


def managed_roots(user: Actor | None) -> list[Unit]:
    """The top units whose tree the user manages (a unit below another managed unit is not
    repeated); a superuser manages every root."""
    if not signed_in(user):
        return []
    if getattr(user, "is_superuser", False):
        return list(Unit.objects.filter(parent__isnull=True).order_by("code"))
    region = managed_scope(user)
    return list(Unit.objects.filter(path__in=region.paths).order_by("code"))


def managed_scope(user: Actor | None) -> Subtree:
    """Every unit in the trees the user manages (the whole tree for a superuser)."""
    if not signed_in(user):
        return Subtree()
    if getattr(user, "is_superuser", False):
        return Subtree.whole_tree()
    return region_with(user, *UNIT_MANAGER_ROLES)


# --- predicates ----------------------------------------------------------------------------------


def is_head(user: Actor | None, unit: Unit) -> bool:
    """Only the head (负责人) confirms the authenticity promise and submits."""
    return unit.pk in unit_ids_with(user, Role.HEAD)


def is_officer(user: Actor | None, unit: Unit) -> bool:
    """The unit's own officer (填报员): fills the application in and asks the head to confirm."""
    return unit.pk in unit_ids_with(user, Role.APPLICANT)


def is_unit_member(user: Actor | None, unit_id: int) -> bool:
    """The unit's own applicant or head."""
    return unit_id in own_units(user)


def is_county_reviewer_for(user: Actor | None, unit: Unit) -> bool:
    """The county reviewer of the county the unit belongs to; for a 市直 / 省直 school (no
    county) the reviewer or organizer of the city / province directly above it (see
    `DIRECT_REVIEWER_ROLES`). Compares the memberships' units with the unit's path and parent id:
    no query beyond the memberships."""
    signed = as_user(user)
    if signed is None:
        return False
    counties = {h.unit_id for h in held(signed) if h.role == Role.COUNTY_REVIEWER and h.kind == Unit.Kind.COUNTY}
    if counties.intersection(unit.path_ids):
        return True
    # a school whose parent is one of the user's cities / provinces has no county in between
    return unit.kind == Unit.Kind.SCHOOL and unit.parent_id in _direct_review_ids(signed)


def is_organizer_for(user: Actor | None, campaign: CampaignLike) -> bool:
    """An organizer at the campaign's organizing unit or any unit above it: the same region as
    `organizer_scope`, read from the campaign's side."""
    return campaign.organizer in organizer_scope(user)


def manages_unit(user: Actor | None, unit: Unit | None) -> bool:
    """The unit lies in the organizer's region (experts, conflicts and panels are kept there)."""
    return unit is not None and unit in organizer_scope(user)


def may_edit_application(user: Actor | None, application: Any) -> bool:
    """The school's own applicant or head prepares the application."""
    return is_unit_member(user, application.unit_id)


def may_see_application(user: Actor | None, application: Any) -> bool:
    """The school's own people always; once submitted, the county reviewer of its county and
    the campaign's organizers. A draft stays private to the school."""
    if not signed_in(user):
        return False
    if is_unit_member(user, application.unit_id):
        return True
    if application.status == application.Status.DRAFT:
        return False
    return is_county_reviewer_for(user, application.unit) or is_organizer_for(user, application.campaign)


#: an expert's assignment is open from the no-conflict confirmation until the sheet is submitted
#: or the expert withdraws (an organizer's unlock or a 复议 opens it again)
OPEN_ASSIGNMENT_STATUSES: tuple[str, ...] = ("confirmed",)


def has_open_assignment(user: Actor | None, application: Any) -> bool:
    """The user is an expert with an open assignment on this application."""
    signed = as_user(user)
    if signed is None or application.status == application.Status.DRAFT:
        return False
    return bool(application.assignments.filter(expert__user=signed, status__in=OPEN_ASSIGNMENT_STATUSES).exists())


def may_see_materials(user: Actor | None, application: Any) -> bool:
    """What was submitted — the frozen version, its evidence files, the 申报书 and 自评 PDFs:
    whoever may see the application, and the expert while their assignment on it is open."""
    return may_see_application(user, application) or has_open_assignment(user, application)


def hides_applicant(campaign: Any) -> bool:
    """The campaign reviews blind: its experts never learn whom they score."""
    try:
        return bool(campaign.review_settings.hide_applicant)
    except ObjectDoesNotExist:
        return False


def hides_applicant_from(user: Actor | None, application: Any) -> bool:
    """Blind review for this reader: the campaign hides applicants and the user reads the
    application only as its expert (not as the school, its county or an organizer)."""
    return hides_applicant(application.campaign) and not may_see_application(user, application)


def may_review_county(user: Actor | None, application: Any) -> bool:
    """The county reviewer decides on a submitted application of their county."""
    return application.status != application.Status.DRAFT and is_county_reviewer_for(user, application.unit)


def may_see_recommendation(user: Actor | None, recommendation: Any) -> bool:
    """A county or city list: its own reviewer (at a city also its organizer) and the
    campaign's organizers."""
    return (
        is_county_reviewer_for(user, recommendation.unit)
        or recommendation.unit_id in unit_ids_with(user, Role.COUNTY_REVIEWER, Role.ORGANIZER)
        or is_organizer_for(user, recommendation.campaign)
    )


def is_assigned_expert(user: Actor | None, assignment: Any) -> bool:
    """The expert an assignment names, and nobody else."""
    return signed_in(user) and assignment.expert.user_id == getattr(user, "pk", None)


def may_see_assignment(user: Actor | None, assignment: Any) -> bool:
    """The expert's own sheet, and the organizers of its campaign."""
    return is_assigned_expert(user, assignment) or is_organizer_for(user, assignment.panel.campaign)


def may_see_result(user: Actor | None, result: Any) -> bool:
    """A final result: its own unit; any result: the campaign's organizers."""
    if is_organizer_for(user, result.campaign):
        return True
    return result.status == result.Status.FINAL and is_unit_member(user, result.application.unit_id)


def is_project_organizer(user: Actor | None, project: Any) -> bool:
    """The organizer of the selection campaign decides on a cultivation project."""
    return is_organizer_for(user, project.selection)


def is_project_unit(user: Actor | None, project: Any) -> bool:
    """The unit's own applicant or head uploads the implementation plan."""
    return is_unit_member(user, project.unit_id)


def may_see_project(user: Actor | None, project: Any) -> bool:
    """Organizers of its campaign, its own unit, and the county reviewer above a school."""
    return (
        is_project_unit(user, project)
        or is_project_organizer(user, project)
        or is_county_reviewer_for(user, project.unit)
    )


def may_see_unit_history(user: Actor | None, unit: Unit) -> bool:
    """A unit's level history: its own members, and organizers or county reviewers above it."""
    if not signed_in(user):
        return False
    if unit.pk in unit_ids_with(user, *Role.values):
        return True
    return unit in region_with(user, Role.ORGANIZER, Role.COUNTY_REVIEWER)


def may_import(user: Actor | None) -> bool:
    """Organizers and system administrators import accounts, experts and frameworks."""
    return bool(getattr(user, "is_superuser", False)) or holds_role(user, *IMPORT_ROLES)


# --- second factor (django-otp) ------------------------------------------------------------------


def needs_second_factor(user: Actor | None) -> bool:
    """Those who decide (by default organizers and system administrators, a superuser counting
    as one) confirm a sign-in with a one-time code when OTP_REQUIRED is set: a guessed or
    leaked password alone must not publish a list or change another unit's accounts."""
    if not settings.OTP_REQUIRED:
        return False
    signed = as_user(user)
    if signed is None:
        return False
    roles = tuple(settings.OTP_REQUIRED_ROLES)
    return (signed.is_superuser and Role.ADMIN in roles) or holds_role(signed, *roles)


def may_reset_second_factor(user: Actor | None, target: User) -> bool:
    """Who clears another person's authenticator (a lost phone, no recovery code left): a
    superuser for anyone, a unit's system administrator for people whose every role lies in the
    units they administer (never a superuser or staff account). Nobody clears their own: that
    would let a stolen password skip the factor."""
    signed = as_user(user)
    if signed is None or signed.pk == target.pk:
        return False
    if signed.is_superuser:
        return True
    if target.is_superuser or target.is_staff:
        return False
    administered = region_with(signed, Role.ADMIN)
    target_paths = [h.path for h in held(target)]
    return bool(target_paths) and all(administered.holds_path(path) for path in target_paths)


# --- accounts managed in pages (people) ----------------------------------------------------------

#: Roles that manage the accounts of their units (create, disable, roles, password resets).
ACCOUNT_MANAGER_ROLES: tuple[str, ...] = (Role.ADMIN,)


def may_manage_accounts(user: Actor | None) -> bool:
    """A superuser, or an administrator at some unit (the system administrator at the root, a
    county's administrator at the county)."""
    signed = as_user(user)
    return signed is not None and (signed.is_superuser or holds_role(signed, *ACCOUNT_MANAGER_ROLES))


def account_scope(user: Actor | None) -> Subtree:
    """The units whose people the user manages: every unit for a superuser, else every unit at
    or below the units where the user is an administrator."""
    signed = as_user(user)
    if signed is None:
        return Subtree()
    if signed.is_superuser:
        return Subtree.whole_tree()
    return region_with(signed, *ACCOUNT_MANAGER_ROLES)


def is_system_admin(user: Actor | None) -> bool:
    """A superuser, or an administrator at a top unit (no parent): the accounts that keep the
    platform administrable, of which the last active one may not be disabled."""
    signed = as_user(user)
    if signed is None:
        return False
    if signed.is_superuser:
        return True
    return any(h.role in ACCOUNT_MANAGER_ROLES and h.path.count(SEP) == 1 for h in held(signed))


def may_manage_account(user: Actor | None, target: User) -> bool:
    """A superuser manages anyone. An administrator manages a person every one of whose roles
    lies in the units they administer (a person also holding a role elsewhere belongs to that
    unit's administrator too, so neither may disable them alone); never a superuser or staff
    account, and not a person without any role (only a superuser sees those)."""
    signed = as_user(user)
    if signed is None or not may_manage_accounts(signed):
        return False
    if signed.is_superuser:
        return True
    if target.is_superuser or target.is_staff:
        return False
    target_paths = [h.path for h in held(target)]
    scope = account_scope(signed)
    return bool(target_paths) and all(scope.holds_path(path) for path in target_paths)


def may_grant_role(user: Actor | None, unit: Unit, role: str) -> bool:
    """A role at a unit the user administers, at or below their own unit (an administrator never
    grants anything, the administrator role included, above the unit they hold it at)."""
    return may_manage_accounts(user) and role in Role.values and unit in account_scope(user)


def may_read_audit_log(user: Actor | None) -> bool:
    """The system-wide audit log (审计日志): system administrators (superusers) read all of it,
    organizers their region's part (`scopes.visible_audit_entries`)."""
    return bool(signed_in(user) and getattr(user, "is_superuser", False)) or is_organizer(user)


# --- frameworks a bureau owns ----------------------------------------------------------------------

#: the unit kinds whose organizers issue indicator frameworks (a county takes part, it does not issue)
FRAMEWORK_AUTHOR_KINDS: tuple[str, ...] = (Unit.Kind.CITY, Unit.Kind.PROVINCE)


def may_author_frameworks(user: Actor | None, owner: Unit | None = None) -> bool:
    """City and provincial organizers upload, preview, activate and copy indicator frameworks.
    Given the `owner` of an uploaded framework, whether the user may change that one: its unit
    lies at or below one of their city/province organizer units (a province edits its cities'
    drafts; a neighbouring city does not see them)."""
    signed = as_user(user)
    if signed is None:
        return False
    roots = [h.path for h in held(signed) if h.role == Role.ORGANIZER and h.kind in FRAMEWORK_AUTHOR_KINDS]
    if not roots:
        return False
    return owner is None or Subtree(minimal_paths(roots)).holds_path(owner.path)
