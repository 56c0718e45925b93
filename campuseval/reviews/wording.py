"""Stored review wording read in the reader's language.

A result keeps its aggregation method and its notes, and a publication its tie rule, as the
Chinese sentences `aggregation` and the result calculation composed when the results were worked
out: they are the record and stay as they were. An English page reads them through `translated`,
which recognises the sentences those functions compose and puts each in the catalogue's words;
framework content inside them (a veto's label, an indicator's title) and anything not recognised
stay as stored. In Chinese the output is the stored text itself.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext, gettext_noop

#: (pattern of a stored phrase, its msgid): the pattern's named groups fill the msgid's
#: placeholders, each group read through `translated` again (numbers come back unchanged).
PHRASES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), msgid)
    for p, msgid in [
        (r"算术平均", gettext_noop("算术平均")),
        (r"中位数", gettext_noop("中位数")),
        (
            r"去掉一个最高分和一个最低分后平均（不足 5 位专家时取算术平均）",
            gettext_noop("去掉一个最高分和一个最低分后平均（不足 5 位专家时取算术平均）"),
        ),
        (
            r"去掉最高最低分后平均（本项仅 (?P<n>\d+) 位专家，按算术平均）",
            gettext_noop("去掉最高最低分后平均（本项仅 %(n)s 位专家，按算术平均）"),
        ),
        (
            r"去掉一个最高分和一个最低分后平均（(?P<n>\d+) 位专家）",
            gettext_noop("去掉一个最高分和一个最低分后平均（%(n)s 位专家）"),
        ),
        (r"(?P<method>.+)，按总分汇总", gettext_noop("%(method)s，按总分汇总")),
        (r"(?P<method>.+)，按指标逐项汇总后求和", gettext_noop("%(method)s，按指标逐项汇总后求和")),
        (
            r"材料评审 (?P<a>[\d.]+)% \+ 实地考察/答辩 (?P<b>[\d.]+)%",
            gettext_noop("材料评审 %(a)s%% + 实地考察/答辩 %(b)s%%"),
        ),
        (
            r"材料评审 (?P<a>[\d.]+)% \+ 实地考察/答辩 (?P<b>[\d.]+)%（实地考察/答辩仅 (?P<n>\d+) 位专家，按算术平均）",
            gettext_noop("材料评审 %(a)s%% + 实地考察/答辩 %(b)s%%（实地考察/答辩仅 %(n)s 位专家，按算术平均）"),
        ),
        (
            r"总分相同时，依次比较材料评审得分、自评分，仍相同的并列并按单位代码排序",
            gettext_noop("总分相同时，依次比较材料评审得分、自评分，仍相同的并列并按单位代码排序"),
        ),
        (r"共 (?P<n>\d+) 个名额", gettext_noop("共 %(n)s 个名额")),
        (
            r"共 (?P<n>\d+) 个名额，其中乡村学校至少 (?P<m>\d+) 个",
            gettext_noop("共 %(n)s 个名额，其中乡村学校至少 %(m)s 个"),
        ),
        (r"乡村预留名额入选", gettext_noop("乡村预留名额入选")),
        (r"因乡村预留名额未入选", gettext_noop("因乡村预留名额未入选")),
        (r"不符合资格条件，不参与排名", gettext_noop("不符合资格条件，不参与排名")),
        (r"否决情形：(?P<label>.+)", gettext_noop("否决情形：%(label)s")),
        (r"必要条件未满足：(?P<unmet>.+)", gettext_noop("必要条件未满足：%(unmet)s")),
        (r"组织单位调整为入选", gettext_noop("组织单位调整为入选")),
        (r"组织单位调整为未入选", gettext_noop("组织单位调整为未入选")),
    ]
]


def _phrase(text: str) -> str:
    for pattern, msgid in PHRASES:
        match = pattern.fullmatch(text)
        if match:
            groups = match.groupdict()
            if not groups:
                return gettext(msgid)
            return gettext(msgid) % {k: _phrase(v) for k, v in groups.items()}
    return text


def translated(stored: str) -> str:
    """A stored method, note or tie rule in the active language: its "；"-separated parts each
    put in the catalogue's words when recognised, kept as stored when not."""
    if not stored:
        return stored
    return gettext("；").join(_phrase(part) for part in stored.split("；"))
