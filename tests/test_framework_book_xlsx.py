"""The framework workbook as a real .xlsx: all six seed frameworks written and read back equal,
scoring the example answers the same; a broken or hostile file gives problems, never a 500."""

from __future__ import annotations

import copy
import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from campuseval.applications import agreement
from campuseval.engine import load_framework, load_framework_text, score, workbook
from campuseval.engine.workbook import FORM, INDICATORS, RULES, SETTINGS, SHEET_ORDER, dump_yaml, framework_to_sheets
from campuseval.spreadsheets.framework_book import BOOK, read_framework_book, write_framework_book
from tests.engine.helpers import example
from tests.engine.test_workbook_authoring import HAND_WRITTEN
from tests.engine.test_workbook_roundtrip import SIX, exactly, form_of, loaded


def rewrite(content: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    """The workbook opened in openpyxl, changed as a bureau would in Excel, saved again."""
    wb = load_workbook(io.BytesIO(content))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("name", SIX)
def test_xlsx_gives_back_the_framework_and_its_form(name: str) -> None:
    data, form = loaded(name), form_of(name)
    result = read_framework_book(write_framework_book(data, form))
    assert [str(p) for p in result.problems] == []
    assert exactly(result.data) == exactly(data)
    assert exactly(result.form) == exactly(form)


@pytest.mark.parametrize("name", SIX)
def test_xlsx_reimport_scores_the_examples_the_same(name: str) -> None:
    result = read_framework_book(io.BytesIO(write_framework_book(loaded(name), form_of(name))))
    assert result.data is not None
    again = load_framework_text(dump_yaml(result.data), f"{name}.yaml")
    for kind in ("full", "sample"):
        answers = example(f"{name}.{kind}")
        as_of = answers.get("as_of", dt.date(2024, 5, 30))
        before = score(load_framework(name), copy.deepcopy(answers), as_of=as_of)
        after = score(again, copy.deepcopy(answers), as_of=as_of)
        assert (after.total, after.level, after.eligible) == (before.total, before.level, before.eligible)
        assert {c: r.points for c, r in after.indicators.items()} == {c: r.points for c, r in before.indicators.items()}


def test_the_file_has_every_sheet_with_a_bold_frozen_header() -> None:
    wb = load_workbook(io.BytesIO(write_framework_book(loaded("bozhou-2024-school"), form_of("bozhou-2024-school"))))
    assert wb.sheetnames == list(SHEET_ORDER)
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
        assert ws["A1"].font.bold
    ws = wb[INDICATORS]
    assert [c.value for c in ws[1]][:5] == ["编码", "层级", "上级编码", "名称", "分值"]
    assert ws.column_dimensions["F"].width >= 40  # 评价内容: long text
    # numbers are numbers, dates are dates
    rows = list(wb[SETTINGS].iter_rows(values_only=True))
    by_key = {r[1]: r[2] for r in rows[1:]}
    assert by_key["total"] == 100
    assert by_key["time_windows.近五年.since"] == dt.datetime(2019, 1, 1)
    assert wb[FORM]["A2"].value == "设置"


def test_text_a_spreadsheet_would_run_is_written_inert_and_read_back_as_typed() -> None:
    data = loaded("bozhou-2024-school")
    leaf = data["indicators"][0]["children"][0]["children"][0]
    leaf["scoring"] = '=HYPERLINK("http://evil")'
    leaf["criterion"] = "-5 分起扣"
    content = write_framework_book(data)
    ws = load_workbook(io.BytesIO(content))[INDICATORS]
    assert ws["G4"].data_type == "s" and ws["G4"].value.startswith("'=")
    result = read_framework_book(content)
    back = result.data["indicators"][0]["children"][0]["children"][0]  # type: ignore[index]
    assert (back["scoring"], back["criterion"]) == (leaf["scoring"], leaf["criterion"])


def test_a_decimal_a_float_would_round_is_kept_exact() -> None:
    data = loaded("bozhou-2024-school")
    rule = data["indicators"][0]["children"][0]["children"][1]["rule"]
    rule["per"] = Decimal("0.1234567890123456789")
    result = read_framework_book(write_framework_book(data))
    back = result.data["indicators"][0]["children"][0]["children"][1]["rule"]  # type: ignore[index]
    assert back["per"] == Decimal("0.1234567890123456789")


def test_a_formula_typed_in_a_cell_is_refused_naming_sheet_row_and_column() -> None:
    def change(wb: Workbook) -> None:
        wb[INDICATORS]["E4"] = "=2+6"

    result = read_framework_book(rewrite(write_framework_book(loaded("bozhou-2024-school")), change))
    assert result.data is None
    assert [(p.sheet, p.row, p.column) for p in result.errors][:1] == [(INDICATORS, 4, "分值")]
    assert "公式" in result.errors[0].message_zh


def test_values_retyped_in_excel_read_as_the_bureau_meant() -> None:
    """A bureau retypes cells: a code as a number, points as text, 是 for yes; still the same."""

    def change(wb: Workbook) -> None:
        ws = wb[INDICATORS]
        assert ws["A4"].value == "1.1"
        ws["E4"] = "8"  # points typed as text
        rules = wb[RULES]
        assert rules["A2"].value == "1.1" and rules["H3"].value == 8
        rules["H3"] = 8.0

    data = loaded("bozhou-2024-school")
    result = read_framework_book(rewrite(write_framework_book(data), change))
    assert [str(p) for p in result.problems] == []
    assert exactly(result.data) == exactly(data)


def test_an_unknown_sheet_is_ignored_with_a_warning() -> None:
    def change(wb: Workbook) -> None:
        wb.create_sheet("草稿")["A1"] = "随手记"

    result = read_framework_book(rewrite(write_framework_book(loaded("bozhou-2024-school")), change))
    assert result.data is not None
    assert [(p.sheet, p.severity) for p in result.problems] == [("草稿", "warning")]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a workbook at all",
        b"PK\x03\x04broken zip",
    ],
)
def test_a_file_that_is_not_a_workbook_gives_a_problem(content: bytes) -> None:
    result = read_framework_book(content)
    assert (result.data, result.form) == (None, None)
    assert [(p.sheet, p.row) for p in result.problems] == [(BOOK, 0)]
    assert "Excel" in result.problems[0].message_zh or "读取" in result.problems[0].message_zh


