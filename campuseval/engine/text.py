"""What typed text may hold, shared by the engine's inputs, the application form and the pages'
search boxes (the engine is the floor every app may import).

A NUL byte cannot be stored by PostgreSQL (a text column refuses it: a server error), and the
other C0/C1 control characters (bell, escape, backspace…) are never typed on purpose, break
Excel exports and hide text in what a reviewer reads. Tabs and line breaks are ordinary."""

from __future__ import annotations

import re

#: control characters other than tab, line feed and carriage return
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_problem(text: str) -> str | None:
    """Why `text` cannot be kept, as a phrase following a field's label, or None."""
    if "\x00" in text:
        return "含有不可见的空字符，请删除后重试"
    if CONTROL.search(text):
        return "含有不可见的控制字符，请删除后重试"
    return None


def strip_control(text: str) -> str:
    """`text` without control characters (for a search box: what is left is still searched)."""
    return CONTROL.sub("", text)


#: characters a search box may hold (a unit's name or code, an expert's name or field)
SEARCH_LIMIT = 100
#: digits an object's id may have in a query parameter (a 64-bit integer has at most 19)
ID_DIGITS = 18


def clean_search(raw: str, label: str = "搜索", limit: int = SEARCH_LIMIT) -> tuple[str, str, str | None]:
    """A search box's text: (what to search for, what to show back in the box, why it was
    changed or refused, or None).

    Control characters are removed (a NUL byte would fail on PostgreSQL) and the rest is still
    searched; a text longer than `limit` is not searched at all (the list is shown unfiltered and
    the box keeps the text), never cut silently. The message names the box by its label."""
    text = raw.strip()
    problem = None
    if CONTROL.search(text):
        text = strip_control(text).strip()
        problem = f"「{label}」中的不可见控制字符已删除"
    if len(text) > limit:
        return "", text, f"「{label}」最多 {limit} 个字，现为 {len(text)} 个字，未按其筛选"
    return text, text, problem


def id_param(raw: str) -> int | None:
    """The id in a query parameter (?campaign=12), or None when it is not one: only ASCII digits
    count ('²' and '١٢' pass str.isdigit but are not ids) and at most ID_DIGITS of them (int() of
    thousands of digits raises, and a database id has fewer than twenty)."""
    text = raw.strip()
    if not text or len(text) > ID_DIGITS or not text.isascii() or not text.isdigit():
        return None
    return int(text)
