"""The pure cost model: (Scenario, PriceTable) -> Estimate, exact.

Nothing here reads files, prints or imports click/pandas at module level. The
arithmetic is ``Decimal`` at 50 significant digits (:data:`PRECISION`), so
``0.44`` acceptance and ``$0.002`` per 1K tokens leave no binary-float noise and
any rounding error sits ~40 digits below a cent; results are stored rounded to
1e-10 USD (money) and 1e-6 (tokens), and rounded further only for display.

The cost model
==============

Symbols (per scenario; each may be a range low..base..high):
  E  accepted examples wanted        a  acceptance_rate       r  retry_rate
  k  examples_per_request            n  samples_per_prompt    T  turns
  p  prompt_tokens (unique, per turn)                          s  shared_prefix_tokens
  c  completion_tokens per example   q  reasoning_tokens per completion
  h  cache_hit_rate                  u  per-request price (per_request_usd, else the table's)

1. Volume back to requests.
   Dataset tokens per example   d = T · (c + p/k)   (T · c when prompt_in_dataset = false)
   examples:        E given            output_tokens V:  E = V / (T·c)
   dataset_tokens V: E = V / d          requests V:       calls = V (then E follows forwards;
                                                      V / n when input_billed_per_sample)
   Generated examples      G = E / a
   Completions             C = G / k
   Prompts (conversations) P = C / n
   Calls                   calls = P · T
   Requests sent           R = calls · (1 + r)        (· n more, with n = 1 each, when
                                                      input_billed_per_sample)
   Retries are billed in full (input and output). The arithmetic keeps fractional
   expected counts, so cost is exactly linear in volume; "requests" is reported
   rounded up to a whole request ("requests_exact" keeps the fraction).

2. Tokens per request (single turn): input = s + p; output = n·k·c; reasoning = n·q.
   Multi-turn (k = n = 1): turn t (1..T) resends the history, so its input is
   s + t·p + (t−1)·c, and a conversation's input is
   T·s + p·T(T+1)/2 + c·T(T−1)/2 (quadratic in T); output T·c, reasoning T·q.
   Measured profiles with a token_ratio (non-OpenAI tokenizers) have p and c
   multiplied by the model's token_ratio; a chat file measures whole
   conversations, so with T turns its p and c are divided by T.

3. Cache (on the shared prefix only): cached reads = R·h·s at the cached-input
   price (never above the input price in force); the missed prefix R·(1−h)·s is a
   cache write at the cache_write price when the table bills writes and h > 0,
   otherwise ordinary input. Unique prompt tokens are always uncached input.

4. Prices (USD per 1M tokens, resolved on the as-of date):
   cost = Σ tokens_kind × price_kind / 1,000,000 + R × u
   batch = true uses batch_input/batch_output (an error if the model has none on
   that date); cache reads and writes get the same batch ratio (Anthropic's
   rule; assumed elsewhere, and noted).
   Long-context tiers are decided PER REQUEST: a request whose prompt (s + its
   unique input) exceeds a tier's threshold pays that tier's rates for all
   its tokens. With numbers every request has the same prompt (per turn); with a
   measured profile the sampled per-request prompt lengths split requests between
   tiers (pricing the campaign as one giant request would be wrong). With batch, a
   tier's rates get the same batch discount ratio. token_billing = false charges
   only R × u (a flat "cost per query" reading).

5. Time (seconds; limits are per key, × keys):
   rpm: R·60/(rpm·keys)    rpd: R·86400/(rpd·keys)
   tpm: (input+output+reasoning)·60/(tpm·keys)    tpd: same ·86400/(tpd·keys)
   concurrency × latency: R·latency/(concurrency·keys)
   batch: ⌈input tokens/(batch_queue_tokens·keys)⌉ rounds × batch_hours·3600
   (one round without a queue limit). Wall clock = the largest; it names the
   binding limit. No limits given: no wall clock.

6. Student: training tokens D = (training_tokens or accepted dataset tokens) × epochs.
   fine-tune: D × training price / 1M (the student_model's `training` price).
   gpu:       GPU-hours = 6·N·D / (peak TFLOP/s·10^12 · utilisation) / 3600,
              cost = GPU-hours × usd_per_gpu_hour.
   gpu-hours: cost = gpu_hours × usd_per_gpu_hour.

7. Ranges: base uses every base value. Sensitivity: the total with one ranged
   parameter at its low and at its high end, the others at base, sorted by swing.
   The low total puts every ranged parameter at its cost-minimising end (acceptance
   high, tokens low...), the high total at its cost-maximising end.

   $ per 1M dataset tokens = API cost / dataset tokens × 10^6.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

from distillcost.errors import DistillcostError, NotAvailableError, ScenarioError
from distillcost.prices.model import LongContextTier, ModelRecord, PriceEntry, Rates
from distillcost.prices.table import PriceTable
from distillcost.ranges import Range
from distillcost.scenario import FIELDS, NUMERIC_PARAMETERS, Scenario, check_complete

METHOD: str = __doc__[__doc__.index("The cost model") :] if __doc__ else ""
"""The formulas above, for reports' method sections."""

TOKEN_KINDS: tuple[str, ...] = (
    "input_uncached",
    "input_cached",
    "cache_write",
    "output",
    "reasoning",
)
COST_KINDS: tuple[str, ...] = (*TOKEN_KINDS, "per_request", "student_training")

