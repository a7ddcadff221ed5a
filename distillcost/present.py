"""How numbers read: one formatter per kind of quantity, used by every output.

The CLI's tables, the Markdown and HTML reports (as Jinja filters) and the notes all
format through these functions, so the same amount prints the same everywhere.
Rounding is for display only (half up, as people round); the estimator computes in
exact decimals. Pure: no I/O, no third-party imports.

``money``      amounts: ``$1,234.57``; under a cent, two significant digits (``$0.0042``)
``price``      a published price per 1M tokens, exact: ``$0.075``, ``$2.50``
``rate``       a derived price (a blend, a cost per 1M dataset tokens): 4 significant digits
``tokens``     ``34,567``; ``compact=True`` for prose: ``1.2M``, ``3.45B``
``number``     grouped, trailing zeros trimmed, at most 4 decimals (more for tiny values)
``count``      an expected count: ``6,500.25`` (2 decimals from 100 up, 4 below)
``exact``      every digit, grouped: ``437,605``, ``0.437605``
``pct``        a fraction as a percentage: ``0.85`` -> ``85%``; ``signed=True``: ``+12.5%``
``duration``   seconds in the unit a reader wants: ``45 seconds`` … ``3.2 days``
``day``        ``2024-05-13``; ``long=True``: ``13 May 2024``
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any

from distillcost.decimals import decimal_str
from distillcost.errors import FormatError

DASH = "—"
CENT = Decimal("0.01")


def to_decimal(value: Any) -> Decimal:
    """Numbers from the estimator (Decimal, int, or an exact string) as a Decimal."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise FormatError(f"expected a number, got {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):  # display only; never used for money arithmetic
        return Decimal(repr(value))
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise FormatError(f"expected a number, got {value!r}") from None


def half_up(value: Decimal, places: int) -> Decimal:
    """``value`` rounded half up to ``places`` decimals, with room for any magnitude."""
    digits = max(value.adjusted(), 0) + places + 2
    context = Context(prec=max(28, digits), rounding=ROUND_HALF_UP)
    return value.quantize(Decimal(1).scaleb(-places), context=context)


def significant(value: Decimal, digits: int) -> Decimal:
    """``value`` rounded half up to ``digits`` significant digits."""
    return Context(prec=digits, rounding=ROUND_HALF_UP).plus(value)


def money_places(value: Decimal) -> int:
    """Cents; two significant digits for a non-zero amount under a cent."""
    magnitude = abs(value)
    if magnitude == 0 or magnitude >= CENT:
        return 2
    return max(2, -magnitude.adjusted() + 1)


def money(value: Any, places: int | None = None) -> str:
    """An amount of dollars for a reader: ``$1,234.57``, ``$0.0042``, ``-$5.01``."""
    if value is None:
        return DASH
    amount = to_decimal(value)
    if places is None:
        places = money_places(amount)
    rounded = half_up(abs(amount), places)
    sign = "-" if amount < 0 and rounded != 0 else ""
    return f"{sign}${rounded:,.{places}f}"


def price(value: Any) -> str:
    """A published price per 1M tokens, exact, with at least two decimals."""
    if value is None:
        return DASH
    amount = to_decimal(value).normalize()
    places = max(2, -amount.as_tuple().exponent) if amount != amount.to_integral() else 2  # type: ignore[operator]
    return f"${amount:,.{places}f}"


def rate(value: Any) -> str:
    """A derived price (blended tiers, cost per 1M dataset tokens): 4 significant digits."""
    if value is None:
        return DASH
    amount = to_decimal(value)
    return price(significant(amount, 4) if amount else amount)


def number(value: Any, places: int | None = None) -> str:
    """A plain number with thousands separators; trailing zeros trimmed."""
    if value is None:
        return DASH
    amount = to_decimal(value)
    if places is None:
        if amount == amount.to_integral_value():
            places = 0
        else:
            exponent = -amount.normalize().as_tuple().exponent  # type: ignore[operator]
            limit = 4 if abs(amount) >= 1 else max(4, -amount.adjusted() + 3)
            places = max(0, min(int(exponent), limit))
    text = f"{half_up(amount, places):,.{places}f}"
    return "0" if text in {"-0", "-0.0"} else text


