"""The GPU table: GPUs by name, serving benchmarks by id, and the rate of a GPU-hour on a date.

Layers stack as API prices do (built-in < plugins < config dir < ``--prices``); a later
GPU or benchmark with the same name replaces the earlier one whole.

The rate on a date (:meth:`ComputeTable.rate_on`): among the rows of the GPU for the
offering asked (on-demand unless said otherwise), each provider's latest rate on or
before the date is in force; the rate used is the **lower median** of those (a real
row, with one source), or the named provider's. Rows that are not list prices (a
published run's cost ÷ its GPU-hours, ``derived_from``) count only when their
provider is named.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from distillcost import present
from distillcost.compute.declarations import DEFAULT_OFFERING
from distillcost.compute.records import Gpu, GpuPrice, ServingBenchmark
from distillcost.errors import NotAvailableError, PriceDataError, UnknownNameError

if TYPE_CHECKING:
    from distillcost.prices.model import ModelRecord


@dataclass(frozen=True)
class GpuRate:
    """The rate of one GPU-hour chosen for a date, the row it comes from and why."""

    gpu: Gpu
    day: date
    offering: str
    price: GpuPrice
    considered: tuple[GpuPrice, ...]  # every provider's rate in force that day
    provider_named: bool = False

    @property
    def usd(self) -> Decimal:
        return self.price.usd_per_gpu_hour

    @property
    def source(self) -> str:
        return self.price.source

    def describe(self) -> str:
        """What the rate is and how it was chosen, in one sentence."""
        head = (
            f"{self.gpu.id} {self.offering} {present.price(self.usd)}/GPU-hour "
            f"({self.price.describe()}"
        )
        if self.price.derived_from:
            head += (
                f"; implied by the published cost of {self.price.derived_from}, not a list price"
            )
        if self.provider_named or len(self.considered) == 1:
            return head + ")"
        rates = sorted(p.usd_per_gpu_hour for p in self.considered)
        return (
            f"{head}; the median of {len(self.considered)} providers' rates in force on "
            f"{self.day.isoformat()}, {present.price(rates[0])}–{present.price(rates[-1])})"
        )


class ComputeTable:
    """GPUs (peak, memory, dated rental rates) and serving benchmarks."""

    def __init__(self, gpus: Iterable[Gpu] = (), serving: Iterable[ServingBenchmark] = ()) -> None:
        self._gpus: dict[str, Gpu] = {}
        self._gpu_names: dict[str, str] = {}
        for gpu in gpus:
            for name in gpu.names:
                old = self._gpu_names.get(name.lower())
                if old is not None and old in self._gpus:
                    del self._gpus[old]
            self._gpus[gpu.id] = gpu
        for gpu in self._gpus.values():
            for name in gpu.names:
                self._gpu_names[name.lower()] = gpu.id
        self._serving: dict[str, ServingBenchmark] = {}
        self._serving_names: dict[str, str] = {}
        for row in serving:
            self._serving[row.id] = row
        for row in self._serving.values():
            for name in row.names:
                self._serving_names[name] = row.id
        for row in self._serving.values():
            if row.gpu.lower() not in self._gpu_names:
                raise PriceDataError(
                    f"{row.origin}: benchmark {row.id!r}: unknown GPU {row.gpu!r} "
                    "(give it a [[gpus]] entry)"
                )

    @classmethod
    def from_layers(
        cls, layers: Sequence[tuple[str, Sequence[Gpu], Sequence[ServingBenchmark]]]
    ) -> ComputeTable:
        """Stacked layers, later winning per GPU and per benchmark."""
        gpus = [g for _, layer, _ in layers for g in layer]
        serving = [s for _, _, layer in layers for s in layer]
        return cls(gpus, serving)

    # -- GPUs ---------------------------------------------------------------------------
    def __iter__(self) -> Iterator[Gpu]:
        return iter(self._gpus.values())

    def gpu(self, name: str) -> Gpu:
        """The GPU called ``name`` (id or alias, any case), else a did-you-mean error."""
        found = self._gpu_names.get(name.strip().lower())
        if found is None:
            raise UnknownNameError("GPU", name, list(self._gpus), hint="(distillcost gpus list)")
        return self._gpus[found]

    def rate_on(
        self,
        gpu: str | Gpu,
        day: date,
        offering: str = DEFAULT_OFFERING,
        provider: str | None = None,
        *,
        ignore_derived_from: str = "",
    ) -> GpuRate:
        """The rate of a GPU-hour of ``gpu`` on ``day`` (see the module's rule).

        ``ignore_derived_from`` leaves out a row implied by that published run's own
        cost (checking a run against a rate taken from its own cost proves nothing).
        """
        record = gpu if isinstance(gpu, Gpu) else self.gpu(gpu)
        wanted = provider.strip().lower() if provider else None
        rows = [
            p
            for p in record.prices
            if p.offering == offering
            and (wanted is None or p.provider.lower() == wanted)
            and (wanted is not None or not p.derived_from)
            and not (ignore_derived_from and p.derived_from == ignore_derived_from)
        ]
        latest: dict[str, GpuPrice] = {}
        for row in rows:  # sorted by date: the last one on or before the day wins
            if row.effective_from <= day:
                latest[row.provider] = row
        in_force = {who: row for who, row in latest.items() if row.offered_on(day)}
        if not in_force:
            raise NotAvailableError(self._why_none(record, day, offering, provider, rows))
        ordered = sorted(in_force.values(), key=lambda p: (p.usd_per_gpu_hour, p.provider))
        chosen = ordered[(len(ordered) - 1) // 2]
        return GpuRate(record, day, offering, chosen, tuple(ordered), wanted is not None)

    def _why_none(
        self,
        gpu: Gpu,
        day: date,
        offering: str,
        provider: str | None,
        rows: Sequence[GpuPrice],
    ) -> str:
        who = f" from {provider}" if provider else ""
        first = f"; first priced {rows[0].effective_from.isoformat()}" if rows else ""
        offered = sorted({p.offering for p in gpu.prices})
        other = f" (offerings in the table: {', '.join(offered)})" if offered else ""
        return (
            f"no {offering} rate for {gpu.id}{who} on {day.isoformat()}{first}{other}; "
            "give usd_per_gpu_hour"
        )

    # -- serving benchmarks -----------------------------------------------------------------
    def benchmarks(self) -> list[ServingBenchmark]:
        return list(self._serving.values())

    def benchmark(self, name: str) -> ServingBenchmark:
        found = self._serving_names.get(name.strip())
        if found is None:
            raise UnknownNameError(
                "serving benchmark", name, list(self._serving), hint="(distillcost gpus serving)"
            )
        return self._serving[found]

    def teacher(self, name: str) -> ModelRecord | None:
        """A self-hosted teacher (``self-hosted:BENCHMARK``) as a priced model, else None."""
        from distillcost.compute.serving import SELF_HOSTED_PREFIX, self_hosted_record

        if not name.startswith(SELF_HOSTED_PREFIX):
            return None
        return self_hosted_record(self, self.benchmark(name[len(SELF_HOSTED_PREFIX) :]))

    def teacher_names(self) -> list[str]:
        from distillcost.compute.serving import SELF_HOSTED_PREFIX

        return [SELF_HOSTED_PREFIX + row.id for row in self._serving.values()]
