"""The published runs the training model is checked against: the fit, the table, the spread.

``distillcost/data/published_runs.toml`` holds fine-tunes with their published size, data,
epochs, GPUs and GPU-hours, and the settings read from their code. Runs marked
``calibration`` fit :data:`~distillcost.compute.training.CALIBRATED` (:func:`fit`); the
others are *held out*: predicted from their published parameters only and compared with
their published GPU-hours (and costs, at the table's rate for their published offering
and provider on their date, never a rate implied by their own cost).

A published figure that would need more than :data:`MAX_PLAUSIBLE_UTILISATION` of the
GPU's dense peak with the run's own published settings is physically implausible (the
best published LLM training reaches ~0.46–0.58 of peak: PaLM's MFU/HFU) and is shown but
neither fitted nor checked.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from distillcost import present
from distillcost.compute.table import ComputeTable
from distillcost.compute.training import (
    CALIBRATED,
    Calibration,
    TrainingPlan,
    TrainingTime,
    regime,
    training_time,
)
from distillcost.errors import DistillcostError
from distillcost.present import Column, Table

MAX_PLAUSIBLE_UTILISATION = Decimal("0.6")
TOLERANCE = Decimal(2)
"""Held-out runs must land within this factor of their published GPU-hours."""
ROLES = ("calibration", "held-out", "not expressible")


@dataclass(frozen=True)
class PublishedRun:
    """One published fine-tune (see the data file's header for each field)."""

    id: str
    model: str
    role: str
    date: date
    source: str
    reason: str = ""
    parameters_b: Decimal | None = None
    finetune: str = "full"
    examples: Decimal | None = None
    epochs: Decimal = Decimal(1)
    tokens_per_example: Decimal | None = None
    tokens_basis: str = ""
    sequence_length: Decimal | None = None
    padding: str = "longest"
    micro_batch: Decimal = Decimal(1)
    recompute: bool = False
    offload: bool = False
    settings: str = ""
    gpu: str = ""
    gpu_count: Decimal = Decimal(1)
    gpu_hours: Decimal | None = None
    published_cost_usd: Decimal | None = None
    cost_qualifier: str = ""
    cost_offering: str = "on-demand"
    cost_provider: str | None = None

    @property
    def expressible(self) -> bool:
        return self.role != "not expressible"

    def plan(self, compute: ComputeTable) -> TrainingPlan:
        """The run as the model's input: published parameters only (no hours, no rates)."""
        assert self.parameters_b is not None and self.examples is not None
        assert self.tokens_per_example is not None
        peak = compute.gpu(self.gpu).peak_tflops
        if peak is None:
            raise DistillcostError(f"{self.id}: {self.gpu} has no peak TFLOP/s in the table")
        return TrainingPlan(
            parameters=self.parameters_b * 10**9,
            examples=self.examples,
            tokens=self.examples * self.tokens_per_example,
            epochs=self.epochs,
            peak_tflops=peak,
            finetune=self.finetune,
            padding=self.padding,
            sequence_length=self.sequence_length,
            micro_batch=self.micro_batch,
            recompute=self.recompute,
            offload=self.offload,
            gpu_count=self.gpu_count,
        )


@dataclass(frozen=True)
class GenerationRun:
    """A published campaign that ran an open-weight teacher on rented GPUs."""

    id: str
    model: str
    benchmark: str
    output_tokens: Decimal
    gpu: str
    gpu_hours: Decimal
    gpu_hours_qualifier: str
    date: date
    source: str


def _load() -> dict[str, Any]:
    from importlib import resources

    text = resources.files("distillcost.data").joinpath("published_runs.toml").read_text("utf-8")
    return tomllib.loads(text, parse_float=Decimal)


def _decimal(value: Any) -> Any:
    return Decimal(value) if isinstance(value, int) and not isinstance(value, bool) else value


@functools.cache
def published_runs() -> tuple[PublishedRun, ...]:
    """The published fine-tunes shipped with distillcost, in file order."""
    return tuple(
        PublishedRun(**{k: _decimal(v) for k, v in row.items()}) for row in _load()["training"]
    )


@functools.cache
def generation_runs() -> tuple[GenerationRun, ...]:
    return tuple(
        GenerationRun(**{k: _decimal(v) for k, v in row.items()}) for row in _load()["generation"]
    )


def _unit_hours(run: PublishedRun, compute: ComputeTable) -> tuple[float, float, bool]:
    """(GPU-hours at utilisation 1, micro-batch tokens, offload) of a run."""
    work = training_time(dataclasses.replace(run.plan(compute), utilisation=Decimal(1)))
    return float(work.gpu_hours), float(work.micro_batch_tokens), run.offload


def fit(runs: Sequence[PublishedRun], compute: ComputeTable) -> Calibration:
    """The defaults that best fit the calibration runs (least squares on log hours).

    For each half-saturation M½ (0 to 8,000 tokens, steps of 50) and offload factor
    (0.30 to 1.00, steps of 0.01), each family's utilisation is the geometric mean that
    best fits its runs; the pair with the smallest sum of squared log errors wins.
    Utilisations are rounded to 3 decimals.
    """
    chosen = [r for r in runs if r.role == "calibration"]
    data = [(r, *_unit_hours(r, compute)) for r in chosen]
    data = [d for d in data if d[1] / float(d[0].gpu_hours or 1) <= MAX_PLAUSIBLE_UTILISATION]
    chosen = [d[0] for d in data]
    families = sorted({regime(r.finetune) for r in chosen})
    best: tuple[float, int, int, dict[str, float]] | None = None
    for half in range(0, 8001, 50):
        for off_pct in range(30, 101):
            off = off_pct / 100
            logs: dict[str, list[float]] = {f: [] for f in families}
            for run, unit, micro, offload in data:
                assert run.gpu_hours is not None
                needed = unit * (micro + half) / micro / (off if offload else 1.0)
                logs[regime(run.finetune)].append(math.log(needed / float(run.gpu_hours)))
            u = {f: math.exp(sum(v) / len(v)) for f, v in logs.items()}
            loss = sum((x - math.log(u[f])) ** 2 for f, v in logs.items() for x in v)
            if best is None or loss < best[0] - 1e-12:
                best = (loss, half, off_pct, u)
    assert best is not None
    _, half, off_pct, u = best
    return Calibration(
        full=Decimal(f"{u['full']:.3f}"),
        adapter=Decimal(f"{u['adapter']:.3f}"),
        half_tokens=Decimal(half),
        offload=Decimal(off_pct) / 100,
        runs=tuple(r.id for r in chosen),
    )


@dataclass(frozen=True)
class CalibrationRow:
    """A published run beside the model's prediction."""

    run: PublishedRun
    time: TrainingTime | None
    implied_utilisation: Decimal | None  # what the published hours need, with the run's settings
    cost_usd: Decimal | None = None
    rate: Any = None  # GpuRate used for the cost
    cost_note: str = ""

    @property
    def ratio(self) -> Decimal | None:
        if self.time is None or self.run.gpu_hours is None:
            return None
        return self.time.gpu_hours / self.run.gpu_hours

    @property
    def plausible(self) -> bool:
        return (
            self.implied_utilisation is None
            or self.implied_utilisation <= MAX_PLAUSIBLE_UTILISATION
        )

    @property
    def cost_ratio(self) -> Decimal | None:
        if self.cost_usd is None or not self.run.published_cost_usd:
            return None
        return self.cost_usd / self.run.published_cost_usd

    @property
    def within_cost_bound(self) -> bool | None:
        """``less than X``: at most X; about/around/exact X: within 2× either way."""
        ratio = self.cost_ratio
        if ratio is None:
            return None
        if self.run.cost_qualifier == "less than":
            return ratio <= 1
        return 1 / TOLERANCE <= ratio <= TOLERANCE

    @property
    def status(self) -> str:
        """The run's role, or why it is neither fitted nor checked."""
        if not self.run.expressible:
            return "not expressible"
        if not self.plausible:
            return "implausible"
        return self.run.role

    @property
    def why(self) -> str:
        if not self.run.expressible:
            return self.run.reason
        if not self.plausible:
            return (
                f"its published hours need {present.pct(self.implied_utilisation, 0)} of the "
                "GPU's peak with its own settings: neither fitted nor checked"
            )
        return ""

    def record(self) -> dict[str, Any]:
        t = self.time
        return {
            "run": self.run.id,
            "model": self.run.model,
            "role": self.status,
            "gpus": f"{self.run.gpu_count}× {self.run.gpu}" if self.run.gpu else None,
            "published_hours": self.run.gpu_hours,
            "model_hours": t.gpu_hours if t else None,
            "ratio": self.ratio,
            "utilisation": t.utilisation if t else None,
            "implied": self.implied_utilisation,
            "published_cost": self.run.published_cost_usd,
            "model_cost": self.cost_usd,
        }


COLUMNS: tuple[Column, ...] = (
    Column("run", "run"),
    Column("role", "role"),
    Column("gpus", "GPUs"),
    Column("published_hours", "published GPU-h", "number"),
    Column("model_hours", "model GPU-h", "number"),
    Column("ratio", "model ÷ published", "number"),
    Column("utilisation", "u (model)", "number"),
    Column("implied", "u (published)", "number"),
    Column("published_cost", "published $", "money"),
    Column("model_cost", "model $", "money"),
)


@dataclass(frozen=True)
class CalibrationReport:
    """Every published run beside the model, and how far each set strays."""

    calibration: Calibration
    rows: tuple[CalibrationRow, ...]

    def spread(self, role: str) -> tuple[Decimal, Decimal] | None:
        """(lowest, highest) model ÷ published GPU-hours over the plausible runs of a role."""
        ratios = [
            r.ratio for r in self.rows if r.run.role == role and r.plausible and r.ratio is not None
        ]
        return (min(ratios), max(ratios)) if ratios else None

    def summary(self) -> str:
        """One sentence: how far the calibration and held-out sets stray."""
        parts = []
        for role, label in (("calibration", "calibration runs"), ("held-out", "held-out runs")):
            found = self.spread(role)
            if found:
                count = sum(1 for r in self.rows if r.run.role == role and r.plausible and r.ratio)
                parts.append(
                    f"{count} {label} {present.number(found[0], 2)}×–"
                    f"{present.number(found[1], 2)}× of published GPU-hours"
                )
        return "; ".join(parts)

    def table(self) -> Table:
        return Table(COLUMNS, tuple(r.record() for r in self.rows), missing=present.DASH)


def _row(run: PublishedRun, compute: ComputeTable, calibration: Calibration) -> CalibrationRow:
    if not run.expressible:
        return CalibrationRow(run, None, None)
    plan = run.plan(compute)
    time = training_time(plan, calibration)
    implied = None
    if run.gpu_hours:
        unit = training_time(dataclasses.replace(plan, utilisation=Decimal(1)))
        implied = unit.gpu_hours / run.gpu_hours
    cost = rate = None
    note = ""
    if run.published_cost_usd is not None:
        try:
            rate = compute.rate_on(
                run.gpu, run.date, run.cost_offering, run.cost_provider, ignore_derived_from=run.id
            )
            cost = time.gpu_hours * rate.usd
        except DistillcostError as exc:
            note = str(exc)
    return CalibrationRow(run, time, implied, cost, rate, note)


def calibration_report(
    compute: ComputeTable | None = None, calibration: Calibration = CALIBRATED
) -> CalibrationReport:
    """Every published run, predicted with ``calibration`` (default: the shipped one)."""
    if compute is None:
        from distillcost.compute.builtin import builtin_compute

        compute = builtin_compute()
    rows = tuple(_row(run, compute, calibration) for run in published_runs())
    return CalibrationReport(calibration, rows)


@functools.cache
def shipped_summary() -> str:
    """How far the published runs stray from the shipped defaults (for estimate outputs)."""
    return calibration_report().summary()


@dataclass(frozen=True)
class GenerationCheck:
    """A published self-hosted campaign beside the GPU-hours its benchmark gives."""

    run: GenerationRun
    tokens_per_s: Decimal
    gpu_hours: Decimal

    @property
    def ratio(self) -> Decimal:
        return self.gpu_hours / self.run.gpu_hours


def generation_checks(compute: ComputeTable | None = None) -> list[GenerationCheck]:
    """Each published generation campaign, re-timed from a separate throughput benchmark."""
    if compute is None:
        from distillcost.compute.builtin import builtin_compute

        compute = builtin_compute()
    out = []
    for run in generation_runs():
        bench = compute.benchmark(run.benchmark)
        tps = bench.output_tokens_per_s_per_gpu
        out.append(GenerationCheck(run, tps, run.output_tokens / tps / 3600))
    return out


def markdown(report: CalibrationReport, checks: Sequence[GenerationCheck]) -> str:
    """docs/calibration.md: the model, the fit, every run beside it, the spread, the checks."""
    cal = report.calibration
    table = report.table()
    header = "| " + " | ".join(table.header) + " |"
    rule = "| " + " | ".join("---:" if c.numeric else "---" for c in table.columns) + " |"
    rows = [
        "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
        for row in table.cells(present.DASH)
    ]
    fitted = [r for r in report.rows if r.run.role == "calibration" and r.plausible]
    out = [
        "# Calibration of the student's training model",
        "",
        "Generated by `distillcost gpus calibration --format md -o docs/calibration.md`; a test",
        "fails when this page and the code or the data disagree. The runs, with their",
        "sources, are in `distillcost/data/published_runs.toml`; the model is",
        "`distillcost/compute/training.py`; GPU rates are `pricing/gpus.toml`.",
        "",
        "## The model",
        "",
        "GPU-hours = P × f ÷ (peak FLOP/s × u) ÷ 3,600, and the wall clock is that ÷ GPUs, where",
        "",
        "- P, the tokens processed, is examples × L × epochs; L is the length a sequence",
        "  occupies: the mean example (packed), the expected longest of a micro-batch of",
        f"  log-normal lengths (σ = {cal.length_sigma}, an assumption) when padding to the",
        "  longest, or the sequence length when padding to it; all truncated at the sequence",
        "  length;",
        "- f, the FLOPs per token, is k·N + a·0.036·N^(2/3)·L: k = 6 for a full fine-tune, 4",
        "  for LoRA/QLoRA (no weight gradients), + 2 with activation recompute; the attention",
        "  term has a = 6 (8 with recompute) and n_layer·d_model ≈ 0.036·N^(2/3);",
        "- u, the achieved fraction of the GPU's dense BF16 peak, is U × m ÷ (m + M½) (× the",
        "  offload factor when offloading to CPU), m being the tokens one GPU processes per",
        "  forward pass: a small micro-batch wastes the GPU.",
        "",
        "## The fitted defaults",
        "",
        "| U, full fine-tunes | U, LoRA / QLoRA | M½ (tokens) | offload factor |",
        "| ---: | ---: | ---: | ---: |",
        f"| {cal.full} | {cal.adapter} | {cal.half_tokens} | {cal.offload} |",
        "",
        f"Fitted on the {len(fitted)} calibration runs (least squares on log GPU-hours: for each",
        "M½ from 0 to 8,000 tokens and offload factor from 0.30 to 1.00, each family's U is the",
        "geometric mean that fits its runs). The issue named Alpaca, Vicuna-13B and Sky-T1; one",
        "run of each adapter kind (int8 LoRA: Baize-13B, 4-bit QLoRA: the unpacked orca-math run)",
        "joins them. Every other expressible run is held out: predicted from its published model",
        "size, data, epochs, GPUs and settings only, never its hours or cost.",
        "",
        "## Published runs beside the model",
        "",
        header,
        rule,
        *rows,
        "",
        f"**Spread.** {report.summary()}. Held-out runs must land within "
        f"{TOLERANCE}× of their published GPU-hours (tests/test_calibration.py).",
        "",
        f"A run whose published hours would need more than {MAX_PLAUSIBLE_UTILISATION} of the "
        "GPU's dense peak with its own settings is shown as implausible and neither fitted "
        "nor checked (the best published LLM training runs reach ~0.46–0.58).",
        "",
        "**Costs.** A published cost is checked against the model's GPU-hours × the GPU",
        "table's rate for the run's published offering and provider on its date, never a",
        "rate implied by that run's own cost (`derived_from`). 'less than X' must stay at or",
        "under X; 'about/around X' within 2× of X. Where the table has no such rate the cost",
        "is not checked:",
        "",
    ]
    for row in report.rows:
        if row.run.published_cost_usd is None or not row.run.expressible:
            continue
        bound = f"{row.run.cost_qualifier} {present.money(row.run.published_cost_usd)}"
        if row.cost_usd is None:
            out.append(f"- {row.run.id} ({bound}): not checked: {row.cost_note}")
        else:
            verdict = "within the bound" if row.within_cost_bound else "OUTSIDE the bound"
            out.append(
                f"- {row.run.id} ({bound}): {present.money(row.cost_usd)} at "
                f"{row.rate.describe()}: {verdict} ({row.run.role})"
            )
    out += ["", "## Self-hosted generation", ""]
    for check in checks:
        campaign = check.run
        out.append(
            f"- {campaign.id}: {present.tokens(campaign.output_tokens)} output tokens from "
            f"{campaign.model} on {campaign.gpu} at {check.tokens_per_s} tokens/s per GPU "
            f"(benchmark `{campaign.benchmark}`) = {present.number(check.gpu_hours, 0)} "
            f"GPU-hours; published {campaign.gpu_hours_qualifier} "
            f"{present.number(campaign.gpu_hours, 0)}: {present.number(check.ratio, 2)}×. "
            f"Source: {campaign.source}"
        )
    out += ["", "## Each run's inputs", ""]
    for row in report.rows:
        run = row.run
        if not run.expressible:
            out.append(f"- **{run.id}** ({run.model}): not expressible: {run.reason}.")
            continue
        why = f" **{row.status}: {row.why}.**" if row.why else ""
        out.append(
            f"- **{run.id}** ({run.model}, {run.role}):{why} {run.parameters_b}B parameters, "
            f"{run.finetune}, {present.count(run.examples)} examples × {run.epochs} epochs, "
            f"{run.tokens_per_example} tokens each ({run.tokens_basis}); padding {run.padding} "
            f"to {run.sequence_length}, micro-batch {run.micro_batch}, recompute "
            f"{'on' if run.recompute else 'off'}, offload {'on' if run.offload else 'off'}; "
            f"{run.gpu_count}× {run.gpu}. Settings: {run.settings}. Source: {run.source}"
        )
    return "\n".join(out) + "\n"
