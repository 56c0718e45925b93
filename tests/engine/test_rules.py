"""Every rule type on a tiny framework written for the test: points, boundaries, explanations."""

from __future__ import annotations

import datetime as dt
import textwrap
from decimal import Decimal as D

import pytest

from campuseval.engine import InvalidAnswers, load_framework_text, score
from campuseval.engine.numbers import fmt

AS_OF = dt.date(2024, 5, 30)


def fw_with(rule_yaml: str, inputs_yaml: str, points: str = "10", extra: str = "") -> object:
    text = textwrap.dedent(
        """
        id: t
        title: 测试
        subject: school
        level_names: [一级]
        total: {points}
        time_windows:
          近五年: {{since: 2019-01-01}}
          近两年: {{years: 2}}
        {extra}
        indicators:
          - code: "1"
            title: 测试指标
            points: {points}
            inputs:
        {inputs}
            rule:
        {rule}
        """
    ).format(
        points=points,
        extra=extra,
        inputs=textwrap.indent(textwrap.dedent(inputs_yaml).strip(), " " * 6),
        rule=textwrap.indent(textwrap.dedent(rule_yaml).strip(), " " * 6),
    )
    return load_framework_text(text, "t.yaml")


def one(fw: object, values: dict[str, object], **extra: object) -> tuple[D, str]:
    result = score(fw, {"answers": {"1": values}, **extra}, as_of=AS_OF)  # type: ignore[arg-type]
    r = result.indicators["1"]
    return r.points, r.explanation


TIERS = fw_with(
    """
    type: tiers
    input: bw
    tiers:
      - {min: 500, points: 8}
      - {min: 400, max: 500, points: 6}
      - {min: 300, max: 400, points: 4}
      - {min: 200, max: 300, points: 2}
      - {max: 200, points: 0}
    """,
    "- {key: bw, type: number, label: 出口带宽, unit: M}",
    points="8",
)


@pytest.mark.parametrize(
    ("bandwidth", "expected"),
    [(1000, 8), (500, 8), (499.9, 6), (450, 6), (400, 6), (399, 4), (300, 4), (200, 2), (199.99, 0), (0, 0)],
)
def test_tiers_inclusive_lower_bounds(bandwidth: float, expected: int) -> None:
    points, _ = one(TIERS, {"bw": str(bandwidth)})
    assert points == D(expected)


def test_tiers_explanation_cites_the_numbers() -> None:
    _, text = one(TIERS, {"bw": 450})
    assert text == "出口带宽 450M，在 400M（含）至 500M 档，得 6 分"


COVERAGE = {
    mode: fw_with(
        f"{{type: target_deduction, input: c, target: 36, per: 0.2, shortfall: {mode}}}",
        "- {key: c, type: number, percent: true, label: 覆盖率}",
        points="7",
    )
    for mode in ("exact", "ceil", "floor")
}


@pytest.mark.parametrize(
    ("mode", "coverage", "expected"),
    [
        ("exact", "36", "7"),
        ("exact", "100", "7"),
        ("exact", "35", "6.8"),
        ("exact", "30.3", "5.86"),
        ("ceil", "30.3", "5.8"),
        ("floor", "30.3", "6"),
        ("exact", "1", "0"),
        ("exact", "0", "0"),
    ],
)
def test_target_deduction_readings(mode: str, coverage: str, expected: str) -> None:
    points, _ = one(COVERAGE[mode], {"c": coverage})
    assert points == D(expected)


def test_target_deduction_explains_the_reading() -> None:
    _, text = one(COVERAGE["ceil"], {"c": "30.3"})
    assert "差 5.7个百分点，按 6 计，扣 1.2 分，得 5.8 分" in text


def test_percent_over_100_and_negative_are_refused_naming_code_and_field() -> None:
    for bad, phrase in (("100.5", "不能超过 100%"), ("-1", "不能为负数")):
        with pytest.raises(InvalidAnswers) as info:
            one(COVERAGE["exact"], {"c": bad})
        problem = info.value.problems[0]
        assert (problem.code, problem.field) == ("1", "c")
        assert phrase in problem.message_zh


