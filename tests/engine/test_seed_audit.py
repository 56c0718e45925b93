"""The seed audit of the six bundled frameworks (issue 14): one worked example per finding,
taken from the seed's own words, each failing before its fix."""

from __future__ import annotations

import datetime as dt
from typing import Any

from campuseval.engine import check_framework, load_framework, score

from .helpers import D, example, points, run

AS_OF = dt.date(2024, 5, 30)


def cases(*rows: tuple[str, str]) -> dict[str, Any]:
    """Bozhou school 7.x answers: (case name, level) rows, all dated inside 近五年."""
    return {"cases": [{"name": "评选", "level": level, "date": "2023-01-01", "case": case} for case, level in rows]}


# --- 1. Bozhou district 17.1 part 1: 每所加 0.3 分 and 同一案例只取一项 ------------------------


def test_bozhou_district_17_1_school_counts_if_any_honour_survives_the_same_case_rule() -> None:
    """亳州附件1 八、示范效应：“区域内学校获得国家级信息化应用优秀作品或者教育信息化有关工作
    示范试点（实验）单位的每所加 0.3 分，最多加 3 分”；表头“同一案例如符合多个指标要求，只取一项
    得分”。学校甲的“智慧课堂实录”已在 7.1 作为国家级获奖案例计 1.5 分，不再在 17.1 计分；但学校甲
    另有一项与之无关的国家级试点单位，“每所”仍应计 0.3 分。"""
    result = run(
        "bozhou-2024-district",
        {
            "7.1": {"cases": [{"case": "智慧课堂实录", "level": "国家级", "date": "2022-01-01"}]},
            "17.1": {
                "school_honours": [
                    {
                        "school": "学校甲",
                        "name": "智慧课堂实录",
                        "kind": "国家级信息化应用优秀作品",
                        "date": "2022-01-01",
                    },
                    {
                        "school": "学校甲",
                        "name": "人工智能教育试点",
                        "kind": "国家级教育信息化有关工作示范试点（实验）单位",
                        "date": "2023-01-01",
                    },
                ],
                "district_honours": [],
                "innovations": [],
            },
        },
    )
    assert points(result, "7.1") == D("1.5")
    assert points(result, "17.1") == D("0.3")
    assert "「智慧课堂实录」已在 7.1 计分，同一案例只取一项" in result.indicators["17.1"].explanation


# --- 2. 同一案例只取一项 respects the caps ---------------------------------------------------


def test_bozhou_school_shared_case_goes_where_it_adds_most_to_the_total() -> None:
    """亳州附件2 7.1：“1 个国家级智慧课堂获奖案例得 3 分，满分 6 分加满为止”；7.2：“1 个国家级获奖
    案例得 2 分，满分 3 分加满为止”；表头“同一案例如符合多个指标要求，只取一项得分”。7.1 有三个
    国家级案例（9 分，封顶 6 分），其中“双师课堂”也是 7.2 的国家级案例：放在 7.1 不多得一分，放在
    7.2 得 2 分，故归入 7.2（7.1 仍 6 分，7.2 得 2 分，而不是 6 + 0）。"""
    result = run(
        "bozhou-2024-school",
        {
            "7.1": cases(("双师课堂", "国家级"), ("AI 作文", "国家级"), ("数字实验", "国家级")),
            "7.2": cases(("双师课堂", "国家级")),
        },
    )
    assert (points(result, "7.1"), points(result, "7.2")) == (D(6), D(2))
    text = result.indicators["7.1"].explanation
    assert "「双师课堂」已在 7.2 计分，同一案例只取一项" in text
    assert "同分时归入编码在前的指标" in text


def test_bozhou_school_shared_case_tie_still_goes_to_the_earlier_indicator() -> None:
    """同上；两处得分相同（都未封顶、条目同分）时归入编码在前者，结果确定。"""
    result = run("bozhou-2024-school", {"7.2": cases(("x", "省级")), "7.3": cases(("x", "省级"))})
    assert (points(result, "7.2"), points(result, "7.3")) == (D(1), D(0))
    assert "「x」已在 7.2 计分" in result.indicators["7.3"].explanation


