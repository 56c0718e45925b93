"""Starting an application from the school's previous one in the same framework family: what
carries over into the new edition, what is dropped (and why, in Chinese), and the marks that
keep each carried-over indicator 「沿用上次申报，待核对」 until the school has looked at it.

Most of a school's facts are the same from one year to the next, so typing them again is waste;
but a fact carried over unread is the one a reviewer finds stale. Hence the marks: the copy is a
starting point the school confirms item by item, and submission waits until it has.

The marks live in the application's answers document under `MARKS_KEY` (no column of their
own): the engine never sees them (`strip_marks`), and the key is gone once nothing is left to
review, so a submitted document is what the engine reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from campuseval.campaigns.models import Campaign, FrameworkRecord
from campuseval.engine import Framework, InvalidAnswers, formdefs, score
from campuseval.engine.evidence import item_numbers
from campuseval.engine.numbers import fmt
from campuseval.orgs.models import Unit

from . import agreement
from .models import Application, Evidence

#: the answers document's key for the marks: {"from": id, "from_name": …, "to_review": [codes],
#: "pages": ["form", "choices"], "dropped": [Chinese notes]}
MARKS_KEY = "copied"
#: the workspace pages (besides indicators) whose copied content waits for the school's look
PAGES = {"form": "申报书", "choices": "基本情况与方向选择"}
MARK_TEXT = "沿用上次申报，待核对"


# --- the marks --------------------------------------------------------------------------------


def marks(answers: Mapping[str, Any] | None) -> dict[str, Any]:
    found = (answers or {}).get(MARKS_KEY)
    return found if isinstance(found, dict) else {}


def codes_to_review(application: Application) -> list[str]:
    return [str(c) for c in marks(application.answers).get("to_review") or ()]


def pages_to_review(application: Application) -> list[str]:
    return [str(p) for p in marks(application.answers).get("pages") or ()]


def strip_marks(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The answers document as the engine reads it (the engine refuses unknown keys)."""
    return {k: v for k, v in doc.items() if k != MARKS_KEY}


def reviewed(doc: Mapping[str, Any], *, code: str = "", page: str = "") -> dict[str, Any]:
    """The answers document with the mark of `code` (an indicator) or `page` removed; the whole
    key goes when nothing is left to review."""
    found = marks(doc)
    if not found:
        return dict(doc)
    codes = [c for c in found.get("to_review") or () if c != code]
    pages = [p for p in found.get("pages") or () if p != page]
    out = dict(doc)
    if codes or pages:
        out[MARKS_KEY] = {**found, "to_review": codes, "pages": pages}
    else:
        out.pop(MARKS_KEY, None)
    return out


def is_marked(doc: Mapping[str, Any], *, code: str = "", page: str = "") -> bool:
    found = marks(doc)
    return (bool(code) and code in (found.get("to_review") or ())) or (
        bool(page) and page in (found.get("pages") or ())
    )


# --- what may be copied from where ----------------------------------------------------------------


def same_family(a: FrameworkRecord, b: FrameworkRecord) -> bool:
    """Editions of one issuer's framework (`family`); a record without a family only matches
    itself."""
    return a.pk == b.pk or (bool(a.family) and a.family == b.family)


def target_record(campaign: Campaign, unit_is_school: bool) -> FrameworkRecord | None:
    return campaign.school_framework if unit_is_school else campaign.district_framework


def previous_applications(unit_ids: Iterable[int]) -> QuerySet[Application]:
    """The units' applications that can be copied from, newest campaign first, with what the
    offer shows (one query whatever the number of units and campaigns)."""
    return (
        Application.objects.filter(unit_id__in=list(unit_ids))
        .select_related("campaign", "framework")
        .only(
            "id",
            "unit_id",
            "status",
            "self_total",
            "campaign__name",
            "campaign__year",
            "campaign__as_of",
            "framework__id",
            "framework__family",
            "framework__key",
        )
        .order_by("-campaign__year", "-campaign__as_of", "-pk")
    )


