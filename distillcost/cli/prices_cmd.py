"""``distillcost prices``: list, show, diff and validate price tables.

Parses options, calls :mod:`distillcost.prices`, prints through the output layer.
Every price column comes from the price model's declarations.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar

import click

from distillcost import present
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
from distillcost.errors import NotAvailableError, PriceDataError
from distillcost.escape import visible
from distillcost.present import Column, Table
from distillcost.prices import declarations as k
from distillcost.prices.model import ModelRecord, PriceEntry, fields_of
from distillcost.prices.table import PriceTable


def price_keys(*, listed: bool = False) -> list[tuple[str, k.Key]]:
    """(attribute, key) of every declared price of an entry (``listed``: `prices list`'s)."""
    return [
        (attr, key)
        for attr, key, nested in fields_of(PriceEntry)
        if nested is None and key.read is k.INPUT.read and (key.listed or not listed)
    ]


def _tiers(entry: PriceEntry) -> str:
    return "; ".join(
        f">{t.above_prompt_tokens:,}: {present.price(t.input)}/{present.price(t.output)}"
        for t in entry.tiers
    )


def _price_cell(key: k.Key, value: Any) -> Any:
    return present.money(value) if key.unit == k.PER_REQUEST and value is not None else value


class PricesGroup(click.Group):
    """The price commands; some load from their own module only when run."""

    LAZY: ClassVar[dict[str, tuple[str, str]]] = {
        "audit": ("distillcost.cli.prices_audit", "audit"),
        "tiers": ("distillcost.cli.teachers_cmd", "tiers"),
        "reasoning": ("distillcost.cli.teachers_cmd", "reasoning"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY:
            module, name = self.LAZY[cmd_name]
            command = getattr(importlib.import_module(module), name)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=PricesGroup)
def prices() -> None:
    """Dated, sourced API prices: list, show, diff and validate price tables.

    \b
    Prices are USD per 1M tokens, with their history: every command answers
    "as of a date". Tables stack, later wins PER MODEL (the whole record,
    history included, is replaced):
      built-in tables < plugins (entry point group "distillcost.prices",
      DISTILLCOST_PLUGINS="" disables them) < your config dir
      ($DISTILLCOST_CONFIG_DIR/prices/*.toml|csv|json, default
      ~/.config/distillcost/prices) < --prices FILE (repeatable).

    \b
    Examples:
      distillcost prices list --as-of 2023-03-15
      distillcost prices list --provider openai --format csv > sheet.csv
      distillcost prices list --prices sheet.csv --show-source
      distillcost prices show gpt-4o-mini
      distillcost prices diff 2024-01-01 2025-01-01
      distillcost prices validate my-prices.csv
      distillcost prices tiers openai:3          # usage-tier limits (--tier)
      distillcost prices reasoning o3 gpt-5      # hidden reasoning priced
    """


LIST_FORMATS = TABLE_FORMATS


@prices.command("list", short_help="Prices in force on a date, one row per model.")
@providers_option
@click.option(
    "--as-of",
    type=DATE,
    default="today",
    show_default=True,
    help="Prices in force on this date (YYYY-MM-DD).",
)
@output_options(LIST_FORMATS)
@click.option(
    "--show-source",
    is_flag=True,
    help="Add each row's origin (which table it came from) and what it overrode.",
)
@click.option(
    "--hide-retired",
    is_flag=True,
    help="Leave out models retired on or before --as-of (shown and marked by default).",
)
@click.option(
    "--all-history",
    is_flag=True,
    help="Every dated price entry of every model instead of the one in force on "
    "--as-of (a full price sheet: fed back with --prices it keeps the history).",
)
@click.option(
    "--all-sources",
    is_flag=True,
    help="Add every chat model genai-prices knows that the curated tables lack (their "
    "current prices only, unchecked; origin fallback:genai-prices).",
)
@prices_option
@builtin_option
def list_(
    providers: tuple[str, ...],
    as_of: date,
    fmt: str | None,
    output: str | None,
    show_source: bool,
    hide_retired: bool,
    all_history: bool,
    all_sources: bool,
    price_files: tuple[str, ...],
    builtin: bool,
) -> None:
    """One row per model with the prices in force on a date.

    \b
    Models first priced after --as-of are absent. Retired models are listed
    with their last price and status "retired YYYY-MM-DD" (they cannot be
    used for an estimate on that date); --hide-retired leaves them out.
    The CSV is the price-sheet format --prices reads: edit it in a
    spreadsheet and feed it back. A model in your sheet replaces the
    built-in model WHOLE, so a sheet of today's prices drops older history
    for the models it lists; --all-history writes every dated entry instead.
    Formula-like text is prefixed with ' so a spreadsheet shows it as text;
    the reader removes exactly that prefix.

    \b
    Examples:
      distillcost prices list
      distillcost prices list --as-of 2022-12-28 --provider openai
      distillcost prices list --format csv > sheet.csv
      distillcost prices list --provider openai -o sheet.xlsx   # edit, then --prices sheet.xlsx
      distillcost prices list --all-history --provider openai --format csv > openai.csv
      distillcost prices list --prices sheet.csv --show-source
    """
    fmt = resolve_format(fmt, output, LIST_FORMATS, "text")
    check_output(output, price_files)
    table = load_table(price_files, builtin)
    check_providers(table, providers)
    models = list(table)
    if all_sources and table.fallback is not None:
        curated = set(table.names())
        models += [m for m in table.fallback.records() if m.id not in curated]
    if all_history:
        listing = [(m, e, m.status_on(as_of)) for m in models for e in m.history]
    else:
        listing = PriceTable.listing_of(models, as_of, include_retired=not hide_retired)
    rows = [(m, e, status) for m, e, status in listing if not providers or m.provider in providers]
    what = "Every dated price entry" if all_history else f"Prices in force on {as_of.isoformat()}"
    title = f"{what}, USD per 1M tokens (price table {table.version})"
    out = Output(
        data=_list_json(rows, show_source),
        tables=[_list_table(rows, show_source, title)],
        custom={
            "csv": lambda: _list_csv(rows, show_source),
            "xlsx": lambda: _list_xlsx(rows, show_source),
        },
    )
    if not rows and fmt in ("text", "md"):
        click.echo(f"No models priced on {as_of.isoformat()}.", err=True)
        return
    emit(out, fmt, output)


def _list_csv(rows: Sequence[tuple[ModelRecord, PriceEntry, str]], show_source: bool) -> str:
    from distillcost.prices.formats.csv import records_csv_text

    extra = ("origin", "overrides") if show_source else ()
    return records_csv_text([(m, e) for m, e, _ in rows], extra)


def _list_xlsx(rows: Sequence[tuple[ModelRecord, PriceEntry, str]], show_source: bool) -> bytes:
    from distillcost.workbook.pricesheet import price_sheet_workbook

    extra = ("origin", "overrides") if show_source else ()
    return price_sheet_workbook([(m, e) for m, e, _ in rows], extra)


def _list_json(
    rows: Sequence[tuple[ModelRecord, PriceEntry, str]], show_source: bool
) -> list[dict[str, Any]]:
    from distillcost.prices.formats.csv import sheet_rows

    out = []
    for m, e, status in rows:
        for row in sheet_rows(m, e):
            row["aliases"] = list(m.aliases)
            row["status"] = status
            if show_source:
                row["origin"] = m.origin
                row["overrides"] = list(m.overrides)
            out.append(row)
    return out


def _list_table(
    rows: Sequence[tuple[ModelRecord, PriceEntry, str]], show_source: bool, title: str
) -> Table:
    keys = price_keys(listed=True)
    columns = [
        Column("model", "model"),
        Column("provider", "provider"),
        Column("from", "from", "date"),
        *(Column(key.name, key.heading.lower(), "price") for _, key in keys),
        Column("tiers", "long context (in/out)"),
        Column("context", "context", "number"),
        Column("status", "status"),
    ]
    if show_source:
        columns += [Column("origin", "origin"), Column("overrides", "overrides")]
    body = []
    for m, e, status in rows:
        row: dict[str, Any] = {
            "model": m.id,
            "provider": m.provider,
            "from": e.effective_from,
            "tiers": _tiers(e),
            "context": m.context_window,
            "status": "" if status == "available" else status,
            "origin": m.origin,
            "overrides": " < ".join(m.overrides),
        }
        row.update({key.name: getattr(e, attr) for attr, key in keys})
        body.append(row)
    return Table(tuple(columns), tuple(body), title=title, missing="-")


SHOW_FORMATS = ("text", "json")


@prices.command(short_help="One model: tokenizer, limits, full price history.")
@click.argument("model")
@click.option(
    "--as-of",
    type=DATE,
    default="today",
    show_default=True,
    help="Mark the entry in force on this date.",
)
@output_options(SHOW_FORMATS)
@prices_option
@builtin_option
def show(
    model: str,
    as_of: date,
    fmt: str | None,
    output: str | None,
    price_files: tuple[str, ...],
    builtin: bool,
) -> None:
    """Everything about one model: tokenizer, limits, and its full price history.

    \b
    MODEL is an id or an exact alias (names are never matched loosely; a near
    miss gets a "Did you mean" suggestion). Each price entry shows its source,
    the date it was checked and whether it was verified in a primary source.

    \b
    Examples:
      distillcost prices show gpt-4o-mini
      distillcost prices show o3 --as-of 2025-06-01
      distillcost prices show claude-3-5-sonnet-20241022 --format json
    """
    fmt = resolve_format(fmt, output, SHOW_FORMATS, "text")
    check_output(output, price_files)
    table = load_table(price_files, builtin)
    record = table.get(model)
    try:
        current: PriceEntry | None = record.price_on(as_of)
    except NotAvailableError:
        current = None
    data = record.to_dict()
    data["origin"] = record.origin
    data["overrides"] = list(record.overrides)
    data["status"] = record.status_on(as_of)
    data["as_of"] = as_of
    data["in_force"] = current.effective_from if current else None
    text = _show_text(record, as_of, current)
    emit(Output(data=data, custom={"text": lambda: text}), fmt, output)


def _model_lines(record: ModelRecord) -> list[str]:
    """The model's own fields, one ``name: value`` line each (those it has)."""
    tokenizer = record.encoding
    if record.token_ratio is not None:
        tokenizer += f" x {present.exact(record.token_ratio)} provider tokens per token"
    if record.tokenizer_approximate:
        tokenizer += " (approximate)"
    if record.tokenizer_source:
        tokenizer += f"; source: {record.tokenizer_source}"
    shown = {
        "aliases": ", ".join(record.aliases),
        "tokenizer": tokenizer,
        "context": f"{record.context_window:,} tokens" if record.context_window else "",
        "max output": f"{record.max_output_tokens:,} tokens" if record.max_output_tokens else "",
        "released": record.released.isoformat() if record.released else "",
        "retired": record.retired.isoformat() if record.retired else "",
        "origin": record.origin,
        "overrides": " < ".join(record.overrides),
        "notes": record.notes,
    }
    return [f"  {(name + ':').ljust(12)} {value}" for name, value in shown.items() if value]


def _show_text(record: ModelRecord, as_of: date, current: PriceEntry | None) -> str:
    lines = [f"{record.id}  ({record.provider})", *_model_lines(record)]
    status = record.status_on(as_of)
    when = present.day(current.effective_from) if current else "none"
    lines.append(f"  on {as_of.isoformat()}: {status}; entry in force: {when}")
    lines.append("")
    lines.append("Price history, USD per 1M tokens (* = in force on the --as-of date):")
    # the prices this model has at some date (a column of dashes tells nothing)
    keys = [
        (attr, key)
        for attr, key in price_keys()
        if key.required or any(getattr(e, attr) is not None for e in record.history)
    ]
    header = ["", "from", *(key.heading.lower() for _, key in keys)]
    header += ["long context (in/out)", "verified", "checked"]
    rows = []
    for e in record.history:
        cells = ["*" if e is current else "", present.day(e.effective_from)]
        for attr, key in keys:
            value = _price_cell(key, getattr(e, attr))
            cells.append(value if isinstance(value, str) else present.price(value))
        cells += [_tiers(e) or "-", "yes" if e.verified else "NO", present.day(e.checked)]
        rows.append(cells)
    align = "ll" + "r" * len(keys) + "lll"
    lines.append(present.text_table(header, rows, align, clean=_clean).rstrip("\n"))
    for e in record.history:
        for extra in _entry_extras(e):
            lines.append(f"  {present.day(e.effective_from)}: {extra}")
    lines.append("")
    lines.append("Sources:")
    for e in record.history:
        flags = "" if e.reasoning_billed_as_output else " (reasoning not billed as output)"
        lines.append(f"  {present.day(e.effective_from)}: {e.source}{flags}")
        if e.notes:
            lines.append(f"      {e.notes}")
    return "\n".join(lines) + "\n"


def _entry_extras(entry: PriceEntry) -> list[str]:
    """Service tiers, time windows and the batch/cache rule, one line each."""

    def rates(item: Any) -> str:
        shown = [
            f"{key.heading.lower()} {present.price(getattr(item, attr))}"
            for attr, key, nested in fields_of(type(item))
            if nested is None and key.read is k.INPUT.read and getattr(item, attr) is not None
        ]
        return ", ".join(shown)

    lines = [f"{tier.name} tier: {rates(tier)}" for tier in entry.service_tiers]
    for window in entry.windows:
        days = f" and all day {', '.join(window.whole_days)}" if window.whole_days else ""
        lines.append(f"{window.name} {window.utc_hours} UTC{days}: {rates(window)}")
    if entry.batch_cache and entry.has_batch:
        lines.append(f"batch and the cache: {entry.batch_cache}")
    return lines


def _clean(text: object) -> str:
    return visible(text, one_line=True)


def diff_fields() -> list[tuple[str, k.Key]]:
    """The entry fields whose change is a price change (not its source or dates)."""
    skip = (k.EFFECTIVE_FROM, k.SOURCE, k.CHECKED, k.VERIFIED, k.NOTES)
    return [
        (attr, key)
        for attr, key, nested in fields_of(PriceEntry)
        if nested is None and key not in skip
    ]


def diff_rows(
    table: PriceTable, before: date, after: date, providers: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """What changed between two dates: models added, withdrawn, and price fields changed."""
    out: list[dict[str, Any]] = []
    fields = diff_fields()
    for m in table:
        if providers and m.provider not in providers:
            continue
        a = m.price_on(before) if m.available_on(before) else None
        b = m.price_on(after) if m.available_on(after) else None
        base = {"model": m.id, "provider": m.provider}
        if a is None and b is None:
            continue
        if a is None or b is None:
            change = "added" if a is None else m.status_on(after)
            out.append({**base, "change": change, "field": None, "before": None, "after": None})
            continue
        for attr, key in fields:
            x, y = getattr(a, attr), getattr(b, attr)
            if x != y:
                out.append(
                    {**base, "change": "changed", "field": key.name, "before": x, "after": y}
                )
        if a.tiers != b.tiers:
            out.append(
                {
                    **base,
                    "change": "changed",
                    "field": "tiers",
                    "before": _tiers(a),
                    "after": _tiers(b),
                }
            )
    return out


DIFF_FIELDS: tuple[Column, ...] = (
    Column("model", "model"),
    Column("provider", "provider"),
    Column("change", "change"),
    Column("field", "field"),
    Column("before", "before"),
    Column("after", "after"),
)
DIFF_FORMATS = TABLE_FORMATS


@prices.command(short_help="What changed between two dates.")
@click.argument("date1", type=DATE)
@click.argument("date2", type=DATE)
@providers_option
@output_options(DIFF_FORMATS)
@prices_option
@builtin_option
def diff(
    date1: date,
    date2: date,
    providers: tuple[str, ...],
    fmt: str | None,
    output: str | None,
    price_files: tuple[str, ...],
    builtin: bool,
) -> None:
    """What changed between two dates: new models, retirements, price changes.

    \b
    Useful for a memo ("since January, o3 input fell from 10 to 2 USD/1M").
    A model is "added" if it had no price on DATE1 and has one on DATE2, and
    "retired ..." / "not yet priced" if it had a price on DATE1 and not on DATE2.

    \b
    Examples:
      distillcost prices diff 2025-01-01 2025-07-01
      distillcost prices diff 2024-01-01 today --provider openai --format csv
    """
    fmt = resolve_format(fmt, output, DIFF_FORMATS, "text")
    check_output(output, price_files)
    table = load_table(price_files, builtin)
    check_providers(table, providers)
    rows = diff_rows(table, date1, date2, providers)
    if not rows and fmt in ("text", "md"):
        click.echo(f"No price changes between {date1.isoformat()} and {date2.isoformat()}.")
        return
    title = f"Changes from {date1.isoformat()} to {date2.isoformat()} (USD per 1M tokens)"
    table_ = Table(DIFF_FIELDS, tuple(rows), title=title, missing="-")
    emit(Output(data=rows, tables=[table_]), fmt, output)


@prices.command(short_help="Check price files; report every problem.")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option(
    "--across-files",
    is_flag=True,
    help="Treat the files as one table: a model id or alias in two files is a problem.",
)
def validate(files: tuple[str, ...], across_files: bool) -> None:
    """Check price tables and report EVERY problem, each with file:line, row and field.

    \b
    Checks: malformed TOML/CSV/JSON; missing required fields; unknown fields
    (with a suggestion); negative, NaN, infinite or non-numeric prices; unknown
    units or encodings; bad dates; duplicate model ids, colliding aliases and
    duplicate effective dates; an effective date after the model's retirement.
    Exits 1 if anything is wrong, 0 if every file is clean.

    \b
    Examples:
      distillcost prices validate my-prices.toml
      distillcost prices validate sheet.csv litellm.json
    """
    from distillcost.prices import validate_price_files
    from distillcost.prices.formats import parse_path

    problems = validate_price_files(files, across_files=across_files)
    for problem in problems:
        click.echo(visible(str(problem)))
    if problems:
        bad = len({p.file for p in problems})
        raise PriceDataError(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in "
            f"{bad} file{'s' if bad != 1 else ''}"
        )
    for file in files:
        result = parse_path(file)
        entries = sum(len(r.history) for r in result.records)
        for warning in result.warnings:
            warn(warning)
        click.echo(f"ok: {file}: {len(result.records)} models, {entries} price entries")


@prices.command(short_help="The tables in play, lowest precedence first.")
@prices_option
@builtin_option
def sources(price_files: tuple[str, ...], builtin: bool) -> None:
    """The tables that make up the price table, in precedence order (last wins).

    \b
    Shows each source (built-in file, plugin, config-dir file, --prices file)
    with how many models it contributed, the installed price plugins, and
    whether DISTILLCOST_PLUGINS limits them.

    \b
    Examples:
      distillcost prices sources
      DISTILLCOST_PLUGINS="" distillcost prices sources --prices mine.csv
    """
    import os

    from distillcost.config import config_dir
    from distillcost.plugins import ENV_VAR, installed_price_plugins

    table = load_table(price_files, builtin)
    click.echo(f"Price table {table.version}: {len(table)} models")
    rows = [[origin, str(count)] for origin, count in table.sources]
    header = ["source (lowest precedence first)", "models"]
    click.echo(present.text_table(header, rows, "lr", clean=_clean), nl=False)
    click.echo(f"Config dir: {config_dir() / 'prices'}")
    plugins = installed_price_plugins()
    setting = os.environ.get(ENV_VAR)
    limit = "all load" if setting is None else f"{ENV_VAR}={setting!r}"
    names = ", ".join(f"{name} ({dist})" for name, dist, _ in plugins) or "none"
    click.echo(f"Installed price plugins: {names}; {limit}")
