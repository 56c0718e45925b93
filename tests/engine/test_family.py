"""The framework family and the creation cap are stated in the framework file, not inferred
from the key or from the scoring prose."""

from __future__ import annotations

import pytest

from campuseval.engine import FrameworkError, check_framework, framework_paths, load_framework, load_framework_text

MINI = """
id: {key}
{family}title: 测试框架
subject: school
level_names: [一级指标, 二级指标]
total: 10
indicators:
  - code: A1
    title: 测试
    points: 10
    children:
      - code: B1
        title: 发展愿景
        points: 10
        scoring: 按完成情况打分
{cap}        inputs: [{{key: p, type: number, label: 评定分}}]
        rule: {{type: manual, input: p}}
"""


def test_bundled_frameworks_state_their_family() -> None:
    for path in framework_paths():
        text = path.read_text(encoding="utf-8")
        fw = load_framework(path.stem)
        assert f"\nfamily: {fw.family}\n" in text, path.name
    assert load_framework("taizhou-2022-school").family == "taizhou"
    assert load_framework("sichuan-2023-district").family == "sichuan"


def test_family_is_read_from_the_file_not_the_key() -> None:
    fw = load_framework_text(MINI.format(key="city-2025-school", family="family: taizhou\n", cap=""))
    assert fw.family == "taizhou"
    assert not [p for p in fw.problems + check_framework(fw) if p.severity == "error"]


def test_family_left_out_falls_back_to_the_key_prefix() -> None:
    assert load_framework_text(MINI.format(key="mini-district", family="", cap="")).family == "mini"


def test_family_with_spaces_is_a_problem() -> None:
    with pytest.raises(FrameworkError) as caught:
        load_framework_text(MINI.format(key="mini", family="family: 泰 州\n", cap=""))
    assert any("family" in p.message_zh for p in caught.value.problems)


def test_creation_cap_is_an_explicit_indicator_field() -> None:
    plain = load_framework_text(MINI.format(key="mini", family="family: mini\n", cap=""))
    capped = load_framework_text(
        MINI.format(key="mini", family="family: mini\n", cap="        capped_by_creation: true\n")
    )
    assert not plain.by_code["B1"].capped_by_creation
    assert capped.by_code["B1"].capped_by_creation
    district = load_framework("sichuan-2023-district")
    assert [n.code for n in district.walk() if n.capped_by_creation] == ["C38"]