def copy_offers(rows: list[dict[str, Any]], unit_ids: Iterable[int]) -> list[dict[str, Any]]:
    """For each open campaign a unit has not started (`rows`: {"campaign", "unit"}), the unit's
    earlier applications of the same framework family it may start from, newest first. Two
    queries in all: the earlier applications, and the families of the campaigns' frameworks."""
    if not rows:
        return []
    record_ids = {
        pk for row in rows for pk in (row["campaign"].school_framework_id, row["campaign"].district_framework_id) if pk
    }
    records = {r.pk: r for r in FrameworkRecord.objects.filter(pk__in=record_ids).only("id", "family", "key")}
    earlier = list(previous_applications(unit_ids))
    offers = []
    for row in rows:
        campaign, unit = row["campaign"], row["unit"]
        pk = campaign.school_framework_id if unit.kind == Unit.Kind.SCHOOL else campaign.district_framework_id
        record = records.get(pk) if pk else None
        if record is None:
            continue
        sources = [
            a
            for a in earlier
            if a.unit_id == unit.pk and a.campaign_id != campaign.pk and same_family(a.framework, record)
        ]
        if sources:
            offers.append({"campaign": campaign, "unit": unit, "sources": sources})
    return offers


def sources_q(unit_id: int, record: FrameworkRecord, campaign: Campaign) -> Q:
    """The filter of the applications a unit may copy into `campaign` (framework `record`)."""
    family = Q(framework__family=record.family) if record.family else Q(framework_id=record.pk)
    return Q(unit_id=unit_id) & family & ~Q(campaign_id=campaign.pk)


# --- carrying over ----------------------------------------------------------------------------------


@dataclass
class Carried:
    """What the new application starts with, what needs the school's look, and what was dropped."""

    form_data: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    choices: dict[str, str] = field(default_factory=dict)
    declarations: dict[str, bool] = field(default_factory=dict)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    narratives: dict[str, str] = field(default_factory=dict)
    evidence: list[Evidence] = field(default_factory=list)
    to_review: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    def document(self, source: Application) -> dict[str, Any]:
        """The new application's answers document, with the marks."""
        doc: dict[str, Any] = {
            "context": self.context,
            "choices": self.choices,
            "declarations": self.declarations,
            "answers": self.answers,
        }
        if self.to_review or self.pages:
            doc[MARKS_KEY] = {
                "from": source.pk,
                "from_name": source.campaign.name,
                "to_review": self.to_review,
                "pages": self.pages,
                "dropped": self.dropped,
            }
        return doc


