"""How results show in a notebook: a short ``repr``, a small HTML summary, DataFrames.

Jupyter calls ``_repr_html_`` on the last value of a cell; the results (estimates,
comparisons, histories, sweeps, counts) delegate here. Every number is formatted by
:mod:`distillcost.present` and every text HTML-escaped (a model name is untrusted).
Pure: the standard library's ``html.escape`` only; pandas is imported by ``frame``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from html import escape
from typing import Any

from distillcost.present import Table

STYLE = "border-collapse:collapse;font-variant-numeric:tabular-nums"
MAX_ROWS = 30
"""Rows a notebook summary shows before saying how many more there are."""


def html_table(table: Table, max_rows: int = MAX_ROWS) -> str:
    view = table.view()
    head = "".join(
        f'<th style="text-align:{"right" if a == "r" else "left"}">{escape(h)}</th>'
        for h, a in zip(view.header, view.align, strict=True)
    )
    body = []
    for row in view.rows[:max_rows]:
        cells = "".join(
            f'<td style="text-align:{"right" if a == "r" else "left"}">{escape(c)}</td>'
            for c, a in zip(row, view.align, strict=True)
        )
        body.append(f"<tr>{cells}</tr>")
    if view.foot is not None:
        cells = "".join(f"<td><b>{escape(c)}</b></td>" for c in view.foot)
        body.append(f"<tr>{cells}</tr>")
    more = len(view.rows) - max_rows
    tail = (
        f"<p>… {more:,} more rows: <code>.to_frame()</code> has them all.</p>" if more > 0 else ""
    )
    rows = "".join(body)
    return (
        f'<table style="{STYLE}"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>{tail}'
    )


def html_block(title: str, lines: Iterable[str], tables: Sequence[Table] = ()) -> str:
    """A heading, a few lines of text, then tables: what a notebook cell shows."""
    parts = [f"<div><p><b>{escape(title)}</b></p>"]
    parts += [f"<p>{escape(line)}</p>" for line in lines if line]
    parts += [html_table(table) for table in tables]
    parts.append("</div>")
    return "".join(parts)


def frame(
    records: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    exact: bool,
    numeric: Iterable[str] = (),
) -> Any:
    """A DataFrame: Decimal columns (and the ``numeric`` ones, even when empty) as floats
    to plot and sum, or kept exact with ``exact``."""
    import pandas as pd

    result = pd.DataFrame.from_records(list(records), columns=list(columns))
    if exact:
        return result
    wanted = set(numeric)
    for column in result.columns:
        values = result[column]
        if column in wanted or any(isinstance(v, Decimal) for v in values):
            if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
                continue  # whole numbers (a rank, a count) stay integers
            result[column] = pd.to_numeric(
                values.map(lambda v: None if v is None else float(v)), errors="coerce"
            ).astype("float64")
    return result