def test_a_zip_that_is_not_a_workbook_gives_a_problem() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    result = read_framework_book(buffer.getvalue())
    assert result.data is None
    assert result.problems[0].sheet == BOOK


def test_damaged_xml_inside_the_zip_gives_a_problem() -> None:
    content = write_framework_book(loaded("bozhou-2024-school"))
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                body = body[: len(body) // 2]
            archive.writestr(info, body)
    result = read_framework_book(buffer.getvalue())
    assert result.data is None
    assert result.problems and all(p.severity == "error" for p in result.errors)


def test_a_workbook_without_the_framework_sheets_names_them() -> None:
    wb = Workbook()
    wb.active.title = "Sheet1"
    out = io.BytesIO()
    wb.save(out)
    result = read_framework_book(out.getvalue())
    assert result.data is None
    missing = {p.sheet for p in result.errors}
    assert {SETTINGS, INDICATORS, RULES} <= missing
    assert any("缺少工作表" in p.message_zh for p in result.errors)


def test_sheets_helper_writes_the_same_rows_as_the_file() -> None:
    data = loaded("sichuan-2023-school")
    sheets = framework_to_sheets(data)
    wb = load_workbook(io.BytesIO(write_framework_book(data)), read_only=True)
    assert len(list(wb[RULES].iter_rows())) == len(sheets[RULES])


def test_several_marks_keep_their_lines_through_the_file() -> None:
    """One line per mark in 标记, 标记说明 and 达到条件; a mark without a label keeps its
    (empty) line, so the next mark's label is not taken for its own."""
    data = loaded("taizhou-2022-school")
    leaf = data["indicators"][0]["children"][0]["children"][0]
    leaf["marks"] = ["★", {"kind": "▲", "label": "示范要求", "met": {"min_points": Decimal("0.5")}}]
    content = write_framework_book(data)
    ws = load_workbook(io.BytesIO(content))[INDICATORS]
    header = [c.value for c in ws[1]]
    row = [c.value for c in ws[4]]
    cells = dict(zip(header, row, strict=False))
    assert (cells["标记"], cells["标记说明"], cells["达到条件"]) == ("★\n▲", "\n示范要求", "\n得分不低于 0.5")
    result = read_framework_book(content)
    back = result.data["indicators"][0]["children"][0]["children"][0]  # type: ignore[index]
    assert exactly(back["marks"]) == exactly(leaf["marks"])


def test_a_hand_written_xlsx_becomes_a_framework_that_scores() -> None:
    """The workbook a bureau types in Excel from nothing (every cell text, sheets in any order)."""
    wb = Workbook()
    for blank in list(wb.worksheets):
        wb.remove(blank)
    for name in reversed(list(HAND_WRITTEN)):
        ws = wb.create_sheet(name)
        for row in HAND_WRITTEN[name]:
            ws.append([cell or None for cell in row])
    out = io.BytesIO()
    wb.save(out)
    result = read_framework_book(out.getvalue())
    assert [str(p) for p in result.problems] == []
    fw = load_framework_text(dump_yaml(result.data), "demo.yaml")
    scored = score(fw, {"answers": {"1.1": {"bw": 80}, "1.2": {"rules": True, "ops": True}}}, as_of=dt.date(2025, 6, 1))
    assert (scored.total, scored.level) == (Decimal(7), "合格")


def test_the_cross_check_meanings_are_those_the_application_pages_read() -> None:
    assert set(workbook.MEANINGS) == set(agreement.MEANINGS)
