"""``distillcost prices tiers`` and ``prices reasoning``: the teacher files, as estimates use them.

``tiers`` lists the usage-tier limits in force on a date (what ``--tier`` applies);
``reasoning`` the hidden reasoning each reasoning teacher is priced with (what
``estimate`` and ``compare`` assume, at the default effort or ``--effort``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from distillcost.cli.output import (
    TABLE_FORMATS,
    Output,
    check_output,
    emit,
    output_options,
    resolve_format,
    write_text,
)
from distillcost.cli.price_options import DATE, load_table, prices_option
from distillcost.errors import ScenarioError
from distillcost.present import Column, Table
from distillcost.prices.declarations import EFFORTS
from distillcost.prices.teachers import LIMIT_FIELDS, TeacherBook

TIER_COLUMNS: tuple[Column, ...] = (
    Column("tier", "tier"),
    Column("model", "model"),
    Column("effective_from", "from", "date"),
    *(Column(name, name, "number") for name in LIMIT_FIELDS),
    Column("batch_queue_requests", "batch_queue_requests", "number"),
    Column("verified", "verified"),
    Column("source", "source"),
)
REASONING_COLUMNS: tuple[Column, ...] = (
    Column("model", "model"),
    Column("reasoning", "reasons"),
    Column("effort", "effort"),
    Column("low", "low", "tokens"),
    Column("base", "base", "tokens"),
    Column("high", "high", "tokens"),
    Column("profile", "profile"),
    Column("basis", "basis"),
    Column("measured_model", "measured on"),
)


def tier_rows(book: TeacherBook, chosen: str | None, as_of: date) -> list[dict[str, Any]]:
    """Per tier and model name, the newest snapshot in force on ``as_of`` that lists it."""
    providers = book.providers()
    provider, _, name = (
        (chosen or "").rpartition(":") if chosen and ":" in chosen else (chosen, "", "")
    )
    if provider and provider.lower() not in providers:
        raise ScenarioError(
            f"tier: no usage tiers for provider {provider!r} (known: {', '.join(providers)})"
        )
    rows: list[dict[str, Any]] = []
    for p in providers if not provider else [provider.lower()]:
        for tier in book.tier_names(p):
            if name and tier != name.lower():
                continue
            if book.withdrawn(p, tier, as_of) is not None:  # no longer offered on the date
                continue
            seen: set[str] = set()
            for snapshot in book.snapshots(p, tier):
                if snapshot.effective_from > as_of:
                    continue
                for row in snapshot.limits:
                    for model in row.models:
                        if model in seen or row.scope:
                            continue
                        seen.add(model)
                        rows.append(
                            {
                                "tier": snapshot.label,
                                "model": model,
                                "effective_from": snapshot.effective_from,
                                **{f: getattr(row, f) for f in LIMIT_FIELDS},
                                "batch_queue_requests": snapshot.batch_queue_requests,
                                "verified": "yes" if snapshot.verified else "no",
                                "source": snapshot.source,
                            }
                        )
    return rows


@click.command(short_help="Usage-tier rate limits in force on a date (what --tier applies).")
@click.argument("tier", required=False, metavar="[PROVIDER[:TIER]]")
@click.option("--as-of", type=DATE, default="today", show_default=True, help="Limits in force.")
@output_options(TABLE_FORMATS)
@prices_option
def tiers(
    tier: str | None, as_of: date, fmt: str | None, output: str | None, price_files: tuple[str, ...]
) -> None:
    """The published rate limits of each usage tier, per model, in force on a date.

    Each row is the newest snapshot on or before --as-of that lists the model
    (snapshots are partial copies of the providers' pages); `--tier
    PROVIDER:TIER` applies the same figures to an estimate. Files of your own
    (--prices, or ~/.config/distillcost/prices/) win over the shipped ones.

    \b
    Examples:
      distillcost prices tiers openai:3
      distillcost prices tiers anthropic --as-of 2025-12-01
      distillcost prices tiers --format csv -o tiers.csv
    """
    fmt = resolve_format(fmt, output, TABLE_FORMATS, "text")
    check_output(output, price_files)
    table = load_table(price_files)
    rows = tier_rows(table.teachers, tier, as_of)
    title = f"Usage-tier limits in force on {as_of}"
    shown = Table(TIER_COLUMNS, tuple(rows), title=title)
    # the terminal table leaves the long source out (CSV, JSON and Markdown keep it)
    narrow = Table(TIER_COLUMNS[:-1], tuple(rows), title=title + " (sources: --format csv)")
    out = Output(
        data={"as_of": as_of, "rows": rows},
        tables=[shown],
        custom={"text": lambda: write_text(Output(data={}, tables=[narrow]))},
    )
    emit(out, fmt, output)


@click.command(short_help="The hidden reasoning each reasoning teacher is priced with.")
@click.argument("models", nargs=-1, metavar="[MODEL]...")
@click.option(
    "--effort",
    type=click.Choice(EFFORTS),
    help="Price this effort instead of each model's default.",
)
@output_options(TABLE_FORMATS)
@prices_option
def reasoning(
    models: tuple[str, ...],
    effort: str | None,
    fmt: str | None,
    output: str | None,
    price_files: tuple[str, ...],
) -> None:
    """Hidden reasoning tokens per completion each reasoning teacher is priced with.

    low..base..high per completion at the model's default effort (or
    --effort), from its reasoning profile (pricing/reasoning.toml): measured
    figures where published, every base an assumption (the profile says why).
    `estimate` and `compare` price exactly these; --reasoning-tokens overrides.

    \b
    Examples:
      distillcost prices reasoning o3 gpt-5 claude-sonnet-4-5
      distillcost prices reasoning --effort high --format csv -o reasoning.csv
    """
    from distillcost.estimator.teacher import reasoning_for
    from distillcost.scenario import Scenario

    fmt = resolve_format(fmt, output, TABLE_FORMATS, "text")
    check_output(output, price_files)
    table = load_table(price_files)
    records = [table.get(m) for m in models] if models else list(table)
    scenario = Scenario.from_values(reasoning_effort=effort)
    rows: list[dict[str, Any]] = []
    for record in records:
        if record.reasoning not in ("optional", "always"):
            if models:
                rows.append({"model": record.id, "reasoning": record.reasoning or "unknown"})
            continue
        choice = reasoning_for(scenario, record, table.teachers, [])
        profile = table.teachers.profile_for(record)
        rows.append(
            {
                "model": record.id,
                "reasoning": record.reasoning,
                "effort": choice.effort,
                "low": choice.tokens.low,
                "base": choice.tokens.base,
                "high": choice.tokens.high,
                "profile": choice.profile,
                "basis": profile.basis if profile else None,
                "measured_model": profile.measured_model if profile else None,
                "assumption": choice.text,
            }
        )
    title = "Hidden reasoning tokens per completion (low, base, high; base is an assumption)"
    shown = Table(REASONING_COLUMNS, tuple(rows), title=title)
    emit(Output(data={"effort": effort, "rows": rows}, tables=[shown]), fmt, output)
