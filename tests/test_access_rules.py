"""The predicates of campuseval.access.rules, one table: (persona, predicate, object, expected).

Every predicate has at least one persona it allows and several it refuses, the outsiders (another
county of the same city, another city, a school of another county) and the anonymous visitor
among them. Objects are named by their field on the `personas` world."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings

from campuseval.access import rules
from campuseval.accounts.models import Membership, Role

from .personas import Personas

pytestmark = pytest.mark.django_db

ALLOW, DENY = True, False


def _opened(assignment: Any) -> Any:
    """The persona expert's assignment once they confirmed no conflict: its application."""
    assignment.status = "confirmed"
    assignment.save()
    return assignment.application


def _blind(application: Any) -> Any:
    """The application, its campaign now reviewing blind."""
    application.campaign.review_settings.hide_applicant = True
    application.campaign.review_settings.save()
    return application


def _direct_school(parent: Any) -> Any:
    """A new school directly under `parent`: a 市直 school under a city (no county between)."""
    from campuseval.orgs.models import Unit

    return Unit.objects.create(code=f"D-{parent.code}", name="直属中学", kind=Unit.Kind.SCHOOL, parent=parent)


def _direct_application(parent: Any) -> Any:
    """The persona world's submitted application, moved to a new school directly under `parent`."""
    from campuseval.applications.models import Application

    application = Application.objects.exclude(status="draft").order_by("pk").first()
    assert application is not None
    application.unit = _direct_school(parent)
    application.save(update_fields=["unit"])
    return application


#: predicate name -> how to call it: (user, object) -> bool
CALLS: dict[str, Callable[[Any, Any], bool]] = {
    "is_head": rules.is_head,
    "is_officer": rules.is_officer,
    "is_unit_member": lambda u, unit: rules.is_unit_member(u, unit.pk),
    "is_county_reviewer_for": rules.is_county_reviewer_for,
    "is_organizer_for": rules.is_organizer_for,
    "manages_unit": rules.manages_unit,
    "may_edit_application": rules.may_edit_application,
    "may_see_application": rules.may_see_application,
    "may_review_county": rules.may_review_county,
    "may_see_recommendation": rules.may_see_recommendation,
    "is_assigned_expert": rules.is_assigned_expert,
    "may_see_assignment": rules.may_see_assignment,
    "may_see_materials": rules.may_see_materials,
    "may_see_materials_when_open": lambda u, a: rules.may_see_materials(u, _opened(a)),
    "has_open_assignment": lambda u, a: rules.has_open_assignment(u, _opened(a)),
    "hides_applicant_from": lambda u, app: rules.hides_applicant_from(u, _blind(app)),
    "may_see_result": rules.may_see_result,
    "is_project_organizer": rules.is_project_organizer,
    "is_project_unit": rules.is_project_unit,
    "may_see_project": rules.may_see_project,
    "may_see_unit_history": rules.may_see_unit_history,
    "may_import": lambda u, _obj: rules.may_import(u),
    "may_read_audit_log": lambda u, _obj: rules.may_read_audit_log(u),
    # second factor: the reset is asked of the persona made a system administrator where it organizes
    "needs_second_factor": lambda u, _obj: _needs_second_factor(u),
    "may_reset_second_factor": lambda u, target: rules.may_reset_second_factor(_otp_admin(u), target),
    "is_organizer": lambda u, _obj: rules.is_organizer(u),
    "signed_in": lambda u, _obj: rules.signed_in(u),
    "in_organizer_scope": lambda u, unit: unit in rules.organizer_scope(u),
    "in_county_scope": lambda u, unit: unit in rules.county_scope(u),
    "in_managed_roots": lambda u, unit: unit in rules.managed_roots(u),
    "in_reviewer_counties": lambda u, unit: unit in rules.reviewer_counties(u),
    "in_city_reviewer_units": lambda u, unit: unit in rules.city_reviewer_units(u),
    "in_own_units": lambda u, unit: unit.pk in rules.own_units(u),
    # accounts managed in pages: "admin_*" rows make the persona an administrator where it holds its role
    "may_manage_accounts": lambda u, _obj: rules.may_manage_accounts(_admin(u)),
    "account_scope": lambda u, unit: unit in rules.account_scope(_admin(u)),
    "is_system_admin": lambda u, _obj: rules.is_system_admin(_admin(u)),
    "may_manage_account": lambda u, target: rules.may_manage_account(_admin(u), target),
    "may_grant_role": lambda u, unit: rules.may_grant_role(_admin(u), unit, "admin"),
    # 市直 schools: the object is the unit the new school sits directly under
    "is_county_reviewer_for_direct_school": lambda u, parent: rules.is_county_reviewer_for(u, _direct_school(parent)),
    "may_review_county_direct_school": lambda u, parent: rules.may_review_county(u, _direct_application(parent)),
    "may_see_application_direct_school": lambda u, parent: rules.may_see_application(u, _direct_application(parent)),
    "reviews_first_step_at": rules.reviews_first_step_at,
    # indicator frameworks authored in pages: a city or province organizer; with an owner unit,
    # only at or below their own
    "may_author_frameworks": lambda u, _obj: rules.may_author_frameworks(u),
    "may_author_frameworks_of": lambda u, unit: rules.may_author_frameworks(u, unit),
    "in_reviewer_counties_with_direct_school": lambda u, parent: (
        _direct_school(parent) is not None and parent in rules.reviewer_counties(u)
    ),
}

