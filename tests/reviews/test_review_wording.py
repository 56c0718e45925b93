"""A result's aggregation method and notes, and a list's tie rule, are stored in the Chinese the
calculation composed; an English page reads them in English, a Chinese page exactly as stored."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from campuseval.reviews import aggregation
from campuseval.reviews.wording import translated

CJK = re.compile(r"[\u4e00-\u9fff]")


def stored_sentences() -> list[str]:
    """What aggregation and the result calculation write, in every shape they write it."""
    out = []
    for method in aggregation.METHODS:
        for level in ("total", "indicator"):
            for weight in (Decimal(0), Decimal("0.3")):
                settings = aggregation.Settings(method=method, level=level, site_weight=weight)
                out += [settings.describe(), settings.describe(3, 3), settings.describe(7, 6)]
    candidates = [
        aggregation.Candidate(key="a", name="A", score=Decimal(90), rural=False, code="1"),
        aggregation.Candidate(key="b", name="B", score=Decimal(80), rural=False, code="2"),
        aggregation.Candidate(key="c", name="C", score=Decimal(70), rural=True, code="3"),
        aggregation.Candidate(key="d", name="D", score=Decimal(60), rural=True, eligible=False, code="4"),
    ]
    for places, rural in ((None, 0), (2, 0), (2, 1)):
        ranked, rule = aggregation.rank(candidates, places=places, rural_places=rural)
        out.append(rule)
        out += [r.note for r in ranked if r.note]
    out += ["因乡村预留名额未入选；组织单位调整为入选", "组织单位调整为未入选", aggregation.TIE_RULE]
    return out


def test_every_stored_shape_reads_in_english_and_unchanged_in_chinese() -> None:
    sentences = stored_sentences()
    assert len(set(sentences)) > 15
    for stored in sentences:
        with translation.override("zh-hans"):
            assert translated(stored) == stored
        with translation.override("en"):
            english = translated(stored)
            assert not CJK.search(english), (stored, english)


@pytest.mark.parametrize(
    ("stored", "english"),
    [
        (
            "去掉最高最低分后平均（本项仅 3 位专家，按算术平均），按总分汇总；材料评审 70% + 实地考察/答辩 30%",
            "Mean without the highest and lowest scores (only 3 experts here, so the arithmetic mean), "
            "on the totals; materials review 70% + site visit/defence 30%",
        ),
        (
            f"{aggregation.TIE_RULE}；共 2 个名额，其中乡村学校至少 1 个",
            "Equal totals are ranked by the materials review score, then the self-assessed score; applicants "
            "still equal share the rank and are listed by unit code; 2 places, at least 1 of them for rural schools",
        ),
    ],
)
def test_english_wording(stored: str, english: str) -> None:
    with translation.override("en"):
        assert translated(stored) == english


def test_framework_content_inside_a_note_stays_as_stored() -> None:
    """A veto's label and an unmet requirement's indicator come from the framework, which stays Chinese."""
    stored = "否决情形：存在重大网络安全事故；必要条件未满足：2.1 ★ 网络全覆盖"
    with translation.override("en"):
        assert translated(stored) == "Veto: 存在重大网络安全事故; Required condition not met: 2.1 ★ 网络全覆盖"


def test_unrecognised_text_and_the_template_filter() -> None:
    page = Template("{% load review_words %}{{ note|in_reader_language }}|{{ missing|in_reader_language }}")
    with translation.override("en"):
        rendered = page.render(Context({"note": "乡村预留名额入选；某项说明"}))
    assert rendered == "Selected for a place reserved for rural schools; 某项说明|"
