"""A framework and its 申报书 survive the trip to sheets and back, for all six seed frameworks:
the same data as loaded, and the same scores for the example answers."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from campuseval.engine import FRAMEWORKS_DIR, load_framework, load_framework_text, score
from campuseval.engine import framework as framework_module
from campuseval.engine.formdefs import FORMS_DIR, KINDS
from campuseval.engine.inputs import DECIDED_BY, INPUT_TYPES, InputSpec
from campuseval.engine.rules import REGISTRY
from campuseval.engine.workbook import (
    CONTEXT,
    DECIDERS,
    FORM_KINDS_ZH,
    INDICATORS,
    INPUT_KEYS,
    INPUT_TYPES_ZH,
    RULE_TYPES_ZH,
    RULES,
    SHEET_ORDER,
    WorkbookError,
    dump_yaml,
    framework_to_sheets,
    sheets_to_framework,
)
from campuseval.engine.yamlio import load_yaml

from .helpers import example

SIX = [
    "bozhou-2024-district",
    "bozhou-2024-school",
    "xiamen-trial-school",
    "taizhou-2022-school",
    "sichuan-2023-district",
    "sichuan-2023-school",
]
#: the 申报书 each framework's campaigns use (Xiamen's seed has none: the generic school form)
FORM_OF = {name: name for name in SIX} | {"xiamen-trial-school": "school"}


def loaded(name: str) -> dict[str, Any]:
    """The framework file as the engine loads it, with the one thing YAML 1.1 itself does not
    tell apart put right: an unquoted `on:` key is read as the boolean true ("True")."""
    data = load_yaml((FRAMEWORKS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
    for spec in [data.get("eligibility") or {}, *(data.get("levels") or [])]:
        if "True" in spec:
            spec["on"] = spec.pop("True")
    return data


def form_of(name: str) -> dict[str, Any]:
    return load_yaml((FORMS_DIR / f"{FORM_OF[name]}.yaml").read_text(encoding="utf-8"))


def exactly(value: Any) -> Any:
    """The value with each number tagged by its kind, so that equality also compares types
    (8 == Decimal(8) in Python; an int must come back an int, a decimal a decimal)."""
    if isinstance(value, dict):
        return {k: exactly(v) for k, v in value.items()}
    if isinstance(value, list):
        return [exactly(v) for v in value]
    if isinstance(value, (bool, int, Decimal, dt.date)):
        return (type(value).__name__, value)
    return value


@pytest.mark.parametrize("name", SIX)
def test_sheets_give_back_the_framework_and_its_form(name: str) -> None:
    data, form = loaded(name), form_of(name)
    result = sheets_to_framework(framework_to_sheets(data, form))
    assert [str(p) for p in result.problems] == []
    assert exactly(result.data) == exactly(data)
    assert exactly(result.form) == exactly(form)


@pytest.mark.parametrize("name", SIX)
def test_reimported_framework_scores_the_examples_the_same(name: str) -> None:
    result = sheets_to_framework(framework_to_sheets(loaded(name), form_of(name)))
    assert result.data is not None
    again = load_framework_text(dump_yaml(result.data), f"{name}.yaml")
    original = load_framework(name)
    for kind in ("full", "sample"):
        answers = example(f"{name}.{kind}")
        as_of = answers.get("as_of", dt.date(2024, 5, 30))
        before = score(original, copy.deepcopy(answers), as_of=as_of)
        after = score(again, copy.deepcopy(answers), as_of=as_of)
        assert after.total == before.total
        assert after.level == before.level
        assert after.eligible == before.eligible
        assert {c: r.points for c, r in after.indicators.items()} == {c: r.points for c, r in before.indicators.items()}
        assert {c: r.explanation for c, r in after.indicators.items()} == {
            c: r.explanation for c, r in before.indicators.items()
        }


def test_every_sheet_is_written_with_its_header() -> None:
    sheets = framework_to_sheets(loaded("taizhou-2022-school"))
    assert list(sheets) == list(SHEET_ORDER)
    assert sheets[INDICATORS][0][:5] == ["编码", "层级", "上级编码", "名称", "分值"]
    first = dict(zip(sheets[INDICATORS][0], sheets[INDICATORS][1], strict=True))
    assert (first["编码"], first["层级"], first["上级编码"], first["名称"]) == ("一", "一级", None, "基础环境")
    # a tiers rule: the rule row, then one row per tier
    bozhou = framework_to_sheets(loaded("bozhou-2024-school"))
    rules = [dict(zip(bozhou[RULES][0], row, strict=True)) for row in bozhou[RULES][1:]]
    tiers = [r for r in rules if r["指标编码"] == "1.1"]
    assert (tiers[0]["规则类型"], tiers[0]["输入项"]) == ("分档（tiers）", "bandwidth")
    assert [(t["明细"], t["最小值"], t["最大值"], t["分值"]) for t in tiers[1:]] == [
        ("档位", 500, None, 8),
        ("档位", 400, 500, 6),
        ("档位", 300, 400, 4),
        ("档位", 200, 300, 2),
        ("档位", None, 200, 0),
    ]
    taizhou_context = [dict(zip(sheets[CONTEXT][0], row, strict=True)) for row in sheets[CONTEXT][1:]]
    assert taizhou_context[0]["类型"] == "单选"


def test_each_input_attribute_of_the_engine_has_a_column() -> None:
    """When the engine's InputSpec gains an attribute, the workbook must gain its column (or
    this test names it)."""
    engine_attributes = {f.name for f in dataclasses.fields(InputSpec)} - {"line", "extra", "fields"}
    assert engine_attributes - INPUT_KEYS == set()


def test_each_indicator_and_top_level_key_of_the_engine_has_a_place() -> None:
    """The engine's own lists of keys a framework file may hold: each one has a place in the
    workbook, so a new key fails here instead of being dropped on the way."""
    indicator = {"code": "1", "title": "甲", "points": 1}
    for key in sorted(framework_module._INDICATOR_KEYS - {"code", "title", "points", "children", "inputs", "rule"}):
        value: Any = [{"kind": "★", "label": "甲", "met": "full"}] if key == "marks" else "文字"
        if key in {"bonus", "choose_one", "capped_by_creation"}:
            value = True
        data = {"id": "x", "indicators": [{**indicator, key: value}]}
        back = sheets_to_framework(framework_to_sheets(data), check=False).data
        assert back is not None and back["indicators"][0][key] == value, key
    top = framework_module._TOP_KEYS - {"indicators"}
    samples: dict[str, Any] = {
        "id": "x",
        "family": "x",
        "title": "t",
        "authority": "a",
        "year": 2024,
        "edition": "2024 修订",
        "source": {"document": "d"},
        "subject": "school",
        "level_names": ["一级"],
        "total": 1,
        "bonus_total": 0,
        "parts": {"甲": {"codes": ["1"], "points": 1}},
        "rounding": {"places": 2, "mode": "half_up"},
        "time_windows": {"近两年": {"years": 2}},
        "context": [{"key": "stage", "type": "choice", "label": "学段", "options": ["小学", "初中"]}],
        "levels": [{"name": "合格", "min_total": 1}],
        "eligibility": {"min_total": 1},
        "same_case_once": [{"label": "同一案例", "indicators": ["1"]}],
        "notes": [{"text": "说明"}],
        "description": "简介",
    }
    assert top - set(samples) == set(), "a new top-level key needs a place in the workbook"
    data = {**samples, "indicators": [indicator]}
    assert exactly(sheets_to_framework(framework_to_sheets(data), check=False).data) == exactly(data)


def test_an_attribute_the_workbook_does_not_know_is_refused_loudly() -> None:
    data = loaded("bozhou-2024-school")
    data["indicators"][0]["children"][0]["children"][0]["inputs"][0]["colour"] = "red"
    with pytest.raises(WorkbookError, match="colour"):
        framework_to_sheets(data)
    data = loaded("bozhou-2024-school")
    data["indicators"][0]["weight"] = 2
    with pytest.raises(WorkbookError, match="weight"):
        framework_to_sheets(data)
    data = loaded("bozhou-2024-school")
    data["edition_of"] = "x"
    with pytest.raises(WorkbookError, match="edition_of"):
        framework_to_sheets(data)


def test_a_rule_parameter_without_a_column_travels_in_other_parameters() -> None:
    """A new rule type needs no new column: what has none is kept as a YAML flow mapping."""
    data = loaded("bozhou-2024-school")
    rule = data["indicators"][0]["children"][0]["children"][0]["rule"]
    rule["tiers"][0]["label"] = "达标"
    rule["future"] = {"a": [1, Decimal("0.5")]}
    sheets = framework_to_sheets(data)
    header = sheets[RULES][0]
    rows = [dict(zip(header, row, strict=True)) for row in sheets[RULES][1:]]
    assert rows[0]["其他参数"] == "{future: {a: [1, 0.5]}}"
    assert rows[1]["其他参数"] == "{label: 达标}"
    back = sheets_to_framework(sheets, check=False).data
    assert back is not None
    assert exactly(back["indicators"][0]["children"][0]["children"][0]["rule"]) == exactly(rule)
    # the engine itself then names what it does not take, on the rule's row
    problems = sheets_to_framework(sheets).problems
    assert [(p.sheet, p.row, p.column) for p in problems] == [(RULES, 2, "其他参数")]
    assert "future" in problems[0].message_zh


def test_a_framework_file_with_comments_only_lost_its_comments(tmp_path: Path) -> None:
    """What the bureau gets back as YAML loads to the same framework (comments are not data)."""
    data = loaded("sichuan-2023-school")
    text = dump_yaml(sheets_to_framework(framework_to_sheets(data)).data)
    assert exactly(load_yaml(text)) == exactly(data)
    fw = load_framework_text(text, "again.yaml")
    assert fw.total == load_framework("sichuan-2023-school").total


def test_each_closed_list_names_every_choice_the_engine_has() -> None:
    """Types, 认定方 and field kinds are checked at the cell against the workbook's Chinese
    names; a choice the engine gains must gain its name here too."""
    assert set(INPUT_TYPES_ZH) == set(INPUT_TYPES)
    assert set(DECIDERS) == set(DECIDED_BY)
    assert set(FORM_KINDS_ZH) == set(KINDS)
    assert set(RULE_TYPES_ZH) == set(REGISTRY)
