"""The command line: template, score as table and JSON, refusal of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from campuseval.cli import main
from campuseval.engine.yamlio import load_yaml


def test_template_lists_every_leaf_unanswered(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "answers.yaml"
    assert main(["frameworks", "template", "bozhou-2024-school", "-o", str(out)]) == 0
    doc = load_yaml(out.read_text(encoding="utf-8"))
    assert doc["framework"] == "bozhou-2024-school"
    assert doc["answers"]["1.1"] == {"bandwidth": None}
    assert "出口带宽，数字，单位 M" in out.read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["score", "bozhou-2024-school", str(out), "--as-of", "2024-05-30", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["total"] == "0"
    assert "1.1" in result["unanswered"]


def test_score_table_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "a.json"
    answers.write_text(json.dumps({"answers": {"1.1": {"bandwidth": 450}, "1.2": {"coverage": 35}}}), encoding="utf-8")
    assert main(["score", "bozhou-2024-school", str(answers), "--as-of", "2024-05-30"]) == 0
    table = capsys.readouterr().out
    assert "出口带宽 450M，在 400M（含）至 500M 档，得 6 分" in table
    assert "总分：12.8 / 100 分" in table
    assert main(["score", "bozhou-2024-school", str(answers), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["indicators"]["1.2"]["points"] == "6.8"
    assert data["subtotals"]["1"] == "12.8"
    assert data["total"] == "12.8"


def test_bad_input_is_refused_with_code_and_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = tmp_path / "a.yaml"
    answers.write_text("answers:\n  '1.2': {coverage: 120}\n  '1.1': {bandwidth: -5}\n", encoding="utf-8")
    assert main(["score", "bozhou-2024-school", str(answers)]) == 2
    err = capsys.readouterr().err
    assert "指标 1.2 字段 coverage: 三年级以上智慧课堂班级覆盖率是百分比，不能超过 100%" in err
    assert "指标 1.1 字段 bandwidth: 出口带宽不能为负数" in err


def test_unknown_framework(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frameworks", "template", "nowhere"]) == 2
    assert "找不到框架 nowhere" in capsys.readouterr().err
