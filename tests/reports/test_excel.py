"""Excel exports round-trip through openpyxl with formats kept and formulas made inert."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import load_workbook

from campuseval.spreadsheets.writing import Column, build_workbook, safe_cell


def test_formula_injection_is_inert() -> None:
    assert safe_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert safe_cell("+86 138") == "'+86 138"
    assert safe_cell("-1+1") == "'-1+1"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("甲县\x00第一小学") == "甲县第一小学"
    assert safe_cell(-1) == -1
    assert safe_cell(True) == "是"


def test_round_trip_with_frozen_header_and_number_formats() -> None:
    data = build_workbook(
        "结果",
        [Column("单位"), Column("得分", number_format="0.00"), Column("时间", number_format="yyyy-mm-dd")],
        [["=cmd|' /C calc'!A0", Decimal("85.5"), dt.date(2024, 5, 30)], ["乙校", Decimal("70"), dt.date(2024, 6, 1)]],
    )
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == ["单位", "得分", "时间"]
    assert ws["A2"].value == "'=cmd|' /C calc'!A0"
    assert ws["A2"].data_type == "s"
    assert ws["B2"].value == 85.5 and ws["B2"].number_format == "0.00"
    assert ws["C3"].value == dt.datetime(2024, 6, 1)
    assert ws["A1"].font.bold