COUNT_TARGET = fw_with(
    "{type: target_deduction, input: n, target: 4, per: 0.5, unit_label: 所}",
    "- {key: n, type: number, integer: true, label: 开展学校数, unit: 所}",
    points="2",
)


@pytest.mark.parametrize(("count", "expected"), [(5, "2"), (4, "2"), (3, "1.5"), (1, "0.5"), (0, "0")])
def test_count_target_with_per_missing_deduction(count: int, expected: str) -> None:
    assert one(COUNT_TARGET, {"n": count})[0] == D(expected)


def test_integer_counts_refuse_fractions() -> None:
    with pytest.raises(InvalidAnswers, match="应为整数"):
        one(COUNT_TARGET, {"n": "2.5"})


ITEMS = fw_with(
    """
    type: level_items
    input: awards
    points: {市级: 0.5, 省级: 1, 国家级: 1.5}
    cap: 3
    dedupe: case
    window: 近五年
    date_field: date
    """,
    """
    - key: awards
      type: items
      label: 获奖案例
      fields:
        - {key: case, type: text, label: 案例名称}
        - {key: level, type: choice, label: 级别, options: [市级, 省级, 国家级]}
        - {key: date, type: date, label: 获奖时间}
    """,
    points="3",
)


def award(case: str, level: str, date: str = "2022-01-01") -> dict[str, str]:
    return {"case": case, "level": level, "date": date}


def test_items_by_level_same_case_counts_once_at_highest_level() -> None:
    points, text = one(ITEMS, {"awards": [award("甲", "市级"), award("甲", "省级"), award("乙", "市级")]})
    assert points == D("1.5")
    assert "「甲」重复，只计最高级" in text


def test_items_outside_window_do_not_count() -> None:
    points, text = one(ITEMS, {"awards": [award("甲", "国家级", "2018-12-31"), award("乙", "市级", "2019-01-01")]})
    assert points == D("0.5")
    assert "2018-12-31 不在近五年（2019-01-01 起）内" in text


def test_items_cap_at_indicator_points() -> None:
    awards = [award(f"案例{i}", "国家级") for i in range(3)]
    points, text = one(ITEMS, {"awards": awards})
    assert points == D(3)
    assert "计 4.5 分，超过上限按 3 分计" in text


def test_item_dated_after_as_of_is_refused() -> None:
    with pytest.raises(InvalidAnswers) as info:
        one(ITEMS, {"awards": [award("甲", "省级", "2024-06-01")]})
    assert "晚于评估基准日 2024-05-30" in info.value.problems[0].message_zh


def test_item_with_unknown_level_is_refused() -> None:
    with pytest.raises(InvalidAnswers, match="级别只能选择"):
        one(ITEMS, {"awards": [award("甲", "县级")]})


BONUS_ITEMS = fw_with(
    """
    type: level_items
    input: pilots
    points: {市级: 1, 省级: 2}
    cap: 4
    bonus: {field: excellent, factor: 1.5}
    """,
    """
    - key: pilots
      type: items
      label: 试点项目
      fields:
        - {key: name, type: text, label: 名称}
        - {key: level, type: choice, label: 级别, options: [市级, 省级]}
        - {key: excellent, type: bool, label: 评为优秀}
    """,
    points="4",
)


def test_excellent_items_count_fifty_percent_more() -> None:
    points, text = one(
        BONUS_ITEMS,
        {
            "pilots": [
                {"name": "a", "level": "省级", "excellent": True},
                {"name": "b", "level": "市级", "excellent": False},
            ]
        },
    )
    assert points == D(4)
    assert "其中 1 个按 1.5 倍计" in text
    assert one(BONUS_ITEMS, {"pilots": [{"name": "a", "level": "市级", "excellent": True}]})[0] == D("1.5")


SCENARIOS = fw_with(
    """
    type: scenario_count
    input: n
    floor: 5
    floor_points: 5
    step_points: 1
    cap: 8
    required: [basic]
    """,
    """
    - {key: n, type: number, integer: true, label: 应用场景数}
    - {key: basic, type: bool, label: 含直录播基本场景}
    """,
    points="8",
)


