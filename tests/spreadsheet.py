"""How a spreadsheet (LibreOffice) splits CSV text, for tests of formula-safe output.

Not collected by pytest; imported by test_export.py and hostile_sweep.py.
"""

from __future__ import annotations


def spreadsheet_rows(text: str) -> list[list[str]]:
    """Rows as LibreOffice splits them: a CR or LF outside quotes ends a row (a bare CR
    too), quotes group, and a cell's text is then read line by line for formulas."""
    rows: list[list[str]] = [[]]
    cell, quoted, i = "", False, 0
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == '"' and text[i + 1 : i + 2] == '"':
                cell, i = cell + '"', i + 1
            elif ch == '"':
                quoted = False
            else:
                cell += ch
        elif ch == '"':
            quoted = True
        elif ch == ",":
            rows[-1].append(cell)
            cell = ""
        elif ch in "\r\n":
            rows[-1].append(cell)
            cell = ""
            rows.append([])
            if ch == "\r" and text[i + 1 : i + 2] == "\n":
                i += 1
        else:
            cell += ch
        i += 1
    if cell or rows[-1]:
        rows[-1].append(cell)
    return [row for row in rows if row]
