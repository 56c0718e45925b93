"""`frameworks check`: every kind of mistake is found, with file, line and both languages."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from campuseval.cli import main
from campuseval.engine import FrameworkError, check_framework, load_framework_file

GOOD = """\
id: good
title: 好框架
subject: school
level_names: [一级, 二级]
total: 10
notes:
  - text: 原文总分与分项之和不一致，按分项之和。
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
          - {key: b, type: bool, label: 乙}
        rule: {type: yes_no, input: b}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "fw.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[tuple[str, int, str, str]]:
    path = write(tmp_path, text)
    try:
        fw = load_framework_file(path)
    except FrameworkError as exc:
        found = exc.problems
    else:
        found = fw.problems + check_framework(fw)
    return [(p.severity, p.line, p.code, p.message_zh) for p in found]


def errors(tmp_path: Path, text: str) -> list[tuple[int, str, str]]:
    return [(line, code, msg) for sev, line, code, msg in problems(tmp_path, text) if sev == "error"]


def test_good_framework_has_only_its_note(tmp_path: Path) -> None:
    found = problems(tmp_path, GOOD)
    assert found == [("note", 7, "", "原文总分与分项之和不一致，按分项之和。")]


def test_duplicate_code(tmp_path: Path) -> None:
    found = errors(tmp_path, GOOD.replace('code: "1.2"', 'code: "1.1"'))
    assert found[0][:2] == (19, "1.1")
    assert "指标编码 1.1 重复（首次出现在第 13 行）" in found[0][2]


def test_children_do_not_add_up(tmp_path: Path) -> None:
    found = errors(tmp_path, GOOD.replace("points: 6", "points: 5"))
    assert (9, "一", "下级指标合计 9 分，与本指标 10 分不符") in found


def test_rule_awards_more_than_indicator(tmp_path: Path) -> None:
    found = errors(
        tmp_path, GOOD.replace("rule: {type: yes_no, input: b}", "rule: {type: yes_no, input: b, points: 7}")
    )
    assert (19, "1.2", "规则最多可得 7 分，超过指标分值 6 分") in found


def test_rule_that_cannot_reach_the_points_is_a_warning_unless_noted(tmp_path: Path) -> None:
    text = GOOD.replace("rule: {type: yes_no, input: b}", "rule: {type: yes_no, input: b, points: 5}")
    found = problems(tmp_path, text)
    assert ("warning", 19, "1.2") in [(s, line, c) for s, line, c, _ in found]
    noted = text.replace("        title: 乙\n", "        title: 乙\n        note: 原文如此。\n")
    assert "warning" not in [s for s, *_ in problems(tmp_path, noted)]


def test_unused_input_and_unknown_input(tmp_path: Path) -> None:
    unused = GOOD.replace(
        "          - {key: b, type: bool, label: 乙}\n",
        "          - {key: b, type: bool, label: 乙}\n          - {key: z, type: bool, label: 多余}\n",
    )
    assert any("输入 z（多余）没有被规则或标记使用" in m for _, _, m in errors(tmp_path, unused))
    unknown = GOOD.replace("rule: {type: yes_no, input: b}", "rule: {type: yes_no, input: q}")
    assert any("未声明的输入 q" in m for _, _, m in errors(tmp_path, unknown))


def test_total_differs_from_seed(tmp_path: Path) -> None:
    found = errors(tmp_path, GOOD.replace("total: 10", "total: 12"))
    assert (1, "", "一级指标合计 10 分，与原文总分 12 分不符") in found


def test_unknown_rule_type_and_yaml_error_carry_lines(tmp_path: Path) -> None:
    found = errors(tmp_path, GOOD.replace("type: yes_no, input: b", "type: magic, input: b"))
    assert found[0][0] == 24 and "未知的规则类型 'magic'" in found[0][2]
    broken = errors(tmp_path, GOOD.replace("  - code: 一", "  - code: [一"))
    assert broken[0][0] > 0 and "YAML 解析失败" in broken[0][2]


def test_cli_check_exit_codes_and_messages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path, GOOD)
    assert main(["frameworks", "check", str(good)]) == 0
    assert "[说明 note]" in capsys.readouterr().out
    good.write_text(GOOD.replace("total: 10", "total: 12"), encoding="utf-8")
    assert main(["frameworks", "check", str(good)]) == 1
    out = capsys.readouterr().out
    assert "fw.yaml:1: 一级指标合计 10 分，与原文总分 12 分不符 / top-level indicators add up to 10" in out
