"""``distillcost gpus``: the GPU table (rates on a date, history), serving benchmarks, and the
training model's calibration against published runs.

Parsing and printing only; the data and the model are in :mod:`distillcost.compute`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

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
from distillcost.cli.paths import input_file
from distillcost.compute.declarations import DEFAULT_OFFERING, OFFERINGS
from distillcost.errors import DistillcostError
from distillcost.present import Column, Table

FORMATS = TABLE_FORMATS


def _table(price_files: tuple[str, ...]) -> Any:
    from distillcost.prices import load_prices

    return load_prices(extra=price_files)


def _day(value: Any) -> date:
    return value.date() if value is not None else date.today()


PRICE_FILES = click.option(
    "--prices",
    "price_files",
    multiple=True,
    type=input_file(),
    help="Extra GPU or price table file (repeatable; wins over the built-in tables).",
)
AS_OF = click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="The date the rates are taken on (default: today).",
)


@click.group()
def gpus() -> None:
    """GPU rental rates, serving benchmarks and the training model's calibration.

    \b
    Examples:
      distillcost gpus list --as-of 2023-06-01            # the rate of each GPU that day
      distillcost gpus show h100 --format csv             # every dated rate, with sources
      distillcost gpus serving --as-of 2026-06-01 --gpu h100-sxm
      distillcost gpus calibration                        # published runs beside the model
    """


LIST_COLUMNS = (
    Column("gpu", "GPU"),
    Column("peak_tflops", "peak TFLOP/s", "number"),
    Column("memory_gb", "memory (GB)", "number"),
    Column("usd", "$/GPU-hour", "price"),
    Column("rate", "rate used"),
    Column("providers", "providers", "number"),
    Column("low", "lowest", "price"),
    Column("high", "highest", "price"),
)


@gpus.command("list")
@AS_OF
@click.option(
    "--offering",
    type=click.Choice(OFFERINGS),
    default=DEFAULT_OFFERING,
    show_default=True,
    help="How the GPU-hours are rented.",
)
@PRICE_FILES
@output_options(FORMATS)
def list_gpus(
    as_of: Any, offering: str, price_files: tuple[str, ...], fmt: str, output: str | None
) -> None:
    """Every GPU with the rate a campaign on the date pays (the median provider's).

    \b
    Examples:
      distillcost gpus list --as-of 2023-09-01
      distillcost gpus list --offering spot --format csv -o spot.csv
    """
    fmt = resolve_format(fmt, output, FORMATS, "text")
    check_output(output, price_files)
    day = _day(as_of)
    compute = _table(price_files).compute
    rows = []
    for gpu in compute:
        row: dict[str, Any] = {
            "gpu": gpu.id,
            "peak_tflops": gpu.peak_tflops,
            "memory_gb": gpu.memory_gb,
        }
        try:
            rate = compute.rate_on(gpu, day, offering)
            prices = [p.usd_per_gpu_hour for p in rate.considered]
            row |= {
                "usd": rate.usd,
                "rate": rate.price.describe(),
                "providers": len(prices),
                "low": min(prices),
                "high": max(prices),
                "source": rate.source,
            }
        except DistillcostError:
            row["rate"] = f"no {offering} rate on {day.isoformat()}"
        rows.append(row)
    table = Table(LIST_COLUMNS, tuple(rows), title=f"GPU {offering} rates on {day.isoformat()}")
    data = {"as_of": day, "offering": offering, "gpus": rows}
    emit(Output(data=data, tables=[table]), fmt, output)


SHOW_COLUMNS = (
    Column("effective_from", "from", "date"),
    Column("offering", "offering"),
    Column("provider", "provider"),
    Column("usd_per_gpu_hour", "$/GPU-hour", "price"),
    Column("instance", "instance"),
    Column("verified", "verified"),
    Column("derived_from", "derived from"),
    Column("source", "source"),
)


@gpus.command("show")
@click.argument("name")
@PRICE_FILES
@output_options(FORMATS)
def show_gpu(name: str, price_files: tuple[str, ...], fmt: str, output: str | None) -> None:
    """One GPU: its peak and every dated rate in the table, with sources.

    \b
    Examples:
      distillcost gpus show a100-80gb
      distillcost gpus show h100 --format json
    """
    fmt = resolve_format(fmt, output, FORMATS, "text")
    check_output(output, price_files)
    gpu = _table(price_files).compute.gpu(name)
    rows = tuple(p.to_dict() for p in gpu.prices)
    peak = f"{gpu.peak_tflops} dense BF16 TFLOP/s" if gpu.peak_tflops else "peak not known"
    title = f"{gpu.id} ({gpu.name}): {peak}; {gpu.tflops_source or gpu.notes}"
    emit(Output(data=gpu.to_dict(), tables=[Table(SHOW_COLUMNS, rows, title=title)]), fmt, output)


SERVING_COLUMNS = (
    Column("teacher", "teacher (self-hosted:…)"),
    Column("model", "model"),
    Column("gpu", "GPU"),
    Column("engine", "engine"),
    Column("output_tps", "output tok/s/GPU", "number"),
    Column("measured_on", "measured", "date"),
    Column("output_per_1m", "$ per 1M output", "rate"),
    Column("rate", "GPU rate"),
)


@gpus.command("serving")
@AS_OF
@click.option("--gpu", "gpu", metavar="GPU", help="Only benchmarks on this GPU.")
@PRICE_FILES
@output_options(FORMATS)
def serving(
    as_of: Any, gpu: str | None, price_files: tuple[str, ...], fmt: str, output: str | None
) -> None:
    """Serving benchmarks: what an open-weight teacher costs per 1M output tokens on the date.

    Each is a teacher for estimate/compare: -m self-hosted:ID.

    \b
    Examples:
      distillcost gpus serving --as-of 2026-06-01
      distillcost gpus serving --gpu h100-sxm --format csv
    """
    from distillcost.compute.serving import per_million

    fmt = resolve_format(fmt, output, FORMATS, "text")
    check_output(output, price_files)
    day = _day(as_of)
    compute = _table(price_files).compute
    wanted = compute.gpu(gpu).id if gpu else None
    rows = []
    for bench in compute.benchmarks():
        if wanted and compute.gpu(bench.gpu).id != wanted:
            continue
        row: dict[str, Any] = {
            "teacher": f"self-hosted:{bench.id}",
            "model": bench.model,
            "gpu": bench.gpu,
            "engine": bench.engine,
            "output_tps": bench.output_tokens_per_s_per_gpu,
            "measured_on": bench.measured_on,
            "source": bench.source,
        }
        if bench.measured_on > day:
            row["rate"] = "measured later"
        else:
            try:
                rate = compute.rate_on(bench.gpu, day)
                row["output_per_1m"] = per_million(rate.usd, bench.output_tokens_per_s_per_gpu)
                row["rate"] = f"{present.price(rate.usd)} ({rate.price.describe()})"
            except DistillcostError:
                row["rate"] = f"no rate on {day.isoformat()}"
        rows.append(row)
    table = Table(SERVING_COLUMNS, tuple(rows), title=f"Self-hosted teachers on {day.isoformat()}")
    emit(Output(data={"as_of": day, "benchmarks": rows}, tables=[table]), fmt, output)


@gpus.command("calibration")
@output_options(FORMATS)
def calibration(fmt: str, output: str | None) -> None:
    """The student's training model beside every published run it is checked against.

    The calibration runs fit the defaults; held-out runs are predicted from their published
    parameters only. --format md writes docs/calibration.md (the whole page).

    \b
    Examples:
      distillcost gpus calibration
      distillcost gpus calibration --format md -o docs/calibration.md
    """
    from distillcost.compute.calibration import calibration_report, generation_checks, markdown

    fmt = resolve_format(fmt, output, FORMATS, "text")
    check_output(output)
    report = calibration_report()
    checks = generation_checks()
    table = report.table()
    data = {
        "calibration": {
            "full": report.calibration.full,
            "adapter": report.calibration.adapter,
            "half_tokens": report.calibration.half_tokens,
            "offload": report.calibration.offload,
        },
        "runs": [r.record() for r in report.rows],
        "summary": report.summary(),
        "generation": [
            {"run": c.run.id, "model_gpu_hours": c.gpu_hours, "published": c.run.gpu_hours}
            for c in checks
        ],
    }
    out = Output(
        data=data,
        tables=[table],
        notes=[report.summary()],
        custom={"md": lambda: markdown(report, checks)},
    )
    emit(out, fmt, output)
