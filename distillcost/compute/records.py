"""GPU records: a GPU, its dated rental prices, and serving benchmarks (measured throughput).

Each field is tied to its :class:`~distillcost.prices.declarations.Key` with
:func:`~distillcost.prices.model.declared`, as the API price records are, so the reader,
the checks and the tables derive from one declaration. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from distillcost.compute import declarations as k
from distillcost.prices.declarations import Key
from distillcost.prices.model import _record_dict, declared

PRICES = Key("prices", "the GPU's dated rental prices", lambda v: v)


@dataclass(frozen=True)
class GpuPrice:
    """One rate for a GPU-hour: offering, provider, from a date, with its source."""

    effective_from: date = declared(k.PRICE_FROM)
    offering: str = declared(k.OFFERING)
    provider: str = declared(k.RENTAL_PROVIDER)
    usd_per_gpu_hour: Decimal = declared(k.USD_PER_GPU_HOUR)
    instance: str = declared(k.INSTANCE, default="")
    region: str = declared(k.REGION, default="")
    source: str = declared(k.PRICE_SOURCE, default="")
    checked: date | None = declared(k.PRICE_CHECKED, default=None)
    verified: bool = declared(k.PRICE_VERIFIED, default=False)
    derived_from: str = declared(k.DERIVED_FROM, default="")
    until: date | None = declared(k.PRICE_UNTIL, default=None)
    notes: str = declared(k.PRICE_NOTES, default="")

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)

    def offered_on(self, day: date) -> bool:
        """In force on ``day``: taken effect, and not withdrawn."""
        return self.effective_from <= day and (self.until is None or day < self.until)

    def describe(self) -> str:
        """``lambda on-demand from 2025-10-19`` (how a rate is named in outputs)."""
        return f"{self.provider} {self.offering} from {self.effective_from.isoformat()}"


@dataclass(frozen=True)
class Gpu:
    """A GPU: its dense BF16 peak (for the FLOPs model) and its rental price history."""

    id: str = declared(k.GPU_ID)
    name: str = declared(k.GPU_NAME, default="")
    aliases: tuple[str, ...] = declared(k.GPU_ALIASES, default=())
    memory_gb: int | None = declared(k.MEMORY_GB, default=None)
    peak_tflops: Decimal | None = declared(k.PEAK_TFLOPS, default=None)
    tflops_source: str = declared(k.TFLOPS_SOURCE, default="")
    prices: tuple[GpuPrice, ...] = declared(PRICES, default=(), nested=GpuPrice)
    notes: str = declared(k.GPU_NOTES, default="")
    origin: str = field(default="built-in", compare=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.prices, key=lambda p: (p.effective_from, p.provider)))
        object.__setattr__(self, "prices", ordered)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)


@dataclass(frozen=True)
class ServingBenchmark:
    """An open-weight model's measured generation throughput on one GPU type.

    ``output_tokens_per_s_per_gpu`` is what the whole system produced divided by its
    GPUs; when ``prefill_tokens_per_s_per_gpu`` is absent the output rate already pays
    for the benchmark's own prompts (``input_len`` tokens each, when published).
    """

    id: str = declared(k.SERVING_ID)
    model: str = declared(k.SERVED_MODEL)
    gpu: str = declared(k.SERVING_GPU)
    output_tokens_per_s_per_gpu: Decimal = declared(k.OUTPUT_TPS)
    measured_on: date = declared(k.MEASURED_ON)
    source: str = declared(k.SERVING_SOURCE)
    aliases: tuple[str, ...] = declared(k.SERVING_ALIASES, default=())
    parameters_b: Decimal | None = declared(k.PARAMETERS_B, default=None)
    active_parameters_b: Decimal | None = declared(k.ACTIVE_PARAMETERS_B, default=None)
    gpus: int | None = declared(k.REPLICA_GPUS, default=None)
    engine: str = declared(k.ENGINE, default="")
    precision: str = declared(k.PRECISION, default="")
    regime: str = declared(k.REGIME, default="")
    prefill_tokens_per_s_per_gpu: Decimal | None = declared(k.PREFILL_TPS, default=None)
    input_len: int | None = declared(k.INPUT_LEN, default=None)
    output_len: int | None = declared(k.OUTPUT_LEN, default=None)
    verified: bool = declared(k.SERVING_VERIFIED, default=False)
    notes: str = declared(k.SERVING_NOTES, default="")
    origin: str = field(default="built-in", compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.id, *self.aliases)

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)
