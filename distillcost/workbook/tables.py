"""Any command's result tables as a workbook: one sheet per table, values typed.

Numbers stay numbers (money formatted as dollars, never rounded in the cell), dates
and text are text (never parsed as formulas). Commands with a live model (estimate,
compare, history, sweep) write their own workbooks; this is the rest (count, diff).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from distillcost.present import Table
from distillcost.workbook.book import Book


def _sheet_name(title: str, taken: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\']", " ", title).strip()[:28] or "Table"
    base, n = name, 2
    while name.lower() in taken:
        name = f"{base[:25]} {n}"
        n += 1
    taken.add(name.lower())
    return name


def tables_workbook(tables: Sequence[Table], notes: Sequence[str] = ()) -> bytes:
    book = Book()
    taken: set[str] = set()
    for table in tables or (Table((), ()),):
        name = _sheet_name(table.title or "Table", taken)
        ws = book.sheet(name)
        book.header(name, 0, [c.key for c in table.columns])
        for r, row in enumerate(table.rows, start=1):
            for col, column in enumerate(table.columns):
                value = row.get(column.key)
                fmt = book.formats.get(column.kind) if column.numeric else None
                if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
                    ws.write_number(r, col, float(value), fmt)
                elif isinstance(value, date):
                    ws.write_string(r, col, value.isoformat())
                else:
                    book.text(name, r, col, value)
        ws.set_column(0, max(len(table.columns) - 1, 0), 16)
        ws.freeze_panes(1, 0)
    if notes:
        book.notes(notes)
    return book.close()
