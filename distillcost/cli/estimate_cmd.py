"""``distillcost estimate``: one campaign, priced and timed, every assumption shown."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
from distillcost.cli.scenario_options import (
    ScenarioCommand,
    pipeline_from_options,
    scenario_from_options,
    scenario_inputs,
    scenario_options,
)
from distillcost.present import Column, Table

if TYPE_CHECKING:
    from distillcost.estimator import Estimate
    from distillcost.estimator.pipeline import PipelineEstimate
    from distillcost.prices import PriceTable
    from distillcost.scenario.pipeline import Pipeline

FORMATS = TABLE_FORMATS


@click.command(name="estimate", cls=ScenarioCommand)
@scenario_options
@output_options(FORMATS)
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
    [limits], [student] and [serving] sections where grouped below;
    examples/template.toml shows them all) and/or flags; flags win. A file
    with [[stages]] is a pipeline (examples/self-instruct-pipeline.toml): its
    stages are priced one after another and summed. A teacher named
    self-hosted:BENCHMARK is an open-weight model on rented GPUs
    (`distillcost gpus serving`). Any
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
      distillcost estimate --model o3 --examples 50k --prompt-tokens 200 \\
          --completion-tokens 400 --reasoning-effort high --tier openai:3
      distillcost estimate -m claude-sonnet-4-5 --chat-file chats.jsonl --batch \\
          --tier anthropic:build  # the file's conversations, priced per turn
      distillcost estimate examples/self-instruct-pipeline.toml
      distillcost estimate examples/cosmopedia.toml --serving-gpus 64

    \b
    Reasoning teachers are priced with hidden reasoning from their profile
    (pricing/reasoning.toml: an assumption, said in the output); a usage tier
    fills the limits you do not give with the provider's published ones. With
    a chat, instruction or prompt file and no volume, the file's records are
    the volume.
    """
    from distillcost.estimator import estimate as run_estimate

    fmt = resolve_format(fmt, output, FORMATS, "text")
    check_output(output, scenario_inputs(scenario_path, options))  # before measuring any file
    staged = pipeline_from_options(scenario_path, options)
    if staged is not None:
        emit(pipeline_output(*staged, explain), fmt, output)
        return
    scenario, table = scenario_from_options(scenario_path, options)
    result = run_estimate(scenario, table)
    out = Output(
        data=result.to_dict(),  # always holds the worked steps
        tables=[csv_table(result)],
        custom={
            "text": lambda: text_report(result) + (explain_text(result) if explain else ""),
            "md": lambda: markdown(result, explain),
            "xlsx": lambda: estimate_workbook(result),
        },
    )
    emit(out, fmt, output)


def pipeline_output(pipeline: Pipeline, table: PriceTable, explain: bool) -> Output:
    """A pipeline's estimate: its stages, then the whole as one breakdown."""
    from distillcost.estimator.pipeline import estimate_pipeline

    result = estimate_pipeline(pipeline, table)
    return Output(
        data=result.to_dict(),
        tables=[result.stage_table(), csv_table(result)],
        custom={
            "text": lambda: pipeline_text(result) + (explain_text(result) if explain else ""),
            "md": lambda: markdown(result, explain),
        },
    )


def pipeline_text(result: PipelineEstimate) -> str:
    """Stages one by one (each priced as the scenario it is), then the sum."""
    from distillcost.cli.analysis_cmd import clean

    pipeline = result.pipeline
    lines: list[str] = []
    title = pipeline.name if pipeline is not None else ""
    if title:
        lines += [title, "=" * len(title)]
    table = result.stage_table()
    cells = table.cells(present.DASH)
    foot = [c.cell(table.foot.get(c.key)) if table.foot else "" for c in table.columns]
    lines.append(f"{len(result.stages)} stages, run one after another\n")
    lines.append(present.text_table(table.header, [*cells, foot], table.align, clean=clean))
    groups: dict[tuple[str, str, str], list[str]] = {}
    for stage in result.stages:
        e = stage.estimate
        p = e.price
        key = (
            f"{e.teacher} ({e.provider}) as of {e.as_of.isoformat()}: input "
            f"{present.price(p.input)} / output {present.price(p.output)} per 1M "
            f"({present.since(p.effective_from)})",
            p.source,
            "",
        )
        groups.setdefault(key, []).append(stage.name)
    for (price, source, _), names in groups.items():
        lines.append(f"  {', '.join(names)}: {price}")
        lines.append(f"    source: {source}")
    lines.append("")
    lines.append(f"{'Cost by kind':<22}{'tokens':>16}{'USD':>16}")
    for row in result.cost_table().rows:
        if row["usd"] == 0 and not row["tokens"]:
            continue
        count = "" if row["tokens"] is None else present.tokens(row["tokens"])
        lines.append(f"  {row['label']:<20}{count:>16}{present.money(row['usd']):>16}")
    lines.append(f"  {'TOTAL':<20}{'':>16}{present.money(result.total_usd):>16}")
    if result.low_usd != result.high_usd:
        span = f"{present.money(result.low_usd)} – {present.money(result.high_usd)}"
        lines.append(f"  {'range (low–high)':<20}{span:>32}")
    if result.wall_clock_seconds is not None:
        lines.append(
            f"\nWall clock: {present.duration(result.wall_clock_seconds)} (stages in sequence)"
        )
    lines.append(f"\nStudent (on the last stage's dataset): {_student_line(result)}")
    if result.notes:
        lines.append("\nNotes")
        lines.extend(f"  - {note}" for note in result.notes)
    return "\n".join(lines) + "\n"


