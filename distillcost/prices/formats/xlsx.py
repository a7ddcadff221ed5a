"""Price sheets kept in Excel or LibreOffice: ``--prices sheet.xlsx``.

The columns are the CSV price sheet's (:mod:`~distillcost.prices.formats.csv`), one row
per model and date. ``prices list -f xlsx`` writes a hidden ``row_checksum`` column:
the fingerprint of the row as written. A row whose cells no longer match it (or that
has none: a row the user added) is the user's: it keeps the user's numbers but not the
original ``verified`` flag, source or check date, which vouched for other numbers.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from distillcost.decimals import decimal_str
from distillcost.prices.formats.csv import sheet_result
from distillcost.prices.formats.document import ParseResult
from distillcost.prices.problems import Problem

SHEET = "Prices"


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the CSV sheet would hold it (numbers exact, dates ISO)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return decimal_str(Decimal(repr(value)))
    if isinstance(value, (int, Decimal)):
        return decimal_str(Decimal(value))
    return str(value)


def parse_xlsx(data: bytes, file: str, origin: str) -> ParseResult:
    """The first sheet named Prices (else the first sheet) of an .xlsx price sheet."""
    import zipfile

    import openpyxl

    result = ParseResult()
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        message = f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})"
        result.problems.append(Problem(file, None, "", "", message))
        return result
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    header: list[str] | None = None
    header_line = 1
    rows: list[tuple[int, dict[str, str]]] = []
    for line, values in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = [cell_text(v) for v in values]
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [c.strip() for c in cells]
            while header and not header[-1]:
                header.pop()
            header_line = line
            continue
        row = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}
        rows.append((line, row))
    wb.close()
    if header is None:
        result.problems.append(Problem(file, 1, "", "", "empty sheet: no header row"))
        return result
    # a row without a checksum (one the user added) is the user's too
    return sheet_result(result, header, header_line, rows, file, origin, mark_all=True)
