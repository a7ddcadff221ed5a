"""The installed ``genai-prices`` package as a price source (optional extra ``genai``)."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

from distillcost.errors import NotAvailableError, did_you_mean

# genai-prices gives most prices no start date: they take this one, unverified.
from distillcost.present import UNDATED
from distillcost.prices.billing import KINDS
from distillcost.prices.formats.document import ParseResult
from distillcost.prices.model import LongContextTier, ModelRecord, PriceEntry, ServiceTier
from distillcost.prices.problems import Problem

GENAI_PREFIX = "genai-prices"


def parse_genai_prices(spec: str, origin: str) -> ParseResult:
    """Records from the installed ``genai-prices`` package (optional extra ``genai``).

    ``spec`` is ``genai-prices`` (providers openai, anthropic, google, deepseek,
    mistral) or ``genai-prices:prov1,prov2``. Only exact model names become
    aliases (genai-prices' regex and prefix matches are dropped: distillcost never
    matches names loosely). A price with no start date gets 1970-01-01; every
    entry is marked unverified. Batch and service-tier variants (flex, priority,
    fast) are mapped; time-of-day prices are not.
    """
    genai_data, genai_types = genai_modules()
    _, _, wanted_text = spec.partition(":")
    wanted = [p.strip() for p in wanted_text.split(",") if p.strip()] or [
        "openai",
        "anthropic",
        "google",
        "deepseek",
        "mistral",
    ]
    providers = {p.id: p for p in genai_data.providers}
    result = ParseResult()
    for name in wanted:
        if name not in providers:
            close = did_you_mean(name, providers)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            result.problems.append(
                Problem(spec, None, "", "provider", f"genai-prices has no provider {name!r}.{hint}")
            )
    if result.problems:
        return result
    source = f"genai-prices {genai_version()}"
    for name in wanted:
        provider = providers[name]
        for model in provider.models:
            record = genai_record(model, name, source, origin, genai_types)
            if record is not None:
                result.records.append(record)
    return result


# genai-prices price keys of models made for media: audio, image or video out, or audio
# billed by the hour (transcription, speech-to-speech)
MEDIA_KEYS = (
    "output_audio_mtok",
    "output_image_mtok",
    "output_video_mtok",
    "audio_hours",
    "input_audio_hours",
)


def sells_media(model: Any) -> bool:
    """Whether a genai-prices model has a media price in any of its price sets."""
    sets = [model.prices] if not isinstance(model.prices, list) else model.prices
    prices = [getattr(s, "prices", s) for s in sets]
    prices += [v.prices for v in model.price_variants or ()]
    return any(getattr(p, key, None) is not None for p in prices for key in MEDIA_KEYS)


def genai_records(origin: str = "genai-prices", chat_only: bool = False) -> list[ModelRecord]:
    """Every model with text token prices of every provider genai-prices lists
    (provider = its provider id); ``chat_only``: not those priced for media output."""
    data, types = genai_modules()
    source = f"genai-prices {genai_version()}"
    records = []
    for provider in data.providers:
        for model in provider.models:
            if chat_only and sells_media(model):
                continue
            record = genai_record(model, provider.id, source, origin, types)
            if record is not None:
                records.append(record)
    return records


def genai_modules() -> tuple[Any, Any]:
    """genai-prices' ``data`` and ``types`` modules, imported on first use (it is slow)."""
    try:
        from genai_prices import data, types
    except ImportError:
        raise NotAvailableError(
            "the genai-prices package (a dependency of distillcost) is not installed; "
            "reinstall distillcost or run pip install genai-prices"
        ) from None
    return data, types


def genai_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("genai-prices")
    except PackageNotFoundError:  # pragma: no cover - imported but not installed
        return "(unknown version)"


# genai-prices' per-million-token keys, as distillcost's rate fields
RATE_KEYS = {
    "input_mtok": "input",
    "output_mtok": "output",
    "cache_read_mtok": "cached_input",
    "cache_write_mtok": "cache_write",
    "cache_write_1h_mtok": "cache_write_1h",
}
BATCH_CONTEXT = {"processing": "batch"}


def _service_tier(when: dict[str, str]) -> str | None:
    """The distillcost service tier a genai-prices request context names, if any."""
    if set(when) == {"service_tier"} and when["service_tier"] != "default":
        return when["service_tier"]
    if when == {"speed": "fast"}:
        return "fast"
    return None


