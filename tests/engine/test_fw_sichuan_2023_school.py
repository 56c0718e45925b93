"""四川省智慧教育示范学校创建评价指标 (sichuan-2023-school): the whole framework, worked
examples from the seed's wording for every rule shape, the bonus section, eligibility and the
award score."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from campuseval.engine import InvalidAnswers, ScoreResult, check_framework, load_framework, score

from .helpers import D, example, points, run

FW = "sichuan-2023-school"
AS_OF = dt.date(2024, 5, 30)
NO_EXCLUSIONS = {
    "public_opinion": False,
    "illegal_fees": False,
    "security_incident": False,
    "app_filing": False,
    "other_violation": False,
}
NO_BONUS = {"C43": {"honors": []}, "C44": {"results": []}, "C45": {"tasks": []}}


def full() -> dict[str, Any]:
    return copy.deepcopy(example(f"{FW}.full"))


def score_doc(doc: dict[str, Any]) -> ScoreResult:
    return score(load_framework(FW), doc, as_of=AS_OF)


def leaf(code: str, values: dict[str, Any], stage: str = "普通高中") -> tuple[D, str]:
    """One leaf scored for a school of `stage` (the examples' 普通高中 unless said)."""
    result = run(FW, {code: values}, as_of=AS_OF, context={"stage": stage})
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
    assert fw.subject == "school"
    assert (fw.total, fw.bonus_total, fw.max_total) == (D(100), D(20), D(120))
    assert fw.level_names == ("评价项目(A)", "评价指标(B)", "评价要素(C)")
    assert [t.code for t in fw.indicators] == ["A1", "A2", "A3", "A4", "A5", "加分项"]
    assert [t.points for t in fw.indicators] == [D(12), D(40), D(20), D(18), D(10), D(20)]
    assert [t.bonus for t in fw.indicators] == [False] * 5 + [True]
    bs = [n.code for n in fw.walk() if n.depth == 1 and not n.is_leaf]
    assert bs == [f"B{i}" for i in range(1, 20)]
    assert [n.code for n in fw.leaves()] == [f"C{i}" for i in range(1, 46)]
    # the bonus row has no B level: C43–C45 sit right under it
    assert [c.code for c in fw.by_code["加分项"].children] == ["C43", "C44", "C45"]
    necessary = [n.code for n in fw.walk() if any(m.kind == "necessary" for m in n.marks)]
    assert necessary == ["C10", "C12", "C13", "C14", "C22"]
    assert all(fw.by_code[c].remarks == "必要条件" for c in necessary)


def test_b19_takes_the_points_of_its_elements_not_the_printed_five() -> None:
    fw = load_framework(FW)
    b19 = fw.by_code["B19"]
    assert b19.points == D(6)
    assert [c.points for c in b19.children] == [D(3), D(3)]
    assert fw.by_code["A5"].points == fw.by_code["B18"].points + b19.points == D(10)
    assert "(5分)" in b19.note


def test_criterion_and_scoring_keep_the_seed_text() -> None:
    fw = load_framework(FW)
    assert fw.by_code["C10"].scoring.startswith("能够基于数字化方式有效开展备课授课")
    assert "上限10分" in fw.by_code["C10"].scoring
    # wrapped words joined again, the seed's own spacing kept
    assert fw.by_code["C38"].criterion.endswith("学校安装有未成年人网络保护软件,全面实现上网实名制。")
    assert fw.by_code["C37"].scoring == "学校信息系统安全等级保护证书等资料齐全得 1 分, 校园 APP100%备案得 1 分。"


def test_full_example_reaches_exactly_100_plus_20() -> None:
    fw = load_framework(FW)
    result = score_doc(full())
    assert (result.base_total, result.bonus_total, result.total) == (D(100), D(20), D(120))
    assert result.max_total == D(120)
    for node in fw.walk():
        assert result.indicators[node.code].points == node.points, node.code
    assert result.unanswered == []
    assert result.unmet == []
    assert result.eligible
    assert result.level == "达到授牌分数"
    assert result.to_dict()["bonus_total"] == "20"


def test_empty_scores_zero_with_every_leaf_unanswered() -> None:
    result = run(FW, {}, as_of=AS_OF, context={"stage": "普通高中"})
    assert result.total == D(0)
    assert result.unanswered == [f"C{i}" for i in range(1, 46)]
    assert all(result.indicators[f"C{i}"].explanation == "未作答，得 0 分" for i in range(1, 46))
    assert [m.code for m in result.unmet_necessary] == ["C10", "C12", "C13", "C14", "C22"]
    assert not result.eligible
    assert result.level is None


def test_sample_example_may_apply_thanks_to_its_bonus() -> None:
    result = score_doc(example(f"{FW}.sample"))
    assert (result.base_total, result.bonus_total, result.total) == (D("65.8"), D(5), D("70.8"))
    assert [result.indicators[c].points for c in ("A1", "A2", "A3", "A4", "A5")] == [
        D(8),
        D("29.5"),
        D("11.8"),
        D(14),
        D("2.5"),
    ]
    assert result.unmet == []
    assert result.eligible
    assert result.level is None
    assert result.next_level is not None and result.next_level["gap"] == "29.2"


# --- C10, C12–C14: scenario counts with a floor, a step, a cap and a basic scenario ---


@pytest.mark.parametrize(
    ("count", "expected"), [(0, "0"), (4, "0"), (5, "5"), (6, "6"), (7, "7"), (8, "8"), (10, "8"), (12, "8")]
)
def test_c10_five_scenarios_five_points_one_more_each_capped_at_the_elements_eight(count: int, expected: str) -> None:
    assert leaf("C10", {"scenarios": count, "live_recording": True})[0] == D(expected)


def test_c10_explanations() -> None:
    assert leaf("C10", {"scenarios": 4, "live_recording": True})[1].endswith("低于 5 个，不得分")
    text = leaf("C10", {"scenarios": 7, "live_recording": True})[1]
    assert "5 个基本得 5 分，另增 2 个每个 1 分，得 7 分" in text
    assert "上限 8 分，得 8 分" in leaf("C10", {"scenarios": 10, "live_recording": True})[1]


def test_c10_high_school_without_live_recording_scores_nothing() -> None:
    pts, text = leaf("C10", {"scenarios": 9, "live_recording": False})
    assert pts == 0
    assert "但缺少基本场景：主要学科教学常态化直录播已实现" in text
    assert text.endswith("不得分")


@pytest.mark.parametrize(("count", "expected"), [(3, "0"), (4, "6"), (5, "7"), (6, "8"), (9, "8")])
def test_c12_four_scenarios_six_points_full_at_six(count: int, expected: str) -> None:
    assert leaf("C12", {"scenarios": count, "remote": True})[0] == D(expected)
    assert leaf("C12", {"scenarios": count, "remote": False})[0] == 0


@pytest.mark.parametrize(
    ("count", "expected"), [(3, "0"), (4, "4"), (5, "4.5"), (8, "6"), (11, "7.5"), (12, "8"), (15, "8")]
)
def test_c13_four_scenarios_four_points_half_a_point_more_full_at_twelve(count: int, expected: str) -> None:
    assert leaf("C13", {"scenarios": count, "identity": True})[0] == D(expected)
    assert leaf("C13", {"scenarios": count, "identity": False})[0] == 0


@pytest.mark.parametrize(("count", "expected"), [(3, "0"), (4, "6"), (5, "7"), (6, "8"), (7, "8")])
def test_c14_four_scenarios_six_points_student_evaluation_required(count: int, expected: str) -> None:
    assert leaf("C14", {"scenarios": count, "comprehensive": True})[0] == D(expected)
    pts, text = leaf("C14", {"scenarios": count, "comprehensive": False})
    assert pts == 0
    assert "缺少基本场景：学生综合素质评价场景已有效开展" in text


# --- proportional parts, thresholds, checklists ----------------------------------------


def test_c1_plan_half_and_one_year_of_implementation_half() -> None:
    assert leaf("C1", {"plan": True, "months": 12})[0] == D(1)
    assert leaf("C1", {"plan": True, "months": 11})[0] == D("0.5")
    assert leaf("C1", {"plan": False, "months": 30})[0] == 0


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, "4"),
        ({"top_ranked": False}, "2"),
        ({"teacher_rate": 99.9}, "3.5"),
        ({"practice": False, "class_info": False}, "2.5"),
        ({"teacher_rate": 0, "top_ranked": False}, "1.5"),
    ],
)
def test_c8_platform_use_verified_teachers_and_ranking_among_the_provinces_first(
    changes: dict[str, Any], expected: str
) -> None:
    values = {"practice": True, "class_info": True, "teacher_rate": 100, "top_ranked": True}
    assert leaf("C8", {**values, **changes})[0] == D(expected)


