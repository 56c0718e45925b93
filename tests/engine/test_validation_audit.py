"""Validator findings added by the seed audit: who decides an input (`decided_by`), a scoring
text copied word for word from another indicator, stated points that disagree with the parts."""

from __future__ import annotations

import textwrap
from pathlib import Path

from campuseval.engine import FrameworkError, answer_template, check_framework, load_framework_file, score

REVIEWED = """\
id: reviewed
title: 评审认定
subject: school
level_names: [一级, 二级]
total: 10
indicators:
  - code: 一
    title: 第一部分
    points: 10
    children:
      - code: "1.1"
        title: 甲
        points: 4
        inputs:
          - {key: a, type: bool, label: 甲}
        rule: {type: yes_no, input: a}
      - code: "1.2"
        title: 乙
        points: 6
        inputs:
          - {key: b, type: bool, label: 经评估认定, decided_by: reviewer}
          - {key: c, type: bool, label: 丙, decided_by: applicant}
        rule: {type: all_met, conditions: [{input: b}, {input: c}]}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fw.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_problems(tmp_path: Path, text: str) -> list[tuple[str, str, str]]:
    try:
        fw = load_framework_file(write(tmp_path, text))
    except FrameworkError as exc:
        found = exc.problems
    else:
        found = fw.problems + check_framework(fw)
    return [(p.severity, p.code, p.message_zh) for p in found]


def test_decided_by_is_read_and_listed_per_leaf(tmp_path: Path) -> None:
    fw = load_framework_file(write(tmp_path, REVIEWED))
    assert fw.by_code["1.1"].inputs["a"].decided_by == "applicant"
    assert fw.by_code["1.2"].inputs["b"].decided_by == "reviewer"
    assert fw.by_code["1.2"].inputs["c"].decided_by == "applicant"
    assert fw.reviewer_decided_inputs() == {"1.2": ["b"]}


def test_unknown_decided_by_is_a_chinese_problem(tmp_path: Path) -> None:
    found = load_problems(tmp_path, REVIEWED.replace("decided_by: reviewer", "decided_by: expert"))
    errors = [(code, msg) for sev, code, msg in found if sev == "error"]
    code, msg = errors[0]
    assert code == "1.2"
    assert msg.startswith("输入 b 的 decided_by「expert」未知")
    assert "reviewer（评审认定）" in msg


def test_result_names_the_leaves_with_reviewer_decided_inputs(tmp_path: Path) -> None:
    fw = load_framework_file(write(tmp_path, REVIEWED))
    result = score(fw, {"answers": {"1.1": {"a": True}, "1.2": {"b": True, "c": True}}})
    assert result.total == 10
    assert result.reviewer_decided == {"1.2": ["b"]}
    assert result.indicators["1.2"].reviewer_decided == ("b",)
    assert result.indicators["1.1"].reviewer_decided == ()
    data = result.to_dict()["indicators"]
    assert data["1.2"]["reviewer_decided"] == ["b"]
    assert "reviewer_decided" not in data["1.1"]


COPIED = "scoring: 至少 3 所学校依托学生体质健康监测有关平台或系统，建立学生体质健康数字档案，得 3 分。"
OWN = "scoring: 至少 3 所学校依托学生心理健康监测平台或系统，建立学生心理成长电子档案，得 3 分。"
NOTE = "note: 原文分值 3 分，评分细则只列两项各 1 分（合 2 分），另以现场抽查计 1 分。"

TEXTS = """\
id: texts
title: 文本核对
subject: school
level_names: [一级, 二级]
total: 9
indicators:
  - code: 一
    title: 第一部分
    points: 9
    children:
      - code: "1.1"
        title: 体质健康
        points: 3
        criterion: 依托学生体质健康监测有关平台或系统，建立学生体质健康数字档案。
        scoring: 至少 3 所学校依托学生体质健康监测有关平台或系统，建立学生体质健康数字档案，得 3 分。
        inputs:
          - {key: a, type: bool, label: 甲}
        rule: {type: yes_no, input: a}
      - code: "1.2"
        title: 心理健康
        points: 3
        criterion: 依托学生心理健康监测平台或系统，建立学生心理成长电子档案。
        scoring: 至少 3 所学校依托学生体质健康监测有关平台或系统，建立学生体质健康数字档案，得 3 分。
        inputs:
          - {key: b, type: bool, label: 乙}
        rule: {type: yes_no, input: b}
      - code: "1.3"
        title: 队伍
        points: 3
        criterion: 组建智慧校园教师队伍。
        scoring: 1. 有教师队伍名单(1分);2. 提供职能分工和工作总结(1分)。
        inputs:
          - {key: c, type: bool, label: 丙}
          - {key: d, type: bool, label: 丁}
          - {key: e, type: bool, label: 戊}
        rule:
          type: checklist
          items:
            - {input: c, points: 1}
            - {input: d, points: 1}
            - {input: e, points: 1}
