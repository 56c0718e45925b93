from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook

from campuseval.units.services import UNIT_COLUMNS
from tests.campaigns.conftest import CampaignWorld, cw  # noqa: F401 - the shared campaign world


def sheet(rows: Sequence[Sequence[object]], header: Sequence[str] = UNIT_COLUMNS) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "units.xlsx"
    return out


__all__ = ["CampaignWorld", "sheet"]