@pytest.mark.parametrize(("adopted", "expected"), [("省级平台", "2"), ("市级平台", "1.5"), ("未达到", "1")])
def test_c9_city_or_province_adoption_the_higher_only(adopted: str, expected: str) -> None:
    pts, text = leaf("C9", {"built": True, "updated": True, "adopted": adopted})
    assert pts == D(expected)
    assert text.endswith(f"合计 {expected} 分")


@pytest.mark.parametrize(("share", "expected"), [(0, "2"), (30, "2"), (30.1, "0"), (60, "0")])
def test_c11_electronic_products_at_most_30_percent_of_a_lesson(share: float, expected: str) -> None:
    pts, text = leaf("C11", {"device_share": share})
    assert pts == D(expected)
    assert "要求不超过 30%" in text


def test_c15_six_parts_half_a_point_each() -> None:
    keys = ["vision", "management", "innovation", "assessment", "leadership_learning", "leaders_trained"]
    assert leaf("C15", dict.fromkeys(keys, True))[0] == D(3)
    values = {**dict.fromkeys(keys, True), "innovation": False, "leaders_trained": False}
    pts, text = leaf("C15", values)
    assert pts == D(2)
    assert "未达到：推动教学模式创新" in text


@pytest.mark.parametrize(("rate", "expected"), [(99.9, "1"), (100, "2")])
def test_c17_every_teacher_uses_two_tools(rate: float, expected: str) -> None:
    assert leaf("C17", {"awareness": True, "tools_rate": rate})[0] == D(expected)