def estimate_workbook(result: Estimate) -> bytes:
    from distillcost.workbook.campaign import estimate_workbook as build

    return build(result)


def explain_text(result: Estimate) -> str:
    """The formulas, then the base case worked through them."""
    from distillcost.estimator import METHOD

    worked = "\n".join("  " + line for line in result.worked())
    return f"\n{METHOD.rstrip()}\n\nWorked (base case)\n{worked}\n"


def markdown(result: Estimate, explain: bool) -> str:
    """The report's Markdown (one writer for an estimate in Markdown, whatever the command)."""
    from distillcost.report import ReportData, render_report

    return render_report(ReportData(result), "md").text


def _student_line(result: Estimate) -> str:
    st = result.student
    method = st.get("method", "none")
    if method == "none":
        return "none (add [student] to the scenario, or --student-parameters/--gpu-hours)"
    if method == "fine-tune":
        return (
            f"fine-tune {st['model']}: {present.tokens(st['training_tokens'])} training tokens × "
            f"{present.price(st['training_price'])}/1M = {present.money(result.student_usd)}"
        )
    text = (
        f"{present.number(st['gpu_hours'], 1)} GPU-hours × {present.price(st['usd_per_gpu_hour'])}"
        f" = {present.money(result.student_usd)}; wall clock "
        f"{present.duration(st['wall_clock_hours'] * 3600)} on {st['gpu_count']} GPU(s)"
    )
    lines = [text]
    if method == "gpu":
        lines.append(
            f"  training model: {st['finetune']} fine-tune on {st.get('gpu', 'the GPU')} "
            f"({present.exact(st['peak_tflops'])} TFLOP/s), padding {st['padding']} "
            f"(micro-batch {st['micro_batch']}), recompute {'on' if st['recompute'] else 'off'},"
            f" offload {'on' if st['offload'] else 'off'}: "
            f"{present.tokens(st['processed_tokens'])} tokens processed × "
            f"{float(st['flops_per_token']):.3g} FLOPs each at utilisation "
            f"{present.exact(st['utilisation'])}"
        )
        lines.append(f"  utilisation {st['utilisation_source']}")
        if st.get("defaults"):
            lines.append(f"  defaults used: {', '.join(st['defaults'])} (see [student] in --help)")
    lines.append(f"  GPU rate: {st.get('rate_source', 'given')}")
    if st.get("rate_url"):
        lines.append(f"  rate source: {st['rate_url']}")
    return "\n".join(lines)


def _serving_lines(result: Estimate) -> list[str]:
    sv = result.serving
    if not sv:
        return []
    return [
        "",
        f"Self-hosted teacher: {sv['model']} on {sv['gpu']} ({sv['engine']}), "
        f"{present.number(sv['output_tokens_per_s_per_gpu'])} output tokens/s per GPU",
        f"  {present.number(sv['gpu_hours'], 1)} GPU-hours on {sv['gpus']} GPU(s) at "
        f"{present.price(sv['usd_per_gpu_hour'])}/GPU-hour + set-up {sv['setup_hours']} h × "
        f"{sv['gpus']} GPU(s) = {present.money(sv['setup_usd'])}",
        f"  GPU rate: {sv['rate_source']}",
        f"  throughput source: {sv['benchmark_source']}",
    ]


