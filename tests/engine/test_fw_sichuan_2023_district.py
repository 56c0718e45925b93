"""四川省智慧教育示范区创建评价指标 (sichuan-2023-district): the whole framework, worked
examples from the seed's wording for every rule shape, eligibility and the award score."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from campuseval.engine import InvalidAnswers, ScoreResult, check_framework, load_framework, score

from .helpers import D, example, points, run

FW = "sichuan-2023-district"
AS_OF = dt.date(2024, 5, 30)
NO_EXCLUSIONS = {
    "public_opinion": False,
    "illegal_fees": False,
    "security_incident": False,
    "app_filing": False,
    "other_violation": False,
}


def full() -> dict[str, Any]:
    return copy.deepcopy(example(f"{FW}.full"))


def score_doc(doc: dict[str, Any]) -> ScoreResult:
    return score(load_framework(FW), doc, as_of=AS_OF)


def leaf(code: str, values: dict[str, Any]) -> tuple[D, str]:
    result = run(FW, {code: values}, as_of=AS_OF)
    r = result.indicators[code]
    return r.points, r.explanation


def with_answers(**changes: dict[str, Any]) -> dict[str, Any]:
    doc = full()
    for code, values in changes.items():
        doc["answers"][code] = values
    return doc


# --- the framework as a whole ---------------------------------------------------------


def test_framework_checks_clean_and_keeps_the_seed_structure() -> None:
    fw = load_framework(FW)
    bad = [str(p) for p in fw.problems + check_framework(fw) if p.severity != "note"]
    assert bad == []
    assert (fw.total, fw.bonus_total) == (D(120), D(0))
    assert fw.level_names == ("评价项目(A)", "评价指标(B)", "评价要素(C)")
    assert [t.code for t in fw.indicators] == ["A1", "A2", "A3", "A4", "A5", "A6", "A7"]
    assert [t.points for t in fw.indicators] == [D(18), D(18), D(18), D(18), D(18), D(10), D(20)]
    bs = [n.code for n in fw.walk() if n.depth == 1]
    assert bs == [f"B{i}" for i in range(1, 23)]
    assert [n.code for n in fw.leaves()] == [f"C{i}" for i in range(1, 39)]
    assert fw.parts == {"基本任务部分": ("A1", "A2", "A3", "A4", "A5", "A6"), "示范引领部分": ("A7",)}
    assert fw.parts_points == {"基本任务部分": D(100), "示范引领部分": D(20)}
    necessary = [n.code for n in fw.walk() if any(m.kind == "necessary" for m in n.marks)]
    assert necessary == ["C24", "C29", "C31", "C33"]
    assert all(fw.by_code[c].remarks == "必要条件" for c in necessary)
    # the misplaced rows of the extracted table belong where the points add up
    assert fw.by_code["B6"].parent is fw.by_code["A2"]
    assert fw.by_code["B16"].parent is fw.by_code["A5"]
    assert [c.code for c in fw.by_code["A4"].children] == ["B10", "B11", "B12"]
    assert fw.by_code["C20"].scoring.endswith("(此项4分,按系统运用达标比例得分)。")


def test_full_example_reaches_exactly_120_with_parts_100_and_20() -> None:
    fw = load_framework(FW)
    result = score_doc(full())
    assert result.total == D(120)
    assert result.parts == {"基本任务部分": D(100), "示范引领部分": D(20)}
    for node in fw.walk():
        assert result.indicators[node.code].points == node.points, node.code
    assert result.unanswered == []
    assert result.unmet == []
    assert result.eligible
    assert result.level == "达到授牌分数"


def test_empty_scores_zero_with_every_leaf_unanswered() -> None:
    result = run(FW, {}, as_of=AS_OF)
    assert result.total == D(0)
    assert result.unanswered == [f"C{i}" for i in range(1, 39)]
    assert all(result.indicators[f"C{i}"].explanation == "未作答，得 0 分" for i in range(1, 39))
    assert not result.eligible
    assert result.level is None


def test_sample_example_is_partly_met_and_eligible() -> None:
    result = score_doc(example(f"{FW}.sample"))
    assert result.total == D("76.41")
    assert result.parts == {"基本任务部分": D("63.91"), "示范引领部分": D("12.5")}
    assert result.eligible
    assert result.level is None
    assert result.next_level is not None and result.next_level["gap"] == "23.59"


# --- C1–C3: a floor, a step, a cap ---------------------------------------------------


@pytest.mark.parametrize(
    ("count", "expected"), [(0, "0"), (4, "0"), (5, "1"), (6, "1.25"), (8, "1.75"), (9, "2"), (15, "2")]
)
def test_c1_five_scenarios_one_point_each_more_a_quarter_up_to_two(count: int, expected: str) -> None:
    assert leaf("C1", {"scenarios": count})[0] == D(expected)


def test_c1_explanation() -> None:
    assert leaf("C1", {"scenarios": 4})[1].endswith("低于 5 个，不得分")
    assert "5 个基本得 1 分，另增 2 个每个 0.25 分，得 1.5 分" in leaf("C1", {"scenarios": 7})[1]


@pytest.mark.parametrize(("count", "expected"), [(5, "0"), (6, "1"), (7, "1.25"), (10, "2"), (11, "2")])
def test_c2_six_courses_floor(count: int, expected: str) -> None:
    assert leaf("C2", {"courses": count})[0] == D(expected)


@pytest.mark.parametrize(("count", "expected"), [(4, "0"), (5, "1"), (9, "2")])
def test_c3_five_outcomes_floor(count: int, expected: str) -> None:
    assert leaf("C3", {"outcomes": count})[0] == D(expected)


# --- all conditions together (all_met) ------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "schools", "effect", "expected"),
    [(True, 5, True, "2"), (True, 4, True, "0"), (False, 9, True, "0"), (True, 9, False, "0")],
)
def test_c4_platform_and_five_pilot_schools_and_good_effect(
    platform: bool, schools: int, effect: bool, expected: str
) -> None:
    assert leaf("C4", {"platform": platform, "pilot_schools": schools, "good_effect": effect})[0] == D(expected)


def test_c4_explanation_names_what_is_missing() -> None:
    pts, text = leaf("C4", {"platform": True, "pilot_schools": 4, "good_effect": True})
    assert pts == 0
    assert "试点学校数 4所（要求不低于 5所，未达到）" in text
    assert text.endswith("未满足：试点学校数，不得分")
    assert "条件全部满足，得 2 分" in leaf("C4", {"platform": True, "pilot_schools": 5, "good_effect": True})[1]


@pytest.mark.parametrize(
    ("school", "student", "expected"), [(50, 50, "2"), (49.9, 80, "0"), (80, 49.9, "0"), (100, 100, "2")]
)
def test_c18_school_and_student_participation_both_50_percent(school: float, student: float, expected: str) -> None:
    assert leaf("C18", {"school_rate": school, "student_rate": student})[0] == D(expected)


@pytest.mark.parametrize(("share", "expected"), [(30, "2"), (29.9, "0")])
def test_c27_space_covering_at_least_30_percent(share: float, expected: str) -> None:
    assert leaf("C27", {"spaces": True, "school_share": share})[0] == D(expected)
    assert leaf("C27", {"spaces": False, "school_share": 90})[0] == 0


@pytest.mark.parametrize(("months", "expected"), [(11, "0"), (12, "1"), (30, "1")])
def test_c29_plan_implemented_one_year(months: int, expected: str) -> None:
    assert leaf("C29", {"plan": True, "months": months})[0] == D(expected)


# --- C8: projects by level, +50% for excellent, window, cap ---------------------------


def project(level: str, excellent: bool = False, name: str = "课题", date: str = "2023-01-01") -> dict[str, Any]:
    return {"name": name, "level": level, "date": date, "excellent": excellent}


def test_c8_provincial_half_national_one_excellent_fifty_percent_more() -> None:
    assert leaf("C8", {"projects": [project("省级")]})[0] == D("0.5")
    assert leaf("C8", {"projects": [project("国家级")]})[0] == D(1)
    assert leaf("C8", {"projects": [project("省级", True)]})[0] == D("0.75")
    pts, text = leaf("C8", {"projects": [project("国家级", True, "a"), project("省级", False, "b")]})
    assert pts == D(2)
    assert "省级 1 个×0.5，国家级 1 个×1（其中 1 个按 1.5 倍计），计 2 分" in text


def test_c8_capped_at_four() -> None:
    items = [project("国家级", True, "a"), project("国家级", True, "b"), project("国家级", False, "c")]
    assert leaf("C8", {"projects": items})[0] == D(4)
    items.append(project("省级", False, "d"))
    pts, text = leaf("C8", {"projects": items})
    assert pts == D(4)
    assert "计 4.5 分，超过上限按 4 分计，得 4 分" in text


def test_c8_only_projects_of_the_last_three_years() -> None:
    inside = project("国家级", name="a", date="2021-05-30")
    outside = project("国家级", name="b", date="2021-05-29")
    pts, text = leaf("C8", {"projects": [inside, outside]})
    assert pts == D(1)
    assert "「b」2021-05-29 不在近3年（2021-05-30 起）内" in text


def test_c8_same_project_listed_twice_counts_once() -> None:
    pts, text = leaf("C8", {"projects": [project("省级", name="a"), project("省级", True, name="a")]})
    assert pts == D("0.75")
    assert "「a」重复，只计最高级" in text


# --- C9, C19, C37: the same case or award counts once, at its highest level ------------


def test_c9_two_points_plus_cases_same_case_once_at_highest_level() -> None:
    cases = [
        {"name": "市级案例", "level": "市级", "case": "双师课堂"},
        {"name": "国家级案例", "level": "国家级", "case": "双师课堂"},
        {"name": "省级案例", "level": "省级", "case": "课后服务"},
    ]
    pts, text = leaf("C9", {"promotion": True, "cases": cases})
    assert pts == D("4.5")
    assert "「双师课堂」重复，只计最高级" in text
    assert "省级 1 个×1，国家级 1 个×1.5，计 2.5 分" in text
    assert leaf("C9", {"promotion": False, "cases": cases})[0] == D("2.5")


def test_c9_cases_capped_at_four() -> None:
    cases = [{"name": "n", "level": "国家级", "case": f"案例{i}"} for i in range(3)]
    pts, text = leaf("C9", {"promotion": True, "cases": cases})
    assert pts == D(6)
    assert "计 4.5 分，超过上限按 4 分计，得 4 分" in text
    assert leaf("C9", {"promotion": False, "cases": cases})[0] == D(4)


def test_c19_same_award_at_two_levels_counts_once_at_the_highest() -> None:
    awards = [
        {"name": "省赛一等奖", "level": "省级", "case": "智能灌溉"},
        {"name": "国赛三等奖", "level": "全国", "case": "智能灌溉"},
        {"name": "省赛二等奖", "level": "省级", "case": "熊猫保护"},
    ]
    pts, text = leaf("C19", {"awards": awards})
    assert pts == D("0.3")
    assert "省级 1 个×0.1，全国 1 个×0.2，计 0.3 分" in text
    assert "「智能灌溉」重复，只计最高级" in text


@pytest.mark.parametrize(("national", "expected"), [(9, "1.8"), (10, "2"), (11, "2")])
def test_c19_capped_at_two(national: int, expected: str) -> None:
    awards = [{"name": "国赛", "level": "全国", "case": f"作品{i}"} for i in range(national)]
    assert leaf("C19", {"awards": awards})[0] == D(expected)


def test_c37_city_one_province_two_nation_three_same_project_once() -> None:
    pilots = [
        {"name": "市级示范区", "level": "市级", "case": "区域智慧教育"},
        {"name": "国家试点区", "level": "全国", "case": "区域智慧教育"},
        {"name": "省级试点", "level": "省级", "case": "评价改革"},
    ]
    pts, text = leaf("C37", {"pilots": pilots})
    assert pts == D(5)
    assert "「区域智慧教育」重复，只计最高级" in text
    four = [{"name": "n", "level": "全国", "case": f"项目{i}"} for i in range(4)]
    pts, text = leaf("C37", {"pilots": four})
    assert pts == D(10)
    assert "计 12 分，超过上限按 10 分计" in text


# --- C10, C21, C22: a fixed part plus per-item points with a cap ---------------------


@pytest.mark.parametrize(("schools", "expected"), [(0, "1"), (1, "2"), (2, "3"), (5, "3")])
def test_c10_one_point_plus_one_per_excellent_school_up_to_two(schools: int, expected: str) -> None:
    assert leaf("C10", {"support": True, "excellent_schools": schools})[0] == D(expected)


@pytest.mark.parametrize(
    ("base", "scenarios", "expected"),
    [(True, 0, "2"), (True, 1, "3"), (True, 3, "5"), (True, 4, "6"), (True, 7, "6"), (False, 4, "4")],
)
def test_c21_base_two_plus_one_per_scenario_capped_at_four(base: bool, scenarios: int, expected: str) -> None:
    assert leaf("C21", {"exploration": base, "scenarios": scenarios})[0] == D(expected)


def test_c21_explanation_shows_the_cap() -> None:
    pts, text = leaf("C21", {"exploration": True, "scenarios": 7})
    assert pts == D(6)
    assert "1.数据治理探索：" in text
    assert "每个 1 分，计 7 分，超过上限按 4 分计，得 4 分" in text
    assert text.endswith("合计 6 分")


@pytest.mark.parametrize(
    ("items", "enrollment", "expected"),
    [
        (0, True, "2"),
        (1, False, "0.2"),
        (7, False, "1.4"),
        (19, True, "5.8"),
        (20, True, "6"),
        (21, True, "6"),
        (30, False, "4"),
    ],
)
def test_c22_point_two_per_item_capped_at_four_plus_two(items: int, enrollment: bool, expected: str) -> None:
    assert leaf("C22", {"online_items": items, "enrollment": enrollment})[0] == D(expected)


def test_c22_explanation() -> None:
    text = leaf("C22", {"online_items": 21, "enrollment": True})[1]
    assert "每个 0.2 分，计 4.2 分，超过上限按 4 分计，得 4 分" in text
    assert text.endswith("合计 6 分")


# --- C20: proportional to the share of systems meeting the standard ------------------


@pytest.mark.parametrize(
    ("ok", "total", "expected"),
    [(3, 3, "6"), (2, 3, "4.67"), (1, 3, "3.33"), (0, 3, "2"), (5, 7, "4.86"), (1, 2, "4"), (1, 8, "2.5")],
)
def test_c20_two_points_plus_four_by_share_of_systems(ok: int, total: int, expected: str) -> None:
    assert leaf("C20", {"database": True, "systems_ok": ok, "systems_total": total})[0] == D(expected)


def test_c20_rounding_is_stated() -> None:
    pts, text = leaf("C20", {"database": True, "systems_ok": 2, "systems_total": 3})
    assert pts == D("4.67")
    assert "按比例得 4 × 0.6667 = 2.6667 分" in text
    assert "合计 ≈4.6667 分（保留 2 位小数为 4.67 分）" in text
    assert leaf("C20", {"database": False, "systems_ok": 2, "systems_total": 3})[0] == D("2.67")


def test_c20_more_systems_meeting_than_listed_is_refused() -> None:
    with pytest.raises(InvalidAnswers) as caught:
        leaf("C20", {"database": True, "systems_ok": 4, "systems_total": 3})
    assert caught.value.problems[0].code == "C20"
    assert "不能大于" in caught.value.problems[0].message_zh


# --- thresholds and checklists --------------------------------------------------------


@pytest.mark.parametrize(("lessons", "expected"), [(59, "3"), (60, "6")])
def test_c12_sixty_lessons_adopted(lessons: int, expected: str) -> None:
    values = {"incentive": True, "adopted_lessons": lessons, "participation_rate": 60, "provincial_award": True}
    assert leaf("C12", values)[0] == D(expected)


def test_c12_participation_and_award_both_needed() -> None:
    base = {"incentive": False, "adopted_lessons": 0}
    assert leaf("C12", {**base, "participation_rate": 59.9, "provincial_award": True})[0] == 0
    assert leaf("C12", {**base, "participation_rate": 90, "provincial_award": False})[0] == 0
    assert leaf("C12", {**base, "participation_rate": 60, "provincial_award": True})[0] == D(2)


@pytest.mark.parametrize(("rate", "expected"), [(94.9, "0"), (95, "2"), (100, "2")])
def test_c15_pass_rate_95_percent(rate: float, expected: str) -> None:
    assert leaf("C15", {"pass_rate": rate})[0] == D(expected)


def test_c23_wired_and_wireless_both_full_coverage() -> None:
    values = {"gigabit": True, "wired_coverage": 100, "wireless_coverage": 100, "cloud": True}
    assert leaf("C23", values)[0] == D(3)
    assert leaf("C23", {**values, "wireless_coverage": 99.9})[0] == D(2)
    assert leaf("C23", {**values, "gigabit": False, "cloud": False})[0] == D(1)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "4"),
        ({"top_ranked": False}, "2"),
        ({"parent_rate": 49.9}, "2"),
        ({"school_rate": 99}, "2"),
        ({"teacher_rate": 89.9, "top_ranked": False}, "0"),
    ],
)
def test_c25_registration_and_ranking_among_the_provinces_first(changes: dict[str, Any], expected: str) -> None:
    values = {"school_rate": 100, "teacher_rate": 90, "student_rate": 50, "parent_rate": 50, "top_ranked": True}
    assert leaf("C25", {**values, **changes})[0] == D(expected)


def test_c28_checklist_parts() -> None:
    values = {"rules": True, "level_protection": False, "training": True, "vulnerability": True}
    pts, text = leaf("C28", values)
    assert pts == D(4)
    assert "未达到：有等级保护" in text


def test_c38_panel_sets_points_within_ten() -> None:
    assert leaf("C38", {"panel_score": 7.5})[0] == D("7.5")
    with pytest.raises(InvalidAnswers) as caught:
        leaf("C38", {"panel_score": 10.5})
    problem = caught.value.problems[0]
    assert (problem.code, problem.field) == ("C38", "panel_score")
    assert "评审组评定得分不能大于 10分" in problem.message_zh


# --- eligibility and the award score ---------------------------------------------------


def seventy_minus(extra_loss: bool) -> dict[str, Any]:
    """Full example less 50 points (C9, C12, C20, C21, C22, C37, C38), optionally less C36."""
    doc = with_answers(
        C9={"promotion": False, "cases": []},
        C12={"incentive": False, "adopted_lessons": 0, "participation_rate": 0, "provincial_award": False},
        C20={"database": False, "systems_ok": 0, "systems_total": 8},
        C21={"exploration": False, "scenarios": 0},
        C22={"online_items": 0, "enrollment": False},
        C37={"pilots": []},
        C38={"panel_score": 0},
    )
    if extra_loss:
        doc["answers"]["C36"] = {"public_funds": False}
    return doc


def test_seventy_points_may_apply_sixty_nine_may_not() -> None:
    result = score_doc(seventy_minus(False))
    assert result.total == D(70)
    assert result.eligible
    result = score_doc(seventy_minus(True))
    assert result.total == D(69)
    assert not result.eligible
    assert result.eligibility_reasons == ["总分 69 分，未达到申报要求的 70 分"]


@pytest.mark.parametrize(
    ("code", "values", "label"),
    [
        ("C24", {"platform": False}, "区域有可用的数据和资源管理平台"),
        ("C29", {"plan": True, "months": 11}, "制定有区域智慧教育发展规划和年度计划并已实施一年以上"),
        ("C31", {"top_leader": True, "key_work": False}, "落实“一把手”责任制并纳入重点工作"),
        ("C33", {"agency": False}, "有专项推进工作机构且工作职责明确"),
    ],
)
def test_necessary_condition_unmet_is_not_eligible(code: str, values: dict[str, Any], label: str) -> None:
    result = score_doc(with_answers(**{code: values}))
    assert result.total >= D(100)
    assert not result.eligible
    assert result.eligibility_reasons == [f"必要条件未满足：{code} {label}"]
    assert [(m.code, m.kind) for m in result.unmet_necessary] == [(code, "necessary")]
    assert result.level is None


def test_c31_one_part_still_scores_one_point_but_condition_unmet() -> None:
    result = score_doc(with_answers(C31={"top_leader": True, "key_work": False}))
    assert points(result, "C31") == D(1)
    assert result.total == D(119)


@pytest.mark.parametrize("key", sorted(NO_EXCLUSIONS))
def test_an_exclusion_declared_true_is_not_eligible(key: str) -> None:
    doc = full()
    doc["declarations"] = {**NO_EXCLUSIONS, key: True}
    result = score_doc(doc)
    assert result.total == D(120)
    assert not result.eligible
    assert len(result.eligibility_reasons) == 1
    assert result.eligibility_reasons[0].startswith("存在否决情形：近2年内")
    assert result.level is None


def test_exclusion_text_and_undeclared() -> None:
    doc = full()
    doc["declarations"] = {**NO_EXCLUSIONS, "illegal_fees": True}
    assert score_doc(doc).eligibility_reasons == ["存在否决情形：近2年内违反规定，以智慧教育、信息化建设等名义乱收费"]
    del doc["declarations"]
    result = score_doc(doc)
    assert not result.eligible
    assert "未声明：近2年内未按要求建立学习类 APP 进校园备案审查制度" in result.eligibility_reasons


def test_award_score_is_100_or_more() -> None:
    result = score_doc(with_answers(C37={"pilots": []}, C38={"panel_score": 0}))
    assert result.total == D(100)
    assert result.parts == {"基本任务部分": D(100), "示范引领部分": D(0)}
    assert result.level == "达到授牌分数"
    result = score_doc(with_answers(C1={"scenarios": 8}, C37={"pilots": []}, C38={"panel_score": 0}))
    assert result.total == D("99.75")
    assert result.level is None
    assert result.next_level is not None
    assert result.next_level["summary"] == "距达到授牌分数还差 0.25 分"


# --- bad input --------------------------------------------------------------------------


def test_bad_input_names_indicator_and_field() -> None:
    doc = {
        "answers": {
            "C15": {"pass_rate": 101},
            "C1": {"scenarios": 5.5},
            "C22": {"online_items": -1},
            "C8": {"projects": [{"name": "a", "level": "市级", "date": "2023-01-01", "excellent": False}]},
            "C19": {"awards": [{"name": "a", "level": "全国", "case": "b"}], "prize": 1},
        }
    }
    with pytest.raises(InvalidAnswers) as caught:
        score_doc(doc)
    found = {(p.code, p.field): p.message_zh for p in caught.value.problems}
    assert "不能超过 100%" in found[("C15", "pass_rate")]
    assert "应为整数" in found[("C1", "scenarios")]
    assert "不能为负数" in found[("C22", "online_items")]
    assert "立项级别只能选择：省级、国家级" in found[("C8", "projects")]
    assert "未知字段 prize" in found[("C19", "prize")]


def test_project_dated_after_as_of_is_refused() -> None:
    with pytest.raises(InvalidAnswers) as caught:
        leaf("C8", {"projects": [project("省级", date="2024-06-01")]})
    problem = caught.value.problems[0]
    assert (problem.code, problem.field) == ("C8", "projects")
    assert "晚于评估基准日 2024-05-30" in problem.message_zh


def test_unknown_declaration_is_refused() -> None:
    with pytest.raises(InvalidAnswers) as caught:
        score_doc({"declarations": {"fraud": False}, "answers": {}})
    assert caught.value.problems[0].field == "declarations.fraud"
