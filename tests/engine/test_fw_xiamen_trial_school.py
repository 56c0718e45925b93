"""厦门市中小学智慧校园建设评价标准（试行） (xiamen-trial-school): the whole framework, the seed's
texts kept verbatim, and worked examples from the seed's wording for every rule shape it uses."""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from campuseval.engine import InvalidAnswers, ScoreResult, check_framework, load_framework, score

from .helpers import D, example, run

FW = "xiamen-trial-school"
AS_OF = dt.date(2024, 5, 30)
SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "001_22292667222ef833.txt"

LEAVES = [
    *(f"一.1.({i})" for i in range(1, 5)),
    "一.2.(1)",
    "一.2.(2)",
    *(f"一.3.({i})" for i in range(1, 5)),
    "一.4",
    "一.5.(1)",
    "一.5.(2)",
    *(f"二.1.({i})" for i in range(1, 5)),
    *(f"二.2.({i})" for i in range(1, 4)),
    *(f"二.3.({i})" for i in range(1, 7)),
    *(f"二.4.({i})" for i in range(1, 6)),
    *(f"二.5.({i})" for i in range(1, 6)),
    *(f"二.6.({i})" for i in range(1, 4)),
    *(f"二.7.({i})" for i in range(1, 4)),
    *(f"三.1.({i})" for i in range(1, 6)),
    *(f"三.2.({i})" for i in range(1, 5)),
    *(f"四.1.({i})" for i in range(1, 4)),
    *(f"四.2.({i})" for i in range(1, 4)),
    "四.3",
    *(f"四.4.({i})" for i in range(1, 4)),
    "五.1",
    "五.2",
    "五.3",
    "六.1.(1)",
    "六.1.(2)",
]


def full() -> dict[str, Any]:
    return copy.deepcopy(example(f"{FW}.full"))


def score_doc(doc: dict[str, Any], **kwargs: Any) -> ScoreResult:
    return score(load_framework(FW), doc, as_of=AS_OF, **kwargs)


def leaf(code: str, values: dict[str, Any], stage: str = "完全中学") -> tuple[D, str]:
    """One leaf scored for a school of `stage` (the full example's 完全中学 unless said)."""
    result = run(FW, {code: values}, as_of=AS_OF, context={"stage": stage})
    r = result.indicators[code]
    return r.points, r.explanation


def full_values(code: str, **changes: Any) -> dict[str, Any]:
    values = dict(full()["answers"][code])
    values.update(changes)
    return values


# --- the framework as a whole ---------------------------------------------------------


def test_framework_checks_clean_and_keeps_the_seed_structure() -> None:
    fw = load_framework(FW)
    bad = [str(p) for p in fw.problems + check_framework(fw) if p.severity != "note"]
    assert bad == []
    assert fw.title == "厦门市中小学智慧校园建设评价标准（试行）"
    assert (fw.total, fw.bonus_total) == (D(200), D(0))
    assert fw.level_names == ("评价项目", "评价指标", "评价标准")
    assert [(t.code, t.title, t.points) for t in fw.indicators] == [
        ("一", "基础环境建设", D(40)),
        ("二", "应用服务", D(90)),
        ("三", "师生发展", D(30)),
        ("四", "保障措施", D(30)),
        ("五", "特色创新", D(6)),
        ("六", "示范引领", D(4)),
    ]
    second = [(n.code, n.title, n.points) for n in fw.walk() if n.depth == 1]
    assert second == [
        ("一.1", "基础设施", D(12)),
        ("一.2", "多媒体教室", D(6)),
        ("一.3", "智慧教室/功能教室", D(14)),
        ("一.4", "绿色能源", D(4)),
        ("一.5", "智能安保", D(4)),
        ("二.1", "应用融合", D(10)),
        ("二.2", "校园门户", D(6)),
        ("二.3", "智慧教学", D(15)),
        ("二.4", "智慧学习", D(15)),
        ("二.5", "智慧资源", D(14)),
        ("二.6", "智慧评价", D(15)),
        ("二.7", "智慧管理", D(15)),
        ("三.1", "学生发展", D(15)),
        ("三.2", "教师发展", D(15)),
        ("四.1", "机构制度", D(10)),
        ("四.2", "队伍建设", D(8)),
        ("四.3", "经费保障", D(4)),
        ("四.4", "网络安全", D(8)),
        ("五.1", "课题研究", D(2)),
        ("五.2", "特色应用", D(2)),
        ("五.3", "创新机制", D(2)),
        ("六.1", "示范引领", D(4)),
    ]
    assert [n.code for n in fw.leaves()] == LEAVES
    # single-criterion indicators are leaves at the second level; every leaf carries the seed's three texts
    assert [n.code for n in fw.leaves() if n.depth == 1] == ["一.4", "四.3", "五.1", "五.2", "五.3"]
    assert all(n.criterion and n.scoring and n.evidence for n in fw.leaves())
    first = fw.by_code["一.1.(1)"]
    assert first.criterion == "学校有光纤接入互联网或教育城域网，班均出口带宽达到 10M 以上，支持 IPv6。"
    assert fw.by_code["四.4.(3)"].evidence.endswith("此项需专家复核")
    assert not any(n.marks for n in fw.walk())
    assert fw.levels == () and fw.eligibility is None


