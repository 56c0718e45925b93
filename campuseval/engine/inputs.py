"""Typed inputs a rule declares: what a school fills in, with Chinese labels and checks.

Each input turns a raw answer (from JSON, YAML or a web form) into a clean Python value, or
raises `ValueError` with a Chinese message; the scorer adds the indicator code and field name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .numbers import (
    HUNDRED,
    MAX_PLACES,
    ZERO,
    NumberRefused,
    ceiling_of,
    fmt,
    places,
    shown,
    to_decimal,
    too_precise,
)
from .text import control_problem

#: characters a text input may hold (a case or project name, a place; not a narrative)
TEXT_LIMIT = 500
#: records an items input may hold (awards, projects, activities)
ITEMS_LIMIT = 200


def _cut(raw: Any, limit: int = 30) -> str:
    """What was typed, shortened for a message (a 1 MB answer is not echoed back)."""
    text = str(raw)
    return text if len(text) <= limit else text[:limit] + "…"


INPUT_TYPES = ("number", "bool", "choice", "multi", "items", "text", "date")

#: Who settles an input's value. `applicant`: the school or district states a fact it holds.
#: `reviewer`: the seed leaves the judgement to the review group (经评估认定、由评审组评定、
#: 酌情扣分、专家复核、现场抽查, a ranking the province holds). The applicant may still enter a
#: self-estimate, which the engine scores like any answer (and the self-score gates read it,
#: see `levels.decide_eligibility`); in review the reviewer's decision replaces it.
DECIDED_BY = ("applicant", "reviewer")

_TRUE = {True, "true", "yes", "是", "1", "y", "有"}
_FALSE = {False, "false", "no", "否", "0", "n", "无"}


@dataclass(frozen=True)
class InputSpec:
    """One field: `number` (unit, range, integer, percent), `bool`, `choice`, `multi`,
    `items` (a list of records, e.g. awards with level, date and case), `text` or `date`."""

    key: str
    type: str
    label: str
    unit: str = ""
    min: Decimal | None = None
    max: Decimal | None = None
    integer: bool = False
    percent: bool = False
    options: tuple[str, ...] = ()
    fields: tuple[InputSpec, ...] = ()
    optional: bool = False
    help: str = ""
    form_field: str = ""
    #: "applicant" (default) or "reviewer": see DECIDED_BY
    decided_by: str = "applicant"
    line: int = 0
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def describe_range(self) -> str:
        low = fmt(self.min) if self.min is not None else ""
        high = fmt(self.max) if self.max is not None else ""
        return f"{low}–{high}"

    def empty_value(self) -> Any:
        """The placeholder written by `frameworks template`: nothing answered yet."""
        if self.type == "items":
            return []
        if self.type == "multi":
            return []
        return None

    def parse(self, raw: Any, *, as_of: dt.date | None = None) -> Any:
        """Clean one raw answer; raise ValueError with a Chinese message on bad input."""
        if self.type == "number":
            return self._parse_number(raw)
        if self.type == "bool":
            if isinstance(raw, str):
                raw_n: Any = raw.strip().lower()
            else:
                raw_n = raw
            if raw_n in _TRUE and not isinstance(raw_n, Decimal):
                return True
            if raw_n in _FALSE and not isinstance(raw_n, Decimal):
                return False
            raise ValueError(f"{self.label}应填“是”或“否”，收到「{raw}」")
        if self.type == "choice":
            value = str(raw).strip()
            if value not in self.options:
                choices = "、".join(self.options)
                raise ValueError(f"{self.label}只能选择：{choices}；收到「{raw}」")
            return value
        if self.type == "multi":
            if not isinstance(raw, list):
                raise ValueError(f"{self.label}应为选项列表")
            values = [str(v).strip() for v in raw]
            for v in values:
                if self.options and v not in self.options:
                    raise ValueError(f"{self.label}中的「{v}」不是可选项")
            if len(set(values)) != len(values):
                raise ValueError(f"{self.label}中有重复选项")
            return tuple(values)
        if self.type == "text":
            if not isinstance(raw, str):
                raise ValueError(f"{self.label}应为文字")
            problem = control_problem(raw)
            if problem:
                raise ValueError(f"{self.label}{problem}")
            if len(raw) > TEXT_LIMIT:
                raise ValueError(f"{self.label}最多 {TEXT_LIMIT} 字，现为 {len(raw)} 字")
            return raw
        if self.type == "date":
            return self._parse_date(raw, as_of=as_of)
        if self.type == "items":
            return self._parse_items(raw, as_of=as_of)
        raise ValueError(f"未知的输入类型 {self.type}")

    def _parse_number(self, raw: Any) -> Decimal:
        """A finite number within the input's range: its `min` (else not negative), its `max`
        (else 100 for a percentage, else DEFAULT_CEILING) and at most MAX_PLACES places."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            raise ValueError(f"{self.label}未填写")
        try:
            value = to_decimal(raw)
        except NumberRefused as exc:
            reason = str(exc).split(" / ", 1)[0]
            if reason.startswith("「"):
                raise ValueError(f"{self.label}应为数字，收到「{_cut(raw)}」") from None
            raise ValueError(f"{self.label}{reason}") from None
        unit = self.unit
        if value < ZERO and (self.min is None or self.min >= ZERO):
            raise ValueError(f"{self.label}不能为负数，收到 {shown(value)}{unit}")
        if self.percent and value > HUNDRED:
            raise ValueError(f"{self.label}是百分比，不能超过 100%，收到 {shown(value)}%")
        if self.min is not None and value < self.min:
            raise ValueError(f"{self.label}不能小于 {fmt(self.min)}{unit}，收到 {shown(value)}{unit}")
        high = ceiling_of(self.max)
        if value > high:
            raise ValueError(f"{self.label}不能大于 {fmt(high)}{unit}，收到 {shown(value)}{unit}")
        if self.integer and places(value):
            raise ValueError(f"{self.label}应为整数，收到 {shown(value)}")
        if too_precise(value):
            raise ValueError(f"{self.label}最多保留 {MAX_PLACES} 位小数，收到 {shown(value)}")
        return value

    def _parse_date(self, raw: Any, *, as_of: dt.date | None) -> dt.date:
        if isinstance(raw, dt.datetime):
            value = raw.date()
        elif isinstance(raw, dt.date):
            value = raw
        elif isinstance(raw, str):
            try:
                value = dt.date.fromisoformat(raw.strip())
            except ValueError:
                raise ValueError(f"{self.label}应为日期（如 2023-06-01），收到「{raw}」") from None
        else:
            raise ValueError(f"{self.label}应为日期（如 2023-06-01），收到「{raw}」")
        if as_of is not None and value > as_of:
            raise ValueError(f"{self.label} {value.isoformat()} 晚于评估基准日 {as_of.isoformat()}")
        return value

    def _parse_items(self, raw: Any, *, as_of: dt.date | None) -> tuple[dict[str, Any], ...]:
        if not isinstance(raw, list):
            raise ValueError(f"{self.label}应为条目列表")
        if len(raw) > ITEMS_LIMIT:
            raise ValueError(f"{self.label}最多 {ITEMS_LIMIT} 条，收到 {len(raw)} 条")
        by_key = {f.key: f for f in self.fields}
        cleaned: list[dict[str, Any]] = []
        for index, item in enumerate(raw, start=1):
            if not isinstance(item, dict):
                raise ValueError(f"{self.label}第 {index} 条应为一组字段")
            unknown = sorted(set(item) - set(by_key))
            if unknown:
                raise ValueError(f"{self.label}第 {index} 条有未知字段：{'、'.join(unknown)}")
            record: dict[str, Any] = {}
            for sub in self.fields:
                if sub.key not in item or item[sub.key] in (None, ""):
                    if sub.optional:
                        record[sub.key] = None
                        continue
                    raise ValueError(f"{self.label}第 {index} 条缺少「{sub.label}」")
                try:
                    record[sub.key] = sub.parse(item[sub.key], as_of=as_of)
                except ValueError as exc:
                    raise ValueError(f"{self.label}第 {index} 条：{exc}") from None
            cleaned.append(record)
        return tuple(cleaned)


