"""The numbered items of an indicator's 提供材料要求 (evidence requirement).

Xiamen's requirement is one paragraph that numbers what it asks for ("1. 提供光纤接入合同或概述
2. 班均以… 3. 核心交换设备支持 IPV6…"), so that a school can say which item a file answers and a
reviewer can see at a glance which item has nothing. The numbering is read from the seed's own
text, not restated beside it: the text stays the one source (a framework uploaded as a workbook
gets its items the same way), and a test holds the reading to the seed for every Xiamen indicator.

The seed writes its numbers loosely, and the reading follows it:
- markers "1." "1．" "1、", "（1）" "(1)", "①"; a bare "2 " only right after punctuation and
  before words that are not a unit ("截图, 2 且有组织使用培训的照片" — but not "得 2 分", "0.5 分");
- numbers are taken in sequence 1, 2, 3 …, so a number inside an item ("2019 年 12 月", "1 项
  1 分", "2-3 张") is not a marker;
- a requirement whose first item carries no number but whose second does ("需有近三年…（1分）；
  2. 年度计划…") has the text before "2." as item 1;
- words before item 1 ("提供 1. …") belong to no item; a requirement with fewer than two items is
  not numbered (one "1." alone is just the requirement).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

#: a marker and its number: "1." / "1．" / "1、" (not "0.5", "2.0"), "（1）" / "(1)", "①", or a
#: bare "2 " after punctuation and before a word that is not a unit of count
_MARKER = re.compile(
    r"(?P<dotted>(?<![\d.．A-Za-z])\d{1,2}\s?[.．、](?!\d))"
    r"|(?P<paren>[（(]\s?\d{1,2}\s?[）)])"
    r"|(?P<circled>[" + CIRCLED + r"])"
    r"|(?:(?<=[,，;；。)）])|^)\s*(?P<bare>\d{1,2})\s+(?=[^\d\s分项张个次份场类年月日人台间%％])"
)
_TRIM = " \t\r\n,，;；、"


@dataclass(frozen=True)
class EvidenceItem:
    """One numbered item: its number as the seed writes it and its words."""

    number: int
    text: str

    @property
    def label(self) -> str:
        return f"材料 {self.number}"


def _number(match: re.Match[str]) -> int:
    if match.group("circled"):
        return CIRCLED.index(match.group("circled")) + 1
    token = match.group("dotted") or match.group("paren") or match.group("bare") or ""
    return int(re.sub(r"\D", "", token))


def evidence_items(text: str) -> tuple[EvidenceItem, ...]:
    """The numbered items of a requirement, in order; () when the text does not number them."""
    text = text or ""
    starts: list[tuple[int, int, int]] = []  # (number, marker start, item text start)
    expected = 1
    for match in _MARKER.finditer(text):
        number = _number(match)
        if number == expected or (expected == 1 and number == 2 and text[: match.start()].strip(_TRIM)):
            if number == 2 and expected == 1:
                starts.append((1, 0, 0))  # the first item, written without its number
            start = match.start("bare") if match.group("bare") else match.start()
            starts.append((number, start, match.end()))
            expected = number + 1
    if len(starts) < 2:
        return ()
    items = []
    for index, (number, _marker, begin) in enumerate(starts):
        end = starts[index + 1][1] if index + 1 < len(starts) else len(text)
        words = text[begin:end].strip(_TRIM)
        if not words:
            return ()  # a marker with nothing after it is not an item: read the text as unnumbered
        items.append(EvidenceItem(number, words))
    return tuple(items)


def item_numbers(text: str) -> tuple[int, ...]:
    return tuple(item.number for item in evidence_items(text))
