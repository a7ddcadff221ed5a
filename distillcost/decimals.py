"""Exact decimal text: one way to write a ``Decimal`` as plain digits, used everywhere.

``str(Decimal("1E+3"))`` is ``1E+3`` and ``str(Decimal("0.00150"))`` keeps its trailing
zero; files, CSV cells and error messages want ``1000`` and ``0.0015``.
"""

from __future__ import annotations

from decimal import Decimal


def decimal_str(value: Decimal) -> str:
    """A Decimal as plain positional notation (no exponent, no trailing zeros), exact."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("", "-0"):
        return "0"
    return text