@pytest.mark.skipif(not SEED.exists(), reason="seed documents are not checked out beside the repository")
def test_criterion_scoring_and_evidence_are_verbatim_from_the_seed() -> None:
    def norm(text: str) -> str:
        return re.sub(r"\s+", "", re.sub(r"</?p>", "", text))

    seed = norm(SEED.read_text(encoding="utf-8"))
    for node in load_framework(FW).leaves():
        for name in ("criterion", "scoring", "evidence"):
            assert norm(getattr(node, name)) in seed, (node.code, name)


def test_full_example_reaches_exactly_200() -> None:
    fw = load_framework(FW)
    result = score_doc(full())
    assert result.total == D(200)
    for node in fw.walk():
        assert result.indicators[node.code].points == node.points, node.code
    assert result.unanswered == []
    assert result.level is None and result.eligible


def test_empty_scores_zero_with_every_leaf_unanswered() -> None:
    result = run(FW, {}, as_of=AS_OF, context={"stage": "小学"})
    assert result.total == D(0)
    assert result.unanswered == LEAVES
    assert all(result.indicators[c].explanation == "未作答，得 0 分" for c in LEAVES)
    # without the stage, the two leaves that depend on it say so
    bare = run(FW, {}, as_of=AS_OF)
    assert bare.unanswered == LEAVES
    assert bare.indicators["二.4.(1)"].explanation.endswith("、学段，暂按 0 分计")


def test_sample_example_is_a_typical_school() -> None:
    result = score_doc(example(f"{FW}.sample"))
    assert result.total == D(141)
    subtotals = result.subtotals()
    assert [subtotals[c] for c in "一二三四五六"] == [D("26.5"), D(65), D("21.5"), D(21), D(4), D(3)]
    assert subtotals["一.3"] == D(8)
    assert result.unanswered == []


# --- 一.1.(1) and other checklists: parts with points each -----------------------------


@pytest.mark.parametrize(
    ("fiber", "bandwidth", "ipv6", "expected"),
    [
        (True, True, True, "2"),
        (True, False, True, "1.5"),
        (True, False, False, "1"),
        (False, True, True, "1"),
        (False, False, True, "0.5"),
        (False, False, False, "0"),
    ],
)
def test_1_1_1_fibre_one_bandwidth_half_ipv6_half(fiber: bool, bandwidth: bool, ipv6: bool, expected: str) -> None:
    assert leaf("一.1.(1)", {"fiber": fiber, "class_bandwidth": bandwidth, "ipv6": ipv6})[0] == D(expected)


