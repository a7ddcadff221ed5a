"""What tokens cost under a campaign's conditions: the billing rules, with the prices.

A :class:`~distillcost.prices.model.PriceEntry` lists prices; :func:`rates` turns them
into the USD per 1M tokens paid for each token kind of a request, given where the
request falls (a long-context tier) and what the campaign chose (:class:`Conditions`):

- **Long-context tier**: the tier's rates replace the entry's for the whole request.
- **Service tier** (flex, priority, fast) and **batch**: their published prices replace
  the standard ones; a long-context tier's rates, and any kind the modifier does not
  list, move by the same ratio (input-side kinds by the input ratio, output by output).
- **Batch and the cache** follow the entry's ``batch_cache`` rule: ``discounted`` (the
  batch ratio applies to cache reads and writes: Anthropic, OpenAI's GPT-5 tables),
  ``undiscounted`` (cache prices as listed), ``not-cached`` (batch requests are not
  cached: reads cost batch input, nothing is written). Unknown or ``unpublished`` (the
  provider states no rule, e.g. OpenAI before GPT-5): discounted, and noted.
- **Time windows** (off-peak): the share of traffic sent in the window pays the window's
  prices (or the same ratio); rates blend linearly, so cost stays exact.
- **Cache lifetime**: the share of cache writes made with a 1-hour TTL pays
  ``cache_write_1h``.
- A cache read never costs more than the input rate in force; without a cached price it
  costs the input rate; without a write price, the missed prefix is billed as input.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from distillcost.errors import NotAvailableError
from distillcost.prices import declarations as k

if TYPE_CHECKING:
    from distillcost.prices.model import LongContextTier, PriceEntry

ZERO = Decimal(0)
ONE = Decimal(1)
STANDARD = "standard"
KINDS = tuple(key.name for key in k.RATES)  # input, cached_input, cache writes, output
INPUT_SIDE = tuple(kind for kind in KINDS if kind != "output")


@dataclass(frozen=True)
class Conditions:
    """The campaign's choices that decide which of an entry's prices apply.

    Field names are the scenario's, so the estimator passes them by name.
    """

    batch: bool = False
    service_tier: str = STANDARD
    off_peak_share: Decimal = ZERO  # share of traffic sent in the entry's time windows
    cache_write_1h_share: Decimal = ZERO  # share of cache writes with a 1-hour lifetime


@dataclass(frozen=True)
class Rates:
    """USD per 1M tokens paid for each token kind of a request, under its conditions.

    ``cache_write`` is ``None`` when the entry bills no cache writes: the missed
    prefix is then ordinary input. ``notes`` say which billing rules were assumed;
    ``cache_notes`` those that matter only when the campaign reads or writes a cache.
    """

    input: Decimal
    cached_input: Decimal
    cache_write: Decimal | None
    output: Decimal
    reasoning: Decimal
    notes: tuple[str, ...] = ()
    cache_notes: tuple[str, ...] = ()


BATCH_CACHE_ASSUMED = (
    "batch discount applied to cache read and write prices too (Anthropic bills "
    "batches at half of all usage; assumed to stack the same way elsewhere)"
)
BATCH_TIER_NOTE = "batch discount applied to long-context tier prices in the same ratio"


def service_tier_note(name: str) -> str:
    """Said when a service tier, which lists no long-context prices, meets a tier."""
    return (
        f"service tier {name}: no published long-context {name} rate; its ratio to "
        "standard applied to the long-context tier prices"
    )


def _set(source: Any, fallback: dict[str, Decimal | None] | None = None) -> dict[str, Any]:
    """The rates a price set (entry, tier, service tier, window) lists, by kind."""
    out = {kind: getattr(source, kind, None) for kind in KINDS}
    if fallback is not None:
        out = {kind: fallback[kind] if out[kind] is None else out[kind] for kind in KINDS}
    return out


def _ratio(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    if part is None or whole is None or whole == 0:
        return None
    return Decimal(part) / Decimal(whole)


def _modified(
    base: dict[str, Decimal | None],
    standard: dict[str, Decimal | None],
    listed: dict[str, Decimal | None],
    exact: bool,
) -> dict[str, Decimal | None]:
    """``base`` moved by a modifier that lists ``listed`` prices against ``standard`` ones.

    ``exact``: base is the standard set itself, so a listed price is used as it is
    (no ratio, no rounding); else every kind moves by the listed/standard ratio, a kind
    the modifier does not list by the input (or output) ratio.
    """
    in_ratio = _ratio(listed["input"], standard["input"]) or ONE
    out_ratio = _ratio(listed["output"], standard["output"]) or ONE
    out: dict[str, Decimal | None] = {}
    for kind in KINDS:
        value = base[kind]
        if value is None:
            out[kind] = None
        elif exact and listed[kind] is not None:
            out[kind] = listed[kind]
        else:
            ratio = _ratio(listed[kind], standard[kind])
            fallback = in_ratio if kind in INPUT_SIDE else out_ratio
            out[kind] = Decimal(value) * (ratio if ratio is not None else fallback)
    return out


def _blend(peak: Decimal | None, off: Decimal | None, share: Decimal) -> Decimal | None:
    """The rate paid when ``share`` of the traffic pays ``off`` and the rest ``peak``."""
    if peak is None:
        return None
    return (1 - share) * peak + share * (peak if off is None else off)


def rates(entry: PriceEntry, tier: LongContextTier | None, conditions: Conditions) -> Rates:
    """USD per 1M tokens per token kind for requests in ``tier`` under ``conditions``."""
    notes: list[str] = []
    cache_notes: list[str] = []
    standard = _set(entry)
    current = _set(tier, standard) if tier is not None else dict(standard)
    exact = tier is None
    if conditions.service_tier != STANDARD:
        if conditions.batch:
            raise NotAvailableError(
                f"service_tier: {conditions.service_tier} and batch are separate ways to "
                "buy the same tokens; choose one"
            )
        chosen = entry.service_tier(conditions.service_tier)
        if chosen is None:
            known = ", ".join(t.name for t in entry.service_tiers) or "none"
            raise NotAvailableError(
                f"service_tier: no {conditions.service_tier!r} prices in the entry from "
                f"{entry.effective_from.isoformat()} (service tiers: {known})"
            )
        current = _modified(current, standard, _set(chosen), exact)
        if tier is not None:
            notes.append(service_tier_note(chosen.name))
    if conditions.batch and entry.has_batch:
        listed = {**dict.fromkeys(KINDS), "input": entry.batch_input, "output": entry.batch_output}
        rule = entry.batch_cache
        cache_before = {kind: current[kind] for kind in INPUT_SIDE if kind != "input"}
        current = _modified(current, standard, listed, exact)
        if rule == "undiscounted":
            current.update(cache_before)
        elif rule == "not-cached":
            current["cached_input"] = current["input"]
            current["cache_write"] = current["cache_write_1h"] = None
        elif rule is None or rule == "unpublished":
            cache_notes.append(BATCH_CACHE_ASSUMED)
        if tier is not None:
            notes.append(BATCH_TIER_NOTE)
    share = Decimal(conditions.off_peak_share)
    if share:
        if not entry.windows:
            raise NotAvailableError(
                f"off_peak_share: the entry from {entry.effective_from.isoformat()} has no "
                "off-peak prices"
            )
        window = _modified(current, standard, _set(entry.windows[0]), exact)
        current = {kind: _blend(current[kind], window[kind], share) for kind in KINDS}
    input_rate = Decimal(current["input"])
    cached = current["cached_input"]
    write = current["cache_write"]
    one_hour = Decimal(conditions.cache_write_1h_share)
    if one_hour:
        if current["cache_write_1h"] is None:
            raise NotAvailableError(
                f"cache_write_1h_share: no 1-hour cache write price in the entry from "
                f"{entry.effective_from.isoformat()}"
            )
        base_write = write if write is not None else current["cache_write_1h"]
        write = (1 - one_hour) * base_write + one_hour * current["cache_write_1h"]
    output = Decimal(current["output"])
    return Rates(
        input=input_rate,
        cached_input=min(Decimal(cached), input_rate) if cached is not None else input_rate,
        cache_write=Decimal(write) if write is not None else None,
        output=output,
        reasoning=output if entry.reasoning_billed_as_output else ZERO,
        notes=tuple(notes),
        cache_notes=tuple(cache_notes),
    )
