from __future__ import annotations

import io
from collections.abc import Sequence

import pytest
from openpyxl import Workbook

from campuseval.orgs.services import UNIT_COLUMNS
from tests.campaigns.conftest import CampaignWorld, cw  # noqa: F401 - the shared campaign world


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
