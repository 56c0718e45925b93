"""Excel workbooks bureaus can trust: the same columns as the screen, a frozen header row,
real number formats, and no formula injection (cells starting with = + - @ are made inert)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
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


def build_workbook(sheet_title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet with a bold frozen header, column widths and number formats."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = sheet_title[:31]
    ws.append([c.title for c in columns])
    header_fill = PatternFill("solid", fgColor="DCE6F1")
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = column.width
    formatted = [(index, c.number_format) for index, c in enumerate(columns, start=1) if c.number_format]
    for current, row in enumerate(rows, start=2):  # a counter: ws.max_row scans every cell
        ws.append([safe_cell(v) for v in row])
        for index, number_format in formatted:
            ws.cell(row=current, column=index).number_format = number_format
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
