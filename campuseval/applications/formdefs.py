"""The application form (申报书): basic data fields, derived values and the authenticity promise.

A small built-in definition: the standard field keys that indicator inputs name in their
`form_field`, so a school types its bandwidth once and every indicator that needs it reads it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

PROMISE = "我单位承诺：所填报的申报书、自评分和佐证材料均真实、准确、完整，如有虚假，愿承担相应责任。"


@dataclass(frozen=True)
class FormField:
    key: str
    label: str
    kind: str = "int"  # int | number | text
    unit: str = ""
    required: bool = True
    maximum: Decimal | None = None


@dataclass(frozen=True)
class Derived:
    key: str
    label: str
    numerator: str
    denominator: str
    percent: bool = True
    unit: str = "%"


@dataclass(frozen=True)
class FormDefinition:
    key: str
    title: str
    sections: tuple[tuple[str, tuple[FormField, ...]], ...]
    derived: tuple[Derived, ...]
    promise: str = PROMISE

    def fields(self) -> list[FormField]:
        return [f for _, fields in self.sections for f in fields]


SCHOOL_FORM = FormDefinition(
    key="school",
    title="学校申报书",
    sections=(
        (
            "联系人",
            (
                FormField("contact_name", "联系人", "text"),
                FormField("contact_phone", "联系电话", "text"),
            ),
        ),
        (
            "学校基本情况",
            (
                FormField("students", "在校学生数", unit="人"),
                FormField("staff", "教职工数", unit="人"),
                FormField("teachers", "专任教师数", unit="人"),
                FormField("classes", "班级数", unit="个"),
                FormField("classes_grade3_up", "三年级以上班级数", unit="个"),
                FormField("smart_classrooms", "智慧教室（三年级以上班级）数", unit="个"),
                FormField("student_computers", "学生用计算机台数", unit="台", required=False),
                FormField("teacher_computers", "教师用计算机台数", unit="台", required=False),
                FormField("bandwidth_mbps", "出口带宽", "number", unit="M"),
            ),
        ),
    ),
    derived=(
        Derived("smart_class_coverage_pct", "三年级以上智慧课堂班级覆盖率", "smart_classrooms", "classes_grade3_up"),
        Derived("students_per_computer", "生机比（学生数/学生用计算机）", "students", "student_computers", False, ""),
    ),
)

#: indicator `form_field` names some frameworks use for the same standard keys
ALIASES = {"bandwidth": "bandwidth_mbps", "smart_class_coverage": "smart_class_coverage_pct"}


def load_definition(key: str) -> FormDefinition:
    """Every campaign uses the built-in school form for now; the key is kept for later forms."""
    return SCHOOL_FORM


def clean_field(field: FormField, raw: Any) -> Any:
    """One value from what was typed; ValueError with a Chinese message when it is wrong."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        return None
    if field.kind == "text":
        if "\x00" in text:
            raise ValueError(f"{field.label}含有不可见的空字符")
        return text[:200]
    try:
        value = Decimal(text.replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise ValueError(f"{field.label}应为数字，收到「{text}」") from None
    if not value.is_finite():
        raise ValueError(f"{field.label}应为数字，收到「{text}」")
    if value < 0:
        raise ValueError(f"{field.label}不能为负数，收到 {text}")
    if field.kind == "int":
        if value != value.to_integral_value():
            raise ValueError(f"{field.label}应为整数，收到 {text}")
        return int(value)
    return format(value.normalize(), "f")


def compute_derived(definition: FormDefinition, data: Mapping[str, Any]) -> dict[str, str]:
    """Derived values shown live beside the form and fed to indicators (e.g. coverage %)."""
    out: dict[str, str] = {}
    for d in definition.derived:
        try:
            num = Decimal(str(data.get(d.numerator)))
            den = Decimal(str(data.get(d.denominator)))
        except (InvalidOperation, TypeError, ValueError):
            continue
        if not den:
            continue
        value = num / den * (100 if d.percent else 1)
        if d.percent and value > 100:
            continue
        out[d.key] = format(value.quantize(Decimal("0.01")).normalize(), "f")
    return out


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
