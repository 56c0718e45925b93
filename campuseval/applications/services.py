"""Applications as domain functions: start, save (form, indicator, choices), evidence, submit,
return. Each checks permission, validates, writes and audits. Saves carry the revision they
started from so nobody silently overwrites a colleague's work."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import Count, Max, QuerySet, Sum
from django.db.models.sql import InsertQuery, UpdateQuery
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from campuseval.access.rules import SCHOOL_ROLES, is_county_reviewer_for, is_head, may_edit_application, unit_ids_with
from campuseval.accounts.models import User
from campuseval.audit.models import AuditEntry
from campuseval.audit.services import pending, record
from campuseval.campaigns import stages
from campuseval.campaigns.models import Campaign, Stage
from campuseval.campaigns.scoring import framework_for
from campuseval.campaigns.services import form_definition as form_by_key  # a form file or one stored with its framework
from campuseval.engine import Framework, Indicator, InputSpec, InvalidAnswers, ScoreResult, formdefs, score
from campuseval.engine.evidence import item_numbers
from campuseval.engine.numbers import fmt
from campuseval.files.checks import CheckedFile, check_upload, megabytes
from campuseval.notifications.services import notify
from campuseval.orgs.models import Unit

from . import agreement, confirmation, copying, queries
from .checks import registered_problems, registered_warnings
from .figures import record_self
from .models import Application, ApplicationVersion, Evidence

EDITABLE = (Application.Status.DRAFT, Application.Status.RETURNED)

#: evidence types accepted, detected from the file's bytes: mime → extension
ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png"}


class StaleRevision(ValidationError):
    """Someone saved since this page was loaded; `changes` lists field, theirs and yours."""

    def __init__(self, message: str, *, changes: list[dict[str, str]], current: int) -> None:
        super().__init__(message)
        self.changes = changes
        self.current = current


@dataclass
class SaveOutcome:
    """What a save did: values refused (field → Chinese message) while the valid ones were kept."""

    application: Application
    errors: dict[str, str] = field(default_factory=dict)
    #: False only inside a save's first, optimistic attempt that found the row changed
    written: bool = True


# --- helpers ----------------------------------------------------------------------------------


def framework_of(application: Application) -> Framework:
    return framework_for(application.framework)


def form_definition(application: Application) -> formdefs.FormDefinition:
    return form_by_key(application.form_key)


def apply_stage(campaign: Campaign) -> Stage | None:
    return campaign.stages.filter(kind=Stage.Kind.APPLY).first()


def display(value: Any) -> str:
    """A stored value as a person reads it (for conflict tables and version pages), in the
    reader's language (a template tests for nothing with _("（空）"))."""
    if value is None or value == "" or value == []:
        return gettext("（空）")
    if value is True:
        return gettext("是")
    if value is False:
        return gettext("否")
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "；".join("，".join(str(v) for v in row.values() if v not in (None, "")) for row in value)
        return "、".join(str(v) for v in value)
    return str(value)


def to_json(spec: InputSpec, value: Any) -> Any:
    """A parsed value in the JSON the engine reads back (decimals as strings, dates ISO)."""
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return [to_json(spec, v) for v in value]
    if isinstance(value, dict):
        return {k: to_json(spec, v) for k, v in value.items()}
    return value