# (persona, predicate, object field, expected)
TABLE: list[tuple[str, str, str, bool]] = [
    # is_officer: only the school's officer (填报员), not its head
    ("school_officer", "is_officer", "school", ALLOW),
    ("school_head", "is_officer", "school", DENY),
    ("county_reviewer", "is_officer", "school", DENY),
    ("anonymous", "is_officer", "school", DENY),
    # is_head: only the school's head
    ("school_head", "is_head", "school", ALLOW),
    ("district_applicant", "is_head", "county", ALLOW),
    ("school_officer", "is_head", "school", DENY),
    ("district_applicant", "is_head", "school", DENY),
    ("outsider_school", "is_head", "school", DENY),
    ("anonymous", "is_head", "school", DENY),
    # is_unit_member
    ("school_officer", "is_unit_member", "school", ALLOW),
    ("school_head", "is_unit_member", "school", ALLOW),
    ("county_reviewer", "is_unit_member", "school", DENY),
    ("district_applicant", "is_unit_member", "school", DENY),
    ("outsider_school", "is_unit_member", "school", DENY),
    ("anonymous", "is_unit_member", "school", DENY),
    # is_county_reviewer_for
    ("county_reviewer", "is_county_reviewer_for", "school", ALLOW),
    ("county_reviewer", "is_county_reviewer_for", "county", ALLOW),
    ("county_reviewer", "is_county_reviewer_for", "school_y", DENY),
    ("county_reviewer", "is_county_reviewer_for", "city", DENY),
    ("outsider_reviewer", "is_county_reviewer_for", "school", DENY),
    ("city_organizer", "is_county_reviewer_for", "school", DENY),
    ("district_applicant", "is_county_reviewer_for", "school", DENY),
    ("anonymous", "is_county_reviewer_for", "school", DENY),
    # is_organizer_for
    ("city_organizer", "is_organizer_for", "campaign", ALLOW),
    ("city_organizer", "is_organizer_for", "draft_campaign", ALLOW),
    ("outsider_organizer", "is_organizer_for", "campaign", DENY),
    ("county_reviewer", "is_organizer_for", "campaign", DENY),
    ("school_head", "is_organizer_for", "campaign", DENY),
    ("anonymous", "is_organizer_for", "campaign", DENY),
    # manages_unit
    ("city_organizer", "manages_unit", "school", ALLOW),
    ("city_organizer", "manages_unit", "school_y", ALLOW),
    ("city_organizer", "manages_unit", "other_school", DENY),
    ("outsider_organizer", "manages_unit", "school", DENY),
    ("county_reviewer", "manages_unit", "school", DENY),
    ("anonymous", "manages_unit", "school", DENY),
    # may_edit_application
    ("school_officer", "may_edit_application", "application", ALLOW),
    ("school_head", "may_edit_application", "draft", ALLOW),
    ("county_reviewer", "may_edit_application", "application", DENY),
    ("city_organizer", "may_edit_application", "draft", DENY),
    ("district_applicant", "may_edit_application", "draft", DENY),
    ("outsider_school", "may_edit_application", "draft", DENY),
    ("anonymous", "may_edit_application", "draft", DENY),
    # may_see_application: submitted
    ("school_officer", "may_see_application", "application", ALLOW),
    ("county_reviewer", "may_see_application", "application", ALLOW),
    ("city_organizer", "may_see_application", "application", ALLOW),
    ("outsider_reviewer", "may_see_application", "application", DENY),
    ("outsider_organizer", "may_see_application", "application", DENY),
    ("outsider_school", "may_see_application", "application", DENY),
    ("expert", "may_see_application", "application", DENY),
    ("district_applicant", "may_see_application", "application", DENY),
    ("anonymous", "may_see_application", "application", DENY),
    # may_see_application: a draft stays with the school
    ("school_head", "may_see_application", "draft", ALLOW),
    ("county_reviewer", "may_see_application", "draft", DENY),
    ("city_organizer", "may_see_application", "draft", DENY),
    # may_review_county
    ("county_reviewer", "may_review_county", "application", ALLOW),
    ("county_reviewer", "may_review_county", "draft", DENY),
    ("outsider_reviewer", "may_review_county", "application", DENY),
    ("city_organizer", "may_review_county", "application", DENY),
    ("anonymous", "may_review_county", "application", DENY),
    # may_see_recommendation
    ("county_reviewer", "may_see_recommendation", "recommendation", ALLOW),
    ("city_organizer", "may_see_recommendation", "recommendation", ALLOW),
    ("outsider_reviewer", "may_see_recommendation", "recommendation", DENY),
    ("outsider_organizer", "may_see_recommendation", "recommendation", DENY),
    ("school_head", "may_see_recommendation", "recommendation", DENY),
    ("anonymous", "may_see_recommendation", "recommendation", DENY),
    # is_assigned_expert
    ("expert", "is_assigned_expert", "assignment", ALLOW),
    ("unassigned_expert", "is_assigned_expert", "assignment", DENY),
    ("city_organizer", "is_assigned_expert", "assignment", DENY),
    ("anonymous", "is_assigned_expert", "assignment", DENY),
    # may_see_assignment
    ("expert", "may_see_assignment", "assignment", ALLOW),
    ("city_organizer", "may_see_assignment", "assignment", ALLOW),
    ("unassigned_expert", "may_see_assignment", "assignment", DENY),
    ("outsider_organizer", "may_see_assignment", "assignment", DENY),
    ("county_reviewer", "may_see_assignment", "assignment", DENY),
    ("school_officer", "may_see_assignment", "assignment", DENY),
    ("anonymous", "may_see_assignment", "assignment", DENY),
    # may_see_materials: the application's readers, and its expert only while the assignment is open
    ("school_officer", "may_see_materials", "application", ALLOW),
    ("county_reviewer", "may_see_materials", "application", ALLOW),
    ("expert", "may_see_materials", "application", DENY),  # not yet confirmed no conflict
    ("outsider_school", "may_see_materials", "application", DENY),
    ("anonymous", "may_see_materials", "application", DENY),
    ("expert", "may_see_materials_when_open", "assignment", ALLOW),
    ("unassigned_expert", "may_see_materials_when_open", "assignment", DENY),
    ("outsider_organizer", "may_see_materials_when_open", "assignment", DENY),
    ("anonymous", "may_see_materials_when_open", "assignment", DENY),
    ("expert", "has_open_assignment", "assignment", ALLOW),
    ("unassigned_expert", "has_open_assignment", "assignment", DENY),
    ("city_organizer", "has_open_assignment", "assignment", DENY),
    ("anonymous", "has_open_assignment", "assignment", DENY),
    # hides_applicant_from (blind review): the expert, not the school's own readers
    ("expert", "hides_applicant_from", "application", ALLOW),
    ("school_head", "hides_applicant_from", "application", DENY),
    ("county_reviewer", "hides_applicant_from", "application", DENY),
    ("city_organizer", "hides_applicant_from", "application", DENY),
    ("anonymous", "hides_applicant_from", "application", ALLOW),
    # may_see_result (final)
    ("school_officer", "may_see_result", "result", ALLOW),
    ("school_head", "may_see_result", "result", ALLOW),
    ("city_organizer", "may_see_result", "result", ALLOW),
    ("county_reviewer", "may_see_result", "result", DENY),
    ("outsider_school", "may_see_result", "result", DENY),
    ("outsider_organizer", "may_see_result", "result", DENY),
    ("expert", "may_see_result", "result", DENY),
    ("anonymous", "may_see_result", "result", DENY),
    # cultivation
    ("city_organizer", "is_project_organizer", "project", ALLOW),
    ("outsider_organizer", "is_project_organizer", "project", DENY),
    ("school_head", "is_project_organizer", "project", DENY),
    ("anonymous", "is_project_organizer", "project", DENY),
    ("school_officer", "is_project_unit", "project", ALLOW),
    ("city_organizer", "is_project_unit", "project", DENY),
    ("outsider_school", "is_project_unit", "project", DENY),
    ("anonymous", "is_project_unit", "project", DENY),
    ("school_head", "may_see_project", "project", ALLOW),
    ("county_reviewer", "may_see_project", "project", ALLOW),
    ("city_organizer", "may_see_project", "project", ALLOW),
    ("outsider_reviewer", "may_see_project", "project", DENY),
    ("outsider_organizer", "may_see_project", "project", DENY),
    ("outsider_school", "may_see_project", "project", DENY),
    ("expert", "may_see_project", "project", DENY),
    ("anonymous", "may_see_project", "project", DENY),
    # may_see_unit_history
    ("school_officer", "may_see_unit_history", "school", ALLOW),
    ("county_reviewer", "may_see_unit_history", "school", ALLOW),
    ("city_organizer", "may_see_unit_history", "school", ALLOW),
    ("expert", "may_see_unit_history", "city", ALLOW),
    ("expert", "may_see_unit_history", "school", DENY),
    ("district_applicant", "may_see_unit_history", "school", DENY),
    ("outsider_reviewer", "may_see_unit_history", "school", DENY),
    ("outsider_organizer", "may_see_unit_history", "school", DENY),
    ("anonymous", "may_see_unit_history", "school", DENY),
    # may_author_frameworks: city and province organizers; a framework owned elsewhere is not theirs
    ("city_organizer", "may_author_frameworks", "city", ALLOW),
    ("outsider_organizer", "may_author_frameworks", "city", ALLOW),
    ("county_reviewer", "may_author_frameworks", "city", DENY),
    ("school_head", "may_author_frameworks", "city", DENY),
    ("expert", "may_author_frameworks", "city", DENY),
    ("anonymous", "may_author_frameworks", "city", DENY),
    ("city_organizer", "may_author_frameworks_of", "city", ALLOW),
    ("city_organizer", "may_author_frameworks_of", "school", ALLOW),
    ("outsider_organizer", "may_author_frameworks_of", "city", DENY),
    ("county_reviewer", "may_author_frameworks_of", "county", DENY),
    ("anonymous", "may_author_frameworks_of", "city", DENY),
    # may_import / is_organizer / signed_in
    ("city_organizer", "may_import", "city", ALLOW),
    ("outsider_organizer", "may_import", "city", ALLOW),
    ("county_reviewer", "may_import", "city", DENY),
    ("school_head", "may_import", "city", DENY),
    ("expert", "may_import", "city", DENY),
    ("anonymous", "may_import", "city", DENY),
    # may_read_audit_log: organizers (their region, through scopes) and superusers only
    ("city_organizer", "may_read_audit_log", "city", ALLOW),
    ("outsider_organizer", "may_read_audit_log", "city", ALLOW),
    ("county_reviewer", "may_read_audit_log", "city", DENY),
    ("school_head", "may_read_audit_log", "city", DENY),
    ("expert", "may_read_audit_log", "city", DENY),
    ("anonymous", "may_read_audit_log", "city", DENY),
    ("city_organizer", "is_organizer", "city", ALLOW),
    ("county_reviewer", "is_organizer", "city", DENY),
    ("anonymous", "is_organizer", "city", DENY),
    ("expert", "signed_in", "city", ALLOW),
    ("anonymous", "signed_in", "city", DENY),
    # second factor (OTP_REQUIRED on, organizers and administrators)
    ("city_organizer", "needs_second_factor", "city", ALLOW),
    ("outsider_organizer", "needs_second_factor", "city", ALLOW),
    ("school_officer", "needs_second_factor", "city", DENY),
    ("county_reviewer", "needs_second_factor", "city", DENY),
    ("expert", "needs_second_factor", "city", DENY),
    ("anonymous", "needs_second_factor", "city", DENY),
    ("city_organizer", "may_reset_second_factor", "school_officer", ALLOW),
    ("city_organizer", "may_reset_second_factor", "county_reviewer", ALLOW),
    ("city_organizer", "may_reset_second_factor", "outsider_organizer", DENY),  # another city
    ("city_organizer", "may_reset_second_factor", "city_organizer", DENY),  # never one's own
    ("outsider_organizer", "may_reset_second_factor", "school_officer", DENY),
    ("county_reviewer", "may_reset_second_factor", "school_officer", DENY),  # no administrator
    ("anonymous", "may_reset_second_factor", "school_officer", DENY),
    # the unit sets the predicates are built from
    ("city_organizer", "in_organizer_scope", "school", ALLOW),
    ("outsider_organizer", "in_organizer_scope", "school", DENY),
    ("outsider_organizer", "in_organizer_scope", "other_school", ALLOW),
    ("anonymous", "in_organizer_scope", "school", DENY),
    ("county_reviewer", "in_county_scope", "school", ALLOW),
    ("county_reviewer", "in_county_scope", "school_y", DENY),
    ("outsider_reviewer", "in_county_scope", "school", DENY),
    ("anonymous", "in_county_scope", "school", DENY),
    ("city_organizer", "in_managed_roots", "city", ALLOW),
    ("outsider_organizer", "in_managed_roots", "city", DENY),
    ("county_reviewer", "in_managed_roots", "county", DENY),
    ("anonymous", "in_managed_roots", "city", DENY),
    ("county_reviewer", "in_reviewer_counties", "county", ALLOW),
    ("outsider_reviewer", "in_reviewer_counties", "county", DENY),
    ("anonymous", "in_reviewer_counties", "county", DENY),
    ("city_organizer", "in_city_reviewer_units", "city", ALLOW),
    ("outsider_organizer", "in_city_reviewer_units", "city", DENY),
    ("county_reviewer", "in_city_reviewer_units", "city", DENY),
    ("anonymous", "in_city_reviewer_units", "city", DENY),
    ("school_officer", "in_own_units", "school", ALLOW),
    ("district_applicant", "in_own_units", "county", ALLOW),
    ("county_reviewer", "in_own_units", "county", DENY),
    ("anonymous", "in_own_units", "school", DENY),
    # accounts managed in pages (the persona made an administrator at the unit of its role)
    ("city_organizer", "may_manage_accounts", "city", ALLOW),
    ("county_reviewer", "may_manage_accounts", "city", ALLOW),
    ("anonymous", "may_manage_accounts", "city", DENY),
    ("city_organizer", "account_scope", "school", ALLOW),
    ("county_reviewer", "account_scope", "school", ALLOW),
    ("county_reviewer", "account_scope", "school_y", DENY),
    ("county_reviewer", "account_scope", "city", DENY),
    ("outsider_organizer", "account_scope", "school", DENY),
    ("anonymous", "account_scope", "school", DENY),
    ("city_organizer", "is_system_admin", "city", ALLOW),
    ("county_reviewer", "is_system_admin", "city", DENY),
    ("anonymous", "is_system_admin", "city", DENY),
    ("city_organizer", "may_manage_account", "school_officer", ALLOW),
    ("county_reviewer", "may_manage_account", "school_head", ALLOW),
    ("county_reviewer", "may_manage_account", "outsider_school", DENY),  # another county of the city
    ("county_reviewer", "may_manage_account", "city_organizer", DENY),  # above the county
    ("outsider_organizer", "may_manage_account", "school_officer", DENY),  # another city
    ("anonymous", "may_manage_account", "school_officer", DENY),
    ("city_organizer", "may_grant_role", "school", ALLOW),
    ("county_reviewer", "may_grant_role", "county", ALLOW),
    ("county_reviewer", "may_grant_role", "city", DENY),  # never admin above one's own unit
    ("outsider_organizer", "may_grant_role", "school", DENY),
    ("anonymous", "may_grant_role", "school", DENY),
    # 市直 schools (directly under the city, no county): the city's organizer (or reviewer) takes
    # the county step; the county reviewers of the same city, another city and the school's
    # neighbours do not
    ("city_organizer", "is_county_reviewer_for_direct_school", "city", ALLOW),
    ("city_organizer", "is_county_reviewer_for_direct_school", "county", DENY),  # a county's school
    ("county_reviewer", "is_county_reviewer_for_direct_school", "city", DENY),
    ("county_reviewer", "is_county_reviewer_for_direct_school", "county", ALLOW),
    ("outsider_organizer", "is_county_reviewer_for_direct_school", "city", DENY),
    ("outsider_reviewer", "is_county_reviewer_for_direct_school", "city", DENY),
    ("school_head", "is_county_reviewer_for_direct_school", "city", DENY),
    ("expert", "is_county_reviewer_for_direct_school", "city", DENY),
    ("anonymous", "is_county_reviewer_for_direct_school", "city", DENY),
    ("city_organizer", "may_review_county_direct_school", "city", ALLOW),
    ("county_reviewer", "may_review_county_direct_school", "city", DENY),
    ("outsider_organizer", "may_review_county_direct_school", "city", DENY),
    ("outsider_reviewer", "may_review_county_direct_school", "city", DENY),
    ("school_head", "may_review_county_direct_school", "city", DENY),
    ("anonymous", "may_review_county_direct_school", "city", DENY),
    ("city_organizer", "may_see_application_direct_school", "city", ALLOW),
    ("county_reviewer", "may_see_application_direct_school", "city", DENY),
    ("outsider_organizer", "may_see_application_direct_school", "city", DENY),
    ("outsider_school", "may_see_application_direct_school", "city", DENY),
    ("anonymous", "may_see_application_direct_school", "city", DENY),
    ("county_reviewer", "reviews_first_step_at", "county", ALLOW),
    ("outsider_reviewer", "reviews_first_step_at", "county", DENY),
    ("city_organizer", "reviews_first_step_at", "city", ALLOW),
    ("city_organizer", "reviews_first_step_at", "county", DENY),
    ("county_reviewer", "reviews_first_step_at", "city", DENY),
    ("outsider_organizer", "reviews_first_step_at", "city", DENY),
    ("school_head", "reviews_first_step_at", "school", DENY),
    ("anonymous", "reviews_first_step_at", "county", DENY),
    # a city organizer is on the county pages only once its city has a school directly under it
    ("city_organizer", "in_reviewer_counties", "city", DENY),
    ("city_organizer", "in_reviewer_counties_with_direct_school", "city", ALLOW),
    ("outsider_organizer", "in_reviewer_counties_with_direct_school", "city", DENY),
    ("county_reviewer", "in_reviewer_counties_with_direct_school", "city", DENY),
    ("anonymous", "in_reviewer_counties_with_direct_school", "city", DENY),
]


