"""A workbook with mistakes gives problems that name the sheet, the row (as the spreadsheet
numbers it) and the column, in Chinese, and no framework: a bureau can find every cell to fix."""

from __future__ import annotations

import copy
import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest

from campuseval.engine import load_framework_text
from campuseval.engine.rules import REGISTRY
from campuseval.engine.workbook import (
    CONTEXT,
    FORM,
    INDICATORS,
    INPUTS,
    LEVELS,
    RULE_PLACES,
    RULES,
    SETTINGS,
    BookResult,
    dump_yaml,
    framework_to_sheets,
    sheets_to_framework,
)

from .test_workbook_roundtrip import form_of, loaded

NAME = "bozhou-2024-school"
_SHEETS = framework_to_sheets(loaded(NAME), form_of(NAME))


def sheets() -> dict[str, list[list[Any]]]:
    return copy.deepcopy(_SHEETS)


def find(book: dict[str, list[list[Any]]], sheet: str, **match: Any) -> int:
    """The spreadsheet row number (header = 1) of the first row whose columns hold `match`."""
    header = book[sheet][0]
    for index, row in enumerate(book[sheet][1:], start=2):
        cells = dict(zip(header, row, strict=False))
        if all(cells.get(k) == v for k, v in match.items()):
            return index
    raise LookupError(match)


def put(book: dict[str, list[list[Any]]], sheet: str, row: int, column: str, value: Any) -> None:
    book[sheet][row - 1][book[sheet][0].index(column)] = value


def where(result: BookResult) -> list[tuple[str, int, str]]:
    return [(p.sheet, p.row, p.column) for p in result.errors]


def test_an_unknown_rule_type_names_its_cell() -> None:
    book = sheets()
    row = find(book, RULES, 指标编码="1.1", 规则类型="分档（tiers）")
    put(book, RULES, row, "规则类型", "阶梯")
    result = sheets_to_framework(book)
    assert result.data is None
    assert where(result)[0] == (RULES, row, "规则类型")
    assert result.errors[0].message_zh.startswith("“规则类型”未知的规则类型「阶梯」（可用：")
    assert "分档（tiers）" in result.errors[0].message_zh
    assert result.errors[0].message_en


def test_points_that_are_not_a_number_name_their_cell() -> None:
    book = sheets()
    row = find(book, INDICATORS, 编码="1.1")
    put(book, INDICATORS, row, "分值", "八分")
    result = sheets_to_framework(book)
    assert result.data is None
    assert where(result) == [(INDICATORS, row, "分值")]
    assert result.errors[0].message_zh == "“分值”应为数字，收到「八分」"


def test_a_rule_points_cell_that_is_not_a_number_names_its_cell() -> None:
    book = sheets()
    row = find(book, RULES, 指标编码="2.2", 明细="条目", 输入项="funding")
    put(book, RULES, row, "分值", "2分")
    result = sheets_to_framework(book)
    assert where(result) == [(RULES, row, "分值")]
    assert "应为数字" in result.errors[0].message_zh


def test_child_points_exceeding_the_parent_name_the_child() -> None:
    book = sheets()
    row = find(book, INDICATORS, 编码="1.1")
    put(book, INDICATORS, row, "分值", 20)
    result = sheets_to_framework(book)
    assert result.data is None
    assert where(result) == [(INDICATORS, row, "分值")]
    assert result.errors[0].message_zh == "分值 20 超过上级指标 1 的分值 15"


def test_children_not_adding_up_are_placed_on_the_parent_by_the_engine() -> None:
    """The engine's own check (children add up to their parent) lands on the parent's row."""
    book = sheets()
    put(book, INDICATORS, find(book, INDICATORS, 编码="1.1"), "分值", 9)
    result = sheets_to_framework(book)
    assert result.data is None
    parent = find(book, INDICATORS, 编码="1")
    assert where(result) == [(INDICATORS, parent, "分值")]
    messages = {p.row: p.message_zh for p in result.errors}
    assert messages[parent] == "下级指标合计 16 分，与本指标 15 分不符"
    # the rule can still award only 8 of 9: a warning on 1.1 itself
    warnings = [(p.row, p.column) for p in result.problems if p.severity == "warning"]
    assert (find(book, INDICATORS, 编码="1.1"), "分值") in warnings


