"""``compare``, ``history`` and ``sweep``: many estimates of one campaign, as a table.

Parsing and printing only; the work is in :mod:`distillcost.analysis`. All three
take the same SCENARIO file and flags as ``estimate`` (one shared decorator), and
print a table, CSV (spreadsheet-safe) or JSON (exact decimal strings).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

import click

from distillcost import analysis, present
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
    pipeline_from_options,
    scenario_from_options,
    scenario_inputs,
    scenario_options,
)
from distillcost.errors import DistillcostError
from distillcost.escape import visible
from distillcost.estimator.availability import WARNING_DAYS

FORMATS = TABLE_FORMATS


def workbooks() -> Any:
    """The workbook writers (XlsxWriter), imported only when a workbook is asked for."""
    from distillcost.workbook import many

    return many


def clean(text: object) -> str:
    """A table cell for the terminal: control characters shown as ``\\x1b``, never raw."""
    return visible(text, one_line=True)


def money_range(low: Decimal | None, high: Decimal | None) -> str:
    if low is None or high is None:
        return ""
    return f"{present.money(low)}–{present.money(high)}"


def wrap_items(items: Sequence[str], width: int = 96, indent: str = "  ") -> list[str]:
    """Comma-separated items on lines of at most ``width``, never breaking an item."""
    lines: list[str] = []
    line = ""
    for i, item in enumerate(items):
        piece = item + ("," if i < len(items) - 1 else "")
        if line and len(indent) + len(line) + 1 + len(piece) > width:
            lines.append(indent + line)
            line = piece
        else:
            line = f"{line} {piece}" if line else piece
    if line:
        lines.append(indent + line)
    return lines


def split_names(values: Sequence[str]) -> list[str]:
    """``--models a,b --models c`` -> [a, b, c]."""
    return [name.strip() for value in values for name in value.split(",") if name.strip()]


# --------------------------------------------------------------------------- compare


def _compare_row(row: analysis.ComparisonRow, rank: str) -> list[str]:
    e = row.estimate
    return [
        rank,
        row.teacher,
        row.provider,
        present.money(row.total_usd),
        money_range(row.low_usd, row.high_usd),
        present.days(row.wall_clock_days),
        e.binding_limit + (f" ({e.limits_preset.tier})" if e.limits_preset else ""),
        present.rate(e.usd_per_1m_dataset_tokens),
        e.reasoning.label if e.reasoning else "",
    ]


HEADER = [
    "#",
    "teacher",
    "provider",
    "total",
    "low–high",
    "days",
    "binding",
    "$/1M tok",
    "reasoning",
]


def compare_table(result: analysis.ComparisonResult) -> str:
    rows = [_compare_row(row, str(row.rank)) for row in result.rows]
    when = f" on {result.as_of.isoformat()}" if result.as_of else ""
    parts = []
    if rows:
        parts.append(f"{len(rows)} teacher(s) priced{when}, cheapest first\n\n")
        parts.append(present.text_table(HEADER, rows, "rllrrrlrl", clean=clean))
        parts.extend(_reasoning_key(result))
    else:
        parts.append(f"No teacher chosen can run this campaign{when}.\n")
    parts.extend(_retiring(result))
    if result.unranked:
        parts.append(
            f"\nNot ranked: preview, experimental or free ({len(result.unranked)}; rate-capped "
            "test releases; --include-preview ranks them):\n\n"
        )
        listed = [
            _compare_row(row, row.estimate.availability.kind if row.estimate.availability else "")
            for row in result.unranked
        ]
        parts.append(present.text_table(["status", *HEADER[1:]], listed, "lllrrrlrl", clean=clean))
        for row in result.unranked:
            caps = row.caps or "not in the usage-tier presets"
            parts.append(f"  {clean(row.teacher)}: rate caps {clean(caps)}\n")
    cannot = [u for u in result.unavailable if u.kind in (analysis.CANNOT_RUN, analysis.RETIRES)]
    if cannot:
        parts.append(f"\nCannot run this campaign ({len(cannot)}):\n")
        width = max(len(clean(u.teacher)) for u in cannot)
        for u in cannot:
            parts.append(f"  {clean(u.teacher).ljust(width)}  {clean(u.reason)}\n")
    for kind, title, word in (
        (analysis.NOT_PRICED, "Not yet priced on", "from"),
        (analysis.RETIRED, "Retired by", "on"),
    ):
        group = sorted(
            (u for u in result.unavailable if u.kind == kind),
            key=lambda u: (u.since or date.min, u.teacher),
        )
        if group:
            items = [
                f"{clean(u.teacher)} ({word} {u.since.isoformat()})"
                if u.since
                else clean(u.teacher)
                for u in group
            ]
            day = f" {result.as_of.isoformat()}" if result.as_of else ""
            parts.append(f"\n{title}{day} ({len(group)}):\n")
            parts.extend(line + "\n" for line in wrap_items(items))
    return "".join(parts)


def _reasoning_key(result: analysis.ComparisonResult) -> list[str]:
    """What the reasoning and binding columns assume, under the table."""
    lines: list[str] = []
    rows = result.rows
    assumed = [
        r
        for r in rows
        if r.estimate.reasoning
        and r.estimate.reasoning.basis == "profile"
        and r.estimate.reasoning.tokens.high > 0
    ]
    off = [
        r
        for r in rows
        if r.estimate.reasoning
        and r.estimate.reasoning.reasons
        and r.estimate.reasoning.tokens.high == 0
    ]
    if assumed or off:
        lines.append(
            "\nreasoning: hidden tokens per completion priced for each reasoning teacher "
            "(effort, count);\n"
            "  * = an assumption from its reasoning profile (pricing/reasoning.toml; JSON "
            "output gives\n    each one's range and basis); off = it reasons only when asked "
            "(--reasoning-effort);\n"
            "  --reasoning-effort LEVEL re-prices them at another effort, --reasoning-tokens N "
            "sets the count\n"
        )
    tiers = sorted({r.estimate.limits_preset.tier for r in rows if r.estimate.limits_preset})
    if tiers:
        lines.append(
            f"binding: the limit that sets the wall clock; limits from usage tier "
            f"{', '.join(tiers)} where named\n"
        )
    return lines


def _retiring(result: analysis.ComparisonResult) -> list[str]:
    """Ranked teachers retiring within 90 days of the as-of date, with their dates."""
    soon = [
        r
        for r in result.rows
        if r.estimate.availability is not None
        and r.estimate.availability.retires is not None
        and result.as_of is not None
        and (r.estimate.availability.retires - result.as_of).days <= WARNING_DAYS
    ]
    if not soon:
        return []
    items = [
        f"{clean(r.teacher)} ({r.estimate.availability.retires.isoformat()})"  # type: ignore[union-attr]
        for r in soon
    ]
    return [
        f"\nRetiring within {WARNING_DAYS} days ({len(soon)}; plan around the date):\n",
        *(line + "\n" for line in wrap_items(items)),
    ]


@click.command(cls=ScenarioCommand)
@scenario_options
@click.option(
    "--models",
    "models",
    multiple=True,
    metavar="A,B,…",
    help="Teachers to compare (ids or aliases, comma-separated; repeatable).",
)
@click.option("--provider", metavar="NAME", help="Every model of one provider (e.g. openai).")
@click.option("--all", "all_models", is_flag=True, help="Every model in the price table.")
@click.option(
    "--include-unavailable",
    is_flag=True,
    help="CSV, Markdown and workbooks: also list the teachers that cannot run the campaign "
    "(blank money, the reason given); by default only teachers that can are rows.",
)
@click.option(
    "--include-preview",
    is_flag=True,
    help="Rank preview, experimental and free models too (listed apart by default).",
)
@click.option(
    "--stage",
    metavar="NAME",
    help="A pipeline ([[stages]]): vary the teacher of this stage only (default: every stage).",
)
@click.option(
    "--self-hosted",
    "self_hosted",
    is_flag=True,
    help="Also rank every self-hosted teacher (an open-weight model on rented GPUs, "
    "`distillcost gpus serving`).",
)
@output_options(FORMATS)
def compare(
    scenario_path: str | None,
    models: tuple[str, ...],
    provider: str | None,
    all_models: bool,
    include_unavailable: bool,
    include_preview: bool,
    stage: str | None,
    self_hosted: bool,
    fmt: str,
    output: str | None,
    **options: Any,
) -> None:
    """Price the same campaign for many teachers, cheapest first.

    The scenario (file and/or flags, as for `estimate`) is priced once per
    teacher on its as-of date, as that teacher behaves: reasoning teachers with
    their own hidden reasoning (their profile's default effort, or
    --reasoning-effort), each provider's usage tier (--tier openai:3) for the
    wall clock. Each row shows the total, its low–high range, wall-clock days,
    the limit that binds, the cost per 1M dataset tokens and the reasoning
    priced. Preview, experimental and free models are listed apart (not
    ranked) unless --include-preview; teachers that cannot run it (context
    window too small, no price on the date, no batch price when --batch is set,
    retiring before the campaign ends, …) are listed after, with the reason.

    \b
    Examples:
      distillcost compare examples/alpaca.toml --as-of 2024-08-01 \\
          --models gpt-4o,gpt-4o-mini,claude-3-5-sonnet-20240620
      distillcost compare examples/alpaca.toml --as-of 2025-06-01 --provider anthropic
      distillcost compare --examples 500k --prompt-tokens 150 --completion-tokens 400 \\
          --all --reasoning-effort low --tier openai:3 --tier anthropic:build
      distillcost compare --examples 50000 --prompt-tokens 300 \\
          --completion-tokens 500 --all --format csv -o teachers.csv
      distillcost compare examples/cosmopedia.toml --self-hosted \\
          --models gpt-4o-mini,deepseek-chat        # API teachers beside self-hosted ones
    """
    fmt = resolve_format(fmt, output, FORMATS, "text")
    check_output(output, scenario_inputs(scenario_path, options))
    names = split_names(models)
    if models and not names:
        raise click.BadParameter("no model names given", param_hint="--models")
    if all_models and (names or provider):
        raise click.UsageError("--all compares every model; drop --models/--provider")
    if not (all_models or names or provider or self_hosted):
        raise click.UsageError(
            "choose the teachers: --models A,B, --provider NAME, --all or --self-hosted"
        )
    staged = pipeline_from_options(scenario_path, options)
    scenario = None
    if staged is not None:
        table = staged[1]
    else:
        scenario, table = scenario_from_options(scenario_path, options)
    if self_hosted or staged is not None:
        if provider:
            raise click.UsageError(
                "--provider cannot be combined with --self-hosted or a pipeline: name the models"
            )
        hosted = table.compute.teacher_names() if table.compute and self_hosted else []
        names = [*(table.ids() if all_models else names), *hosted]
    if staged is not None:
        from distillcost.analysis.pipelines import compare_pipeline

        result = compare_pipeline(staged[0], table, names, stage=stage)
    elif stage is not None:
        raise click.UsageError("--stage needs a pipeline (a scenario file with [[stages]])")
    else:
        assert scenario is not None
        result = analysis.compare(
            scenario,
            table,
            models=names or None,
            provider=provider,
            include_preview=include_preview,
        )
    out = Output(
        data=result.to_dict(),
        tables=[result.table(unavailable=include_unavailable)],
        custom={
            "text": lambda: compare_table(result),
            "xlsx": lambda: workbooks().comparison_workbook(result, include_unavailable),
        },
    )
    emit(out, fmt, output)


# --------------------------------------------------------------------------- history


def history_table(result: analysis.HistoryResult) -> str:
    header = ["date", "teacher", "total", "low–high", "$/1M tok", "change", "status"]
    rows = []
    for row in result.rows:
        e = row.estimate
        rows.append(
            [
                row.date.isoformat(),
                row.teacher,
                present.money(e.total_usd) if e else "",
                money_range(e.low_usd, e.high_usd) if e else "",
                present.rate(e.usd_per_1m_dataset_tokens) if e else "",
                present.FORMATTERS["change"](row.change_pct / 100 if row.change_pct else None),
                ""
                if row.status == "priced"
                else row.status + (f": {row.note}" if row.note else ""),
            ]
        )
    teachers = sorted({r.teacher for r in result.rows})
    if not rows:
        return f"No price on or before {result.until.isoformat()} for the teachers chosen.\n"
    title = (
        f"The campaign priced on every date a price changed, up to {result.until.isoformat()} "
        f"({len(result.dates)} date(s), {len(teachers)} teacher(s))\n\n"
    )
    text = title + present.text_table(header, rows, "llrrrrl", clean=clean)
    cheapest = result.cheapest_by_date()
    if len(cheapest) > 1:
        first, last = cheapest[0], cheapest[-1]
        was, now = first.total_usd or Decimal(0), last.total_usd or Decimal(0)
        factor = f": {was / now:,.1f}× less" if 0 < now < was else ""
        text += (
            f"\nCheapest: {present.money(was)} ({clean(first.teacher)}) on {first.date.isoformat()}"
            f" -> {present.money(now)} ({clean(last.teacher)}) on {last.date.isoformat()}{factor}\n"
        )
    return text


@click.command(cls=ScenarioCommand)
@scenario_options
@click.option(
    "--models",
    "models",
    multiple=True,
    metavar="A,B,…",
    help="Teachers to follow (comma-separated; repeatable). Default: the scenario's teacher.",
)
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Last date to price (default: today, whatever the scenario's as-of date).",
)
@output_options(FORMATS)
def history(
    scenario_path: str | None,
    models: tuple[str, ...],
    until: Any,
    fmt: str,
    output: str | None,
    **options: Any,
) -> None:
    """Price the same campaign on every date any chosen teacher's price changed.

    One row per (teacher, date), from the first price to --until (default
    today, even when the scenario is dated earlier): how the cost of extraction
    fell over time. A retired
    model gets one "retired" row on its retirement date; "change" is against
    the same teacher's previous row.

    \b
    Examples:
      distillcost history examples/essay.toml \\
          --models text-davinci-003,gpt-3.5-turbo,gpt-4o-mini,gpt-5-nano
      distillcost history examples/alpaca.toml --until 2024-12-31 \\
          --models text-davinci-003,gpt-3.5-turbo,gpt-4o-mini
      distillcost history --examples 52002 --prompt-tokens 400 \\
          --completion-tokens 600 --models gpt-4o,gpt-4o-mini --format csv
    """
    fmt = resolve_format(fmt, output, FORMATS, "text")
    check_output(output, scenario_inputs(scenario_path, options))
    names = split_names(models)
    if models and not names:
        raise click.BadParameter("no model names given", param_hint="--models")
    staged = pipeline_from_options(scenario_path, options)
    if staged is not None:
        if names:
            raise click.UsageError(
                "a pipeline's history follows its stages' teachers: drop --models"
            )
        from distillcost.analysis.pipelines import pipeline_history

        result = pipeline_history(*staged, until=until.date() if until else None)
    else:
        scenario, table = scenario_from_options(scenario_path, options)
        result = analysis.history(
            scenario, table, models=names or None, until=until.date() if until else None
        )
    out = Output(
        data=result.to_dict(),
        tables=[result.table()],
        custom={
            "text": lambda: history_table(result),
            "xlsx": lambda: workbooks().history_workbook(result),
        },
    )
    emit(out, fmt, output)


# --------------------------------------------------------------------------- sweep


def sweep_table(result: analysis.SweepResult) -> str:
    header = [*result.parameters, "total", "low", "high", "days"]
    n = len(result.parameters)
    rows = [
        [
            *(present.number(v) for v in row[:n]),
            present.money(row[n]),
            present.money(row[n + 1]),
            present.money(row[n + 2]),
            present.days(row[n + 3]),
        ]
        for row in result.rows
    ]
    title = "Sweep over " + " × ".join(s.text() for s in result.specs) + "\n\n"
    return title + present.text_table(header, rows, "r" * len(header), clean=clean)


@click.command(cls=ScenarioCommand)
@scenario_options
@click.option(
    "--vary",
    "vary",
    multiple=True,
    required=True,
    metavar="PARAM=START..STOP[:STEPS][:log]",
    help=(
        f"An assumption to vary (give twice for a 2-D grid). STEPS defaults to "
        f"{analysis.DEFAULT_STEPS}; ':log' spaces the points evenly in the logarithm."
    ),
)
@output_options(FORMATS)
def sweep(
    scenario_path: str | None,
    vary: tuple[str, ...],
    fmt: str,
    output: str | None,
    **options: Any,
) -> None:
    """Estimate the campaign over a grid of one or two assumptions.

    Each point is the scenario with PARAM set to that value, priced exactly as
    `estimate` would; columns: the varied values, total, low, high and
    wall-clock days. PARAM is any numeric scenario field (TOML name; dashes
    work too); numbers take k/M/B suffixes; at most 1,000,000 points. A point
    the campaign cannot run at (a value the scenario rejects, a request beyond
    the context window) is an error naming that point: narrow the range.

    \b
    Examples:
      distillcost sweep examples/alpaca.toml --vary acceptance_rate=0.5..1:6
      distillcost sweep examples/alpaca.toml --vary examples=1k..1M:4:log \\
          --vary acceptance_rate=0.3..1:8 --format csv -o grid.csv
    """
    fmt = resolve_format(fmt, output, FORMATS, "text")
    check_output(output, scenario_inputs(scenario_path, options))
    if len(vary) > 2:
        raise click.UsageError("--vary may be given at most twice (a 2-D grid)")
    specs = []
    for text in vary:
        try:
            spec = analysis.parse_vary(text, analysis.NUMERIC_PARAMETERS)
            if spec.steps <= analysis.MAX_POINTS:
                spec.values()  # a range too narrow for its steps fails here, as a usage error
        except DistillcostError as exc:
            raise click.BadParameter(str(exc), param_hint="--vary") from None
        specs.append(spec)
    if len(specs) == 2 and specs[0].parameter == specs[1].parameter:
        raise click.BadParameter(f"{specs[0].parameter!r} is varied twice", param_hint="--vary")
    size = analysis.grid_size(specs)
    if size > analysis.MAX_POINTS:
        raise click.BadParameter(
            f"the grid has {size:,} points; a sweep computes at most "
            f"{analysis.MAX_POINTS:,}. Use fewer STEPS.",
            param_hint="--vary",
        )
    if pipeline_from_options(scenario_path, options) is not None:
        raise click.UsageError(
            "sweep varies one scenario, not a pipeline ([[stages]]): sweep a stage written as "
            "its own scenario"
        )
    scenario, table = scenario_from_options(scenario_path, options)
    result = analysis.sweep(scenario, table, specs)
    out = Output(
        data=result.to_dict(),
        tables=[result.table()],
        custom={
            "text": lambda: sweep_table(result),
            "xlsx": lambda: workbooks().sweep_workbook(result, table),
        },
    )
    emit(out, fmt, output)