def _json(value: Any) -> Any:
    """A parsed value back in the JSON the engine reads (as `services.to_json`)."""
    if isinstance(value, Decimal):
        return fmt(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    return value


def _form_value_fits(spec: formdefs.FormField, value: Any) -> str | None:
    if spec.kind == "bool" and isinstance(value, bool):
        return None
    return formdefs.value_problem(spec, value)


def carry_over(
    *,
    source: Application,
    source_fw: Framework,
    source_form: formdefs.FormDefinition,
    fw: Framework,
    form: formdefs.FormDefinition,
    as_of: dt.date,
    unit_figures: Mapping[str, Any],
) -> Carried:
    """Everything of `source` that still fits the new edition (`fw`, `form`), every value checked
    the way a save checks it; each value left behind is named with its reason."""
    out = Carried()
    fields = {f.key: f for f in form.fields()}
    for key, value in (source.form_data or {}).items():
        if value in (None, ""):
            continue
        form_field = fields.get(key)
        if form_field is None:
            out.dropped.append(f"申报书「{formdefs.label_of(source_form, key)}」：本次申报书已无此项")
            continue
        problem = _form_value_fits(form_field, value)
        if problem:
            out.dropped.append(f"申报书「{form_field.label}」（上次填写 {value}）：{problem}")
            continue
        out.form_data[key] = value
    if out.form_data:  # something of last year's 申报书 to look at
        out.pages.append("form")
    # the unit's registered figures are this year's; last year's copy does not override them
    out.form_data.update({k: v for k, v in unit_figures.items() if v is not None and k in fields})

    doc = source.answers or {}
    for key, value in (doc.get("context") or {}).items():
        spec = fw.context.get(key)
        if spec is None or value in (None, ""):
            continue
        try:
            out.context[key] = _json(spec.parse(value, as_of=as_of))
        except ValueError as exc:
            out.dropped.append(f"基本情况「{spec.label}」：{exc}")
    options = {n.code: {c.code for c in n.children} for n in fw.choose_one_nodes()}
    for code, chosen in (doc.get("choices") or {}).items():
        if code in options and chosen in options[code]:
            out.choices[code] = chosen
        elif chosen:
            title = source_fw.by_code[code].title if code in source_fw.by_code else code
            out.dropped.append(f"方向选择「{title}」（上次选择 {chosen}）：本版指标已无此方向")
    known = {e.key: e for e in (fw.eligibility.exclusions if fw.eligibility else ())}
    for key, value in (doc.get("declarations") or {}).items():
        if key in known and isinstance(value, bool):
            out.declarations[key] = value
        elif isinstance(value, bool):
            out.dropped.append(f"声明项「{key}」：本版申报条件已无此项")
    if out.context or out.choices or out.declarations:
        out.pages.append("choices")

    linked = agreement.linked_inputs(fw, form)
    for code, values in (doc.get("answers") or {}).items():
        node = fw.by_code.get(code)
        if node is None or not node.is_leaf:
            if values:
                title = source_fw.by_code[code].title if code in source_fw.by_code else ""
                out.dropped.append(f"指标 {code} {title}：本版指标已无此项，填写内容未沿用".replace("  ", " "))
            continue
        kept: dict[str, Any] = {}
        for key, value in (values or {}).items():
            if key in linked.get(code, {}):
                continue  # the 申报书 answers it (copied above)
            spec = node.inputs.get(key)
            if spec is None:
                out.dropped.append(f"指标 {code} {node.title}：本版已无「{key}」一项，上次填写的 {value} 未沿用")
                continue
            try:
                kept[key] = _json(spec.parse(value, as_of=as_of))
            except ValueError as exc:
                out.dropped.append(f"指标 {code} {node.title}「{spec.label}」：{exc}，上次填写的内容未沿用")
        if kept:
            out.answers[code] = kept
    for code, text in (source.narratives or {}).items():
        if not text:
            continue
        node = fw.by_code.get(code)
        if node is None or not node.is_leaf:
            out.dropped.append(f"指标 {code} 的自评说明：本版指标已无此项，未沿用")
        elif len(text) > settings.NARRATIVE_MAX_CHARS:
            out.dropped.append(f"指标 {code} {node.title}的自评说明超过 {settings.NARRATIVE_MAX_CHARS} 字，未沿用")
        else:
            out.narratives[code] = text

    room, total = settings.EVIDENCE_MAX_FILES, settings.EVIDENCE_MAX_TOTAL_BYTES
    seen: set[str] = set()
    for evidence in source.evidence.order_by("pk"):
        if evidence.indicator_code and evidence.indicator_code not in fw.by_code:
            out.dropped.append(
                f"佐证材料「{evidence.original_name}」（指标 {evidence.indicator_code}）：本版指标已无此项，未沿用"
            )
            continue
        if evidence.sha256 in seen:
            continue
        if len(out.evidence) >= room or evidence.size > total:
            out.dropped.append(f"佐证材料「{evidence.original_name}」：超过每份申报的材料数量或容量上限，未沿用")
            continue
        seen.add(evidence.sha256)
        total -= evidence.size
        node = fw.by_code.get(evidence.indicator_code) if evidence.indicator_code else None
        if evidence.evidence_item is not None and (
            node is None or evidence.evidence_item not in item_numbers(node.evidence or "")
        ):
            # the new edition numbers this indicator's 提供材料要求 differently: the file goes
            # under 其他材料 rather than under an item it may not answer
            out.dropped.append(
                f"佐证材料「{evidence.original_name}」：本版没有材料 {evidence.evidence_item}，已放在「其他材料」下"
            )
            evidence.evidence_item = None
        out.evidence.append(evidence)

    codes = {c for c in out.answers} | {c for c in out.narratives}
    codes |= {
        e.indicator_code
        for e in out.evidence
        if e.indicator_code in fw.by_code and fw.by_code[e.indicator_code].is_leaf
    }
    out.to_review = [leaf.code for leaf in fw.leaves() if leaf.code in codes]
    return out


def drop_refused(carried: Carried, fw: Framework, doc: Mapping[str, Any], as_of: dt.date) -> None:
    """Values each fine alone that the engine refuses together (a count above its total, say):
    dropped one round at a time, each named, until the document scores (at most a few rounds)."""
    for _ in range(5):
        try:
            score(fw, strip_marks(doc), as_of=as_of)
        except InvalidAnswers as exc:
            removed = False
            for problem in exc.problems:
                values = carried.answers.get(problem.code)
                if values is not None and problem.field in values:
                    del values[problem.field]
                    removed = True
                elif values is not None and not problem.field:
                    del carried.answers[problem.code]
                    removed = True
                else:
                    continue
                carried.dropped.append(f"指标 {problem.code}：{problem.message_zh}，上次填写的内容未沿用")
            if not removed:
                raise
            doc = {**doc, "answers": carried.answers}
        else:
            return
