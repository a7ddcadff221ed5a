"""``distillcost scores``: the capability scores behind ``frontier`` — list them, check files.

Parses options, calls :mod:`distillcost.capability`, prints through the output layer.
"""

from __future__ import annotations

from typing import Any

import click

from distillcost.capability import ScoreSet, ScoreTable, load_scores
from distillcost.cli.capability_options import scores_option
from distillcost.cli.output import (
    TABLE_FORMATS,
    Output,
    check_output,
    emit,
    output_options,
    resolve_format,
)
from distillcost.errors import ScoreDataError
from distillcost.escape import visible
from distillcost.present import Column, Table
from distillcost.prices import load_prices
from distillcost.prices.table import PriceTable

ROW_FIELDS: tuple[Column, ...] = (
    Column("model", "model"),
    Column("scored_as", "scored as"),
    Column("benchmark", "benchmark"),
    Column("value", "value", "exact"),
    Column("as_of", "published", "date"),
    Column("setting", "setting"),
    Column("reported_by", "reported by"),
    Column("verified", "verified"),
    Column("source", "source"),
)
BENCHMARK_FIELDS: tuple[Column, ...] = (
    Column("name", "benchmark"),
    Column("unit", "unit"),
    Column("scale", "compares"),
    Column("rows", "scores", "number"),
    Column("models", "priced models", "number"),
    Column("first", "first", "date"),
    Column("last", "last", "date"),
    Column("meaning", "meaning"),
)
SCALE_WORDS = {"absolute": "across dates", "snapshot": "within a snapshot"}


@click.group()
def scores() -> None:
    """Capability scores of teachers (MMLU, GPQA, Arena …), dated and sourced.

    Built-in tables < plugins < $DISTILLCOST_CONFIG_DIR/scores/ < --scores FILE.

    \b
    Examples:
      distillcost scores benchmarks
      distillcost scores list --model gpt-4o-mini
      distillcost scores list --benchmark mmlu --format csv -o mmlu.csv
      distillcost scores validate my-scores.toml
    """


def _loaded(score_files: tuple[str, ...]) -> tuple[ScoreSet, PriceTable, ScoreTable]:
    """The score layers, the price table (no fallback: scores name curated models) and both
    filed together."""
    table = load_prices(fallback=False)
    found = load_scores(extra=score_files)
    return found, table, ScoreTable(found, table)


@scores.command(short_help="The benchmarks, how they compare, how many scores.")
@scores_option
@output_options(TABLE_FORMATS)
def benchmarks(score_files: tuple[str, ...], fmt: str, output: str | None) -> None:
    """The benchmarks declared, whether their values compare across dates or only within
    one leaderboard snapshot, and how many scores (and priced models) each has."""
    fmt = resolve_format(fmt, output, TABLE_FORMATS, "text")
    check_output(output, score_files)
    found, _, filed = _loaded(score_files)
    rows = []
    for name, bench in sorted(found.benchmarks.items()):
        mine = [s for s in found.scores if s.benchmark == name]
        dates = sorted(s.as_of for s in mine)
        rows.append(
            {
                "name": name,
                "unit": bench.unit,
                "scale": SCALE_WORDS.get(bench.scale, bench.scale),
                "rows": len(mine),
                "models": len(filed.models_with(name)),
                "first": dates[0] if dates else None,
                "last": dates[-1] if dates else None,
                "meaning": bench.meaning,
            }
        )
    result = Table(BENCHMARK_FIELDS, tuple(rows))
    emit(Output(data=rows, tables=[result]), fmt, output)


@scores.command(name="list", short_help="Scores of a model or a benchmark, with sources.")
@click.option("--model", "model", metavar="NAME", help="A price-table model (id or alias).")
@click.option("--benchmark", "benchmark", metavar="NAME", help="One benchmark.")
@click.option(
    "--unmatched",
    is_flag=True,
    help="Only rows naming a model the price table does not sell (nor any crosswalk entry).",
)
@scores_option
@output_options(TABLE_FORMATS)
def list_scores(
    model: str | None,
    benchmark: str | None,
    unmatched: bool,
    score_files: tuple[str, ...],
    fmt: str,
    output: str | None,
) -> None:
    """Score rows, oldest first: the value as published, its date, setting, who reported
    it, whether it was read in a primary source, and the source. With --model, every
    score that describes that priced model, including those filed under another name
    (a host's copy of open weights: 'scored as' names it)."""
    fmt = resolve_format(fmt, output, TABLE_FORMATS, "text")
    check_output(output, score_files)
    found, table, filed = _loaded(score_files)
    if benchmark is not None:
        filed.benchmark(benchmark)  # unknown: an error with the names it knows
    rows: list[dict[str, Any]] = []
    if model is not None:
        record = table.get(model)
        for name in sorted(filed.benchmarks):
            if benchmark is not None and name != benchmark:
                continue
            for row in filed.rows(record.id, name):
                rows.append(_row(record.id, row.score))
    else:
        for score in sorted(found.scores, key=lambda s: (s.as_of, s.benchmark, s.model)):
            if benchmark is not None and score.benchmark != benchmark:
                continue
            if unmatched and score.model not in filed.unmatched:
                continue
            rows.append(_row(score.model, score))
    if not rows:
        raise ScoreDataError("no scores match")
    result = Table(ROW_FIELDS, tuple(rows))
    emit(Output(data=rows, tables=[result]), fmt, output)


def _row(model: str, score: Any) -> dict[str, Any]:
    return {
        "model": model,
        "scored_as": score.model if score.model != model else "",
        "benchmark": score.benchmark,
        "value": score.value,
        "as_of": score.as_of,
        "setting": score.setting,
        "reported_by": score.reported_by,
        "verified": score.verified,
        "source": score.source,
    }


@scores.command(short_help="Check score files; report every problem.")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
def validate(files: tuple[str, ...]) -> None:
    """Check score files and report EVERY problem, each with file:line, row and field.

    Checks: malformed TOML/JSON/CSV; missing required fields; unknown fields (with a
    suggestion); values that are not numbers or are out of range; bad dates; two
    values for one published figure; a score naming a benchmark no file declares.
    Exits 1 if anything is wrong.

    \b
    Examples:
      distillcost scores validate my-scores.toml
    """
    from distillcost.capability.files import parse_score_file
    from distillcost.capability.sources import builtin_score_layers, merge_score_layers

    problems = []
    parsed = []
    for file in files:
        result = parse_score_file(file)  # a missing file, a directory, a device: named
        problems += [str(p) for p in result.problems]
        parsed.append((f"file:{file}", result))
    if not problems:
        try:  # benchmarks may be declared by the built-in files
            merge_score_layers([*builtin_score_layers(), *parsed])
        except ScoreDataError as exc:
            problems.append(str(exc))
    for problem in problems:
        click.echo(visible(problem))
    if problems:
        raise ScoreDataError(f"{len(problems)} problem{'s' if len(problems) != 1 else ''}")
    for (_, result), file in zip(parsed, files, strict=True):
        click.echo(
            f"ok: {file}: {len(result.scores)} scores, {len(result.benchmarks)} benchmarks, "
            f"{len(result.applies_to)} applies_to entries"
        )
