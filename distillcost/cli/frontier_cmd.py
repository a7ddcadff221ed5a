"""``distillcost frontier``: the cost of extracting a model of a given capability, over time.

Parsing and printing only; the work is in :mod:`distillcost.analysis.frontier`.
"""

from __future__ import annotations

from typing import Any

import click

from distillcost import present
from distillcost.analysis.frontier import FrontierPoint, FrontierResult
from distillcost.cli.analysis_cmd import clean
from distillcost.cli.capability_options import (
    capability_from_options,
    capability_inputs,
    capability_options,
    curve_arguments,
)
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

FORMATS = TABLE_FORMATS


def _score(point: FrontierPoint) -> str:
    if not point.evidence:
        return ""
    first = point.evidence[0]
    return "itself" if first.score is None else str(first.score.value)


def frontier_text(result: FrontierResult) -> str:
    header = [
        "date",
        "cheapest meeting the bar",
        "total",
        "fall",
        "score",
        "best available",
        "its total",
        "score",
    ]
    first = result.first
    start = None if first is None else first.total_usd
    rows = []
    for point in result.steps():
        total = point.total_usd
        fall = start / total if start is not None and total else None
        rows.append(
            [
                point.date.isoformat(),
                point.teacher or f"({point.note})",
                present.money(total) if total is not None else "",
                present.factor(fall) if fall is not None else "",
                _score(point),
                point.best_teacher or "",
                present.money(point.best_total_usd) if point.best_total_usd is not None else "",
                str(point.best_score.value) if point.best_score is not None else "",
            ]
        )
    scenario = result.scenario
    name = f" for {scenario.name!r}" if scenario is not None and scenario.name else ""
    parts = [
        f"The cheapest teacher meeting {result.capability}{name}, "
        f"{result.since.isoformat()} to {result.until.isoformat()} "
        f"({len(result.points)} date(s) on which a price or score changed; "
        "rows where either curve moved)\n\n",
        present.text_table(header, rows, "llrrrlrr", clean=clean),
        "\n",
    ]
    parts += [line + "\n" for line in result.summary()]
    used: dict[str, str] = {}
    for point in result.steps():
        if point.teacher is not None and point.teacher not in used:
            used[point.teacher] = "; ".join(e.describe() for e in point.evidence)
    if used:
        parts.append("\nScores behind each teacher on the curve:\n")
        parts += [f"  {clean(t)}: {clean(text)}\n" for t, text in used.items()]
    if result.notes:
        parts.append("\nNotes:\n")
        parts += [f"  - {clean(note)}\n" for note in result.notes]
    return "".join(parts)


@click.command(cls=ScenarioCommand)
@scenario_options
@capability_options
@output_options(FORMATS)
def frontier(
    scenario_path: str | None,
    bars: tuple[str, ...],
    fmt: str,
    output: str | None,
    **options: Any,
) -> None:
    """What did it cost, on each date, to extract a model at least this capable?

    For every date on which a price, a release or a retirement changed (from the
    scenario's as-of date, or 2020), the cheapest teacher sold that day that meets
    the capability bar and can run the campaign, its cost, and the fall since the
    first date (×); beside it, the best teacher sold that day (highest score on the
    bar's first benchmark) and its cost. Under the table: the fall, and the halving
    time from a least-squares line through the log of the monthly cost.

    Scores are dated and sourced (`distillcost scores list`). MMLU and GPQA values
    compare across models as published (settings differ: --setting narrows them);
    an Arena rating compares only within one leaderboard snapshot, so an Arena bar
    names a model (at least as capable as it, in the latest snapshot rating both)
    or a snapshot. A cheaper teacher meeting a score is not the same model.

    \b
    Examples:
      distillcost frontier examples/essay.toml --capability "mmlu>=text-davinci-003"
      distillcost frontier examples/essay.toml --capability "mmlu>=86" --since 2023-01-01
      distillcost frontier examples/alpaca.toml --capability "lmarena-elo>=gpt-4-0314"
      distillcost frontier examples/essay.toml --capability "gpqa-diamond>=50" \\
          --reported-by maker --format csv -o curve.csv
    """
    from distillcost.analysis.frontier import frontier as moat_curve

    fmt = resolve_format(fmt, output, FORMATS, "text")
    check_output(output, [*scenario_inputs(scenario_path, options), *capability_inputs(options)])
    if not bars:
        raise click.UsageError(
            'give the capability bar, e.g. --capability "mmlu>=86" or '
            '--capability "mmlu>=text-davinci-003"'
        )
    scenario, table = scenario_from_options(scenario_path, options)
    capability = capability_from_options(table, options, bars)
    result = moat_curve(scenario, table, capability, **curve_arguments(options))
    out = Output(
        data=result.to_dict(),
        tables=[result.table()],
        custom={"text": lambda: frontier_text(result)},
        notes=[*result.summary(), *result.notes],
    )
    emit(out, fmt, output)
