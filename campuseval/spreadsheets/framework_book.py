"""A whole framework (and its 申报书) as one .xlsx workbook, written and read back.

The sheets and their columns are `campuseval.engine.workbook`'s (documented there and in the
README 「指标框架工作簿」); this module only puts them into a file and takes them out again.
Writing: one sheet each, the header bold on a tint and frozen, columns as wide as their
content needs, text made inert the way every export is (`writing.safe_cell`), decimals that a
spreadsheet's binary floats would round kept as text. Reading: the upload checks every import
makes (`reading.check_file`: size, zip, unpacked size), then each sheet in read-only mode,
row numbers as the spreadsheet shows them, a formula refused rather than read as its cached
value. Whatever is wrong with the file comes back as a BookProblem; nothing raises."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from campuseval.engine.workbook import (
    SHEET_ORDER,
    BookProblem,
    BookResult,
    framework_to_sheets,
    in_order,
    sheets_to_framework,
)

from .reading import MAX_COLUMNS, check_file, max_rows
from .writing import DANGEROUS_PREFIXES, safe_cell

#: the book as a whole (a problem about the file rather than one sheet)
BOOK = "工作簿"
#: columns holding long text get this width; others fit their header and content
WIDE = 48
#: digits a spreadsheet number keeps exactly (a double holds 15 significant digits)
EXACT_DIGITS = 15


def _cell(value: Any) -> Any:
    """A sheet value as it goes into the file: inert text, numbers kept exact."""
    if isinstance(value, Decimal):
        digits = len(value.as_tuple().digits)
        return value if digits <= EXACT_DIGITS else format(value, "f")
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**EXACT_DIGITS:
        return str(value)
    return safe_cell(value)


def _width(values: list[Any]) -> int:
    longest = 0
    for value in values:
        if value is None:
            continue
        for line in str(value).split("\n"):
            longest = max(longest, sum(2 if ord(ch) > 0x2E7F else 1 for ch in line))
    return max(8, min(WIDE, longest + 2))


def write_framework_book(data: Mapping[str, Any], form: Mapping[str, Any] | None = None) -> bytes:
    """The framework mapping (and its 申报书) as .xlsx bytes. Raises WorkbookError (from the
    engine) for an attribute the workbook has no column for."""
    sheets = framework_to_sheets(data, form)
    wb = Workbook()
    for blank in list(wb.worksheets):
        wb.remove(blank)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DCE6F1")
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    wrapped = Alignment(vertical="top", wrap_text=True)
    for name in SHEET_ORDER:
        rows = sheets.get(name) or [[]]
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append([_cell(v) for v in row])
        for cell in ws[1]:
            cell.font, cell.fill, cell.alignment = bold, fill, centred
        ws.freeze_panes = "A2"
        width = len(rows[0]) if rows else 0
        for index in range(width):
            column = [row[index] if index < len(row) else None for row in rows]
            letter = get_column_letter(index + 1)
            ws.column_dimensions[letter].width = _width(column)
            if _width(column) >= WIDE or any(isinstance(v, str) and "\n" in v for v in column):
                for cell in ws[letter][1:]:
                    cell.alignment = wrapped
            if any(isinstance(v, dt.date) for v in column):
                for cell in ws[letter][1:]:
                    if isinstance(cell.value, dt.date):
                        cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _value(cell: Any) -> tuple[Any, str | None]:
    """A cell's value as the engine's reader takes it, or why it cannot be read."""
    if getattr(cell, "data_type", None) == "f":
        return None, "是公式，请填写值本身（可复制后“选择性粘贴为数值”）"
    value = getattr(cell, "value", None)
    if isinstance(value, str):
        if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
            return None, "含有不可见的控制字符（如空字符）"
        if value.startswith("'") and value[1:2] and value[1:].startswith(DANGEROUS_PREFIXES):
            value = value[1:]  # written inert by safe_cell
        return value, None
    if value is None or isinstance(value, (bool, int, float, Decimal, dt.date, dt.datetime, dt.time)):
        return value, None
    return None, "是无法识别的内容"


def read_framework_book(file: IO[bytes] | bytes) -> BookResult:
    """Read an uploaded workbook into the framework and 申报书 mappings, or the problems
    found (sheet, row, column, in Chinese and English). Never raises."""
    if isinstance(file, (bytes, bytearray)):
        file = io.BytesIO(bytes(file))
    problem = check_file(file)
    if problem:
        return BookResult(None, None, [BookProblem(BOOK, 0, "", problem, "the file cannot be read")])
    try:
        workbook = load_workbook(file, read_only=True, data_only=False)
    except Exception:
        message = "无法读取该文件，请上传 Excel（.xlsx）文件"
        return BookResult(None, None, [BookProblem(BOOK, 0, "", message, "not an Excel workbook")])
    problems: list[BookProblem] = []
    sheets: dict[str, list[list[Any]]] = {}
    limit = max_rows()
    try:
        for ws in workbook.worksheets:
            name = ws.title.strip()
            if name not in SHEET_ORDER:
                problems.append(
                    BookProblem(
                        name,
                        0,
                        "",
                        f"工作表「{name}」不属于指标体系工作簿，已忽略（可用：{'、'.join(SHEET_ORDER)}）",
                        f"sheet {name!r} ignored",
                        "warning",
                    )
                )
                continue
            rows: list[list[Any]] = []
            header: list[str] = []
            for number, cells in enumerate(ws.iter_rows(max_col=MAX_COLUMNS), start=1):
                if number > limit + 1:
                    problems.append(
                        BookProblem(
                            name,
                            0,
                            "",
                            f"表格超过 {limit} 行（空行也计入），请删除多余的行",
                            f"more than {limit} rows",
                        )
                    )
                    rows = rows[:1]
                    break
                values = []
                for index, cell in enumerate(cells):
                    value, reason = _value(cell)
                    if reason:
                        column = header[index] if index < len(header) else f"第 {index + 1} 列"
                        problems.append(BookProblem(name, number, column, f"“{column}”{reason}", "unreadable cell"))
                    values.append(value)
                while values and values[-1] is None:
                    values.pop()
                if number == 1:
                    header = [str(v).strip() if v is not None else "" for v in values]
                rows.append(values)
            sheets[name] = rows
    except Exception:  # malformed XML inside the zip: refused, never a server error
        message = "文件内容已损坏，无法读取，请用 Excel 另存后再导入"
        return BookResult(None, None, [BookProblem(BOOK, 0, "", message, "the file is damaged")])
    finally:
        workbook.close()
    result = sheets_to_framework(sheets)
    result.problems = in_order(problems) + result.problems
    if any(p.severity == "error" for p in problems):
        result.data = None
        result.form = None
    return result
