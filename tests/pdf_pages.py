"""Reading a PDF back for the report tests: text, and how far down each page is used.

How full a page is comes from its content stream (pypdf parses it): the lowest point
anything is drawn at (text, lines, shapes, forms), under the transforms in force,
as a share of the printable height. Charts are vector paths, so they count too.
"""

from __future__ import annotations

from pathlib import Path

MM = 72 / 25.4


def _mul(a, b):
    return (
        a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5],
    )  # fmt: skip


def _lowest(stream_owner, contents, reader, ctm, found: list[float]) -> None:
    from pypdf.generic import ContentStream

    ops = ContentStream(contents, reader).operations
    stack = []
    tm = (1, 0, 0, 1, 0, 0)
    line = tm
    for operands, op in ops:
        op = op.decode() if isinstance(op, bytes) else op
        if op == "q":
            stack.append(ctm)
        elif op == "Q" and stack:
            ctm = stack.pop()
        elif op == "cm":
            ctm = _mul(tuple(float(v) for v in operands), ctm)
        elif op == "BT":
            tm = line = (1, 0, 0, 1, 0, 0)
        elif op == "Tm":
            tm = line = tuple(float(v) for v in operands)
        elif op in ("Td", "TD"):
            line = _mul((1, 0, 0, 1, float(operands[0]), float(operands[1])), line)
            tm = line
        elif op in ("Tj", "TJ", "'", '"'):
            found.append(_mul(tm, ctm)[5])
        elif op in ("m", "l"):
            x, y = float(operands[0]), float(operands[1])
            found.append(x * ctm[1] + y * ctm[3] + ctm[5])
        elif op == "c":
            x, y = float(operands[4]), float(operands[5])
            found.append(x * ctm[1] + y * ctm[3] + ctm[5])
        elif op == "re":
            x, y, h = float(operands[0]), float(operands[1]), float(operands[3])
            if abs(h * ctm[3]) > 600:  # the page's white background, not content
                continue
            for yy in (y, y + h):
                found.append(x * ctm[1] + yy * ctm[3] + ctm[5])
        elif op == "Do":
            xobjects = stream_owner.get("/Resources", {}).get("/XObject", {})
            form = xobjects.get(operands[0])
            if form is not None:
                form = form.get_object()
                if form.get("/Subtype") == "/Form":
                    matrix = tuple(float(v) for v in form.get("/Matrix", (1, 0, 0, 1, 0, 0)))
                    _lowest(form, form, reader, _mul(matrix, ctm), found)


def page_fill(path: Path, top_mm: float = 16, bottom_mm: float = 18) -> list[float]:
    """For each page, the share of its printable height above the lowest mark (0..1)."""
    import pypdf

    reader = pypdf.PdfReader(str(path))
    fills = []
    for page in reader.pages:
        height = float(page.mediabox.height)
        top, bottom = height - top_mm * MM, bottom_mm * MM
        found: list[float] = []
        _lowest(page, page.get_contents(), reader, (1, 0, 0, 1, 0, 0), found)
        marks = [y for y in found if bottom - 5 <= y <= height]
        lowest = min(marks) if marks else top
        fills.append(max(0.0, min(1.0, (top - lowest) / (top - bottom))))
    return fills


def pdf_text(path: Path) -> str:
    import pypdf

    return "\n".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)
