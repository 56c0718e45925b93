"""泰州市中小学智慧校园建设评估细则（2022版） (taizhou-2022-school): structure against annex 1
and annex 3, the example answers, worked examples from the seed's wording for every rule, and
the levels 示范型 90 / 优秀型 80 / 合格型 70 with ★, ▲ and the 等保备案 condition."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from campuseval.engine import ScoreResult, check_framework, load_framework, score

from .helpers import D, example

FW = "taizhou-2022-school"
SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "003_c2196d9fc6f2626f.txt"
AS_OF = dt.date(2022, 8, 31)
STAGES = ["小学", "初中", "普通高中", "完全中学", "九年一贯制", "十二年一贯制", "中职"]
HIGH = ["普通高中", "完全中学", "十二年一贯制", "中职"]
NOT_HIGH = ["小学", "初中", "九年一贯制"]

# 附件3 泰州市中小学智慧校园评估检查验收自评表: 评价项目 (分) → 主要指标 → 分值, as printed in the seed.
ANNEX_3 = {
    ("基础环境", 26): {"校园网络": 6, "信息终端": 6, "教学环境": 7, "智能安防": 1, "服务平台": 6},
    ("数字资源", 10): {"基础资源": 3, "校本资源": 7},
    ("应用能力", 10): {"学生能力": 3, "教师能力": 3, "信息化领导力": 4},
    ("应用服务", 42): {"基础数据": 7, "教育管理": 10, "教学教研": 12, "社会服务": 4, "大数据分析": 9},
    ("保障机制", 12): {"组织保障": 3, "制度保障": 2, "经费保障": 4, "安全保障": 3},
    ("应用成效", 10): {"应用程度": 2, "示范活动": 3, "应用成果": 3, "应用案例": 2},
}

# 附件1: the codes carrying ★ and ▲, in the seed's order (41 ★ and 6 ▲ in the table).
BASIC = [
    "一(一)1", "一(二)1", "一(二)2", "一(三)1", "一(三)2", "一(三)3", "一(三)6", "一(四)", "一(五)1",
    "二(一)1", "二(一)2", "二(一)3", "二(二)1", "二(二)2", "二(二)6", "二(二)7",
    "三(一)1", "三(一)3", "三(二)1", "三(二)2", "三(三)3",
    "四(一)1", "四(一)2", "四(一)3", "四(一)5", "四(二)1", "四(二)6", "四(三)1", "四(三)3", "四(四)1", "四(五)5",
    "五(一)1", "五(一)2", "五(二)1", "五(二)2", "五(三)1", "五(四)1", "五(四)2",
    "六(一)1", "六(三)1", "六(三)2",
]  # fmt: skip
DEMONSTRATION = ["一(一)5", "一(三)3", "一(三)7", "一(四)", "二(二)2", "六(三)3"]


def full() -> dict[str, Any]:
    return copy.deepcopy(example(f"{FW}.full"))


def score_doc(doc: dict[str, Any]) -> ScoreResult:
    return score(load_framework(FW), doc, as_of=AS_OF)


def leaf(code: str, values: dict[str, Any], stage: str | None = "小学") -> tuple[D, str]:
    doc: dict[str, Any] = {"answers": {code: values}}
    if stage is not None:
        doc["context"] = {"stage": stage}
    r = score_doc(doc).indicators[code]
    return r.points, r.explanation


def failed(code: str) -> dict[str, Any]:
    """An answer to a leaf that meets nothing: every yes/no 否, every number 0, no items."""
    values: dict[str, Any] = {}
    for key, spec in load_framework(FW).by_code[code].inputs.items():
        values[key] = {"bool": False, "number": 0, "items": []}[spec.type]
    return values


def unmarked_leaves() -> list[str]:
    fw = load_framework(FW)
    return [n.code for n in fw.leaves() if not n.marks]


def full_minus(points: int, doc: dict[str, Any] | None = None) -> dict[str, Any]:
    """The full example with exactly `points` lost on leaves that carry no mark."""
    doc = doc or full()
    fw = load_framework(FW)
    left = points
    for code in sorted(unmarked_leaves(), key=lambda c: -fw.by_code[c].points):
        if 0 < fw.by_code[code].points <= left:
            doc["answers"][code] = failed(code)
            left -= int(fw.by_code[code].points)
    assert left == 0
    return doc


# --- the framework as a whole ---------------------------------------------------------


def test_framework_checks_clean_and_keeps_the_seed_structure() -> None:
    fw = load_framework(FW)
    assert [str(p) for p in fw.problems + check_framework(fw) if p.severity != "note"] == []
    assert (fw.total, fw.bonus_total, fw.max_total) == (D(110), D(0), D(110))
    assert fw.level_names == ("一级指标", "二级指标", "评估内容")
    assert [t.code for t in fw.indicators] == ["一", "二", "三", "四", "五", "六"]
    assert [n.code for n in fw.walk() if n.depth == 1] == [
        "一(一)", "一(二)", "一(三)", "一(四)", "一(五)", "二(一)", "二(二)", "三(一)", "三(二)", "三(三)",
        "四(一)", "四(二)", "四(三)", "四(四)", "四(五)", "五(一)", "五(二)", "五(三)", "五(四)",
        "六(一)", "六(二)", "六(三)", "六(四)",
    ]  # fmt: skip
    counts = {n.code: len(n.children) for n in fw.walk() if n.depth == 1}
    assert counts == {
        "一(一)": 5, "一(二)": 5, "一(三)": 7, "一(四)": 0, "一(五)": 2, "二(一)": 3, "二(二)": 7,
        "三(一)": 3, "三(二)": 3, "三(三)": 3, "四(一)": 6, "四(二)": 6, "四(三)": 5, "四(四)": 3,
        "四(五)": 5, "五(一)": 2, "五(二)": 2, "五(三)": 2, "五(四)": 3, "六(一)": 2, "六(二)": 3,
        "六(三)": 3, "六(四)": 0,
    }  # fmt: skip
    assert len(fw.leaves()) == 82
    # 一(四) 智能安防 and 六(四) 应用案例 have no numbered items: scored directly
    assert fw.by_code["一(四)"].is_leaf and fw.by_code["六(四)"].is_leaf
    assert fw.by_code["二(一)"].title == "基础资源"


def test_marks_are_the_seeds_41_basic_and_6_demonstration() -> None:
    fw = load_framework(FW)
    assert [n.code for n in fw.walk() if any(m.kind == "basic" for m in n.marks)] == BASIC
    assert [n.code for n in fw.walk() if any(m.kind == "demonstration" for m in n.marks)] == DEMONSTRATION
    assert [n.code for n in fw.walk() if any(m.kind == "necessary" for m in n.marks)] == ["五(四)2"]
    # an indicator with a ★ part and a separate ▲ part carries both: ★ met by the points, ▲ by its own answer
    for code, key in [("一(三)3", "three_classrooms"), ("一(四)", "ai_cameras"), ("二(二)2", "systematic")]:
        marks = {m.kind: m for m in fw.by_code[code].marks}
        assert marks["basic"].met == "full"
        assert (marks["demonstration"].met, marks["demonstration"].input) == ("input", key)
        assert "▲" in fw.by_code[code].criterion
    for code in ["一(一)5", "一(三)7", "六(三)3"]:
        assert [(m.kind, m.met) for m in fw.by_code[code].marks] == [("demonstration", "full")]


def test_criterion_is_the_seeds_text() -> None:
    if not SEED.exists():
        pytest.skip("seed text not beside the repository")
    fw = load_framework(FW)
    seed = SEED.read_text(encoding="utf-8")
    for node in fw.walk():
        if node.is_leaf:
            assert node.criterion and node.criterion in seed, node.code
    assert fw.by_code["一(二)2"].criterion == "配有学生用计算机、移动终端等，生机比不低于小学10:1，初中8:1，高中6:1。"


def test_annex_3_maxima_per_secondary_indicator_match_the_file() -> None:
    fw = load_framework(FW)
    tops = {t.title: t for t in fw.indicators}
    assert [t.title for t in fw.indicators] == [title for title, _ in ANNEX_3]
    for (title, points), secondary in ANNEX_3.items():
        top = tops[title]
        assert top.points == points, title
        assert {c.title: c.points for c in top.children} == {k: D(v) for k, v in secondary.items()}, title
        assert sum(secondary.values()) == points
    assert sum(points for _, points in ANNEX_3) == 110


def test_levels_and_context() -> None:
    fw = load_framework(FW)
    assert [(lv.name, lv.min_total, lv.requires) for lv in fw.levels] == [
        ("示范型", D(90), ("basic", "demonstration", "necessary")),
        ("优秀型", D(80), ("basic", "necessary")),
        ("合格型", D(70), ("basic",)),
    ]
    assert list(fw.context) == ["stage"]
    assert fw.context["stage"].options == tuple(STAGES)


# --- the examples -----------------------------------------------------------------------


def test_full_example_reaches_exactly_110_every_indicator_at_its_points() -> None:
    fw = load_framework(FW)
    result = score_doc(full())
    assert result.total == D(110)
    for node in fw.walk():
        assert result.indicators[node.code].points == node.points, node.code
    assert result.unanswered == []
    assert result.unmet == []
    assert result.level == "示范型"
    assert result.next_level is None


def test_empty_application_scores_zero_with_every_leaf_unanswered() -> None:
    fw = load_framework(FW)
    result = score(fw, {}, as_of=AS_OF)
    assert result.total == 0
    assert result.unanswered == [n.code for n in fw.leaves()]
    context_leaves = {"一(二)2", "一(三)6", "四(一)2", "四(五)5"}
    for code in result.unanswered:
        text = result.indicators[code].explanation
        if code in context_leaves:
            assert text.startswith("未填写：") and text.endswith("学段，暂按 0 分计"), code
        else:
            assert text == "未作答，得 0 分", code
    assert result.level is None
    assert result.next_level is not None and result.next_level["name"] == "合格型"
    assert len(result.next_level["missing"]) == 41  # every ★; ▲ are not asked of 合格型


def test_sample_is_a_nine_year_school_at_excellent_level() -> None:
    result = score_doc(example(f"{FW}.sample"))
    assert result.total == D(83)
    assert {c: result.indicators[c].points for c in "一二三四五六"} == {
        "一": D(18), "二": D(9), "三": D(9), "四": D(30), "五": D(12), "六": D(5),
    }  # fmt: skip
    assert "不高于 8:1（九年一贯制）" in result.indicators["一(二)2"].explanation
    assert [m.code for m in result.unmet] == ["一(三)3", "一(三)7", "一(四)", "二(二)2", "六(三)3"]
    assert result.level == "优秀型"
    assert result.next_level is not None
    assert (result.next_level["name"], result.next_level["gap"]) == ("示范型", "7")
    assert result.next_level["summary"].startswith("距示范型还差 7 分；未达到：一(三)3 ▲示范要求")


# --- 生机比 and 师机比 (ratio_by_context) ------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "limit"),
    [("小学", 10), ("初中", 8), ("九年一贯制", 8), ("普通高中", 6), ("完全中学", 6), ("十二年一贯制", 6), ("中职", 6)],
)
def test_student_computer_ratio_by_stage_exactly_at_and_just_over_the_limit(stage: str, limit: int) -> None:
    assert leaf("一(二)2", {"students": limit * 100, "student_devices": 100}, stage)[0] == D(2)
    assert leaf("一(二)2", {"students": limit * 100 + 1, "student_devices": 100}, stage)[0] == D(0)
    assert leaf("一(二)2", {"students": limit * 100 - 1, "student_devices": 100}, stage)[0] == D(2)


def test_student_computer_ratio_explanations() -> None:
    pts, text = leaf("一(二)2", {"students": 1000, "student_devices": 100}, "小学")
    assert pts == 2
    assert text == "在校学生数/学生用计算机、移动终端等台数 = 1000:100 ≈ 10:1，不高于 10:1（小学），得 2 分"
    pts, text = leaf("一(二)2", {"students": 1000, "student_devices": 100}, "完全中学")
    assert pts == 0
    assert text.endswith("≈ 10:1，未达到 6:1（完全中学），不得分")
    pts, text = leaf("一(二)2", {"students": 500, "student_devices": 0}, "初中")
    assert pts == 0 and "为 0" in text


def test_student_computer_ratio_needs_the_stage() -> None:
    result = score_doc({"answers": {"一(二)2": {"students": 100, "student_devices": 50}}})
    assert result.indicators["一(二)2"].status == "unanswered"
    assert result.indicators["一(二)2"].explanation == "未填写：学段，暂按 0 分计"


@pytest.mark.parametrize(("teachers", "computers", "expected"), [(120, 120, 1), (120, 119, 0), (120, 130, 1)])
def test_teacher_computer_ratio_at_least_one_to_one(teachers: int, computers: int, expected: int) -> None:
    pts, text = leaf("一(二)1", {"teachers": teachers, "teacher_computers": computers})
    assert pts == D(expected)
    assert ("不高于 1:1" if expected else "未达到 1:1") in text


# --- yes/no leaves and all conditions together ------------------------------------------


def test_yes_no_leaf() -> None:
    assert leaf("一(五)1", {"spaces": True}) == (
        D(3),
        "依托上级教育信息化公共服务体系开通实名制网络空间，实现“一人一空间”：是，得 3 分",
    )
    assert leaf("一(五)1", {"spaces": False})[0] == 0


NETWORK = {
    "wired_coverage": True,
    "access_mbps": 1000,
    "backbone_mbps": 1000,
    "desktop_mbps": 100,
    "wireless": True,
    "dual_stack": True,
    "real_name": True,
}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({}, 2),
        ({"access_mbps": 999.9}, 0),
        ({"access_mbps": 1000.1}, 2),
        ({"backbone_mbps": 999.9}, 0),
        ({"desktop_mbps": 99.9}, 0),
        ({"desktop_mbps": 100.1}, 2),
        ({"dual_stack": False}, 0),
        ({"real_name": False}, 0),
    ],
)
def test_campus_network_gigabit_access_and_backbone_100m_to_the_desk(change: dict[str, Any], expected: int) -> None:
    assert leaf("一(一)1", {**NETWORK, **change})[0] == D(expected)


def test_campus_network_explanation_names_what_is_missing() -> None:
    _, text = leaf("一(一)1", {**NETWORK, "backbone_mbps": 999.9})
    assert "校内主干带宽 999.9M（要求不低于 1000M，未达到）" in text
    assert text.endswith("未满足：校内主干带宽，不得分")


@pytest.mark.parametrize(("days", "expected"), [(29, 0), (30, 1), (31, 1)])
def test_security_recordings_kept_30_days_or_more(days: int, expected: int) -> None:
    values = {"system": True, "storage_days": days, "networked": True, "ai_cameras": False}
    pts, text = leaf("一(四)", values)
    assert pts == D(expected)
    assert f"监控录像储存天数 {days}天（要求不低于 30天" in text


@pytest.mark.parametrize(("coverage", "expected"), [(99.9, 0), (100, 1)])
def test_every_class_has_an_electronic_board(coverage: float, expected: int) -> None:
    assert leaf("一(二)3", {"coverage": coverage, "functions": True})[0] == D(expected)


@pytest.mark.parametrize(("rate", "expected"), [(99.9, 0), (100, 1)])
def test_every_classroom_has_interactive_multimedia(rate: float, expected: int) -> None:
    assert leaf("一(三)1", {"classroom_rate": rate})[0] == D(expected)


@pytest.mark.parametrize(("rate", "expected"), [(89.9, 0), (90, 1), (90.1, 1)])
def test_ninety_percent_of_teachers_build_resources(rate: float, expected: int) -> None:
    values = {"mechanism": True, "teacher_rate": rate, "public_sharing": True}
    assert leaf("六(一)1", values)[0] == D(expected)


@pytest.mark.parametrize(("teachers", "students", "expected"), [(100, 100, 1), (99.9, 100, 0), (100, 99.9, 0)])
def test_all_teachers_and_students_have_a_network_space(teachers: float, students: float, expected: int) -> None:
    values = {"teacher_space_rate": teachers, "student_space_rate": students, "innovation": True}
    assert leaf("六(一)2", values)[0] == D(expected)


@pytest.mark.parametrize(("least", "expected"), [(0, 0), (1, 1), (3, 1)])
def test_live_or_recorded_lessons_at_least_once_every_month(least: int, expected: int) -> None:
    assert leaf("六(二)3", {"backbone": True, "min_per_month": least})[0] == D(expected)
    assert leaf("六(二)3", {"backbone": False, "min_per_month": 4})[0] == 0


def test_case_must_be_selected_in_the_city_case_competition() -> None:
    pts, text = leaf("六(四)", {"case": True, "influence": True, "selected": False})
    assert pts == 0
    assert text.endswith("未满足：入选市级组织的案例评选活动，不得分")
    assert leaf("六(四)", {"case": True, "influence": True, "selected": True})[0] == D(2)


# --- 5% 及以上的生均公用经费 (tiers) ----------------------------------------------------------


@pytest.mark.parametrize(("share", "expected"), [(4.99, 0), (5, 2), (5.01, 2), (0, 0)])
def test_five_percent_of_public_funds_for_it(share: float, expected: int) -> None:
    pts, text = leaf("五(三)2", {"share": share})
    assert pts == D(expected)
    assert ("在 5%（含）以上 档，得 2 分" if expected else "5%以下 档，不得分") in text


# --- 高中学校 / 高中阶段 requirements (by_context) ----------------------------------------------


@pytest.mark.parametrize("stage", STAGES)
def test_digital_lab_is_asked_of_high_schools_only(stage: str) -> None:
    without_lab = leaf("一(三)6", {"innovation_space": True, "digital_lab": False}, stage)
    assert without_lab[0] == (D(0) if stage in HIGH else D(1))
    assert leaf("一(三)6", {"innovation_space": True, "digital_lab": True}, stage)[0] == D(1)
    assert leaf("一(三)6", {"innovation_space": False, "digital_lab": True}, stage)[0] == D(0)


def test_digital_lab_explanation() -> None:
    _, text = leaf("一(三)6", {"innovation_space": True, "digital_lab": False}, "十二年一贯制")
    assert text.startswith("学段：十二年一贯制（高中学校另须建有数字化实验室）；")
    assert text.endswith("未满足：建有数字化实验室（高中学校填写；其他学段可不填），不得分")


@pytest.mark.parametrize("stage", STAGES)
def test_career_planning_data_and_evaluation_for_high_school_stage(stage: str) -> None:
    expected_2 = D(0) if stage in HIGH else D(2)
    expected_1 = D(0) if stage in HIGH else D(1)
    assert leaf("四(一)2", {"growth_data": True, "career_data": False}, stage)[0] == expected_2
    assert leaf("四(一)2", {"growth_data": True, "career_data": True}, stage)[0] == D(2)
    assert leaf("四(五)5", {"system": True, "archive": True, "career": False}, stage)[0] == expected_1
    assert leaf("四(五)5", {"system": True, "archive": False, "career": True}, stage)[0] == D(0)


# --- 近三年 (level_items with a window) ---------------------------------------------------------


def outcome(level: str, date: str, name: str = "成果") -> dict[str, Any]:
    return {"name": name, "level": level, "date": date}


@pytest.mark.parametrize("level", ["市（区）级", "泰州市级", "省级", "国家级"])
def test_one_outcome_at_district_level_or_above_in_three_years(level: str) -> None:
    assert leaf("六(三)1", {"outcomes": [outcome(level, "2021-05-01")]})[0] == D(1)
    assert leaf("六(三)2", {"awards": [outcome(level, "2021-05-01")]})[0] == D(1)


def test_outcomes_counted_within_three_years_of_the_reference_date() -> None:
    assert leaf("六(三)1", {"outcomes": [outcome("省级", "2019-08-31")]})[0] == D(1)
    pts, text = leaf("六(三)1", {"outcomes": [outcome("省级", "2019-08-30", "旧论文")]})
    assert pts == 0
    assert "「旧论文」2019-08-30 不在近三年（2019-08-31 起）内" in text
    assert leaf("六(三)1", {"outcomes": []})[0] == 0


def test_several_outcomes_still_earn_one_point() -> None:
    items = [outcome("国家级", "2022-01-01", "a"), outcome("省级", "2021-01-01", "b")]
    pts, text = leaf("六(三)2", {"awards": items})
    assert pts == D(1)
    assert "超过上限按 1 分计" in text


# --- levels: total and marks --------------------------------------------------------------------


def test_ninety_points_without_a_demonstration_part_is_not_demonstration() -> None:
    doc = full_minus(20)
    doc["answers"]["一(三)3"]["three_classrooms"] = False  # the ▲ part of a ★ indicator, no points of its own
    result = score_doc(doc)
    assert result.total == D(90)
    assert result.indicators["一(三)3"].points == D(1)
    assert [(m.code, m.kind) for m in result.unmet] == [("一(三)3", "demonstration")]
    assert result.level == "优秀型"
    assert result.next_level is not None
    assert (result.next_level["name"], result.next_level["gap"]) == ("示范型", "0")
    assert result.next_level["summary"] == "未达到：一(三)3 ▲示范要求：自动录播教室支持“三个课堂”活动"


def test_ninety_points_with_a_whole_demonstration_indicator_missing_is_not_demonstration() -> None:
    doc = full_minus(19)
    doc["answers"]["一(三)7"] = {"ai_space": False}
    result = score_doc(doc)
    assert result.total == D(90)
    assert result.level == "优秀型"
    assert [m.code for m in result.unmet] == ["一(三)7"]


def test_ninety_points_with_every_mark_met_is_demonstration() -> None:
    result = score_doc(full_minus(20))
    assert result.total == D(90)
    assert result.level == "示范型"


def test_eighty_nine_points_with_every_mark_is_excellent_one_point_short() -> None:
    result = score_doc(full_minus(21))
    assert result.total == D(89)
    assert result.level == "优秀型"
    assert result.next_level is not None
    assert result.next_level["summary"] == "距示范型还差 1 分"


@pytest.mark.parametrize(
    ("lost", "level", "next_name", "gap"),
    [
        (30, "优秀型", "示范型", "10"),
        (31, "合格型", "优秀型", "1"),
        (40, "合格型", "优秀型", "10"),
        (41, None, "合格型", "1"),
    ],
)
def test_level_by_total_and_the_gap_to_the_next(lost: int, level: str | None, next_name: str, gap: str) -> None:
    result = score_doc(full_minus(lost))
    assert result.total == D(110 - lost)
    assert result.level == level
    assert result.next_level is not None
    assert (result.next_level["name"], result.next_level["gap"]) == (next_name, gap)
    assert result.next_level["summary"] == f"距{next_name}还差 {gap} 分"


def test_an_unmet_basic_requirement_blocks_every_level() -> None:
    doc = full()
    doc["answers"]["一(二)2"] = {"students": 2460, "student_devices": 400}  # 6.15:1 at a 普通高中
    result = score_doc(doc)
    assert result.total == D(108)
    assert [(m.code, m.kind) for m in result.unmet] == [("一(二)2", "basic")]
    assert result.level is None
    assert result.next_level is not None
    assert (result.next_level["name"], result.next_level["gap"]) == ("合格型", "0")
    assert result.next_level["summary"] == "未达到：一(二)2 ★基本要求：生机比不低于小学10:1，初中8:1，高中6:1"


def test_an_unmet_basic_requirement_blocks_qualified_at_seventy() -> None:
    doc = full_minus(39)
    doc["answers"]["五(二)1"] = {"rules": False}
    result = score_doc(doc)
    assert result.total == D(70)
    assert result.level is None
    assert result.next_level is not None and result.next_level["name"] == "合格型"
    assert [m["code"] for m in result.next_level["missing"]] == ["五(二)1"]


def test_seventy_with_every_basic_requirement_is_qualified_without_any_demonstration_part() -> None:
    doc = full_minus(37)
    for code in ["一(一)5", "一(三)7", "六(三)3"]:  # whole ▲ indicators, 1 point each
        doc["answers"][code] = failed(code)
    doc["answers"]["一(三)3"]["three_classrooms"] = False
    doc["answers"]["一(四)"]["ai_cameras"] = False
    doc["answers"]["二(二)2"]["systematic"] = False
    doc["answers"]["五(四)2"]["filed"] = False
    result = score_doc(doc)
    assert result.total == D(70)
    assert [(m.code, m.kind) for m in result.unmet] == [
        ("一(一)5", "demonstration"),
        ("一(三)3", "demonstration"),
        ("一(三)7", "demonstration"),
        ("一(四)", "demonstration"),
        ("二(二)2", "demonstration"),
        ("五(四)2", "necessary"),
        ("六(三)3", "demonstration"),
    ]
    assert result.level == "合格型"
    assert result.next_level is not None
    assert result.next_level["summary"].startswith("距优秀型还差 10 分；未达到：五(四)2 必要条件")


def test_sixty_nine_with_every_requirement_is_below_qualified() -> None:
    result = score_doc(full_minus(41))
    assert result.total == D(69)
    assert result.level is None


def test_level_protection_filing_is_required_of_excellent_and_demonstration_only() -> None:
    doc = full()
    doc["answers"]["五(四)2"]["filed"] = False
    result = score_doc(doc)
    assert result.total == D(110)
    assert result.indicators["五(四)2"].points == D(1)
    assert [(m.code, m.kind) for m in result.unmet] == [("五(四)2", "necessary")]
    assert result.level == "合格型"
    assert result.next_level is not None
    assert result.next_level["name"] == "优秀型"
    assert "示范校、优秀校须完成网络安全等级保护备案" in result.next_level["summary"]
