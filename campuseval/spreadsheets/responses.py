"""The download response for a workbook, with the file name in Chinese kept intact."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from .writing import XLSX


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    """An .xlsx download named `filename` (RFC 6266 `filename*`, so 单位导入模板.xlsx survives)."""
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
