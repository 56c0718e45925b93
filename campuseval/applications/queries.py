"""Scoped querysets: a user only ever reaches applications their role and unit allow (the rules
are `campuseval.access`)."""

from __future__ import annotations

import json
import re
from pathlib import PurePath
from typing import Any

from django.db.models import Count, F, Func, Model, Q, QuerySet, TextField

from campuseval.access import scopes
from campuseval.access.rules import Actor
from campuseval.campaigns import stages
from campuseval.campaigns.models import Campaign, FrameworkRecord
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


#: of the application, what an autosave reads: the answers it merges into, the stored result it
#: compares the new scores with, the status and 补正 dates it checks (the other columns are read
#: when first used)
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
)
#: of the campaign, the unit and the framework record, what the save's checks and the saved
#: fragment read: the stage rules, the school's place, the framework's cache key
SAVE_RELATED: tuple[tuple[str, type[Model], tuple[str, ...]], ...] = (
    ("campaign", Campaign, ("status", "as_of", "fix_days", "kind", "applicants", "organizer_id")),
    ("unit", Unit, ("name", "kind", "parent_id", "path")),
    ("framework", FrameworkRecord, ("key", "sha256")),
)
SAVE_RELATED_ROWS = "save_related_rows"


def _read_fields(model: type[Model], fields: tuple[str, ...]) -> list[Any]:
    """`fields` of `model` in its column order (the order `Model.from_db` takes values in)."""
    return [f for f in model._meta.concrete_fields if f.attname in fields]


class _SaveRelated(Func):
    """The SAVE_RELATED columns of the application's campaign, unit and framework record, as one
    JSON array text, read in the same statement as the application.

    Why not select_related: Django compiles and loads a joined model column by column, and for
    the autosave's three related rows that was half of the read (measured: 1.1 ms of 2.2 ms).
    The same join written once, as stage rows are (`campaigns.stages.with_stage_rows`), costs
    the database the same and the ORM one expression."""

    output_field = TextField()

    def __init__(self) -> None:
        super().__init__(*(F(f"{name}_id") for name, _, _ in SAVE_RELATED))

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        if connection.vendor == "postgresql":
            row, cast = "json_build_array", "::text"
        elif connection.vendor == "sqlite":
            row, cast = "json_array", ""
        else:  # another database: nothing folded, the rows are read when first used
            return "NULL", []
        quote = connection.ops.quote_name
        columns, tables, joins, params = [], [], [], []
        for n, ((_, model, fields), key) in enumerate(zip(SAVE_RELATED, self.get_source_expressions(), strict=True)):
            alias = f"r{n}"
            columns += [f"{alias}.{quote(c.column)}" for c in _read_fields(model, fields)]
            tables.append(f"{quote(model._meta.db_table)} {alias}")
            key_sql, key_params = compiler.compile(key)
            joins.append(f"{alias}.{quote(model._meta.pk.column)} = {key_sql}")
            params += key_params
        sql = f"(SELECT {row}({', '.join(columns)}){cast} FROM {', '.join(tables)} WHERE {' AND '.join(joins)})"
        return sql, params


def _attach_related(application: Application, text: str | None) -> None:
    """Put the campaign, unit and framework record read by `_SaveRelated` on the application,
    as instances loaded from the database with only those columns (`Model.from_db`)."""
    if text is None:
        return
    values = iter(json.loads(text))
    for name, model, fields in SAVE_RELATED:
        read = [f for f in model._meta.concrete_fields if f.primary_key or f.attname in fields]
        key = getattr(application, f"{name}_id")  # the JSON holds the others, in this order
        loaded = [key if f.primary_key else f.to_python(next(values)) for f in read]
        setattr(application, name, model.from_db(application._state.db, [f.attname for f in read], loaded))


def application_to_save(user: Actor, pk: int) -> Application | None:
    """`visible_application` for an autosave, the platform's busiest request: the same row and
    stages, scoped the same way, with only the columns a save reads (SAVE_COLUMNS and
    SAVE_RELATED). Compiling and loading the other sixty columns of the application, campaign,
    unit and framework cost about half of the read. A column a save comes to need later is
    read when first used (one query more, which the autosave's query-count test shows)."""
    rows = (
        stages.with_stage_rows(scopes.visible_applications(user, Application.objects.all()))
        .annotate(**{SAVE_RELATED_ROWS: _SaveRelated()})
        .only(*SAVE_COLUMNS)
        .filter(pk=pk)
        .order_by()
    )
    application = next(iter(rows), None)
    if application is not None:
        _attach_related(application, getattr(application, SAVE_RELATED_ROWS))
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