def test_an_unknown_parent_code_names_its_cell() -> None:
    book = sheets()
    row = find(book, INDICATORS, 编码="1.2")
    put(book, INDICATORS, row, "上级编码", "99")
    result = sheets_to_framework(book)
    assert result.data is None
    assert where(result) == [(INDICATORS, row, "上级编码")]
    assert result.errors[0].message_zh == "上级编码 99 在“编码”列中不存在"


def test_a_duplicate_code_names_both_rows() -> None:
    book = sheets()
    first, row = find(book, INDICATORS, 编码="1.1"), find(book, INDICATORS, 编码="1.2")
    put(book, INDICATORS, row, "编码", "1.1")
    result = sheets_to_framework(book)
    assert result.data is None
    assert where(result)[0] == (INDICATORS, row, "编码")
    assert result.errors[0].message_zh == f"编码 1.1 重复（首次出现在第 {first} 行）"


def test_a_level_that_contradicts_the_parent_code_names_its_cell() -> None:
    book = sheets()
    row = find(book, INDICATORS, 编码="1.1")
    put(book, INDICATORS, row, "层级", "二级")
    result = sheets_to_framework(book)
    assert where(result) == [(INDICATORS, row, "层级")]
    assert result.errors[0].message_zh == "层级写的是二级，按上级编码应为三级"


def test_parent_codes_in_a_loop_are_named() -> None:
    book = sheets()
    put(book, INDICATORS, find(book, INDICATORS, 编码="一"), "上级编码", "1.1")
    result = sheets_to_framework(book)
    assert result.data is None
    assert any("循环" in p.message_zh and p.column == "上级编码" for p in result.errors)


def test_a_rule_for_an_unknown_indicator_and_an_orphan_entry_are_named() -> None:
    book = sheets()
    rule = find(book, RULES, 指标编码="1.2")
    put(book, RULES, rule, "指标编码", "1.9")
    tier = find(book, RULES, 指标编码="1.1", 明细="档位")
    put(book, RULES, tier, "位置", "2")
    result = sheets_to_framework(book)
    assert (RULES, rule, "指标编码") in where(result)
    assert (RULES, tier, "明细") in where(result)
    assert "指标编码 1.9 在「指标」表中不存在" in [p.message_zh for p in result.errors]


def test_a_rule_naming_an_undeclared_input_is_placed_by_the_engine_on_the_rule_row() -> None:
    book = sheets()
    row = find(book, RULES, 指标编码="1.1", 规则类型="分档（tiers）")
    put(book, RULES, row, "输入项", "bw")
    result = sheets_to_framework(book)
    assert where(result) == [(RULES, row, "输入项")]
    assert "未声明的输入 bw" in result.errors[0].message_zh


def test_an_input_no_rule_reads_is_placed_by_the_engine_on_its_row() -> None:
    book = sheets()
    header = book[INPUTS][0]
    extra = dict.fromkeys(header)
    extra.update({"指标编码": "1.1", "键": "spare", "名称": "备用", "类型": "是否"})
    at = find(book, INPUTS, 指标编码="1.1") + 1
    book[INPUTS].insert(at - 1, [extra[h] for h in header])
    result = sheets_to_framework(book)
    assert where(result) == [(INPUTS, at, "键")]
    assert result.errors[0].message_zh == "输入 spare（备用）没有被规则或标记使用"


def test_an_unknown_input_type_is_placed_on_the_type_cell() -> None:
    book = sheets()
    row = find(book, INPUTS, 指标编码="1.1", 键="bandwidth")
    put(book, INPUTS, row, "类型", "小数")
    result = sheets_to_framework(book)
    assert where(result) == [(INPUTS, row, "类型")]
    assert result.errors[0].message_zh == "“类型”应为：数值、是否、单选、多选、条目列表、文字、日期，收到「小数」"