def fed_inputs(
    fw: Framework, definition: formdefs.FormDefinition, form_data: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Indicator inputs whose value comes from the form: {code: {key: value}}."""
    fed: dict[str, dict[str, Any]] = {}
    for leaf in fw.leaves():
        for key, spec in leaf.inputs.items():
            if spec.form_field:
                value = formdefs.form_value(definition, form_data, spec.form_field)
                if value is not None:
                    fed.setdefault(leaf.code, {})[key] = value
    return fed


def answer_document(application: Application) -> dict[str, Any]:
    """The engine's answer document: stored answers plus the values the form feeds. An input
    the form answers (`agreement.linked_inputs`) takes the form's value only: what may have
    been stored for it on the indicator before the link is not read, so the indicator never
    scores a figure the form no longer says. A form value that does not fit an indicator's
    range is left out (the form shows it as entered, the indicator counts it unanswered)."""
    fw = framework_of(application)
    definition = form_definition(application)
    marks_left_out = copying.strip_marks(application.answers or {})  # 沿用待核对 marks are not answers
    doc = {k: dict(v) if isinstance(v, dict) else v for k, v in marks_left_out.items()}
    answers = {code: dict(values) for code, values in (doc.get("answers") or {}).items()}
    for code, keys in agreement.linked_inputs(fw, definition).items():
        if code in answers:
            for key in keys:
                answers[code].pop(key, None)
    for code, values in fed_inputs(fw, definition, application.form_data).items():
        for key, value in values.items():
            try:
                fw.by_code[code].inputs[key].parse(value, as_of=application.campaign.as_of)
            except ValueError:
                continue
            answers.setdefault(code, {})[key] = value
    doc["answers"] = answers
    return doc


def score_application(application: Application) -> ScoreResult:
    return score(framework_of(application), answer_document(application), as_of=application.campaign.as_of)


def _rescore(application: Application) -> None:
    result = score_application(application)
    application.result = result.to_dict()
    application.self_total = result.total


def _lock(application: Application) -> Application:
    # the stored result is not read under the lock: a save scores afresh, the others leave it
    return queries.with_related(Application.objects.select_for_update()).defer("result").get(pk=application.pk)


#: what a save writes: the answers, what follows from them, and who saved when
SAVED_FIELDS = ("form_data", "answers", "narratives", "result", "self_total", "revision", "updated_by", "updated_at")
#: of those, what a save may find as it was read (the rest change with every save)
_KEPT_IF_EQUAL = frozenset({"form_data", "answers", "narratives", "result", "self_total"})


def _changed(application: Application, read: Application) -> list[str]:
    """The SAVED_FIELDS to write: all but the answers and results equal to what was read (a
    column not read is written)."""
    unread = read.get_deferred_fields()
    return [
        name
        for name in SAVED_FIELDS
        if name not in _KEPT_IF_EQUAL or name in unread or getattr(application, name) != getattr(read, name)
    ]


def _saving(
    application: Application, revision: int, save: Callable[[Application, Application | None], SaveOutcome]
) -> SaveOutcome:
    """Run `save` on the application as the caller read it, then, if that did not hold, on the
    row read again under a lock.

    An autosave is the platform's busiest request. The caller (the page) has just read the
    application; reading it a second time under a lock only to find the same revision cost a
    query and most of a save's database time. So the first attempt works on a copy of the
    caller's instance and writes with one UPDATE that holds only while the stored row still
    has that revision and an editable status. If it does not hold (a colleague saved, the
    county returned it, the caller's instance was old) or any check refuses, the save runs
    again on the locked row, which gives the refusal or the stale-revision comparison exactly
    as stored.

    On PostgreSQL that UPDATE and its audit row are one statement (`_update_and_record`),
    atomic by itself: the optimistic attempt needs no transaction, so no BEGIN and COMMIT
    round trips either. Elsewhere (SQLite, in-process: no round trips) it runs in a
    transaction as before.

    `save` is given the instance to change and, in the optimistic attempt, the caller's instance
    as read (None on the locked row): `_finish_save` writes only the columns that differ from it."""
    if revision == application.revision and application.status in EDITABLE:
        try:
            with contextlib.nullcontext() if _one_statement() else transaction.atomic():
                outcome = save(copy.copy(application), application)
        except (PermissionDenied, ValidationError):
            pass
        else:
            if outcome.written:
                return outcome
    with transaction.atomic():
        return save(_lock(application), None)


def _one_statement() -> bool:
    return bool(connection.vendor == "postgresql")


def _update_and_record(rows: QuerySet[Application], values: dict[str, Any], entry: AuditEntry) -> bool:
    """`rows.update(**values)` and, only if a row was updated, the INSERT of `entry`, in one
    PostgreSQL statement (a data-modifying WITH): one round trip instead of four (BEGIN,
    UPDATE, INSERT, COMMIT) on the platform's busiest request, and atomic without a
    transaction. Both halves are compiled by Django's own UPDATE and INSERT compilers, so the
    columns, conversions and placeholders are the ORM's."""
    update: UpdateQuery = rows.query.chain(UpdateQuery)  # type: ignore[assignment]
    update.add_update_values(values)
    update_sql, update_params = update.get_compiler(rows.db).as_sql()
    fields = [f for f in AuditEntry._meta.concrete_fields if not f.primary_key]
    insert = InsertQuery(AuditEntry)
    insert.insert_values(fields, [entry])
    ((insert_sql, insert_params),) = insert.get_compiler(rows.db).as_sql()
    head, values_keyword, placeholders = insert_sql.partition(" VALUES (")
    if not values_keyword or not placeholders.endswith(")"):
        raise RuntimeError(f"unexpected INSERT from the compiler: {insert_sql[:200]}")
    statement = (
        f"WITH updated AS ({update_sql} RETURNING 1) "
        f"{head} SELECT {placeholders[:-1]} FROM updated RETURNING {connections[rows.db].ops.quote_name('id')}"
    )
    with connections[rows.db].cursor() as cursor:
        cursor.execute(statement, (*update_params, *insert_params))
        row = cursor.fetchone()
    if row is None:
        return False
    entry.pk = row[0]
    entry._state.adding = False
    return True


def _check_editable(actor: User, application: Application) -> None:
    if not may_edit_application(actor, application):
        raise PermissionDenied
    if application.status not in EDITABLE:
        raise ValidationError(
            gettext("申报当前状态为“%(status)s”，不能修改") % {"status": application.get_status_display()}
        )
    stages.check_open(application.campaign, stages.Action.APPLY, application=application)


def _stale(application: Application, revision: int, changes: list[dict[str, str]]) -> StaleRevision:
    who = str(application.updated_by) if application.updated_by else gettext("其他人")
    return StaleRevision(
        gettext("%(who)s已在您打开本页后保存了修改，您的内容尚未保存。请对照下表，确认后再保存。") % {"who": who},
        changes=changes,
        current=application.revision,
    )


# --- start -----------------------------------------------------------------------------------


def context_prefill(fw: Framework, unit: Unit) -> dict[str, str]:
    """Framework context inputs (e.g. 学段) prefilled from the school's counted stage."""
    out: dict[str, str] = {}
    if not unit.counted_stage:
        return out
    label = str(Unit.Stage(unit.counted_stage).label)
    for key, spec in fw.context.items():
        if spec.type == "choice" and label in spec.options:
            out[key] = label
    return out


@transaction.atomic
def start_application(*, actor: User, campaign: Campaign, unit: Unit, ip: str | None = None) -> Application:
    """Open an application for a school in an open campaign, prefilled from the unit."""
    if unit.pk not in unit_ids_with(actor, *SCHOOL_ROLES):
        raise PermissionDenied
    if not queries.open_campaigns_for(unit).filter(pk=campaign.pk).exists():
        raise ValidationError("该活动当前不接受本单位申报")
    stages.check_open(campaign, stages.Action.APPLY)
    school = unit.kind == Unit.Kind.SCHOOL
    record_ = campaign.school_framework if school else campaign.district_framework
    if record_ is None:
        raise ValidationError("该活动尚未配置指标框架")
    existing = Application.objects.filter(campaign=campaign, unit=unit).first()
    if existing is not None:
        return existing
    fw = framework_for(record_)
    form_data = {k: getattr(unit, k) for k in ("students", "staff", "classes") if getattr(unit, k) is not None}
    try:
        with transaction.atomic():
            application = Application.objects.create(
                campaign=campaign,
                unit=unit,
                framework=record_,
                form_key=(campaign.school_form if school else campaign.district_form) or "school",
                form_data=form_data,
                answers={"context": context_prefill(fw, unit), "choices": {}, "declarations": {}, "answers": {}},
                updated_by=actor,
            )
    except IntegrityError:
        return Application.objects.get(campaign=campaign, unit=unit)
    _rescore(application)
    application.save()
    record(
        actor=actor,
        action="application.start",
        obj=application,
        ip=ip,
        summary=f"开始填报：{campaign.name}",
        campaign_id=campaign.pk,
        unit_id=unit.pk,
    )
    return application


# --- start from the previous application ------------------------------------------------------


@transaction.atomic
def start_application_from_previous(
    *, actor: User, campaign: Campaign, unit: Unit, source: Application, ip: str | None = None
) -> Application:
    """Open the unit's application in `campaign` from its earlier one of the same framework
    family: the 申报书, context, choices, declarations, answers and narratives that still fit the
    campaign's edition, and the evidence by reference (new rows on the same stored files; removing
    one row leaves the file while another uses it). Each carried-over indicator is marked
    「沿用上次申报，待核对」 and submission waits for the school's look at each (`copied_problems`);
    what no longer fits is dropped and named in the marks and the audit. The source row is locked
    so a removal of one of its files cannot delete the file while this copy takes it up."""
    if unit.pk not in unit_ids_with(actor, *SCHOOL_ROLES):
        raise PermissionDenied
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("campaign", "framework")
        .filter(pk=source.pk, unit=unit)
        .first()
    )
    if locked is None:
        raise PermissionDenied  # not this unit's: answered as if it did not exist
    source = locked
    if source.campaign_id == campaign.pk:
        raise ValidationError("不能从本次活动的申报复制，请选择以往活动的申报")
    if not queries.open_campaigns_for(unit).filter(pk=campaign.pk).exists():
        raise ValidationError("该活动当前不接受本单位申报")
    stages.check_open(campaign, stages.Action.APPLY)
    school = unit.kind == Unit.Kind.SCHOOL
    record_ = copying.target_record(campaign, school)
    if record_ is None:
        raise ValidationError("该活动尚未配置指标框架")
    if not copying.same_family(source.framework, record_):
        raise ValidationError(
            f"「{source.campaign.name}」的申报使用的指标体系与本次活动不属于同一系列，不能沿用，请直接开始申报"
        )
    if Application.objects.filter(campaign=campaign, unit=unit).exists():
        raise ValidationError("本单位已开始该活动的申报，不能再从以往申报复制；请在已有申报中填写")
    fw = framework_for(record_)
    form_key = (campaign.school_form if school else campaign.district_form) or "school"
    carried = copying.carry_over(
        source=source,
        source_fw=framework_for(source.framework),
        source_form=form_by_key(source.form_key),
        fw=fw,
        form=form_by_key(form_key),
        as_of=campaign.as_of,
        unit_figures={k: getattr(unit, k) for k in ("students", "staff", "classes")},
    )
    if not carried.context:
        carried.context = context_prefill(fw, unit)
    copying.drop_refused(carried, fw, carried.document(source), campaign.as_of)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                campaign=campaign,
                unit=unit,
                framework=record_,
                form_key=form_key,
                form_data=carried.form_data,
                answers=carried.document(source),
                narratives=carried.narratives,
                updated_by=actor,
            )
    except IntegrityError:
        raise ValidationError("本单位已开始该活动的申报，不能再从以往申报复制；请在已有申报中填写") from None
    # every column of the row but its place: a field added to Evidence later is carried as well
    skip = {"id", "application", "uploaded_at", "frozen_in_version", "file"}
    Evidence.objects.bulk_create(
        Evidence(
            application=application,
            file=e.file.name,
            **{f.attname: getattr(e, f.attname) for f in Evidence._meta.concrete_fields if f.name not in skip},
        )
        for e in carried.evidence
    )
    _rescore(application)
    application.save()
    record(
        actor=actor,
        action="application.copy_previous",
        obj=application,
        ip=ip,
        summary=f"从「{source.campaign.name}」的申报复制开始填报：{campaign.name}"[:300],
        after={
            "source": source.pk,
            "target": application.pk,
            "to_review": carried.to_review,
            "pages": carried.pages,
            "evidence": len(carried.evidence),
            "dropped": carried.dropped,
        },
        campaign_id=campaign.pk,
        unit_id=unit.pk,
    )
    return application