def test_1_1_1_explanation_names_what_is_missing() -> None:
    pts, text = leaf("一.1.(1)", {"fiber": True, "class_bandwidth": False, "ipv6": True})
    assert pts == D("1.5")
    assert text.startswith("符合：学校有光纤接入互联网或教育城域网 1 分；支持 IPv6")
    assert "未达到：班均出口带宽达到 10M 以上" in text
    assert text.endswith("得 1.5 分")


def test_checklists_split_as_the_evidence_column_says() -> None:
    # 二.1.(4): the scoring column gives 4 points in one lump, the evidence column 1 + 1 + 2
    assert leaf("二.1.(4)", {"access_plan": True, "access_list": True, "integration": False})[0] == D(2)
    assert leaf("二.1.(4)", {"access_plan": False, "access_list": False, "integration": True})[0] == D(2)
    # 二.3.(4): the scoring column's 1 + 2 (its evidence column says 1 + 1)
    assert leaf("二.3.(4)", {"interaction": False, "research": True})[0] == D(2)
    # 四.4.(1): 0.5 for the website's filing, 0.5 for the systems', 2 for the emergency plan
    assert leaf("四.4.(1)", {"website_filing": True, "systems_filing": False, "emergency_plan": True})[0] == D("2.5")
    # 四.3: plan 1, procurement and acceptance 2, mechanism 1
    assert leaf("四.3", {"funding_plan": False, "procurement": True, "mechanism": True})[0] == D(3)


@pytest.mark.parametrize("met", range(7))
def test_2_4_2_six_function_points_half_a_point_each(met: int) -> None:
    keys = ["push", "online_answer", "online_marking", "score_analysis", "diagnosis", "explanation"]
    values = {k: i < met for i, k in enumerate(keys)}
    assert leaf("二.4.(2)", values)[0] == D(met) / 2


def test_4_2_1_three_points_reachable_with_the_spot_check() -> None:
    assert leaf("四.2.(1)", {"team_list": True, "duties": True, "spot_check": True})[0] == D(3)
    pts, text = leaf("四.2.(1)", {"team_list": True, "duties": True, "spot_check": False})
    assert pts == D(2)
    assert "未达到：现场抽查分工工作落实到位" in text
    assert "现场抽查" in load_framework(FW).by_code["四.2.(1)"].note


# --- 一.1.(4), 四.4.(3): full / partial / none -----------------------------------------


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("全部应用迁移市区教育政务云", "4"),
        ("部分应用迁移市区教育政务云", "2"),
        ("无应用迁移市区教育政务云", "0"),
        ("学校无应用系统", "0"),
    ],
)
def test_1_1_4_all_apps_on_the_education_cloud_four_some_two_none_zero(option: str, expected: str) -> None:
    pts, text = leaf("一.1.(4)", {"migration": option})
    assert pts == D(expected)
    assert text == f"学校应用迁移市区教育政务云的情况：{option}，得 {expected} 分"


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        ("没有被通报记录", "2"),
        ("被通报，已及时整改且复测无问题（有盖校公章的整改报告）", "1"),
        ("被通报，未及时整改", "0"),
    ],
)
def test_4_4_3_no_notice_two_rectified_one(option: str, expected: str) -> None:
    assert leaf("四.4.(3)", {"notices": option})[0] == D(expected)


# --- 一.2.(2): n of m -----------------------------------------------------------------


@pytest.mark.parametrize("count", range(5))
def test_1_2_2_one_point_per_system_four_for_all_four(count: int) -> None:
    keys = ["recording", "campus_tv", "video_conference", "broadcast"]
    pts, text = leaf("一.2.(2)", {k: i < count for i, k in enumerate(keys)})
    assert pts == D(count)
    if count == 0:
        assert text == "满足 0 项（共 4 项），不足 1 项，不得分"
    else:
        assert text == f"满足 {count} 项（共 4 项，{count} 项及以上档），得 {count} 分"


# --- 一.3.(1), 一.3.(2): ratios -------------------------------------------------------