def test_bozhou_school_many_shared_cases_are_shared_out_without_losing_points() -> None:
    """More shared cases than ways tried one by one (SHARE_LIMIT): the stepwise search still
    moves a case out of a capped indicator. 7.1 has ten national cases (capped at 6), all of them
    also in 7.2, 7.3 and 7.4 (each capped at 3): 6 + 3 + 3 + 3 = 15 is reachable."""
    names = [f"案例{i}" for i in range(10)]
    rows = [(n, "国家级") for n in names]
    fw = load_framework("bozhou-2024-school")
    answers = {"7.1": cases(*rows), "7.2": cases(*rows), "7.3": cases(*rows), "7.4": cases(*rows)}
    result = score(fw, {"answers": answers}, as_of=AS_OF)
    assert [points(result, c) for c in ("7.1", "7.2", "7.3", "7.4")] == [D(6), D(3), D(3), D(3)]


# --- 3. Xiamen 六.1.(1): 每次1分 ------------------------------------------------------------


def test_xiamen_6_1_1_the_same_activity_on_the_same_date_counts_once() -> None:
    """厦门 六.1.(1)：“参加区级（含区级）以上交流研讨及示范课观摩活动，提供活动内容、时间和记录等。
    （每次1分，共2分）”。同一次活动（名称、日期都相同）填了两遍仍是一次，得 1 分；同名活动在另一天
    举办是另一次。"""
    once = {"name": "区智慧课堂研讨", "level": "区级", "date": "2024-03-07"}
    result = run("xiamen-trial-school", {"六.1.(1)": {"activities": [once, dict(once)]}})
    assert points(result, "六.1.(1)") == D(1)
    assert "「区智慧课堂研讨、2024-03-07」重复填报（活动名称、活动日期相同），只计一次" in (
        result.indicators["六.1.(1)"].explanation
    )
    again = {**once, "date": "2024-04-11"}
    assert points(run("xiamen-trial-school", {"六.1.(1)": {"activities": [once, dict(once), again]}}), "六.1.(1)") == 2


# --- 4. questions that punish honesty: the stage belongs to the school's context ----------


def test_xiamen_1_5_2_primary_school_is_not_asked_about_electronic_invigilation() -> None:
    """厦门 一.5.(2) 材料要求：“缺一项或老旧扣 0.5 分，小学不要求电子监考。”一所小学具备其余六个系统、
    没有电子监考，如实不填这一项，得满分 2 分；一所初中缺电子监考，扣 0.5 分。"""
    six = {
        "video_surveillance": True,
        "intrusion_alarm": True,
        "access_control": True,
        "fire_alarm": True,
        "emergency_call": True,
        "emergency_broadcast": True,
        "video_map": True,
    }
    primary = run("xiamen-trial-school", {"一.5.(2)": six}, context={"stage": "小学"})
    assert points(primary, "一.5.(2)") == D(2)
    assert "小学不要求电子监考" in primary.indicators["一.5.(2)"].explanation
    junior = run("xiamen-trial-school", {"一.5.(2)": {**six, "exam_monitoring": False}}, context={"stage": "初中"})
    assert points(junior, "一.5.(2)") == D("1.5")
    unanswered = run("xiamen-trial-school", {"一.5.(2)": six}, context={"stage": "初中"})
    assert unanswered.indicators["一.5.(2)"].missing == ("电子监考（具备且非老旧；小学不填）",)
    label = load_framework("xiamen-trial-school").by_code["一.5.(2)"].inputs["exam_monitoring"].label
    assert "填“是”" not in label


def test_xiamen_2_4_1_primary_school_answers_for_its_own_students() -> None:
    """厦门 二.4.(1)：“针对初中以上学生，提供开通实名的网络学习空间截图……（1分） 针对初中以下的学生，
    提供智慧学习平台帮助学生利用网络空间进行讨论、作业、考试、拓展等功能截图。（1分）”。小学没有初中以上
    学生，如实说没有实名网络学习空间也不失分：它只答学习平台一问。"""
    fw = load_framework("xiamen-trial-school")
    primary = run(fw, {"二.4.(1)": {"platform": True, "usage": True}}, context={"stage": "小学"})
    assert points(primary, "二.4.(1)") == D(2)
    junior = run(fw, {"二.4.(1)": {"learning_space": True, "usage": True}}, context={"stage": "初中"})
    assert points(junior, "二.4.(1)") == D(2)
    both = {"learning_space": True, "platform": False, "usage": True}
    assert points(run(fw, {"二.4.(1)": both}, context={"stage": "九年一贯制"}), "二.4.(1)") == D(1)
    assert all("填“是”" not in spec.label for spec in fw.by_code["二.4.(1)"].inputs.values())


