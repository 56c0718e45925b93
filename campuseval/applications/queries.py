"""Scoped querysets: a user only ever reaches applications their role and unit allow (the rules
are `campuseval.access`)."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Any

from django.db.models import Count, Q, QuerySet

from campuseval.access import scopes
from campuseval.access.rules import Actor
from campuseval.campaigns import stages
from campuseval.campaigns.models import Campaign
from campuseval.orgs.models import Unit

from .models import Application


def with_related(applications: QuerySet[Application]) -> QuerySet[Application]:
    """Applications with their campaign, unit and framework record, less the record's YAML
    snapshot (about 100 KB, read only to parse a framework not yet cached in this process:
    `campaigns.scoring.framework_for` loads it then)."""
    return applications.select_related("campaign", "unit", "framework").defer("framework__source_yaml")


def my_applications(user: Actor) -> QuerySet[Application]:
    """Applications of the units where the user is applicant or head."""
    return with_related(scopes.own_applications(user, Application.objects.all()))


def visible_applications(user: Actor) -> QuerySet[Application]:
    """Everything the user may read: their own school's (any status), and, once submitted,
    those of schools in their counties (county reviewer) or under their unit (organizer)."""
    return with_related(scopes.visible_applications(user, Application.objects.all()))


def visible_application(user: Actor, pk: int) -> Application | None:
    """One application the user may read, with its campaign's stages read in the same statement
    (`campaigns.stages.with_stage_rows`): the page and its saves check the apply stage's dates
    on every request without another round trip. None when it is not theirs to see."""
    # at most one row by its key: no ORDER BY / LIMIT for `first()` to add and compile
    application = next(iter(stages.with_stage_rows(visible_applications(user)).filter(pk=pk)), None)
    if application is not None:
        stages.attach_stages(application.campaign, getattr(application, stages.STAGE_ROWS))
    return application


#: what an autosave reads: the answers it merges into, the stored result it compares the new
#: scores with, the status, stage and 补正 dates it checks, the framework's cache key; and of the
#: campaign, unit and framework only what those checks and the saved fragment read
SAVE_COLUMNS = (
    "id",
    "campaign_id",
    "unit_id",
    "framework_id",
    "form_key",
    "status",
    "form_data",
    "answers",
    "narratives",
    "result",
    "self_total",
    "revision",
    "updated_at",
    "updated_by_id",
    "returned_at",
    "fix_deadline",
    "campaign__id",
    "campaign__status",
    "campaign__as_of",
    "campaign__fix_days",
    "campaign__kind",
    "campaign__applicants",
    "campaign__organizer_id",
    "unit__id",
    "unit__name",
    "unit__kind",
    "unit__parent_id",
    "unit__path",
    "framework__id",
    "framework__key",
    "framework__sha256",
)


def application_to_save(user: Actor, pk: int) -> Application | None:
    """`visible_application` for an autosave, the platform's busiest request: the same row and
    stages, with only the columns a save reads (`SAVE_COLUMNS`). Compiling and loading the other
    fifty columns of the application, campaign, unit and framework cost a third of the read.
    Another column a save comes to need is read when it is first used (one query more, which
    the query-count test of the autosave shows)."""
    rows = (
        stages.with_stage_rows(scopes.visible_applications(user, Application.objects.all()))
        .select_related("campaign", "unit", "framework")
        .only(*SAVE_COLUMNS)
        .filter(pk=pk)
        .order_by()
    )
    application = next(iter(rows), None)
    if application is not None:
        stages.attach_stages(application.campaign, getattr(application, stages.STAGE_ROWS))
    return application


def open_campaigns_for(unit: Unit) -> QuerySet[Campaign]:
    """Campaigns now taking applications from this unit: open, for its kind of applicant, and
    covering it (or one of its ancestors), or organized above it when no coverage is listed."""
    return (
        Campaign.objects.filter(status=Campaign.Status.OPEN)
        .filter(scopes.open_to_unit_q(unit))
        .distinct()
        .order_by("-year", "pk")
    )


def application_counts(campaign: Campaign) -> list[dict[str, Any]]:
    """Applications of the campaign by status, every status listed (zero included)."""
    found = dict(Application.objects.filter(campaign=campaign).values_list("status").annotate(n=Count("pk")).order_by())
    return [
        {"status": value, "label": label, "count": found.get(value, 0)} for value, label in Application.Status.choices
    ]


def with_application_counts(campaigns: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """Campaigns annotated with their number of applications and of those past the draft."""
    return campaigns.annotate(
        applications_total=Count("applications", distinct=True),
        applications_submitted=Count(
            "applications", filter=~Q(applications__status=Application.Status.DRAFT), distinct=True
        ),
    )


def evidence_numbers(application: Application) -> dict[int, int]:
    """The submitted (frozen) evidence of an application numbered 1, 2, … in upload order: the
    names blind review shows instead of the school's own file names."""
    ids = application.evidence.filter(frozen_in_version__isnull=False).order_by("pk").values_list("pk", flat=True)
    return {pk: number for number, pk in enumerate(ids, 1)}


def anonymous_evidence_name(number: int, original_name: str) -> str:
    """材料3.pdf: the number and the original extension, nothing of the name."""
    suffix = PurePath(original_name).suffix.lower()
    if not re.fullmatch(r"\.[a-z0-9]{1,8}", suffix):
        suffix = ""
    return f"材料{number}{suffix}"