@pytest.mark.parametrize(
    ("teachers", "teacher_pcs", "students", "student_pcs", "expected"),
    [
        (100, 100, 500, 100, "3"),
        (100, 99, 500, 100, "2"),
        (100, 120, 501, 100, "2"),
        (100, 99, 501, 100, "1"),
        (100, 0, 500, 0, "1"),
    ],
)
def test_1_3_1_one_computer_per_teacher_and_at_most_five_students_per_computer(
    teachers: int, teacher_pcs: int, students: int, student_pcs: int, expected: str
) -> None:
    values = {
        "teachers": teachers,
        "teacher_computers": teacher_pcs,
        "students": students,
        "student_computers": student_pcs,
        "terminals": True,
    }
    assert leaf("一.3.(1)", values)[0] == D(expected)


def test_1_3_1_explanation() -> None:
    values = {"teachers": 98, "teacher_computers": 98, "students": 1520, "student_computers": 260, "terminals": False}
    pts, text = leaf("一.3.(1)", values)
    assert pts == D(1)
    assert "1.师机比：教师数/教师用机数 = 98:98 ≈ 1:1，不高于 1:1，得 1 分" in text
    assert "2.生机比：学生数/学生用机数 = 1520:260 ≈ 5.85:1，未达到 5:1，不得分" in text
    text = leaf("一.3.(1)", {**values, "student_computers": 0})[1]
    assert "学生用机数为 0" in text


def test_1_3_1_counts_come_from_the_application_form() -> None:
    inputs = load_framework(FW).by_code["一.3.(1)"].inputs
    assert {k: s.form_field for k, s in inputs.items() if s.form_field} == {
        "teachers": "teachers",
        "teacher_computers": "teacher_computers",
        "students": "students",
        "student_computers": "student_computers",
    }


@pytest.mark.parametrize(
    ("classes", "smart", "expected"),
    [(36, 12, "3"), (36, 11, "1"), (37, 12, "1"), (37, 13, "3"), (3, 1, "3"), (30, 0, "1"), (30, 30, "3")],
)
def test_1_3_2_smart_classrooms_at_least_a_third_of_the_classes(classes: int, smart: int, expected: str) -> None:
    assert leaf("一.3.(2)", {"classes": classes, "smart_classrooms": smart, "innovation": True})[0] == D(expected)


def test_1_3_2_explanation() -> None:
    text = leaf("一.3.(2)", {"classes": 36, "smart_classrooms": 10, "innovation": False})[1]
    assert "学校班级数/智慧教室数 = 36:10 ≈ 3.6:1，未达到 3:1，不得分" in text


# --- counts with a cap ------------------------------------------------------------------


@pytest.mark.parametrize(("rooms", "expected"), [(0, "0"), (1, "1"), (3, "3"), (6, "3")])
def test_1_3_3_one_point_per_featured_room_up_to_three(rooms: int, expected: str) -> None:
    assert leaf("一.3.(3)", {"featured_rooms": rooms})[0] == D(expected)


@pytest.mark.parametrize(
    ("devices", "items", "expected"), [(True, 0, "1"), (True, 2, "3"), (True, 3, "4"), (True, 5, "4"), (False, 5, "3")]
)
def test_1_4_green_devices_one_plus_one_per_managed_item_up_to_three(devices: bool, items: int, expected: str) -> None:
    assert leaf("一.4", {"green_devices": devices, "managed_items": items})[0] == D(expected)


@pytest.mark.parametrize(("modules", "expected"), [(0, "0"), (4, "4"), (5, "5"), (9, "5")])
def test_2_7_1_one_point_per_module_up_to_five(modules: int, expected: str) -> None:
    assert leaf("二.7.(1)", {"modules": modules})[0] == D(expected)


@pytest.mark.parametrize(("modules", "expected"), [(1, "0.5"), (9, "4.5"), (10, "5"), (14, "5")])
def test_2_7_2_half_a_point_per_module_up_to_five(modules: int, expected: str) -> None:
    assert leaf("二.7.(2)", {"modules": modules})[0] == D(expected)


def test_2_7_2_explanation_shows_the_cap() -> None:
    text = leaf("二.7.(2)", {"modules": 12})[1]
    assert text == "学生智慧卡（或人脸）智能化管理功能模块数 12个，每个 0.5 分，计 6 分，超过上限按 5 分计，得 5 分"