def test_an_input_type_the_engine_refuses_is_placed_on_the_input_and_the_rule() -> None:
    """An input the engine refuses (a choice without options) and the rule that reads it."""
    book = sheets()
    row = find(book, INPUTS, 指标编码="4.1", 类型="单选")
    put(book, INPUTS, row, "选项", None)
    result = sheets_to_framework(book)
    assert where(result) == [(INPUTS, row, "选项"), (RULES, find(book, RULES, 指标编码="4.1"), "输入项")]
    assert result.errors[0].message_zh.startswith("选择输入 effect 需要 options")


def test_a_total_that_the_indicators_do_not_add_up_to_is_placed_on_the_setting() -> None:
    book = sheets()
    row = find(book, SETTINGS, 键="total")
    put(book, SETTINGS, row, "值", 90)
    result = sheets_to_framework(book)
    assert where(result) == [(SETTINGS, row, "值")]
    assert result.errors[0].message_zh == "一级指标合计 100 分，与原文总分 90 分不符"


def test_a_bad_date_and_an_unknown_setting_are_named() -> None:
    book = sheets()
    row = find(book, SETTINGS, 键="time_windows.近五年.since")
    put(book, SETTINGS, row, "值", "2019年13月1日")
    book[SETTINGS].append(["颜色", "colour", "红"])
    result = sheets_to_framework(book)
    assert (SETTINGS, row, "值") in where(result)
    assert (SETTINGS, len(book[SETTINGS]), "键") in where(result)
    assert "应为日期" in result.errors[0].message_zh


def test_an_unknown_column_is_named_on_the_header_row() -> None:
    book = sheets()
    book[INDICATORS][0][book[INDICATORS][0].index("备注")] = "备考"
    result = sheets_to_framework(book)
    assert where(result) == [(INDICATORS, 1, "备考")]
    assert result.errors[0].message_zh == "未知的列「备考」"


def test_a_level_row_without_points_and_an_unknown_category_are_named() -> None:
    book = sheets()
    header = book[LEVELS][0]
    book[LEVELS].append([{"类别": "等级", "名称": "优秀"}.get(h) for h in header])
    book[LEVELS].append([{"类别": "档次", "名称": "优秀"}.get(h) for h in header])
    result = sheets_to_framework(book)
    rows = len(book[LEVELS])
    assert (LEVELS, rows - 1, "最低分") in where(result)
    assert (LEVELS, rows, "类别") in where(result)


def test_a_context_input_without_a_type_is_named() -> None:
    book = framework_to_sheets(loaded("taizhou-2022-school"))
    put(book, CONTEXT, 2, "类型", None)
    result = sheets_to_framework(book)
    assert result.data is None
    assert result.errors[0].sheet == CONTEXT


def test_form_mistakes_are_named_on_the_form_sheet_and_leave_the_framework_readable() -> None:
    book = sheets()
    row = find(book, FORM, 类别="字段", 键="students")
    put(book, FORM, row, "类型", "年龄")
    result = sheets_to_framework(book)
    assert result.data is not None and result.form is None
    assert where(result) == [(FORM, row, "类型")]
    assert result.errors[0].message_zh == "“类型”应为：整数、数值、百分比、文字、长文本、是否、单选，收到「年龄」"
    book = sheets()
    put(book, FORM, find(book, FORM, 类别="字段", 键="staff"), "键", "students")
    result = sheets_to_framework(book)
    assert result.form is None
    assert "字段编号重复：students" in result.errors[0].message_zh


def test_a_missing_sheet_is_named() -> None:
    book = sheets()
    del book[RULES]
    result = sheets_to_framework(book)
    assert result.data is None
    assert (RULES, 0, "") in where(result)


@pytest.mark.parametrize("value", ["是", "否", "yes", "0"])
def test_yes_no_cells_accept_the_usual_words(value: str) -> None:
    book = sheets()
    put(book, INDICATORS, find(book, INDICATORS, 编码="一"), "多选一", value)
    result = sheets_to_framework(book, check=False)
    assert result.ok
    assert result.data is not None
    assert result.data["indicators"][0]["choose_one"] is (value in {"是", "yes"})


