"""The estimate's workbook: Assumptions, Prices and a Cost sheet of live formulas.

Cost: one column per evaluation (base, low, high, then each ranged assumption at its
low and high end), one row per quantity (requests, tokens and dollars by kind, the
total). Assumptions: every input with its origin and meaning, the cost inputs as
named cells (``completion_tokens``, ``completion_tokens_low`` …). Prices: the prices
in force, with date and source, as named cells (``price_input`` …). Change a yellow
cell and the totals move exactly as the estimator's would for the changed scenario.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from distillcost.estimator import Estimate
from distillcost.prices import declarations as k
from distillcost.scenario import FIELDS
from distillcost.workbook.book import Book
from distillcost.workbook.costmodel import PriceRef
from distillcost.workbook.expr import Column, Expr, Name
from distillcost.workbook.points import (
    TIME_ONLY,
    Evaluations,
    assumption_names,
    cost_parameters,
    evaluations,
    needs_lengths,
    price_values,
    range_names,
    structure,
)

COST, ASSUMPTIONS, PRICES, SAMPLES = "Cost", "Assumptions", "Prices", "Samples"
HOW = (
    "Yellow cells (Assumptions, Prices) are inputs: change one and every formula on the "
    "Cost sheet recalculates, as distillcost would for the changed scenario. Inputs "
    "marked 'fixed' choose which formulas apply: change them with distillcost and write "
    "the workbook again."
)


def price_name(key: str) -> str:
    return "price_" + key.replace(".", "_")


def price_ref(values: Mapping[str, Decimal]) -> PriceRef:
    def ref(key: str) -> Expr | None:
        return Name(price_name(key), values[key]) if key in values else None

    return ref


def write_assumptions(book: Book, result: Estimate) -> None:
    """Every assumption, given or defaulted: value, range, origin, live or fixed, meaning."""
    sc = result.scenario
    live = set(cost_parameters(sc))
    book.header(ASSUMPTIONS, 0, ("assumption", "value", "low", "high", "origin", "use", "meaning"))
    ws = book.sheet(ASSUMPTIONS)
    ws.set_column(0, 0, 26)
    ws.set_column(1, 3, 14)
    ws.set_column(4, 5, 12)
    ws.set_column(6, 6, 80)
    row = 1
    for spec in FIELDS:
        value = getattr(sc, spec.name)
        if value is None or value == () or value == "" or spec.name in ("name", "description"):
            continue
        ranged = spec.name in sc.ranged
        book.text(ASSUMPTIONS, row, 0, spec.name)
        if spec.name in live:
            book.text(ASSUMPTIONS, row, 1, value.base, book.formats["input"])
            book.name_at(spec.name, ASSUMPTIONS, row, 1)
            if ranged:
                book.text(ASSUMPTIONS, row, 2, value.low, book.formats["input"])
                book.text(ASSUMPTIONS, row, 3, value.high, book.formats["input"])
                book.name_at(f"{spec.name}_low", ASSUMPTIONS, row, 2)
                book.name_at(f"{spec.name}_high", ASSUMPTIONS, row, 3)
            use = "live"
        else:
            shown = value.base if hasattr(value, "base") else value
            book.text(ASSUMPTIONS, row, 1, shown)
            if ranged:
                book.text(ASSUMPTIONS, row, 2, value.low)
                book.text(ASSUMPTIONS, row, 3, value.high)
            use = "time only" if spec.name in TIME_ONLY else "fixed"
        book.text(ASSUMPTIONS, row, 4, sc.origin(spec.name))
        book.text(ASSUMPTIONS, row, 5, use)
        book.text(ASSUMPTIONS, row, 6, spec.description)
        row += 1


PRICE_LABELS = {
    **{key.name: key.heading for key in k.RATES},
    "batch_input": k.BATCH_INPUT.heading,
    "batch_output": k.BATCH_OUTPUT.heading,
    "per_request": "Per request (USD)",
    "training": "Student fine-tuning (training)",
    "token_ratio": "Provider tokens per counted token",
    "gpu_peak_tflops": "Student GPU peak TFLOP/s",
    "student_length_ratio": "Student padding: tokens a sequence occupies ÷ mean tokens (fixed)",
    "gpu_rate": "Student GPU rate, USD per GPU-hour (the GPU table's on the date)",
    "serving_rate": "Self-hosted teacher's GPU rate, USD per GPU-hour",
    "serving_gpus": "Self-hosted teacher's serving GPUs (one benchmark replica)",
}


def price_label(key: str, result: Estimate) -> str:
    head, _, kind = key.rpartition(".")
    if not head:
        return PRICE_LABELS.get(key, key)
    if head.startswith("tier"):
        tiers = sorted(result.price.tiers, key=lambda t: t.above_prompt_tokens)
        above = tiers[int(head[4:]) - 1].above_prompt_tokens
        return f"Prompts over {above:,} tokens: {PRICE_LABELS.get(kind, kind)}"
    if head == "service":
        return f"Service tier {result.scenario.service_tier}: {PRICE_LABELS.get(kind, kind)}"
    return f"Off-peak ({result.price.windows[0].name}): {PRICE_LABELS.get(kind, kind)}"


def write_prices(book: Book, result: Estimate, values: Mapping[str, Decimal]) -> None:
    """The prices used, as named input cells, with the entry's date, source and status."""
    e = result.price
    ws = book.sheet(PRICES)
    ws.set_column(0, 0, 44)
    ws.set_column(1, 1, 14)
    ws.set_column(2, 2, 22)
    facts: list[tuple[str, Any]] = [
        ("model", result.teacher),
        ("provider", result.provider),
        ("prices in force from", e.effective_from),
        ("source", e.source),
        ("last checked", e.checked),
        ("verified", "yes" if e.verified else "no (not verified in a primary source)"),
        ("batch", "yes" if result.scenario.batch else "no"),
        ("batch and cache rule", e.batch_cache or "unknown (batch discount on cache too)"),
        ("reasoning billed as output", "yes" if e.reasoning_billed_as_output else "no"),
    ]
    for row, (label, value) in enumerate(facts):
        book.text(PRICES, row, 0, label, book.bold)
        book.text(PRICES, row, 1, value)
    row = len(facts) + 1
    book.header(PRICES, row, ("price", "USD per 1M tokens", "name"))
    for key, value in values.items():
        row += 1
        book.text(PRICES, row, 0, price_label(key, result))
        fmt = book.formats["input"]
        book.text(PRICES, row, 1, value, fmt)
        book.text(PRICES, row, 2, price_name(key))
        book.name_at(price_name(key), PRICES, row, 1)


