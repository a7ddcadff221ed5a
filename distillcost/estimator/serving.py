"""A self-hosted teacher's own terms: its price under the campaign's GPU choices, its
GPU time (the wall clock) and its fixed set-up cost.

GPU-hours = output ÷ (3,600 × output tok/s per GPU) + input ÷ (3,600 × prefill tok/s per
GPU) (input free when no prefill rate is measured); wall clock = GPU-hours ÷ serving GPUs;
set-up = setup_hours × serving GPUs × rate (GPUs paid before the first token).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from distillcost.compute.builtin import compute_of
from distillcost.compute.records import ServingBenchmark
from distillcost.compute.serving import (
    PROVIDER,
    SELF_HOSTED_PREFIX,
    SETUP_HOURS,
    gpu_seconds,
    serving_entry,
)
from distillcost.compute.table import GpuRate
from distillcost.errors import NotAvailableError
from distillcost.estimator import numbers
from distillcost.estimator.context import Point
from distillcost.prices.model import ModelRecord, PriceEntry
from distillcost.scenario import Scenario


@dataclass(frozen=True)
class Serving:
    """The benchmark a self-hosted teacher runs at, and the rate it pays."""

    benchmark: ServingBenchmark
    usd_per_gpu_hour: Decimal
    rate: GpuRate | None  # None: the rate was given

    def gpus(self, pt: Point) -> Decimal:
        given = pt["serving_gpus"]
        return given if given is not None else Decimal(self.benchmark.gpus or 1)

    def setup_hours(self, pt: Point) -> Decimal:
        given = pt["serving_setup_hours"]
        return given if given is not None else SETUP_HOURS

    def run(self, pt: Point, tokens: Mapping[str, Decimal]) -> tuple[Decimal, Decimal, Decimal]:
        """(GPU-hours, wall-clock seconds, set-up USD) for a campaign's billed tokens."""
        inputs = tokens["input_uncached"] + tokens["input_cached"] + tokens["cache_write"]
        outputs = tokens["output"] + tokens["reasoning"]
        hours = gpu_seconds(self.benchmark, inputs, outputs) / 3600
        gpus = self.gpus(pt)
        setup = self.setup_hours(pt) * gpus * self.usd_per_gpu_hour
        return hours, hours * 3600 / gpus, setup

    def notes(self, scenario: Scenario) -> list[str]:
        b = self.benchmark
        out = [
            f"self-hosted teacher: {b.model} on {b.gpu} at {b.output_tokens_per_s_per_gpu} output "
            f"tokens/s per GPU ({b.engine or 'engine not stated'}, measured "
            f"{b.measured_on.isoformat()}); GPU rate "
            + (self.rate.describe() if self.rate else "given")
        ]
        if not b.prefill_tokens_per_s_per_gpu:
            out.append(
                f"{b.id}: no prefill rate measured apart, so prompt tokens add no GPU time (the "
                "output rate already paid for the benchmark's own prompts)"
            )
        if scenario.serving_setup_hours is None:
            out.append(
                f"self-hosting set-up of {SETUP_HOURS} h per serving GPU assumed (start, weights "
                "download and load); set [serving] setup_hours"
            )
        if scenario.serving_gpus is None:
            out.append(
                f"serving on {b.gpus or 1} GPU(s), one replica of the benchmark; set [serving] "
                "gpus for more (wall clock = GPU-hours ÷ GPUs)"
            )
        return out

    def describe(self, pt: Point, gpu_hours: Decimal, setup: Decimal) -> dict[str, Any]:
        b = self.benchmark
        return {
            "benchmark": b.id,
            "model": b.model,
            "gpu": b.gpu,
            "engine": b.engine,
            "output_tokens_per_s_per_gpu": b.output_tokens_per_s_per_gpu,
            "prefill_tokens_per_s_per_gpu": b.prefill_tokens_per_s_per_gpu,
            "measured_on": b.measured_on,
            "benchmark_source": b.source,
            "usd_per_gpu_hour": self.usd_per_gpu_hour,
            "rate_source": self.rate.describe()
            if self.rate
            else "given (serving usd_per_gpu_hour)",
            "rate_url": self.rate.source if self.rate else "",
            "gpu_hours": numbers.dec(gpu_hours, 6),
            "gpus": numbers.dec(self.gpus(pt), 0),
            "setup_hours": numbers.dec(self.setup_hours(pt), 6),
            "setup_usd": numbers.money(setup),
        }


def serving_of(
    scenario: Scenario, table: Any, model: ModelRecord, when: date
) -> tuple[Serving, PriceEntry] | None:
    """A self-hosted teacher's terms on ``when`` (None for an API teacher)."""
    if model.provider != PROVIDER or not model.id.startswith(SELF_HOSTED_PREFIX):
        return None
    compute = compute_of(table)
    bench = compute.benchmark(model.id[len(SELF_HOSTED_PREFIX) :])
    given = scenario.serving_usd_per_gpu_hour
    usd = given.base if given is not None else None
    try:
        price, rate = serving_entry(
            compute, bench, when, scenario.serving_offering, scenario.serving_provider, usd
        )
    except NotAvailableError as exc:
        text = str(exc).replace("give usd_per_gpu_hour", "give [serving] usd_per_gpu_hour")
        raise NotAvailableError(f"serving_usd_per_gpu_hour: {text}") from None
    if rate is not None:
        usd = rate.usd
    assert usd is not None
    return Serving(bench, usd, rate), price