PRECISION = 50
"""Significant digits of the model's arithmetic (results are rounded far below a cent)."""
F0 = Decimal(0)
F1 = Decimal(1)
MILLION = Decimal(1_000_000)
SECONDS_PER_DAY = Decimal(86_400)


# -- exact-number helpers -------------------------------------------------------


def _frac(value: Decimal | int | None) -> Decimal:
    return F0 if value is None else Decimal(value)


_QUANTA: dict[int, Decimal] = {p: Decimal(1).scaleb(-p) for p in range(0, 13)}
_UNIT = Decimal(1)
_QUANTA_SCALE = Decimal("1e-20")


def _dec(value: Decimal, places: int) -> Decimal:
    """``value`` rounded to ``places`` decimals, without trailing zeros.

    The rounding context grows with the number, so even absurd scenarios (1e15
    examples at a 1e-20 acceptance rate) get an answer, not an overflow.
    """
    value = Decimal(value)
    if value.adjusted() + places + 3 <= PRECISION:  # the usual case: no context needed
        result = value.quantize(_QUANTA[places], rounding=ROUND_HALF_EVEN)
        if result == result.to_integral_value():
            return result.quantize(_UNIT)
        return result.normalize()
    with localcontext() as context:
        context.prec = value.adjusted() + places + 3
        result = value.quantize(_QUANTA[places], rounding=ROUND_HALF_EVEN)
        if result == result.to_integral_value():
            return result.quantize(_UNIT)
        return result.normalize()


def _ceil(value: Decimal) -> int:
    """Round up, after dropping digits far below one (200/3·3 is 200, not 201)."""
    return math.ceil(_dec(value, 12))


def money(value: Decimal) -> Decimal:
    return _dec(value, 10)


def tokens_dec(value: Decimal) -> Decimal:
    return _dec(value, 6)


# -- results --------------------------------------------------------------------


@dataclass(frozen=True)
class Sensitivity:
    """The total with one ranged parameter at each end (others at base)."""

    parameter: str
    low_value: Decimal
    high_value: Decimal
    low_usd: Decimal  # total with the parameter at its low value
    high_usd: Decimal  # total with the parameter at its high value

    @property
    def swing_usd(self) -> Decimal:
        return abs(self.high_usd - self.low_usd)

    def to_dict(self) -> dict[str, Any]:
        return {
            "parameter": self.parameter,
            "low_value": self.low_value,
            "high_value": self.high_value,
            "low_usd": self.low_usd,
            "high_usd": self.high_usd,
            "swing_usd": self.swing_usd,
        }


@dataclass(frozen=True)
class _Calc:
    """One evaluation of the model at a point (exact rationals)."""

    accepted: Decimal
    generated: Decimal
    completions: Decimal
    prompts: Decimal
    calls: Decimal
    requests: Decimal
    dataset_tokens: Decimal
    tokens: dict[str, Decimal]
    costs: dict[str, Decimal]
    time: dict[str, Decimal]
    student: dict[str, Any]
    notes: tuple[str, ...]
    derivation: dict[str, Decimal] = field(default_factory=dict)

    @property
    def api(self) -> Decimal:
        return sum((self.costs[k] for k in (*TOKEN_KINDS, "per_request")), F0)

    @property
    def total(self) -> Decimal:
        return self.api + self.costs["student_training"]