def text_report(result: Estimate) -> str:
    """The breakdown for a terminal: price, volume, cost by kind, time, student, assumptions."""
    sc = result.scenario
    p = result.price
    lines: list[str] = []
    add = lines.append
    if sc.name:
        add(sc.name)
        add("=" * len(sc.name))
    add(f"Teacher: {result.teacher} ({result.provider}), prices as of {result.as_of.isoformat()}")
    price_bits = [f"input {present.price(p.input)}", f"output {present.price(p.output)}"]
    if p.cached_input is not None:
        price_bits.append(f"cached {present.price(p.cached_input)}")
    if sc.batch and p.has_batch:
        price_bits.append(f"batch {present.price(p.batch_input)}/{present.price(p.batch_output)}")
    add(
        f"  price {present.since(p.effective_from)}: {', '.join(price_bits)} per 1M "
        f"tokens ({'verified' if p.verified else 'UNVERIFIED'})"
    )
    if p.source:
        add(f"  source: {p.source}")
    reasoning = result.reasoning
    if reasoning is not None and (reasoning.reasons or reasoning.basis == "given"):
        add(f"  {reasoning.text}")
    availability = result.availability
    if availability is not None and availability.kind != "ga":
        add(f"  status: {availability.kind} (rate-capped test release)")
    if availability is not None and availability.retires is not None:
        add(f"  retires: {availability.retires.isoformat()}")
    add("")
    add("Volume")
    for label, value in (
        ("accepted examples", result.accepted_examples),
        ("generated examples", result.generated_examples),
        ("requests", result.requests),
        ("dataset tokens", result.dataset_tokens),
    ):
        add(f"  {label:<20}{present.tokens(value):>16}")
    add("")
    add(f"{'Cost by kind':<22}{'tokens':>16}{'USD':>16}")
    for row in result.cost_table().rows:
        if row["usd"] == 0 and not row["tokens"]:
            continue
        count = "" if row["tokens"] is None else present.tokens(row["tokens"])
        add(f"  {row['label']:<20}{count:>16}{present.money(row['usd']):>16}")
    add(f"  {'API':<20}{'':>16}{present.money(result.api_usd):>16}")
    add(f"  {'TOTAL':<20}{'':>16}{present.money(result.total_usd):>16}")
    if result.low_usd != result.high_usd:
        span = f"{present.money(result.low_usd)} – {present.money(result.high_usd)}"
        add(f"  {'range (low–high)':<20}{span:>32}")
    if result.usd_per_1m_dataset_tokens is not None:
        add(
            f"  {'$ per 1M dataset tokens':<24}{present.rate(result.usd_per_1m_dataset_tokens):>28}"
        )
    add("")
    limits = result.limits_preset
    add("Time" + (f" (usage tier {limits.tier})" if limits else ""))
    if limits is not None:
        add(f"  {limits.text()}")
        add(f"  source: {limits.source}")
    if result.wall_clock_seconds is None and result.scenario.tier and limits is None:
        add(
            f"  no limits: --tier {','.join(result.scenario.tier)} was given, but it publishes "
            f"no limits for {result.model.id} on {present.day(result.as_of)} (see Notes); "
            "give [limits] rpm/tpm/tpd, or concurrency and latency_seconds"
        )
    elif result.wall_clock_seconds is None:
        add(
            "  no limits given (--tier PROVIDER:TIER for a provider's published limits, or "
            "[limits] rpm/tpm/tpd, or concurrency and latency_seconds)"
        )
    else:
        add(
            f"  wall clock {present.duration(result.wall_clock_seconds)} "
            f"(binding limit: {result.binding_limit})"
        )
        for name, seconds in result.time.items():
            add(f"    {name:<12} {present.duration(seconds)}")
    lines.extend(_serving_lines(result))
    add("")
    add(f"Student: {_student_line(result)}")
    if result.sensitivity:
        add("")
        add("Sensitivity (total with one assumption at each end, others at base)")
        for s in result.sensitivity:
            add(
                f"  {s.parameter:<22} {present.exact(s.low_value):>10} → "
                f"{present.money(s.low_usd):>14}   {present.exact(s.high_value):>10} → "
                f"{present.money(s.high_usd):>14}   swing {present.money(s.swing_usd)}"
            )
    add("")
    add("Assumptions (origin)")
    for row in result.assumptions():
        shown = present.span(row["value"], row["low"], row["high"], "assumption")
        add(f"  {row['name']:<24} {shown:<30} {row['origin']}")
    above = {result.reasoning.text if result.reasoning else "", limits.text() if limits else ""}
    notes = [note for note in result.notes if note not in above]  # said above already
    if notes:
        add("")
        add("Notes")
        for note in notes:
            add(f"  - {note}")
    return "\n".join(lines) + "\n"


CSV_FIELDS: tuple[Column, ...] = (
    Column("teacher", "teacher"),
    Column("as_of", "as_of", "date"),
    Column("row", "row"),
    Column("kind", "kind"),
    Column("tokens", "tokens", "tokens"),
    Column("rate_usd_per_1m", "rate_usd_per_1m", "rate"),
    Column("cost_usd", "cost_usd", "money"),
    Column("total_usd", "total_usd", "money"),
)


def csv_table(result: Estimate) -> Table:
    """Cost rows (their ``cost_usd`` sums to the total), then the totals in their own column."""
    from distillcost.cli.output import MONEY_PLACES

    rows: list[dict[str, Any]] = []
    base = {"teacher": result.teacher, "as_of": result.as_of}
    cost_rows = result.cost_table().rows
    # at the CSV's precision, rounded so that SUM(cost_usd) shows total_usd exactly
    costs = present.apportion([r["usd"] for r in cost_rows], result.total_usd, MONEY_PLACES)
    for row, cost in zip(cost_rows, costs, strict=True):
        rows.append(
            {**base, "row": "cost", "kind": row["kind"], "tokens": row["tokens"],
             "rate_usd_per_1m": row["rate"], "cost_usd": cost}
        )  # fmt: skip
    for kind, value in (
        ("api", result.api_usd),
        ("total", result.total_usd),
        ("low", result.low_usd),
        ("high", result.high_usd),
    ):
        rows.append({**base, "row": "total", "kind": kind, "total_usd": value})
    return Table(CSV_FIELDS, tuple(rows))
