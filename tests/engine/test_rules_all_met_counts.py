"""all_met over a dated list: enough entries inside a time window (Bozhou district 2.3
近两年内组织开展网络安全演练; 5.2 近五年至少开展 2 次)."""

from __future__ import annotations

import datetime as dt
import random
import textwrap
from decimal import Decimal as D
from typing import Any

import pytest

from benchmarks.totals_codegen import compile_totals
from campuseval.engine import Framework, FrameworkError, clean_answers, load_framework_text, score, score_clean
from campuseval.engine.samples import random_answers

AS_OF = dt.date(2024, 5, 30)

EVENTS = """
- key: events
  type: items
  unit: 次
  label: 演练
  fields:
    - {key: name, type: text, label: 名称}
    - {key: date, type: date, label: 日期}
"""
WITH_BOOL = "- {key: ok, type: bool, label: 建有制度}\n" + EVENTS.strip()


def framework(conditions: str, inputs: str = EVENTS) -> Framework:
    text = textwrap.dedent(
        """
        id: t
        title: 测试
        subject: district
        level_names: [一级]
        total: 2
        time_windows:
          近五年: {{since: 2019-01-01}}
          近两年: {{years: 2}}
        indicators:
          - code: "1"
            title: 测试指标
            points: 2
            inputs:
        {inputs}
            rule:
              type: all_met
              conditions:
        {conditions}
        """
    ).format(
        inputs=textwrap.indent(textwrap.dedent(inputs).strip(), " " * 6),
        conditions=textwrap.indent(textwrap.dedent(conditions).strip(), " " * 8),
    )
    return load_framework_text(text, "t.yaml")


TWO_YEARS = framework(
    """
    - {input: ok}
    - {input: events, min: 1, window: 近两年, date_field: date}
    """,
    WITH_BOOL,
)
FIVE_YEARS_TWICE = framework("- {input: events, min: 2, window: 近五年, date_field: date}")
ANY_TIME = framework("- {input: events, min: 2}")


def one(fw: Framework, values: dict[str, Any], as_of: dt.date = AS_OF) -> tuple[D, str]:
    r = score(fw, {"answers": {"1": values}}, as_of=as_of).indicators["1"]
    return r.points, r.explanation


def events(*dates: str) -> list[dict[str, str]]:
    return [{"name": f"演练{i}", "date": d} for i, d in enumerate(dates, start=1)]


@pytest.mark.parametrize(
    ("dates", "expected"),
    [(("2022-05-30",), "2"), (("2022-05-29",), "0"), (("2021-01-01", "2024-05-30"), "2"), ((), "0")],
)
def test_two_years_back_from_as_of_inclusive(dates: tuple[str, ...], expected: str) -> None:
    assert one(TWO_YEARS, {"ok": True, "events": events(*dates)})[0] == D(expected)


def test_the_window_moves_with_the_as_of_date() -> None:
    values = {"ok": True, "events": events("2022-05-30")}
    assert one(TWO_YEARS, values, dt.date(2024, 5, 30))[0] == D(2)
    assert one(TWO_YEARS, values, dt.date(2024, 5, 31))[0] == D(0)


def test_every_condition_still_needed() -> None:
    pts, text = one(TWO_YEARS, {"ok": False, "events": events("2024-01-01")})
    assert pts == 0
    assert text.endswith("未满足：建有制度，不得分")


def test_explanation_counts_inside_the_window() -> None:
    pts, text = one(TWO_YEARS, {"ok": True, "events": events("2021-03-01", "2023-06-15")})
    assert pts == D(2)
    assert "演练：填报 2 次，其中近两年（2022-05-30 起）内 1 次（要求不少于 1 次，达到）" in text
    pts, text = one(TWO_YEARS, {"ok": True, "events": events("2021-03-01")})
    assert pts == 0
    assert "其中近两年（2022-05-30 起）内 0 次（要求不少于 1 次，未达到）" in text
    assert text.endswith("未满足：演练，不得分")


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (("2019-01-01", "2024-05-30"), "2"),
        (("2018-12-31", "2024-05-30"), "0"),
        (("2020-06-01",), "0"),
        (("2019-05-01", "2020-05-01", "2021-05-01"), "2"),
    ],
)
def test_fixed_start_window_needs_two(dates: tuple[str, ...], expected: str) -> None:
    assert one(FIVE_YEARS_TWICE, {"events": events(*dates)})[0] == D(expected)


def test_without_a_window_every_entry_counts() -> None:
    pts, text = one(ANY_TIME, {"events": events("2001-01-01", "2002-01-01")})
    assert pts == D(2)
    assert text.startswith("演练：填报 2 次（要求不少于 2 次，达到）")
    assert one(ANY_TIME, {"events": events("2001-01-01")})[0] == 0


@pytest.mark.parametrize(
    ("conditions", "message"),
    [
        ("- {input: events, min: 1, window: 近十年, date_field: date}", "未定义的时间窗口 近十年"),
        ("- {input: events, min: 1, window: 近两年, date_field: name}", "需要日期字段"),
        ("- {input: events, min: 1, window: 近两年}", "需要日期字段"),
        ("- {input: ok, window: 近两年, date_field: date}", "只有条目列表条件可以限定时间窗口"),
        ("- {input: events}", "类型 items 不适用于规则 all_met"),
    ],
)
def test_malformed_list_conditions_are_refused(conditions: str, message: str) -> None:
    with pytest.raises(FrameworkError) as caught:
        framework(conditions, WITH_BOOL)
    assert message in str(caught.value)


@pytest.mark.parametrize("fw", [TWO_YEARS, FIVE_YEARS_TWICE, ANY_TIME])
def test_fast_totals_agree(fw: Framework) -> None:
    rng = random.Random(7)
    total = compile_totals(fw)
    for _ in range(50):
        answers = clean_answers(fw, random_answers(fw, rng, AS_OF, answered=1.0), as_of=AS_OF)
        assert total(answers) == score_clean(fw, answers).total