@dataclass(frozen=True)
class Estimate:
    """What a campaign costs: exact Decimal dollars, tokens, time, ranges, sources."""

    scenario: Scenario
    teacher: str
    provider: str
    as_of: date
    model: ModelRecord
    price: PriceEntry
    total_usd: Decimal
    low_usd: Decimal
    high_usd: Decimal
    api_usd: Decimal
    student_usd: Decimal
    requests: int
    requests_exact: Decimal
    generated_examples: Decimal
    accepted_examples: Decimal
    dataset_tokens: Decimal
    tokens: Mapping[str, Decimal]
    costs: Mapping[str, Decimal]
    time: Mapping[str, Decimal]  # limit -> seconds under that limit
    wall_clock_seconds: Decimal | None
    wall_clock_days: Decimal | None
    binding_limit: str
    usd_per_1m_dataset_tokens: Decimal | None
    student: Mapping[str, Any]
    sensitivity: tuple[Sensitivity, ...]
    low_point: Mapping[str, Decimal]
    high_point: Mapping[str, Decimal]
    notes: tuple[str, ...] = field(default=())
    derivation: Mapping[str, Decimal] = field(default_factory=dict)
    """Intermediate base-case quantities (E, G, C, P, calls, R, ...) for worked arithmetic."""

    @property
    def input_tokens(self) -> Decimal:
        """All billed input: uncached + cached reads + cache writes."""
        return (
            self.tokens["input_uncached"] + self.tokens["input_cached"] + self.tokens["cache_write"]
        )

    @property
    def output_tokens(self) -> Decimal:
        """All billed output: completions + hidden reasoning."""
        return self.tokens["output"] + self.tokens["reasoning"]

    def assumptions(self) -> list[dict[str, Any]]:
        """Every assumption given or defaulted, with its origin and meaning."""
        rows: list[dict[str, Any]] = []
        sc = self.scenario
        for spec in FIELDS:
            value = getattr(sc, spec.name)
            if value is None or value == () or value == "":
                continue
            if spec.name in ("name", "description"):
                continue
            row: dict[str, Any] = {
                "name": spec.name,
                "value": value.base if isinstance(value, Range) else _plain(value),
                "low": value.low if isinstance(value, Range) else None,
                "high": value.high if isinstance(value, Range) else None,
                "origin": sc.origin(spec.name),
                "description": spec.description,
            }
            rows.append(row)
        return rows

    def prices_dict(self) -> dict[str, Any]:
        p = self.price
        return {
            "model": self.teacher,
            "effective_from": p.effective_from,
            "unit": p.unit,
            "input": p.input,
            "output": p.output,
            "cached_input": p.cached_input,
            "cache_write": p.cache_write,
            "batch_input": p.batch_input,
            "batch_output": p.batch_output,
            "per_request": p.per_request,
            "training": p.training,
            "source": p.source,
            "checked": p.checked,
            "verified": p.verified,
            "tiers": [
                {
                    "above_prompt_tokens": t.above_prompt_tokens,
                    "input": t.input,
                    "output": t.output,
                    "cached_input": t.cached_input,
                    "cache_write": t.cache_write,
                }
                for t in p.tiers
            ],
        }

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (Decimals kept; export.json_text makes them exact strings)."""
        return {
            "name": self.scenario.name,
            "teacher": self.teacher,
            "provider": self.provider,
            "as_of": self.as_of,
            "total_usd": self.total_usd,
            "low_usd": self.low_usd,
            "high_usd": self.high_usd,
            "api_usd": self.api_usd,
            "student_usd": self.student_usd,
            "requests": self.requests,
            "requests_exact": self.requests_exact,
            "generated_examples": self.generated_examples,
            "accepted_examples": self.accepted_examples,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "dataset_tokens": self.dataset_tokens,
            "wall_clock_seconds": self.wall_clock_seconds,
            "wall_clock_days": self.wall_clock_days,
            "binding_limit": self.binding_limit,
            "usd_per_1m_dataset_tokens": self.usd_per_1m_dataset_tokens,
            "tokens": dict(self.tokens),
            "costs": dict(self.costs),
            "prices": self.prices_dict(),
            "time": dict(self.time),
            "student": dict(self.student),
            "assumptions": self.assumptions(),
            "sensitivity": [s.to_dict() for s in self.sensitivity],
            "low_point": dict(self.low_point),
            "high_point": dict(self.high_point),
            "notes": list(self.notes),
            "worked": self.worked(),
            "scenario": self.scenario.to_dict(),
        }

    def worked(self) -> list[str]:
        """The base case worked through the formulas of :data:`METHOD`, one step a line.

        Every number is the estimator's own; a reader can redo each step by hand.
        Token counts are shown rounded; dollars to the cent.
        """
        d = self.derivation
        sc = self.scenario
        lines: list[str] = []
        kind, _ = sc.volume
        E, a, k, n, T = d["E"], d["a"], d["k"], d["n"], d["T"]
        if kind == "requests":
            if sc.input_billed_per_sample:
                lines.append(f"calls = requests / n = {_n(d['V'])} / {_n(n)} = {_n(d['calls'])}")
            else:
                lines.append(f"calls = requests = {_n(d['calls'])}")
            lines.append(f"P = calls / T = {_n(d['calls'])} / {_n(T)} = {_n(d['P'])}")
            lines.append(f"C = P × n = {_n(d['P'])} × {_n(n)} = {_n(d['C'])}")
            lines.append(f"G = C × k = {_n(d['C'])} × {_n(k)} = {_n(d['G'])}")
            lines.append(f"E = G × a = {_n(d['G'])} × {_n(a)} = {_n(E)}")
        else:
            if kind == "examples":
                lines.append(f"E = examples = {_n(E)}")
            elif kind == "output_tokens":
                lines.append(
                    f"E = output_tokens / (T·c) = {_n(d['V'])} / ({_n(T)} × {_n(d['c'])}) = {_n(E)}"
                )
            else:
                lines.append(
                    f"E = dataset_tokens / d = {_n(d['V'])} / {_n(d['d'])} = {_n(E)}"
                    f"   (d = dataset tokens per example)"
                )
            lines.append(f"G = E / a = {_n(E)} / {_n(a)} = {_n(d['G'])}")
            lines.append(f"C = G / k = {_n(d['G'])} / {_n(k)} = {_n(d['C'])}")
            lines.append(f"P = C / n = {_n(d['C'])} / {_n(n)} = {_n(d['P'])}")
            lines.append(f"calls = P × T = {_n(d['P'])} × {_n(T)} = {_n(d['calls'])}")
        per_sample = " × n" if sc.input_billed_per_sample else ""
        lines.append(
            f"R = calls{per_sample} × (1 + r) = {_n(d['sent'])} × (1 + {_n(d['r'])}) = "
            f"{_n(d['R'])} requests (reported as {self.requests:,})"
        )
        R, sp, p, c, q, h = d["R"], d["s"], d["p"], d["c"], d["q"], d["h"]
        choices = Decimal(1) if sc.input_billed_per_sample else n
        if T == 1:
            lines.append(
                f"prompt tokens = R × (s + p) = {_n(R)} × ({_n(sp)} + {_n(p)}) = {_n(R * (sp + p))}"
            )
        else:
            per_conv = T * sp + p * T * (T + 1) / 2 + c * T * (T - 1) / 2
            lines.append(
                f"prompt tokens per conversation = T·s + p·T(T+1)/2 + c·T(T−1)/2 = "
                f"{_n(T)}×{_n(sp)} + {_n(p)}×{_n(T * (T + 1) / 2)} + {_n(c)}×"
                f"{_n(T * (T - 1) / 2)} = {_n(per_conv)}; × R/T = {_n(per_conv * R / T)}"
            )
        if h and sp:
            lines.append(
                f"shared prefix: cached reads R·h·s = {_n(R * h * sp)}, misses R·(1−h)·s = "
                f"{_n(R * (1 - h) * sp)}"
            )
        lines.append(
            f"output tokens = R × n × k × c = {_n(R)} × {_n(choices)} × {_n(k)} × {_n(c)} = "
            f"{_n(R * choices * k * c)}"
        )
        if q:
            lines.append(
                f"reasoning tokens = R × n × q = {_n(R)} × {_n(choices)} × {_n(q)} = "
                f"{_n(R * choices * q)}"
            )
        for kind_name in TOKEN_KINDS:
            tokens = self.tokens[kind_name]
            cost = self.costs[kind_name]
            if tokens == 0 and cost == 0:
                continue
            rate = cost / tokens * 1_000_000 if tokens else Decimal(0)
            lines.append(
                f"{kind_name}: {_n(tokens)} tokens × ${_n(rate, 6)}/1M = {_usd(cost)}"
                + ("" if sc.token_billing else " (token_billing = false)")
            )
        if self.costs["per_request"]:
            lines.append(
                f"per_request: {_n(R)} × ${_n(d['u'], 6)} = {_usd(self.costs['per_request'])}"
            )
        lines.append(f"API = {_usd(self.api_usd)}")
        st = self.student
        if st.get("method") == "fine-tune":
            lines.append(
                f"student: {_n(st['training_tokens'])} training tokens × ${st['training_price']}"
                f"/1M = {_usd(self.student_usd)}"
            )
        elif st.get("method") in ("gpu", "gpu-hours"):
            if st["method"] == "gpu":
                lines.append(
                    f"student: 6·N·D = {float(st['flops']):.4g} FLOPs / ({st['peak_tflops']}e12 "
                    f"FLOP/s × {st['utilisation']}) / 3600 = {_n(st['gpu_hours'], 2)} GPU-hours"
                )
            lines.append(
                f"student: {_n(st['gpu_hours'], 2)} GPU-hours × ${st['usd_per_gpu_hour']} = "
                f"{_usd(self.student_usd)}"
            )
        lines.append(f"total = {_usd(self.total_usd)}")
        return lines

    def cost_rows(self) -> list[dict[str, Any]]:
        """One row per cost kind: kind, tokens (None for non-token kinds), usd."""
        rows = []
        for kind in COST_KINDS:
            rows.append({"kind": kind, "tokens": self.tokens.get(kind), "usd": self.costs[kind]})
        return rows

    def to_frame(self) -> Any:
        """A one-row-per-cost-kind pandas DataFrame (pandas imported here, lazily)."""
        import pandas as pd

        return pd.DataFrame(self.cost_rows(), columns=["kind", "tokens", "usd"])


def _n(value: Decimal | int, places: int | None = None) -> str:
    """A number for a worked step: thousands separators, few decimals."""
    value = Decimal(value)
    if places is None:
        places = 0 if value == value.to_integral_value() else (2 if abs(value) >= 100 else 4)
    text = f"{value:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _usd(value: Decimal) -> str:
    return f"${Decimal(value):,.2f}"


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value


# -- the model ------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    scenario: Scenario
    table: PriceTable
    model: ModelRecord
    price: PriceEntry
    as_of: date
    ratio: Decimal  # multiplier for measured token counts
    lengths: tuple[int, ...]  # sorted sampled prompt lengths (measured), else ()
    prefix_sums: tuple[int, ...]
    rate_cache: dict[int, Rates] = field(default_factory=dict)


def _rates(ctx: _Context, tier: LongContextTier | None) -> Rates:
    """The entry's rates for requests in ``tier`` (computed once per tier and estimate)."""
    found = ctx.rate_cache.get(id(tier))
    if found is None:
        found = ctx.price.rates(tier, batch=ctx.scenario.batch)
        ctx.rate_cache[id(tier)] = found
    return found