def _admin(user: Any) -> Any:
    """The persona, now also an administrator at the unit where it holds its first role."""
    from campuseval.accounts.models import Membership, Role

    if user is None:
        return None
    unit = Membership.objects.filter(user=user).order_by("pk").values_list("unit", flat=True).first()
    Membership.objects.get_or_create(user=user, unit_id=unit, role=Role.ADMIN)
    return user


def _needs_second_factor(user: Any) -> bool:
    with override_settings(OTP_REQUIRED=True, OTP_REQUIRED_ROLES=["organizer", "admin"]):
        return rules.needs_second_factor(user)


def _otp_admin(user: Any) -> Any:
    """The persona, now also a system administrator at the units where it is an organizer."""
    if user is None:
        return None
    for unit_id in Membership.objects.filter(user=user, role=Role.ORGANIZER).values_list("unit_id", flat=True):
        Membership.objects.get_or_create(user=user, unit_id=unit_id, role=Role.ADMIN)
    return user


@pytest.mark.parametrize(("who", "predicate", "obj", "expected"), TABLE, ids=[f"{p}-{w}-{o}" for w, p, o, _ in TABLE])
def test_predicate(personas: Personas, who: str, predicate: str, obj: str, expected: bool) -> None:
    assert CALLS[predicate](personas.user(who), getattr(personas, obj)) is expected


