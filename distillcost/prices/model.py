"""Price records: a model, its dated price entries, and what tokens cost under them.

All prices are ``Decimal`` USD per 1M tokens (``per_request`` is USD per request).
A model keeps its whole *history*; :meth:`ModelRecord.price_on` picks the entry in
force on a date, which is what lets distillcost price a campaign on any past day.

Each field of these dataclasses is tied to its :class:`~distillcost.prices.declarations.Key`
(``metadata["key"]``): :func:`keys_of` lists them in order, and the file formats,
validation and tables derive from that list. The billing rules live here too, with
the prices they apply to (:meth:`PriceEntry.rates`). Pure: no I/O.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from distillcost.errors import NotAvailableError
from distillcost.prices import declarations as k
from distillcost.prices import values
from distillcost.prices.billing import Conditions, Rates

PRICE_UNIT = k.PER_MTOK
MILLION = Decimal(1_000_000)
ZERO = Decimal(0)
ONE = Decimal(1)


def declared(key: k.Key, **kw: Any) -> Any:
    """A dataclass field declared by ``key`` (``nested``: a list of sub-records)."""
    metadata = {"key": key}
    if "nested" in kw:
        metadata["nested"] = kw.pop("nested")
    return field(metadata=metadata, **kw)


def keys_of(cls: type) -> tuple[k.Key, ...]:
    """The declared keys of a record class, in field order (nested ones included)."""
    return tuple(f.metadata["key"] for f in dataclasses.fields(cls) if "key" in f.metadata)


def fields_of(cls: type) -> Iterator[tuple[str, k.Key, type | None]]:
    """(attribute, key, nested record class or None) for every declared field."""
    for f in dataclasses.fields(cls):
        if "key" in f.metadata:
            yield f.name, f.metadata["key"], f.metadata.get("nested")


def _record_dict(record: Any) -> dict[str, Any]:
    """A record in the file schema's shape: declared keys only, ``None`` left out."""
    out: dict[str, Any] = {}
    for attr, key, nested in fields_of(type(record)):
        value = getattr(record, attr)
        if value is None:
            continue
        if nested is not None:
            if value:
                out[key.name] = [_record_dict(item) for item in value]
            continue
        out[key.name] = list(value) if isinstance(value, tuple) else value
    return out


TIERS = k.Key("tiers", "long-context tiers, decided per request", lambda v: v)
SERVICE_TIERS = k.Key(
    "service_tiers", "prices of the provider's service tiers (flex, priority, fast …)", lambda v: v
)
WINDOWS = k.Key("windows", "prices for traffic sent at certain hours (off-peak)", lambda v: v)
PRICES = k.Key("prices", "the dated price entries", lambda v: v, required=True)
LIMITS = k.Key("limits", "the model's request limits when they changed over time", lambda v: v)
DISPUTES = k.Key(
    "disputes", "disagreements with genai-prices or LiteLLM, recorded with evidence", lambda v: v
)


@dataclass(frozen=True)
class LongContextTier:
    """Prices that apply to a whole request whose prompt exceeds a threshold.

    Tiers are decided per request (Gemini, Claude Sonnet 4.5 long context): a
    request with ``prompt_tokens > above_prompt_tokens`` pays these rates for
    all of its tokens; ``None`` fields fall back to the base entry's.
    """

    above_prompt_tokens: int = declared(k.ABOVE_PROMPT_TOKENS)
    input: Decimal = declared(k.INPUT)
    output: Decimal = declared(k.OUTPUT)
    cached_input: Decimal | None = declared(k.CACHED_INPUT, default=None)
    cache_write: Decimal | None = declared(k.CACHE_WRITE, default=None)
    cache_write_1h: Decimal | None = declared(k.CACHE_WRITE_1H, default=None)

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)


@dataclass(frozen=True)
class ServiceTier:
    """A service tier's prices (flex, priority, fast): what a campaign on it pays instead."""

    name: str = declared(k.SERVICE_TIER_NAME)
    input: Decimal = declared(k.INPUT)
    output: Decimal = declared(k.OUTPUT)
    cached_input: Decimal | None = declared(k.CACHED_INPUT, default=None)
    cache_write: Decimal | None = declared(k.CACHE_WRITE, default=None)
    cache_write_1h: Decimal | None = declared(k.CACHE_WRITE_1H, default=None)

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)