def lengths_column(book: Book, result: Estimate) -> Column | None:
    lengths = needs_lengths(result)
    if not lengths:
        return None
    ws = book.sheet(SAMPLES, hidden=True)
    ws.write_string(0, 0, "sampled prompt lengths (sorted)")
    for i, v in enumerate(lengths, start=1):
        ws.write_number(i, 0, v)
    return Column(f"{SAMPLES}!$A$2:$A${len(lengths) + 1}", lengths)


def column_headers(ev: Evaluations) -> list[str]:
    heads = ["base", "low", "high"]
    for name, _, _ in ev.sensitivity:
        heads += [f"{name} at low", f"{name} at high"]
    return heads


def estimate_workbook(result: Estimate) -> bytes:
    """The workbook for one estimate (``estimate -o x.xlsx``)."""
    book = Book()
    ws = book.sheet(COST)
    write_assumptions(book, result)
    values = price_values(result)
    write_prices(book, result, values)
    lengths = lengths_column(book, result)
    sc = result.scenario
    ev = evaluations(
        "", structure(result, lengths), price_ref(values), assumption_names(sc), range_names(sc)
    )
    title = sc.name or "Distillation campaign"
    book.text(
        COST,
        0,
        0,
        f"{title}: {result.teacher} ({result.provider}), prices as of {result.as_of.isoformat()}",
        book.bold,
    )
    book.text(COST, 1, 0, HOW)
    first = 4
    book.header(COST, first - 1, ["quantity", *column_headers(ev)])
    rows = {key: first + i for i, (key, *_) in enumerate(ev.base.cells)}
    for i, (_key, label, *_rest) in enumerate(ev.base.cells):
        book.text(COST, first + i, 0, label)
    for col, block in enumerate(ev.blocks(), start=1):
        book.place_column(block, COST, col, rows)
    ws.set_column(0, 0, 44)
    ws.set_column(1, len(ev.blocks()), 16)
    ws.freeze_panes(first, 1)
    book.name("total_usd", ev.base["total_usd"])
    book.name("api_usd", ev.base["api_usd"])
    book.name("low_usd", ev.low["total_usd"])
    book.name("high_usd", ev.high["total_usd"])
    book.notes([HOW, "", "Notes from the estimate:", *(f"- {n}" for n in result.notes)])
    return book.close()
