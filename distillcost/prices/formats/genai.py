"""The installed ``genai-prices`` package as a price source (optional extra ``genai``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from distillcost.errors import NotAvailableError, did_you_mean

# genai-prices gives most prices no start date: they take this one, unverified.
from distillcost.present import UNDATED
from distillcost.prices.formats.document import ParseResult
from distillcost.prices.model import LongContextTier, ModelRecord, PriceEntry
from distillcost.prices.problems import Problem

GENAI_PREFIX = "genai-prices"


def parse_genai_prices(spec: str, origin: str) -> ParseResult:
    """Records from the installed ``genai-prices`` package (optional extra ``genai``).

    ``spec`` is ``genai-prices`` (providers openai, anthropic, google, deepseek,
    mistral) or ``genai-prices:prov1,prov2``. Only exact model names become
    aliases (genai-prices' regex and prefix matches are dropped: distillcost never
    matches names loosely). A price with no start date gets 1970-01-01; every
    entry is marked unverified. Service-tier variants (batch, flex, priority)
    and time-of-day prices are not mapped.
    """
    genai_data, genai_types = _genai_modules()
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
    source = f"genai-prices {_genai_version()}"
    for name in wanted:
        provider = providers[name]
        for model in provider.models:
            record = _genai_record(model, name, source, origin, genai_types)
            if record is not None:
                result.records.append(record)
    return result


def _genai_modules() -> tuple[Any, Any]:
    """genai-prices' ``data`` and ``types`` modules, imported on first use (it is slow)."""
    try:
        from genai_prices import data, types
    except ImportError:
        raise NotAvailableError(
            "the genai-prices package (a dependency of distillcost) is not installed; "
            "reinstall distillcost or run pip install genai-prices"
        ) from None
    return data, types


def _genai_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("genai-prices")
    except PackageNotFoundError:  # pragma: no cover - imported but not installed
        return "(unknown version)"


def _genai_record(
    model: Any, provider: str, source: str, origin: str, t: Any
) -> ModelRecord | None:
    conditional = (
        model.prices
        if isinstance(model.prices, list)
        else [t.ConditionalPrice(prices=model.prices)]
    )
    entries: dict[date, PriceEntry] = {}
    for cp in conditional:
        constraint = cp.constraint
        if constraint is not None and not isinstance(constraint, t.StartDateConstraint):
            continue  # time-of-day prices are not a list price
        when = constraint.start_date if constraint is not None else UNDATED
        entry = _genai_entry(cp.prices, when, source, constraint is not None, t)
        if entry is not None:
            entries[when] = entry
    if not entries:
        return None
    aliases = [n for n in _genai_exact_names(model.match, t) if n != model.id]
    return ModelRecord(
        id=model.id,
        provider=provider,
        history=tuple(entries.values()),
        aliases=tuple(dict.fromkeys(aliases)),
        encoding="o200k_base",
        tokenizer_approximate=provider != "openai",
        tokenizer_source="" if provider == "openai" else "genai-prices names no tokenizer",
        context_window=model.context_window or None,
        origin=origin,
    )


def _genai_entry(prices: Any, when: date, source: str, dated: bool, t: Any) -> PriceEntry | None:
    def value(key: str) -> tuple[Decimal | None, tuple[tuple[int, Decimal], ...]]:
        raw = getattr(prices, key, None)
        if raw is None:
            return None, ()
        if isinstance(raw, t.TieredPrices):
            return raw.base, tuple((tier.start, tier.price) for tier in raw.tiers)
        return Decimal(raw), ()

    base_in, tiers_in = value("input_mtok")
    base_out, tiers_out = value("output_mtok")
    if base_in is None or base_out is None:
        return None
    cached, tiers_cached = value("cache_read_mtok")
    write, _ = value("cache_write_mtok")
    tiers = []
    outs = dict(tiers_out)
    cached_tiers = dict(tiers_cached)
    for start, price in tiers_in:
        tiers.append(
            LongContextTier(
                above_prompt_tokens=start,
                input=price,
                output=outs.get(start, base_out),
                cached_input=cached_tiers.get(start),
            )
        )
    return PriceEntry(
        effective_from=when,
        input=base_in,
        output=base_out,
        cached_input=cached,
        cache_write=write,
        tiers=tuple(tiers),
        source=source,
        verified=False,
        notes="" if dated else "genai-prices gives no start date for this price",
    )


def _genai_exact_names(match: Any, t: Any) -> list[str]:
    if isinstance(match, t.ClauseEquals):
        return [match.equals]
    if isinstance(match, t.ClauseOr):
        return [name for clause in match.or_ for name in _genai_exact_names(clause, t)]
    return []
