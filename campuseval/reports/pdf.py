"""Printable documents (A4, Chinese fonts embedded, page numbers) rendered by WeasyPrint from
Django templates, so the stamped paper and the screen come from the same data."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """HTML from a template, laid out on A4 with the fonts Debian's fonts-noto-cjk provides."""
    from weasyprint import HTML  # imported here: loading Pango costs time at start-up

    html = render_to_string(template, context)
    return HTML(string=html, base_url=".").write_pdf()  # type: ignore[no-any-return]