def _point(sc: Scenario, ends: Mapping[str, str] | None = None) -> dict[str, Decimal | None]:
    """Every numeric field at base (or at the end named in ``ends``)."""
    out: dict[str, Decimal | None] = {}
    for name in NUMERIC_PARAMETERS:
        value = getattr(sc, name)
        if value is None:
            out[name] = None
        elif ends and name in ends:
            out[name] = getattr(value, ends[name])
        else:
            out[name] = value.base
    return out


def _req(pt: Mapping[str, Decimal | None], name: str) -> Decimal:
    value = pt[name]
    assert value is not None, name
    return value


@dataclass(frozen=True)
class _Class:
    """Requests sharing a shape: share of all requests, unique input, output, tier."""

    weight: Decimal
    unique_in: Decimal
    output: Decimal
    reasoning: Decimal
    tier: LongContextTier | None


def _request_classes(
    ctx: _Context, pt: Mapping[str, Decimal | None], p: Decimal, c: Decimal
) -> list[_Class]:
    """Split requests by shape (turn number) and, when tiers exist, by tier."""
    sc = ctx.scenario
    price = ctx.price
    k = _req(pt, "examples_per_request")
    n = _req(pt, "samples_per_prompt")
    T = int(_req(pt, "turns"))
    q = _req(pt, "reasoning_tokens")
    s = _req(pt, "shared_prefix_tokens")
    choices = F1 if sc.input_billed_per_sample else n
    shapes: list[tuple[Decimal, Decimal, Decimal, Decimal, Decimal, int]] = []
    # (weight, unique_in, output, reasoning, history, turn)
    if not price.tiers:
        # one class: the mean request over the T turns of a conversation
        # (Σ_t [t·p + (t−1)·c] / T = p·(T+1)/2 + c·(T−1)/2)
        mean_unique = p * (T + 1) / 2 + c * (T - 1) / 2
        return [_Class(F1, mean_unique, choices * k * c, choices * q, None)]
    for t in range(1, T + 1):
        history = (t - 1) * c
        shapes.append((Decimal(1) / T, t * p + history, choices * k * c, choices * q, history, t))
    classes: list[_Class] = []
    thresholds = sorted({tier.above_prompt_tokens for tier in price.tiers})
    for w, u, o, r, history, t in shapes:
        if not ctx.prefix_sums or p == 0:
            classes.append(_Class(w, u, o, r, price.tier_for(s + u)))
            continue
        # Measured: request i of the sample has unique prompt v_i·scale per turn,
        # scale = p / mean(sample), so the totals keep the measured mean.
        m = len(ctx.lengths)
        total_v = ctx.prefix_sums[-1]
        # (rounded to 20 places: a measured mean, stored at 28 digits, gives exactly 1)
        scale = (p * m / total_v).quantize(_QUANTA_SCALE)
        # prompt length of sample value v at turn t: s + t·v·scale + history
        # it exceeds threshold x when v > (x − s − history) / (t·scale)
        # v > (x − s − history) / (t·scale)  <=>  the request's prompt exceeds x
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
            classes.append(_Class(w * share, unique, o, r, tier))
    return classes