@pytest.mark.parametrize(("types", "expected"), [(0, "1"), (1, "2"), (2, "3"), (4, "3")])
def test_3_1_2_one_point_per_kind_of_work_up_to_two(types: int, expected: str) -> None:
    assert leaf("三.1.(2)", {"proficient": True, "work_types": types})[0] == D(expected)


@pytest.mark.parametrize(("meetings", "expected"), [(0, "1"), (1, "1.5"), (2, "2"), (5, "2")])
def test_4_1_1_half_a_point_per_meeting_up_to_one(meetings: int, expected: str) -> None:
    assert leaf("四.1.(1)", {"leading_group": True, "meetings": meetings})[0] == D(expected)


@pytest.mark.parametrize(("sessions", "expected"), [(0, "0"), (1, "1"), (2, "2"), (12, "2")])
def test_6_1_2_one_point_per_live_lesson_up_to_two(sessions: int, expected: str) -> None:
    assert leaf("六.1.(2)", {"sessions": sessions})[0] == D(expected)


# --- thresholds on shares -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("multimedia", "mobile", "expected"),
    [(90, 30, "3"), (89.9, 30, "1"), (90, 29.9, "2"), (100, 0, "2"), (0, 100, "1")],
)
def test_2_3_3_ninety_and_thirty_percent_of_lessons(multimedia: float, mobile: float, expected: str) -> None:
    assert leaf("二.3.(3)", {"multimedia_share": multimedia, "mobile_share": mobile})[0] == D(expected)


@pytest.mark.parametrize(
    ("rate", "proofs", "usage", "expected"),
    [(100, 3, True, "3"), (99.9, 3, True, "2"), (100, 2, True, "2"), (100, 8, False, "2"), (50, 0, False, "0")],
)
def test_2_3_1_full_opening_three_award_proofs_and_usage(rate: float, proofs: int, usage: bool, expected: str) -> None:
    values = {"open_rate": rate, "award_proofs": proofs, "usage_analysis": usage}
    assert leaf("二.3.(1)", values)[0] == D(expected)


@pytest.mark.parametrize(
    ("digital", "maker", "expected"), [(100, 5, "3"), (99.9, 5, "1"), (100, 4.9, "2"), (100, 30, "3")]
)
def test_3_1_4_every_student_a_digital_work_five_percent_a_maker_work(
    digital: float, maker: float, expected: str
) -> None:
    assert leaf("三.1.(4)", {"digital_share": digital, "maker_share": maker})[0] == D(expected)


# --- deductions: 一.5.(1), 一.5.(2), 四.1.(3) -------------------------------------------


@pytest.mark.parametrize(("missing", "expected"), [(0, "2"), (1, "1.5"), (2, "1"), (3, "1"), (4, "1")])
def test_1_5_1_half_a_point_off_per_missing_security_part(missing: int, expected: str) -> None:
    keys = ["monitoring", "alarm", "police_link", "entry_registration"]
    values: dict[str, Any] = {k: i >= missing for i, k in enumerate(keys)}
    values["tracking"] = True
    assert leaf("一.5.(1)", values)[0] == D(expected)


def test_1_5_2_missing_or_outdated_systems_cost_half_a_point_each() -> None:
    values = full_values("一.5.(2)")
    assert leaf("一.5.(2)", values)[0] == D(2)
    pts, text = leaf("一.5.(2)", {**values, "intrusion_alarm": False})
    assert pts == D("1.5")
    assert "缺 1 项（入侵报警（具备且非老旧）），每缺一项扣 0.5 分，扣 0.5 分，得 0.5 分" in text
    assert leaf("一.5.(2)", {**values, "fire_alarm": False, "emergency_call": False})[0] == D(1)
    assert leaf("一.5.(2)", {**values, "fire_alarm": False, "emergency_call": False, "video_map": False})[0] == 0
    assert "小学不填" in load_framework(FW).by_code["一.5.(2)"].inputs["exam_monitoring"].label


