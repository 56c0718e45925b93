"""What a reviewer reads beside each indicator's score: the school's answers as a person reads
them (inputs, item lists with their level, date and case), its narrative, the framework's
提供材料要求, and the evidence files of the frozen version opening in place — under the
requirement's numbered items where it numbers them, so a missing item reads 「材料 2：无」 at a
glance; and, above the indicators, the 申报书, the self-score and the county's score.

One assembly for the county's first review and the expert's sheet (template
`reviews/_materials.html`). In blind review (`blind=True`) nothing names the school: the
application code stands for it, evidence files are numbered (材料3.pdf), the 申报书's text
fields (names, contacts, addresses) are left out and the school's name is masked in free text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from campuseval.access.rules import county_of
from campuseval.applications.evidence_items import EvidenceGroups, group_files
from campuseval.applications.models import Application, ApplicationVersion
from campuseval.applications.queries import anonymous_evidence_name, evidence_numbers
from campuseval.applications.services import INLINE_TYPES, display
from campuseval.campaigns.scoring import framework_for
from campuseval.campaigns.services import form_definition as form_by_key  # a form file or one stored with its framework
from campuseval.engine import Indicator, InputSpec, formdefs

from .models import CountyReview

#: 申报书 field kinds that carry names, phone numbers, addresses: never shown in blind review
IDENTIFYING_KINDS = ("text",)
MASK = "〔申报单位〕"


@dataclass(frozen=True)
class EvidenceFile:
    name: str
    url: str
    inline: bool
    size: int
    is_image: bool
    #: the numbered item of the 提供材料要求 the school tied the file to, if any
    item: int | None = None


@dataclass(frozen=True)
class Answer:
    label: str
    value: str
    unit: str = ""
    #: for an item list (awards, cases): the column labels and one row of values per item
    headers: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    is_items: bool = False


@dataclass(frozen=True)
class LeafMaterials:
    node: Indicator
    answers: tuple[Answer, ...]
    narrative: str
    requirement: str
    files: tuple[EvidenceFile, ...]
    #: the files under the requirement's numbered items (「材料 2：无」 where one has none)
    groups: EvidenceGroups[EvidenceFile]
    self_points: str
    self_explanation: str
    county_points: str


@dataclass(frozen=True)
class FormRow:
    label: str
    value: str
    unit: str = ""
    narrative: bool = False


@dataclass
class Materials:
    application: Application
    version: ApplicationVersion | None
    blind: bool
    #: how the pages name the applicant: its name, or the application code in blind review
    applicant: str
    county_name: str
    form_sections: list[tuple[str, list[FormRow]]]
    derived: list[FormRow]
    self_total: str
    county: CountyReview | None
    leaves: dict[str, LeafMaterials]
    #: evidence filed under no indicator
    general_files: list[EvidenceFile]
    pdfs: list[tuple[str, str]] = field(default_factory=list)
    #: the frozen version's read-only page
    version_url: str = ""

    def leaf(self, code: str) -> LeafMaterials | None:
        return self.leaves.get(code)


class _Masker:
    """Replaces the school's name in free text with a neutral mark (blind review only)."""

    def __init__(self, application: Application, blind: bool) -> None:
        self.names = [application.unit.name] if blind and application.unit.name else []

    def __call__(self, text: str) -> str:
        for name in self.names:
            text = text.replace(name, MASK)
        return text


#: how the reviewer reads an answer the seed leaves to the review group (`decided_by: reviewer`)
ESTIMATE = "（申报方自评估计，由评审认定）"


def _answer(spec: InputSpec, value: Any, mask: _Masker) -> Answer:
    label = spec.label + ESTIMATE if spec.decided_by == "reviewer" else spec.label
    if spec.type == "items":
        headers = tuple(f.label for f in spec.fields)
        rows = tuple(
            tuple(mask(display(row.get(f.key)) if isinstance(row, dict) else "") for f in spec.fields)
            for row in (value if isinstance(value, list) else [])
        )
        empty = "无" if value == [] else "（未填）"
        return Answer(label, "" if rows else empty, headers=headers, rows=rows, is_items=True)
    shown = "（未填）" if value is None or value == "" else mask(display(value))
    unit = spec.unit if value not in (None, "", []) else ""
    return Answer(label, shown, unit)


