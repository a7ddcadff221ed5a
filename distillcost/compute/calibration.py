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
        if not self.run.expressible:
            return "not expressible: " + self.run.reason
        if not self.plausible:
            return (
                f"implausible: the published hours need {present.pct(self.implied_utilisation, 0)}"
                " of peak with the run's own settings (not fitted, not checked)"
            )
        return self.run.role

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
