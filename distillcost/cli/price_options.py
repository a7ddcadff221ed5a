"""Options the price commands share: dates, ``--prices`` files, the table they load."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

import click

from distillcost.errors import did_you_mean
from distillcost.escape import visible
from distillcost.present import parse_day

if TYPE_CHECKING:
    from distillcost.prices.table import PriceTable


class DateParam(click.ParamType):
    """A date as YYYY-MM-DD, or ``today``; an impossible day says why (no 30 February)."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        if text.lower() == "today":
            return date.today()
        try:
            return parse_day(text)
        except ValueError as exc:
            self.fail(f"{exc}; use YYYY-MM-DD (e.g. 2024-10-01) or 'today'", param, ctx)


DATE = DateParam()


def prices_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--prices FILE`` (repeatable): extra tables that override the built-in ones."""
    return click.option(
        "--prices",
        "price_files",
        multiple=True,
        metavar="FILE",
        help="Extra price table (.toml, .csv, .json or a LiteLLM map; or 'genai-prices' "
        "when that package is installed). Repeatable; later files win per model.",
    )(func)


def warn(message: str) -> None:
    """A warning on stderr, terminal-safe."""
    click.echo(f"Warning: {visible(message)}", err=True)


def load_table(price_files: Sequence[str] = (), builtin: bool = True) -> PriceTable:
    """The full price table with ``--prices`` files on top; warnings go to stderr."""
    from distillcost.prices import load_prices  # not on --help's path

    return load_prices(price_files, builtin=builtin, on_warning=warn)


providers_option = click.option(
    "--provider", "providers", multiple=True, help="Only this provider (repeatable)."
)


def builtin_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """``--no-builtin``: leave out the shipped tables (check your own sheet alone)."""
    return click.option(
        "--builtin/--no-builtin",
        default=True,
        show_default=True,
        help="Include the tables shipped with distillcost (plugins, config dir and "
        "--prices files load either way).",
    )(func)


def check_providers(table: PriceTable, providers: Sequence[str]) -> None:
    """A ``--provider`` the table does not know is an error that names the close ones."""
    known = sorted({m.provider for m in table})
    for provider in providers:
        if provider not in known:
            close = did_you_mean(provider, known)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise click.BadParameter(
                f"unknown provider {provider!r}.{hint} Known: {', '.join(known)}",
                param_hint="'--provider'",
            )