def genai_record(model: Any, provider: str, source: str, origin: str, t: Any) -> ModelRecord | None:
    """One genai-prices model as a record: an entry at every date its prices change.

    Dated prices (start-date constraints) and request-context variants (batch,
    flex/priority/fast) are kept; time-of-day prices are not (not a list price).
    """
    conditional = (
        model.prices
        if isinstance(model.prices, list)
        else [t.ConditionalPrice(prices=model.prices)]
    )
    dated = [
        (UNDATED if cp.constraint is None else cp.constraint.start_date, cp.prices)
        for cp in conditional
        if cp.constraint is None or isinstance(cp.constraint, t.StartDateConstraint)
    ]
    if not dated:
        return None
    variants = [
        (UNDATED if v.constraint is None else v.constraint.start_date, v)
        for v in model.price_variants or ()
        if v.constraint is None or isinstance(v.constraint, t.StartDateConstraint)
    ]
    first = min(day for day, _ in dated)
    days = sorted({day for day, _ in dated} | {day for day, _ in variants if day > first})
    entries: list[PriceEntry] = []
    for day in days:
        standard = [prices for start, prices in dated if start <= day][-1]
        active = [v for start, v in variants if start <= day]
        entry = _genai_entry(standard, active, day, source, t)
        if entry is None:
            continue
        if entries and dataclasses.replace(entries[-1], effective_from=day) == entry:
            continue  # nothing changed that distillcost prices
        entries.append(entry)
    if not entries:
        return None
    aliases = [n for n in genai_exact_names(model.match, t) if n != model.id]
    return ModelRecord(
        id=model.id,
        provider=provider,
        history=tuple(entries),
        aliases=tuple(dict.fromkeys(aliases)),
        encoding="o200k_base",
        tokenizer_approximate=provider != "openai",
        tokenizer_source="" if provider == "openai" else "genai-prices names no tokenizer",
        context_window=model.context_window or None,
        origin=origin,
    )


def _rates(prices: Any, t: Any) -> tuple[dict[str, Decimal], dict[int, dict[str, Decimal]]]:
    """(base rates, rates by tier threshold) of a genai-prices price set."""
    base: dict[str, Decimal] = {}
    tiers: dict[int, dict[str, Decimal]] = {}
    for key, kind in RATE_KEYS.items():
        raw = getattr(prices, key, None)
        if raw is None:
            continue
        if isinstance(raw, t.TieredPrices):
            base[kind] = Decimal(raw.base)
            for tier in raw.tiers:
                tiers.setdefault(tier.start, {})[kind] = Decimal(tier.price)
        else:
            base[kind] = Decimal(raw)
    return base, tiers


def _with_base(rates: dict[str, Decimal], base: dict[str, Decimal]) -> dict[str, Any]:
    """Every declared rate: the listed one, else (input and output) the base price."""
    out: dict[str, Any] = {kind: rates.get(kind) for kind in KINDS}
    out["input"] = rates.get("input", base["input"])
    out["output"] = rates.get("output", base["output"])
    return out


def _genai_entry(
    prices: Any, variants: list[Any], when: date, source: str, t: Any
) -> PriceEntry | None:
    base, tier_rates = _rates(prices, t)
    if "input" not in base or "output" not in base:
        return None
    tiers = tuple(
        LongContextTier(
            above_prompt_tokens=start,
            **_with_base(rates, base),
        )
        for start, rates in sorted(tier_rates.items())
    )
    batch: dict[str, Decimal] = {}
    service_tiers: dict[str, ServiceTier] = {}
    for variant in variants:  # first listed wins per key, as genai-prices resolves them
        listed, _ = _rates(variant.prices, t)
        if variant.when == BATCH_CONTEXT:
            for kind, value in listed.items():
                batch.setdefault(kind, value)
        elif (name := _service_tier(variant.when)) is not None and name not in service_tiers:
            service_tiers[name] = ServiceTier(name=name, **_with_base(listed, base))
    return PriceEntry(
        effective_from=when,
        **_with_base(base, base),
        batch_input=batch.get("input"),
        batch_output=batch.get("output"),
        batch_cache=_batch_cache_rule(base, batch),
        tiers=tiers,
        service_tiers=tuple(service_tiers.values()),
        source=source,
        verified=False,
        notes="" if when != UNDATED else "genai-prices gives no start date for this price",
    )


def _batch_cache_rule(base: dict[str, Decimal], batch: dict[str, Decimal]) -> str | None:
    """The batch/cache rule a batch variant implies, when it lists a cache-read price."""
    if "input" not in batch or "cached_input" not in batch or "cached_input" not in base:
        return None
    if batch["cached_input"] == base["cached_input"]:
        return "undiscounted"
    if batch["cached_input"] * base["input"] == base["cached_input"] * batch["input"]:
        return "discounted"
    return None


def genai_exact_names(match: Any, t: Any) -> list[str]:
    """The exact names a genai-prices match clause accepts (regex and prefix clauses dropped)."""
    if isinstance(match, t.ClauseEquals):
        return [match.equals]
    if isinstance(match, t.ClauseOr):
        return [name for clause in match.or_ for name in genai_exact_names(clause, t)]
    return []
