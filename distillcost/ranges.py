"""Uncertain numbers: a ``Range`` of low, base and high ``Decimal`` values.

Every numeric assumption of a scenario is a Range; a plain number ``x`` is
``Range(x, x, x)``. Ranges are written ``low..base..high`` on the command line
(``--completion-tokens 300..500..800``) and ``{low=…, base=…, high=…}`` or
``[low, base, high]`` in TOML. Numbers are parsed from text, never from floats,
and may carry a ``k``/``M``/``B`` suffix (``52k``, ``1M``, ``1B``) or
underscores (``1_000_000``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

from distillcost.errors import RangeError

SUFFIXES: dict[str, Decimal] = {
    "k": Decimal(1_000),
    "m": Decimal(1_000_000),
    "b": Decimal(1_000_000_000),
    "g": Decimal(1_000_000_000),
}

_UNIT = Decimal(1)

MAX_EXPONENT = 1000
"""No assumption is within a thousand orders of magnitude of 10**±1000: such a number
is a typo or hostile input. Rejecting it here keeps every later step bounded: Decimal's
default context overflows past 10**999999 (``1e999999999`` was an internal error) and
silently rounds below 10**-999999 to 0; positional printing of 1e999999999 needs a
billion digits. The scenario's own limits (1e15, 1e-15) then give the usual message."""


def parse_number(value: Any) -> Decimal:
    """An exact Decimal from an int, Decimal, str (``52k``, ``1_000``, ``1e9``) or float.

    Floats are converted through ``repr`` (shortest round-trip text), so a TOML
    value read without ``parse_float=Decimal`` still gives ``0.1``, not
    ``0.1000000000000000055511151231257827``.
    """
    if isinstance(value, bool):
        raise RangeError(f"expected a number, got {str(value).lower()}")
    multiplier = _UNIT
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().replace("_", "").replace(",", "")
        if text and text[-1].lower() in SUFFIXES:
            multiplier = SUFFIXES[text[-1].lower()]
            text = text[:-1]
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise RangeError(f"{value!r} is not a number") from None
    else:
        raise RangeError(f"expected a number, got {type(value).__name__}")
    # an int of 5000 digits cannot even be turned into text (Python's int-str limit)
    huge = result.is_finite() and abs(result.adjusted()) >= 100
    shown = value if isinstance(value, str) else f"{result:.3e}" if huge else str(value)
    if not result.is_finite():
        raise RangeError(f"{shown!r} is not a finite number")
    if result and abs(result.adjusted()) > MAX_EXPONENT:
        size = "large" if result.adjusted() > 0 else "small"
        raise RangeError(f"{shown!r} is implausibly {size} (beyond 1e±{MAX_EXPONENT})")
    if multiplier is not _UNIT:
        with localcontext() as context:  # exact: as many digits as the number has
            context.prec = len(result.as_tuple().digits) + 1
            result *= multiplier
    return result.copy_abs() if result.is_zero() else result  # -0 is 0 (it printed "-0")


@dataclass(frozen=True)
class Range:
    """Low, base and high values of one assumption (low <= base <= high)."""

    low: Decimal
    base: Decimal
    high: Decimal

    def __post_init__(self) -> None:
        if not self.low <= self.base <= self.high:
            raise RangeError(
                f"range must satisfy low <= base <= high, got "
                f"{_fmt(self.low)}..{_fmt(self.base)}..{_fmt(self.high)}"
            )

    @classmethod
    def of(cls, value: Any) -> Range:
        """A Range from a number, a Range, a 1-3 item list or a {low, base, high} table."""
        if isinstance(value, Range):
            return value
        if isinstance(value, Mapping):
            unknown = set(value) - {"low", "base", "high"}
            if unknown:
                raise RangeError(
                    f"a range table takes low, base and high; unknown key {sorted(unknown)[0]!r}"
                )
            if "base" not in value and not ("low" in value and "high" in value):
                raise RangeError("a range table needs base, or low and high")
            low = parse_number(value["low"]) if "low" in value else None
            high = parse_number(value["high"]) if "high" in value else None
            base = parse_number(value["base"]) if "base" in value else None
            if base is None:
                assert low is not None and high is not None
                base = (low + high) / 2
            return cls(low if low is not None else base, base, high if high is not None else base)
        if isinstance(value, (list, tuple)):
            return cls._from_parts([parse_number(v) for v in value])
        if isinstance(value, str) and ".." in value:
            return cls.parse(value)
        number = parse_number(value)
        return cls(number, number, number)

    @classmethod
    def parse(cls, text: str) -> Range:
        """``500``, ``300..800`` (base = midpoint) or ``300..500..800``."""
        parts = text.split("..")
        return cls._from_parts([parse_number(p) for p in parts])

    @classmethod
    def _from_parts(cls, parts: list[Decimal]) -> Range:
        if len(parts) == 1:
            return cls(parts[0], parts[0], parts[0])
        if len(parts) == 2:
            low, high = parts
            if low > high:
                raise RangeError(f"range low {_fmt(low)} is above high {_fmt(high)}")
            return cls(low, (low + high) / 2, high)
        if len(parts) == 3:
            return cls(*parts)
        raise RangeError("a range has 1 to 3 values: base, low..high or low..base..high")

    @property
    def is_range(self) -> bool:
        return self.low != self.base or self.base != self.high

    def map(self, func: Any) -> Range:
        return Range(func(self.low), func(self.base), func(self.high))

    def __str__(self) -> str:
        if not self.is_range:
            return _fmt(self.base)
        return f"{_fmt(self.low)}..{_fmt(self.base)}..{_fmt(self.high)}"

    def to_dict(self) -> dict[str, Decimal]:
        return {"low": self.low, "base": self.base, "high": self.high}


def _fmt(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"
