"""The evaluations a workbook holds: the base case, the low and high ends, and one
evaluation per ranged assumption at each end (the sensitivity the estimator runs).

The low end takes, for each ranged assumption, the end whose one-at-a-time total is
lower (the estimator's rule), as an ``IF`` of those totals, so it stays right when
a user edits a range.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from distillcost.estimator import Estimate
from distillcost.prices.billing import KINDS
from distillcost.prices.model import PriceEntry
from distillcost.scenario import NUMERIC_PARAMETERS, Scenario
from distillcost.workbook.costmodel import Block, PriceRef, Structure, point_cells
from distillcost.workbook.expr import IF, Column, Expr, Name, Num

TIME_ONLY = frozenset(
    ("rpm", "rpd", "tpm", "tpd", "keys", "concurrency", "latency_seconds",
     "batch_queue_tokens", "batch_hours")
)  # fmt: skip
"""Numeric assumptions that move the wall clock, not the cost."""


@dataclass(frozen=True)
class Evaluations:
    """The blocks of one campaign (one teacher, one date, one grid point)."""

    base: Block
    low: Block
    high: Block
    sensitivity: tuple[tuple[str, Block, Block], ...]

    def blocks(self) -> list[Block]:
        out = [self.base, self.low, self.high]
        for _, at_low, at_high in self.sensitivity:
            out += [at_low, at_high]
        return out


def cost_parameters(scenario: Scenario) -> list[str]:
    """The numeric assumptions the Cost sheet reads (given or defaulted, not time-only)."""
    return [
        name
        for name in NUMERIC_PARAMETERS
        if name not in TIME_ONLY and getattr(scenario, name) is not None
    ]


def assumption_names(scenario: Scenario) -> dict[str, Expr]:
    """Each cost assumption as its named cell on the Assumptions sheet."""
    return {name: Name(name, getattr(scenario, name).base) for name in cost_parameters(scenario)}


def range_names(scenario: Scenario, skip: Sequence[str] = ()) -> list[tuple[str, Expr, Expr]]:
    return [
        (name, Name(f"{name}_low", getattr(scenario, name).low),
         Name(f"{name}_high", getattr(scenario, name).high))
        for name in scenario.ranged
        if name not in skip and name not in TIME_ONLY
    ]  # fmt: skip


def structure(result: Estimate, lengths: Column | None = None) -> Structure:
    sc = result.scenario
    return Structure(
        scenario=sc,
        entry=result.price,
        lengths=lengths,
        student_method=str(result.student.get("method", "none")),
        student=result.student,
        prompt_factor_measured="prompt_tokens" in sc.measured_fields,
        completion_factor_measured="completion_tokens" in sc.measured_fields,
    )


def needs_lengths(result: Estimate) -> tuple[int, ...]:
    """The sorted sampled prompt lengths when tiers are decided from them, else ()."""
    sc = result.scenario
    if "prompt_tokens" not in sc.measured_fields or not sc.prompt_lengths or not result.price.tiers:
        return ()
    lengths = sc.sorted_prompt_lengths
    return () if lengths[-1] == 0 else lengths


def evaluations(
    prefix: str,
    st: Structure,
    price: PriceRef,
    values: Mapping[str, Expr],
    ranged: Sequence[tuple[str, Expr, Expr]],
) -> Evaluations:
    """Base, low, high and sensitivity blocks for one campaign."""
    every = [name for name in NUMERIC_PARAMETERS]

    def block(name: str, pt: Mapping[str, Expr]) -> Block:
        b = Block(f"{prefix}{name}")
        cells: dict[str, Expr | None] = dict.fromkeys(every)
        for key, expr in pt.items():
            cells[key] = b.add(f"in_{key}", key, expr)
        point_cells(b, cells, st, price)
        return b

    base = block("base", values)
    sens = []
    for name, low, high in ranged:
        at_low = block(f"{name}@low", {**values, name: low})
        at_high = block(f"{name}@high", {**values, name: high})
        sens.append((name, at_low, at_high))
    low_pt = dict(values)
    high_pt = dict(values)
    for (name, low, high), (_, at_low, at_high) in zip(ranged, sens, strict=True):
        flips = at_high["total_usd"].lt(at_low["total_usd"])
        low_pt[name] = IF(flips, high, low)
        high_pt[name] = IF(flips, low, high)
    if not ranged:
        low_pt = high_pt = dict(values)
    return Evaluations(base, block("low", low_pt), block("high", high_pt), tuple(sens))


def price_values(result: Estimate) -> dict[str, Decimal]:
    """Every price the cost model may read for this estimate, by PriceRef key."""
    entry: PriceEntry = result.price
    out: dict[str, Decimal] = {}
    kinds = KINDS
    for kind in (*kinds, "batch_input", "batch_output", "per_request"):
        value = getattr(entry, kind)
        if value is not None:
            out[kind] = Decimal(value)
    for j, tier in enumerate(sorted(entry.tiers, key=lambda t: t.above_prompt_tokens), start=1):
        for kind in kinds:
            value = getattr(tier, kind, None)
            if value is not None:
                out[f"tier{j}.{kind}"] = Decimal(value)
    chosen = entry.service_tier(result.scenario.service_tier)
    if chosen is not None:
        for kind in kinds:
            value = getattr(chosen, kind, None)
            if value is not None:
                out[f"service.{kind}"] = Decimal(value)
    if entry.windows:
        for kind in kinds:
            value = getattr(entry.windows[0], kind, None)
            if value is not None:
                out[f"window.{kind}"] = Decimal(value)
    sc = result.scenario
    if sc.measured_fields and result.model.token_ratio:
        out["token_ratio"] = Decimal(result.model.token_ratio)
    st = result.student
    if st.get("method") == "fine-tune":
        out["training"] = Decimal(st["training_price"])
    if st.get("method") == "gpu":
        out["gpu_peak_tflops"] = Decimal(st["peak_tflops"])
        mean = Decimal(st["mean_tokens"])
        out["student_length_ratio"] = Decimal(st["length"]) / mean if mean else Decimal(1)
    if result.serving:  # a self-hosted teacher's set-up is paid at its GPU rate
        out["serving_rate"] = Decimal(result.serving["usd_per_gpu_hour"])
        out["serving_gpus"] = Decimal(result.serving["gpus"])
    if st.get("method") in ("gpu", "gpu-hours") and sc.usd_per_gpu_hour is None:
        out["gpu_rate"] = Decimal(st["usd_per_gpu_hour"])
    return out


def as_num(values: Mapping[str, Decimal]) -> dict[str, Expr]:
    return {key: Num(value) for key, value in values.items()}
