"""A self-hosted teacher: an open-weight model served on rented GPUs, priced per token.

GPU time is linear in tokens: a benchmark serves ``o`` output tokens per second per GPU
(and, when measured apart, ``p`` prompt tokens per second per GPU), so at ``r`` USD per
GPU-hour the teacher costs

    output: r ÷ (3,600 × o) × 10^6 USD per 1M tokens
    input:  r ÷ (3,600 × p) × 10^6 (0 when no prefill rate is measured: the output rate
            already paid for the benchmark's own prompts)

and its campaign takes GPU-hours = output ÷ (3,600 × o) + input ÷ (3,600 × p), wall clock =
GPU-hours ÷ serving GPUs, plus a fixed set-up (GPUs paid before the first token). So a
self-hosted teacher is a model of the price table (provider ``self-hosted``, name
``self-hosted:BENCHMARK``), dated from the benchmark's publication, with one price entry
per change of the GPU's rate: compare, history and reports rank it beside API teachers.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from distillcost import present
from distillcost.compute.declarations import DEFAULT_OFFERING
from distillcost.compute.records import ServingBenchmark
from distillcost.errors import NotAvailableError
from distillcost.prices.model import ModelRecord, PriceEntry

if TYPE_CHECKING:
    from distillcost.compute.table import ComputeTable, GpuRate

SELF_HOSTED_PREFIX = "self-hosted:"
PROVIDER = "self-hosted"
MILLION = Decimal(1_000_000)
SETUP_HOURS = Decimal("0.5")
"""Default hours the serving GPUs are paid before the first token (start-up, weights
download and load, warm-up); an assumption, stated in the output."""


PRICE_QUANTUM = Decimal("1e-9")
"""Synthesised prices are kept to a billionth of a dollar per 1M tokens (a 25B-token
campaign moves by less than a cent)."""


def per_million(usd_per_gpu_hour: Decimal, tokens_per_s: Decimal | None) -> Decimal:
    """USD per 1M tokens at a rate per GPU-hour and a throughput per GPU (None: free)."""
    if tokens_per_s is None:
        return Decimal(0)
    exact = usd_per_gpu_hour * MILLION / (3600 * tokens_per_s)
    return exact.quantize(PRICE_QUANTUM).normalize()


def entry(
    bench: ServingBenchmark, rate: Decimal, since: date, source: str, verified: bool, how: str
) -> PriceEntry:
    """The price entry of ``bench`` at ``rate`` USD per GPU-hour."""
    prefill = bench.prefill_tokens_per_s_per_gpu
    note = f"{how} ÷ {bench.output_tokens_per_s_per_gpu} output tokens/s per GPU" + (
        f"; prompts at {prefill} tokens/s per GPU"
        if prefill
        else "; no prefill rate measured apart: prompt tokens cost nothing extra (the "
        "output rate paid for the benchmark's own prompts"
        + (f", {bench.input_len} tokens each)" if bench.input_len else ")")
    )
    return PriceEntry(
        effective_from=since,
        input=per_million(rate, prefill),
        output=per_million(rate, bench.output_tokens_per_s_per_gpu),
        source=f"throughput: {bench.source} | GPU rate: {source}",
        verified=verified,
        notes=note,
    )


def rate_dates(compute: ComputeTable, bench: ServingBenchmark, offering: str) -> list[date]:
    """The days the GPU's rate may change, from the benchmark's publication on."""
    gpu = compute.gpu(bench.gpu)
    days = {p.effective_from for p in gpu.prices if p.offering == offering}
    return sorted({max(d, bench.measured_on) for d in days})


def self_hosted_record(
    compute: ComputeTable, bench: ServingBenchmark, offering: str = DEFAULT_OFFERING
) -> ModelRecord:
    """``bench`` as a priced teacher: one entry per change of the GPU's default rate."""
    history: list[PriceEntry] = []
    last: Decimal | None = None
    for day in rate_dates(compute, bench, offering):
        try:
            rate = compute.rate_on(bench.gpu, day, offering)
        except NotAvailableError:
            continue
        if rate.usd == last:
            continue
        last = rate.usd
        history.append(
            entry(
                bench,
                rate.usd,
                day,
                rate.source,
                bench.verified and rate.price.verified,
                rate.describe(),
            )
        )
    if not history:  # a GPU without rates: usable with a given rate (the estimator asks)
        how = (
            f"no {offering} rate for {bench.gpu} in the GPU table: give [serving] usd_per_gpu_hour"
        )
        history.append(entry(bench, Decimal(0), bench.measured_on, "none", False, how))
    name = f"{SELF_HOSTED_PREFIX}{bench.id}"
    return ModelRecord(
        id=name,
        provider=PROVIDER,
        history=tuple(history),
        encoding="o200k_base",
        tokenizer_approximate=True,
        tokenizer_source=f"{bench.model}'s own tokenizer; o200k_base stands in",
        released=bench.measured_on,
        origin=f"self-hosted:{bench.origin}",
        notes=(
            f"{bench.model} on {bench.gpu} ({bench.engine or 'engine not stated'}"
            f"{', ' + bench.precision if bench.precision else ''}), measured "
            f"{bench.measured_on.isoformat()}: {bench.output_tokens_per_s_per_gpu} output "
            "tokens/s per GPU"
        ),
    )


def serving_entry(
    compute: ComputeTable,
    bench: ServingBenchmark,
    day: date,
    offering: str | None = None,
    provider: str | None = None,
    usd_per_gpu_hour: Decimal | None = None,
) -> tuple[PriceEntry, GpuRate | None]:
    """The price of ``bench`` on ``day`` under a campaign's own GPU choices."""
    if usd_per_gpu_hour is not None:
        how = f"{present.price(usd_per_gpu_hour)}/GPU-hour given"
        return entry(
            bench, usd_per_gpu_hour, day, "given (serving usd_per_gpu_hour)", False, how
        ), None
    rate = compute.rate_on(bench.gpu, day, offering or DEFAULT_OFFERING, provider)
    verified = bench.verified and rate.price.verified
    since = max(rate.price.effective_from, bench.measured_on)
    return entry(bench, rate.usd, since, rate.source, verified, rate.describe()), rate


def gpu_seconds(bench: ServingBenchmark, input_tokens: Decimal, output_tokens: Decimal) -> Decimal:
    """GPU-seconds to read ``input_tokens`` and write ``output_tokens``."""
    seconds = output_tokens / bench.output_tokens_per_s_per_gpu
    if bench.prefill_tokens_per_s_per_gpu:
        seconds += input_tokens / bench.prefill_tokens_per_s_per_gpu
    return seconds
