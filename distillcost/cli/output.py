"""One output layer for every command: ``--format`` / ``-o``, a registry of writers.

A command builds an :class:`Output` (its data for JSON, its result tables, and
optionally its own human text) and calls :func:`emit`. The format comes from
``--format``, else from ``-o``'s extension, else the command's default; an extension
no writer knows is refused before any work is done. A new format is one writer
function registered with :func:`writer`.

Files are written whole or not at all, and never over one of the command's inputs.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import click

from distillcost.decimals import decimal_str
from distillcost.escape import visible
from distillcost.present import Column, Table, half_up, text_table

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Output:
    """What a command produced, in every form a writer may want.

    Writers draw ``data`` (JSON) and ``tables`` (CSV: the first; text and Markdown:
    all); ``custom`` maps a format to the command's own rendering where the tables
    alone do not say it (the estimate's breakdown, the price sheet's CSV).
    """

    data: Any = None
    tables: Sequence[Table] = ()
    custom: dict[str, Callable[[], str | bytes]] = field(default_factory=dict)
    notes: Sequence[str] = field(default_factory=list)


SUFFIXES: dict[str, tuple[str, ...]] = {
    "text": (".txt",),
    "csv": (".csv",),
    "json": (".json",),
    "md": (".md", ".markdown"),
    "html": (".html", ".htm"),
    "xlsx": (".xlsx",),
    "pdf": (".pdf",),
}
"""Every output format and the file names that ask for it (reports write html too)."""

HELP: dict[str, str] = {
    "text": "readable tables",
    "csv": "spreadsheets (formula-safe; numbers stay numbers)",
    "json": "programs (money as exact decimal strings)",
    "md": "Markdown for memos",
    "html": "a self-contained page",
    "xlsx": "Excel/LibreOffice workbooks",
    "pdf": "a paged PDF",
}
ALIASES = {"table": "text", "markdown": "md", "htm": "html"}

TABLE_FORMATS: tuple[str, ...] = ("text", "csv", "json", "md", "xlsx")
"""What every command whose result is a table writes (a new tabular format goes here)."""

WRITERS: dict[str, Callable[[Output], str | bytes]] = {}


def writer(name: str) -> Callable[[Callable[[Output], Any]], Any]:
    """Register the writer of format ``name`` (one of :data:`SUFFIXES`)."""

    def register(func: Callable[[Output], str | bytes]) -> Callable[[Output], str | bytes]:
        WRITERS[name] = func
        return func

    return register


def _clean(cell: object) -> str:
    return visible(cell, one_line=True)


@writer("text")
def write_text(out: Output) -> str:
    parts = []
    for table in out.tables:
        if table.title:
            parts.append(visible(table.title) + "\n")
        parts.append(text_table(table.header, table.cells(), table.align, clean=_clean))
    parts.extend(f"{visible(note)}\n" for note in out.notes)
    return "".join(parts)


class _PlainDecimal(Decimal):
    """A Decimal whose text is positional (1000, not 1E+3), so CSV cells stay plain numbers."""

    def __str__(self) -> str:
        return decimal_str(self)


MONEY_PLACES = 6
"""Decimals of money in CSV (a millionth of a dollar): plain, never 46.5277777778."""


def csv_value(column: Column, value: Any) -> Any:
    """A raw value as a CSV cell: money and derived rates at :data:`MONEY_PLACES`
    (published prices exact), other numbers as they are, positional."""
    if not isinstance(value, Decimal):
        return value
    if column.kind in ("money", "rate"):
        value = half_up(value, MONEY_PLACES)
    return _PlainDecimal(value)


@writer("csv")
def write_csv(out: Output) -> str:
    from distillcost.cells import csv_text

    table = out.tables[0] if out.tables else Table((), ())
    rows = ([csv_value(c, row.get(c.key)) for c in table.columns] for row in table.rows)
    return csv_text(rows, header=[c.key for c in table.columns])


@writer("xlsx")
def write_xlsx(out: Output) -> bytes:
    from distillcost.workbook.tables import tables_workbook

    return tables_workbook(out.tables, out.notes)


@writer("json")
def write_json(out: Output) -> str:
    from distillcost.export import json_text

    return json_text(out.data)


@writer("md")
def write_markdown(out: Output) -> str:
    from distillcost.escape import md, md_table

    parts = []
    for table in out.tables:
        if table.title:
            parts.append(md(table.title) + "\n\n")
        parts.append(md_table(table.header, table.cells(), table.align) + "\n\n")
    parts.extend(f"- {md(note)}\n" for note in out.notes)
    return "".join(parts).rstrip("\n") + "\n"


def format_from_suffix(path: str) -> str | None:
    suffix = Path(path).suffix.lower()
    return next((name for name, known in SUFFIXES.items() if suffix in known), None)


def resolve_format(
    fmt: str | None, output: str | None, formats: Sequence[str], default: str
) -> str:
    """The format asked for, else the one ``-o``'s extension names, else ``default``."""
    if fmt is not None:
        fmt = ALIASES.get(fmt.lower(), fmt.lower())
    if output is not None and output != "-":
        from_suffix = format_from_suffix(output)
        if fmt is None:
            if from_suffix is None or from_suffix not in formats:
                known = ", ".join(s for f in formats for s in SUFFIXES[f])
                what = "write" if from_suffix else "tell the format from"
                raise click.UsageError(
                    f"cannot {what} {output!r} here: name the file {known}, or pass --format"
                )
            return from_suffix
        if from_suffix is not None and from_suffix != fmt:
            raise click.UsageError(
                f"--format {fmt} but {output!r} is named like a {from_suffix} file; "
                "drop one or make them agree"
            )
    return fmt or default


