"""Keep the curated tables true: compare them with a maintained dataset, field by field.

Each curated model is matched to the other dataset's record of the same provider and
exact name; the two are compared on every date the other dataset says a price
changed, on the audit's date, and on the last day a retired model was sold. A
disagreement is a price the other dataset gives that the curated entry in force gives
differently or not at all (a price only the curated table has is not one: the
datasets are incomplete, not wrong). A
disagreement the curated entry records as a sourced :class:`~distillcost.prices.model.Dispute`
(the same dataset, field and value) is *recorded*; any other must be looked into.
Pure: the caller loads both sides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from distillcost.present import UNDATED
from distillcost.prices.billing import KINDS, ONE, Conditions
from distillcost.prices.model import LongContextTier, ModelRecord, PriceEntry, fields_of

# distillcost's provider names as the other datasets spell them (several where the
# dataset files one provider's models under more than one name)
PROVIDER_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "genai-prices": {"xai": ("x-ai",), "moonshot": ("moonshotai",)},
    "litellm": {
        "openai": ("openai", "text-completion-openai"),
        "google": ("gemini",),
        "together": ("together_ai",),
        "fireworks": ("fireworks_ai",),
        "qwen": ("dashscope",),
        "moonshot": ("moonshot",),
    },
}

# What marks a model made for media, vectors or moderation rather than chat, in the ids
# genai-prices and LiteLLM use (gpt-image-1, gpt-4o-mini-tts, gemini-2.0-flash-live-001,
# text-embedding-3-small, whisper-1, imagen-4, veo-3 ...): no teacher for a text set.
NOT_CHAT = re.compile(
    r"embed|image|audio|tts|realtime|transcri|whisper|speech|moderation|dall-e|imagen|veo"
    r"|sora|lyria|\blive\b|voice|video|music|rerank|ocr",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Disagreement:
    """One price two tables give differently (``ours`` None: the curated table lacks it)."""

    model: str
    field: str
    ours: Decimal | None
    theirs: Decimal
    day: date  # the first day compared on which they disagree
    our_since: date
    their_since: date
    dataset: str  # "genai-prices 0.2.3", "litellm (FILE)"
    recorded: str = ""  # the sourced explanation in the curated table, if any

    def to_dict(self) -> dict[str, object]:
        return {
            "model": self.model,
            "field": self.field,
            "ours": self.ours,
            "theirs": self.theirs,
            "day": self.day,
            "our_since": self.our_since,
            "their_since": None if self.their_since == UNDATED else self.their_since,
            "dataset": self.dataset,
            "recorded": self.recorded,
        }


def _rate_fields(cls: type) -> list[str]:
    """The per-token price fields of a record class, from its declarations."""
    return [attr for attr, key, nested in fields_of(cls) if nested is None and key.per_token]


def entry_prices(
    entry: PriceEntry | LongContextTier, prefix: str = "", billed: bool = False
) -> dict[str, Decimal]:
    """Every price an entry gives, by audit field name (tiers and service tiers named).

    ``billed``: a service tier's kinds are the rates distillcost would bill (a kind the
    tier does not list moves by the tier's ratio); otherwise the listed prices only.
    """
    out = {
        prefix + attr: getattr(entry, attr)
        for attr in _rate_fields(type(entry))
        if getattr(entry, attr) is not None
    }
    if isinstance(entry, PriceEntry):
        for tier in entry.tiers:
            out.update(entry_prices(tier, f"tier >{tier.above_prompt_tokens} "))
        for service in entry.service_tiers:
            listed = (
                _billed_service(entry, service.name)
                if billed
                else {kind: getattr(service, kind) for kind in KINDS}
            )
            out.update({f"{service.name} {kind}": v for kind, v in listed.items() if v is not None})
    return out


def _billed_service(entry: PriceEntry, name: str) -> dict[str, Decimal | None]:
    five_minute = entry.rates(None, Conditions(service_tier=name))
    out: dict[str, Decimal | None] = {
        "input": five_minute.input,
        "output": five_minute.output,
        "cached_input": five_minute.cached_input if entry.cached_input is not None else None,
        "cache_write": five_minute.cache_write,
    }
    if entry.cache_write_1h is not None:
        one_hour = entry.rates(None, Conditions(service_tier=name, cache_write_1h_share=ONE))
        out["cache_write_1h"] = one_hour.cache_write
    return out


def _window_prices(entry: PriceEntry) -> dict[str, set[Decimal]]:
    """The entry's time-window prices by field: genai-prices dates DeepSeek's off-peak
    price as its list price and gives the peak hours as time-of-day prices, so a
    price that equals one of our window prices agrees."""
    out: dict[str, set[Decimal]] = {}
    for window in entry.windows:
        for attr in KINDS:
            value = getattr(window, attr)
            if value is not None:
                out.setdefault(attr, set()).add(value)
    return out


def _family(dataset: str) -> str:
    return dataset.split()[0]


def spellings(provider: str, dataset: str) -> tuple[str, ...]:
    """How the other dataset names one of distillcost's providers."""
    return PROVIDER_NAMES.get(_family(dataset), {}).get(provider, (provider,))


def _names(record: ModelRecord) -> list[str]:
    """A curated model's exact names: id (and without its host prefix), then aliases."""
    names = [record.id]
    host = record.provider + "/"
    if record.id.startswith(host):
        names.append(record.id.removeprefix(host))
    return names + list(record.aliases)


def match(
    ours: ModelRecord, theirs: dict[tuple[str, str], ModelRecord], dataset: str
) -> ModelRecord | None:
    """The other dataset's record for one curated model: same provider, exact name."""
    for name in _names(ours):
        for provider in spellings(ours.provider, dataset):
            found = theirs.get((provider, name))
            if found is not None:
                return found
    return None