@pytest.mark.parametrize(("missing", "expected"), [(0, "4"), (1, "3"), (2, "2"), (3, "1"), (4, "0")])
def test_4_1_3_missing_one_rule_costs_one_point(missing: int, expected: str) -> None:
    keys = ["management_rules", "application_rules", "security_rules", "training_rules"]
    values = {k: i >= missing for i, k in enumerate(keys)}
    assert leaf("四.1.(3)", values)[0] == D(expected)


def test_4_1_3_explanation() -> None:
    values = {"management_rules": True, "application_rules": False, "security_rules": True, "training_rules": False}
    text = leaf("四.1.(3)", values)[1]
    assert text == (
        "缺 2 项（应用制度：含软硬件管理、人员培训制度：有详细制度文件），每缺一项扣 1 分，扣 2 分，得 2 分"
    )
    assert leaf("四.1.(3)", full_values("四.1.(3)"))[1] == "4 项齐全，得 4 分"


# --- items: contests, research results, activities -----------------------------------------


def contest(name: str, level: str = "市级", date: str = "2023-04-20") -> dict[str, str]:
    return {"contest": name, "level": level, "date": date}


def test_3_1_5_one_point_per_different_contest_up_to_three() -> None:
    assert leaf("三.1.(5)", {"contests": [contest("a")]})[0] == D(1)
    assert leaf("三.1.(5)", {"contests": [contest("a"), contest("b", "国家级")]})[0] == D(2)
    four = [contest(n) for n in "abcd"]
    pts, text = leaf("三.1.(5)", {"contests": four})
    assert pts == D(3)
    assert "计 4 分，超过上限按 3 分计，得 3 分" in text


def test_3_1_5_same_contest_counts_once_and_only_the_last_three_years() -> None:
    items = [contest("电脑作品大赛", date="2022-04-22"), contest("电脑作品大赛", "省级", date="2023-04-20")]
    pts, text = leaf("三.1.(5)", {"contests": items})
    assert pts == D(1)
    assert "「电脑作品大赛」重复" in text
    inside, outside = contest("a", date="2021-05-30"), contest("b", date="2021-05-29")
    pts, text = leaf("三.1.(5)", {"contests": [inside, outside]})
    assert pts == D(1)
    assert "「b」2021-05-29 不在近三年（2021-05-30 起）内" in text


def test_3_1_5_district_contests_are_refused() -> None:
    with pytest.raises(InvalidAnswers) as caught:
        leaf("三.1.(5)", {"contests": [contest("a", "区级")]})
    problem = caught.value.problems[0]
    assert (problem.code, problem.field) == ("三.1.(5)", "contests")
    assert "级别只能选择：市级、省级、国家级" in problem.message_zh


def result_item(name: str, kind: str = "市级以上比赛课件", date: str = "2023-05-18") -> dict[str, str]:
    return {"name": name, "kind": kind, "date": date}


def test_3_2_4_half_a_point_per_result_up_to_four_plus_one_for_the_registry() -> None:
    assert leaf("三.2.(4)", {"results": [result_item("a")], "registry": False})[0] == D("0.5")
    assert leaf("三.2.(4)", {"results": [result_item("a")], "registry": True})[0] == D("1.5")
    nine = [result_item(f"成果{i}") for i in range(9)]
    pts, text = leaf("三.2.(4)", {"results": nine, "registry": True})
    assert pts == D(5)
    assert "市级以上比赛课件 9 个×0.5，计 4.5 分，超过上限按 4 分计，得 4 分" in text
    assert leaf("三.2.(4)", {"results": nine[:8], "registry": False})[0] == D(4)


def test_3_2_4_same_result_once_and_last_three_years() -> None:
    items = [
        result_item("同一篇论文", "市级以上评比论文"),
        result_item("同一篇论文", "省级以上CN刊物发表论文"),
        result_item("旧课例", "市级以上比赛优秀课例", "2020-06-15"),
    ]
    pts, text = leaf("三.2.(4)", {"results": items, "registry": False})
    assert pts == D("0.5")
    assert "「同一篇论文」重复" in text
    assert "「旧课例」2020-06-15 不在近三年（2021-05-30 起）内" in text


