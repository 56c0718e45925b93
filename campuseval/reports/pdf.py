"""Printable documents (A4, Chinese fonts embedded, page numbers) rendered by WeasyPrint from
Django templates, so the stamped paper and the screen come from the same data."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """HTML from a template, laid out on A4 with the fonts Debian's fonts-noto-cjk provides.

    Always in Chinese, whatever language the reader's screen is in: the forms are the paper a
    bureau signs, stamps and files, so labels from the database's choices (城乡 城镇/乡村, a
    status) must not come out in English inside a Chinese form."""
    from weasyprint import HTML  # imported here: loading Pango costs time at start-up

    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(template, context)
    return HTML(string=html, base_url=".").write_pdf()  # type: ignore[no-any-return]