def index(records: Iterable[ModelRecord], dataset: str) -> dict[tuple[str, str], ModelRecord]:
    """(provider, name) -> record, by id first, then by alias (an id wins a clash)."""
    out: dict[tuple[str, str], ModelRecord] = {}
    records = list(records)
    for record in records:
        out[(record.provider, _bare(record.id, record.provider))] = record
    for record in records:
        for name in record.aliases:
            out.setdefault((record.provider, _bare(name, record.provider)), record)
    return out


def _bare(name: str, provider: str) -> str:
    """LiteLLM writes some ids as ``provider/model``: the model part is the name."""
    return name.removeprefix(provider + "/")


def _recorded(entry: PriceEntry, dataset: str, field: str, theirs: Decimal) -> str:
    for dispute in entry.disputes:
        same = (dispute.dataset, dispute.field, dispute.theirs)
        if same == (_family(dataset), field, theirs):
            return dispute.why
    return ""


def compare(
    ours: ModelRecord, theirs: ModelRecord, dataset: str, as_of: date
) -> list[Disagreement]:
    """Where ``theirs`` prices ``ours`` differently, on each date it dates and on ``as_of``.

    A model retired by ``as_of`` is also compared on its last day on sale: an undated
    price (LiteLLM's, most of genai-prices') is the dataset's price for the model
    whenever it was sold, and a retired model still prices past campaigns.
    """
    days = {e.effective_from for e in theirs.history if e.effective_from != UNDATED} | {as_of}
    if ours.retired is not None and ours.retired <= as_of:
        days.add(ours.retired - timedelta(days=1))
    found: dict[tuple[str, Decimal | None, Decimal], Disagreement] = {}
    for day in sorted(days):
        if day > as_of:
            continue
        our_entry, their_entry = ours.entry_on(day), theirs.entry_on(day)
        if our_entry is None or their_entry is None or not ours.available_on(day):
            continue
        mine = entry_prices(our_entry, billed=True)
        windows = _window_prices(our_entry)
        for field, value in entry_prices(their_entry).items():
            have = mine.get(field)
            if have == value or value in windows.get(field, ()):
                continue
            key = (field, have, value)
            if key in found:
                continue
            found[key] = Disagreement(
                model=ours.id,
                field=field,
                ours=have,
                theirs=value,
                day=day,
                our_since=our_entry.effective_from,
                their_since=their_entry.effective_from,
                dataset=dataset,
                recorded=_recorded(our_entry, dataset, field, value),
            )
    return list(found.values())


def audit(
    ours: Iterable[ModelRecord], theirs: Sequence[ModelRecord], dataset: str, as_of: date
) -> tuple[list[Disagreement], int]:
    """(every disagreement, number of curated models compared) between two tables."""
    by_name = index(theirs, dataset)
    out: list[Disagreement] = []
    compared = 0
    for model in ours:
        other = match(model, by_name, dataset)
        if other is None:
            continue
        compared += 1
        out.extend(compare(model, other, dataset, as_of))
    return out, compared


@dataclass(frozen=True)
class Missing:
    """A chat model the other dataset prices that no curated model or alias names."""

    provider: str  # distillcost's name of the provider
    model: str  # the dataset's id
    input: Decimal
    output: Decimal
    cached_input: Decimal | None
    since: date | None  # the dataset's date for the price, when it gives one
    dataset: str
    also: tuple[str, ...] = ()  # other exact names the dataset gives the model

    def to_dict(self) -> dict[str, object]:
        return {
            "provider": self.provider,
            "model": self.model,
            "input": self.input,
            "output": self.output,
            "cached_input": self.cached_input,
            "since": self.since,
            "dataset": self.dataset,
            "also": ", ".join(self.also),
        }


def is_chat(record: ModelRecord) -> bool:
    """Whether a dataset's model is a chat model, by its names (see :data:`NOT_CHAT`)."""
    return not any(NOT_CHAT.search(name) for name in (record.id, *record.aliases))


def missing(
    ours: Iterable[ModelRecord], theirs: Iterable[ModelRecord], dataset: str, as_of: date
) -> list[Missing]:
    """Chat models ``theirs`` prices on ``as_of`` that the curated tables lack.

    Only the providers the curated tables cover are looked at (a host such as Together
    counts as one); a model is known when any of its exact names is a curated model's
    id or alias, under any provider (genai-prices files Claude on Vertex under google:
    the curated Anthropic price covers it). The dataset reader decides what is priced
    at all (genai-prices and LiteLLM records need text input and output prices;
    :func:`is_chat` drops media models by name); a model the dataset marks retired
    by ``as_of`` is not sold.
    """
    ours = list(ours)
    reverse = {
        spelling: record.provider
        for record in ours
        for spelling in spellings(record.provider, dataset)
    }
    known = {_bare(name, record.provider) for record in ours for name in _names(record)}
    out = []
    for record in theirs:
        provider = reverse.get(record.provider)
        if provider is None or not is_chat(record):
            continue
        names = [record.id, *record.aliases]
        if any(_bare(n, record.provider) in known for n in names):
            continue
        entry = record.entry_on(as_of)
        if entry is None or record.is_retired(as_of):
            continue
        out.append(
            Missing(
                provider=provider,
                model=record.id,
                input=entry.input,
                output=entry.output,
                cached_input=entry.cached_input,
                since=None if entry.effective_from == UNDATED else entry.effective_from,
                dataset=dataset,
                also=tuple(record.aliases),
            )
        )
    return sorted(out, key=lambda m: (m.provider, m.model))
