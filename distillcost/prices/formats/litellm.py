"""LiteLLM's ``model_prices_and_context_window.json``, read as it is.

Per-token floats (parsed as Decimal) x 1,000,000; the map has no dates, so rows take
effective_from 1970-01-01 and ``verified = false``; modes other than chat,
completion and responses (embeddings, images, audio...) are skipped with a warning.
A cache-creation price of 0 (DeepSeek, which bills a missed prefix as input and has no
write charge) is read as no write price: distillcost would bill a 0 write as free.
Flex and priority prices (``*_flex``, ``*_priority``) become service tiers; an
``above_Nk`` tier starts above N thousand prompt tokens, or at N thousand for the
providers LiteLLM bills inclusively (xAI).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

# LiteLLM's map has no dates: its rows take this effective date, unverified.
from distillcost.present import UNDATED
from distillcost.prices import values
from distillcost.prices.formats.document import Builder, ParseResult
from distillcost.prices.model import (
    MILLION,
    LongContextTier,
    ModelRecord,
    PriceEntry,
    ServiceTier,
)
from distillcost.prices.problems import Problem

LITELLM_MODES = ("chat", "completion", "responses")
_LITELLM_TIER = re.compile(
    r"^(input|output|cache_read_input|cache_creation_input)_(?:token_)?cost"
    r"(?:_per_token)?_above_(\d+)k_tokens$"
)
# service-tier prices: the standard keys with a suffix (LiteLLM's flex and priority tiers)
_LITELLM_SERVICE = re.compile(
    r"^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost"
    r"|cache_creation_input_token_cost)_(flex|priority)$"
)
# providers whose "above_Nk" tiers start AT N thousand prompt tokens (LiteLLM's cost code
# compares with >= for them: xAI bills the higher rate once a prompt reaches 200K)
INCLUSIVE_THRESHOLDS = ("xai",)


def is_litellm_map(doc: Any) -> bool:
    """LiteLLM's `model_prices_and_context_window.json`: {model: {..._cost_per_token...}}."""
    if not isinstance(doc, Mapping) or "models" in doc or "meta" in doc:
        return False
    return any(
        isinstance(v, Mapping) and ("litellm_provider" in v or "input_cost_per_token" in v)
        for v in doc.values()
    )


_LITELLM_FIELDS = {
    "input_cost_per_token": "input",
    "output_cost_per_token": "output",
    "cache_read_input_token_cost": "cached_input",
    "cache_creation_input_token_cost": "cache_write",
    "input_cost_per_token_batches": "batch_input",
    "output_cost_per_token_batches": "batch_output",
}
_TIER_TARGET = {
    "input": "input",
    "output": "output",
    "cache_read_input": "cached_input",
    "cache_creation_input": "cache_write",
}


def _litellm_encoding(model_id: str, provider: str) -> tuple[str, bool]:
    """(encoding, approximate) for a LiteLLM row, which names no tokenizer."""
    name = model_id.rsplit("/", 1)[-1]
    if provider in ("openai", "text-completion-openai", "azure"):
        if name.startswith(("gpt-3.5", "gpt-4-", "gpt-35")) or name in ("gpt-4", "gpt-4-32k"):
            return "cl100k_base", False
        if name.startswith(("text-davinci-002", "text-davinci-003")):
            return "p50k_base", False
        if name in ("davinci", "curie", "babbage", "ada") or name.startswith("text-"):
            return "r50k_base", True
        return "o200k_base", False
    return "o200k_base", True