@transaction.atomic
def confirm_copied(
    *, actor: User, application: Application, code: str = "", page: str = "", ip: str | None = None
) -> Application:
    """「确认无变化」: the school has looked at a carried-over indicator (`code`) or page (`page`:
    申报书 or 基本情况与方向选择) and it stands as copied; its mark goes."""
    application = _lock(application)
    _check_editable(actor, application)
    fw = framework_of(application)
    if code:
        what = f"指标 {code} {fw.by_code[code].title}" if code in fw.by_code else f"指标 {code}"
    else:
        what = copying.PAGES.get(page, page)
    if not copying.is_marked(application.answers, code=code, page=page):
        raise ValidationError(f"{what}没有待核对的沿用内容（可能已核对）")
    application.answers = copying.reviewed(application.answers, code=code, page=page)
    application.revision += 1
    application.updated_by = actor
    application.save(update_fields=["answers", "revision", "updated_by", "updated_at"])
    record(
        actor=actor,
        action="application.copy_confirm",
        obj=application,
        ip=ip,
        summary=f"确认沿用内容无变化：{what}"[:300],
        after={"code": code, "page": page},
        campaign_id=application.campaign_id,
        unit_id=application.unit_id,
    )
    return application


def copied_problems(application: Application, fw: Framework) -> list[str]:
    """The carried-over content not yet reviewed, as one submission problem whose items link
    to their pages (the submit page shows a problem as it is given, so this one is built as safe
    HTML, every part escaped)."""
    codes = [c for c in copying.codes_to_review(application) if c in fw.by_code]
    pages = [p for p in copying.pages_to_review(application) if p in copying.PAGES]
    if not codes and not pages:
        return []
    items = [(reverse(f"applications:{p}", args=[application.pk]), copying.PAGES[p]) for p in pages]
    items += [
        (reverse("applications:indicator", args=[application.pk, c]), f"{c} {fw.by_code[c].title}") for c in codes
    ]
    links = format_html_join("、", '<a href="{}">{}</a>', items)
    return [
        format_html(
            "以下内容沿用上次申报，尚待核对（共 {} 项；请逐项核对，修改后保存或点「确认无变化」）：{}。"
            '<a href="{}">逐项核对</a>',
            len(items),
            links,
            reverse("applications:copied", args=[application.pk]),
        )
    ]


# --- saves -----------------------------------------------------------------------------------