def test_every_predicate_allows_and_refuses_someone() -> None:
    outcomes: dict[str, set[bool]] = {}
    for _who, predicate, _obj, expected in TABLE:
        outcomes.setdefault(predicate, set()).add(expected)
    assert set(outcomes) == set(CALLS)
    assert {p for p, seen in outcomes.items() if seen != {ALLOW, DENY}} == set()
    anonymous = {p for who, p, _o, _e in TABLE if who == "anonymous"}
    assert set(CALLS) - anonymous == set()


def test_every_public_predicate_of_rules_is_in_the_table() -> None:
    """A predicate added to rules.py without a row here fails (helpers that return sets and the
    county lookup are covered through the in_* rows)."""
    helpers = {
        "signed_in", "as_user", "unit_ids_with", "holds_role", "county_of", "own_units", "organizer_units",
        "organizer_scope", "reviewer_counties", "county_scope", "city_reviewer_units", "managed_roots",
        "managed_scope", "units_below", "hides_applicant", "memberships", "held", "region_with",
        "first_review_unit", "is_direct_school", "direct_review_units", "remember_held",
    }  # fmt: skip
    public = {
        name
        for name, value in vars(rules).items()
        if inspect.isfunction(value) and not name.startswith("_") and value.__module__ == rules.__name__
    }
    assert public - helpers - set(CALLS) == set()