@pytest.mark.parametrize(
    ("code", "key", "threshold"),
    [("C18", "pass_rate", 95), ("C20", "participation_rate", 90), ("C23", "test_score", 40)],
)
def test_thresholds_include_their_own_value(code: str, key: str, threshold: int) -> None:
    assert leaf(code, {key: threshold})[0] == D(1)
    assert leaf(code, {key: D(threshold) - D("0.1")})[0] == 0


@pytest.mark.parametrize(("usage", "expected"), [(0, "2"), (79.9, "2"), (80, "0"), (95, "0")])
def test_c32_peak_usage_below_80_percent_excludes_80(usage: float, expected: str) -> None:
    assert leaf("C32", {"peak_usage": usage})[0] == D(expected)


def test_c31_four_halves_wireless_must_cover_everything() -> None:
    values = {"gigabit": True, "wireless_coverage": 100, "iot": True, "ipv6": True}
    assert leaf("C31", values)[0] == D(2)
    assert leaf("C31", {**values, "wireless_coverage": 99})[0] == D("1.5")
    assert leaf("C31", {**values, "gigabit": False, "iot": False})[0] == D(1)


def test_c33_classroom_and_office_coverage_half_each_regular_use_one() -> None:
    values = {"classroom_coverage": 100, "office_coverage": 100, "regular_use": True}
    assert leaf("C33", values)[0] == D(2)
    assert leaf("C33", {**values, "office_coverage": 98})[0] == D("1.5")
    assert leaf("C33", {**values, "classroom_coverage": 90, "regular_use": False})[0] == D("0.5")


