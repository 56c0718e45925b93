"""Scoped querysets: the predicates of `rules` applied to a whole table at once.

Each function takes the base queryset of the model it scopes (the model lives on a higher floor,
so it is handed in rather than imported) and returns it narrowed to what the user may reach.
Pages that look an object up through these answer 404 for another unit's object."""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Exists, Model, OuterRef, Q, QuerySet

from campuseval.accounts.models import Membership, Role
from campuseval.orgs.models import Subtree, Unit, minimal_paths, units_above, units_below

from .rules import (
    COVERED_ROLES,
    SCHOOL_ROLES,
    Actor,
    account_scope,
    as_user,
    direct_review_units,
    held,
    may_manage_accounts,
    organizer_scope,
    region_with,
    unit_ids_with,
)

M = TypeVar("M", bound=Model)


def _draft(qs: QuerySet[Any]) -> Any:
    return qs.model.Status.DRAFT


def campaigns_below(organizer_unit_ids: set[int], campaigns: QuerySet[M]) -> QuerySet[M]:
    """Campaigns organized at the given organizer units or anywhere below them."""
    if not organizer_unit_ids:
        return campaigns.none()
    return campaigns.filter(units_below(organizer_unit_ids).q("organizer"))


def managed_campaigns(user: Actor | None, campaigns: QuerySet[M]) -> QuerySet[M]:
    """Campaigns the user manages: organized at or below one of their organizer units (the
    region of `rules.organizer_scope`)."""
    region = organizer_scope(user)
    return campaigns.filter(region.q("organizer")) if region else campaigns.none()


def covering_campaigns_q(user: Actor | None) -> Q:
    """Campaigns covering one of the user's school/county units: listed in coverage (the unit
    or one above it), or organized above it with no coverage listed. A school or district
    applicant sees only the campaigns that take its kind of applicant; a county reviewer also
    sees campaigns whose coverage lists schools of the county."""
    condition = Q(pk__in=[])
    signed = as_user(user)
    if signed is None:
        return condition
    memberships = Membership.objects.filter(user=signed, role__in=COVERED_ROLES).select_related("unit")
    for membership in memberships:
        unit = membership.unit
        chain = unit.path_ids
        covers = Q(covered_units__in=chain) | Q(covered_units__isnull=True, organizer_id__in=chain)
        if membership.role == Role.COUNTY_REVIEWER:
            covers |= unit.subtree().q("covered_units")
        else:
            covers &= Q(applicants__in=applicant_kinds(unit))
        condition |= covers
    return condition


def applicant_kinds(unit: Unit) -> list[str]:
    """The campaign `applicants` values that take this kind of unit."""
    return ["schools", "both"] if unit.kind == Unit.Kind.SCHOOL else ["districts", "both"]


def open_to_unit_q(unit: Unit) -> Q:
    """Campaigns that cover the unit (or one of its ancestors), or are organized above it when
    no coverage is listed, and take its kind of applicant."""
    chain = unit.path_ids
    return Q(applicants__in=applicant_kinds(unit)) & (
        Q(covered_units__in=chain) | Q(covered_units__isnull=True, organizer_id__in=chain)
    )


def own_applications(user: Actor | None, applications: QuerySet[M]) -> QuerySet[M]:
    """Applications of the units where the user is applicant or head."""
    return applications.filter(unit_id__in=unit_ids_with(user, *SCHOOL_ROLES))


def visible_applications(user: Actor | None, applications: QuerySet[M]) -> QuerySet[M]:
    """Everything the user may read: their own school's (any status), and, once submitted,
    those of units in their counties (county reviewer) or region (organizer)."""
    own = unit_ids_with(user, *SCHOOL_ROLES)
    above = region_with(user, Role.COUNTY_REVIEWER, Role.ORGANIZER)
    if not above:  # a school's own people (most requests): no region to join and compare
        return applications.filter(unit_id__in=own)
    return applications.filter(Q(unit_id__in=own) | (above.q("unit") & ~Q(status=_draft(applications))))


def first_review_q(user: Actor | None, field: str = "unit") -> Q:
    """The units whose county step the user takes (`rules.is_county_reviewer_for` for a whole
    table): everything under their counties, and the schools directly under the cities / the
    province where they review or organize (市直 / 省直 schools). The first part is the counties'
    path prefixes; the second compares the school's parent with the user's own few membership
    units, never a list of descendants."""
    signed = as_user(user)
    if signed is None:
        return Q(pk__in=[])
    counties = Subtree(
        minimal_paths(h.path for h in held(signed) if h.role == Role.COUNTY_REVIEWER and h.kind == Unit.Kind.COUNTY)
    )
    condition = counties.q(field) if counties else Q(pk__in=[])
    direct = direct_review_units(signed)
    if direct:
        condition |= Q(**{f"{field}__parent_id__in": sorted(direct), f"{field}__kind": Unit.Kind.SCHOOL})
    return condition