"""


def warnings_of(tmp_path: Path, text: str) -> list[tuple[str, str]]:
    return [(code, msg) for sev, code, msg in load_problems(tmp_path, text) if sev == "warning"]


def test_a_scoring_text_copied_from_another_indicator_is_noticed(tmp_path: Path) -> None:
    found = warnings_of(tmp_path, TEXTS)
    copied = [(code, msg) for code, msg in found if "逐字相同" in msg]
    assert copied == [
        (
            "1.2",
            "评分说明与 1.1 逐字相同，且写的是 1.1 的内容而不是本指标的"
            "（疑为复制笔误，请按原文本指标内容改写并在 note 中说明）",
        )
    ]
    tail = "\n        inputs:\n          - {key: b"
    fixed = TEXTS.replace(COPIED + tail, OWN + tail)
    assert fixed != TEXTS
    assert not [msg for _, msg in warnings_of(tmp_path, fixed) if "逐字相同" in msg]


def test_a_generic_text_repeated_on_purpose_is_not_a_copy_slip(tmp_path: Path) -> None:
    """Bozhou 7.2–7.4 share “1个市级获奖教学案例得0.2分……”: it describes none of them in particular."""
    generic = "此项为加分项：1个市级获奖教学案例得0.2分，1个省级获奖教学案例得0.5分，满分2分加满为止。"
    text = TEXTS.replace(COPIED, f"scoring: {generic}")
    assert text.count(generic) == 2
    assert not [msg for _, msg in warnings_of(tmp_path, text) if "逐字相同" in msg]


def test_stated_parts_that_disagree_with_the_points_are_noticed(tmp_path: Path) -> None:
    found = [(code, msg) for code, msg in warnings_of(tmp_path, TEXTS) if "分项合计" in msg]
    assert found == [
        (
            "1.3",
            "评分说明列出的分项合计 2 分（1、1），与本指标 3 分不符（如原文如此，请在 note 中写明合计 2 分及处理办法）",
        )
    ]
    noted = TEXTS.replace(
        "        title: 队伍\n        points: 3\n",
        f"        title: 队伍\n        points: 3\n        {NOTE}\n",
    )
    assert not [msg for _, msg in warnings_of(tmp_path, noted) if "分项合计" in msg]


def test_levels_listed_with_their_points_are_alternatives_not_parts(tmp_path: Path) -> None:
    """Sichuan C9 “典型案例获奖或推广,市级(0.5分)、省级(1分)国家级(1.5分)”: one of them, not all."""
    text = TEXTS.replace(
        "scoring: 1. 有教师队伍名单(1分);2. 提供职能分工和工作总结(1分)。",
        "scoring: 推广应用(2分);典型案例获奖,市级(0.5分)、省级(1分)国家级(1.5分)。",
    )
    assert not [msg for _, msg in warnings_of(tmp_path, text) if "分项合计" in msg]


def test_the_answer_template_says_which_answers_are_self_estimates(tmp_path: Path) -> None:
    text = answer_template(load_framework_file(write(tmp_path, REVIEWED)))
    lines = [line for line in text.splitlines() if "经评估认定" in line]
    assert lines and all("由评审认定，此处所填为自评估计" in line for line in lines)
    assert not [line for line in text.splitlines() if "丙" in line and "评审认定" in line]


def test_a_bare_on_key_is_the_word_on_not_true() -> None:
    """YAML 1.1 reads a bare `on` as the boolean true; as a key (`on: base` under a level or the
    eligibility gate) the loader keeps the word, so the choice is not silently lost."""
    from campuseval.engine.yamlio import load_yaml

    data = load_yaml("levels:\n  - {name: 示范, min_total: 90, on: base}\neligibility:\n  on: total\n  yes: 1\n")
    assert data["levels"][0]["on"] == "base" and data["eligibility"]["on"] == "total"
    assert data["eligibility"]["yes"] == 1 and "True" not in data["eligibility"]
    assert load_yaml("flag: on\n")["flag"] is True  # a value keeps YAML's reading
