"""Laying blocks of formulas on sheets with XlsxWriter: addresses, formats, cached values.

XlsxWriter (not openpyxl) writes the workbooks because it stores a formula *and* its
cached result in one cell: a viewer that never recalculates (a preview pane, a mail
client, pandas) still shows the numbers, and Excel or LibreOffice recalculate from the
formulas. Text is always written as text (``write_string``), never parsed as a formula,
so a hostile model name cannot become a live formula.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from distillcost.workbook.costmodel import Block
from distillcost.workbook.expr import Cell, Expr, Num

NUMBER_FORMATS = {
    "money": "$#,##0.00",
    "tokens": "#,##0",
    "price": "$0.00######",
    "number": "#,##0.######",
    "pct": "0.0%",
    "date": "yyyy-mm-dd",
}


class Book:
    """One workbook being written: sheets, block positions, formats."""

    def __init__(self) -> None:
        import xlsxwriter

        self.buffer = io.BytesIO()
        self.wb = xlsxwriter.Workbook(
            self.buffer,
            {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
        )
        self.wb.set_properties({"title": "distillcost", "comments": "written by distillcost"})
        self.sheets: dict[str, Any] = {}
        self.places: dict[tuple[int, str], tuple[str, int, int]] = {}
        self.blocks: list[Block] = []
        self.formats: dict[str, Any] = {
            kind: self.wb.add_format({"num_format": fmt}) for kind, fmt in NUMBER_FORMATS.items()
        }
        self.formats["input"] = self.wb.add_format({"bg_color": "#FFF2CC", "num_format": "General"})
        self.bold = self.wb.add_format({"bold": True})
        self.head = self.wb.add_format({"bold": True, "bg_color": "#EEF0F2", "bottom": 1})
        self.wrap = self.wb.add_format({"text_wrap": True, "valign": "top"})

    def sheet(self, name: str, hidden: bool = False) -> Any:
        if name not in self.sheets:
            ws = self.wb.add_worksheet(name)
            if hidden:
                ws.hide()
            self.sheets[name] = ws
        return self.sheets[name]

    # placing ---------------------------------------------------------------------
    def place_column(self, block: Block, sheet: str, col: int, rows: dict[str, int]) -> None:
        """Cells of ``block`` down column ``col``, at the row each key has in ``rows``."""
        for key, *_ in block.cells:
            self.places[(id(block), key)] = (sheet, rows[key], col)
        self.blocks.append(block)

    def place_row(self, block: Block, sheet: str, row: int, cols: dict[str, int]) -> None:
        """Cells of ``block`` along row ``row``, at the column each key has in ``cols``."""
        for key, *_ in block.cells:
            self.places[(id(block), key)] = (sheet, row, cols[key])
        self.blocks.append(block)

    def address(self, cell: Cell, absolute: bool = True) -> str:
        from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell

        sheet, row, col = self.places[(id(cell.block), cell.key)]
        return f"{quote_sheetname(sheet)}!{xl_rowcol_to_cell(row, col, absolute, absolute)}"

    # writing ---------------------------------------------------------------------
    def write_expr(self, sheet: str, row: int, col: int, expr: Expr, kind: str) -> None:
        ws = self.sheet(sheet)
        fmt = self.formats.get(kind)
        if isinstance(expr, Num):  # a constant the user may edit
            ws.write_number(row, col, float(expr.value), fmt)
            return
        ws.write_formula(row, col, "=" + expr.text(self.address), fmt, cached(expr.value))

    def write_blocks(self) -> None:
        for block in self.blocks:
            for key, _label, expr, kind in block.cells:
                sheet, row, col = self.places[(id(block), key)]
                self.write_expr(sheet, row, col, expr, kind)

    def text(self, sheet: str, row: int, col: int, value: Any, fmt: Any = None) -> None:
        """A value as what it is: text as text (never a formula), numbers, dates, booleans."""
        ws = self.sheet(sheet)
        if value is None or value == "":
            return
        if isinstance(value, bool):
            ws.write_boolean(row, col, value, fmt)
        elif isinstance(value, (int, float, Decimal)):
            ws.write_number(row, col, float(value), fmt)
        elif isinstance(value, date):
            ws.write_string(row, col, value.isoformat(), fmt)
        elif isinstance(value, (list, tuple)):
            ws.write_string(row, col, ", ".join(str(v) for v in value), fmt)
        else:
            ws.write_string(row, col, str(value), fmt)

    def header(self, sheet: str, row: int, names: Sequence[str], col: int = 0) -> None:
        for i, name in enumerate(names):
            self.sheet(sheet).write_string(row, col + i, name, self.head)

    def name(self, name: str, cell: Cell) -> None:
        self.wb.define_name(name, "=" + self.address(cell))

    def name_at(self, name: str, sheet: str, row: int, col: int) -> None:
        from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell

        self.wb.define_name(
            name, f"={quote_sheetname(sheet)}!{xl_rowcol_to_cell(row, col, True, True)}"
        )

    def notes(self, lines: Iterable[str], sheet: str = "Notes") -> None:
        ws = self.sheet(sheet)
        ws.set_column(0, 0, 120, self.wrap)
        for i, line in enumerate(lines):
            ws.write_string(i, 0, line)

    def close(self) -> bytes:
        self.write_blocks()
        self.wb.close()
        return self.buffer.getvalue()


def cached(value: Any) -> Any:
    """A formula's cached result as a spreadsheet stores it (a float, or a boolean)."""
    if isinstance(value, bool):
        return value
    number = float(value)
    return number if math.isfinite(number) else 0