def county_applications(user: Actor | None, applications: QuerySet[M]) -> QuerySet[M]:
    """Applications the user first-reviews (`first_review_q`: units in their counties, the
    county's own included, and a city's or the province's direct schools), once submitted;
    drafts stay private to the school."""
    return applications.filter(first_review_q(user)).exclude(status=_draft(applications))


def visible_projects(user: Actor | None, projects: QuerySet[M]) -> QuerySet[M]:
    """Cultivation projects: organizers see those of their campaigns; county reviewers those of
    units in their county; a unit its own."""
    signed = as_user(user)
    if signed is None:
        return projects.none()
    roles: dict[str, set[int]] = {key: set() for key in (Role.APPLICANT, Role.HEAD, Role.COUNTY_REVIEWER)}
    for unit_id, role in Membership.objects.filter(user=signed, role__in=list(roles)).values_list("unit_id", "role"):
        roles[role].add(unit_id)
    own = roles[Role.APPLICANT] | roles[Role.HEAD]
    county = region_with(signed, Role.COUNTY_REVIEWER)
    region = organizer_scope(user)
    by_organizer = region.q("selection__organizer") if region else Q(pk__in=[])
    by_county = county.q("unit") if county else Q(pk__in=[])
    return projects.filter(by_organizer | Q(unit_id__in=own) | by_county)


def own_assignments(user: Actor | None, assignments: QuerySet[M]) -> QuerySet[M]:
    """An expert's own assignments, nobody else's."""
    signed = as_user(user)
    if signed is None:
        return assignments.none()
    return assignments.filter(expert__user=signed)


def own_final_results(user: Actor | None, results: QuerySet[M]) -> QuerySet[M]:
    """The final results of the units where the user is applicant or head."""
    final = results.model.Status.FINAL  # type: ignore[attr-defined]
    return results.filter(application__unit_id__in=unit_ids_with(user, *SCHOOL_ROLES), status=final)


def managed_experts(user: Actor | None, experts: QuerySet[M], scope: Subtree | None = None) -> QuerySet[M]:
    """The experts an organizer manages: those whose work unit lies in the organizer's region
    (pass `scope` when the caller already has it)."""
    region = organizer_scope(user) if scope is None else scope
    return experts.filter(region.q("unit")) if region else experts.none()


def dashboard_campaigns(user: Actor | None, campaigns: QuerySet[M]) -> QuerySet[M]:
    """Campaigns whose dashboards the user may open: organized in an organizer's region, or —
    for a county reviewer — organized by or covering the county or a unit above it."""
    organizer_units = unit_ids_with(user, Role.ORGANIZER)
    counties = unit_ids_with(user, Role.COUNTY_REVIEWER)
    if not organizer_units and not counties:
        return campaigns.none()
    condition = organizer_scope(user).q("organizer") if organizer_units else Q(pk__in=[])
    if counties:
        chain = units_above(counties)
        condition |= Q(organizer_id__in=chain) | Q(covered_units__in=chain)
    return campaigns.filter(pk__in=campaigns.model._default_manager.filter(condition).values("pk"))


def visible_audit_entries(user: Actor | None, entries: QuerySet[M], campaigns: QuerySet[Any]) -> QuerySet[M]:
    """Audit entries the user may read on the system-wide audit page and in its export: all of
    them for a system administrator (superuser); for an organizer those about a unit of their
    region or about a campaign organized there (`campaigns` is the Campaign base queryset);
    nothing for anyone else. Entries about no unit and no campaign (a superuser's sign-in, a
    user name nobody holds) are the administrators' alone."""
    signed = as_user(user)
    if signed is None:
        return entries.none()
    if signed.is_superuser:
        return entries
    region = organizer_scope(signed)
    if not region:
        return entries.none()
    organized = campaigns.filter(region.q("organizer")).values("pk")
    return entries.filter(Q(unit_id__in=region.ids()) | Q(campaign_id__in=organized))


def managed_accounts(user: Actor | None, users: QuerySet[M]) -> QuerySet[M]:
    """The accounts the user manages (rules.may_manage_account for a whole table): everyone for
    a superuser; for an administrator, people with a role in their units and none elsewhere,
    superusers and staff accounts left out."""
    signed = as_user(user)
    if signed is None or not may_manage_accounts(signed):
        return users.none()
    if signed.is_superuser:
        return users
    scope = account_scope(signed)
    elsewhere = Membership.objects.filter(user=OuterRef("pk")).exclude(scope.q("unit"))
    inside = Membership.objects.filter(scope.q("unit"), user=OuterRef("pk"))
    return users.filter(Exists(inside), ~Exists(elsewhere), is_superuser=False, is_staff=False)
