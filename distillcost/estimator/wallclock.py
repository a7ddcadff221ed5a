"""Stage 5: wall-clock time under each rate limit; the slowest one binds.

Limits are per key, × keys:
    rpm: R·60/(rpm·keys)    rpd: R·86400/(rpd·keys)
    tpm: (input+output+reasoning)·60/(tpm·keys)    tpd: same ·86400/(tpd·keys)
    concurrency × latency: R·latency/(concurrency·keys)
    batch: ⌈input tokens/(batch_queue_tokens·keys)⌉ rounds × batch_hours·3600
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
    "concurrency": "R × latency_seconds ÷ (concurrency × keys)",
    "batch": "rounds × batch_hours × 3,600, rounds = ⌈input tokens ÷ (batch_queue_tokens × keys)⌉",
    "gpus": "self-hosted GPU-hours × 3,600 ÷ serving GPUs",
}
"""Each limit's formula, as the method section prints it."""


def wall_clock(
    sc: Scenario,
    pt: Point,
    requests: Decimal,
    tokens: Mapping[str, Decimal],
    note: Callable[[str], None],
    available: Decimal = F1,
) -> dict[str, Decimal]:
    """Seconds under each limit given (none given: empty), when the campaign may send in
    an ``available`` share of the week."""
    time = _limits(sc, pt, requests, tokens, note)
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
) -> dict[str, Decimal]:
    time: dict[str, Decimal] = {}
    total_tokens = sum(tokens.values(), Decimal(0))
    input_tokens = tokens["input_uncached"] + tokens["input_cached"] + tokens["cache_write"]
    keys = req(pt, "keys")
    if sc.batch:
        queue = pt["batch_queue_tokens"]
        hours = req(pt, "batch_hours")
        if requests == 0:
            rounds = 0
        elif queue is None:
            rounds = 1
        else:
            rounds = ceil(input_tokens / (queue * keys))
        time["batch"] = rounds * hours * 3600
        ignored = [x for x in ("rpm", "rpd", "tpm", "tpd", "concurrency") if pt[x] is not None]
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
    latency = pt["latency_seconds"]
    concurrency = pt["concurrency"]
    if concurrency is not None and latency is None:
        raise ScenarioError("latency_seconds: needed with concurrency (seconds one request takes)")
    if latency is not None:
        time["concurrency"] = requests * latency / ((concurrency or F1) * keys)
    return time