def test_sichuan_school_c10_primary_school_is_not_asked_about_high_school_recording() -> None:
    """四川附件2 C10：“高中学校要实现主要学科教学常态化直录播”；“高中学校主要学科常态化直录播场景为基本
    场景之一”。一所小学开展 6 个场景、没有直录播，如实不填，得 6 分并满足必要条件；普通高中没有直录播则
    不得分、必要条件未满足。"""
    fw = load_framework("sichuan-2023-school")
    primary = run(fw, {"C10": {"scenarios": 6}}, context={"stage": "小学"})
    assert points(primary, "C10") == D(6)
    assert "C10" not in [m.code for m in primary.unmet_necessary]
    high = run(fw, {"C10": {"scenarios": 6, "live_recording": False}}, context={"stage": "普通高中"})
    assert points(high, "C10") == 0
    assert "C10" in [m.code for m in high.unmet_necessary]
    assert "填“是”" not in fw.by_code["C10"].inputs["live_recording"].label


TAIZHOU_NOT_SCORED = {
    "一(三)3": "three_classrooms",
    "一(三)6": "digital_lab",
    "一(四)": "ai_cameras",
    "二(二)2": "systematic",
    "四(一)2": "career_data",
    "四(五)5": "career",
    "五(四)2": "filed",
}


def test_taizhou_inputs_that_do_not_score_may_be_left_blank() -> None:
    """泰州细则：“（支持‘三个课堂’活动▲）”等▲部分“不另计分”，“高中学校建有数字化实验室”“高中阶段学生建立
    生涯规划教育数据”“高中阶段开展生涯规划评估”对其他学段“不影响得分”，“示范校、优秀校须完成网络安全等级
    保护备案”不另计分。一所九年一贯制学校把这七问都留空：七条照常得分、★照常达到，只有▲与优秀型的必要条件
    按未达到计。"""
    fw = load_framework("taizhou-2022-school")
    doc = example("taizhou-2022-school.full")
    doc["context"] = {"stage": "九年一贯制"}
    for code, key in TAIZHOU_NOT_SCORED.items():
        del doc["answers"][code][key]
    result = score(fw, doc, as_of=dt.date(2022, 8, 31))
    for code in TAIZHOU_NOT_SCORED:
        assert result.indicators[code].status == "scored", code
        assert result.indicators[code].points == result.indicators[code].max_points, code
    assert result.unanswered == []
    assert result.total == D(110)
    assert [m.kind for m in result.unmet if m.kind == "basic"] == []
    assert all(fw.by_code[c].inputs[k].optional for c, k in TAIZHOU_NOT_SCORED.items())
    # a high school is still asked about its digital laboratory
    high = {**doc, "context": {"stage": "普通高中"}}
    again = score(fw, high, as_of=dt.date(2022, 8, 31))
    assert again.indicators["一(三)6"].status == "unanswered"
    assert again.indicators["一(三)6"].missing == ("建有数字化实验室（高中学校填写；其他学段可不填）",)


def test_taizhou_6_2_3_counts_teaching_months_not_vacations() -> None:
    """泰州 六(二)3：“组织校级以上骨干教师、名师，每个月开展至少1次以上课堂教学实况在线直播或点播活动。”
    课堂教学实况只在上课期间有：问的是教学月份中最少的一个月，寒暑假不计入，学校不必因假期填 0 而失分。"""
    leaf = load_framework("taizhou-2022-school").by_code["六(二)3"]
    label = leaf.inputs["min_per_month"].label
    assert "教学月份" in label and "不含寒假、暑假" in label
    assert "寒假、暑假等整月不上课的月份不计入" in leaf.note


# --- 5. judgements the seed leaves to the review group -----------------------------------

REVIEWER_DECIDED = {
    "bozhou-2024-district": {"4.1": ["judgement", "points"], "17.1": ["innovations"]},
    "bozhou-2024-school": {"4.1": ["effect", "band_points"], "17.1": ["impacts"]},
    "sichuan-2023-district": {"C25": ["top_ranked"], "C38": ["panel_score"]},
    "sichuan-2023-school": {"C8": ["top_ranked"], "C11": ["device_share"]},
    "taizhou-2022-school": {},
    "xiamen-trial-school": {"二.3.(1)": ["usage_analysis"], "四.2.(1)": ["spot_check"], "四.4.(3)": ["notices"]},
}