def output_options(formats: Sequence[str], default: str = "text") -> Callable[[F], F]:
    """``--format/-f`` (choices: ``formats``) and ``-o/--output FILE``."""
    names = [*formats, *(a for a, f in ALIASES.items() if f in formats)]
    help_text = "; ".join(f"{f} for {HELP[f]}" for f in formats)

    def decorate(func: F) -> F:
        func = click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False),
            help="Write to FILE (whole or not at all); its extension picks the format.",
        )(func)
        func = click.option(
            "--format",
            "-f",
            "fmt",
            type=click.Choice(names, case_sensitive=False),
            default=None,
            help=f"{help_text} (default: from -o's extension, else {default}).",
        )(func)
        return func

    return decorate


def check_output(output: str | None, inputs: Sequence[str | os.PathLike[str]] = ()) -> None:
    """Fail before any work when -o cannot be written, or would overwrite an input.

    A missing directory is named now (``atomic_write`` would say so too, but only
    after the counting or pricing); ``-o data.jsonl`` on ``data.jsonl`` would
    destroy the input.
    """
    if not output or output == "-":
        return
    target = Path(output)
    parent = target.parent
    if not parent.is_dir():
        raise click.FileError(output, hint=f"directory {str(parent)!r} does not exist")
    for name in [*inputs, *_config_files()]:
        if _same_file(target, Path(name)):
            raise click.UsageError(
                f"-o {output!r} is also an input ({name}): writing it would destroy the input; "
                "choose another output file"
            )
    if target.is_file() and not os.access(target, os.W_OK):
        raise click.FileError(
            output, hint="the file is read-only; make it writable or choose another"
        )


def _config_files() -> list[Path]:
    """The user's own price tables and templates: inputs of every command that prices or
    reports, so ``-o`` must not land on one either."""
    from distillcost.config import config_subdir

    found: list[Path] = []
    for name in ("prices", "templates", "scores"):
        folder = config_subdir(name, on_warning=lambda message: None)  # warned when read
        if folder is not None:
            with contextlib.suppress(OSError):
                found += [p for p in folder.rglob("*") if p.is_file()]
    return found


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


BINARY = ("xlsx", "pdf")


def emit(out: Output, fmt: str, output: str | None) -> None:
    """Write ``out`` in ``fmt`` to ``output`` (atomically) or standard output."""
    to_terminal = not output or output == "-"
    if fmt in BINARY and to_terminal and sys.stdout.isatty():
        raise click.UsageError(
            f"a {fmt} file is binary, not for a terminal: pass -o FILE.{fmt} (or redirect)"
        )
    custom = out.custom.get(fmt)
    data = custom() if custom is not None else WRITERS[fmt](out)
    if fmt == "text" and isinstance(data, str):
        data = visible(data)
    if output and output != "-":
        from distillcost.export import atomic_write

        atomic_write(output, data)
        click.echo(f"Wrote {output}", err=True)
    elif isinstance(data, bytes):
        click.echo(data, nl=False)
    else:
        click.echo(data, nl=False)
