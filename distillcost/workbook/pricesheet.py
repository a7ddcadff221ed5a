"""``prices list -f xlsx``: the price sheet as a workbook that ``--prices`` reads back.

Prices are numbers a spreadsheet can edit; dates and text are text. A hidden
``row_checksum`` column fingerprints each row as written, so the reader can tell the
rows a user changed (:mod:`distillcost.prices.formats.xlsx`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from distillcost.cells import quote_cell
from distillcost.prices.formats.csv import CHECKSUM_COLUMN, row_checksum, sheet_columns, sheet_rows
from distillcost.prices.formats.xlsx import SHEET, cell_text
from distillcost.prices.model import ModelRecord, PriceEntry
from distillcost.workbook.book import Book


def _value(value: Any) -> Any:
    """A cell value: prices as numbers, text pre-escaped as the CSV sheet does it."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, Decimal)):
        return float(value)
    if value is None:
        return None
    return quote_cell(value if isinstance(value, str) else cell_text(value))


def price_sheet_workbook(
    pairs: Iterable[tuple[ModelRecord, PriceEntry]], extra: Sequence[str] = ()
) -> bytes:
    book = Book()
    ws = book.sheet(SHEET)
    columns = list(sheet_columns())
    book.header(SHEET, 0, [*columns, *extra, CHECKSUM_COLUMN])
    row = 0
    for record, entry in pairs:
        for values in sheet_rows(record, entry):
            row += 1
            values = {**values, "origin": record.origin, "overrides": " < ".join(record.overrides)}
            shown = [_value(values.get(c)) for c in columns]
            for col, cell in enumerate(shown):
                if isinstance(cell, str):
                    ws.write_string(row, col, cell)
                elif cell is not None:
                    book.text(SHEET, row, col, cell)
            for i, name in enumerate(extra):
                book.text(SHEET, row, len(columns) + i, values.get(name))
            cells = [cell_text(c) for c in shown]
            ws.write_string(row, len(columns) + len(extra), row_checksum(columns, cells))
    ws.set_column(
        len(columns) + len(extra), len(columns) + len(extra), None, None, {"hidden": True}
    )
    ws.set_column(0, 0, 28)
    ws.freeze_panes(1, 1)
    return book.close()