@dataclass(frozen=True)
class TimeWindow:
    """Prices for traffic sent in a daily window (UTC) and on whole days (DeepSeek off-peak).

    Windows of one name add up: DeepSeek V4's off-peak hours are two windows a day.
    """

    name: str = declared(k.WINDOW_NAME)
    utc_hours: str = declared(k.UTC_HOURS)
    whole_days: tuple[str, ...] = declared(k.WHOLE_DAYS, default=())
    input: Decimal = declared(k.INPUT, default=ZERO)
    output: Decimal = declared(k.OUTPUT, default=ZERO)
    cached_input: Decimal | None = declared(k.CACHED_INPUT, default=None)
    cache_write: Decimal | None = declared(k.CACHE_WRITE, default=None)
    cache_write_1h: Decimal | None = declared(k.CACHE_WRITE_1H, default=None)

    def minutes(self) -> tuple[int, int]:
        """(start, end) minutes after midnight UTC; end < start wraps midnight."""
        start, end = self.utc_hours.split("-")
        return _minutes(start), _minutes(end)

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def window_share(windows: tuple[TimeWindow, ...]) -> Decimal:
    """The share of a week's hours the windows cover (days, then hours, may overlap)."""
    covered: set[tuple[int, int]] = set()
    for window in windows:
        start, end = window.minutes()
        for day in range(7):
            if values.WEEKDAYS[day] in window.whole_days:
                covered.update((day, m) for m in range(1440))
                continue
            span = range(start, end) if start < end else (*range(start, 1440), *range(0, end))
            covered.update((day, m) for m in span)
    return Decimal(len(covered)) / Decimal(7 * 1440)


@dataclass(frozen=True)
class Dispute:
    """A known disagreement with a maintained dataset, and the evidence that we are right."""

    dataset: str = declared(k.DISPUTE_DATASET)
    field: str = declared(k.DISPUTE_FIELD)
    theirs: Decimal = declared(k.DISPUTE_THEIRS)
    why: str = declared(k.DISPUTE_WHY)

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)


@dataclass(frozen=True)
class ModelLimits:
    """A model's request limits from a date (a context window that grew or shrank)."""

    effective_from: date = declared(k.LIMITS_FROM)
    context_window: int | None = declared(k.CONTEXT_WINDOW, default=None)
    max_input_tokens: int | None = declared(k.MAX_INPUT_TOKENS, default=None)
    max_output_tokens: int | None = declared(k.MAX_OUTPUT_TOKENS, default=None)
    source: str = declared(k.LIMITS_SOURCE, default="")

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)


@dataclass(frozen=True)
class PriceEntry:
    """The prices of one model from ``effective_from`` until the next entry."""

    effective_from: date = declared(k.EFFECTIVE_FROM)
    input: Decimal = declared(k.INPUT)
    output: Decimal = declared(k.OUTPUT)
    cached_input: Decimal | None = declared(k.CACHED_INPUT, default=None)
    cache_write: Decimal | None = declared(k.CACHE_WRITE, default=None)
    cache_write_1h: Decimal | None = declared(k.CACHE_WRITE_1H, default=None)
    batch_input: Decimal | None = declared(k.BATCH_INPUT, default=None)
    batch_output: Decimal | None = declared(k.BATCH_OUTPUT, default=None)
    batch_cache: str | None = declared(k.BATCH_CACHE, default=None)
    tiers: tuple[LongContextTier, ...] = declared(TIERS, default=(), nested=LongContextTier)
    service_tiers: tuple[ServiceTier, ...] = declared(SERVICE_TIERS, default=(), nested=ServiceTier)
    windows: tuple[TimeWindow, ...] = declared(WINDOWS, default=(), nested=TimeWindow)
    reasoning_billed_as_output: bool = declared(k.REASONING_BILLED, default=True)
    training: Decimal | None = declared(k.TRAINING, default=None)
    ft_input: Decimal | None = declared(k.FT_INPUT, default=None)
    ft_cached_input: Decimal | None = declared(k.FT_CACHED_INPUT, default=None)
    ft_output: Decimal | None = declared(k.FT_OUTPUT, default=None)
    per_request: Decimal | None = declared(k.PER_REQUEST_PRICE, default=None)
    source: str = declared(k.SOURCE, default="")
    checked: date | None = declared(k.CHECKED, default=None)
    verified: bool = declared(k.VERIFIED, default=False)
    notes: str = declared(k.NOTES, default="")
    disputes: tuple[Dispute, ...] = declared(DISPUTES, default=(), nested=Dispute)
    unit: str = PRICE_UNIT

    @property
    def has_batch(self) -> bool:
        return self.batch_input is not None and self.batch_output is not None

    def to_dict(self) -> dict[str, Any]:
        """The entry in the file schema's shape (``None`` fields left out)."""
        return _record_dict(self)

    def tier_for(self, prompt_tokens: int | Decimal) -> LongContextTier | None:
        """The long-context tier a request of this prompt length falls in, if any."""
        chosen = None
        for tier in sorted(self.tiers, key=lambda t: t.above_prompt_tokens):
            if prompt_tokens > tier.above_prompt_tokens:
                chosen = tier
        return chosen

    def service_tier(self, name: str) -> ServiceTier | None:
        return next((t for t in self.service_tiers if t.name == name), None)

    def window_names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(w.name for w in self.windows))

    def rates(
        self, tier: LongContextTier | None = None, conditions: Conditions | None = None
    ) -> Rates:
        """What each token kind costs for requests in ``tier`` under ``conditions``.

        See :mod:`distillcost.prices.billing` for the rules (batch, service tiers,
        time windows, cache lifetimes, caps).
        """
        from distillcost.prices.billing import rates

        return rates(self, tier, conditions or Conditions())