def save_form(
    *, actor: User, application: Application, revision: int, data: Mapping[str, Any], ip: str | None = None
) -> SaveOutcome:
    """Save the form fields given in `data`: valid ones are stored, invalid ones reported."""
    return _saving(
        application, revision, lambda current, read: _save_form(actor, current, read, revision, data, ip)
    )


def _save_form(
    actor: User,
    application: Application,
    read: Application | None,
    revision: int,
    data: Mapping[str, Any],
    ip: str | None,
) -> SaveOutcome:
    _check_editable(actor, application)
    definition = form_definition(application)
    fields = {f.key: f for f in definition.fields()}
    if revision != application.revision:
        changes = []
        for key, raw in data.items():
            if key in fields:
                theirs = application.form_data.get(key)
                if display(theirs) != display(str(raw).strip() or None):
                    changes.append({"label": fields[key].label, "theirs": display(theirs), "yours": str(raw)})
        raise _stale(application, revision, changes)
    errors: dict[str, str] = {}
    before = dict(application.form_data)
    application.form_data = dict(application.form_data)
    for key, raw in data.items():
        spec = fields.get(key)
        if spec is None:
            continue
        try:
            value = formdefs.clean_field(spec, raw)
        except ValueError as exc:
            errors[key] = str(exc)
            continue
        if value is None:
            application.form_data.pop(key, None)
        else:
            application.form_data[key] = value
    if copying.is_marked(application.answers, page="form"):
        application.answers = copying.reviewed(application.answers, page="form")
    written = _finish_save(
        actor, application, read, ip, "application.save_form", "保存申报书", before, application.form_data
    )
    return SaveOutcome(application, errors, written)


def parse_indicator_values(
    node: Indicator, raw: Mapping[str, Any], as_of: dt.date
) -> tuple[dict[str, Any], set[str], dict[str, str]]:
    """Check raw values per input: (valid JSON values, inputs left empty, errors)."""
    values: dict[str, Any] = {}
    empty: set[str] = set()
    errors: dict[str, str] = {}
    for key, value in raw.items():
        spec = node.inputs.get(key)
        if spec is None:
            continue
        if value is None or value == "" or (value == [] and spec.type == "multi"):
            empty.add(key)
            continue
        if spec.type == "text" and isinstance(value, str) and not value.strip():
            empty.add(key)
            continue
        try:
            values[key] = to_json(spec, spec.parse(value, as_of=as_of))
        except ValueError as exc:
            errors[key] = str(exc)
    return values, empty, errors


def save_indicator(
    *,
    actor: User,
    application: Application,
    revision: int,
    code: str,
    values: Mapping[str, Any],
    narrative: str | None = None,
    ip: str | None = None,
) -> SaveOutcome:
    """Save one indicator's inputs and narrative. Values fed from the form are not taken here;
    a refused value is reported and the field's stored value left as it was."""
    return _saving(
        application,
        revision,
        lambda current, read: _save_indicator(actor, current, read, revision, code, values, narrative, ip),
    )


def _save_indicator(
    actor: User,
    application: Application,
    read: Application | None,
    revision: int,
    code: str,
    values: Mapping[str, Any],
    narrative: str | None,
    ip: str | None,
) -> SaveOutcome:
    _check_editable(actor, application)
    fw = framework_of(application)
    node = fw.by_code.get(code)
    if node is None or not node.is_leaf:
        raise ValidationError(f"指标 {code} 不存在")
    linked = agreement.linked_inputs(fw, form_definition(application)).get(code, {})
    values = {k: v for k, v in values.items() if k not in linked}
    stored = (application.answers.get("answers") or {}).get(code, {})
    if revision != application.revision:
        changes = []
        for key, raw in values.items():
            spec = node.inputs.get(key)
            if spec is not None and display(stored.get(key)) != display(raw if raw != "" else None):
                changes.append({"label": spec.label, "theirs": display(stored.get(key)), "yours": display(raw)})
        if narrative is not None and narrative != application.narratives.get(code, ""):
            changes.append(
                {"label": "自评说明", "theirs": display(application.narratives.get(code)), "yours": narrative}
            )
        raise _stale(application, revision, changes)
    parsed, empty, errors = parse_indicator_values(node, values, application.campaign.as_of)
    before = dict(stored)
    new = {k: v for k, v in stored.items() if k not in empty}
    new.update(parsed)
    answers = copying.reviewed(application.answers, code=code)  # saved: the school has looked at it
    answers["answers"] = {**(answers.get("answers") or {}), code: new}
    application.answers = answers
    if narrative is not None:
        if "\x00" in narrative:
            errors["narrative"] = gettext("自评说明含有不可见的空字符，请删除后重试")
        else:
            application.narratives = {**application.narratives, code: narrative}
    written = _finish_save(
        actor, application, read, ip, "application.save_indicator", f"保存指标 {code}", before, new
    )
    return SaveOutcome(application, errors, written)


def save_choices(
    *,
    actor: User,
    application: Application,
    revision: int,
    context: Mapping[str, Any] | None = None,
    choices: Mapping[str, str] | None = None,
    declarations: Mapping[str, Any] | None = None,
    ip: str | None = None,
) -> SaveOutcome:
    """Framework-wide answers: context (学段), the chosen direction of each choose-one section,
    and declarations (否决情形)."""
    return _saving(
        application,
        revision,
        lambda current, read: _save_choices(
            actor, current, read, revision, context, choices, declarations, ip
        ),
    )


