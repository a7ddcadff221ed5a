"""Reading one value of a price file: exact, bounded, and explained when wrong.

Each reader takes what a TOML/JSON/CSV parser produced (int, Decimal, str, date,
bool, list) and returns the stored type, or raises :class:`FieldError` with the
reason; the format reader knows the file, line and field and files a ``Problem``.
Numbers never pass through ``float``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from distillcost.decimals import decimal_str
from distillcost.errors import FieldError, did_you_mean

# The tiktoken encodings distillcost counts with (tokens.ENCODINGS loads tiktoken; this does not).
KNOWN_ENCODINGS: tuple[str, ...] = ("o200k_base", "cl100k_base", "p50k_base", "r50k_base")

# Sanity bounds: a hostile or mis-keyed table must not print a million digits.
MAX_PRICE = Decimal(1_000_000)  # USD per 1M tokens (or per request)
MIN_PRICE = Decimal("1e-20")  # a non-zero price below this (in any unit) is a typo
MAX_COUNT = 10**12  # tokens

# Accepted `unit` values and the factor that turns them into USD per 1M tokens.
UNITS: dict[str, Decimal] = {
    "USD per 1M tokens": Decimal(1),
    "USD per 1K tokens": Decimal(1000),
}
ALIAS_SEPARATOR = ";"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = ("true", "yes", "1")
_FALSE = ("false", "no", "0")


def _comma_hint(text: str) -> str:
    """A spreadsheet saved with a decimal comma (0,8) gets told what to write instead."""
    if re.fullmatch(r"\d+,\d+", text):
        return f" (write a decimal point: {text.replace(',', '.')})"
    return ""


def money(value: Any) -> Decimal:
    """A price: a finite, non-negative Decimal from an int, Decimal or numeric text."""
    if isinstance(value, bool):
        raise FieldError(f"expected a number, got {str(value).lower()}")
    if isinstance(value, float):
        raise FieldError(f"got the float {value!r}; give prices as text or Decimal, never float")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if text.startswith("$"):
            text = text[1:].strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise FieldError(f"not a number: {value!r}{_comma_hint(text)}") from None
    else:
        raise FieldError(f"expected a number, got {type(value).__name__}")
    if number.is_nan():
        raise FieldError("NaN is not a price")
    if number.is_infinite():
        raise FieldError("infinite price")
    if number < 0:
        if number.adjusted() > 12:
            raise FieldError(f"negative price {number}; prices must be >= 0")
        raise FieldError(f"negative price {decimal_str(number)}; prices must be >= 0")
    if number > MAX_PRICE:
        raise FieldError(
            f"implausibly large price {number} (over {MAX_PRICE} USD per 1M tokens); check the unit"
        )
    if 0 < number < MIN_PRICE:  # 1e-999999 per token was printed with a million zeros
        raise FieldError(
            f"implausibly small price {number} (not 0, but below {MIN_PRICE}); check the unit"
        )
    return number


def positive_int(value: Any) -> int:
    """A token count: a whole number > 0 (also from text like "128000")."""
    if isinstance(value, bool):
        raise FieldError(f"expected a whole number, got {str(value).lower()}")
    number: Decimal | int
    if isinstance(value, int):
        number = value
    elif isinstance(value, (Decimal, str)):
        try:
            number = Decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation:
            raise FieldError(f"not a number: {value!r}") from None
        if not number.is_finite() or number != number.to_integral_value():
            raise FieldError(f"expected a whole number, got {value!r}")
        if number.adjusted() > 12:
            raise FieldError(f"implausibly large number {number}")
        number = int(number)
    else:
        raise FieldError(f"expected a whole number, got {type(value).__name__}")
    if number <= 0:
        raise FieldError(f"must be a positive whole number, got {number}")
    if number > MAX_COUNT:
        raise FieldError(f"implausibly large number {number}")
    return int(number)


def count(value: Any) -> int:
    """A token count that may be zero (reasoning off): a whole number >= 0."""
    if not isinstance(value, bool) and value in (0, "0"):
        return 0
    return positive_int(value)


def ratio(value: Any) -> Decimal:
    """A multiplier such as ``token_ratio``: a price-like number above 0."""
    number = money(value)
    if number == 0:
        raise FieldError("must be greater than 0")
    return number


def day(value: Any) -> date:
    """A date (TOML date, or text YYYY-MM-DD); a date-time is refused, not truncated."""
    if isinstance(value, datetime):
        raise FieldError(f"expected a date (YYYY-MM-DD), got the date-time {value.isoformat()}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _ISO_DATE.match(text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        hint = " (a spreadsheet may have reformatted it)" if "/" in text or "." in text else ""
        raise FieldError(f"expected a date as YYYY-MM-DD, got {value!r}{hint}")
    raise FieldError(f"expected a date as YYYY-MM-DD, got {type(value).__name__}")


def flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in (*_TRUE, *_FALSE):
        return value.strip().lower() in _TRUE
    raise FieldError(f"expected true or false, got {value!r}")


def text(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise FieldError(f"expected text, got {type(value).__name__}")


def name(value: Any) -> str:
    """A model id or alias: non-empty text without surrounding space or control chars."""
    result = text(value)
    if not result:
        raise FieldError("must not be empty")
    if result != result.strip():
        raise FieldError(f"{result!r} has leading or trailing whitespace")
    if any(ord(ch) < 32 or 127 <= ord(ch) <= 159 for ch in result):
        raise FieldError(f"{result!r} contains a control character")
    return result


def names(value: Any) -> tuple[str, ...]:
    """A list of names, or one text with names separated by ``;`` (a CSV cell)."""
    if isinstance(value, str):
        items: list[Any] = [a.strip() for a in value.split(ALIAS_SEPARATOR) if a.strip()]
    elif isinstance(value, list):
        items = value
    else:
        raise FieldError(f"expected a list of names, got {type(value).__name__}")
    return tuple(name(a) for a in items)


def encoding(value: Any) -> str:
    result = text(value).strip()
    if result not in KNOWN_ENCODINGS:
        close = did_you_mean(result, KNOWN_ENCODINGS, n=1)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        hint = hint or f" Known: {', '.join(KNOWN_ENCODINGS)}."
        raise FieldError(f"unknown encoding {result!r}.{hint}")
    return result


def unit(value: Any) -> Decimal:
    """A price unit's factor to USD per 1M tokens."""
    result = text(value).strip()
    if result not in UNITS:
        close = did_you_mean(result, UNITS)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        hint = hint or f" Accepted: {', '.join(repr(u) for u in UNITS)}."
        raise FieldError(f"unknown unit {result!r}.{hint}")
    return UNITS[result]


def choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    """A reader that accepts one of ``options`` (with a did-you-mean otherwise)."""

    def read(value: Any) -> str:
        result = text(value).strip()
        if result not in options:
            close = did_you_mean(result, options, n=1)
            hint = f" Did you mean: {close[0]}?" if close else ""
            raise FieldError(f"expected one of {', '.join(options)}, got {result!r}.{hint}")
        return result

    return read


_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def utc_hours(value: Any) -> str:
    """A daily window in UTC, ``HH:MM-HH:MM``; it may wrap midnight (``16:30-00:30``)."""
    result = text(value).strip()
    match = _HOURS.match(result)
    if not match or result[:5] == result[6:]:
        raise FieldError(f"expected hours as HH:MM-HH:MM in UTC (e.g. 16:30-00:30), got {value!r}")
    return result


def weekdays(value: Any) -> tuple[str, ...]:
    """Days of the week, ``mon`` … ``sun``."""
    items = value if isinstance(value, list) else [d for d in str(value).split(ALIAS_SEPARATOR)]
    days = tuple(text(d).strip().lower() for d in items if text(d).strip())
    for day in days:
        if day not in WEEKDAYS:
            raise FieldError(f"expected days among {', '.join(WEEKDAYS)}, got {day!r}")
    return days
