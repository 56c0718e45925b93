"""Decimal helpers: points are exact decimals and print the way a Chinese score sheet does.

Every number that comes in from outside (a web form, an answer file, a framework file) is read by
`to_decimal` and bounded before anything computes with it:

- it is written with ASCII digits (full-width １２３ or Arabic-Indic ١٢٣ digits are refused rather
  than guessed at), at most `MAX_NUMBER_TEXT` characters, and is finite (no NaN, no Infinity);
- unless its input or form field names a maximum, its magnitude is at most `DEFAULT_CEILING`
  (10^12: a school's counts, megabits, yuan and percentages are far below it) and it carries at
  most `MAX_PLACES` decimal places. Such a number has at most 19 significant digits, so products
  and quotients of two of them fit the 28 digits of decimal's default context.

Nothing is clamped: a number out of bounds is refused with a message naming the field. The
printing and rounding helpers (`fmt`, `quantize`) widen the context to the value they are given
and round with an explicit mode, so a stored value that predates the bounds still prints."""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

#: the largest magnitude a number may have when its input or form field gives no maximum
DEFAULT_CEILING = Decimal(10) ** 12
#: decimal places a number may carry (33.333333% is fine; more is noise, not information)
MAX_PLACES = 6
#: characters a typed number may have: a longer "number" is refused before it is parsed
MAX_NUMBER_TEXT = 40

ROUNDING_MODES = {
    "half_up": ROUND_HALF_UP,
    "floor": ROUND_FLOOR,
    "ceil": ROUND_CEILING,
}

#: what a number may look like: ASCII digits, one point, an optional exponent
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class NumberRefused(ValueError):
    """Why a number was refused, worded to follow the field's label ("…应为数字")."""


def to_decimal(value: object) -> Decimal:
    """Turn a YAML/JSON scalar or typed text into a finite Decimal without passing through binary
    floats' noise; raise NumberRefused (a ValueError) for anything else."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NumberRefused(f"「{value}」不是有限数字 / not a finite number")
        return value
    if isinstance(value, bool):
        raise NumberRefused("布尔值不是数字 / a boolean is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        result = Decimal(repr(value))
        if not result.is_finite():
            raise NumberRefused(f"「{value}」不是有限数字 / not a finite number")
        return result
    if isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_NUMBER_TEXT:
            raise NumberRefused(f"位数过多（最多 {MAX_NUMBER_TEXT} 个字符）/ too many digits")
        if text.lower().lstrip("+-") in {"nan", "snan", "inf", "infinity"}:
            raise NumberRefused(f"「{text}」不是有限数字 / not a finite number")
        if not _NUMBER.fullmatch(text):
            if any(ch.isdigit() for ch in text) and not text.isascii():
                raise NumberRefused(f"应使用半角阿拉伯数字 0–9，收到「{text}」/ use ASCII digits")
            raise NumberRefused(f"「{text}」不是数字 / not a number")
        try:
            return Decimal(text)
        except InvalidOperation as exc:  # the pattern admits only what Decimal reads; kept as a guard
            raise NumberRefused(f"「{text}」不是数字 / not a number") from exc
    raise NumberRefused(f"「{value!r}」不是数字 / not a number")


def places(value: Decimal) -> int:
    """Decimal places that carry information (6.50 has one, 1E+30 none), read from the digits
    and exponent: nothing is formatted, so 1E-999999999 costs nothing."""
    _sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # NaN or Infinity
        return 0
    count = len(digits)
    while count > 1 and digits[count - 1] == 0:
        count -= 1
        exponent += 1
    return max(0, -exponent)


def too_precise(value: Decimal) -> bool:
    """More than MAX_PLACES decimal places carrying information."""
    return bool(value) and places(value) > MAX_PLACES


def ceiling_of(maximum: Decimal | None) -> Decimal:
    """The upper bound of a number whose field names `maximum` (or none: DEFAULT_CEILING)."""
    return DEFAULT_CEILING if maximum is None else maximum


def shown(value: Decimal) -> str:
    """A number in a message: as `fmt` prints it, or in exponent form when that would be longer
    than a line (1E+5000 is not printed with five thousand zeros)."""
    if not value.is_finite():
        return str(value)
    if value and not -MAX_NUMBER_TEXT < value.adjusted() < MAX_NUMBER_TEXT:
        return format(value, ".3E")
    return fmt(value)


def fmt(value: Decimal) -> str:
    """Print 6.00 as 6 and 0.50 as 0.5, never in exponent notation, exactly (no rounding to the
    context's precision, so a number of any size prints)."""
    if not value.is_finite():
        return str(value)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in {"-0", ""}:
        text = "0"
    return text


def quantize(value: Decimal, places: int, mode: str = "half_up") -> Decimal:
    """Round to a number of decimal places with a named rounding mode, in a context wide enough
    for the value (decimal's default 28 digits would signal InvalidOperation on 10^30)."""
    exponent = Decimal(1).scaleb(-places)
    with localcontext() as ctx:
        ctx.prec = max(28, value.adjusted() + places + 2) if value.is_finite() and value else 28
        return value.quantize(exponent, rounding=ROUNDING_MODES[mode])


def clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low, min(high, value))