def _save_choices(
    actor: User,
    application: Application,
    read: Application | None,
    revision: int,
    context: Mapping[str, Any] | None,
    choices: Mapping[str, str] | None,
    declarations: Mapping[str, Any] | None,
    ip: str | None,
) -> SaveOutcome:
    _check_editable(actor, application)
    fw = framework_of(application)
    doc = dict(application.answers)
    if revision != application.revision:
        changes = []
        for code, chosen in (choices or {}).items():
            theirs = (doc.get("choices") or {}).get(code)
            if display(theirs) != display(chosen or None):
                title = fw.by_code[code].title if code in fw.by_code else code
                changes.append({"label": title, "theirs": display(theirs), "yours": display(chosen)})
        raise _stale(application, revision, changes)
    errors: dict[str, str] = {}
    new_context = dict(doc.get("context") or {})
    for key, raw in (context or {}).items():
        spec = fw.context.get(key)
        if spec is None:
            continue
        if raw in (None, ""):
            new_context.pop(key, None)
            continue
        try:
            new_context[key] = to_json(spec, spec.parse(raw))
        except ValueError as exc:
            errors[f"context.{key}"] = str(exc)
    new_choices = dict(doc.get("choices") or {})
    options = {n.code: [c.code for c in n.children] for n in fw.choose_one_nodes()}
    for code, chosen in (choices or {}).items():
        if code not in options:
            continue
        if not chosen:
            new_choices.pop(code, None)
        elif chosen in options[code]:
            new_choices[code] = chosen
        else:
            errors[f"choice.{code}"] = f"方向「{chosen}」不存在，可选：{'、'.join(options[code])}"
    new_decl = dict(doc.get("declarations") or {})
    known = {e.key for e in (fw.eligibility.exclusions if fw.eligibility else ())}
    for key, raw in (declarations or {}).items():
        if key in known:
            if raw in ("true", True):
                new_decl[key] = True
            elif raw in ("false", False):
                new_decl[key] = False
            else:
                new_decl.pop(key, None)
    before = {"context": doc.get("context"), "choices": doc.get("choices"), "declarations": doc.get("declarations")}
    doc.update(context=new_context, choices=new_choices, declarations=new_decl)
    application.answers = copying.reviewed(doc, page="choices")
    after = {"context": new_context, "choices": new_choices, "declarations": new_decl}
    written = _finish_save(
        actor, application, read, ip, "application.save_choices", "保存基本情况与方向选择", before, after
    )
    return SaveOutcome(application, errors, written)


def _finish_save(
    actor: User,
    application: Application,
    read: Application | None,
    ip: str | None,
    action: str,
    summary: str,
    b: Any,
    a: Any,
) -> bool:
    """Score, write and audit; False (nothing written) when this is the optimistic attempt
    (`read`: the instance as read) and the stored row no longer has the revision and editable
    status the application was read with.

    The optimistic UPDATE leaves out the JSON columns that are as read. Most autosaves come
    from typing a narrative or a text field: the scores stay as they were, and rewriting the
    18 KB result (encoding, sending, compressing, logging it) was the largest part of the
    save's UPDATE."""
    try:
        _rescore(application)
    except InvalidAnswers as exc:  # stored data no longer fits (framework snapshot changed)
        raise ValidationError([p.message_zh for p in exc.problems]) from exc
    read_revision = application.revision
    application.revision += 1
    application.updated_by = actor
    entry = pending(
        actor=actor,
        action=action,
        obj=application,
        ip=ip,
        summary=summary,
        before=b,
        after=a,
        campaign_id=application.campaign_id,
        unit_id=application.unit_id,
    )
    if read is not None:
        application.updated_at = timezone.now()
        rows = Application.objects.filter(pk=application.pk, revision=read_revision, status__in=EDITABLE)
        values = {name: getattr(application, name) for name in _changed(application, read)}
        if _one_statement():
            return _update_and_record(rows, values, entry)
        if not rows.update(**values):
            return False
    else:
        application.save(update_fields=SAVED_FIELDS)
    entry.save()
    return True


# --- evidence --------------------------------------------------------------------------------

_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")