def _evaluate(ctx: _Context, pt: Mapping[str, Decimal | None], full: bool = True) -> _Calc:
    """The model at one point; ``full=False`` (sensitivity runs) skips notes and time."""
    sc = ctx.scenario
    price = ctx.price
    model = ctx.model
    notes: list[str] = []
    note = notes.append if full else _ignore
    a = _req(pt, "acceptance_rate")
    k = _req(pt, "examples_per_request")
    n = _req(pt, "samples_per_prompt")
    T = _req(pt, "turns")
    r = _req(pt, "retry_rate")
    h = _req(pt, "cache_hit_rate")
    s = _req(pt, "shared_prefix_tokens")
    q = _req(pt, "reasoning_tokens")
    measured = sc.measured_fields
    p = _req(pt, "prompt_tokens")
    c = _req(pt, "completion_tokens")
    if measured:
        p *= ctx.ratio if "prompt_tokens" in measured else F1
        c *= ctx.ratio if "completion_tokens" in measured else F1
        if sc.chat_file and T > 1:
            # a chat file measures whole conversations; the model wants per-turn tokens
            p /= T if "prompt_tokens" in measured else F1
            c /= T if "completion_tokens" in measured else F1
            note(
                "chat_file measures whole conversations: measured tokens divided by turns "
                "to get per-turn prompt and completion tokens"
            )

    # 1. volume back to requests
    d = T * (c + (p / k if sc.prompt_in_dataset else F0))
    kind, _ = sc.volume
    volume = _req(pt, kind)
    if kind == "requests":
        # requests are what is sent: billed per sample, each of the n samples is its
        # own request, so the calls (each asking for n) are a 1/n share of them
        calls = volume / n if sc.input_billed_per_sample else volume
        prompts = calls / T
        completions = prompts * n
        generated = completions * k
        accepted = generated * a
    else:
        if kind == "examples":
            accepted = volume
        elif kind == "output_tokens":
            if T * c == 0:
                raise ScenarioError(
                    "completion_tokens: must be above 0 when the volume is output_tokens"
                )
            accepted = volume / (T * c)
        else:
            if d == 0:
                raise ScenarioError(
                    "completion_tokens: an example has 0 dataset tokens, so dataset_tokens "
                    "cannot be reached"
                )
            accepted = volume / d
        generated = accepted / a
        completions = generated / k
        prompts = completions / n
        calls = prompts * T
    sent = calls * n if sc.input_billed_per_sample else calls
    R = sent * (1 + r)
    dataset_tokens = accepted * d

    # context window / max output, per request
    classes = _request_classes(ctx, pt, p, c)
    max_prompt = s + T * p + (T - 1) * c  # the last turn of the mean request
    per_completion_out = k * c + q
    if model.context_window is not None and max_prompt + per_completion_out > model.context_window:
        raise ScenarioError(
            f"prompt_tokens + completion_tokens: a request needs {_tok(max_prompt)} prompt + "
            f"{_tok(per_completion_out)} completion tokens, more than {model.id}'s context "
            f"window of {model.context_window:,}"
        )
    if model.max_output_tokens is not None and per_completion_out > model.max_output_tokens:
        raise ScenarioError(
            f"completion_tokens: a completion of {_tok(per_completion_out)} tokens "
            f"(examples_per_request × completion_tokens + reasoning_tokens) exceeds "
            f"{model.id}'s maximum output of {model.max_output_tokens:,} tokens"
        )

    # 2-4. tokens and dollars, per request class
    if sc.batch and not price.has_batch:
        raise NotAvailableError(
            f"batch: {model.id} has no batch price on {ctx.as_of.isoformat()} "
            f"(price entry from {price.effective_from.isoformat()}); drop --batch"
        )
    tokens = dict.fromkeys(TOKEN_KINDS, F0)
    costs = dict.fromkeys(COST_KINDS, F0)
    if h > 0 and s > 0 and price.cached_input is None:
        note(
            f"{model.id} has no cached-input price on {ctx.as_of.isoformat()}: cache reads "
            "billed at the input price"
        )
    for cl in classes:
        rates = _rates(ctx, cl.tier)
        in_rate, out_rate, cached_rate, write_price = (
            rates.input,
            rates.output,
            rates.cached_input,
            rates.cache_write,
        )
        if full:
            for text in rates.notes:
                note(text)
            if h > 0 and s > 0:
                for text in rates.cache_notes:
                    note(text)
        n_req = R * cl.weight
        unique = n_req * cl.unique_in
        cached = n_req * h * s
        missed = n_req * (1 - h) * s
        out = n_req * cl.output
        reasoning = n_req * cl.reasoning
        tokens["input_uncached"] += unique
        tokens["input_cached"] += cached
        tokens["output"] += out
        tokens["reasoning"] += reasoning
        costs["input_uncached"] += unique * in_rate / MILLION
        costs["input_cached"] += cached * cached_rate / MILLION
        if h > 0 and write_price is not None:
            tokens["cache_write"] += missed
            costs["cache_write"] += missed * write_price / MILLION
        else:
            tokens["input_uncached"] += missed
            costs["input_uncached"] += missed * in_rate / MILLION
        costs["output"] += out * out_rate / MILLION
        costs["reasoning"] += reasoning * rates.reasoning / MILLION
    tiers_used = sorted(
        {cl.tier.above_prompt_tokens for cl in classes if cl.tier is not None and cl.weight > 0}
    )
    if tiers_used:
        share = sum((cl.weight for cl in classes if cl.tier is not None), F0)
        note(
            f"{_pct(share)} of requests exceed {model.id}'s long-context threshold "
            f"({', '.join(f'{x:,}' for x in tiers_used)} prompt tokens) and pay tier prices"
        )
    if not sc.token_billing:
        for kind in TOKEN_KINDS:
            costs[kind] = F0
        note("token_billing = false: only the per-request price is charged")
    u = pt["per_request_usd"]
    if u is None:
        if not sc.token_billing and price.per_request is None:
            raise ScenarioError(
                f"token_billing: false, but {model.id} has no per-request price on "
                f"{ctx.as_of.isoformat()}, so nothing would be charged; give "
                "per_request_usd (--per-request-usd) or bill tokens"
            )
        u = _frac(price.per_request)
    costs["per_request"] = R * u

    # 5. time
    time: dict[str, Decimal] = {}
    if full:
        _times(sc, pt, R, tokens, time, note)

    # 6. student
    student = _student(ctx, pt, dataset_tokens, full)
    costs["student_training"] = student.pop("_cost")
    return _Calc(
        accepted=accepted,
        generated=generated,
        completions=completions,
        prompts=prompts,
        calls=calls,
        requests=R,
        dataset_tokens=dataset_tokens,
        tokens=tokens,
        costs=costs,
        time=time,
        student=student,
        notes=tuple(notes),
        derivation={
            "V": volume,
            "E": accepted,
            "a": a,
            "G": generated,
            "k": k,
            "C": completions,
            "n": n,
            "P": prompts,
            "T": T,
            "calls": calls,
            "sent": sent,
            "r": r,
            "R": R,
            "d": d,
            "c": c,
            "p": p,
            "s": s,
            "h": h,
            "u": u,
            "q": q,
        }
        if full
        else {},
    )


