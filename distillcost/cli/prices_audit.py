"""``distillcost prices audit``: the curated tables against genai-prices and LiteLLM's map.

Loaded only when run (see :class:`~distillcost.cli.prices_cmd.PricesGroup`): the
datasets it reads are large and nothing else needs them.
"""

from __future__ import annotations

from collections.abc import Callable
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
)
from distillcost.cli.price_options import (
    DATE,
    builtin_option,
    check_providers,
    load_table,
    prices_option,
    providers_option,
    warn,
)
from distillcost.errors import PriceDataError
from distillcost.present import Column, Table
from distillcost.prices.model import ModelRecord

AUDIT_FIELDS: tuple[Column, ...] = (
    Column("model", "model"),
    Column("field", "field"),
    Column("ours", "ours", "price"),
    Column("theirs", "theirs", "price"),
    Column("day", "on", "date"),
    Column("our_since", "ours since", "date"),
    Column("their_since", "theirs since", "date"),
    Column("dataset", "dataset"),
    Column("recorded", "recorded as"),
)
AUDIT_FORMATS = TABLE_FORMATS
MISSING_FIELDS: tuple[Column, ...] = (
    Column("provider", "provider"),
    Column("model", "model"),
    Column("input", "input", "price"),
    Column("output", "output", "price"),
    Column("cached_input", "cached input", "price"),
    Column("since", "since", "date"),
    Column("dataset", "dataset"),
    Column("also", "also named"),
)


@click.command(short_help="Compare the curated tables with genai-prices (and LiteLLM's map).")
@click.option(
    "--litellm",
    "litellm_file",
    metavar="FILE",
    help="Also compare with LiteLLM's model_prices_and_context_window.json.",
)
@click.option(
    "--as-of",
    type=DATE,
    default="today",
    show_default=True,
    help="Compare on this date (and on each date the other dataset dates a change).",
)
@click.option(
    "--all",
    "show_all",
    is_flag=True,
    help="List the disagreements the tables record as sourced exceptions too.",
)
@click.option(
    "--missing",
    "list_missing",
    is_flag=True,
    help="Instead, list the chat models the datasets price on --as-of that the curated "
    "tables lack, for the providers they cover.",
)
@providers_option
@output_options(AUDIT_FORMATS)
@prices_option
@builtin_option
def audit(
    litellm_file: str | None,
    as_of: date,
    show_all: bool,
    list_missing: bool,
    providers: tuple[str, ...],
    fmt: str | None,
    output: str | None,
    price_files: tuple[str, ...],
    builtin: bool,
) -> None:
    """Where the curated tables and genai-prices (or LiteLLM's map) disagree.

    \b
    Each curated model is matched to the dataset's model of the same provider
    and exact name, and every price the dataset gives is compared with the
    curated entry in force: on the --as-of date, on each date the dataset says
    a price changed, and on the last day a retired model was sold. A price
    only the curated table gives is not a disagreement. A disagreement the
    curated entry records (a [[models.prices.disputes]] table with the
    dataset's value and the evidence: "genai-prices has X; the provider's
    page of DATE says Y") is recorded; any other is listed, and the command
    exits 1.

    \b
    To refresh the tables: run this after upgrading genai-prices (or with a new
    LiteLLM map); for each row, read the provider's page, then fix the curated
    entry (with its source) or record the dispute.

    \b
    --missing lists, instead, the chat models a dataset prices on --as-of that
    no curated model or alias names, for the providers the curated tables cover
    (a model sold only for images, audio, speech, embeddings, realtime or
    moderation is left out, by its name and, for genai-prices, by its prices).

    \b
    Examples:
      distillcost prices audit
      distillcost prices audit --litellm model_prices_and_context_window.json
      distillcost prices audit --all --provider anthropic -f csv -o audit.csv
      distillcost prices audit --missing --provider openai --provider google
    """
    from distillcost.prices import load_price_file
    from distillcost.prices.audit import audit as run_audit
    from distillcost.prices.audit import missing
    from distillcost.prices.formats.genai import genai_records, genai_version

    fmt = resolve_format(fmt, output, AUDIT_FORMATS, "text")
    check_output(output, (*price_files, *([litellm_file] if litellm_file else [])))
    table = load_table(price_files, builtin)
    check_providers(table, providers)
    ours = [m for m in table if not providers or m.provider in providers]
    datasets = [(f"genai-prices {genai_version()}", genai_records(chat_only=list_missing))]
    if litellm_file:
        datasets.append(
            (f"litellm ({litellm_file})", load_price_file(litellm_file, on_warning=warn))
        )
    if list_missing:
        emit_missing(ours, datasets, as_of, fmt, output, missing)
        return
    found = []
    summary = []
    for name, records in datasets:
        rows, compared = run_audit(ours, records, name, as_of)
        found += rows
        open_ = sum(1 for r in rows if not r.recorded)
        summary.append(
            f"{name}: {compared} models compared, {open_} disagreements not recorded, "
            f"{len(rows) - open_} recorded"
        )
    shown = [r.to_dict() for r in found if show_all or not r.recorded]
    title = f"Price audit on {as_of.isoformat()} (USD per 1M tokens)"
    emit(
        Output(data=shown, tables=[Table(AUDIT_FIELDS, tuple(shown), title=title, missing="—")]),
        fmt,
        output,
    )
    unrecorded = sum(1 for r in found if not r.recorded)
    say = warn if unrecorded else lambda line: click.echo(line, err=True)  # clean: a summary
    for line in summary:
        say(line)
    if unrecorded:
        raise PriceDataError(
            f"{unrecorded} disagreement{'s' if unrecorded != 1 else ''} not recorded in the "
            "tables: fix the entry from the provider's page, or record a dispute with evidence"
        )


def emit_missing(
    ours: list[ModelRecord],
    datasets: list[tuple[str, list[ModelRecord]]],
    as_of: date,
    fmt: str,
    output: str | None,
    missing: Callable[..., list[Any]],
) -> None:
    """`prices audit --missing`: what the datasets price that the curated tables lack."""
    rows = []
    for name, records in datasets:
        found = missing(ours, records, name, as_of)
        rows += [r.to_dict() for r in found]
        covered = ", ".join(sorted({r.provider for r in ours}))
        warn(f"{name}: {len(found)} chat models the curated tables lack ({covered})")
    title = (
        f"Chat models the curated tables lack, priced on {as_of.isoformat()} (USD per 1M tokens)"
    )
    emit(
        Output(data=rows, tables=[Table(MISSING_FIELDS, tuple(rows), title=title, missing="—")]),
        fmt,
        output,
    )