def sanitize_filename(name: str, extension: str) -> str:
    """A safe display/storage name: no directories, control characters or leading dots, at
    most 100 characters, ending in the extension the content was detected as."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = _UNSAFE.sub("_", name).strip().lstrip(".").strip()
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    if ext.lower() != extension and not (extension == "jpg" and ext.lower() == "jpeg"):
        stem = name
        ext = extension
    stem = stem.strip(" ._") or "佐证材料"
    stem = stem[: 100 - len(ext) - 1]
    return f"{stem}.{ext.lower()}"


@transaction.atomic
def upload_evidence(
    *,
    actor: User,
    application: Application,
    file: UploadedFile[bytes],
    indicator_code: str = "",
    evidence_item: int | None = None,
    ip: str | None = None,
) -> Evidence:
    """Store one evidence file after the one check every upload goes through (size, type by
    content, document structure) and the application's own limits: how many files and bytes it
    may hold, and no second copy of a file it already has (the message names that file). The
    application row is locked first, so two uploads at once cannot both pass the limits.
    `evidence_item` ties the file to a numbered item of the indicator's 提供材料要求."""
    application = _lock(application)
    _check_editable(actor, application)
    if indicator_code and indicator_code not in framework_of(application).by_code:
        raise ValidationError(f"指标 {indicator_code} 不存在")
    if evidence_item is not None:
        check_evidence_item(application, indicator_code, evidence_item)
    checked = check_upload(file, accept=ALLOWED_TYPES.values(), what="文件")
    _check_application_room(application, file.name or "", checked)
    evidence = Evidence(
        application=application,
        indicator_code=indicator_code,
        evidence_item=evidence_item,
        original_name=sanitize_filename(file.name or "", checked.extension),
        content_type=checked.mime,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    evidence.file.save(evidence.original_name, file, save=False)
    evidence.save()
    record(
        actor=actor,
        action="evidence.upload",
        obj=evidence,
        ip=ip,
        summary=f"上传佐证材料 {evidence.original_name}"[:300],
        after={"sha256": evidence.sha256, "size": evidence.size, "indicator": indicator_code, "item": evidence_item},
        campaign_id=application.campaign_id,
        unit_id=application.unit_id,
    )
    return evidence


def check_evidence_item(application: Application, indicator_code: str, number: int) -> None:
    """A file may name only a number the indicator's 提供材料要求 gives (engine.evidence)."""
    node = framework_of(application).by_code.get(indicator_code)
    numbers = item_numbers(node.evidence) if node is not None else ()
    if number not in numbers:
        if numbers:
            allowed = gettext("可选 %(first)s–%(last)s") % {"first": numbers[0], "last": numbers[-1]}
        else:
            allowed = gettext("本指标的提供材料要求未编号")
        raise ValidationError(
            gettext("材料序号：「%(number)s」不是本指标提供材料要求中的编号（%(allowed)s）")
            % {"number": number, "allowed": allowed}
        )


def _check_application_room(application: Application, name: str, checked: CheckedFile) -> None:
    """The per-application limits (EVIDENCE_MAX_FILES, EVIDENCE_MAX_TOTAL_BYTES) and duplicates by
    SHA-256, frozen files included: they stay with the application and count against it."""
    same = application.evidence.filter(sha256=checked.sha256).order_by("pk").first()
    if same is not None:
        where = gettext("（指标 %(code)s）") % {"code": same.indicator_code} if same.indicator_code else ""
        raise ValidationError(
            gettext("文件「%(name)s」与已上传的「%(other)s」%(where)s内容相同，不必重复上传")
            % {"name": name, "other": same.original_name, "where": where}
        )
    stored = application.evidence.aggregate(count=Count("pk"), total=Sum("size"))
    if stored["count"] >= settings.EVIDENCE_MAX_FILES:
        raise ValidationError(
            gettext(
                "文件「%(name)s」未上传：每份申报最多 %(most)s 个佐证材料，已有 %(n)s 个，请删除不需要的文件后再上传"
            )
            % {"name": name, "most": settings.EVIDENCE_MAX_FILES, "n": stored["count"]}
        )
    total = stored["total"] or 0
    if total + checked.size > settings.EVIDENCE_MAX_TOTAL_BYTES:
        raise ValidationError(
            gettext(
                "文件「%(name)s」未上传：每份申报的佐证材料合计不超过 %(most)s MB，"
                "已有 %(n)s MB，请压缩或删除不需要的文件后再上传"
            )
            % {"name": name, "most": megabytes(settings.EVIDENCE_MAX_TOTAL_BYTES), "n": megabytes(total)}
        )


def upload_evidence_files(
    *,
    actor: User,
    application: Application,
    files: Sequence[UploadedFile[bytes]],
    indicator_code: str = "",
    evidence_item: int | None = None,
    ip: str | None = None,
) -> tuple[list[Evidence], list[str]]:
    """The files of one upload: more than EVIDENCE_MAX_FILES_PER_POST refuses them all; otherwise
    each is stored or refused on its own (one transaction each), so one bad file costs only
    itself. Returns what was stored and the Chinese message of each refusal."""
    limit = settings.EVIDENCE_MAX_FILES_PER_POST
    if len(files) > limit:
        raise ValidationError(
            gettext("一次最多上传 %(most)s 个文件，本次选择了 %(n)s 个，未上传任何文件，请分批上传")
            % {"most": limit, "n": len(files)}
        )
    stored: list[Evidence] = []
    problems: list[str] = []
    for upload in files:
        try:
            evidence = upload_evidence(
                actor=actor,
                application=application,
                file=upload,
                indicator_code=indicator_code,
                evidence_item=evidence_item,
                ip=ip,
            )
        except ValidationError as exc:
            problems.append("；".join(exc.messages))
        else:
            stored.append(evidence)
    return stored, problems


def narrative_problem(text: str | None) -> str | None:
    """Why a 自评说明 cannot be saved (too long), or None. Checked by the page before the save, so
    the rest of the indicator is still saved and the typed text stays on the page."""
    if text is None or len(text) <= settings.NARRATIVE_MAX_CHARS:
        return None
    return gettext("自评说明最多 %(most)s 个字，现有 %(n)s 个字，请精简后再保存（未保存自评说明）") % {
        "most": settings.NARRATIVE_MAX_CHARS,
        "n": len(text),
    }


@transaction.atomic
def assign_evidence_item(
    *, actor: User, evidence: Evidence, evidence_item: int | None, ip: str | None = None
) -> Evidence:
    """Tie a file already uploaded to another numbered item of its indicator's 提供材料要求, or to
    none (其他材料): a file uploaded before the items were offered, or under the wrong item, is
    put right without uploading it again. A submitted version keeps the tie it was frozen with."""
    application = _lock(evidence.application)
    _check_editable(actor, application)
    if evidence_item is not None:
        check_evidence_item(application, evidence.indicator_code, evidence_item)
    before = evidence.evidence_item
    evidence.evidence_item = evidence_item
    evidence.save(update_fields=["evidence_item"])
    record(
        actor=actor,
        action="evidence.assign_item",
        obj=evidence,
        ip=ip,
        summary=f"佐证材料 {evidence.original_name} 对应材料 {evidence_item or '（其他材料）'}"[:300],
        before={"item": before},
        after={"item": evidence_item},
        campaign_id=application.campaign_id,
        unit_id=application.unit_id,
    )
    return evidence


@transaction.atomic
def remove_evidence(*, actor: User, evidence: Evidence, ip: str | None = None) -> None:
    """Remove a file not yet part of a submitted version (frozen files stay for reviewers).

    A stored file may be shared: an application started from the previous one holds new rows
    on the same files (`start_application_from_previous`). The file is deleted only after the
    removal commits, and only if no row uses it then; a removal rolled back keeps its file."""
    application = _lock(evidence.application)
    _check_editable(actor, application)
    if evidence.frozen_in_version is not None:
        raise ValidationError(
            gettext("「%(name)s」已随第 %(n)s 版提交，不能删除")
            % {"name": evidence.original_name, "n": evidence.frozen_in_version}
        )
    name, sha = evidence.original_name, evidence.sha256
    pk = evidence.pk
    stored, storage = evidence.file.name, evidence.file.storage
    evidence.delete()
    if stored:
        transaction.on_commit(lambda: _delete_unused_file(storage, stored))
    record(
        actor=actor,
        action="evidence.remove",
        obj=None,
        ip=ip,
        summary=f"删除佐证材料 {name}"[:300],
        before={"id": pk, "sha256": sha},
        campaign_id=application.campaign_id,
        unit_id=application.unit_id,
    )


def _delete_unused_file(storage: Storage, name: str) -> None:
    if not Evidence.objects.filter(file=name).exists():
        storage.delete(name)


# --- submit and return -----------------------------------------------------------------------


def submission_problems(application: Application, result: ScoreResult | None = None) -> list[str]:
    """Everything that stops a submission, in Chinese: missing answers, missing form fields,
    the choose-one not chosen, eligibility, the campaign's minimum self-score, the deadline."""
    problems: list[str] = []
    closed = stages.action_problem(application.campaign, stages.Action.APPLY, application=application)
    if closed is not None:
        problems.append(gettext("%(closed)s，不能再提交") % {"closed": closed} if closed.endswith("截止") else closed)
    if result is None:
        try:
            result = score_application(application)
        except InvalidAnswers as exc:  # stored before a bound came in: named, to be corrected first
            return [*problems, *(gettext("请先改正：%(problem)s") % {"problem": p.message_zh} for p in exc.problems)]
    fw = framework_of(application)
    choose = {n.code for n in fw.choose_one_nodes()}
    not_chosen = [c for c in result.unanswered if c in choose]
    leaves = [c for c in result.unanswered if c not in choose]
    for code in not_chosen:
        problems.append(gettext("请选择“%(title)s”的方向") % {"title": fw.by_code[code].title})
    if leaves:
        names = gettext("、").join(f"{c} {fw.by_code[c].title}" for c in leaves[:10])
        more = gettext(" 等 %(n)s 项") % {"n": len(leaves)} if len(leaves) > 10 else ""
        problems.append(gettext("以下指标尚未填写完整：%(names)s%(more)s") % {"names": names, "more": more})
    missing = formdefs.missing_required(form_definition(application), application.form_data)
    if missing:
        problems.append(gettext("申报书尚未填写：%(fields)s") % {"fields": gettext("、").join(missing)})
    if result.eligibility_applies and not result.eligible:
        problems.extend(gettext("不符合申报条件：%(reason)s") % {"reason": r} for r in result.eligibility_reasons)
    minimum = application.campaign.min_self_score
    if minimum is not None and result.total < minimum:
        problems.append(
            gettext("自评分 %(total)s 分，低于本次活动申报最低自评分 %(minimum)s 分")
            % {"total": fmt(result.total), "minimum": fmt(minimum)}
        )
    if application.campaign.requires_stamped_scans:
        if not application.stamped_scan:
            problems.append(gettext("本次活动要求上传负责人签字并加盖公章的申报书扫描件，请先在本页上传"))
        elif (
            application.returned_at is not None
            and application.stamped_scan_at is not None
            and application.stamped_scan_at < application.returned_at
        ):
            problems.append(gettext("申报已被退回修改，请打印修改后的申报书，签字盖章后重新上传扫描件"))
    problems.extend(copied_problems(application, fw))
    problems.extend(registered_problems(application))  # e.g. 合格 → 优秀 → 示范, level by level
    return problems


def submission_warnings(application: Application) -> list[str]:
    """What the school should look at before submitting but that stops nothing: where the
    申报书 and an indicator answer the same question differently (`agreement.disagreements`),
    and what the apps above registered (`checks.register_submission_warning`)."""
    disagreements = [
        d.message
        for d in agreement.disagreements(
            framework_of(application),
            form_definition(application),
            application.form_data,
            (application.answers or {}).get("answers") or {},
        )
    ]
    return [*disagreements, *registered_warnings(application)]


@transaction.atomic
def submit_application(
    *, actor: User, application: Application, promise_confirmed: bool, ip: str | None = None
) -> ApplicationVersion:
    """The head confirms the authenticity promise and submits: the application, its scores and
    its evidence list are frozen as a new version."""
    application = _lock(application)
    if not may_edit_application(actor, application):
        raise PermissionDenied
    if not is_head(actor, application.unit):
        school = application.unit.kind == Unit.Kind.SCHOOL
        raise ValidationError(
            gettext("只有学校负责人可以确认真实性承诺并提交，请联系本校负责人")
            if school
            else gettext("只有区县负责人可以确认真实性承诺并提交，请联系本单位负责人")
        )
    if application.status not in EDITABLE:
        raise ValidationError(
            gettext("申报当前状态为“%(status)s”，不能提交") % {"status": application.get_status_display()}
        )
    try:
        result = score_application(application)
    except InvalidAnswers as exc:  # stored before a bound came in: named, to be corrected first
        raise ValidationError(
            [gettext("请先改正：%(problem)s") % {"problem": p.message_zh} for p in exc.problems]
        ) from exc
    problems = submission_problems(application, result)
    warnings = submission_warnings(application)
    if not promise_confirmed:
        problems.append(gettext("请阅读并勾选真实性承诺"))
    if problems:
        raise ValidationError(problems)
    now = timezone.now()
    number = (application.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    evidence = list(application.evidence.all())
    version = ApplicationVersion.objects.create(
        application=application,
        number=number,
        form_data={
            **application.form_data,
            **formdefs.compute_derived(form_definition(application), application.form_data),
        },
        answers=answer_document(application),
        narratives=application.narratives,
        result=result.to_dict(),
        total=result.total,
        evidence=[
            {
                "id": e.pk,
                "name": e.original_name,
                "sha256": e.sha256,
                "size": e.size,
                "indicator": e.indicator_code,
                "item": e.evidence_item,
                "content_type": e.content_type,
            }
            for e in evidence
        ],
        submitted_by=actor,
        confirmed_by=actor,
        promise_text=form_definition(application).promise,
        submitted_at=now,
    )
    record_self(version)  # the dashboards' queryable figures (derived from version.result)
    application.evidence.filter(frozen_in_version__isnull=True).update(frozen_in_version=number)
    before = application.status
    application.status = Application.Status.SUBMITTED
    application.submitted_at = now
    application.version_number = number
    application.result = result.to_dict()
    application.self_total = result.total
    application.revision += 1
    application.updated_by = actor
    application.save()
    record(
        actor=actor,
        action="application.submit",
        obj=application,
        ip=ip,
        summary=f"负责人确认真实性承诺并提交第 {number} 版，自评分 {fmt(result.total)}",
        before={"status": before},
        after={
            "status": application.status,
            "version": number,
            "total": fmt(result.total),
            **({"stamped_scan": application.stamped_scan.name} if application.stamped_scan else {}),
            #: submitted although the 申报书 and these indicators disagree (shown on the submit page)
            **({"disagreements": warnings} if warnings else {}),
        },
        campaign_id=application.campaign_id,
        unit_id=application.unit_id,
    )
    return version


@transaction.atomic
def return_application(
    *,
    actor: User,
    application: Application,
    reason: str,
    fix_deadline: dt.date | None = None,
    ip: str | None = None,
) -> Application:
    """The county reviewer sends a submitted application back to the school with a reason and a
    补正截止 (the chosen day, else `campaign.fix_days` from now); the school edits and submits
    the next version until then, even after the apply stage has closed."""
    application = _lock(application)
    if not is_county_reviewer_for(actor, application.unit):
        raise PermissionDenied
    if application.status != Application.Status.SUBMITTED:
        raise ValidationError(f"申报当前状态为“{application.get_status_display()}”，只有已提交的申报可以退回")
    stages.check_open(application.campaign, stages.Action.COUNTY_REVIEW)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "退回时必须填写理由"})
    deadline = stages.fix_deadline_of(application.campaign, fix_deadline)
    mark_returned(application, reason=reason, fix_deadline=deadline)
    record(
        actor=actor,
        action="application.return",
        obj=application,
        ip=ip,
        summary=f"退回修改：{reason}"[:300],
        before={"status": Application.Status.SUBMITTED},
        after={"status": application.status, "reason": reason, "fix_deadline": stages.when(deadline)},
        campaign_id=application.campaign_id,
        unit_id=application.unit_id,
    )
    return application


