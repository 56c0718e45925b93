"""Inputs the review group decides (`decided_by: reviewer`) on the county's first review and
the expert's sheet: what the applicant entered is its self-estimate, shown beside the field
the reviewer fills; the reviewer's value is checked by the framework's input itself and is
what that reviewer's score uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError

from campuseval.applications.services import display, parse_indicator_values
from campuseval.engine import Framework


def decided_inputs(fw: Framework) -> dict[str, dict[str, str]]:
    """{leaf code: {input key: label}} of the inputs the review group decides."""
    return {
        code: {key: fw.by_code[code].inputs[key].label for key in keys}
        for code, keys in fw.reviewer_decided_inputs().items()
    }


def form_value(value: Any) -> str:
    """A stored answer as the reviewer's field holds it (yes/no as the select's true/false)."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return "" if value is None else str(value)


def parse_decided(fw: Framework, typed: Mapping[str, Mapping[str, str]], as_of: dt.date) -> dict[str, dict[str, Any]]:
    """The reviewer's values, {code: {key: value as the engine reads it}}; a value the input
    refuses (out of range, not an option) is named with its indicator and nothing is kept."""
    parsed: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for code, raw in typed.items():
        node = fw.by_code[code]
        values, _empty, errors = parse_indicator_values(node, raw, as_of)
        problems += [f"指标 {code} 的评审认定：{message}" for message in errors.values()]
        if values:
            parsed[code] = values
    if problems:
        raise ValidationError(problems)
    return parsed


def decided_rows(
    fw: Framework,
    code: str,
    *,
    estimates: Mapping[str, Any],
    current: Mapping[str, Any],
    typed: Mapping[str, Any] | None,
    county: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """One leaf's reviewer-decided inputs for a page: the applicant's self-estimate
    (`estimates`, the leaf's answers as submitted), the county's decision when it made one
    (`county`: key → value), and the reviewer's value as typed (a refused save shown again),
    else as saved (`current`)."""
    node = fw.by_code[code]
    rows = []
    for key in fw.reviewer_decided_inputs().get(code, []):
        name = f"decided_{code}__{key}"
        rows.append(
            {
                "spec": node.inputs[key],
                "name": name,
                "estimate": display(estimates.get(key)),
                "county": display(county[key]) if county is not None and key in county else "",
                "value": str(typed.get(name, "")) if typed else form_value(current.get(key)),
            }
        )
    return rows
