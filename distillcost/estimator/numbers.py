"""Exact arithmetic for the cost model: 50 significant digits, results rounded far below a cent."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

PRECISION = 50
"""Significant digits of the model's arithmetic (results are rounded far below a cent)."""
F0 = Decimal(0)
F1 = Decimal(1)
MILLION = Decimal(1_000_000)
SECONDS_PER_DAY = Decimal(86_400)
QUANTA_SCALE = Decimal("1e-20")

_QUANTA: dict[int, Decimal] = {p: Decimal(1).scaleb(-p) for p in range(0, 13)}
_UNIT = Decimal(1)


def frac(value: Decimal | int | None) -> Decimal:
    return F0 if value is None else Decimal(value)


def dec(value: Decimal, places: int) -> Decimal:
    """``value`` rounded to ``places`` decimals, without trailing zeros.

    The rounding context grows with the number, so even absurd scenarios (1e15
    examples at a 1e-20 acceptance rate) get an answer, not an overflow.
    """
    value = Decimal(value)
    if value.adjusted() + places + 3 <= PRECISION:  # the usual case: no context needed
        result = value.quantize(_QUANTA[places], rounding=ROUND_HALF_EVEN)
    else:
        with localcontext() as context:
            context.prec = value.adjusted() + places + 3
            result = value.quantize(_QUANTA[places], rounding=ROUND_HALF_EVEN)
    if result == result.to_integral_value():
        return result.quantize(_UNIT)
    return result.normalize()


def ceil(value: Decimal) -> int:
    """Round up, after dropping digits far below one (200/3·3 is 200, not 201)."""
    return math.ceil(dec(value, 12))


def money(value: Decimal) -> Decimal:
    """Dollars as stored in an estimate: 1e-10 USD."""
    return dec(value, 10)


def tokens(value: Decimal) -> Decimal:
    """Token counts as stored in an estimate: 1e-6 tokens (expected counts are fractional)."""
    return dec(value, 6)