def mark_returned(application: Application, *, reason: str, fix_deadline: dt.datetime) -> None:
    """Write a return on a locked application: status, reason, when, and the 补正截止 (the
    county's decision and the plain return both end here)."""
    application.status = Application.Status.RETURNED
    application.return_reason = reason[:2000]
    application.returned_at = timezone.now()
    application.fix_deadline = fix_deadline
    application.revision += 1
    application.save()


# --- the officer asks the head ---------------------------------------------------------------


@transaction.atomic
def ask_head_to_submit(
    *, actor: User, application: Application, note: str = "", ip: str | None = None, now: dt.datetime | None = None
) -> list[User]:
    """The officer (填报员) asks the unit's head(s) to confirm the authenticity promise and submit:
    each head gets a notification linking to the submit page (with what is still missing, if
    anything, and the officer's note). Only while the application can still be submitted, and
    at most once per `confirmation.ASK_INTERVAL` for the application, whichever officer asks:
    the row is locked so two officers pressing at once send one reminder. Returns the heads."""
    application = _lock(application)
    if not confirmation.is_officer(actor, application):
        raise PermissionDenied
    if application.status not in EDITABLE:
        raise ValidationError(
            gettext("申报当前状态为“%(status)s”，不需要负责人确认提交") % {"status": application.get_status_display()}
        )
    stages.check_open(application.campaign, stages.Action.APPLY, application=application)
    school = application.unit.kind == Unit.Kind.SCHOOL
    heads = [head for head in confirmation.heads_of(application.unit) if head.pk != actor.pk]
    if not heads:
        raise ValidationError(
            gettext("本校尚未设置学校负责人账号，请联系上级教育行政部门的管理员分配负责人角色")
            if school
            else gettext("本单位尚未设置区县负责人账号，请联系上级教育行政部门的管理员分配负责人角色")
        )
    now = now or timezone.now()
    last = confirmation.last_ask_within(application, now)
    if last is not None:
        minutes = int((last.at + confirmation.ASK_INTERVAL - now).total_seconds() // 60) + 1
        raise ValidationError(
            gettext("%(by)s已于 %(at)s 提醒过负责人，%(interval)s 分钟内只提醒一次，请 %(minutes)s 分钟后再提醒")
            % {
                "by": last.by,
                "at": stages.when(last.at),
                "interval": int(confirmation.ASK_INTERVAL.total_seconds() // 60),
                "minutes": minutes,
            }
        )
    note = " ".join((note or "").split())
    problems = submission_problems(application)
    state = f"，尚有 {len(problems)} 项需完成（见提交页）" if problems else "，申报内容已完整"
    text = f"{actor}请您确认真实性承诺并提交《{application.campaign.name}》的申报{state}"
    notify(
        users=heads,
        text=text + (f"。留言：{note}" if note else ""),
        link=reverse("applications:submit", args=[application.pk]),
    )
    record(
        actor=actor,
        action=confirmation.ASK_HEAD,
        obj=application,
        ip=ip,
        summary=f"请负责人确认并提交：{'、'.join(str(h) for h in heads)}"[:300],
        after={"heads": [h.pk for h in heads], "problems": len(problems), **({"note": note} if note else {})},
        campaign_id=application.campaign_id,
        unit_id=application.unit_id,
    )
    return heads


# --- stamped scans ---------------------------------------------------------------------------

#: what a stamped scan may be: mime → extension
SCAN_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def check_scan_file(file: UploadedFile[bytes], what: str) -> str:
    """The scan's type by content (PDF, JPG or PNG) within the size limit, through the one upload
    check; otherwise a Chinese message naming the file, keyed by the form field `stamped_scan`."""
    return check_upload(file, accept=SCAN_TYPES.values(), what=what, field="stamped_scan").mime


def scan_name(prefix: str, mime: str) -> str:
    return f"{prefix}-{timezone.now():%Y%m%d%H%M%S}.{SCAN_TYPES[mime]}"


@transaction.atomic
def upload_stamped_scan(
    *, actor: User, application: Application, file: UploadedFile[bytes], ip: str | None = None
) -> Application:
    """Store the signed and stamped 申报书, scanned, before submission (a new upload replaces
    the previous one; submitted versions keep theirs in the audit log)."""
    application = _lock(application)
    _check_editable(actor, application)
    mime = check_scan_file(file, "盖章申报书扫描件")
    old = application.stamped_scan.name if application.stamped_scan else ""
    application.stamped_scan.save(scan_name(f"application-{application.pk}", mime), file, save=False)
    application.stamped_scan_at = timezone.now()
    application.save(update_fields=["stamped_scan", "stamped_scan_at", "updated_at"])
    record(
        actor=actor,
        action="application.stamped_scan",
        obj=application,
        ip=ip,
        summary="上传盖章申报书扫描件",
        before={"file": old} if old else None,
        after={"file": application.stamped_scan.name, "size": file.size},
        campaign_id=application.campaign_id,
        unit_id=application.unit_id,
    )
    return application


def scan_content_type(name: str) -> str:
    """The content type of a stored scan, from the extension it was stored under (its content
    was checked on upload)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return next((mime for mime, ext in SCAN_TYPES.items() if ext == extension), "application/octet-stream")
