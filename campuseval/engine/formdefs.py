"""The application form (申报书 / 申报表) as data: sections of typed fields, derived values,
contact blocks, narratives, the authenticity promise and the opinion blocks each level signs.

Each seed annex is one YAML file under `campuseval/forms/` (the key is the file name), just as
frameworks are data: a bureau adds a form by adding a file. Indicator inputs name a form field
in their `form_field`, so a school types its bandwidth once and every indicator reads it."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path
from typing import Any

import yaml

from .numbers import MAX_PLACES, NumberRefused, ceiling_of, fmt, places, quantize, shown, to_decimal, too_precise
from .text import control_problem

FORMS_DIR = Path(__file__).resolve().parent.parent / "forms"
DEFAULT_KEY = "school"
PROMISE = "我单位承诺：所填报的申报书、自评分和佐证材料均真实、准确、完整，如有虚假，愿承担相应责任。"

#: field kinds and the widget each gets; `narrative` is a long text (自述材料)
KINDS = ("int", "number", "percent", "text", "narrative", "bool", "choice")
TEXT_LIMITS = {"text": 200, "narrative": 5000}
YES, NO = "是", "否"


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    kind: str = "int"
    unit: str = ""
    required: bool = True
    maximum: Decimal | None = None
    options: tuple[str, ...] = ()
    help: str = ""

    @property
    def is_numeric(self) -> bool:
        return self.kind in {"int", "number", "percent"}

    @property
    def max_length(self) -> int | None:
        return TEXT_LIMITS.get(self.kind)


@dataclass(frozen=True)
class Derived:
    """A value computed from two fields: a share in percent (覆盖率) or a quotient (生机比,
    每班带宽). Shown live beside the form and fed to indicators like a typed field."""

    key: str
    label: str
    numerator: str
    denominator: str
    percent: bool = True
    unit: str = "%"
    places: int = 2


@dataclass(frozen=True)
class FormDefinition:
    key: str
    title: str
    sections: tuple[tuple[str, tuple[FormField, ...]], ...]
    derived: tuple[Derived, ...]
    promise: str = PROMISE
    subject: str = "school"
    source: str = ""
    opinions: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    def fields(self) -> list[FormField]:
        return [f for _, fields in self.sections for f in fields]


#: indicator `form_field` names some frameworks use for the same standard keys
ALIASES = {"bandwidth": "bandwidth_mbps", "smart_class_coverage": "smart_class_coverage_pct"}


class FormDefinitionError(ValueError):
    """A form file that cannot be used; the message names the file and the field."""


def _field(raw: Mapping[str, Any], where: str) -> FormField:
    kind = str(raw.get("kind", "int"))
    if kind not in KINDS:
        raise FormDefinitionError(f"{where}: 字段 {raw.get('key')} 的类型 {kind} 未知（可用：{'、'.join(KINDS)}）")
    options = tuple(str(o) for o in raw.get("options") or ())
    if kind == "choice" and not options:
        raise FormDefinitionError(f"{where}: 选择字段 {raw.get('key')} 缺少 options")
    maximum = raw.get("max")
    if kind == "percent" and maximum is None:
        maximum = 100
    return FormField(
        key=str(raw["key"]),
        label=str(raw["label"]),
        kind=kind,
        unit=str(raw.get("unit", "%" if kind == "percent" else "")),
        required=bool(raw.get("required", True)),
        maximum=Decimal(str(maximum)) if maximum is not None else None,
        options=options,
        help=str(raw.get("help", "")),
    )


def parse_definition(key: str, data: Mapping[str, Any], where: str = "") -> FormDefinition:
    """Build a definition from its YAML mapping, refusing duplicate keys and derived values
    that name fields the form does not have."""
    where = where or key
    sections = tuple(
        (str(s["title"]), tuple(_field(f, where) for f in s.get("fields") or ())) for s in data.get("sections") or ()
    )
    keys = [f.key for _, fields in sections for f in fields]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise FormDefinitionError(f"{where}: 字段编号重复：{'、'.join(duplicates)}")
    derived = tuple(
        Derived(
            key=str(d["key"]),
            label=str(d["label"]),
            numerator=str(d["numerator"]),
            denominator=str(d["denominator"]),
            percent=bool(d.get("percent", True)),
            unit=str(d.get("unit", "%" if d.get("percent", True) else "")),
            places=int(d.get("places", 2)),
        )
        for d in data.get("derived") or ()
    )
    for d in derived:
        for name in (d.numerator, d.denominator):
            if name not in keys:
                raise FormDefinitionError(f"{where}: 自动计算项 {d.key} 引用了不存在的字段 {name}")
        if d.key in keys:
            raise FormDefinitionError(f"{where}: 自动计算项 {d.key} 与字段同名")
    return FormDefinition(
        key=key,
        title=str(data["title"]),
        sections=sections,
        derived=derived,
        promise=str(data.get("promise") or PROMISE),
        subject=str(data.get("subject", "school")),
        source=str(data.get("source", "")),
        opinions=tuple(str(o) for o in data.get("opinions") or ()),
        notes=tuple(str(n) for n in data.get("notes") or ()),
    )


@functools.cache
def available_keys() -> tuple[str, ...]:
    """The keys of the form files shipped with the product. They change only with a release,
    as `load_definition` assumes: read once per process, not on every autosave (each page and
    save asks which form an application uses)."""
    return tuple(sorted(p.stem for p in FORMS_DIR.glob("*.yaml")))


@functools.cache
def load_definition(key: str) -> FormDefinition:
    """The form with this key; an empty or unknown key falls back to the generic school form
    so that an application never loses its page because a campaign named no form."""
    path = FORMS_DIR / f"{key}.yaml"
    if not key or "/" in key or not path.is_file():
        path = FORMS_DIR / f"{DEFAULT_KEY}.yaml"
        key = DEFAULT_KEY
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return parse_definition(key, data, where=f"forms/{path.name}")


def clean_field(field: FormField, raw: Any) -> Any:
    """One value from what was typed; ValueError with a Chinese message when it is wrong.
    Nothing is cut or clamped: a value out of range is refused, never changed. A number is
    bounded by the field's `max`, else by DEFAULT_CEILING, and keeps at most MAX_PLACES places."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    problem = control_problem(text)
    if problem:
        raise ValueError(f"{field.label}{problem}")
    if field.kind in TEXT_LIMITS:
        limit = TEXT_LIMITS[field.kind]
        if len(text) > limit:
            raise ValueError(f"{field.label}最多 {limit} 字，现为 {len(text)} 字")
        return text
    if field.kind == "bool":
        if text in {YES, "yes", "true", "1"}:
            return True
        if text in {NO, "no", "false", "0"}:
            return False
        raise ValueError(f"{field.label}应选择“是”或“否”")
    if field.kind == "choice":
        if text not in field.options:
            raise ValueError(f"{field.label}应为以下之一：{'、'.join(field.options)}")
        return text
    value = _number(field, text)
    if field.kind == "int":
        return int(value)
    return fmt(value)


