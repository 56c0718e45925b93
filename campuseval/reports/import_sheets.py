"""The import reader lives in the bottom app (`campuseval.spreadsheets.reading`), so the unit
import (units app) reads sheets exactly as the account, expert and framework imports do; the
names stay importable from here for the reports app."""

from __future__ import annotations

from campuseval.spreadsheets.reading import (
    DEFAULT_INLINE_ROWS,
    DEFAULT_MAX_MB,
    DEFAULT_MAX_ROWS,
    DEFAULT_MAX_UNPACKED_MB,
    MAX_COLUMNS,
    Sheet,
    check_file,
    inline_rows,
    max_bytes,
    max_rows,
    max_unpacked_bytes,
    read_sheet,
)

__all__ = [
    "DEFAULT_INLINE_ROWS",
    "DEFAULT_MAX_MB",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_MAX_UNPACKED_MB",
    "MAX_COLUMNS",
    "Sheet",
    "check_file",
    "inline_rows",
    "max_bytes",
    "max_rows",
    "max_unpacked_bytes",
    "read_sheet",
]
