"""Stage 5: wall-clock time under each rate limit; the slowest one binds.

Limits are per key, × keys:
    rpm: R·60/(rpm·keys)    rpd: R·86400/(rpd·keys)
    tpm: (input+output+reasoning)·60/(tpm·keys)    tpd: same ·86400/(tpd·keys)
    itpm: (uncached input + cache writes [+ cache reads where they count])·60/(itpm·keys)
    otpm: (output+reasoning)·60/(otpm·keys)
    concurrency × latency: R·latency/(concurrency·keys)
    batch: rounds × batch_hours·3600, rounds = the larger of
           ⌈input tokens/(batch_queue_tokens·keys)⌉ and ⌈R/(batch_queue_requests·keys)⌉
           (one round without a queue limit)
A campaign that sends only in off-peak hours runs a share w of the week, so each
limit's time is divided by w (DeepSeek V4: 17 of 24 hours on weekdays and all of the
weekend, w = 133/168).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from distillcost.errors import ScenarioError
from distillcost.estimator.context import Point, req
from distillcost.estimator.numbers import F1, SECONDS_PER_DAY, ceil
from distillcost.scenario import Scenario

FORMULAS: dict[str, str] = {
    "rpm": "R × 60 ÷ (rpm × keys)",
    "rpd": "R × 86,400 ÷ (rpd × keys)",
    "tpm": "(input + output + reasoning tokens) × 60 ÷ (tpm × keys)",
    "tpd": "(input + output + reasoning tokens) × 86,400 ÷ (tpd × keys)",
    "itpm": "(uncached input + cache writes) × 60 ÷ (itpm × keys)",
    "otpm": "(output + reasoning tokens) × 60 ÷ (otpm × keys)",
    "concurrency": "R × latency_seconds ÷ (concurrency × keys)",
    "batch": "rounds × batch_hours × 3,600, rounds = ⌈input tokens ÷ (batch_queue_tokens × keys)⌉ "
    "(or ⌈R ÷ (batch_queue_requests × keys)⌉, if larger)",
}
"""Each limit's formula, as the method section prints it."""


def wall_clock(
    sc: Scenario,
    pt: Point,
    requests: Decimal,
    tokens: Mapping[str, Decimal],
    note: Callable[[str], None],
    available: Decimal = F1,
    cache_reads_count: bool = False,
) -> dict[str, Decimal]:
    """Seconds under each limit given (none given: empty), when the campaign may send in
    an ``available`` share of the week. ``cache_reads_count``: cache reads count toward
    itpm (older Anthropic models; the current rule leaves them out)."""
    time = _limits(sc, pt, requests, tokens, note, cache_reads_count)
    if available < 1:
        note(
            f"off_peak_only: requests are sent only in off-peak hours ({available * 100:.1f}% of "
            "the week), so every limit's time is stretched by that share"
        )
        return {name: seconds / available for name, seconds in time.items()}
    return time


def _limits(
    sc: Scenario,
    pt: Point,
    requests: Decimal,
    tokens: Mapping[str, Decimal],
    note: Callable[[str], None],
    cache_reads_count: bool = False,
) -> dict[str, Decimal]:
    time: dict[str, Decimal] = {}
    total_tokens = sum(tokens.values(), Decimal(0))
    input_tokens = tokens["input_uncached"] + tokens["input_cached"] + tokens["cache_write"]
    keys = req(pt, "keys")
    if sc.batch:
        queue = pt["batch_queue_tokens"]
        queue_requests = pt["batch_queue_requests"]
        hours = req(pt, "batch_hours")
        rounds = 0
        if requests:
            rounds = 1
            if queue is not None:
                rounds = max(rounds, ceil(input_tokens / (queue * keys)))
            if queue_requests is not None:
                rounds = max(rounds, ceil(requests / (queue_requests * keys)))
        time["batch"] = rounds * hours * 3600
        ignored = [
            x
            for x in ("rpm", "rpd", "tpm", "tpd", "itpm", "otpm", "concurrency")
            if pt[x] is not None and not sc.origin(x).startswith("tier ")
        ]
        if ignored:
            note(f"batch: {', '.join(ignored)} limits do not apply to the batch API (ignored)")
        return time
    if pt["rpm"] is not None:
        time["rpm"] = requests * 60 / (req(pt, "rpm") * keys)
    if pt["rpd"] is not None:
        time["rpd"] = requests * SECONDS_PER_DAY / (req(pt, "rpd") * keys)
    if pt["tpm"] is not None:
        time["tpm"] = total_tokens * 60 / (req(pt, "tpm") * keys)
    if pt["tpd"] is not None:
        time["tpd"] = total_tokens * SECONDS_PER_DAY / (req(pt, "tpd") * keys)
    if pt["itpm"] is not None:
        counted = tokens["input_uncached"] + tokens["cache_write"]
        if cache_reads_count:
            counted += tokens["input_cached"]
        time["itpm"] = counted * 60 / (req(pt, "itpm") * keys)
    if pt["otpm"] is not None:
        time["otpm"] = (tokens["output"] + tokens["reasoning"]) * 60 / (req(pt, "otpm") * keys)
    latency = pt["latency_seconds"]
    concurrency = pt["concurrency"]
    if concurrency is not None and latency is None:
        raise ScenarioError("latency_seconds: needed with concurrency (seconds one request takes)")
    if latency is not None:
        time["concurrency"] = requests * latency / ((concurrency or F1) * keys)
    return time
