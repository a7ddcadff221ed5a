"""Spreadsheet cells: what a spreadsheet would execute, and how it is neutralised.

Spreadsheet users paste distillcost's CSV straight into Excel, LibreOffice or Sheets,
which read a cell starting with ``=``, ``+``, ``-``, ``@``, tab or CR as a formula.
Such text gets a leading ``'`` (shown as literal text by every spreadsheet); numbers
stay numbers. The price-sheet reader undoes exactly that quote, so a sheet written by
``prices list --format csv`` reads back to the same prices.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_TRIGGER = "".join(re.escape(p) for p in FORMULA_PREFIXES)
# every line start inside a cell: a bare CR or LF starts a new line in LibreOffice
_LINE_START = r"(?:^|(?<=[\r\n]))"
_LIVE = re.compile(_LINE_START + f"(?=[{_TRIGGER}])")
_QUOTED = re.compile(_LINE_START + f"(?='+[{_TRIGGER}])")
_ONE_QUOTE = re.compile(_LINE_START + f"'(?='*[{_TRIGGER}])")


def cell_value(value: Any) -> Any:
    """A cell a spreadsheet will not execute: numbers unchanged, live text quoted.

    Every line of a text cell is checked, not only its first character: a value
    like ``"a\\r=1+1"`` is a live formula on its second line.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return value
    text = value.isoformat() if isinstance(value, (date, datetime)) else str(value)
    return _LIVE.sub("'", text)


def quote_cell(text: str) -> str:
    """Pre-escape text so that after :func:`cell_value` the reader can undo it exactly.

    A line that already starts with quotes and then a trigger gets one more quote,
    so the reader's rule ("drop one quote before quotes + trigger") is a bijection.
    """
    return _QUOTED.sub("'", text)


def unquote_cell(text: str) -> str:
    """Undo exactly the quotes :func:`quote_cell` and :func:`cell_value` added."""
    return _ONE_QUOTE.sub("", text)


def csv_text(rows: Iterable[Sequence[Any]], header: Sequence[str] | None = None) -> str:
    """Rows as RFC 4180 CSV text with every cell passed through :func:`cell_value`.

    Any cell holding a CR or LF is quoted: the csv module quotes only the characters of
    its line terminator, so with ``"\n"`` a bare CR went out unquoted and LibreOffice
    read it as a row break (the text after it became a new, live cell). Rows are
    written with ``"\r\n"`` (so both are quoted) and each row's own ending is then
    turned back into ``"\n"``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def write(cells: Iterable[Any]) -> None:
        writer.writerow([cell_value(cell) for cell in cells])
        buffer.seek(buffer.tell() - 2)  # the row's "\r\n", not a CR/LF inside a quoted cell
        buffer.truncate()
        buffer.write("\n")

    if header is not None:
        write(header)
    for row in rows:
        write(row)
    return buffer.getvalue()