def test_c37_all_campus_apps_filed() -> None:
    assert leaf("C37", {"level_protection": True, "app_filing_rate": 100})[0] == D(2)
    assert leaf("C37", {"level_protection": True, "app_filing_rate": 96})[0] == D(1)


# --- C21: teachers' outcomes and awards of the last two years --------------------------


def outcome(kind: str, name: str, date: str = "2023-06-01") -> dict[str, Any]:
    return {"name": name, "kind": kind, "date": date}


def test_c21_outcomes_point_two_awards_point_one_within_two_years() -> None:
    items = [
        outcome("省级以上成果", "a"),
        outcome("市级以上奖项", "b"),
        outcome("省级以上成果", "c", "2022-05-30"),
        outcome("省级以上成果", "d", "2022-05-29"),
    ]
    pts, text = leaf("C21", {"outcomes": items})
    assert pts == D("0.5")
    assert "省级以上成果 2 个×0.2，市级以上奖项 1 个×0.1，计 0.5 分" in text
    assert "「d」2022-05-29 不在近两年（2022-05-30 起）内" in text


def test_c21_capped_at_one_and_duplicates_once() -> None:
    items = [outcome("省级以上成果", f"成果{i}") for i in range(5)] + [outcome("市级以上奖项", "奖")]
    pts, text = leaf("C21", {"outcomes": items})
    assert pts == D(1)
    assert "计 1.1 分，超过上限按 1 分计，得 1 分" in text
    pts, text = leaf("C21", {"outcomes": [outcome("市级以上奖项", "a"), outcome("省级以上成果", "a")]})
    assert pts == D("0.2")
    assert "「a」重复，只计最高级" in text


# --- level items: same category once at the highest level, caps ----------------------


def test_c24_city_point_one_province_point_two_nation_point_three_same_category_once() -> None:
    awards = [
        {"name": "市赛一等奖", "level": "市级", "category": "智能灌溉"},
        {"name": "国赛三等奖", "level": "国家级", "category": "智能灌溉"},
        {"name": "省赛二等奖", "level": "省级", "category": "熊猫保护"},
    ]
    pts, text = leaf("C24", {"awards": awards})
    assert pts == D("0.5")
    assert "省级 1 个×0.2，国家级 1 个×0.3，计 0.5 分" in text
    assert "「智能灌溉」重复，只计最高级" in text


@pytest.mark.parametrize(("national", "expected"), [(6, "1.8"), (7, "2"), (9, "2")])
def test_c24_capped_at_two(national: int, expected: str) -> None:
    awards = [{"name": "国赛", "level": "国家级", "category": f"作品{i}"} for i in range(national)]
    assert leaf("C24", {"awards": awards})[0] == D(expected)


def test_c40_city_half_province_one_nation_two_capped_at_four() -> None:
    outcomes = [
        {"name": "市级交流", "level": "市级", "category": "精准教学"},
        {"name": "省级展示", "level": "省级", "category": "精准教学"},
        {"name": "市级分享", "level": "市级", "category": "智慧作业"},
    ]
    pts, text = leaf("C40", {"outcomes": outcomes})
    assert pts == D("1.5")
    assert "「精准教学」重复，只计最高级" in text
    three = [{"name": "n", "level": "国家级", "category": f"成果{i}"} for i in range(3)]
    pts, text = leaf("C40", {"outcomes": three})
    assert pts == D(4)
    assert "计 6 分，超过上限按 4 分计" in text