def _files(application: Application, version: ApplicationVersion | None, blind: bool) -> dict[str, list[EvidenceFile]]:
    """The version's evidence by indicator code ("" for files under no indicator)."""
    if version is None:
        return {}
    numbers = evidence_numbers(application) if blind else {}
    out: dict[str, list[EvidenceFile]] = {}
    for item in version.evidence or []:
        pk = item.get("id")
        if pk is None:
            continue
        name = str(item.get("name", ""))
        if blind:
            name = anonymous_evidence_name(numbers.get(pk, 0), name)
        kind = str(item.get("content_type", ""))
        number = item.get("item")
        out.setdefault(str(item.get("indicator", "") or ""), []).append(
            EvidenceFile(
                name=name,
                url=reverse("applications:evidence_file", args=[application.pk, pk]),
                inline=kind in INLINE_TYPES,
                size=int(item.get("size", 0) or 0),
                is_image=kind.startswith("image/"),
                item=number if isinstance(number, int) else None,
            )
        )
    return out


def _form(
    application: Application, data: dict[str, Any], mask: _Masker, blind: bool
) -> tuple[list[tuple[str, list[FormRow]]], list[FormRow]]:
    definition = form_by_key(application.form_key)
    sections = []
    for title, fields in definition.sections:
        rows = [
            FormRow(
                f.label,
                mask(formdefs.display_value(f, data.get(f.key))) or "—",
                f.unit if data.get(f.key) not in (None, "") else "",
                f.kind == "narrative",
            )
            for f in fields
            if not (blind and f.kind in IDENTIFYING_KINDS)
        ]
        if rows:
            sections.append((title, rows))
    computed = formdefs.compute_derived(definition, data)
    derived = [
        FormRow(d.label, computed.get(d.key, "") or "—", d.unit if computed.get(d.key) else "")
        for d in definition.derived
    ]
    return sections, derived


def materials_for(application: Application, *, blind: bool) -> Materials:
    """Everything a reviewer reads of the application's latest submitted version."""
    version = application.versions.order_by("-number").first()
    fw = framework_for(application.framework)
    mask = _Masker(application, blind)
    answers = (version.answers if version else application.answers).get("answers", {}) or {}
    narratives = (version.narratives if version else application.narratives) or {}
    indicators = (version.result if version else application.result or {}).get("indicators", {})
    county = application.county_reviews.filter(decision=CountyReview.Decision.ACCEPTED).order_by("-decided_at").first()
    county_indicators = county.result.get("indicators", {}) if county else {}
    files = _files(application, version, blind)
    leaves = {}
    for leaf in fw.leaves():
        given = answers.get(leaf.code, {}) or {}
        own = indicators.get(leaf.code, {})
        leaves[leaf.code] = LeafMaterials(
            node=leaf,
            answers=tuple(_answer(spec, given.get(key), mask) for key, spec in leaf.inputs.items()),
            narrative=mask(str(narratives.get(leaf.code, "") or "")),
            requirement=leaf.evidence,
            files=tuple(files.get(leaf.code, [])),
            groups=group_files(leaf.evidence, files.get(leaf.code, []), lambda f: f.item),
            self_points=str(own.get("points", "") or ""),
            self_explanation=mask(str(own.get("explanation", "") or "")),
            county_points=str(county_indicators.get(leaf.code, {}).get("points", "") or ""),
        )
    sections, derived = _form(application, (version.form_data if version else application.form_data) or {}, mask, blind)
    unit_county = county_of(application.unit)
    pdfs = [
        (title, reverse(name, args=[application.pk]))
        for title, name in (
            ("申报书（PDF）", "reports:application_form"),
            ("自评表（PDF）", "reports:self_evaluation"),
            ("逐项自评报告（PDF）", "reports:self_assessment"),
        )
    ]
    return Materials(
        application=application,
        version=version,
        blind=blind,
        applicant=application.code if blind else application.unit.name,
        county_name="" if blind or unit_county is None else unit_county.name,
        form_sections=sections,
        derived=derived,
        self_total=str(version.total if version else application.self_total),
        county=county,
        leaves=leaves,
        general_files=files.get("", []),
        pdfs=pdfs if version is not None else [],
        version_url=reverse("applications:version", args=[application.pk, version.number]) if version else "",
    )
