"""Workbooks of many campaigns: one formula row per teacher (compare), per teacher and
date (history) or per grid point (sweep).

Each row holds the whole cost model for its campaign (base, low, high and sensitivity
evaluations, in grouped columns hidden by default) reading the shared Assumptions
sheet and its own row of the Prices sheet; the visible columns show the totals. A
changed assumption moves every row; a changed price moves its teacher's row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from distillcost.estimator import Estimate
from distillcost.scenario import Scenario
from distillcost.workbook.book import Book
from distillcost.workbook.campaign import (
    ASSUMPTIONS,
    HOW,
    PRICES,
    lengths_column,
    price_label,
    write_assumptions,
)
from distillcost.workbook.costmodel import Block
from distillcost.workbook.expr import IF, Expr, Num
from distillcost.workbook.points import (
    assumption_names,
    cost_parameters,
    evaluations,
    price_values,
    range_names,
    structure,
)

COST = "Cost"
MAX_ROWS = 20_000
"""More campaigns than this make a workbook no spreadsheet opens comfortably."""


@dataclass
class Item:
    """One row: its label columns (text), the estimate, and values that override the
    shared assumptions (a sweep's grid point)."""

    labels: Mapping[str, Any]
    result: Estimate | None
    overrides: Mapping[str, Decimal] = field(default_factory=dict)
    status: str = ""


def many_workbook(
    title: str, label_columns: Sequence[str], items: Sequence[Item], scenario: Scenario,
    rank: bool = False, change_by: str | None = None,
) -> bytes:  # fmt: skip
    """The rows of ``items`` on a Cost sheet, one formula row each."""
    from distillcost.errors import DistillcostError

    if len(items) > MAX_ROWS:
        raise DistillcostError(
            f"{len(items):,} rows is more than a workbook holds comfortably ({MAX_ROWS:,}); "
            "write CSV, or ask for fewer"
        )
    book = Book()
    book.sheet(COST)
    priced = [item for item in items if item.result is not None]
    anchor = priced[0].result if priced else None
    if anchor is not None:
        write_assumptions(book, anchor)
    else:
        book.sheet(ASSUMPTIONS)
    visible = [*(["rank"] if rank else []), *label_columns, "total_usd", "low_usd", "high_usd"]
    if change_by:
        visible.append("change_pct")
    visible.append("status")
    price_cols: dict[str, int] = {}
    cost_cols: dict[tuple[str, str], int] = {}
    heads: dict[tuple[str, str], str] = {}
    first = 2  # title, header, then rows
    totals: list[tuple[int, Block]] = []
    previous: dict[str, Expr] = {}
    lengths = None
    for n, item in enumerate(items):
        row = first + n
        summary = Block(f"row{n}")
        for name in label_columns:
            book.text(COST, row, visible.index(name), item.labels.get(name))
        result = item.result
        if result is None:
            book.text(COST, row, visible.index("status"), item.status)
            continue
        values = price_values(result)
        prices = Block(f"prices{n}")
        refs = {
            key: prices.add(key, price_label(key, result), Num(v), "price")
            for key, v in values.items()
        }
        for key in refs:
            price_cols.setdefault(key, 3 + len(price_cols))
        book.place_row(prices, PRICES, 1 + n, price_cols)
        for i, text in enumerate((result.teacher, result.provider, result.price.effective_from)):
            book.text(PRICES, 1 + n, i, text)
        assert anchor is not None
        inputs, ranged = row_inputs(result.scenario, anchor.scenario, item.overrides)
        for name, value in item.overrides.items():
            inputs[name] = summary.add(name, name, Num(value))
        if lengths is None:
            lengths = lengths_column(book, result)
        ev = evaluations(f"{n}:", structure(result, lengths), _lookup(refs), inputs, ranged)
        total = summary.add("total_usd", "total", ev.base["total_usd"], "money")
        summary.add("low_usd", "low", ev.low["total_usd"], "money")
        summary.add("high_usd", "high", ev.high["total_usd"], "money")
        if change_by:
            key = str(item.labels.get(change_by))
            if key in previous:
                was = previous[key]
                change = IF(was.eq(0), 0, (total / was - 1) * 100)
                summary.add("change_pct", "change", change, "number")
            previous[key] = total
        cols = {
            key: visible.index(key)
            for key in (*item.overrides, "total_usd", "low_usd", "high_usd", "change_pct")
            if key in visible
        }
        book.place_row(summary, COST, row, cols)
        totals.append((row, summary))
        for block in ev.blocks():
            label = block.name.split(":", 1)[1]
            for key, text, *_ in block.cells:
                where = (label, key)
                if where not in cost_cols:
                    cost_cols[where] = len(visible) + 1 + len(cost_cols)
                    heads[where] = f"{label}: {text}"
            book.place_row(
                block, COST, row, {key: cost_cols[(label, key)] for key, *_ in block.cells}
            )
    if rank and totals:
        from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

        col = visible.index("total_usd")
        letter = xl_col_to_name(col)
        span = f"${letter}${first + 1}:${letter}${first + len(items)}"
        for row, _ in totals:
            me = xl_rowcol_to_cell(row, col)
            book.sheet(COST).write_formula(
                row, 0, f'=COUNTIF({span},"<"&{me})+1', None, _rank(totals, row)
            )
    ws = book.sheet(COST)
    book.text(COST, 0, 0, title, book.bold)
    book.header(COST, 1, visible)
    for (label, key), col in cost_cols.items():
        ws.write_string(1, col, heads[(label, key)], book.head)
    if cost_cols:
        ws.set_column(
            len(visible) + 1, len(visible) + len(cost_cols), 14, None, {"level": 1, "hidden": True}
        )
    ws.set_column(0, len(visible), 16)
    ws.freeze_panes(first, 0)
    book.header(PRICES, 0, ["model", "provider", "from", *price_cols])
    book.notes(
        [HOW, "", "Columns after the totals (grouped, hidden) hold each row's whole cost model."]
    )
    return book.close()


def _lookup(refs: Mapping[str, Expr]) -> Callable[[str], Expr | None]:
    return lambda key: refs.get(key)


def _rank(totals: Sequence[tuple[int, Block]], row: int) -> int:
    mine = next(b for r, b in totals if r == row)["total_usd"].value
    return 1 + sum(1 for _, b in totals if b["total_usd"].value < mine)


def row_inputs(
    mine: Scenario, shared: Scenario, overrides: Mapping[str, Decimal]
) -> tuple[dict[str, Expr], list[tuple[str, Expr, Expr]]]:
    """A row's assumptions: the shared named cells where its campaign has the shared value;
    its own numbers where the teacher changed it (reasoning tokens from the teacher's
    profile, say): a shared cell would price every teacher with the first one's."""
    names = assumption_names(shared)
    inputs: dict[str, Expr] = {}
    for name in cost_parameters(mine):
        if name in overrides:
            continue
        value = getattr(mine, name)
        inputs[name] = (
            names[name] if value == getattr(shared, name) and name in names else Num(value.base)
        )
    ranged = []
    shared_ranges = {name: (low, high) for name, low, high in range_names(shared)}
    for name, *_ in range_names(mine, skip=tuple(overrides)):
        if getattr(mine, name) == getattr(shared, name) and name in shared_ranges:
            ranged.append((name, *shared_ranges[name]))
        else:
            value = getattr(mine, name)
            ranged.append((name, Num(value.low), Num(value.high)))
    return inputs, ranged


def comparison_workbook(result: Any, unavailable: bool = False) -> bytes:
    """``compare -o x.xlsx``: one formula row per teacher, ranked by a formula."""
    items = [Item({"teacher": r.teacher, "provider": r.provider}, r.estimate) for r in result.rows]
    if unavailable:
        items += [
            Item({"teacher": u.teacher, "provider": u.provider}, None, status=u.reason)
            for u in result.unavailable
        ]
    when = f" on {result.as_of.isoformat()}" if result.as_of else ""
    title = f"The campaign priced for {len(result.rows)} teacher(s){when}"
    return many_workbook(title, ("teacher", "provider"), items, result.scenario, rank=True)


def history_workbook(result: Any) -> bytes:
    """``history -o x.xlsx``: one formula row per teacher and date; change vs the last."""
    items = [
        Item(
            {"teacher": r.teacher, "provider": r.provider, "date": r.date.isoformat()},
            r.estimate,
            status=r.status if not r.note else f"{r.status}: {r.note}",
        )
        for r in result.rows
    ]
    title = f"The campaign on every date a price changed, up to {result.until.isoformat()}"
    return many_workbook(
        title, ("teacher", "provider", "date"), items, result.scenario, change_by="teacher"
    )


def sweep_workbook(result: Any, table: Any) -> bytes:
    """``sweep -o x.xlsx``: one formula row per grid point; the varied values are inputs."""
    from distillcost.estimator import estimate

    if len(result.rows) > MAX_ROWS:
        from distillcost.errors import DistillcostError

        raise DistillcostError(
            f"{len(result.rows):,} grid points is more than a workbook holds comfortably "
            f"({MAX_ROWS:,}); write CSV, or use fewer STEPS"
        )
    items = []
    names = result.parameters
    for row in result.rows:
        point = dict(zip(names, row[: len(names)], strict=True))
        at = estimate(result.scenario.with_values(**point), table)
        items.append(Item({}, at, overrides=point))
    title = "Sweep over " + " × ".join(s.text() for s in result.specs)
    return many_workbook(title, tuple(names), items, result.scenario)
