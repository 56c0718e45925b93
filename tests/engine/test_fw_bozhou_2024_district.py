"""亳州市中小学智慧学校应用示范区遴选要求 (bozhou-2024-district, 附件1): the whole framework,
worked examples from the seed's wording for every rule, time windows, "the same case counts
once" across indicators and the 近三年 security-incident condition."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from campuseval.engine import InvalidAnswers, ScoreResult, check_framework, load_framework, score

from .helpers import D, example, points, run

FW = "bozhou-2024-district"
AS_OF = dt.date(2024, 5, 30)
LEAVES = [
    "1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3.1", "3.2", "4.1", "5.1", "5.2", "6.1", "6.2", "6.3",
    "7.1", "7.2", "7.3", "7.4", "8.1", "8.2", "9.1", "9.2", "10.1", "11.1", "11.2",
    "12.1", "12.2", "12.3", "12.4", "13.1", "13.2", "13.3", "14.1", "15.1", "15.2",
    "16.1", "16.2", "16.3", "17.1",
]  # fmt: skip


def full() -> dict[str, Any]:
    return copy.deepcopy(example(f"{FW}.full"))


def score_doc(doc: dict[str, Any], as_of: dt.date = AS_OF) -> ScoreResult:
    return score(load_framework(FW), doc, as_of=as_of)


def leaf(code: str, values: dict[str, Any], as_of: dt.date = AS_OF) -> tuple[D, str]:
    r = run(FW, {code: values}, as_of=as_of).indicators[code]
    return r.points, r.explanation


def with_answers(**changes: dict[str, Any]) -> dict[str, Any]:
    doc = full()
    for code, values in changes.items():
        doc["answers"][code.replace("_", ".")] = values
    return doc


# --- the framework as a whole ---------------------------------------------------------


def test_framework_checks_clean_and_keeps_the_seed_structure() -> None:
    fw = load_framework(FW)
    bad = [str(p) for p in fw.problems + check_framework(fw) if p.severity != "note"]
    assert bad == []
    assert (fw.total, fw.bonus_total, fw.subject) == (D(100), D(0), "district")
    assert fw.level_names == ("一级指标", "二级指标", "三级指标")
    assert [(t.code, t.title, t.points) for t in fw.indicators] == [
        ("一", "基础环境提升", D(20)),
        ("二", "人才队伍建设", D(20)),
        ("三", "智慧教学创新", D(15)),
        ("四", "智慧学习普及", D(5)),
        ("五", "智慧管理赋能", D(10)),
        ("六", "智慧生活实践", D(10)),
        ("七", "智慧文化拓展", D(10)),
        ("八", "示范效应", D(10)),
    ]
    seconds = [(n.code, n.points) for n in fw.walk() if n.depth == 1]
    assert seconds == [
        ("1", D(10)), ("2", D(6)), ("3", D(4)), ("4", D(6)), ("5", D(4)), ("6", D(10)), ("7", D(9)),
        ("8", D(3)), ("9", D(3)), ("10", D(5)), ("11", D(4)), ("12", D(6)), ("13", D(6)), ("14", D(4)),
        ("15", D(6)), ("16", D(4)), ("17", D(10)),
    ]  # fmt: skip
    assert [n.code for n in fw.leaves()] == LEAVES
    assert all(n.depth == 2 and n.level_name == "三级指标" for n in fw.leaves())
    leaf_points = {n.code: n.points for n in fw.leaves()}
    assert leaf_points["1.1"] == D(5) and leaf_points["4.1"] == D(6) and leaf_points["6.3"] == D(6)
    assert [leaf_points[c] for c in ("12.1", "12.2", "12.3", "12.4")] == [D("1.5")] * 4
    assert fw.by_code["12.4"].parent is fw.by_code["12"]
    bonus_marked = [n.code for n in fw.walk() if any(m.kind == "bonus" for m in n.marks)]
    assert bonus_marked == ["6.3", "7.1", "7.2", "7.3", "7.4", "10.1"]
    assert not any(t.bonus for t in fw.indicators)
    assert [p.indicators for p in fw.case_policies] == [("6.3", "7.1", "7.2", "7.3", "7.4", "10.1", "17.1")]
    assert fw.windows["近五年"].since == dt.date(2019, 1, 1)
    assert fw.windows["近两年"].years == 2
    assert fw.eligibility is not None
    assert [e.key for e in fw.eligibility.exclusions] == ["major_security_incident"]
    assert fw.levels == ()


def test_seed_text_is_kept() -> None:
    fw = load_framework(FW)
    assert fw.by_code["3.1"].scoring == (
        "区域推进至少 4 所学校，每校开展创新实验室、学科教室、网络研修教研室等至少 1 项新型教学场所建设应用，"
        "得 2 分，每少 1 所扣 0.5 分，扣完为止。"
    )
    assert fw.by_code["4.1"].scoring.endswith("效果不明显得 1-2 分，未出台或者无成效的不得分。")
    assert fw.by_code["6.3"].criterion.startswith("教师信息化研究能力较强，近五年（2019 年 1 月 1 日后）")
    # the seed's 15.2 scoring text repeats 15.1's (体质健康); the file rewrites it from 15.2's content and
    # keeps the seed's words in the note
    assert "心理健康" in fw.by_code["15.2"].scoring and "心理健康" in fw.by_code["15.2"].criterion
    assert "建立学生体质健康数字档案，得 3 分" in fw.by_code["15.2"].note
    assert fw.by_code["17.1"].scoring.startswith("近 5 年内（2019 年 1 月 1 日后）1. 区域内学校")


def test_full_example_reaches_exactly_100_with_every_indicator_at_its_points() -> None:
    fw = load_framework(FW)
    result = score_doc(full())
    assert result.total == D(100)
    for node in fw.walk():
        assert result.indicators[node.code].points == node.points, node.code
    assert result.unanswered == []
    assert result.eligible and result.eligibility_applies
    assert result.level is None and result.next_level is None


def test_empty_scores_zero_with_every_leaf_unanswered() -> None:
    result = run(FW, {}, as_of=AS_OF)
    assert result.total == D(0)
    assert result.unanswered == LEAVES
    assert all(result.indicators[c].explanation == "未作答，得 0 分" for c in LEAVES)
    assert not result.eligible
    assert result.eligibility_reasons == ["未声明：近三年内（评估基准日前 3 年起）发生重特大网络安全事件"]


def test_sample_example_is_partly_met() -> None:
    result = score_doc(example(f"{FW}.sample"))
    assert result.total == D("52.09")
    assert {c: result.indicators[c].points for c in ("一", "二", "三", "四", "五", "六", "七", "八")} == {
        "一": D("13.89"),
        "二": D("7.7"),
        "三": D("7.4"),
        "四": D("2.5"),
        "五": D(6),
        "六": D(6),
        "七": D(6),
        "八": D("2.6"),
    }
    assert result.eligible
    assert result.unanswered == []
    assert "「双师课堂助力乡村教学点」已在 7.1 计分，同一案例只取一项" in result.indicators["7.4"].explanation


# --- 1.1, 1.2: a percentage target, 0.1 per percentage point short --------------------


@pytest.mark.parametrize(
    ("share", "expected"),
    [(30, "5"), (30.1, "5"), (100, "5"), (29.9, "4.99"), (29, "4.9"), (22.5, "4.25"), (0.5, "2.05"), (0, "2")],
)
def test_1_1_network_two_plus_share_of_500m_schools_thirty_percent(share: float, expected: str) -> None:
    assert leaf("1.1", {"private_network": True, "share_500m": share})[0] == D(expected)


def test_1_1_parts_and_explanation() -> None:
    assert leaf("1.1", {"private_network": False, "share_500m": 30})[0] == D(3)
    assert leaf("1.1", {"private_network": False, "share_500m": 0})[0] == D(0)
    pts, text = leaf("1.1", {"private_network": True, "share_500m": 22.5})
    assert pts == D("4.25")
    assert text.startswith("1.区域建成教育专网：是，得 2 分；2.区域中小学")
    assert "22.5%，目标 30%，差 7.5个百分点，扣 0.75 分，得 2.25 分；合计 4.25 分" in text


def test_1_1_fraction_of_a_point_is_rounded_half_up_to_two_places() -> None:
    pts, text = leaf("1.1", {"private_network": True, "share_500m": 12.35})
    assert pts == D("3.24")
    assert "差 17.65个百分点，扣 1.765 分" in text
    assert text.endswith("（保留 2 位小数为 3.24 分）")


@pytest.mark.parametrize(
    ("coverage", "expected"),
    [(36, "3"), (36.1, "3"), (35.9, "2.99"), (35, "2.9"), (27.4, "2.14"), (26, "2"), (6.1, "0.01"), (6, "0"), (0, "0")],
)
def test_1_2_coverage_36_percent_then_0_1_per_point(coverage: float, expected: str) -> None:
    assert leaf("1.2", {"coverage": coverage})[0] == D(expected)


def test_1_2_explanation() -> None:
    pts, text = leaf("1.2", {"coverage": 27.4})
    assert pts == D("2.14")
    assert text == "区域内三年级以上智慧课堂班级覆盖率 27.4%，目标 36%，差 8.6个百分点，扣 0.86 分，得 2.14 分"
    assert leaf("1.2", {"coverage": 2})[1].endswith("差 34个百分点，扣 3 分，得 0 分")


# --- yes/no parts (checklist, yes_no, all_met of yes/no answers) ----------------------


@pytest.mark.parametrize(
    ("code", "values", "expected"),
    [
        ("1.3", {"ipv6": True, "five_g": True}, "2"),
        ("1.3", {"ipv6": True, "five_g": False}, "1"),
        ("1.3", {"ipv6": False, "five_g": True}, "1"),
        ("1.3", {"ipv6": False, "five_g": False}, "0"),
        ("2.1", {"rules": True}, "1.5"),
        ("2.1", {"rules": False}, "0"),
        ("2.2", {"team": True, "funding": True}, "3"),
        ("2.2", {"team": False, "funding": True}, "1.5"),
        ("5.1", {"team": True, "regular": True}, "2"),
        ("5.1", {"team": True, "regular": False}, "0"),
        ("6.1", {"programme": True}, "2"),
        ("8.2", {"online_qa": True}, "2"),
        ("9.1", {"resources": True, "social": True}, "2"),
        ("9.1", {"resources": False, "social": True}, "1"),
        ("9.2", {"platforms": True}, "1"),
        ("11.1", {"warehouse": True}, "2"),
        ("11.2", {"reform": True, "promoted": True}, "2"),
        ("11.2", {"reform": True, "promoted": False}, "1"),
        ("11.2", {"reform": False, "promoted": True}, "1"),
        ("12.3", {"database": True}, "1.5"),
        ("12.4", {"quality": True}, "1.5"),
        ("12.4", {"quality": False}, "0"),
        ("16.3", {"measures": True, "publicity": True}, "1"),
        ("16.3", {"measures": True, "publicity": False}, "0"),
        ("16.3", {"measures": False, "publicity": True}, "0"),
    ],
)
def test_yes_no_parts(code: str, values: dict[str, bool], expected: str) -> None:
    assert leaf(code, values)[0] == D(expected)


def test_2_2_explanation_names_what_is_missing() -> None:
    pts, text = leaf("2.2", {"team": True, "funding": False})
    assert pts == D("1.5")
    assert text.endswith("未达到：区域有稳定的运维费用投入；得 1.5 分")


# --- 2.3 and 5.2: dated lists inside a time window ------------------------------------


def drills(*dates: str) -> list[dict[str, str]]:
    return [{"name": f"网络安全演练{i}", "date": d} for i, d in enumerate(dates, start=1)]


@pytest.mark.parametrize(
    ("dates", "expected"),
    [(("2022-05-30",), "1.5"), (("2024-05-30",), "1.5"), (("2022-05-29",), "0"), (("2019-06-01", "2022-05-29"), "0")],
)
def test_2_3_drill_within_two_years_of_the_as_of_date(dates: tuple[str, ...], expected: str) -> None:
    values = {"organisation": True, "emergency_plan": True, "drills": drills(*dates)}
    assert leaf("2.3", values)[0] == D(expected)


def test_2_3_window_follows_the_as_of_date() -> None:
    values = {"organisation": True, "emergency_plan": True, "drills": drills("2022-05-30")}
    assert leaf("2.3", values, as_of=dt.date(2024, 5, 31))[0] == 0
    pts, text = leaf("2.3", values, as_of=dt.date(2024, 5, 30))
    assert pts == D("1.5")
    assert "组织区域内中小学开展的网络安全演练：填报 1 次，其中近两年（2022-05-30 起）内 1 次" in text


def test_2_3_organisation_plan_and_drill_all_needed() -> None:
    values = {"organisation": True, "emergency_plan": True, "drills": drills("2023-10-01")}
    assert leaf("2.3", {**values, "organisation": False})[0] == 0
    assert leaf("2.3", {**values, "emergency_plan": False})[0] == 0
    pts, text = leaf("2.3", {**values, "drills": []})
    assert pts == 0
    assert text.endswith("未满足：组织区域内中小学开展的网络安全演练，不得分")


def exchanges(*dates: str) -> list[dict[str, str]]:
    return [{"name": f"交流{i}", "place": "合肥市", "date": d} for i, d in enumerate(dates, start=1)]


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (("2019-01-01", "2024-05-30"), "2"),
        (("2018-12-31", "2024-05-30"), "0"),
        (("2022-04-21",), "0"),
        (("2020-03-01", "2021-03-01", "2023-03-01"), "2"),
        ((), "0"),
    ],
)
def test_5_2_at_least_two_exchanges_since_2019(dates: tuple[str, ...], expected: str) -> None:
    assert leaf("5.2", {"exchanges": exchanges(*dates)})[0] == D(expected)


def test_5_2_window_does_not_move_with_the_as_of_date() -> None:
    values = {"exchanges": exchanges("2019-01-01", "2019-02-01")}
    assert leaf("5.2", values, as_of=dt.date(2025, 12, 31))[0] == D(2)
    pts, text = leaf("5.2", {"exchanges": exchanges("2018-10-16", "2022-04-21")})
    assert pts == 0
    assert "填报 2 次，其中近五年（2019-01-01 起）内 1 次（要求不少于 2 次，未达到）" in text


# --- school counts: a target with a deduction per school missing ----------------------


@pytest.mark.parametrize(
    ("code", "table"),
    [
        ("3.1", [(0, "0"), (1, "0.5"), (2, "1"), (3, "1.5"), (4, "2"), (5, "2"), (30, "2")]),
        ("3.2", [(0, "0"), (1, "0.5"), (3, "1.5"), (4, "2"), (5, "2")]),
        ("6.2", [(0, "0"), (3, "0"), (4, "1"), (5, "2"), (6, "2")]),
        ("13.1", [(0, "0"), (1, "1"), (2, "2"), (3, "2")]),
        ("13.2", [(0, "0"), (1, "1"), (2, "2"), (3, "2")]),
        ("13.3", [(0, "0"), (1, "1"), (2, "2"), (3, "2")]),
        ("14.1", [(0, "0"), (1, "1"), (3, "3"), (4, "4"), (5, "4")]),
        ("15.1", [(0, "0"), (1, "1"), (2, "2"), (3, "3"), (4, "3")]),
        ("15.2", [(0, "0"), (1, "1"), (2, "2"), (3, "3"), (4, "3")]),
        ("16.2", [(0, "0"), (1, "1"), (2, "2"), (3, "2")]),
    ],
)
def test_school_count_targets(code: str, table: list[tuple[int, str]]) -> None:
    for schools, expected in table:
        assert leaf(code, {"schools": schools})[0] == D(expected), (code, schools)


def test_3_1_explanation_per_school_missing() -> None:
    pts, text = leaf("3.1", {"schools": 3})
    assert pts == D("1.5")
    assert text.endswith("3所，目标 4所，差 1所，扣 0.5 分，得 1.5 分")
    assert leaf("3.1", {"schools": 4})[1].endswith("4所，达到 4所，得 2 分")
    assert leaf("6.2", {"schools": 1})[1].endswith("差 4所，扣 2 分，得 0 分")


@pytest.mark.parametrize(
    ("code", "needed", "full_points"), [("8.1", 5, "1"), ("12.1", 2, "1.5"), ("12.2", 2, "1.5"), ("16.1", 2, "1")]
)
def test_at_least_n_schools_or_nothing(code: str, needed: int, full_points: str) -> None:
    assert leaf(code, {"schools": needed})[0] == D(full_points)
    assert leaf(code, {"schools": needed + 1})[0] == D(full_points)
    assert leaf(code, {"schools": needed - 1})[0] == 0
    assert f"（要求不低于 {needed}所，未达到）" in leaf(code, {"schools": needed - 1})[1]


def test_school_counts_must_be_whole_numbers() -> None:
    with pytest.raises(InvalidAnswers) as caught:
        leaf("3.1", {"schools": 3.5})
    problem = caught.value.problems[0]
    assert (problem.code, problem.field) == ("3.1", "schools")
    assert "应为整数" in problem.message_zh


# --- 4.1: expert bands ------------------------------------------------------------------


def test_4_1_expert_bands() -> None:
    assert leaf("4.1", {"judgement": "出台有力举措且取得良好效果"})[0] == D(6)
    assert leaf("4.1", {"judgement": "未出台或者无成效"})[0] == D(0)
    for value in ("1", "1.5", "2"):
        pts, text = leaf("4.1", {"judgement": "效果不明显", "points": value})
        assert pts == D(value)
        assert text == f"专家评定档位：效果不明显（1–2 分档），评定 {value} 分"


@pytest.mark.parametrize("value", ["0", "0.9", "2.01", "6"])
def test_4_1_unclear_effect_outside_one_to_two_is_refused(value: str) -> None:
    with pytest.raises(InvalidAnswers) as caught:
        leaf("4.1", {"judgement": "效果不明显", "points": value})
    assert "应在 1–2 分之间" in caught.value.problems[0].message_zh


def test_4_1_unclear_effect_needs_the_experts_points() -> None:
    with pytest.raises(InvalidAnswers) as caught:
        leaf("4.1", {"judgement": "效果不明显"})
    assert caught.value.problems[0].code == "4.1"
    assert "选择“效果不明显”时需填写专家评定分（1–2 分）" in caught.value.problems[0].message_zh
    with pytest.raises(InvalidAnswers) as caught:
        leaf("4.1", {"judgement": "效果不明显", "points": "2.5"})
    assert "“效果不明显”档的专家评定分应在 1–2 分之间，收到 2.5" in caught.value.problems[0].message_zh


# --- 6.3, 7.x, 10.1: items by level, capped, same item once at its highest level -------


def projects(*rows: tuple[str, str, str]) -> dict[str, Any]:
    return {"projects": [{"name": n, "level": lvl, "date": d} for n, lvl, d in rows]}


def test_6_3_city_0_2_province_0_5_nation_1() -> None:
    assert leaf("6.3", projects(("a", "市级", "2020-01-01")))[0] == D("0.2")
    assert leaf("6.3", projects(("a", "省级", "2020-01-01")))[0] == D("0.5")
    assert leaf("6.3", projects(("a", "国家级", "2020-01-01")))[0] == D(1)
    pts, text = leaf(
        "6.3", projects(("a", "市级", "2020-01-01"), ("b", "省级", "2021-01-01"), ("c", "国家级", "2022-01-01"))
    )
    assert pts == D("1.7")
    assert "市级 1 个×0.2，省级 1 个×0.5，国家级 1 个×1，计 1.7 分，得 1.7 分" in text


def test_6_3_same_project_counts_once_at_its_highest_level() -> None:
    pts, text = leaf(
        "6.3", projects(("a", "市级", "2020-01-01"), ("a", "国家级", "2022-01-01"), ("a", "省级", "2021-01-01"))
    )
    assert pts == D(1)
    assert "「a」重复，只计最高级" in text


def test_6_3_concluded_from_2019_01_01() -> None:
    pts, text = leaf("6.3", projects(("a", "国家级", "2019-01-01"), ("b", "国家级", "2018-12-31")))
    assert pts == D(1)
    assert "「b」2018-12-31 不在近五年（2019-01-01 起）内" in text


@pytest.mark.parametrize(("national", "provincial", "expected"), [(5, 1, "5.5"), (5, 2, "6"), (6, 0, "6"), (7, 3, "6")])
def test_6_3_capped_at_six(national: int, provincial: int, expected: str) -> None:
    rows = [(f"国{i}", "国家级", "2023-01-01") for i in range(national)]
    rows += [(f"省{i}", "省级", "2023-01-01") for i in range(provincial)]
    assert leaf("6.3", projects(*rows))[0] == D(expected)
    assert leaf("6.3", projects(*[(f"省{i}", "省级", "2023-01-01") for i in range(12)]))[0] == D(6)
    assert leaf("6.3", projects(*[(f"市{i}", "市级", "2023-01-01") for i in range(31)]))[0] == D(6)


def test_6_3_explanation_shows_the_cap() -> None:
    rows = [(f"国{i}", "国家级", "2023-01-01") for i in range(7)]
    assert "计 7 分，超过上限按 6 分计，得 6 分" in leaf("6.3", projects(*rows))[1]


def cases(*rows: tuple[str, str, str]) -> dict[str, Any]:
    return {"cases": [{"case": c, "level": lvl, "date": d} for c, lvl, d in rows]}


def test_7_1_half_one_one_and_a_half_capped_at_three() -> None:
    assert leaf("7.1", cases(("a", "市级", "2020-01-01")))[0] == D("0.5")
    assert leaf("7.1", cases(("a", "省级", "2020-01-01")))[0] == D(1)
    assert leaf("7.1", cases(("a", "国家级", "2020-01-01")))[0] == D("1.5")
    assert leaf("7.1", cases(("a", "国家级", "2020-01-01"), ("b", "省级", "2021-01-01")))[0] == D("2.5")
    assert leaf("7.1", cases(("a", "国家级", "2020-01-01"), ("b", "国家级", "2021-01-01")))[0] == D(3)
    pts, text = leaf(
        "7.1", cases(("a", "国家级", "2020-01-01"), ("b", "国家级", "2021-01-01"), ("c", "市级", "2022-01-01"))
    )
    assert pts == D(3)
    assert "计 3.5 分，超过上限按 3 分计" in text


def test_7_1_same_work_once_and_window() -> None:
    pts, text = leaf("7.1", cases(("a", "市级", "2020-01-01"), ("a", "省级", "2021-01-01")))
    assert pts == D(1)
    assert "「a」重复，只计最高级" in text
    pts, text = leaf("7.1", cases(("a", "国家级", "2018-12-31")))
    assert pts == 0
    assert text == "获奖案例：无计分条目（「a」2018-12-31 不在近五年（2019-01-01 起）内），不得分"


@pytest.mark.parametrize("code", ["7.2", "7.3", "7.4"])
def test_7_2_to_7_4_point_two_half_one_capped_at_two(code: str) -> None:
    assert leaf(code, cases(("a", "市级", "2020-01-01")))[0] == D("0.2")
    assert leaf(code, cases(("a", "省级", "2020-01-01")))[0] == D("0.5")
    assert leaf(code, cases(("a", "国家级", "2020-01-01")))[0] == D(1)
    rows = [(f"市{i}", "市级", "2023-01-01") for i in range(9)]
    assert leaf(code, cases(*rows))[0] == D("1.8")
    rows += [("省", "省级", "2023-01-01")]
    assert leaf(code, cases(*rows))[0] == D(2)
    assert leaf(code, cases(("a", "省级", "2019-01-01"), ("b", "国家级", "2018-12-31")))[0] == D("0.5")
    assert leaf(code, cases(("a", "省级", "2020-01-01"), ("a", "国家级", "2021-01-01")))[0] == D(1)


def test_10_1_half_one_one_and_a_half_capped_at_five_without_window() -> None:
    def ten(*rows: tuple[str, str]) -> D:
        return leaf("10.1", {"cases": [{"case": c, "level": lvl} for c, lvl in rows]})[0]

    assert ten(("a", "市级")) == D("0.5")
    assert ten(("a", "省级")) == D(1)
    assert ten(("a", "国家级")) == D("1.5")
    assert ten(("a", "国家级"), ("b", "国家级"), ("c", "国家级")) == D("4.5")
    assert ten(("a", "国家级"), ("b", "国家级"), ("c", "国家级"), ("d", "市级")) == D(5)
    assert ten(("a", "国家级"), ("b", "国家级"), ("c", "国家级"), ("d", "省级")) == D(5)
    assert ten(("a", "市级"), ("a", "国家级")) == D("1.5")


def test_unknown_level_and_future_date_are_refused() -> None:
    with pytest.raises(InvalidAnswers) as caught:
        leaf("7.1", cases(("a", "县级", "2020-01-01")))
    assert "获奖级别只能选择：市级、省级、国家级" in caught.value.problems[0].message_zh
    with pytest.raises(InvalidAnswers) as caught:
        leaf("6.3", projects(("a", "省级", "2024-05-31")))
    problem = caught.value.problems[0]
    assert (problem.code, problem.field) == ("6.3", "projects")
    assert "晚于评估基准日 2024-05-30" in problem.message_zh


# --- the same case across indicators (表头：同一案例只取一项得分) ----------------------------


def test_same_case_scores_where_it_earns_most() -> None:
    doc = with_answers(
        **{
            "7_1": cases(("双师课堂", "省级", "2022-01-01"), ("分层教学", "国家级", "2022-01-01")),
            "7_4": cases(("双师课堂", "省级", "2022-01-01"), ("专递课堂", "国家级", "2022-01-01")),
            "10_1": {"cases": [{"case": "分层教学", "level": "市级"}, {"case": "自主学习", "level": "国家级"}]},
        }
    )
    result = score_doc(doc)
    # 双师课堂: 7.1 省级 1 分 beats 7.4 省级 0.5 分; 分层教学: 7.1 国家级 1.5 beats 10.1 市级 0.5
    assert points(result, "7.1") == D("2.5")
    assert points(result, "7.4") == D(1)
    assert points(result, "10.1") == D("1.5")
    assert "「双师课堂」已在 7.1 计分，同一案例只取一项" in result.indicators["7.4"].explanation
    assert "「分层教学」已在 7.1 计分，同一案例只取一项" in result.indicators["10.1"].explanation


def test_same_case_tie_goes_to_the_first_indicator_and_later_higher_wins() -> None:
    doc = with_answers(
        **{
            "7_2": cases(("协同教研", "国家级", "2022-01-01")),
            "7_3": cases(("协同教研", "国家级", "2022-01-01"), ("数字音乐", "国家级", "2022-01-01")),
            "7_4": cases(("跨校教学", "市级", "2022-01-01")),
            "10_1": {"cases": [{"case": "跨校教学", "level": "省级"}]},
        }
    )
    result = score_doc(doc)
    assert points(result, "7.2") == D(1)
    assert points(result, "7.3") == D(1)
    assert points(result, "7.4") == D(0)
    assert points(result, "10.1") == D(1)
    assert "「跨校教学」已在 10.1 计分" in result.indicators["7.4"].explanation


def test_same_case_between_a_project_and_demonstration_effect() -> None:
    doc = with_answers(
        **{
            "6_3": projects(("智慧课堂研究", "国家级", "2022-01-01")),
            "17_1": {
                "school_honours": [],
                "district_honours": [
                    {"name": "智慧课堂研究", "kind": "国家级信息化应用优秀案例", "date": "2022-06-01"},
                ],
                "innovations": [],
            },
        }
    )
    result = score_doc(doc)
    assert points(result, "17.1") == D("1.5")
    assert points(result, "6.3") == D(0)
    assert "「智慧课堂研究」已在 17.1 计分" in result.indicators["6.3"].explanation


# --- 17.1: three parts, each capped, since 2019 ------------------------------------------


def honours(schools: int, district: int, innovations: int, date: str = "2022-01-01") -> dict[str, Any]:
    return {
        "school_honours": [
            {"school": f"学校{i}", "name": f"作品{i}", "kind": "国家级信息化应用优秀作品", "date": date}
            for i in range(schools)
        ],
        "district_honours": [
            {"name": f"试点{i}", "kind": "国家级教育信息化有关工作试点或者实验单位", "date": date}
            for i in range(district)
        ],
        "innovations": [{"name": f"做法{i}", "level": "全省", "date": date} for i in range(innovations)],
    }


@pytest.mark.parametrize(
    ("schools", "district", "innovations", "expected"),
    [
        (1, 0, 0, "0.3"),
        (9, 0, 0, "2.7"),
        (10, 0, 0, "3"),
        (11, 0, 0, "3"),
        (0, 1, 0, "1.5"),
        (0, 2, 0, "3"),
        (0, 3, 0, "3"),
        (0, 0, 3, "3"),
        (0, 0, 4, "4"),
        (0, 0, 5, "4"),
        (10, 2, 4, "10"),
        (20, 5, 9, "10"),
        (3, 1, 2, "4.4"),
    ],
)
def test_17_1_school_0_3_up_to_3_district_1_5_up_to_3_innovation_1_up_to_4(
    schools: int, district: int, innovations: int, expected: str
) -> None:
    assert leaf("17.1", honours(schools, district, innovations))[0] == D(expected)


def test_17_1_each_school_counts_once_and_every_part_since_2019() -> None:
    values = honours(0, 0, 0)
    values["school_honours"] = [
        {"school": "第一中学", "name": "优秀作品", "kind": "国家级信息化应用优秀作品", "date": "2021-01-01"},
        {
            "school": "第一中学",
            "name": "试点校",
            "kind": "国家级教育信息化有关工作示范试点（实验）单位",
            "date": "2022-01-01",
        },
    ]
    pts, text = leaf("17.1", values)
    assert pts == D("0.3")
    assert "「第一中学」重复" in text
    assert leaf("17.1", honours(3, 1, 2, date="2019-01-01"))[0] == D("4.4")
    pts, text = leaf("17.1", honours(3, 1, 2, date="2018-12-31"))
    assert pts == 0
    assert "不在近五年（2019-01-01 起）内" in text


def test_17_1_explanation_lists_the_three_parts() -> None:
    pts, text = leaf("17.1", honours(11, 1, 2))
    assert pts == D("6.5")
    assert (
        "1.区域内学校获得的国家级信息化应用优秀作品或示范试点（实验）单位：国家级信息化应用优秀作品 11 个×0.3" in text
    )
    assert "计 3.3 分，超过上限按 3 分计，得 3 分" in text
    assert "2.区域本级获得的国家级信息化应用优秀案例或试点、实验单位：" in text
    assert "3.经评估认定产生重大积极影响的区域创新做法：全省 2 个×1，计 2 分，得 2 分" in text
    assert text.endswith("合计 6.5 分")


def test_17_1_same_innovation_once_all_levels_one_point() -> None:
    values = honours(0, 0, 0)
    values["innovations"] = [
        {"name": "a", "level": "全市", "date": "2020-01-01"},
        {"name": "a", "level": "全国", "date": "2021-01-01"},
        {"name": "b", "level": "全国", "date": "2021-01-01"},
        {"name": "c", "level": "全市", "date": "2021-01-01"},
    ]
    assert leaf("17.1", values)[0] == D(3)


# --- 申报条件：近三年未发生重特大网络安全事件 ------------------------------------------------------


def test_security_incident_in_the_last_three_years_is_not_eligible() -> None:
    doc = full()
    doc["declarations"] = {"major_security_incident": True}
    result = score_doc(doc)
    assert result.total == D(100)
    assert not result.eligible
    assert result.eligibility_reasons == ["存在否决情形：近三年内（评估基准日前 3 年起）发生重特大网络安全事件"]
    doc["declarations"] = {"major_security_incident": False}
    assert score_doc(doc).eligible


def test_undeclared_incident_is_not_eligible_and_unknown_declaration_refused() -> None:
    doc = full()
    del doc["declarations"]
    result = score_doc(doc)
    assert not result.eligible
    assert result.eligibility_reasons == ["未声明：近三年内（评估基准日前 3 年起）发生重特大网络安全事件"]
    with pytest.raises(InvalidAnswers) as caught:
        score_doc({"declarations": {"fraud": False}, "answers": {}})
    assert caught.value.problems[0].field == "declarations.fraud"


# --- bad input ------------------------------------------------------------------------------


def test_bad_input_names_indicator_and_field() -> None:
    doc = {
        "answers": {
            "1.2": {"coverage": 100.5},
            "1.1": {"private_network": "也许", "share_500m": 40},
            "14.1": {"schools": -1},
            "12": {"schools": 2},
            "2.3": {"organisation": True, "emergency_plan": True, "drills": [{"name": "x"}]},
        }
    }
    with pytest.raises(InvalidAnswers) as caught:
        score_doc(doc)
    found = {(p.code, p.field): p.message_zh for p in caught.value.problems}
    assert "不能超过 100%" in found[("1.2", "coverage")]
    assert "应填“是”或“否”" in found[("1.1", "private_network")]
    assert "不能为负数" in found[("14.1", "schools")]
    assert "请在末级指标下作答" in found[("12", "")]
    assert "第 1 条缺少「演练日期」" in found[("2.3", "drills")]


def test_an_indicator_with_an_optional_input_is_unanswered_until_its_required_one_is_given() -> None:
    result = run(FW, {}, as_of=AS_OF)
    r = result.indicators["4.1"]  # the points within the 1–2 band are optional
    assert (r.status, r.points, r.explanation) == ("unanswered", D(0), "未作答，得 0 分")
    assert "4.1" in result.to_dict()["unanswered"]
    partly = run(FW, {"4.1": {"points": "1.5"}}, as_of=AS_OF).indicators["4.1"]
    assert partly.status == "unanswered" and partly.explanation.startswith("未填写：")
