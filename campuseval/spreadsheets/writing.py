"""Excel workbooks bureaus can trust: the same columns as the screen, a frozen header row,
real number formats, and no formula injection (cells starting with = + - @ are made inert).
Written in write-only (streaming) mode: linear in rows, flat in memory."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A value openpyxl may write: text that a spreadsheet would run as a formula gets a
    leading apostrophe-equivalent (a quote character kept as text); numbers and dates stay
    numbers and dates; NUL and other control characters are removed."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float, Decimal, dt.date, dt.datetime)):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.astimezone(dt.timezone(dt.timedelta(hours=8))).replace(tzinfo=None)
        return value
    text = "".join(ch for ch in str(value) if ch in "\n\t" or ord(ch) >= 32)
    if text.startswith(DANGEROUS_PREFIXES):
        return "'" + text
    return text


@dataclass(frozen=True)
class Column:
    title: str
    width: int = 14
    number_format: str | None = None  # e.g. "0.00", "yyyy-mm-dd hh:mm"


def write_workbook(
    target: IO[bytes], sheet_title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]
) -> int:
    """Stream one sheet into `target` in openpyxl's write-only mode: each row goes to a
    temporary file as it comes, so the time grows with the rows and the memory stays flat (a
    normal workbook keeps every cell and `ws.max_row` scans them all). The header is bold on a
    tinted fill and frozen, columns get their widths and number formats. A write-only sheet has
    no dimension record; our reader (`reading.read_sheet`) never needs one. Returns the number
    of data rows written."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title[:31] or "Sheet1")
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "A2"
    fill = PatternFill("solid", fgColor="DCE6F1")
    bold = Font(bold=True)
    centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=column.title)
        cell.font, cell.fill, cell.alignment = bold, fill, centred
        header.append(cell)
    ws.append(header)
    formats = [column.number_format for column in columns]
    formatted = any(formats)
    written = 0
    for row in rows:
        values = [safe_cell(v) for v in row]
        if formatted:
            for index, (value, number_format) in enumerate(zip(values, formats, strict=False)):
                if number_format and value is not None:
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = number_format
                    values[index] = cell
        ws.append(values)
        written += 1
    wb.save(target)
    return written


def build_workbook(sheet_title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    """`write_workbook` into memory, for a response or a file field."""
    buffer = io.BytesIO()
    write_workbook(buffer, sheet_title, columns, rows)
    return buffer.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