def test_c42_pilots_capped_at_three() -> None:
    pilots = [
        {"name": "市级试点", "level": "市级", "category": "人工智能"},
        {"name": "国家级试点", "level": "国家级", "category": "人工智能"},
        {"name": "省级示范", "level": "省级", "category": "四川云教"},
    ]
    assert leaf("C42", {"pilots": pilots})[0] == D(3)
    pilots.append({"name": "市级示范", "level": "市级", "category": "虚拟现实"})
    pts, text = leaf("C42", {"pilots": pilots})
    assert pts == D(3)
    assert "计 3.5 分，超过上限按 3 分计" in text


@pytest.mark.parametrize(
    ("approved", "concluded", "excellent", "expected"),
    [
        (True, True, "国家级", "3"),
        (True, True, "省级", "2"),
        (True, False, "市级", "1"),
        (True, False, "未评为优秀", "0.5"),
        (False, False, "未评为优秀", "0"),
    ],
)
def test_c41_approval_and_conclusion_half_each_excellent_at_its_highest_level(
    approved: bool, concluded: bool, excellent: str, expected: str
) -> None:
    values = {"approved": approved, "concluded": concluded, "excellent_level": excellent}
    assert leaf("C41", values)[0] == D(expected)


# --- the bonus section (加分项) -------------------------------------------------------


def test_c43_each_honour_counts_province_two_nation_three_capped_at_six() -> None:
    honors = [{"name": "省级表彰", "level": "省级"}, {"name": "教育部表彰", "level": "国家级"}]
    assert leaf("C43", {"honors": honors})[0] == D(5)
    honors.append({"name": "省级表彰", "level": "省级"})
    pts, text = leaf("C43", {"honors": honors})
    assert pts == D(6)
    assert "省级 2 个×2，国家级 1 个×3，计 7 分，超过上限按 6 分计" in text


def test_c44_cases_and_results_by_level_same_case_once() -> None:
    results = [
        {"name": "省级典型案例", "level": "省级典型案例", "case": "一卡通"},
        {"name": "国家级典型案例", "level": "国家级典型案例", "case": "一卡通"},
        {"name": "省级成果", "level": "省级成果", "case": "校本资源"},
    ]
    pts, text = leaf("C44", {"results": results})
    assert pts == D(4)
    assert "「一卡通」重复，只计最高级" in text
    results.append({"name": "国家级成果", "level": "国家级成果", "case": "精准教学"})
    assert leaf("C44", {"results": results})[0] == D(6)


def test_c45_tasks_of_the_last_two_years_same_category_once_capped_at_eight() -> None:
    tasks = [
        {"name": "省现场观摩", "level": "省级", "date": "2023-04-01", "category": "现场观摩"},
        {"name": "全国现场观摩", "level": "国家级", "date": "2023-10-01", "category": "现场观摩"},
        {"name": "省交流发言", "level": "省级", "date": "2022-05-29", "category": "交流发言"},
    ]
    pts, text = leaf("C45", {"tasks": tasks})
    assert pts == D(3)
    assert "「现场观摩」重复，只计最高级" in text
    assert "「交流发言」2022-05-29 不在近两年（2022-05-30 起）内" in text
    many = [{"name": "全国任务", "level": "国家级", "date": "2024-01-01", "category": f"任务{i}"} for i in range(3)]
    pts, text = leaf("C45", {"tasks": many})
    assert pts == D(8)
    assert "计 9 分，超过上限按 8 分计" in text


def test_bonus_is_counted_apart_from_the_base_score() -> None:
    result = score_doc(with_answers(**NO_BONUS))
    assert (result.base_total, result.bonus_total, result.total) == (D(100), D(0), D(100))
    result = score_doc(with_answers(C40={"outcomes": []}, C43={"honors": [{"name": "省级表彰", "level": "省级"}]}))
    assert (result.base_total, result.bonus_total, result.total) == (D(96), D(16), D(112))
    assert result.indicators["加分项"].points == D(16)
    assert result.indicators["A5"].points == D(6)


