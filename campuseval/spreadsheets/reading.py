"""Reading an uploaded sheet: rows of the first worksheet as {header: text}, and the report an
import gives back (refused rows with their reasons in Chinese, or what was written)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from openpyxl import load_workbook


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


def read_rows(
    file: IO[bytes], expected: Iterable[str]
) -> tuple[list[tuple[int, dict[str, str]]], list[tuple[int, str]]]:
    """Rows of the first sheet as {header: text}, with header problems reported as row 1."""
    try:
        ws = load_workbook(file, read_only=True, data_only=True).worksheets[0]
    except Exception:
        return [], [(0, "无法读取该文件，请上传 Excel（.xlsx）文件")]
    rows = ws.iter_rows(values_only=True)
    header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
    missing = [name for name in expected if name not in header]
    if missing:
        return [], [(1, f"表头缺少列：{'、'.join(missing)}")]
    out = []
    for number, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        row = {}
        for name, value in zip(header, values, strict=False):
            if not name:
                continue
            text = "" if value is None else str(value).strip()
            if isinstance(value, float) and value.is_integer():
                text = str(int(value))
            row[name] = text
        out.append((number, row))
    return out, []