def test_a_yes_no_cell_with_anything_else_is_named() -> None:
    book = sheets()
    row = find(book, INDICATORS, 编码="一")
    put(book, INDICATORS, row, "加分部分", "也许")
    result = sheets_to_framework(book)
    assert where(result) == [(INDICATORS, row, "加分部分")]
    assert result.errors[0].message_zh == "“加分部分”应填“是”或“否”，收到「也许」"


def test_every_parameter_of_every_rule_type_has_a_column() -> None:
    """Common parameters get plain columns: a rule type's new parameter would otherwise only
    travel in 其他参数 (still exactly, but as YAML)."""
    params = set().union(*(cls.params for cls in REGISTRY.values()))
    assert params - RULE_PLACES == set()


def test_sheets_with_garbage_never_raise() -> None:
    for book in (
        {},
        {SETTINGS: "x"},
        {SETTINGS: [[None]], INDICATORS: [["编码"], [object()]]},
        {INDICATORS: [], RULES: [[]], INPUTS: [["指标编码"], ["1"]]},
    ):
        result = sheets_to_framework(book)  # type: ignore[arg-type]
        assert result.data is None
        assert result.errors


def test_the_edition_setting_is_taken_by_the_engine() -> None:
    """版本 (edition) in 设置 is the issuer's label of the edition: the engine takes it (a
    workbook naming its edition used to be refused on that row)."""
    book = sheets()
    book[SETTINGS].append(["版本", "edition", "2024 修订"])
    result = sheets_to_framework(book)
    assert result.errors == [] and result.data is not None and result.data["edition"] == "2024 修订"
    assert load_framework_text(dump_yaml(result.data)).edition == "2024 修订"


def test_a_missing_required_setting_is_named() -> None:
    book = sheets()
    del book[SETTINGS][find(book, SETTINGS, 键="title") - 1]
    result = sheets_to_framework(book)
    assert where(result) == [(SETTINGS, 0, "")]
    assert result.errors[0].message_zh == "缺少必填键 title"


JUNK: list[Any] = [
    None,
    "",
    "x",
    "[",
    "{a: [",
    "[1, {b: 2}]",
    "{}",
    '""',
    "是",
    "-1",
    "1e400",
    "NaN",
    "１２",
    0,
    -3,
    Decimal("0.333333333333333333333"),
    True,
    3.5,
    dt.date(2024, 2, 29),
    "一级",
    "1.1",
    "分档",
    "档位",
    "条目",
    "级别分值",
    "1",
    "1.2",
    "all_met",
    "by_context",
    "sum",
]


@pytest.mark.parametrize("seed", range(6))
def test_random_cell_changes_never_raise_and_what_reads_loads(seed: int) -> None:
    """Whatever a cell is changed to, reading gives problems or a framework the engine loads."""
    rng = random.Random(seed)
    for _ in range(15):
        book = sheets()
        for _ in range(rng.randint(1, 4)):
            name = rng.choice([s for s in book if len(book[s]) > 1])
            row = rng.randrange(1 if rng.random() < 0.9 else 0, len(book[name]))
            column = rng.randrange(len(book[name][0]))
            book[name][row][column] = rng.choice(JUNK)
        result = sheets_to_framework(book)
        if result.data is not None:
            load_framework_text(dump_yaml(result.data), "fuzz.yaml")
        else:
            assert result.errors
            assert all(p.sheet and p.message_zh and p.message_en for p in result.errors)


def test_a_form_mistake_does_not_let_a_framework_mistake_through() -> None:
    """Found by the random test: with a mistake on 申报书 the engine's check was skipped and an
    unknown mark came back as framework data."""
    book = sheets()
    put(book, INDICATORS, find(book, INDICATORS, 编码="1.1"), "标记", "◆")
    put(book, FORM, find(book, FORM, 类别="字段", 键="students"), "类型", "年龄")
    result = sheets_to_framework(book)
    assert result.data is None and result.form is None
    assert [(p.sheet, p.message_zh) for p in result.errors] == [
        (FORM, "“类型”应为：整数、数值、百分比、文字、长文本、是否、单选，收到「年龄」"),
        (INDICATORS, "未知标记 ◆"),
    ]