# --- necessary conditions -------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "values", "label"),
    [
        (
            "C10",
            {"scenarios": 4, "live_recording": True},
            "有效开展 5 个基本教学应用场景（高中学校含主要学科常态化直录播）",
        ),
        (
            "C10",
            {"scenarios": 9, "live_recording": False},
            "有效开展 5 个基本教学应用场景（高中学校含主要学科常态化直录播）",
        ),
        ("C12", {"scenarios": 6, "remote": False}, "有效开展 4 个基本数字教研场景（含远程教研）"),
        ("C13", {"scenarios": 3, "identity": True}, "有效开展 4 个基本管理场景（含数字身份认证）"),
        ("C14", {"scenarios": 8, "comprehensive": False}, "有效开展 4 个基本评价场景（含学生综合素质评价）"),
        ("C22", {"monitoring_passed": False}, "信息技术（科技）课程质量监测合格"),
    ],
)
def test_necessary_condition_unmet_is_not_eligible(code: str, values: dict[str, Any], label: str) -> None:
    result = score_doc(with_answers(**{code: values}))
    assert result.total >= D(100)
    assert not result.eligible
    assert result.eligibility_reasons == [f"必要条件未满足：{code} {label}"]
    assert [(m.code, m.kind) for m in result.unmet_necessary] == [(code, "necessary")]
    assert result.level is None


@pytest.mark.parametrize(
    ("code", "values"),
    [
        ("C10", {"scenarios": 5, "live_recording": True}),
        ("C12", {"scenarios": 4, "remote": True}),
        ("C13", {"scenarios": 4, "identity": True}),
        ("C14", {"scenarios": 4, "comprehensive": True}),
    ],
)
def test_basic_scenarios_meet_the_necessary_condition_without_full_points(code: str, values: dict[str, Any]) -> None:
    result = score_doc(with_answers(**{code: values}))
    assert points(result, code) < load_framework(FW).by_code[code].points
    assert result.unmet_necessary == []
    assert result.eligible


# --- eligibility and the award score, both on the total including the bonus -----------


def seventy_base() -> dict[str, Any]:
    """Full example less the whole bonus and 30 base points."""
    return with_answers(
        **NO_BONUS,
        C5={"system": False, "enforced": False},
        C6={"funded": False, "sufficient": False},
        C7={"budget": False, "spent": False},
        C8={"practice": False, "class_info": False, "teacher_rate": 0, "top_ranked": False},
        C9={"built": False, "updated": False, "adopted": "未达到"},
        C15=dict.fromkeys(
            ["vision", "management", "innovation", "assessment", "leadership_learning", "leaders_trained"], False
        ),
        C16={"duties": False, "effective": False},
        C18={"pass_rate": 80},
        C40={"outcomes": []},
        C41={"approved": False, "concluded": False, "excellent_level": "未评为优秀"},
        C42={"pilots": []},
    )


def test_seventy_points_may_apply_sixty_nine_may_not() -> None:
    doc = seventy_base()
    result = score_doc(doc)
    assert (result.base_total, result.total) == (D(70), D(70))
    assert result.eligible
    doc["answers"]["C20"] = {"participation_rate": 50}
    result = score_doc(doc)
    assert result.total == D(69)
    assert not result.eligible
    assert result.eligibility_reasons == ["总分 69 分，未达到申报要求的 70 分"]


def test_the_bonus_counts_toward_the_seventy_needed_to_apply() -> None:
    doc = seventy_base()
    doc["answers"]["C20"] = {"participation_rate": 50}
    doc["answers"]["C43"] = {"honors": [{"name": "省级表彰", "level": "省级"}]}
    result = score_doc(doc)
    assert (result.base_total, result.bonus_total, result.total) == (D(69), D(2), D(71))
    assert result.eligible
    assert result.eligibility_reasons == []


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
    doc["declarations"] = {**NO_EXCLUSIONS, "app_filing": True}
    assert score_doc(doc).eligibility_reasons == ["存在否决情形：近2年内未按要求建立学习类 APP 进校园备案审查制度"]
    del doc["declarations"]
    result = score_doc(doc)
    assert not result.eligible
    assert len(result.eligibility_reasons) == 5
    assert "未声明：近2年内网络安全工作责任制落实不到位，发生网络安全责任事故" in result.eligibility_reasons


