"""The `by_context` rule type: a whole rule chosen by a framework-wide answer (the stage),
on a tiny framework written for the test (Taizhou 一(三)6: 高中学校另建有数字化实验室)."""

from __future__ import annotations

import datetime as dt
import random
import textwrap
from decimal import Decimal as D

import pytest

from benchmarks.totals_codegen import compile_totals
from campuseval.engine import Framework, FrameworkError, check_framework, clean_answers, load_framework_text, score
from campuseval.engine.samples import random_answers

AS_OF = dt.date(2022, 8, 31)

CASES = """\
      cases:
        - when: [小学, 初中]
          rule:
            type: all_met
            conditions:
              - {input: space}
        - when: [高中]
          label: 高中学校另须建有数字化实验室
          rule:
            type: all_met
            conditions:
              - {input: space}
              - {input: lab}
"""


def build(cases: str = CASES, context: str = "stage", options: str = "[小学, 初中, 高中]") -> Framework:
    text = textwrap.dedent(
        """\
        id: t
        title: 测试
        subject: school
        level_names: [一级]
        total: 1
        context:
          - {{key: stage, type: choice, label: 学段, options: {options}}}
        indicators:
          - code: "1"
            title: 创新实践场所
            points: 1
            inputs:
              - {{key: space, type: bool, label: 建有信息化创新实践场所}}
              - {{key: lab, type: bool, label: 建有数字化实验室}}
            rule:
              type: by_context
              context: {context}
        """
    ).format(options=options, context=context)
    return load_framework_text(text + cases, "t.yaml")


FW = build()


def one(values: dict[str, object], stage: str | None) -> tuple[D, str, str]:
    doc: dict[str, object] = {"answers": {"1": values}}
    if stage is not None:
        doc["context"] = {"stage": stage}
    r = score(FW, doc, as_of=AS_OF).indicators["1"]
    return r.points, r.explanation, r.status


@pytest.mark.parametrize(
    ("stage", "space", "lab", "expected"),
    [
        ("小学", True, False, 1),
        ("初中", True, False, 1),
        ("小学", False, True, 0),
        ("高中", True, False, 0),
        ("高中", True, True, 1),
        ("高中", False, True, 0),
    ],
)
def test_the_stage_picks_the_rule(stage: str, space: bool, lab: bool, expected: int) -> None:
    assert one({"space": space, "lab": lab}, stage)[0] == D(expected)


def test_explanation_names_the_stage_and_what_that_stage_asks_more() -> None:
    _, text, _ = one({"space": True, "lab": False}, "高中")
    assert text.startswith("学段：高中（高中学校另须建有数字化实验室）；")
    assert text.endswith("未满足：建有数字化实验室，不得分")
    _, text, _ = one({"space": True, "lab": False}, "小学")
    assert text == "学段：小学；建有信息化创新实践场所：是；条件全部满足，得 1 分"


def test_without_the_stage_the_leaf_is_unanswered_not_scored() -> None:
    points, text, status = one({"space": True, "lab": True}, None)
    assert (points, status) == (D(0), "unanswered")
    assert "学段" in text


def test_check_is_clean_and_max_is_the_best_case() -> None:
    assert [p for p in check_framework(FW) if p.severity != "note"] == []
    rule = FW.by_code["1"].rule
    assert rule is not None
    assert rule.max_points() == D(1)
    assert rule.input_keys() == {"stage", "space", "lab"}


def test_fast_totals_agree() -> None:
    totals = compile_totals(FW)
    for seed in range(30):
        doc = random_answers(FW, random.Random(seed), AS_OF, answered=1.0)
        answers = clean_answers(FW, doc, as_of=AS_OF)
        assert totals(answers) == score(FW, doc, as_of=AS_OF).total


@pytest.mark.parametrize(
    ("cases", "context", "options", "message"),
    [
        (CASES, "stage", "[小学, 初中, 高中, 中职]", "不属于任何 case"),
        (CASES.replace("[小学, 初中]", "[小学, 初中, 高中]"), "stage", "[小学, 初中, 高中]", "出现在两个 case 中"),
        (CASES.replace("[小学, 初中]", "[小学, 大学]"), "stage", "[小学, 初中, 高中]", "不是 stage 的选项"),
        (CASES, "space", "[小学, 初中, 高中]", "context 中的输入"),
        ("      cases: []\n", "stage", "[小学, 初中, 高中]", "至少两个 cases"),
    ],
)
def test_bad_specs_are_refused(cases: str, context: str, options: str, message: str) -> None:
    with pytest.raises(FrameworkError) as caught:
        build(cases, context, options)
    assert message in str(caught.value.problems[0])


# --- an optional input only some stages are asked ---------------------------------------

NESTED = """\
id: t2
title: 测试
subject: school
level_names: [一级]
total: 2
context:
  - {key: stage, type: choice, label: 学段, options: [小学, 初中, 高中]}
indicators:
  - code: "1"
    title: 创新实践场所
    points: 2
    inputs:
      - {key: space, type: bool, label: 建有信息化创新实践场所}
      - {key: lab, type: bool, optional: true, label: 建有数字化实验室（高中学校填写）}
      - {key: open, type: bool, label: 向学生开放}
    rule:
      type: sum
      parts:
        - type: by_context
          context: stage
          cases:
            - when: [小学, 初中]
              rule: {type: all_met, conditions: [{input: space}], points: 1}
            - when: [高中]
              rule: {type: all_met, conditions: [{input: space}, {input: lab}], points: 1}
        - {type: yes_no, input: open, points: 1}
"""


@pytest.mark.parametrize("nested", [False, True])
def test_an_optional_input_is_asked_only_where_the_stage_reads_it(nested: bool) -> None:
    fw = load_framework_text(NESTED, "t2.yaml") if nested else FW_OPTIONAL
    values = {"space": True, "open": True} if nested else {"space": True}
    full = D(2) if nested else D(1)
    primary = score(fw, {"context": {"stage": "小学"}, "answers": {"1": values}}, as_of=AS_OF).indicators["1"]
    assert (primary.status, primary.points) == ("scored", full)
    high = score(fw, {"context": {"stage": "高中"}, "answers": {"1": values}}, as_of=AS_OF)
    leaf = high.indicators["1"]
    assert (leaf.status, leaf.points) == ("unanswered", D(0))
    assert leaf.missing == (fw.by_code["1"].inputs["lab"].label,)
    assert high.unanswered == ["1"]
    answered = score(fw, {"context": {"stage": "高中"}, "answers": {"1": {**values, "lab": True}}}, as_of=AS_OF)
    assert answered.indicators["1"].points == full
    # the totals-only code agrees, with and without the optional answer
    totals = compile_totals(fw)
    for stage in ("小学", "高中"):
        doc = {"context": {"stage": stage}, "answers": {"1": values}}
        assert totals(clean_answers(fw, doc, as_of=AS_OF)) == score(fw, doc, as_of=AS_OF).total


FW_OPTIONAL = load_framework_text(
    textwrap.dedent(
        """\
        id: t3
        title: 测试
        subject: school
        level_names: [一级]
        total: 1
        context:
          - {key: stage, type: choice, label: 学段, options: [小学, 初中, 高中]}
        indicators:
          - code: "1"
            title: 创新实践场所
            points: 1
            inputs:
              - {key: space, type: bool, label: 建有信息化创新实践场所}
              - {key: lab, type: bool, optional: true, label: 建有数字化实验室（高中学校填写）}
            rule:
              type: by_context
              context: stage
        """
    )
    + CASES,
    "t3.yaml",
)