def test_memberships_are_read_once_and_follow_every_change(
    personas: Personas, django_assert_num_queries: Any
) -> None:
    """Predicates on one user object share one read of the memberships; a grant or a
    withdrawal counts from the next check, on the same object."""
    from campuseval.accounts.models import Membership, Role

    officer = personas.user("school_officer")
    application = personas.application
    with django_assert_num_queries(1):
        assert rules.may_edit_application(officer, application)
        assert rules.unit_ids_with(officer, *rules.SCHOOL_ROLES) == {personas.school.pk}
        assert not rules.holds_role(officer, Role.ORGANIZER)
    grant = Membership.objects.create(user=officer, unit=personas.city, role=Role.ORGANIZER)
    assert rules.holds_role(officer, Role.ORGANIZER)
    grant.delete()
    assert not rules.holds_role(officer, Role.ORGANIZER)
    Membership.objects.filter(user=officer, unit=personas.school).delete()
    assert not rules.may_edit_application(officer, application)


def test_the_signed_in_user_comes_with_their_roles_in_one_statement(
    personas: Personas, django_assert_num_queries: Any
) -> None:
    """The session's user is read with their memberships (access.backends.AccountBackend): the
    predicates of the request ask nothing more; a role granted afterwards counts from the next
    request, one withdrawn likewise, and a disabled account is signed out."""
    from django.contrib import auth
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpRequest

    from campuseval.access.backends import AccountBackend

    officer = personas.user("school_officer")
    backend = AccountBackend()
    with django_assert_num_queries(1):
        user = backend.get_user(officer.pk)
        assert user is not None
        assert rules.may_edit_application(user, personas.application)
        assert rules.unit_ids_with(user, *rules.SCHOOL_ROLES) == {personas.school.pk}
        assert not rules.holds_role(user, Role.ORGANIZER)
    grant = Membership.objects.create(user=officer, unit=personas.city, role=Role.ORGANIZER)
    again = backend.get_user(officer.pk)
    assert again is not None and rules.holds_role(again, Role.ORGANIZER)
    assert rules.held(again)[-1] == rules.Held(Role.ORGANIZER, personas.city.pk, personas.city.path, personas.city.kind)
    grant.delete()
    Membership.objects.filter(user=officer, unit=personas.school).delete()
    after = backend.get_user(officer.pk)
    assert after is not None and rules.held(after) == ()
    assert not rules.may_edit_application(after, personas.application)
    type(officer).objects.filter(pk=officer.pk).update(is_active=False)
    assert backend.get_user(officer.pk) is None
    assert backend.get_user(10**9) is None
    # a request signed in through the password form keeps this backend's path in its session
    request = HttpRequest()
    request.session = SessionStore()
    type(officer).objects.filter(pk=officer.pk).update(is_active=True)
    officer.refresh_from_db()
    auth.login(request, officer, backend="campuseval.access.backends.AccountBackend")
    assert auth.get_user(request).pk == officer.pk
