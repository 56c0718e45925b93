"""Template access to `reviews.wording`: stored review sentences in the reader's language."""

from __future__ import annotations

from django import template

from campuseval.reviews.wording import translated

register = template.Library()


@register.filter
def in_reader_language(stored: str | None) -> str:
    """{{ entry.method|in_reader_language }}: a result's method, note or a tie rule as stored,
    read in the active language (see reviews.wording)."""
    return translated(stored or "")