@pytest.mark.parametrize(("n", "expected"), [(4, 0), (5, 5), (6, 6), (8, 8), (10, 8)])
def test_scenario_count_floor_step_cap(n: int, expected: int) -> None:
    assert one(SCENARIOS, {"n": n, "basic": True})[0] == D(expected)


def test_scenario_count_requires_the_basic_scenario() -> None:
    points, text = one(SCENARIOS, {"n": 9, "basic": False})
    assert points == 0
    assert "缺少基本场景：含直录播基本场景" in text


BAND = fw_with(
    """
    type: band
    input: effect
    points_input: pts
    bands: {效果良好: 10, 效果不明显: [3, 4], 未出台或无成效: 0}
    """,
    """
    - {key: effect, type: choice, label: 举措效果, options: [效果良好, 效果不明显, 未出台或无成效]}
    - {key: pts, type: number, label: 评定分, optional: true}
    """,
)


def test_expert_band_fixed_and_ranged() -> None:
    assert one(BAND, {"effect": "效果良好"})[0] == D(10)
    assert one(BAND, {"effect": "效果不明显", "pts": "3.5"})[0] == D("3.5")
    assert one(BAND, {"effect": "未出台或无成效"})[0] == D(0)


@pytest.mark.parametrize("pts", ["2.9", "4.1", "10"])
def test_expert_band_refuses_points_outside_the_band(pts: str) -> None:
    with pytest.raises(InvalidAnswers, match="应在 3–4 分之间"):
        one(BAND, {"effect": "效果不明显", "pts": pts})


CHECKLIST = fw_with(
    """
    type: checklist
    items:
      - {input: a, points: 1.5}
      - {input: b, points: 1.5}
    """,
    """
    - {key: a, type: bool, label: 制度体系完整}
    - {key: b, type: bool, label: 执行良好}
    """,
    points="3",
)


def test_checklist_adds_the_parts_met() -> None:
    assert one(CHECKLIST, {"a": True, "b": True})[0] == D(3)
    points, text = one(CHECKLIST, {"a": True, "b": "否"})
    assert points == D("1.5")
    assert text == "符合：制度体系完整 1.5 分；未达到：执行良好；得 1.5 分"
    assert one(CHECKLIST, {"a": False, "b": False})[0] == 0


N_OF_M = fw_with(
    """
    type: n_of_m
    inputs: [a, b, c, d]
    tiers: [{min_count: 4, points: 2}, {min_count: 2, points: 1}]
    """,
    """
    - {key: a, type: bool, label: 甲}
    - {key: b, type: bool, label: 乙}
    - {key: c, type: bool, label: 丙}
    - {key: d, type: bool, label: 丁}
    """,
    points="2",
)


@pytest.mark.parametrize(("met", "expected"), [(4, 2), (3, 1), (2, 1), (1, 0), (0, 0)])
def test_n_of_m(met: int, expected: int) -> None:
    values = {k: i < met for i, k in enumerate("abcd")}
    assert one(N_OF_M, values)[0] == D(expected)


MISSING = fw_with(
    "{type: deduct_per_missing, inputs: [a, b, c], per: 1}",
    """
    - {key: a, type: bool, label: 甲}
    - {key: b, type: bool, label: 乙}
    - {key: c, type: bool, label: 丙}
    """,
    points="2",
)


@pytest.mark.parametrize(("met", "expected"), [(3, 2), (2, 1), (1, 0), (0, 0)])
def test_missing_one_costs_one(met: int, expected: int) -> None:
    values = {k: i < met for i, k in enumerate("abc")}
    assert one(MISSING, values)[0] == D(expected)


CHOICE = fw_with(
    "{type: choice, input: q, options: {完全符合: 2, 部分符合: 1, 不符合: 0}}",
    "- {key: q, type: choice, label: 符合程度, options: [完全符合, 部分符合, 不符合]}",
    points="2",
)


def test_full_partial_none() -> None:
    assert [one(CHOICE, {"q": q})[0] for q in ("完全符合", "部分符合", "不符合")] == [2, 1, 0]


RATIO = fw_with(
    """
    type: ratio_by_context
    numerator: students
    denominator: computers
    context: stage
    thresholds: {小学: 10, 初中: 8, 高中: 6}
    """,
    """
    - {key: students, type: number, integer: true, label: 学生数}
    - {key: computers, type: number, integer: true, label: 学生用计算机}
    """,
    points="2",
    extra="context:\n  - {key: stage, type: choice, label: 学段, options: [小学, 初中, 高中]}",
)