def _times(
    sc: Scenario,
    pt: Mapping[str, Decimal | None],
    R: Decimal,
    tokens: Mapping[str, Decimal],
    time: dict[str, Decimal],
    note: Any,
) -> None:
    """Seconds under each limit given (formulas in METHOD, section 5)."""
    total_tokens = sum(tokens.values(), F0)
    input_tokens = tokens["input_uncached"] + tokens["input_cached"] + tokens["cache_write"]
    keys = _req(pt, "keys")
    if sc.batch:
        bqt = pt["batch_queue_tokens"]
        hours = _req(pt, "batch_hours")
        if R == 0:
            rounds = 0
        elif bqt is None:
            rounds = 1
        else:
            rounds = _ceil(input_tokens / (bqt * keys))
        time["batch"] = rounds * hours * 3600
        ignored = [x for x in ("rpm", "rpd", "tpm", "tpd", "concurrency") if pt[x] is not None]
        if ignored:
            note(f"batch: {', '.join(ignored)} limits do not apply to the batch API (ignored)")
    else:
        if pt["rpm"] is not None:
            time["rpm"] = R * 60 / (_req(pt, "rpm") * keys)
        if pt["rpd"] is not None:
            time["rpd"] = R * SECONDS_PER_DAY / (_req(pt, "rpd") * keys)
        if pt["tpm"] is not None:
            time["tpm"] = total_tokens * 60 / (_req(pt, "tpm") * keys)
        if pt["tpd"] is not None:
            time["tpd"] = total_tokens * SECONDS_PER_DAY / (_req(pt, "tpd") * keys)
        latency = pt["latency_seconds"]
        concurrency = pt["concurrency"]
        if concurrency is not None and latency is None:
            raise ScenarioError(
                "latency_seconds: needed with concurrency (seconds one request takes)"
            )
        if latency is not None:
            time["concurrency"] = R * latency / ((concurrency or F1) * keys)