def test_award_score_is_100_or_more_including_the_bonus() -> None:
    result = score_doc(with_answers(**NO_BONUS))
    assert result.total == D(100)
    assert result.level == "达到授牌分数"
    # 90 base points and 10 bonus points reach the award score as well
    result = score_doc(
        with_answers(
            C40={"outcomes": []},
            C41={"approved": False, "concluded": False, "excellent_level": "未评为优秀"},
            C42={"pilots": []},
            C44={"results": []},
            C45={"tasks": [{"name": "全国现场观摩", "level": "国家级", "date": "2024-01-01", "category": "观摩"}]},
            C43={"honors": [{"name": "省级表彰", "level": "省级"}]},
        )
    )
    assert (result.base_total, result.bonus_total, result.total) == (D(90), D(5), D(95))
    assert result.level is None
    assert result.next_level is not None
    assert result.next_level["summary"] == "距达到授牌分数还差 5 分"
    result = score_doc(
        with_answers(
            C40={"outcomes": []},
            C41={"approved": False, "concluded": False, "excellent_level": "未评为优秀"},
            C42={"pilots": []},
            C44={"results": []},
        )
    )
    assert (result.base_total, result.bonus_total, result.total) == (D(90), D(14), D(104))
    assert result.level == "达到授牌分数"


def test_just_below_the_award_score() -> None:
    result = score_doc(with_answers(**NO_BONUS, C13={"scenarios": 11, "identity": True}))
    assert result.total == D("99.5")
    assert result.level is None
    assert result.next_level is not None
    assert result.next_level["summary"] == "距达到授牌分数还差 0.5 分"


def test_award_also_needs_the_necessary_conditions() -> None:
    result = score_doc(with_answers(C22={"monitoring_passed": False}))
    assert result.total == D(119)
    assert result.level is None
    assert result.next_level is not None
    assert "资格条件未满足" in result.next_level["summary"]


# --- bad input --------------------------------------------------------------------------


def test_bad_input_names_indicator_and_field() -> None:
    doc = {
        "answers": {
            "C18": {"pass_rate": 101},
            "C10": {"scenarios": 5.5, "live_recording": True},
            "C13": {"scenarios": -1, "identity": True},
            "C9": {"built": True, "updated": True, "adopted": "县级平台"},
            "C24": {"awards": [{"name": "a", "level": "区级", "category": "b"}]},
            "C43": {"honors": [], "medal": 1},
        }
    }
    with pytest.raises(InvalidAnswers) as caught:
        score_doc(doc)
    found = {(p.code, p.field): p.message_zh for p in caught.value.problems}
    assert "不能超过 100%" in found[("C18", "pass_rate")]
    assert "应为整数" in found[("C10", "scenarios")]
    assert "不能为负数" in found[("C13", "scenarios")]
    assert "只能选择：省级平台、市级平台、未达到" in found[("C9", "adopted")]
    assert "级别只能选择：市级、省级、国家级" in found[("C24", "awards")]
    assert "未知字段 medal" in found[("C43", "medal")]


def test_task_dated_after_as_of_is_refused() -> None:
    task = {"name": "a", "level": "省级", "date": "2024-06-01", "category": "b"}
    with pytest.raises(InvalidAnswers) as caught:
        leaf("C45", {"tasks": [task]})
    problem = caught.value.problems[0]
    assert (problem.code, problem.field) == ("C45", "tasks")
    assert "晚于评估基准日 2024-05-30" in problem.message_zh


def test_unknown_declaration_is_refused() -> None:
    with pytest.raises(InvalidAnswers) as caught:
        score_doc({"declarations": {"fraud": False}, "answers": {}})
    assert caught.value.problems[0].field == "declarations.fraud"