def test_6_1_1_one_point_per_district_level_or_higher_activity_up_to_two() -> None:
    one = [{"name": "区研讨", "level": "区级", "date": "2023-11-08"}]
    assert leaf("六.1.(1)", {"activities": one})[0] == D(1)
    # 每次 1 分: the same series held on two dates counts twice
    twice = [*one, {"name": "区研讨", "level": "区级", "date": "2024-03-14"}]
    pts, text = leaf("六.1.(1)", {"activities": twice})
    assert pts == D(2)
    assert text == "区级（含区级）以上交流研讨及示范课观摩活动：区级 2 个×1，计 2 分，得 2 分"
    three = [{"name": n, "level": "省级", "date": "2024-01-05"} for n in "abc"]
    assert leaf("六.1.(1)", {"activities": three})[0] == D(2)
    with pytest.raises(InvalidAnswers) as caught:
        leaf("六.1.(1)", {"activities": [{"name": "校内研讨", "level": "校级", "date": "2024-01-05"}]})
    assert "级别只能选择：区级、市级、省级、国家级" in caught.value.problems[0].message_zh


# --- reviewers adjust "酌情" items within the indicator's points ------------------------------


def test_reviewer_may_adjust_a_discretionary_item_within_its_points() -> None:
    result = score_doc(full(), overrides={"二.3.(1)": D("2.5")})
    assert result.total == D("199.5")
    assert result.indicators["二.3.(1)"].explanation.startswith("评审调整为 2.5 分（按规则 3 分：")
    with pytest.raises(InvalidAnswers) as caught:
        score_doc(full(), overrides={"二.3.(1)": D("3.5")})
    assert "调整分值应在 0–3 分之间" in caught.value.problems[0].message_zh


# --- bad input ----------------------------------------------------------------------------------


def test_bad_input_names_indicator_and_field() -> None:
    doc = {
        "answers": {
            "一.1.(4)": {"migration": "第三方云"},
            "二.3.(3)": {"multimedia_share": 101, "mobile_share": 30},
            "一.3.(1)": {"teachers": 0, "teacher_computers": 10, "students": 10, "student_computers": 2.5},
            "一.3.(3)": {"featured_rooms": -1},
            "二.2.(3)": {"mobile": "也许"},
            "四.3": {"funding_plan": True, "budget": 100},
            "三.2.(4)": {"results": [result_item("a", date="2024-06-01")], "registry": True},
        }
    }
    with pytest.raises(InvalidAnswers) as caught:
        score_doc(doc)
    found = {(p.code, p.field): p.message_zh for p in caught.value.problems}
    assert "学校应用迁移市区教育政务云的情况只能选择：全部应用迁移市区教育政务云" in found[("一.1.(4)", "migration")]
    assert "不能超过 100%" in found[("二.3.(3)", "multimedia_share")]
    assert "教师数不能小于 1人" in found[("一.3.(1)", "teachers")]
    assert "学生用机数应为整数" in found[("一.3.(1)", "student_computers")]
    assert "不能为负数" in found[("一.3.(3)", "featured_rooms")]
    assert "应填“是”或“否”" in found[("二.2.(3)", "mobile")]
    assert "未知字段 budget" in found[("四.3", "budget")]
    assert "晚于评估基准日 2024-05-30" in found[("三.2.(4)", "results")]


def test_unknown_code_is_refused() -> None:
    with pytest.raises(InvalidAnswers) as caught:
        score_doc({"answers": {"一.1.(5)": {"fiber": True}, "一.1": {"fiber": True}}})
    messages = {p.code: p.message_zh for p in caught.value.problems}
    assert messages["一.1.(5)"] == "未知的指标编码 一.1.(5)"
    assert messages["一.1"] == "指标 一.1 有下级指标，请在末级指标下作答"