def test_every_judgement_the_seed_leaves_to_reviewers_is_marked_reviewer_decided() -> None:
    """亳州 4.1“出台有力举措且取得良好效果得 6 分，效果不明显得 1-2 分”、17.1/八“经评估认定后每项加 1（2）分”；
    四川区域 C38“创建阶段由评审组评定得分”、学校 C11（抽查课堂）、C25 与学校 C8“排名全省前列”；厦门“不足的
    酌情扣分”“此项需专家复核”、四.2.(1)“建议现场抽查分工工作落实情况”：这些都由评审认定，不由申报方自定。"""
    for fw_id, expected in REVIEWER_DECIDED.items():
        assert load_framework(fw_id).reviewer_decided_inputs() == expected, fw_id


def test_sichuan_ranking_among_the_provinces_first_is_a_reviewer_yes_no_not_an_invented_top_20_percent() -> None:
    """四川附件1 C25“每百人平均浏览量排名全省前列(2分)”；附件2 C8“百人浏览量排名全省前列得2分”。原文没有
    “前 20%”：排名是省里掌握的事实，问“是否排名全省前列”，由评审认定；一个第 25% 的区域不再因自设界线失分。"""
    for fw_id, code in (("sichuan-2023-district", "C25"), ("sichuan-2023-school", "C8")):
        leaf = load_framework(fw_id).by_code[code]
        spec = leaf.inputs["top_ranked"]
        assert (spec.type, spec.decided_by) == ("bool", "reviewer")
        assert "排名全省前列" in spec.label
        assert "rank_percentile" not in leaf.inputs
        assert "20%" not in leaf.note
    district = run(
        "sichuan-2023-district",
        {"C25": {"school_rate": 100, "teacher_rate": 90, "student_rate": 50, "parent_rate": 50, "top_ranked": True}},
    )
    assert points(district, "C25") == D(4)
    assert district.reviewer_decided["C25"] == ["top_ranked"]


def test_sichuan_self_score_gate_counts_the_self_estimate_and_says_so() -> None:
    """四川 第四条（三）：“在满足必要条件后，自评 70 分以上的可自愿申报。”门槛是自评分：评审认定的 C8、C11 按
    学校的自评估计计入，并在结果中列为自评估计。"""
    result = score(load_framework("sichuan-2023-school"), example("sichuan-2023-school.full"), as_of=AS_OF)
    assert result.eligible
    assert result.eligibility_self_estimated == ["C8", "C11"]
    assert result.to_dict()["eligibility"]["self_estimated"] == ["C8", "C11"]
    assert result.to_dict()["indicators"]["C11"]["reviewer_decided"] == ["device_share"]


# --- 6. Bozhou district 15.2 repeated 15.1's text ------------------------------------------


def test_bozhou_district_15_2_scoring_text_is_its_own_and_the_validator_is_clean() -> None:
    """亳州附件1 15.2：“依托学生心理健康监测平台或系统，构建学生心理健康评价模型……建立学生心理成长电子档案”；
    其赋分说明在原文中与 15.1 逐字相同（“依托学生体质健康监测有关平台或系统，建立学生体质健康数字档案”）。
    本文件的赋分说明按 15.2 的内容改写，校验器不再报复制笔误。"""
    fw = load_framework("bozhou-2024-district")
    scoring = fw.by_code["15.2"].scoring
    assert scoring != fw.by_code["15.1"].scoring
    assert "心理健康监测平台或系统" in scoring and "体质健康" not in scoring
    assert [p.message_zh for p in check_framework(fw) if p.severity != "note"] == []


def test_the_example_answers_stay_complete_for_a_school_of_any_stage() -> None:
    """Demonstration data mixes the full and sample answers for schools of every stage: the
    questions asked only of some stages (电子监考, 数字化实验室, 直录播 …) are answered in both."""
    for fw_id in ("xiamen-trial-school", "sichuan-2023-school", "taizhou-2022-school"):
        fw = load_framework(fw_id)
        for kind in ("full", "sample"):
            doc = example(f"{fw_id}.{kind}")
            for stage in fw.context["stage"].options:
                result = score(fw, {**doc, "context": {"stage": stage}})
                assert result.unanswered == [], (fw_id, kind, stage, result.unanswered)
