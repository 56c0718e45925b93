"""Validator findings added by the seed audit: who decides an input (`decided_by`), a scoring
text copied word for word from another indicator, stated points that disagree with the parts."""

from __future__ import annotations

import textwrap
from pathlib import Path

from campuseval.engine import FrameworkError, check_framework, load_framework_file, score

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
