"""亳州市中小学智慧学校应用示范校遴选要求 (bozhou-2024-school): the whole framework, the
seed's worked rules (bandwidth tiers, coverage deduction, expert bands, items by level with
caps and the 2019-01-01 window), the choose-one section 五 and "the same case counts once"."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from campuseval.engine import InvalidAnswers, ScoreResult, check_framework, load_framework, score

from .helpers import D, example, points, run

FW = "bozhou-2024-school"
AS_OF = dt.date(2024, 5, 30)
LEAVES = [
    "1.1", "1.2", "2.1", "2.2", "2.3", "3.1", "4.1", "5.1", "5.2", "6.1", "6.2", "6.3",
    "7.1", "7.2", "7.3", "7.4", "8.1", "8.2", "9.1", "9.2", "10.1",
    "11.1", "11.2", "12.1", "12.2", "12.3", "13.1", "13.2", "13.3", "14.1",
    "15.1", "15.2", "16.1", "16.2", "17.1",
]  # fmt: skip
DIRECTION_ANSWERS: dict[str, dict[str, dict[str, Any]]] = {
    "方向二": {
        "13.1": {"campus_card": True},
        "13.2": {"coverage": True, "monitoring": True, "tracking": True, "police_link": True},
        "13.3": {"analysis": True, "guidance": True},
        "14.1": {"home_school": True, "promoted": True},
    },
    "方向三": {
        "15.1": {"archive": True, "analysis": True},
        "15.2": {"assessment": True, "archive": True, "early_warning": True},
        "16.1": {"visualisation": True, "multi_platform": True},
        "16.2": {"environment": True, "promoted": True},
    },
}


def full() -> dict[str, Any]:
    return copy.deepcopy(example(f"{FW}.full"))


def score_doc(doc: dict[str, Any]) -> ScoreResult:
    return score(load_framework(FW), doc, as_of=AS_OF)


def leaf(code: str, values: dict[str, Any], **extra: Any) -> tuple[D, str]:
    result = run(FW, {code: values}, as_of=AS_OF, **extra)
    r = result.indicators[code]
    return r.points, r.explanation


def item(level: str, date: str = "2023-01-01", case: str = "案例", name: str = "奖项") -> dict[str, Any]:
    return {"name": name, "level": level, "date": date, "case": case}


def project(level: str, date: str = "2023-01-01", name: str = "课题") -> dict[str, Any]:
    return {"name": name, "level": level, "date": date}


# --- the framework as a whole ---------------------------------------------------------


def test_framework_checks_clean_and_keeps_the_seed_structure() -> None:
    fw = load_framework(FW)
    bad = [str(p) for p in fw.problems + check_framework(fw) if p.severity != "note"]
    assert bad == []
    assert (fw.total, fw.bonus_total, fw.subject) == (D(100), D(0), "school")
    assert [t.code for t in fw.indicators] == ["一", "二", "三", "四", "五", "六"]
    assert [t.points for t in fw.indicators] == [D(25), D(23), D(22), D(5), D(15), D(10)]
    assert [n.code for n in fw.leaves()] == LEAVES
    seconds = [n.code for n in fw.walk() if n.children and n.code.isdigit()]
    assert seconds == [str(i) for i in range(1, 18)]
    assert [(n.code, n.points) for n in fw.walk() if n.code.isdigit()] == [
        ("1", D(15)), ("2", D(8)), ("3", D(2)), ("4", D(10)), ("5", D(5)), ("6", D(8)), ("7", D(15)),
        ("8", D(3)), ("9", D(4)), ("10", D(5)), ("11", D(6)), ("12", D(9)), ("13", D(10)), ("14", D(5)),
        ("15", D(10)), ("16", D(5)), ("17", D(10)),
    ]  # fmt: skip
    # 五 is choose-one: three directions of 15 points; 方向二 = 13 + 14, 方向三 = 15 + 16
    five = fw.by_code["五"]
    assert five.choose_one
    assert [(c.code, c.title, c.points) for c in five.children] == [
        ("方向一", "智慧管理赋能", D(15)),
        ("方向二", "智慧生活实践", D(15)),
        ("方向三", "智慧文化拓展", D(15)),
    ]
    assert [[g.code for g in c.children] for c in five.children] == [["11", "12"], ["13", "14"], ["15", "16"]]
    assert [n.code for n in fw.choose_one_nodes()] == ["五"]
    # 同一案例如符合多个指标要求，只取一项得分
    assert [p.indicators for p in fw.case_policies] == [("6.3", "7.1", "7.2", "7.3", "7.4", "10.1", "17.1")]
    assert {name: w.since for name, w in fw.windows.items()} == {
        "近五年": dt.date(2019, 1, 1),
        "近5年": dt.date(2019, 1, 1),
    }
    assert all(fw.by_code[c].level_name == "三级指标" for c in LEAVES)
    forms = {(n.code, s.key): s.form_field for n in fw.leaves() for s in n.inputs.values() if s.form_field}
    assert forms == {
        ("1.1", "bandwidth"): "bandwidth",
        ("1.2", "coverage"): "smart_class_coverage",
        ("2.1", "rules"): "has_rules",
        ("2.3", "organisation"): "has_security",
    }
    bonus_items = [n.code for n in fw.walk() if any(m.kind == "bonus" for m in n.marks)]
    assert bonus_items == ["6.3", "7.1", "7.2", "7.3", "7.4", "10.1"]


def test_full_example_reaches_exactly_100() -> None:
    fw = load_framework(FW)
    result = score_doc(full())
    assert result.total == D(100)
    assert result.choices == {"五": "方向一"}
    for node in fw.walk():
        r = result.indicators[node.code]
        assert r.points == (0 if r.status == "not_chosen" else node.points), node.code
    assert {c for c, r in result.indicators.items() if r.status == "not_chosen"} == {
        n.code for d in ("方向二", "方向三") for n in fw.by_code[d].walk()
    }
    assert result.unanswered == []
    assert result.eligible


@pytest.mark.parametrize("direction", ["方向二", "方向三"])
def test_each_direction_can_reach_fifteen(direction: str) -> None:
    doc = full()
    doc["choices"] = {"五": direction}
    doc["answers"].update(copy.deepcopy(DIRECTION_ANSWERS[direction]))
    result = score_doc(doc)
    assert result.total == D(100)
    assert points(result, "五") == D(15)
    assert points(result, direction) == D(15)
    assert result.indicators["方向一"].status == "not_chosen"
    assert result.indicators["11.1"].explanation == "未选择该方向，不计分"


def test_sample_example_scores_57_6() -> None:
    result = score_doc(example(f"{FW}.sample"))
    assert result.total == D("57.6")
    assert {c: points(result, c) for c in ["一", "二", "三", "四", "五", "六"]} == {
        "一": D("20.1"),
        "二": D("15.5"),
        "三": D("9.5"),
        "四": D(1),
        "五": D(11),
        "六": D("0.5"),
    }
    assert result.choices == {"五": "方向二"}
    assert result.unanswered == []
    assert result.eligible


def test_empty_scores_zero_with_every_leaf_unanswered() -> None:
    result = run(FW, {}, as_of=AS_OF)
    assert result.total == D(0)
    direction_leaves = {c for c in LEAVES if c.split(".")[0] in {"11", "12", "13", "14", "15", "16"}}
    assert result.unanswered == [c for c in LEAVES if c not in direction_leaves] + ["五"]
    assert result.indicators["五"].explanation == "未选择方向，本部分不计分"
    assert not result.eligible
    assert result.eligibility_reasons == ["未声明：近三年发生重特大网络安全事件"]


# --- 1.1 bandwidth tiers, 1.2 coverage deduction -----------------------------------------


@pytest.mark.parametrize(
    ("mbps", "expected"),
    [
        (1000, "8"),
        (500, "8"),
        (499.9, "6"),
        (450, "6"),
        (400, "6"),
        (399, "4"),
        (300, "4"),
        (299.99, "2"),
        (200, "2"),
        (199.9, "0"),
        (100, "0"),
        (0, "0"),
    ],
)
def test_1_1_bandwidth_tiers_lower_bound_included(mbps: float, expected: str) -> None:
    assert leaf("1.1", {"bandwidth": mbps})[0] == D(expected)


def test_1_1_explanations() -> None:
    assert leaf("1.1", {"bandwidth": 500})[1] == "出口带宽 500M，在 500M（含）以上 档，得 8 分"
    assert leaf("1.1", {"bandwidth": 300})[1] == "出口带宽 300M，在 300M（含）至 400M 档，得 4 分"
    assert leaf("1.1", {"bandwidth": 150})[1] == "出口带宽 150M，在 200M以下 档，不得分"


@pytest.mark.parametrize(
    ("coverage", "expected"),
    [
        (100, "7"),
        (36, "7"),
        (35, "6.8"),
        (30.3, "5.86"),
        (26, "5"),
        (10, "1.8"),
        (2, "0.2"),
        (1, "0"),
        (0, "0"),
    ],
)
def test_1_2_coverage_36_percent_minus_0_2_per_point_down_to_zero(coverage: float, expected: str) -> None:
    assert leaf("1.2", {"coverage": coverage})[0] == D(expected)


def test_1_2_explanation() -> None:
    assert leaf("1.2", {"coverage": 30.3})[1] == (
        "三年级以上智慧课堂班级覆盖率 30.3%，目标 36%，差 5.7个百分点，扣 1.14 分，得 5.86 分"
    )
    assert leaf("1.2", {"coverage": 0})[1].endswith("扣 7 分，得 0 分")


# --- yes/no, checklists and all-conditions items -----------------------------------------


def test_2_2_two_points_each_for_staff_and_funding() -> None:
    assert leaf("2.2", {"staff": True, "funding": True})[0] == D(4)
    assert leaf("2.2", {"staff": False, "funding": True})[0] == D(2)
    assert leaf("2.2", {"staff": False, "funding": False})[0] == D(0)


def test_3_1_any_one_scene_is_enough() -> None:
    assert leaf("3.1", {"teaching_spaces": False, "experience_spaces": True})[0] == D(2)
    assert leaf("3.1", {"teaching_spaces": True, "experience_spaces": True})[0] == D(2)
    assert leaf("3.1", {"teaching_spaces": False, "experience_spaces": False})[0] == D(0)


@pytest.mark.parametrize(
    ("code", "values"),
    [
        ("2.3", {"organisation": True, "contingency": False, "handling": True}),
        ("11.2", {"reform": True, "promoted": False}),
        ("12.1", {"evaluation": True, "results_used": True, "promoted": False}),
        ("13.2", {"coverage": True, "monitoring": True, "tracking": True, "police_link": False}),
        ("14.1", {"home_school": True, "promoted": False}),
        ("16.2", {"environment": True, "promoted": False}),
    ],
)
def test_all_or_nothing_items(code: str, values: dict[str, bool]) -> None:
    direction = {"11": "方向一", "12": "方向一", "13": "方向二", "14": "方向二", "16": "方向三"}
    extra = {"choices": {"五": direction[code.split(".")[0]]}} if code.split(".")[0] in direction else {}
    assert leaf(code, values, **extra)[0] == 0
    full_points = load_framework(FW).by_code[code].points
    assert leaf(code, dict.fromkeys(values, True), **extra)[0] == full_points


# --- 4.1 expert bands ---------------------------------------------------------------------

GOOD = "出台有力举措且取得良好效果（有举措正式文件）"


def test_4_1_good_effect_with_formal_document_ten() -> None:
    assert leaf("4.1", {"effect": GOOD}) == (D(10), f"举措成效（专家评定）：{GOOD}，得 10 分")


def test_4_1_good_effect_without_formal_document_nothing() -> None:
    assert leaf("4.1", {"effect": "效果良好但未提供举措正式文件"})[0] == 0


@pytest.mark.parametrize("value", ["3", "3.5", "4"])
def test_4_1_unclear_effect_three_to_four(value: str) -> None:
    pts, text = leaf("4.1", {"effect": "效果不明显", "band_points": value})
    assert pts == D(value)
    assert text == f"举措成效（专家评定）：效果不明显（3–4 分档），评定 {value} 分"


def test_4_1_none_nothing() -> None:
    assert leaf("4.1", {"effect": "未出台或者无成效"})[0] == 0


def test_4_1_unclear_effect_needs_points_within_the_band() -> None:
    with pytest.raises(InvalidAnswers) as caught:
        leaf("4.1", {"effect": "效果不明显"})
    assert caught.value.problems[0].code == "4.1"
    assert "选择“效果不明显”时需填写专家评定分（3–4 分）" in caught.value.problems[0].message_zh
    for value in (2.5, 5):
        with pytest.raises(InvalidAnswers) as caught:
            leaf("4.1", {"effect": "效果不明显", "band_points": value})
        assert caught.value.problems[0].code == "4.1"
        assert f"“效果不明显”档的专家评定分应在 3–4 分之间，收到 {value}" in caught.value.problems[0].message_zh


def test_4_1_points_typed_for_a_fixed_band_are_ignored() -> None:
    assert leaf("4.1", {"effect": GOOD, "band_points": 3})[0] == D(10)


# --- 6.3: projects by level, window, cap 4 -----------------------------------------------


@pytest.mark.parametrize(("level", "expected"), [("市级", "1"), ("省级", "2"), ("国家级", "3")])
def test_6_3_one_two_three_by_level(level: str, expected: str) -> None:
    assert leaf("6.3", {"projects": [project(level)]})[0] == D(expected)


def test_6_3_capped_at_the_indicators_four_points() -> None:
    pts, text = leaf("6.3", {"projects": [project("国家级", name="a"), project("省级", name="b")]})
    assert pts == D(4)
    assert "计 5 分，超过上限按 4 分计，得 4 分" in text


def test_6_3_same_project_counts_once_at_its_highest_level() -> None:
    pts, text = leaf("6.3", {"projects": [project("市级", name="a"), project("省级", name="a")]})
    assert pts == D(2)
    assert "「a」重复，只计最高级" in text


def test_6_3_window_starts_on_1_january_2019() -> None:
    inside = project("省级", "2019-01-01", "a")
    outside = project("国家级", "2018-12-31", "b")
    pts, text = leaf("6.3", {"projects": [inside, outside]})
    assert pts == D(2)
    assert "「b」2018-12-31 不在近五年（2019-01-01 起）内" in text


def test_window_is_fixed_not_counted_back_from_the_reference_date() -> None:
    values = {"projects": [project("省级", "2019-02-01")]}
    assert run(FW, {"6.3": values}, as_of=dt.date(2025, 6, 1)).indicators["6.3"].points == D(2)


# --- 7.1–7.4, 10.1: award cases by level, caps ------------------------------------------


@pytest.mark.parametrize(
    ("code", "table", "cap"),
    [
        ("7.1", {"市级": "1", "省级": "2", "国家级": "3"}, "6"),
        ("7.2", {"市级": "0.5", "省级": "1", "国家级": "2"}, "3"),
        ("7.3", {"市级": "0.5", "省级": "1", "国家级": "2"}, "3"),
        ("7.4", {"市级": "0.5", "省级": "1", "国家级": "2"}, "3"),
        ("10.1", {"市级": "0.5", "省级": "1", "国家级": "1.5"}, "5"),
    ],
)
def test_cases_points_per_level_and_cap(code: str, table: dict[str, str], cap: str) -> None:
    for level, expected in table.items():
        assert leaf(code, {"cases": [item(level)]})[0] == D(expected)
    many = [item("国家级", case=f"案例{i}") for i in range(5)]
    pts, text = leaf(code, {"cases": many})
    assert pts == D(cap)
    assert f"超过上限按 {cap} 分计" in text


def test_7_1_same_work_at_two_levels_counts_once_at_the_highest() -> None:
    cases = [item("市级", case="《圆》"), item("国家级", case="《圆》"), item("市级", case="《角》")]
    pts, text = leaf("7.1", {"cases": cases})
    assert pts == D(4)
    assert "市级 1 个×1，国家级 1 个×3，计 4 分" in text
    assert "「《圆》」重复，只计最高级" in text


def test_7_2_city_cases_add_up_in_halves() -> None:
    cases = [item("市级", case=f"案例{i}") for i in range(5)]
    assert leaf("7.2", {"cases": cases})[0] == D("2.5")


def test_10_1_window_and_dates() -> None:
    pts, text = leaf("10.1", {"cases": [item("国家级", "2018-12-31", "a"), item("省级", "2019-01-01", "b")]})
    assert pts == D(1)
    assert "「a」2018-12-31 不在近五年（2019-01-01 起）内" in text


# --- 同一案例如符合多个指标要求，只取一项得分 ----------------------------------------------


def test_same_case_in_two_indicators_scores_where_it_earns_most() -> None:
    result = run(
        FW,
        {
            "7.4": {"cases": [item("省级", case="同步课堂")]},
            "10.1": {"cases": [item("国家级", case="同步课堂"), item("省级", case="自主学习")]},
        },
    )
    assert points(result, "7.4") == 0
    assert "「同步课堂」已在 10.1 计分，同一案例只取一项" in result.indicators["7.4"].explanation
    assert points(result, "10.1") == D("2.5")


def test_same_case_tie_goes_to_the_earlier_indicator() -> None:
    result = run(FW, {"7.2": {"cases": [item("省级", case="x")]}, "7.3": {"cases": [item("省级", case="x")]}})
    assert (points(result, "7.2"), points(result, "7.3")) == (D(1), D(0))


def test_same_case_reaches_research_projects_and_demonstration() -> None:
    result = run(
        FW,
        {
            "6.3": {"projects": [project("省级", name="智慧作业")]},
            "7.1": {"cases": [item("市级", case="智慧作业")]},
            "17.1": {"honours": [item("国家级", case="智慧作业")], "impacts": []},
        },
    )
    assert (points(result, "6.3"), points(result, "7.1"), points(result, "17.1")) == (D(2), D(0), D(0))


def test_case_outside_the_window_does_not_block_another_indicator() -> None:
    result = run(
        FW,
        {
            "7.1": {"cases": [item("国家级", "2018-06-01", case="x")]},
            "7.2": {"cases": [item("省级", "2020-06-01", case="x")]},
        },
    )
    assert (points(result, "7.1"), points(result, "7.2")) == (D(0), D(1))


# --- 17.1: honours 1 / 0.5 up to 4, assessed impacts 2 each up to 6 -------------------------


def test_17_1_honours_national_one_provincial_half_capped_at_four() -> None:
    honours = [item("国家级", case=f"a{i}") for i in range(3)] + [item("省级", case="b")]
    assert leaf("17.1", {"honours": honours, "impacts": []})[0] == D("3.5")
    honours += [item("国家级", case="c"), item("省级", case="d")]
    pts, text = leaf("17.1", {"honours": honours, "impacts": []})
    assert pts == D(4)
    assert "计 5 分，超过上限按 4 分计" in text


def test_17_1_impacts_two_each_capped_at_six_total_ten() -> None:
    impacts = [{"name": "报道", "scope": "全国", "date": "2023-01-01", "case": f"做法{i}"} for i in range(4)]
    assert leaf("17.1", {"honours": [], "impacts": impacts[:2]})[0] == D(4)
    assert leaf("17.1", {"honours": [], "impacts": impacts})[0] == D(6)
    honours = [item("国家级", case=f"a{i}") for i in range(4)]
    pts, text = leaf("17.1", {"honours": honours, "impacts": impacts})
    assert pts == D(10)
    assert text.endswith("合计 10 分")


def test_17_1_window_is_stated_as_within_five_years() -> None:
    pts, text = leaf("17.1", {"honours": [item("国家级", "2018-12-31", "x")], "impacts": []})
    assert pts == 0
    assert "不在近5年（2019-01-01 起）内" in text


# --- 五: choose one direction ---------------------------------------------------------------


def test_answers_in_an_unchosen_direction_do_not_count() -> None:
    answers = {**DIRECTION_ANSWERS["方向二"], **DIRECTION_ANSWERS["方向三"]}
    result = run(FW, answers, choices={"五": "方向三"})
    assert result.total == D(15)
    assert points(result, "方向二") == 0
    assert result.indicators["13.1"].status == "not_chosen"
    assert result.indicators["五"].explanation == "选择智慧文化拓展，小计 15 分"


def test_no_direction_chosen_scores_nothing_in_five() -> None:
    result = run(FW, DIRECTION_ANSWERS["方向二"])
    assert result.total == 0
    assert "五" in result.unanswered


def test_unknown_direction_is_refused() -> None:
    with pytest.raises(InvalidAnswers) as caught:
        run(FW, {}, choices={"五": "方向四"})
    assert "方向「方向四」不存在，可选：方向一、方向二、方向三" in caught.value.problems[0].message_zh
    with pytest.raises(InvalidAnswers) as caught:
        run(FW, {}, choices={"四": "方向一"})
    assert "指标 四 不是多选一部分" in caught.value.problems[0].message_zh


# --- eligibility and bad input ----------------------------------------------------------------


def test_major_security_incident_in_three_years_is_not_eligible() -> None:
    doc = full()
    doc["declarations"] = {"major_security_incident": True}
    result = score_doc(doc)
    assert result.total == D(100)
    assert not result.eligible
    assert result.eligibility_reasons == ["存在否决情形：近三年发生重特大网络安全事件"]


def test_bad_input_names_indicator_and_field() -> None:
    doc = {
        "answers": {
            "1.2": {"coverage": 101},
            "7.1": {"cases": [item("县级")]},
            "6.3": {"projects": [project("省级", "2024-06-01")]},
            "2.2": {"staff": "也许", "funding": True},
        }
    }
    with pytest.raises(InvalidAnswers) as caught:
        score_doc(doc)
    found = {(p.code, p.field): p.message_zh for p in caught.value.problems}
    assert "不能超过 100%" in found[("1.2", "coverage")]
    assert "获奖级别只能选择：市级、省级、国家级" in found[("7.1", "cases")]
    assert "晚于评估基准日 2024-05-30" in found[("6.3", "projects")]
    assert "应填“是”或“否”" in found[("2.2", "staff")]