def input_from_spec(spec: dict[str, Any]) -> InputSpec:
    """Build an InputSpec from its YAML mapping; raise ValueError on a malformed spec."""
    from .yamlio import line_of

    key = spec.get("key")
    kind = spec.get("type")
    label = spec.get("label")
    if not key or not isinstance(key, str):
        raise ValueError("输入缺少 key / input without key")
    if kind not in INPUT_TYPES:
        raise ValueError(f"输入 {key} 的类型 {kind!r} 未知 / unknown input type")
    if not label:
        raise ValueError(f"输入 {key} 缺少中文标签 label / input without label")
    allowed = {
        "key",
        "type",
        "label",
        "unit",
        "min",
        "max",
        "integer",
        "percent",
        "options",
        "fields",
        "optional",
        "help",
        "form_field",
        "decided_by",
    }
    unknown = set(spec) - allowed
    if unknown:
        raise ValueError(f"输入 {key} 有未知属性 {sorted(unknown)} / unknown input attributes")
    sub_fields = tuple(input_from_spec(f) for f in spec.get("fields", []) or [])
    if kind == "items" and not sub_fields:
        raise ValueError(f"条目输入 {key} 需要 fields / items input needs fields")
    options = tuple(str(o) for o in spec.get("options", []) or [])
    if kind == "choice" and not options:
        raise ValueError(f"选择输入 {key} 需要 options / choice input needs options")
    percent = bool(spec.get("percent", False))
    decided_by = spec.get("decided_by", "applicant")
    if decided_by not in DECIDED_BY:
        raise ValueError(
            f"输入 {key} 的 decided_by「{decided_by}」未知，只能是 applicant（申报方填报）或 reviewer（评审认定）"
            f" / decided_by must be applicant or reviewer"
        )
    return InputSpec(
        key=key,
        type=kind,
        label=str(label),
        unit=str(spec.get("unit", "%" if percent else "")),
        min=to_decimal(spec["min"]) if spec.get("min") is not None else None,
        max=to_decimal(spec["max"]) if spec.get("max") is not None else None,
        integer=bool(spec.get("integer", False)),
        percent=percent,
        options=options,
        fields=sub_fields,
        optional=bool(spec.get("optional", False)),
        help=str(spec.get("help", "")),
        form_field=str(spec.get("form_field", "")),
        decided_by=str(decided_by),
        line=line_of(spec),
    )
