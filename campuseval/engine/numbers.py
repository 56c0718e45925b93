"""Decimal helpers: points are exact decimals and print the way a Chinese score sheet does."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

ROUNDING_MODES = {
    "half_up": ROUND_HALF_UP,
    "floor": ROUND_FLOOR,
    "ceil": ROUND_CEILING,
}


def to_decimal(value: object) -> Decimal:
    """Turn a YAML/JSON scalar into a Decimal without passing through binary floats' noise."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise ValueError("布尔值不是数字 / a boolean is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation as exc:
            raise ValueError(f"「{value}」不是数字 / not a number") from exc
        if not result.is_finite():
            raise ValueError(f"「{value}」不是有限数字 / not a finite number")
        return result
    raise ValueError(f"「{value!r}」不是数字 / not a number")


def fmt(value: Decimal) -> str:
    """Print 6.00 as 6 and 0.50 as 0.5, never in exponent notation."""
    if value == value.to_integral_value():
        return str(value.quantize(ONE))
    text = format(value.normalize(), "f")
    return text


def quantize(value: Decimal, places: int, mode: str = "half_up") -> Decimal:
    """Round to a number of decimal places with a named rounding mode."""
    exponent = Decimal(1).scaleb(-places)
    return value.quantize(exponent, rounding=ROUNDING_MODES[mode])


def clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low, min(high, value))
