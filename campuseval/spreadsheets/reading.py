"""Reading an uploaded sheet without trusting it, for every import (units, accounts, experts, an
indicator table), and the report an import gives back (refused rows with their reasons in
Chinese, or what was written).

An .xlsx is a zip of XML: 482 KiB can unpack to 168 MB, and a single `<row r="3000000">` makes
openpyxl yield three million empty rows. So before any parsing the file's size and the sum of
its members' unpacked sizes (from the zip directory, nothing inflated) are checked; then the
first sheet is read in read-only mode, counting every row openpyxl yields (blank ones too) and
stopping at the limit. `ws.max_row` / `max_column` are never asked: they scan the sheet, and a
workbook written in write-only mode has no dimension record to read them from (its rows also
come back as long as they were written, shorter than the header when trailing cells are empty:
the missing cells read as empty).

Each cell becomes text; a formula (text beginning with "=") is refused rather than read as its
cached value, NUL and other control characters are refused, and a data row may be shorter than
the header (the missing cells are empty) but not carry content beyond it."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from openpyxl import load_workbook

#: columns read per row; every import sheet has fewer (a wider row is padded, not parsed)
MAX_COLUMNS = 50

DEFAULT_MAX_MB = 5
DEFAULT_MAX_UNPACKED_MB = 50
DEFAULT_MAX_ROWS = 20000
DEFAULT_INLINE_ROWS = 200


@dataclass
class ImportReport:
    """What an import did: the refused rows (sheet row number, reason) or what it wrote."""

    refused: list[tuple[int, str]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    passwords: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_MB", DEFAULT_MAX_MB)) * 1024 * 1024


def max_unpacked_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_UNPACKED_MB", DEFAULT_MAX_UNPACKED_MB)) * 1024 * 1024


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def inline_rows() -> int:
    return int(getattr(settings, "IMPORT_INLINE_ROWS", DEFAULT_INLINE_ROWS))


@dataclass
class Sheet:
    """The sheet's data rows as (sheet row number, {header: text}), or why it was refused:
    `refused` holds whole-file problems (row 0/1) and rows with unreadable cells."""

    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    refused: list[tuple[int, str]] = field(default_factory=list)


def _size(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if isinstance(size, int):
        return size
    position = file.tell()
    file.seek(0, 2)
    end = file.tell()
    file.seek(position)
    return end


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}"


def check_file(file: IO[bytes]) -> str | None:
    """Why the upload is refused before parsing (size, not a zip, unpacked size), or None."""
    size = _size(file)
    if size > max_bytes():
        return f"文件大小 {_mb(size)} MB，超过上限 {_mb(max_bytes())} MB，请分批导入"
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "无法读取该文件，请上传 Excel（.xlsx）文件"
    finally:
        file.seek(0)
    if unpacked > max_unpacked_bytes():
        return (
            f"文件解压后 {_mb(unpacked)} MB，超过上限 {_mb(max_unpacked_bytes())} MB"
            "（可能含大量空行或格式），请删除多余的行后另存再导入"
        )
    return None


def _text(value: Any) -> tuple[str, str | None]:
    """A cell as text, or the reason it cannot be read."""
    if value is None:
        return "", None
    if isinstance(value, bool):
        return ("是" if value else "否"), None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value), None  # the column's own check names it
        return (str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)), None
    if isinstance(value, (int, Decimal)):
        return str(value), None
    if not isinstance(value, str):
        if hasattr(value, "isoformat"):
            return value.isoformat(), None
        return "", "是公式或无法识别的内容"
    text = value.strip()
    if text.startswith("="):
        return "", "是公式，请填写值本身（可复制后“选择性粘贴为数值”）"
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in text):
        return "", "含有不可见的控制字符（如空字符）"
    return text, None


def read_sheet(file: IO[bytes], expected: tuple[str, ...]) -> Sheet:
    """The first sheet's rows as {header: text} (blank rows skipped), after the file checks."""
    sheet = Sheet()
    problem = check_file(file)
    if problem:
        sheet.refused.append((0, problem))
        return sheet
    limit = max_rows()
    try:
        workbook = load_workbook(file, read_only=True, data_only=False)
    except Exception:
        sheet.refused.append((0, "无法读取该文件，请上传 Excel（.xlsx）文件"))
        return sheet
    try:
        if not workbook.worksheets:
            sheet.refused.append((0, "文件中没有工作表"))
            return sheet
        rows = workbook.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS)
        first = next(rows, ())
        header = [_text(c)[0] for c in first]
        while header and not header[-1]:
            header.pop()
        missing = [name for name in expected if name not in header]
        if missing:
            sheet.refused.append((1, f"表头缺少列：{'、'.join(missing)}"))
            return sheet
        width = len(header)
        for number, values in enumerate(rows, start=2):
            if number - 1 > limit:
                sheet.rows = []
                sheet.refused = [(0, f"表格超过 {limit} 行（空行也计入），请删除多余的行或分批导入")]
                return sheet
            if values is None or all(v in (None, "") for v in values):
                continue
            row = dict.fromkeys(expected, "")
            bad = None
            for index, value in enumerate(values):
                text, reason = _text(value)
                if index >= width:
                    if text or reason:
                        bad = f"第 {index + 1} 列在表头以外还有内容，请核对是否错列"
                    continue
                name = header[index]
                if reason and name:
                    bad = bad or f"“{name}”{reason}"
                elif name:
                    row[name] = text
            if bad:
                sheet.refused.append((number, bad))
            else:
                sheet.rows.append((number, row))
    except Exception:  # malformed XML inside the zip: refused, never a server error
        sheet.rows = []
        sheet.refused = [(0, "文件内容已损坏，无法读取，请用 Excel 另存后再导入")]
    finally:
        workbook.close()
    return sheet


def sheet_of(columns: tuple[str, ...], rows: Iterable[Sequence[Any]]) -> Sheet:
    """A sheet from values in memory, numbered as a file's rows would be (data from row 2): for
    a service called without a file (a benchmark generating a province, a management command).
    Each cell is read as an uploaded one is; a row shorter than `columns` has empty cells."""
    sheet = Sheet()
    for number, values in enumerate(rows, start=2):
        row = dict.fromkeys(columns, "")
        bad = None
        for name, value in zip(columns, values, strict=False):
            text, reason = _text(value)
            if reason:
                bad = bad or f"“{name}”{reason}"
            row[name] = text
        if bad:
            sheet.refused.append((number, bad))
        else:
            sheet.rows.append((number, row))
    return sheet


def in_batches(values: Iterable[Any], size: int = 1000) -> Iterator[list[Any]]:
    """The values a thousand at a time: an import looks up the codes and user names of a
    20,000-row sheet in a few `IN (…)` queries, none of them past a database's parameter limit."""
    batch: list[Any] = []
    for value in values:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