def _number(field: FormField, text: str) -> Decimal:
    """The number typed into a numeric field (thousands separators and a trailing % allowed)."""
    shown_text = text if len(text) <= 30 else text[:30] + "…"
    try:
        value = to_decimal(text.replace(",", "").replace("，", "").rstrip("%％"))
    except NumberRefused as exc:
        reason = str(exc).split(" / ", 1)[0]
        if reason.startswith("「"):
            raise ValueError(f"{field.label}应为数字，收到「{shown_text}」") from None
        raise ValueError(f"{field.label}{reason}") from None
    if value < 0:
        raise ValueError(f"{field.label}不能为负数，收到 {shown(value)}")
    high = ceiling_of(field.maximum)
    if value > high:
        raise ValueError(f"{field.label}不能超过 {fmt(high)}{field.unit}，收到 {shown(value)}")
    if field.kind == "int" and places(value):
        raise ValueError(f"{field.label}应为整数，收到 {shown_text}")
    if too_precise(value):
        raise ValueError(f"{field.label}最多保留 {MAX_PLACES} 位小数，收到 {shown_text}")
    return value


def value_problem(field: FormField, value: Any) -> str | None:
    """Why a stored value would be refused if typed today (it was saved before the bounds, or
    the form file changed since), or None. The page and the PDF show such a value with this
    note instead of failing on it."""
    try:
        clean_field(field, value)
    except ValueError as exc:
        return str(exc)
    return None


def compute_derived(definition: FormDefinition, data: Mapping[str, Any]) -> dict[str, str]:
    """Derived values shown live beside the form and fed to indicators (e.g. coverage %).
    A share above 100% means the inputs contradict each other: it is left out, not capped."""
    out: dict[str, str] = {}
    for d in definition.derived:
        try:
            num = to_decimal(str(data.get(d.numerator)))
            den = to_decimal(str(data.get(d.denominator)))
        except ValueError:
            continue
        if not den:
            continue
        # a stored value from before the bounds may be far above them: divide in a context wide
        # enough for it, and round with an explicit mode
        with localcontext() as ctx:
            ctx.prec = max(28, num.adjusted() - den.adjusted() + d.places + 8)
            ctx.rounding = ROUND_HALF_UP
            value = num / den * (100 if d.percent else 1)
        if d.percent and value > 100:
            continue
        out[d.key] = fmt(quantize(value, d.places))
    return out


def derived_problems(definition: FormDefinition, data: Mapping[str, Any]) -> dict[str, str]:
    """Why a derived share could not be computed although both fields are filled."""
    problems: dict[str, str] = {}
    computed = compute_derived(definition, data)
    for d in definition.derived:
        if d.key in computed or data.get(d.numerator) in (None, "") or data.get(d.denominator) in (None, ""):
            continue
        num_label, den_label = label_of(definition, d.numerator), label_of(definition, d.denominator)
        if str(data.get(d.denominator)) in {"0", "0.0"}:
            problems[d.key] = f"{den_label}为 0，无法计算{d.label}"
        elif d.percent:
            problems[d.key] = f"{num_label}多于{den_label}，{d.label}超过 100%，请核对"
    return problems


def missing_required(definition: FormDefinition, data: Mapping[str, Any]) -> list[str]:
    return [f.label for f in definition.fields() if f.required and data.get(f.key) in (None, "")]


def form_value(definition: FormDefinition, data: Mapping[str, Any], form_field: str) -> Any:
    """The value an indicator input with `form_field` takes from the form (or None)."""
    key = ALIASES.get(form_field, form_field)
    merged = {**data, **compute_derived(definition, data)}
    value = merged.get(key)
    return None if value in (None, "") else value


def label_of(definition: FormDefinition, form_field: str) -> str:
    key = ALIASES.get(form_field, form_field)
    for f in definition.fields():
        if f.key == key:
            return f.label
    for d in definition.derived:
        if d.key == key:
            return d.label
    return key


def display_value(field: FormField, value: Any) -> str:
    """How a stored value reads on screen and on paper (是/否 for yes/no fields)."""
    if value is None or value == "":
        return ""
    if field.is_numeric and value_problem(field, value) is not None:
        return f"{value}（超出允许范围，请核对）"
    if field.kind == "bool":
        if value is True or value in {"True", YES, "yes", "true", "1"}:
            return YES
        if value is False or value in {"False", NO, "no", "false", "0"}:
            return NO
    return f"{value}"