@pytest.mark.parametrize(
    ("stage", "students", "computers", "expected"),
    [
        ("小学", 1000, 100, 2),
        ("小学", 1001, 100, 0),
        ("初中", 800, 100, 2),
        ("初中", 801, 100, 0),
        ("高中", 600, 100, 2),
        ("高中", 700, 100, 0),
        ("小学", 10, 0, 0),
    ],
)
def test_ratio_depends_on_stage(stage: str, students: int, computers: int, expected: int) -> None:
    points, _ = one(RATIO, {"students": students, "computers": computers}, context={"stage": stage})
    assert points == D(expected)


def test_ratio_without_stage_is_unanswered_not_silently_scored() -> None:
    result = score(RATIO, {"answers": {"1": {"students": 10, "computers": 5}}}, as_of=AS_OF)  # type: ignore[arg-type]
    assert result.indicators["1"].status == "unanswered"
    assert result.unanswered == ["1"]


PROPORTIONAL = fw_with(
    "{type: proportional, numerator: ok, denominator: all}",
    """
    - {key: ok, type: number, integer: true, label: 达标系统数}
    - {key: all, type: number, integer: true, label: 系统总数}
    """,
    points="4",
)


def test_proportional_rounds_half_up_to_two_places() -> None:
    assert one(PROPORTIONAL, {"ok": 2, "all": 3})[0] == D("2.67")
    assert one(PROPORTIONAL, {"ok": 3, "all": 3})[0] == D(4)
    with pytest.raises(InvalidAnswers, match="不能大于"):
        one(PROPORTIONAL, {"ok": 4, "all": 3})


SUM = fw_with(
    """
    type: sum
    parts:
      - {type: yes_no, input: base, points: 2, label: 数据治理探索}
      - {type: count_points, input: n, per: 1, cap: 4, label: 辅助研判场景}
    """,
    """
    - {key: base, type: bool, label: 开展数据治理探索}
    - {key: n, type: number, integer: true, label: 场景数}
    """,
    points="6",
)


def test_sum_of_parts_with_caps() -> None:
    assert one(SUM, {"base": True, "n": 3})[0] == D(5)
    points, text = one(SUM, {"base": True, "n": 9})
    assert points == D(6)
    assert "超过上限按 4 分计" in text


def test_decimal_points_are_exact() -> None:
    tenth = fw_with(
        """
        type: checklist
        items: [{input: a, points: 0.1}, {input: b, points: 0.2}]
        """,
        "- {key: a, type: bool, label: 甲}\n- {key: b, type: bool, label: 乙}",
        points="0.3",
    )
    points, _ = one(tenth, {"a": True, "b": True})
    assert points == D("0.3")
    assert fmt(points) == "0.3"
    assert D("0.1") + D("0.2") == D("0.3")


def test_unknown_field_and_code_are_refused() -> None:
    with pytest.raises(InvalidAnswers) as info:
        score(TIERS, {"answers": {"1": {"speed": 3}, "9.9": {}}}, as_of=AS_OF)  # type: ignore[arg-type]
    found = {(p.code, p.field) for p in info.value.problems}
    assert found == {("1", "speed"), ("9.9", "")}


def test_reviewer_override_replaces_points_and_keeps_the_rule_result() -> None:
    result = score(TIERS, {"answers": {"1": {"bw": 450}}}, as_of=AS_OF, overrides={"1": D("7.5")})  # type: ignore[arg-type]
    assert result.total == D("7.5")
    assert result.indicators["1"].explanation.startswith("评审调整为 7.5 分（按规则 6 分：出口带宽 450M")
    unanswered = score(TIERS, {}, as_of=AS_OF, overrides={"1": D(2)})  # type: ignore[arg-type]
    assert unanswered.total == 2 and unanswered.unanswered == []
    with pytest.raises(InvalidAnswers, match="调整分值应在 0–8 分之间"):
        score(TIERS, {}, as_of=AS_OF, overrides={"1": D(9)})  # type: ignore[arg-type]
