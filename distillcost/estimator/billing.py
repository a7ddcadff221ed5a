"""Stages 2–4: tokens per request, by kind, and what they cost at the entry's rates.

Tokens per request (single turn): input = s + p; output = n·k·c; reasoning = n·q.
Multi-turn (k = n = 1): turn t resends the history, so its input is s + t·p + (t−1)·c.
The shared prefix is read from the cache at rate h (cache reads), the missed share
written to it when the entry bills writes. Long-context tiers are decided per
request: requests are split into classes (turn, and tier from the measured prompt
lengths), each priced at :meth:`~distillcost.prices.model.PriceEntry.rates`.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from distillcost import present
from distillcost.errors import NotAvailableError, ScenarioError
from distillcost.estimator.context import Context, Point, req
from distillcost.estimator.numbers import F0, F1, MILLION, QUANTA_SCALE, frac
from distillcost.prices.model import LongContextTier

TOKEN_KINDS: tuple[str, ...] = (
    "input_uncached",
    "input_cached",
    "cache_write",
    "output",
    "reasoning",
)
COST_KINDS: tuple[str, ...] = (*TOKEN_KINDS, "per_request", "setup", "student_training")
OPTIONAL_KINDS: tuple[str, ...] = ("setup",)
"""Kinds only some campaigns have (a self-hosted teacher's set-up): listed when they cost."""


@dataclass(frozen=True)
class RequestClass:
    """Requests sharing a shape: share of all requests, unique input, output, tier."""

    weight: Decimal
    unique_in: Decimal
    output: Decimal
    reasoning: Decimal
    tier: LongContextTier | None


@dataclass(frozen=True)
class Bill:
    """Tokens and dollars by kind, the rate paid per kind, and the per-request fee."""

    tokens: dict[str, Decimal]
    costs: dict[str, Decimal]
    rates: dict[str, tuple[Decimal, bool]]  # kind -> (USD per 1M, one published rate?)
    fee: Decimal  # USD per request
    tiers_used: tuple[int, ...]


def request_classes(ctx: Context, pt: Point, p: Decimal, c: Decimal) -> list[RequestClass]:
    """Split requests by shape (turn number) and, when tiers exist, by tier."""
    sc = ctx.scenario
    price = ctx.price
    k = req(pt, "examples_per_request")
    n = req(pt, "samples_per_prompt")
    T = int(req(pt, "turns"))
    q = req(pt, "reasoning_tokens")
    s = req(pt, "shared_prefix_tokens")
    choices = F1 if sc.input_billed_per_sample else n
    if not price.tiers:
        # one class: the mean request over the T turns of a conversation
        # (Σ_t [t·p + (t−1)·c] / T = p·(T+1)/2 + c·(T−1)/2)
        mean_unique = p * (T + 1) / 2 + c * (T - 1) / 2
        return [RequestClass(F1, mean_unique, choices * k * c, choices * q, None)]
    classes: list[RequestClass] = []
    thresholds = sorted({tier.above_prompt_tokens for tier in price.tiers})
    for t in range(1, T + 1):
        w = Decimal(1) / T
        history = (t - 1) * c
        unique_in = t * p + history
        out, reasoning = choices * k * c, choices * q
        if not ctx.prefix_sums or p == 0:
            classes.append(
                RequestClass(w, unique_in, out, reasoning, price.tier_for(s + unique_in))
            )
            continue
        # Measured: request i of the sample has unique prompt v_i·scale per turn,
        # scale = p / mean(sample), so the totals keep the measured mean.
        m = len(ctx.lengths)
        total_v = ctx.prefix_sums[-1]
        # (rounded to 20 places: a measured mean, stored at 28 digits, gives exactly 1)
        scale = (p * m / total_v).quantize(QUANTA_SCALE)
        # a request's prompt s + t·v·scale + history exceeds x when
        # v > (x − s − history) / (t·scale)
        edges = [0]
        for x in thresholds:
            bound = (Decimal(x) - s - history) / (t * scale)
            idx = 0 if bound < 0 else bisect.bisect_right(ctx.lengths, math.floor(bound))
            edges.append(max(idx, edges[-1]))
        edges.append(m)
        for j in range(len(edges) - 1):
            lo, hi = edges[j], edges[j + 1]
            count = hi - lo
            if count == 0:
                continue
            v_sum = ctx.prefix_sums[hi] - ctx.prefix_sums[lo]
            share = Decimal(count) / m
            unique = t * Decimal(v_sum) / count * scale + history
            tier = None if j == 0 else price.tier_for(thresholds[j - 1] + 1)
            classes.append(RequestClass(w * share, unique, out, reasoning, tier))
    return classes


def check_fits(ctx: Context, pt: Point, p: Decimal, c: Decimal) -> None:
    """A request the model would refuse (context window, prompt or output limit on the
    campaign's date) is an error naming the limit."""
    model = ctx.model
    limits = model.limits_on(ctx.as_of)
    T = req(pt, "turns")
    s = req(pt, "shared_prefix_tokens")
    k = req(pt, "examples_per_request")
    q = req(pt, "reasoning_tokens")
    max_prompt = s + T * p + (T - 1) * c  # the last turn of the mean request
    per_completion_out = k * c + q
    since = f" (since {present.day(limits.effective_from)})" if model.limits else ""
    window = limits.context_window
    if window is not None and max_prompt + per_completion_out > window:
        raise ScenarioError(
            f"prompt_tokens + completion_tokens: a request needs {_tok(max_prompt)} prompt + "
            f"{_tok(per_completion_out)} completion tokens, more than {model.id}'s context "
            f"window of {window:,}{since}"
        )
    if limits.max_input_tokens is not None and max_prompt > limits.max_input_tokens:
        raise ScenarioError(
            f"prompt_tokens: a request of {_tok(max_prompt)} prompt tokens exceeds {model.id}'s "
            f"limit of {limits.max_input_tokens:,} input tokens per request{since}; the API "
            "refuses it"
        )
    if limits.max_output_tokens is not None and per_completion_out > limits.max_output_tokens:
        raise ScenarioError(
            f"completion_tokens: a completion of {_tok(per_completion_out)} tokens "
            f"(examples_per_request × completion_tokens + reasoning_tokens) exceeds "
            f"{model.id}'s maximum output of {limits.max_output_tokens:,} tokens"
        )


def bill(
    ctx: Context, pt: Point, requests: Decimal, p: Decimal, c: Decimal, note: Callable[[str], None]
) -> Bill:
    """Tokens and dollars by kind for ``requests`` requests at point ``pt``."""
    sc = ctx.scenario
    price = ctx.price
    model = ctx.model
    h = req(pt, "cache_hit_rate")
    s = req(pt, "shared_prefix_tokens")
    if sc.batch and not price.has_batch:
        raise NotAvailableError(
            f"batch: {model.id} has no batch price on {ctx.as_of.isoformat()} "
            f"(price entry {present.since(price.effective_from)}); drop --batch"
        )
    tokens = dict.fromkeys(TOKEN_KINDS, F0)
    costs = dict.fromkeys(TOKEN_KINDS, F0)
    paid: dict[str, set[Decimal]] = {kind: set() for kind in TOKEN_KINDS}
    if h > 0 and s > 0 and price.cached_input is None:
        note(
            f"{model.id} has no cached-input price on {ctx.as_of.isoformat()}: cache reads "
            "billed at the input price"
        )
    classes = request_classes(ctx, pt, p, c)
    for cl in classes:
        rates = ctx.rates(cl.tier, pt)
        for text in rates.notes:
            note(text)
        if h > 0 and s > 0:
            for text in rates.cache_notes:
                note(text)
        n_req = requests * cl.weight
        missed = n_req * (1 - h) * s
        parts = {
            "input_uncached": (n_req * cl.unique_in, rates.input),
            "input_cached": (n_req * h * s, rates.cached_input),
            "output": (n_req * cl.output, rates.output),
            "reasoning": (n_req * cl.reasoning, rates.reasoning),
        }
        if h > 0 and rates.cache_write is not None:
            parts["cache_write"] = (missed, rates.cache_write)
        else:
            rate = parts["input_uncached"][1]
            paid["input_uncached"].add(rate)
            tokens["input_uncached"] += missed
            costs["input_uncached"] += missed * rate / MILLION
        for kind, (count, rate) in parts.items():
            tokens[kind] += count
            costs[kind] += count * rate / MILLION
            if count:
                paid[kind].add(rate)
    tiers_used = tuple(
        sorted({cl.tier.above_prompt_tokens for cl in classes if cl.tier and cl.weight > 0})
    )
    share = sum((cl.weight for cl in classes if cl.tier is not None), F0)
    if tiers_used:
        note(
            f"{share * 100:.1f}% of requests exceed {model.id}'s long-context threshold "
            f"({', '.join(f'{x:,}' for x in tiers_used)} prompt tokens) and pay tier prices"
        )
    if not sc.token_billing:
        for kind in TOKEN_KINDS:
            costs[kind] = F0
        note("token_billing = false: only the per-request price is charged")
    rates_paid: dict[str, tuple[Decimal, bool]] = {}
    for kind in TOKEN_KINDS:
        if tokens[kind] and costs[kind]:
            single = paid[kind] if len(paid[kind]) == 1 else None
            rates_paid[kind] = (
                (next(iter(single)), True)
                if single
                else (costs[kind] * MILLION / tokens[kind], False)
            )
    fee = pt["per_request_usd"]
    if fee is None:
        if not sc.token_billing and price.per_request is None:
            raise ScenarioError(
                f"token_billing: false, but {model.id} has no per-request price on "
                f"{ctx.as_of.isoformat()}, so nothing would be charged; give "
                "per_request_usd (--per-request-usd) or bill tokens"
            )
        fee = frac(price.per_request)
    return Bill(tokens, costs, rates_paid, fee, tiers_used)


def _tok(value: Decimal) -> str:
    return f"{math.ceil(value):,}"
