"""``distillcost estimate``: one campaign, priced and timed, every assumption shown."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import TYPE_CHECKING, Any

import click

from distillcost.cli.scenario_options import (
    ScenarioCommand,
    scenario_from_options,
    scenario_options,
)
from distillcost.export import visible

if TYPE_CHECKING:
    from distillcost.estimator import Estimate

FORMATS = ("text", "json", "csv", "md")

KIND_LABELS: dict[str, str] = {
    "input_uncached": "input (uncached)",
    "input_cached": "input (cache reads)",
    "cache_write": "cache writes",
    "output": "output",
    "reasoning": "reasoning (hidden)",
    "per_request": "per-request fees",
    "student_training": "student training",
}


@click.command(name="estimate", cls=ScenarioCommand)
@scenario_options
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Readable breakdown, one JSON object, cost rows as CSV, or Markdown "
    "(default: from the -o file's extension, else text).",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE (atomic).")
@click.option(
    "--explain",
    is_flag=True,
    help="Add the formulas and the base case worked through them, step by step.",
)
def estimate(
    scenario_path: str | None, fmt: str | None, output: str | None, explain: bool, **options: Any
) -> None:
    """Cost and time of one distillation campaign.

    Give a SCENARIO file (TOML: its keys are these flags with underscores, in
    [limits] and [student] sections where grouped below; examples/template.toml
    shows them all) and/or flags; flags win. Any
    NUM may be a range LOW..BASE..HIGH (or LOW..HIGH): the estimate then
    reports low, base and high totals and which assumption moves the total
    most. Numbers accept k/M/B suffixes (52k, 1M, 1B).

    \b
    Volume (exactly one): --examples (accepted), --output-tokens (kept
    completion tokens), --dataset-tokens (kept prompt + completion tokens),
    --requests (successful requests).

    \b
    Examples:
      distillcost estimate examples/alpaca.toml
      distillcost estimate examples/gpt4all.toml --format json
      distillcost estimate examples/alpaca.toml --explain     # formulas, worked
      distillcost estimate -m gpt-4o-mini --examples 100k \\
          --prompt-tokens 300 --completion-tokens 300..500..800 \\
          --acceptance-rate 0.6..0.8..0.9 --batch --rpm 500 --tpm 2M
      distillcost estimate examples/essay.toml --as-of 2024-08-01 -m gpt-4o-mini
    """
    from distillcost.cli import check_output
    from distillcost.estimator import estimate as run_estimate

    check_output(output)  # before measuring any --chat-file
    if fmt is None:
        suffix = output.rsplit(".", 1)[-1].lower() if output and "." in output else ""
        fmt = {"json": "json", "csv": "csv", "md": "md", "markdown": "md"}.get(suffix, "text")
    scenario, table = scenario_from_options(scenario_path, options)
    result = run_estimate(scenario, table)
    text = render(result, fmt, explain=explain)
    if output:
        from distillcost.export import atomic_write

        atomic_write(output, text)
        click.echo(f"Wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


def render(result: Estimate, fmt: str, explain: bool = False) -> str:
    if fmt == "json":
        from distillcost.export import json_text

        return json_text(result.to_dict())  # always holds "worked"
    if fmt == "csv":
        return csv_rows(result)
    if fmt == "md":
        text = markdown(result)
        if explain:
            text += "\n## Method\n\n```\n" + _method_text(result) + "```\n"
        return visible(text)
    text = text_report(result)
    if explain:
        text += "\n" + _method_text(result)
    return visible(text)


def _method_text(result: Estimate) -> str:
    from distillcost.estimator import METHOD

    worked = "\n".join("  " + line for line in result.worked())
    return f"{METHOD.rstrip()}\n\nWorked (base case)\n{worked}\n"


# -- formatting helpers -----------------------------------------------------------


def usd(value: Decimal | None) -> str:
    """Dollars for display: cents, or 4 significant digits below a dollar."""
    if value is None:
        return "n/a"
    if value != 0 and abs(value) < 1:
        with localcontext() as context:  # half up, as cents are (the format's own is half-even)
            context.rounding = ROUND_HALF_UP
            if abs(value) >= Decimal("0.0001"):
                return f"${value:.4g}"
            return "$" + f"{value:.10f}".rstrip("0")
    with localcontext() as context:  # room for every digit of absurdly large totals
        context.prec = max(28, value.adjusted() + 5)
        cents = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"${cents:,.2f}"


def num(value: Decimal | int | None) -> str:
    if value is None:
        return "n/a"
    value = Decimal(value)
    with localcontext() as context:
        context.prec = max(28, value.adjusted() + 3)
        rounded = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{rounded:,}"


def plain(value: Any) -> str:
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return ", ".join(plain(v) for v in value)
    return str(value)


def duration(seconds: Decimal | None) -> str:
    if seconds is None:
        return "n/a"
    s = float(seconds)
    if s < 120:
        return f"{s:.0f} s"
    if s < 2 * 3600:
        return f"{s / 60:.1f} min"
    if s < 2 * 86400:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.1f} days"


def _assumption_value(row: dict[str, Any]) -> str:
    if row["low"] is not None and (row["low"] != row["value"] or row["high"] != row["value"]):
        return f"{plain(row['value'])} ({plain(row['low'])}..{plain(row['high'])})"
    return plain(row["value"])


def _student_line(result: Estimate) -> str:
    st = result.student
    method = st.get("method", "none")
    if method == "none":
        return "none (add [student] to the scenario, or --student-parameters/--gpu-hours)"
    if method == "fine-tune":
        return (
            f"fine-tune {st['model']}: {num(st['training_tokens'])} training tokens × "
            f"${plain(st['training_price'])}/1M = {usd(result.student_usd)}"
        )
    hours = st["gpu_hours"]
    text = f"{plain(hours.quantize(Decimal('0.1')))} GPU-hours × ${plain(st['usd_per_gpu_hour'])}"
    if method == "gpu":
        text = (
            f"6·N·D = {float(st['flops']):.3g} FLOPs on {st.get('gpu', 'GPU')} "
            f"({plain(st['peak_tflops'])} TFLOP/s × {plain(st['utilisation'])} utilisation) = "
            + text
        )
    return f"{text} = {usd(result.student_usd)}"


def text_report(result: Estimate) -> str:
    sc = result.scenario
    p = result.price
    lines: list[str] = []
    add = lines.append
    if sc.name:
        add(sc.name)
        add("=" * len(sc.name))
    add(f"Teacher: {result.teacher} ({result.provider}), prices as of {result.as_of.isoformat()}")
    price_bits = [f"input ${plain(p.input)}", f"output ${plain(p.output)}"]
    if p.cached_input is not None:
        price_bits.append(f"cached ${plain(p.cached_input)}")
    if sc.batch and p.has_batch:
        price_bits.append(f"batch ${plain(p.batch_input)}/${plain(p.batch_output)}")
    add(
        f"  price in force from {p.effective_from.isoformat()}: {', '.join(price_bits)} per 1M "
        f"tokens ({'verified' if p.verified else 'UNVERIFIED'})"
    )
    if p.source:
        add(f"  source: {p.source}")
    add("")
    add("Volume")
    add(f"  accepted examples   {num(result.accepted_examples):>16}")
    add(f"  generated examples  {num(result.generated_examples):>16}")
    add(f"  requests            {num(result.requests):>16}")
    add(f"  dataset tokens      {num(result.dataset_tokens):>16}")
    add("")
    add(f"{'Cost by kind':<22}{'tokens':>16}{'USD':>16}")
    for kind, label in KIND_LABELS.items():
        cost = result.costs[kind]
        tokens = result.tokens.get(kind)
        if cost == 0 and not tokens:
            continue
        add(f"  {label:<20}{num(tokens) if tokens is not None else '':>16}{usd(cost):>16}")
    add(f"  {'API':<20}{'':>16}{usd(result.api_usd):>16}")
    add(f"  {'TOTAL':<20}{'':>16}{usd(result.total_usd):>16}")
    if result.low_usd != result.high_usd:
        add(f"  {'range (low–high)':<20}{usd(result.low_usd) + ' – ' + usd(result.high_usd):>32}")
    if result.usd_per_1m_dataset_tokens is not None:
        add(f"  {'$ per 1M dataset tokens':<24}{usd(result.usd_per_1m_dataset_tokens):>28}")
    add("")
    add("Time")
    if result.wall_clock_seconds is None:
        add("  no limits given (add [limits] rpm/tpm/tpd, or concurrency and latency_seconds)")
    else:
        add(
            f"  wall clock {duration(result.wall_clock_seconds)} "
            f"(binding limit: {result.binding_limit})"
        )
        for name, seconds in result.time.items():
            add(f"    {name:<12} {duration(seconds)}")
    add("")
    add(f"Student: {_student_line(result)}")
    if result.sensitivity:
        add("")
        add("Sensitivity (total with one assumption at each end, others at base)")
        for s in result.sensitivity:
            add(
                f"  {s.parameter:<22} {plain(s.low_value):>10} → {usd(s.low_usd):>14}   "
                f"{plain(s.high_value):>10} → {usd(s.high_usd):>14}   swing {usd(s.swing_usd)}"
            )
    add("")
    add("Assumptions (origin)")
    for row in result.assumptions():
        add(f"  {row['name']:<24} {_assumption_value(row):<30} {row['origin']}")
    if result.notes:
        add("")
        add("Notes")
        for note in result.notes:
            add(f"  - {note}")
    return "\n".join(lines) + "\n"


def _md_cell(value: Any) -> str:
    """Text inert in Markdown (cells, headings, links, images, HTML), as in reports.

    Escaping only HTML and pipes left ``![x](http://…)`` in a scenario name as an
    image fetched from anywhere when the Markdown was rendered.
    """
    from distillcost.render import md

    return md(plain(value))


def markdown(result: Estimate) -> str:
    sc = result.scenario
    out: list[str] = []
    add = out.append
    add(f"# {_md_cell(sc.name or 'Distillation campaign')}")
    add("")
    add(
        f"Teacher **{_md_cell(result.teacher)}** ({_md_cell(result.provider)}), prices as of "
        f"{result.as_of.isoformat()} (entry from {result.price.effective_from.isoformat()}; "
        f"source: {_md_cell(result.price.source)})."
    )
    add("")
    total = f"**Total: {usd(result.total_usd)}**"
    if result.low_usd != result.high_usd:  # same line: pasted as text, no stray break
        total += f" (low {usd(result.low_usd)}, high {usd(result.high_usd)})"
    add(total)
    add("")
    add("| Kind | Tokens | USD |")
    add("|---|---:|---:|")
    for kind, label in KIND_LABELS.items():
        tokens = result.tokens.get(kind)
        add(
            f"| {label} | {num(tokens) if tokens is not None else ''} | {usd(result.costs[kind])} |"
        )
    add(f"| **total** | | **{usd(result.total_usd)}** |")
    add("")
    add("| Quantity | Value |")
    add("|---|---:|")
    add(f"| requests | {num(result.requests)} |")
    add(f"| generated examples | {num(result.generated_examples)} |")
    add(f"| accepted examples | {num(result.accepted_examples)} |")
    add(f"| dataset tokens | {num(result.dataset_tokens)} |")
    add(f"| $ per 1M dataset tokens | {usd(result.usd_per_1m_dataset_tokens)} |")
    add(f"| wall clock | {duration(result.wall_clock_seconds)} ({result.binding_limit}) |")
    add(f"| student | {_md_cell(_student_line(result))} |")
    if result.sensitivity:
        add("")
        add("| Assumption | Low | Total at low | High | Total at high | Swing |")
        add("|---|---:|---:|---:|---:|---:|")
        for s in result.sensitivity:
            add(
                f"| {s.parameter} | {plain(s.low_value)} | {usd(s.low_usd)} | "
                f"{plain(s.high_value)} | {usd(s.high_usd)} | {usd(s.swing_usd)} |"
            )
    add("")
    add("| Assumption | Value | Origin |")
    add("|---|---|---|")
    for row in result.assumptions():
        add(f"| {row['name']} | {_md_cell(_assumption_value(row))} | {row['origin']} |")
    if result.notes:
        add("")
        for note in result.notes:
            add(f"- {_md_cell(note)}")
    return "\n".join(out) + "\n"


def csv_rows(result: Estimate) -> str:
    """One row per cost kind, then the totals; numbers stay numbers."""
    from distillcost.export import csv_text

    rows: list[list[Any]] = []
    for kind in KIND_LABELS:
        rows.append(
            [result.teacher, result.as_of, kind, result.tokens.get(kind), result.costs[kind]]
        )
    rows.append([result.teacher, result.as_of, "api", None, result.api_usd])
    rows.append([result.teacher, result.as_of, "total", None, result.total_usd])
    rows.append([result.teacher, result.as_of, "low", None, result.low_usd])
    rows.append([result.teacher, result.as_of, "high", None, result.high_usd])
    return csv_text(rows, header=["teacher", "as_of", "kind", "tokens", "usd"])