def _ignore(_: str) -> None:
    """A note sink for evaluations whose notes nobody reads."""


def _student(
    ctx: _Context, pt: Mapping[str, Decimal | None], dataset_tokens: Decimal, full: bool = True
) -> dict[str, Any]:
    sc = ctx.scenario
    method = sc.student_method
    if method is None:
        if sc.gpu_hours is not None:
            method = "gpu-hours"
        elif sc.student_parameters is not None:
            method = "gpu"
        elif sc.student_model is not None:
            method = "fine-tune"
        else:
            method = "none"
    out: dict[str, Any] = {"method": method, "_cost": F0}
    if method == "none":
        return out
    per_epoch = pt["training_tokens"] if pt["training_tokens"] is not None else dataset_tokens
    epochs = _req(pt, "epochs")
    D = per_epoch * epochs
    if full:
        out["training_tokens"] = tokens_dec(D)
        out["epochs"] = _dec(epochs, 6)
    if method == "fine-tune":
        if sc.student_model is None:
            raise ScenarioError("student_model: needed for student method fine-tune")
        try:  # say it is the student's model: "unknown model" alone reads as the teacher
            record = ctx.table.get(sc.student_model)
            entry = record.price_on(ctx.as_of)
        except DistillcostError as exc:
            raise ScenarioError(f"student_model: {exc}") from None
        if entry.training is None:
            raise NotAvailableError(
                f"student_model: {record.id} has no fine-tuning (training) price on "
                f"{ctx.as_of.isoformat()}"
            )
        out["model"] = record.id
        out["training_price"] = entry.training
        out["price_source"] = entry.source
        out["_cost"] = D * Decimal(entry.training) / MILLION
        return out
    if method == "gpu-hours":
        hours = pt["gpu_hours"]
        if hours is None:
            raise ScenarioError("gpu_hours: needed for student method gpu-hours")
    else:  # gpu
        N = pt["student_parameters"]
        if N is None:
            raise ScenarioError("student_parameters: needed for student method gpu (6·N·D)")
        peak = pt["gpu_tflops"]
        if peak is None:
            if sc.gpu is None:
                raise ScenarioError("gpu: name a GPU preset (or give gpu_tflops)")
            from distillcost.gpus import get_gpu

            gpu = get_gpu(sc.gpu)
            peak = Decimal(gpu.peak_tflops)
            out["gpu"] = gpu.id
            out["gpu_source"] = gpu.source
        util = _req(pt, "utilisation")
        flops = 6 * N * D
        hours = flops / (peak * 10**12 * util) / 3600
        if full:
            out["flops"] = _dec(flops, 0)
            out["peak_tflops"] = _dec(peak, 3)
            out["utilisation"] = _dec(util, 6)
    rate = pt["usd_per_gpu_hour"]
    if rate is None:
        raise ScenarioError(f"usd_per_gpu_hour: needed for student method {method}")
    if full:
        out["gpu_hours"] = _dec(hours, 6)
        out["usd_per_gpu_hour"] = _dec(rate, 6)
    out["_cost"] = hours * rate
    return out


def _long_prompt_note(
    sc: Scenario, model: ModelRecord, lengths: tuple[int, ...], ratio: Decimal
) -> list[str]:
    """Sampled prompts that would not fit the context window (the mean request fits)."""
    assert model.context_window is not None and sc.prompt_tokens is not None
    assert sc.completion_tokens is not None
    scale = sc.prompt_tokens.base * ratio * len(lengths) / sc.prompt_lengths_total
    if scale <= 0:
        return []
    room = (
        model.context_window
        - sc.shared_prefix_tokens.base
        - sc.examples_per_request.base
        * sc.completion_tokens.base
        * (ratio if "completion_tokens" in sc.measured_fields else 1)
        - sc.reasoning_tokens.base
    )
    # lengths are sorted: those with v·scale > room are the tail past room/scale
    too_long = len(lengths) - bisect.bisect_right(lengths, math.floor(room / scale))
    if not too_long:
        return []
    return [
        f"{too_long:,} of {len(lengths):,} sampled prompts would not fit {model.id}'s context "
        f"window of {model.context_window:,} tokens with their completion; they are priced "
        "as if they did"
    ]


def _tok(value: Decimal) -> str:
    return f"{math.ceil(value):,}"


def _pct(value: Decimal) -> str:
    return f"{float(value) * 100:.1f}%"


# -- public entry point -----------------------------------------------------------


def estimate(
    scenario: Scenario,
    table: PriceTable,
    *,
    teacher: str | None = None,
    as_of: date | None = None,
) -> Estimate:
    """Price ``scenario`` against ``table`` (teacher/as_of override the scenario's).

    Pure. Raises UnknownModelError (unknown teacher), NotAvailableError (no price
    on the date, no batch price, no fine-tuning price) and ScenarioError (an
    incomplete or impossible scenario, naming the field).
    """
    with localcontext() as context:
        context.prec = PRECISION
        context.rounding = ROUND_HALF_EVEN
        return _estimate(scenario, table, teacher, as_of)


