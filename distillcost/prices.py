"""Price records and the price table: dated, sourced, exact.

All prices are ``Decimal`` USD per 1M tokens (``per_request`` is USD per
request), parsed from text so no float ever touches them. A model keeps its
whole price *history*; :meth:`ModelRecord.price_on` picks the entry in force on
a date, which is what lets distillcost price a campaign on any past day.

This module is pure: it knows nothing of click or templates. Loading tables from
files and plugins lives below the data model.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from distillcost.errors import NotAvailableError, UnknownModelError

PRICE_UNIT = "USD per 1M tokens"
MILLION = Decimal(1_000_000)


@dataclass(frozen=True)
class LongContextTier:
    """Prices that apply to a whole request whose prompt exceeds a threshold.

    Tiers are decided per request (Gemini, Claude Sonnet 4.5 long context): a
    request with ``prompt_tokens > above_prompt_tokens`` pays these rates for
    all of its tokens; ``None`` fields fall back to the base entry's.
    """

    above_prompt_tokens: int
    input: Decimal
    output: Decimal
    cached_input: Decimal | None = None
    cache_write: Decimal | None = None


@dataclass(frozen=True)
class PriceEntry:
    """The prices of one model from ``effective_from`` until the next entry."""

    effective_from: date
    input: Decimal
    output: Decimal
    cached_input: Decimal | None = None
    cache_write: Decimal | None = None
    batch_input: Decimal | None = None
    batch_output: Decimal | None = None
    tiers: tuple[LongContextTier, ...] = ()
    reasoning_billed_as_output: bool = True
    training: Decimal | None = None
    per_request: Decimal | None = None
    source: str = ""
    checked: date | None = None
    verified: bool = False
    notes: str = ""
    unit: str = PRICE_UNIT

    @property
    def has_batch(self) -> bool:
        return self.batch_input is not None and self.batch_output is not None

    def tier_for(self, prompt_tokens: int | Decimal) -> LongContextTier | None:
        """The long-context tier a request of this prompt length falls in, if any."""
        chosen = None
        for tier in sorted(self.tiers, key=lambda t: t.above_prompt_tokens):
            if prompt_tokens > tier.above_prompt_tokens:
                chosen = tier
        return chosen


@dataclass(frozen=True)
class ModelRecord:
    """A model: identity, tokenizer, limits, and its dated price history."""

    id: str
    provider: str
    history: tuple[PriceEntry, ...]
    aliases: tuple[str, ...] = ()
    encoding: str = "o200k_base"
    # Provider tokens per token of ``encoding`` for non-OpenAI tokenizers; None = exact.
    token_ratio: Decimal | None = None
    tokenizer_approximate: bool = False
    tokenizer_source: str = ""
    context_window: int | None = None
    max_output_tokens: int | None = None
    released: date | None = None
    retired: date | None = None
    origin: str = "built-in"
    overrides: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.history, key=lambda e: e.effective_from))
        object.__setattr__(self, "history", ordered)

    @property
    def first_priced(self) -> date | None:
        return self.history[0].effective_from if self.history else None

    def is_retired(self, as_of: date) -> bool:
        return self.retired is not None and as_of >= self.retired

    def available_on(self, as_of: date) -> bool:
        first = self.first_priced
        return first is not None and as_of >= first and not self.is_retired(as_of)

    def price_on(self, as_of: date) -> PriceEntry:
        """The entry in force on ``as_of`` (the latest with effective_from <= as_of)."""
        first = self.first_priced
        if first is None or as_of < first:
            when = f"; first priced {first.isoformat()}" if first else ""
            raise NotAvailableError(f"model {self.id!r} has no price on {as_of.isoformat()}{when}")
        if self.is_retired(as_of):
            assert self.retired is not None
            raise NotAvailableError(
                f"model {self.id!r} was retired on {self.retired.isoformat()}, "
                f"before {as_of.isoformat()}"
            )
        dates = [e.effective_from for e in self.history]
        return self.history[bisect.bisect_right(dates, as_of) - 1]

    def change_dates(self) -> list[date]:
        """Every date on which this model's price changed (for `history`)."""
        return [e.effective_from for e in self.history]


class PriceTable:
    """Models by id, with exact alias lookup (never substring matching)."""

    def __init__(self, models: Iterable[ModelRecord], version: str = "") -> None:
        self._models: dict[str, ModelRecord] = {}
        self._names: dict[str, str] = {}
        for record in models:
            self._models[record.id] = record
        for record in self._models.values():
            for name in (record.id, *record.aliases):
                self._names[name] = record.id
        self.version = version

    def __iter__(self) -> Iterator[ModelRecord]:
        return iter(self._models.values())

    def __len__(self) -> int:
        return len(self._models)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def ids(self) -> list[str]:
        return list(self._models)

    def get(self, name: str) -> ModelRecord:
        """The model called ``name`` (id or alias, exactly), else a did-you-mean error."""
        model_id = self._names.get(name)
        if model_id is None:
            raise UnknownModelError(name, self._names)
        return self._models[model_id]

    def on(self, as_of: date) -> list[tuple[ModelRecord, PriceEntry]]:
        """Every model with a price in force on ``as_of``, with that price."""
        return [(m, m.price_on(as_of)) for m in self._models.values() if m.available_on(as_of)]
