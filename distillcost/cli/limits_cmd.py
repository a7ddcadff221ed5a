"""``distillcost limits``: the provider's view of one campaign — keys, days, and the inverse.

Parsing and printing only; the work is in :mod:`distillcost.analysis.provider_view`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import click

from distillcost import present
from distillcost.analysis.provider_view import ProviderView
from distillcost.cli.analysis_cmd import clean
from distillcost.cli.output import (
    TABLE_FORMATS,
    Output,
    check_output,
    emit,
    output_options,
    resolve_format,
)
from distillcost.cli.scenario_options import (
    ScenarioCommand,
    scenario_from_options,
    scenario_inputs,
    scenario_options,
)
from distillcost.errors import RangeError
from distillcost.ranges import parse_number

FORMATS = TABLE_FORMATS


class AmountParam(click.ParamType):
    """A positive number with an optional k/M/B suffix (``30``, ``250k``, ``1.5M``)."""

    name = "NUM"

    def __init__(self, unit: str = "") -> None:
        self.unit = unit

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Decimal):
            return value
        text = str(value).strip()
        if self.unit == "usd":
            text = text.lstrip("$")
        if self.unit == "days" and text.lower().endswith("d"):
            text = text[:-1]
        try:
            number = parse_number(text)
        except (RangeError, ValueError) as exc:
            self.fail(str(exc), param, ctx)
        if number <= 0:
            self.fail(f"must be above 0, got {value}", param, ctx)
        return number


def _keys(value: str | None) -> list[int] | None:
    if value is None:
        return None
    if not value.strip(" ,"):
        raise click.BadParameter("empty; give key counts such as 1,2,4", param_hint="--key-counts")
    out = []
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        if not item.isdigit() or int(item) < 1:
            raise click.BadParameter(
                f"{item!r} is not a whole number of keys", param_hint="--key-counts"
            )
        out.append(int(item))
    return out or None


def limits_text(view: ProviderView) -> str:
    keys = view.keys_table()
    parts = [
        f"The provider's view: keys and days for this campaign under its limits "
        f"({', '.join(view.limits_shown)} per key)\n\n",
        present.text_table(keys.header, keys.cells(""), keys.align, clean=clean),
        "\n",
    ]
    parts += [line + "\n" for line in view.summary()]
    if view.levers:
        levers = view.levers_table()
        parts.append("\n")
        parts.append(present.text_table(levers.header, levers.cells(""), levers.align, clean=clean))
    return "".join(parts)


def provider_view_options(func: Any) -> Any:
    """--keys, --deadline, --budget, --past: shared by ``limits`` and ``report``."""
    decorators = [
        click.option(
            "--key-counts",
            "keys_list",
            metavar="N,N,…",
            help="Key counts to tabulate (default: 1, 2, 4 … up to 4× the keys needed, "
            "at least 64). --keys is the extractor's own count, for the inverse questions.",
        ),
        click.option(
            "--deadline",
            type=AmountParam("days"),
            metavar="DAYS",
            help="Days the extractor has: the keys needed, and the volume that cannot fit.",
        ),
        click.option(
            "--budget",
            type=AmountParam("usd"),
            metavar="USD",
            help="Dollars the extractor has: the smallest volume they cannot buy.",
        ),
        click.option(
            "--past",
            "past_days",
            type=AmountParam("days"),
            metavar="DAYS",
            help="For each limit, the value per key that pushes the campaign past DAYS "
            "(default: the deadline).",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def provider_view_arguments(
    keys_list: str | None,
    deadline: Decimal | None,
    budget: Decimal | None,
    past_days: Decimal | None,
) -> dict[str, Any]:
    return {
        "keys": _keys(keys_list),
        "deadline_days": deadline,
        "budget_usd": budget,
        "past_days": past_days,
    }


@click.command(cls=ScenarioCommand)
@scenario_options
@provider_view_options
@output_options(FORMATS)
def limits(
    scenario_path: str | None,
    keys_list: str | None,
    deadline: Decimal | None,
    budget: Decimal | None,
    past_days: Decimal | None,
    fmt: str,
    output: str | None,
    **options: Any,
) -> None:
    """The provider's view: what an extractor needs under the campaign's rate limits.

    With the per-key limits the scenario states (--rpm, --tpm, --rpd, --tpd,
    --concurrency with --latency-seconds, or --batch with --batch-queue-tokens), a
    table of days and the binding limit for 1, 2, 4 … keys or organisations. The
    cost does not depend on the keys. --deadline adds the keys needed to finish in
    time; --budget and/or --deadline the smallest volume that cannot be extracted
    with the scenario's keys; --past DAYS, for each limit the provider sets, the
    value that would push the campaign past DAYS. Every figure is an estimate of
    the campaign with one value changed.

    \b
    Examples:
      distillcost limits examples/alpaca.toml --rpm 500 --tpm 200k --deadline 7
      distillcost limits examples/alpaca.toml --rpm 3500 --tpm 2M --rpd 10k \\
          --keys 10 --budget 500 --deadline 30 --past 30
      distillcost limits examples/reasoning-batch.toml --batch-queue-tokens 2M --keys 4 \\
          --deadline 10 --format csv -o keys.csv
    """
    from distillcost.analysis.provider_view import provider_view

    fmt = resolve_format(fmt, output, FORMATS, "text")
    check_output(output, scenario_inputs(scenario_path, options))
    arguments = provider_view_arguments(keys_list, deadline, budget, past_days)
    scenario, table = scenario_from_options(scenario_path, options)
    view = provider_view(scenario, table, **arguments)
    tables = [view.keys_table()] + ([view.levers_table()] if view.levers else [])
    out = Output(
        data=view.to_dict(),
        tables=tables,
        custom={"text": lambda: limits_text(view)},
        notes=view.summary(),
    )
    emit(out, fmt, output)
