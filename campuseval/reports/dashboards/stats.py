"""Statistics the dashboards share: rounding to cents, percentages, linear-interpolation
quartiles (R type 7) and box-plot figures, means."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
TENTH = Decimal("0.1")
BIN_WIDTH = 10

QUANTILE_METHOD = (
    "四分位数采用线性插值法（R 第 7 类，即 Excel QUARTILE.INC）：将得分从小到大排列，"
    "第 p 分位数位于第 (n−1)·p 个位置（从 0 起算），落在两个得分之间时按比例插值"
)


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def pct(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """A percentage with one decimal (half up), or None when there is nothing to divide by."""
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(TENTH, rounding=ROUND_HALF_UP)


def quantile(ordered: Sequence[Decimal], p: Decimal) -> Decimal:
    """The p-quantile of sorted values by linear interpolation (R type 7): exact decimals."""
    if not ordered:
        raise ValueError("no values")
    h = (len(ordered) - 1) * p
    low = int(h)  # h >= 0, so int() is floor
    frac = h - low
    if low + 1 >= len(ordered):
        return ordered[-1]
    return ordered[low] + frac * (ordered[low + 1] - ordered[low])


def box(values: Iterable[Decimal]) -> dict[str, Decimal] | None:
    """Five numbers for a box plot (min, Q1, median, Q3, max), or None without values."""
    ordered = sorted(values)
    if not ordered:
        return None
    return {
        "min": ordered[0],
        "q1": q2(quantile(ordered, Decimal("0.25"))),
        "median": q2(quantile(ordered, Decimal("0.5"))),
        "q3": q2(quantile(ordered, Decimal("0.75"))),
        "max": ordered[-1],
    }


def mean(values: Sequence[Decimal]) -> Decimal | None:
    return q2(sum(values, ZERO) / len(values)) if values else None