def count(value: Any) -> str:
    """An expected count (requests, tokens): whole, or 2 decimals from 100 up, 4 below."""
    if value is None:
        return DASH
    amount = to_decimal(value)
    if amount == amount.to_integral_value():
        return number(amount, 0)
    text = number(amount, 2 if abs(amount) >= 100 else 4)
    return text.rstrip("0").rstrip(".") if "." in text else text


def exact(value: Any) -> str:
    """Every digit of a number, grouped (``437,605``, ``0.437605``, ``1,000.25``)."""
    if value is None:
        return DASH
    text = decimal_str(to_decimal(value))
    whole, _, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = f"{int(whole.lstrip('-') or 0):,}"
    return sign + grouped + (f".{fraction}" if fraction else "")


def assumption(value: Any) -> str:
    """An assumption as given, every digit; a long measured mean (24.7716535433...) as
    ``≈24.7717``, since 28 digits of a mean are not 28 digits of knowledge."""
    if value is None:
        return DASH
    amount = to_decimal(value)
    places = -amount.normalize().as_tuple().exponent  # type: ignore[operator]
    return exact(amount) if places <= 8 else "≈" + number(amount)


_SUFFIXES = ((Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"))


def tokens(value: Any, compact: bool = False) -> str:
    """Token counts: ``34,567``; ``compact=True``: 1.2M, 3.45B (three significant digits)."""
    if value is None:
        return DASH
    count = half_up(to_decimal(value), 0)
    if compact and abs(count) >= _SUFFIXES[-1][0]:
        # round to three significant digits first, so 999,999,999 reads 1B, not 1000M
        rounded = significant(count, 3)
        for limit, suffix in _SUFFIXES:
            if abs(rounded) >= limit:
                return decimal_str(rounded / limit) + suffix
    return f"{count:,.0f}"


def pct(value: Any, places: int | None = None, *, signed: bool = False) -> str:
    """A fraction as a percentage: 0.85 -> 85%, 0.123 -> 12.3%, 0.0005 -> 0.05%."""
    if value is None:
        return DASH
    percent = to_decimal(value) * 100
    if places is None:
        if percent == percent.to_integral_value():
            places = 0
        elif abs(percent) >= 1:
            places = 1
        else:
            places = max(1, -percent.adjusted())
    text = f"{half_up(percent, places):.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text == "-0":
        text = "0"
    if signed and not text.startswith("-") and text != "0":
        text = "+" + text
    return text + "%"


def duration(seconds: Any) -> str:
    """Wall-clock time in a readable unit: 45 seconds, 12 minutes, 5.5 hours, 3.2 days."""
    if seconds is None:
        return DASH
    s = to_decimal(seconds)
    for size, unit in ((Decimal(86400), "day"), (Decimal(3600), "hour"), (Decimal(60), "minute")):
        if s >= 2 * size:
            n = s / size
            places = 0 if n >= 100 else 1
            text = f"{half_up(n, places):,.{places}f}".removesuffix(".0")
            return f"{text} {unit}s"
    text = f"{half_up(s, 0):,.0f}"
    return f"{text} second" + ("" if text == "1" else "s")


def factor(value: Any) -> str:
    """How many times: ``1.00×``, ``33.3×``, ``1,250×`` (three significant figures up to 100)."""
    if value is None:
        return DASH
    amount = to_decimal(value)
    places = 0 if abs(amount) >= 100 else 1 if abs(amount) >= 10 else 2
    return f"{number(amount, places)}×"


LIMIT_LABELS: dict[str, str] = {
    "rpm": "requests per minute (rpm)",
    "rpd": "requests per day (rpd)",
    "tpm": "tokens per minute (tpm)",
    "tpd": "tokens per day (tpd)",
    "concurrency": "concurrency × latency",
    "latency": "concurrency × latency",
    "batch": "batch queue rounds",
    "batch_queue": "batch queue rounds",
    "none": "none (no rate limits given)",
    "none given": "none (no rate limits given)",
}


def limit_label(name: Any) -> str:
    """A limit's name for readers ("tpm" -> "tokens per minute (tpm)")."""
    if name is None or name == "":
        return LIMIT_LABELS["none"]
    return LIMIT_LABELS.get(str(name), str(name))


def days(value: Any) -> str:
    """A duration given in days (tables of many campaigns)."""
    return DASH if value is None else duration(to_decimal(value) * 86400)


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


UNDATED = date(1970, 1, 1)
"""The start date given to a price whose source states none (a price map's snapshot)."""


def day(value: Any, long: bool = False) -> str:
    """``2024-05-13`` or, with ``long=True``, ``13 May 2024`` (no locale involved);
    ``undated`` for a price whose source gives no start date."""
    if value is None:
        return DASH
    if value == UNDATED:
        return "undated"
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError:
            raise FormatError(f"expected a date, got {value!r}") from None
    if long:
        return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
    return value.isoformat()


def since(value: Any) -> str:
    """``from 2024-05-13``, or ``undated`` when the source gives no start date."""
    shown = day(value)
    return shown if value == UNDATED else f"from {shown}"


def text(value: Any) -> str:
    """Anything else: booleans as yes/no, lists joined, None as a dash."""
    if value is None or value == "":
        return DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return decimal_str(value)
    if isinstance(value, (date, datetime)):
        return day(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(text(v) for v in value) or DASH
    return str(value)


FORMATTERS: dict[str, Callable[[Any], str]] = {
    "money": money,
    "price": price,
    "rate": rate,
    "tokens": tokens,
    "number": number,
    "count": count,
    "exact": exact,
    "assumption": assumption,
    "pct": pct,
    "change": lambda v: "" if v is None or to_decimal(v) == 0 else pct(v, 1, signed=True),
    "days": days,
    "factor": factor,
    "duration": duration,
    "date": day,
    "text": text,
}
NUMERIC = frozenset(FORMATTERS) - {"date", "text"}


def span(value: Any, low: Any = None, high: Any = None, kind: str = "number") -> str:
    """A value with its range when it has one: ``500 (300–800)``."""
    show = FORMATTERS[kind]

    def one(v: Any) -> str:
        if isinstance(v, (Decimal, int, float)) and not isinstance(v, bool):
            return show(v)
        return text(v)

    out = one(value)
    if low is not None and high is not None and (low != value or high != value):
        out += f" ({one(low)}–{one(high)})"
    return out


# ------------------------------------------------------------------------------ tables


@dataclass(frozen=True)
class Column:
    """One column of a result table: its key in the rows, heading, and kind of quantity.

    ``places`` fixes the decimals of a money column (a column that must add up to its
    total) or a percentage column. A text value in a numeric column is shown as it is
    (a note in a cell).
    """

    key: str
    heading: str
    kind: str = "text"
    places: int | None = None

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC

    def cell(self, value: Any, missing: str = "") -> str:
        if value is None:
            return missing
        if value == "":
            return ""
        if isinstance(value, str) and self.numeric:
            return value
        if self.kind == "money":
            return money(value, self.places)
        if self.kind == "pct":
            return pct(value, self.places)
        return FORMATTERS[self.kind](value)


@dataclass(frozen=True)
class TableView:
    """A table as a template draws it: formatted cells, one align letter per column."""

    header: tuple[str, ...]
    align: str
    rows: tuple[tuple[str, ...], ...]
    foot: tuple[str, ...] | None = None
    marked: tuple[int, ...] = ()


@dataclass(frozen=True)
class Table:
    """Rows of raw values and how to show them: one table, many outputs.

    Text, Markdown and HTML show :meth:`cells`; CSV and spreadsheets take the raw
    values (numbers stay numbers). ``foot`` is a totals row (raw values by key);
    ``marked`` holds row indexes to emphasise.
    """

    columns: tuple[Column, ...]
    rows: tuple[Mapping[str, Any], ...]
    title: str = ""
    foot: Mapping[str, Any] | None = None
    marked: tuple[int, ...] = ()
    missing: str = ""  # what a cell with no value shows in text

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(c.heading for c in self.columns)

    @property
    def align(self) -> str:
        return "".join("r" if c.numeric else "l" for c in self.columns)

    def cells(self, missing: str | None = None) -> list[list[str]]:
        blank = self.missing if missing is None else missing
        return [[c.cell(row.get(c.key), blank) for c in self.columns] for row in self.rows]

    def view(self, missing: str = DASH) -> TableView:
        """Every cell formatted (``missing`` for a value that is not there)."""
        foot = None
        if self.foot is not None:
            foot = tuple(c.cell(self.foot.get(c.key)) for c in self.columns)
        return TableView(
            self.header,
            self.align,
            tuple(tuple(row) for row in self.cells(missing)),
            foot,
            self.marked,
        )


def text_table(
    header: Sequence[str], rows: Iterable[Sequence[str]], align: str = "", clean: Any = None
) -> str:
    """A plain fixed-width table: a header, a rule, then the rows (``align``: l/r per column).

    ``clean`` makes a cell terminal-safe (the CLI passes its control-character escape).
    """
    shown = [[clean(c) if clean else str(c) for c in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in shown) for i in range(len(header))]
    aligns = align.ljust(len(header), "l")

    def line(row: Sequence[str]) -> str:
        parts = [
            cell.rjust(widths[i]) if aligns[i] == "r" else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  ".join(parts).rstrip()

    out = [line(shown[0]), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in shown[1:])
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------ worked steps


@dataclass(frozen=True)
class Step:
    """One line of a worked calculation: what it is, its formula, its numbers, its result.

    Reads ``<formula> = <numbers> = <result><note>``: ``numbers`` is a template whose
    ``{}`` take the ``operands`` (value, kind) formatted by kind, so the estimator
    states the arithmetic and every output prints the same line.
    """

    label: str
    formula: str = ""
    numbers: str = ""
    operands: tuple[tuple[Any, str], ...] = ()
    result: Any = None
    kind: str = "exact"
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "formula": self.formula,
            "operands": [value for value, _ in self.operands],
            "result": self.result,
            "text": self.text(),
        }

    def text(self, money_places: int | None = None) -> str:
        def show(value: Any, kind: str) -> str:
            if kind == "money":
                return money(value, money_places)
            return FORMATTERS[kind](value)

        parts = [self.formula] if self.formula else []
        if self.numbers:
            parts.append(self.numbers.format(*(show(v, k) for v, k in self.operands)))
        if self.result is not None:
            parts.append(show(self.result, self.kind))
        return " = ".join(parts) + self.note


def step_lines(steps: Sequence[Step], money_places: int | None = None) -> list[str]:
    """The steps as aligned lines: the label column padded to the longest label."""
    if not steps:
        return []
    width = max(len(step.label) for step in steps)
    return [f"{step.label.ljust(width)}  {step.text(money_places)}" for step in steps]


def summing_places(parts: Iterable[Any], total: Any) -> int:
    """Decimal places at which the rounded parts add up to the rounded total.

    Cents, unless rounding each part to the cent would make the column disagree
    with its total (``$0.29 + $2.43 ≠ $2.71``): then more places, up to 6, so a
    reader adding the column by hand gets the total shown.
    """
    values = [to_decimal(p) for p in parts]
    whole = to_decimal(total)
    for places in (2, 3, 4, 6):
        if sum(half_up(v, places) for v in values) == half_up(whole, places):
            return places
    return 6


_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_day(text: str) -> date:
    """A ``YYYY-MM-DD`` date, or ValueError saying what is wrong with it.

    ``'2023-02-30' is not a date: February 2023 has 28 days`` where strptime said only
    that it "does not match the format '%Y-%m-%d'".
    """
    match = _DAY.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a date")
    year, month, day = (int(part) for part in match.groups())
    if year < 1:
        raise ValueError(f"{text!r} is not a date: there is no year 0")
    if not 1 <= month <= 12:
        raise ValueError(f"{text!r} is not a date: there is no month {month}")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        name = calendar.month_name[month]
        raise ValueError(f"{text!r} is not a date: {name} {year} has {last} days")
    return date(year, month, day)


def apportion(parts: Sequence[Any], total: Any, places: int) -> list[Decimal]:
    """``parts`` rounded to ``places`` so that they add up to ``total`` rounded the same way.

    Largest remainders: each part is rounded down, then the units still missing go to
    the parts that lost most (ties: the earlier part), so no part moves by a whole unit
    and a spreadsheet's SUM of the column shows the total (parts of one sign).
    """
    unit = Decimal(1).scaleb(-places)
    values = [to_decimal(p) for p in parts]
    target = half_up(to_decimal(total), places)
    floors = [(v / unit).to_integral_value(rounding="ROUND_FLOOR") * unit for v in values]
    missing = int(((target - sum(floors, Decimal(0))) / unit).to_integral_value())
    order = sorted(range(len(values)), key=lambda i: (-(values[i] - floors[i]), i))
    out = list(floors)
    if 0 < missing <= len(values):
        for i in order[:missing]:
            out[i] += unit
    else:  # parts that do not add up to the total at all: plain rounding, nothing hidden
        out = [half_up(v, places) for v in values]
    return [v.normalize() if v else Decimal(0) for v in out]