def parse_litellm(doc: Mapping[str, Any], file: str, origin: str, text: str = "") -> ParseResult:
    """LiteLLM's model map: per-token floats (parsed as Decimal) x 1,000,000, undated.

    Rows get effective_from 1970-01-01 and ``verified = false`` (the map has no
    dates), their source is the file; modes other than chat/completion/responses
    (embeddings, images, audio...) are skipped and counted in a warning.
    """
    result = ParseResult()
    builder = Builder(file, origin)
    skipped: dict[str, int] = {}
    unpriced = 0
    records = []
    for model_id, spec in doc.items():
        if model_id == "sample_spec" or not isinstance(spec, Mapping):
            continue
        mode = spec.get("mode")
        if mode is not None and mode not in LITELLM_MODES:
            skipped[str(mode)] = skipped.get(str(mode), 0) + 1
            continue
        row = f"model {model_id!r}"
        ok = True
        prices: dict[str, Decimal] = {}
        tiers: dict[int, dict[str, Decimal]] = {}
        services: dict[str, dict[str, Decimal]] = {}
        for key, value in spec.items():  # every price read, so a bad one is always reported
            target = _LITELLM_FIELDS.get(key)
            tier_match = _LITELLM_TIER.match(key)
            service_match = _LITELLM_SERVICE.match(key)
            if (target is None and tier_match is None and service_match is None) or value is None:
                continue
            try:
                per_million = values.money(value) * MILLION
            except values.FieldError as exc:
                builder.problem(None, row, key, str(exc))
                ok = False
                continue
            if per_million == 0 and "cache_creation" in key:
                continue  # no separate write charge: the missed prefix is billed as input
            if target is not None:
                prices[target] = per_million
            elif service_match is not None:
                kind = _LITELLM_FIELDS[service_match.group(1)]
                services.setdefault(service_match.group(2), {})[kind] = per_million
            else:
                assert tier_match is not None
                threshold = int(tier_match.group(2)) * 1000
                tiers.setdefault(threshold, {})[_TIER_TARGET[tier_match.group(1)]] = per_million
        if ok and ("input" not in prices or "output" not in prices):
            unpriced += 1
            continue
        limits: dict[str, int] = {}
        for key, target in (
            ("max_input_tokens", "context_window"),
            ("max_output_tokens", "max_output_tokens"),
        ):
            if spec.get(key) not in (None, 0):  # LiteLLM writes 0 for "unknown"
                try:
                    limits[target] = values.positive_int(spec[key])
                except values.FieldError as exc:
                    builder.problem(None, row, key, str(exc))
                    ok = False
        retired = None
        if spec.get("deprecation_date"):
            try:
                retired = values.day(spec["deprecation_date"])
            except values.FieldError as exc:
                builder.problem(None, row, "deprecation_date", str(exc))
                ok = False
        if not ok:
            continue
        provider = str(spec.get("litellm_provider") or "unknown")
        inclusive = 1 if provider in INCLUSIVE_THRESHOLDS else 0
        tier_objs = []
        for threshold, rates in sorted(tiers.items()):
            rates.setdefault("input", prices["input"])
            rates.setdefault("output", prices["output"])
            tier_objs.append(LongContextTier(above_prompt_tokens=threshold - inclusive, **rates))
        service_objs = tuple(
            ServiceTier(
                name=name,
                input=rates.get("input", prices["input"]),
                output=rates.get("output", prices["output"]),
                cached_input=rates.get("cached_input"),
                cache_write=rates.get("cache_write"),
            )
            for name, rates in sorted(services.items())
            if "input" in rates or "output" in rates
        )
        encoding, approximate = _litellm_encoding(model_id, provider)
        entry = PriceEntry(
            effective_from=UNDATED,
            input=prices["input"],
            output=prices["output"],
            cached_input=prices.get("cached_input"),
            cache_write=prices.get("cache_write"),
            batch_input=prices.get("batch_input"),
            batch_output=prices.get("batch_output"),
            tiers=tuple(tier_objs),
            service_tiers=service_objs,
            source=file,
            verified=False,
            notes="from a LiteLLM price map, which has no dates",
        )
        records.append(
            ModelRecord(
                id=model_id,
                provider=provider,
                history=(entry,),
                encoding=encoding,
                tokenizer_approximate=approximate,
                tokenizer_source="" if not approximate else "LiteLLM names no tokenizer",
                retired=retired,
                origin=origin,
                context_window=limits.get("context_window"),
                max_output_tokens=limits.get("max_output_tokens"),
            )
        )
    if skipped:
        detail = ", ".join(f"{mode}: {n}" for mode, n in sorted(skipped.items()))
        result.warnings.append(
            f"{file}: skipped {sum(skipped.values())} LiteLLM entries that are not chat models "
            f"({detail})"
        )
    if unpriced:
        result.warnings.append(
            f"{file}: skipped {unpriced} LiteLLM chat "
            f"{'entry' if unpriced == 1 else 'entries'} without input and output prices"
        )
    result.records = records
    result.problems = [_with_line(p, text) for p in builder.problems]
    return result


def _with_line(problem: Problem, text: str) -> Problem:
    """Add the line of the model's key to a LiteLLM problem (looked up only on error)."""
    match = re.match(r"model (.+)$", problem.row)
    if not text or not match:
        return problem
    key = match.group(1)[1:-1]
    position = text.find(json.dumps(key, ensure_ascii=False) + ":")
    if position < 0:
        return problem
    start = text.count("\n", 0, position) + 1
    field_at = text.find(json.dumps(problem.field), position)
    line = text.count("\n", 0, field_at) + 1 if field_at >= 0 else start
    return dataclasses.replace(problem, line=line)