def _estimate(
    scenario: Scenario, table: PriceTable, teacher: str | None, as_of: date | None
) -> Estimate:
    if teacher is not None:
        scenario = scenario.with_values(teacher=teacher)
    check_complete(scenario)
    assert scenario.teacher is not None
    when = as_of or scenario.as_of or date.today()
    model = table.get(scenario.teacher)
    price = model.price_on(when)
    notes: list[str] = []

    ratio = F1
    if scenario.measured_fields:
        if model.token_ratio is not None:
            # token_ratio is provider tokens per token of the model's `encoding`
            ratio = Decimal(model.token_ratio)
            notes.append(
                f"measured token counts × {model.token_ratio} for {model.id}'s tokenizer "
                f"(provider tokens per {model.encoding} token)"
                + (f"; {model.tokenizer_source}" if model.tokenizer_source else "")
            )
        if scenario.measured_encoding != model.encoding:
            notes.append(
                f"tokens measured with {scenario.measured_encoding}; {model.id} uses "
                f"{model.encoding}: counts are approximate"
            )
    if model.tokenizer_approximate:
        notes.append(
            f"{model.id}: token counts are approximate "
            f"({model.tokenizer_source or 'provider tokenizer not public'})"
        )
    if not price.verified:
        notes.append(
            f"price of {model.id} from {price.effective_from.isoformat()} is not verified in a "
            "primary source"
        )
    sources = {
        "prompt_tokens": scenario.chat_file or scenario.prompt_file,
        "completion_tokens": scenario.chat_file or scenario.completion_file,
    }
    for name, files in sources.items():
        if files and name not in scenario.measured_fields:
            value = getattr(scenario, name)
            notes.append(
                f"{name} = {value} was given, so it is used rather than measured from "
                f"{', '.join(files)}"
            )
    today = date.today()
    if when > today:  # --as-of 2099-01-01 silently priced the future at today's prices
        notes.append(
            f"{when.isoformat()} is in the future: future price changes are unknown, so the "
            f"price in force today (from {price.effective_from.isoformat()}) is assumed"
        )
    lengths: tuple[int, ...] = ()
    prefix: tuple[int, ...] = ()
    if "prompt_tokens" in scenario.measured_fields and scenario.prompt_lengths:
        lengths = scenario.sorted_prompt_lengths
        if lengths[-1] == 0:  # all prompts empty: nothing to split
            lengths = ()
        elif price.tiers:  # only tiers need the prefix sums
            prefix = tuple(itertools.accumulate(lengths, initial=0))
    ctx = _Context(scenario, table, model, price, when, ratio, lengths, prefix)

    base_point = _point(scenario)
    base = _evaluate(ctx, base_point)
    notes.extend(base.notes)
    if lengths and model.context_window is not None:
        notes.extend(_long_prompt_note(scenario, model, lengths, ratio))

    def total_at(changes: Mapping[str, Decimal]) -> Decimal:
        return _evaluate(ctx, {**base_point, **changes}, full=False).total

    sens: list[Sensitivity] = []
    low_changes: dict[str, Decimal] = {}
    high_changes: dict[str, Decimal] = {}
    ends: list[Decimal] = []
    for name in scenario.ranged:
        rng = getattr(scenario, name)
        at_low = total_at({name: rng.low})
        at_high = total_at({name: rng.high})
        ends += [at_low, at_high]
        sens.append(Sensitivity(name, rng.low, rng.high, money(at_low), money(at_high)))
        if at_high < at_low:
            low_changes[name], high_changes[name] = rng.high, rng.low
        else:
            low_changes[name], high_changes[name] = rng.low, rng.high
    sens.sort(key=lambda x: (-x.swing_usd, x.parameter))
    if len(sens) == 1:  # one range: its two ends are the low and high totals
        low_total, high_total = min(ends), max(ends)
    elif sens:
        low_total = total_at(low_changes)
        high_total = total_at(high_changes)
    else:
        low_total = high_total = base.total

    wall = max(base.time.values()) if base.time else None
    binding = max(base.time, key=lambda key: base.time[key]) if base.time else "none given"
    api = base.api
    per_1m = api / base.dataset_tokens * MILLION if base.dataset_tokens else None
    return Estimate(
        scenario=scenario,
        teacher=model.id,
        provider=model.provider,
        as_of=when,
        model=model,
        price=price,
        total_usd=money(base.total),
        low_usd=money(low_total),
        high_usd=money(high_total),
        api_usd=money(api),
        student_usd=money(base.costs["student_training"]),
        requests=_ceil(base.requests),
        requests_exact=tokens_dec(base.requests),
        generated_examples=tokens_dec(base.generated),
        accepted_examples=tokens_dec(base.accepted),
        dataset_tokens=tokens_dec(base.dataset_tokens),
        tokens={k: tokens_dec(v) for k, v in base.tokens.items()},
        costs={k: money(v) for k, v in base.costs.items()},
        time={k: _dec(v, 3) for k, v in base.time.items()},
        wall_clock_seconds=_dec(wall, 3) if wall is not None else None,
        wall_clock_days=_dec(wall / SECONDS_PER_DAY, 6) if wall is not None else None,
        binding_limit=binding,
        usd_per_1m_dataset_tokens=money(per_1m) if per_1m is not None else None,
        student=base.student,
        sensitivity=tuple(sens),
        low_point=low_changes,
        high_point=high_changes,
        notes=tuple(dict.fromkeys(notes)),
        derivation=base.derivation,
    )


__all__ = [
    "COST_KINDS",
    "METHOD",
    "TOKEN_KINDS",
    "Estimate",
    "Sensitivity",
    "estimate",
]