@dataclass(frozen=True)
class Served:
    """From ``start``, a moving name (``gpt-4o``) served the model ``model``."""

    start: date
    model: str


@dataclass(frozen=True)
class ModelRecord:
    """A model: identity, tokenizer, limits, and its dated price history."""

    id: str = declared(k.ID)
    provider: str = declared(k.PROVIDER)
    history: tuple[PriceEntry, ...] = declared(PRICES, nested=PriceEntry)
    aliases: tuple[str, ...] = declared(k.ALIASES, default=())
    encoding: str = declared(k.ENCODING, default="o200k_base")
    # Provider tokens per token of ``encoding`` for non-OpenAI tokenizers; None = exact.
    token_ratio: Decimal | None = declared(k.TOKEN_RATIO, default=None)
    tokenizer_approximate: bool = declared(k.TOKENIZER_APPROXIMATE, default=False)
    tokenizer_source: str = declared(k.TOKENIZER_SOURCE, default="")
    context_window: int | None = declared(k.CONTEXT_WINDOW, default=None)
    max_output_tokens: int | None = declared(k.MAX_OUTPUT_TOKENS, default=None)
    limits: tuple[ModelLimits, ...] = declared(LIMITS, default=(), nested=ModelLimits)
    status: str = declared(k.STATUS, default="ga")
    reasoning: str | None = declared(k.REASONING, default=None)
    reasoning_efforts: tuple[str, ...] = declared(k.REASONING_EFFORTS, default=())
    released: date | None = declared(k.RELEASED, default=None)
    retired: date | None = declared(k.RETIRED, default=None)
    origin: str = "built-in"
    overrides: tuple[str, ...] = field(default=(), compare=False)
    notes: str = declared(k.MODEL_NOTES, default="")
    # A moving name's targets, oldest first (set by prices.aliases)
    served: tuple[Served, ...] = field(default=(), compare=False, repr=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.history, key=lambda e: e.effective_from))
        object.__setattr__(self, "history", ordered)
        limits = tuple(sorted(self.limits, key=lambda x: x.effective_from))
        object.__setattr__(self, "limits", limits)

    def limits_on(self, as_of: date) -> ModelLimits:
        """The request limits in force on ``as_of``: the latest dated change, each field
        falling back to the model's own (a change may give only what changed)."""
        out = ModelLimits(
            effective_from=self.released or date.min,
            context_window=self.context_window,
            max_output_tokens=self.max_output_tokens,
        )
        for change in self.limits:
            if change.effective_from > as_of:
                break
            out = ModelLimits(
                effective_from=change.effective_from,
                context_window=change.context_window or out.context_window,
                max_input_tokens=change.max_input_tokens or out.max_input_tokens,
                max_output_tokens=change.max_output_tokens or out.max_output_tokens,
                source=change.source,
            )
        return out

    def served_on(self, as_of: date) -> str | None:
        """For a moving name, the model it pointed at on ``as_of`` (else None)."""
        current = None
        for target in self.served:
            if target.start <= as_of:
                current = target.model
        return current

    @property
    def first_priced(self) -> date | None:
        return self.history[0].effective_from if self.history else None

    def is_retired(self, as_of: date) -> bool:
        return self.retired is not None and as_of >= self.retired

    def available_on(self, as_of: date) -> bool:
        first = self.first_priced
        return first is not None and as_of >= first and not self.is_retired(as_of)

    def entry_on(self, as_of: date) -> PriceEntry | None:
        """The latest entry with effective_from <= as_of, retired or not (None before)."""
        dates = [e.effective_from for e in self.history]
        index = bisect.bisect_right(dates, as_of) - 1
        return self.history[index] if index >= 0 else None

    def price_on(self, as_of: date) -> PriceEntry:
        """The entry in force on ``as_of`` (the latest with effective_from <= as_of)."""
        first = self.first_priced
        if first is None or as_of < first:
            when = f"; first priced {first.isoformat()}" if first else ""
            raise NotAvailableError(f"model {self.id!r} has no price on {as_of.isoformat()}{when}")
        if self.is_retired(as_of):
            assert self.retired is not None
            on = "" if as_of == self.retired else f" (asked for {as_of.isoformat()})"
            raise NotAvailableError(
                f"model {self.id!r} was retired on {self.retired.isoformat()}{on}"
            )
        entry = self.entry_on(as_of)
        assert entry is not None
        return entry

    def change_dates(self) -> list[date]:
        """Every date on which this model's price changed (for `history`)."""
        return [e.effective_from for e in self.history]

    def last_price(self) -> PriceEntry:
        """The newest entry (what a retired model cost when it was withdrawn)."""
        return self.history[-1]

    def status_on(self, as_of: date) -> str:
        """``available``, ``retired YYYY-MM-DD`` or ``not yet priced`` on ``as_of``."""
        if self.is_retired(as_of):
            assert self.retired is not None
            return f"retired {self.retired.isoformat()}"
        return "available" if self.available_on(as_of) else "not yet priced"

    def to_dict(self) -> dict[str, Any]:
        """The model in the file schema's shape, history under ``prices``."""
        return _record_dict(self)
