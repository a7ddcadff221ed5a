"""The shipped price tables (pricing/*.toml): schema, sanity, and spot checks against sources.

These tests read the files exactly as the installed package ships them
(``importlib.resources`` on ``distillcost.pricing``) and parse them the way the
schema says (``tomllib`` with ``parse_float=Decimal``), independently of the
loader, so a bad table fails here even if the loader were lenient. Expected
figures are typed in from the vendor sources quoted next to each check - never
computed from the files under test.
"""

from __future__ import annotations

import tomllib
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest

SHIPPED = (
    "openai",
    "anthropic",
    "google",
    "deepseek",
    "mistral",
    "xai",
    "moonshot",
    "qwen",
    "hosted",
)


def _keys(cls: type) -> set[str]:
    from distillcost.prices.model import fields_of

    return {key.name for _, key, _ in fields_of(cls)}


def _declared() -> tuple[set[str], set[str], set[str], set[str]]:
    from distillcost.prices import declarations
    from distillcost.prices.model import LongContextTier, ModelRecord, PriceEntry

    meta = {key.name for key in declarations.META}
    return meta, _keys(ModelRecord), _keys(PriceEntry), _keys(LongContextTier)


# every key a table may use, per level: the price model's declarations (pricing/README.md)
META_KEYS, MODEL_KEYS, PRICE_KEYS, TIER_KEYS = _declared()
PRICE_FIELDS = (
    "input",
    "output",
    "cached_input",
    "cache_write",
    "cache_write_1h",
    "batch_input",
    "batch_output",
    "training",
    "ft_input",
    "ft_cached_input",
    "ft_output",
    "per_request",
)
# The encodings distillcost can count offline (tiktoken names).
ENCODINGS = {"o200k_base", "cl100k_base", "p50k_base", "r50k_base"}


def _read(provider: str) -> dict[str, Any]:
    text = resources.files("distillcost.pricing").joinpath(f"{provider}.toml").read_text("utf-8")
    return tomllib.loads(text, parse_float=Decimal)


TABLES: dict[str, dict[str, Any]] = {p: _read(p) for p in SHIPPED}


def _models() -> list[tuple[str, dict[str, Any]]]:
    return [(p, m) for p, t in TABLES.items() for m in t["models"]]


def _entries() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    return [(p, m, e) for p, m in _models() for e in m["prices"]]


def _model(model_id: str) -> dict[str, Any]:
    for _, m in _models():
        if m["id"] == model_id or model_id in m.get("aliases", []):
            return m
    raise KeyError(model_id)


def _on(model_id: str, day: date) -> dict[str, Any]:
    """The entry in force on ``day``: latest effective_from <= day (a second, naive resolver)."""
    m = _model(model_id)
    if m.get("retired") is not None and day >= m["retired"]:
        raise LookupError(f"{model_id} retired on {m['retired']}")
    live = [e for e in m["prices"] if e["effective_from"] <= day]
    if not live:
        raise LookupError(f"{model_id} not priced on {day}")
    return max(live, key=lambda e: e["effective_from"])


def _d(value: str) -> Decimal:
    return Decimal(value)


def _ids(items: list[tuple[Any, ...]]) -> list[str]:
    out = []
    for item in items:
        model = item[1]
        tail = f"@{item[2]['effective_from']}" if len(item) > 2 else ""
        out.append(f"{item[0]}:{model['id']}{tail}")
    return out


MODELS = _models()
ENTRIES = _entries()


# ------------------------------------------------------------------ schema


def test_every_provider_file_is_shipped_and_names_its_provider() -> None:
    for provider, table in TABLES.items():
        assert set(table) <= {"meta", "models", "aliases"}, provider
        assert set(table["meta"]) <= META_KEYS, provider
        assert table["meta"]["provider"] == provider
        assert table["meta"].get("unit", "USD per 1M tokens") == "USD per 1M tokens"
        assert table["models"], provider


@pytest.mark.parametrize(("provider", "model"), MODELS, ids=_ids(MODELS))
def test_model_fields(provider: str, model: dict[str, Any]) -> None:
    unknown = set(model) - MODEL_KEYS
    assert not unknown, f"unknown model keys {unknown}"
    assert isinstance(model["id"], str) and model["id"].strip() == model["id"] != ""
    assert model["encoding"] in ENCODINGS
    assert model["prices"], "a model needs at least one price entry"
    for key in ("context_window", "max_output_tokens"):
        if key in model:
            assert isinstance(model[key], int) and model[key] > 0
    if "max_output_tokens" in model and "context_window" in model:
        assert model["max_output_tokens"] <= model["context_window"]
    for key in ("released", "retired"):
        if key in model:
            assert type(model[key]) is date, f"{key} must be a plain date"
    if "released" in model and "retired" in model:
        assert model["released"] < model["retired"]
    assert all(isinstance(a, str) and a for a in model.get("aliases", []))
    if model.get("tokenizer_approximate", False):
        # an approximation is said so, with where that claim comes from
        assert model.get("tokenizer_source", "").strip()
    else:
        # exact counts only with OpenAI's own encodings: OpenAI models (up to the GPT-5
        # generation) and OpenAI's open-weight gpt-oss on any host
        assert provider == "openai" or "gpt-oss" in model["id"], model["id"]
        assert "token_ratio" not in model
    if "token_ratio" in model:
        assert model["token_ratio"] > 0 and model.get("tokenizer_source")


@pytest.mark.parametrize(("provider", "model", "entry"), ENTRIES, ids=_ids(ENTRIES))
def test_price_entry_fields(provider: str, model: dict[str, Any], entry: dict[str, Any]) -> None:
    unknown = set(entry) - PRICE_KEYS
    assert not unknown, f"unknown price keys {unknown}"
    assert type(entry["effective_from"]) is date
    for key in ("input", "output", "source", "verified"):
        assert key in entry, f"missing {key}"
    assert isinstance(entry["source"], str) and entry["source"].strip()
    assert isinstance(entry["verified"], bool)
    checked = entry.get("checked", TABLES[provider]["meta"].get("checked"))
    assert type(checked) is date, "every entry needs a checked date (its own or the file's)"
    assert checked <= date.today(), "a source cannot have been read in the future"
    for key in PRICE_FIELDS:
        if key in entry:
            value = entry[key]
            assert isinstance(value, Decimal | int) and not isinstance(value, bool), key
            value = Decimal(value)
            assert value.is_finite() and value >= 0, f"{key}={value}"
    # Batch prices come in pairs.
    assert ("batch_input" in entry) == ("batch_output" in entry)
    # A discount is a discount: cached and batch never dearer than the list price.
    if "cached_input" in entry:
        assert entry["cached_input"] <= entry["input"]
    if "batch_input" in entry:
        assert entry["batch_input"] <= entry["input"]
        assert entry["batch_output"] <= entry["output"]
    if "reasoning_billed_as_output" in entry:
        assert isinstance(entry["reasoning_billed_as_output"], bool)
    for tier in entry.get("tiers", []):
        assert set(tier) <= TIER_KEYS
        assert isinstance(tier["above_prompt_tokens"], int) and tier["above_prompt_tokens"] > 0
        assert tier["input"] >= entry["input"] and tier["output"] >= entry["output"]
        windows = [model.get("context_window", 0)]
        windows += [x.get("context_window", 0) for x in model.get("limits", [])]
        if max(windows):  # the widest the model ever was (Sonnet 4.5 had a 1M beta)
            assert tier["above_prompt_tokens"] < max(windows)


@pytest.mark.parametrize(("provider", "model"), MODELS, ids=_ids(MODELS))
def test_dates_are_ordered(provider: str, model: dict[str, Any]) -> None:
    starts = [e["effective_from"] for e in model["prices"]]
    assert len(starts) == len(set(starts)), "two entries on the same date"
    assert starts == sorted(starts), "keep entries in date order in the file"
    if "released" in model:
        assert model["released"] <= starts[0], "priced before release"
    if "retired" in model:
        assert starts[-1] < model["retired"], "an effective date on/after retirement"


def test_ids_and_aliases_are_unique_across_all_tables() -> None:
    seen: dict[str, str] = {}
    for provider, model in MODELS:
        for name in (model["id"], *model.get("aliases", [])):
            assert name not in seen, f"{name} in {provider} and {seen[name]}"
            seen[name] = provider


def test_every_shipped_provider_has_verified_prices() -> None:
    # Each table must carry at least one primary-source figure, except two whose pricing pages
    # were not found in any stored copy (pricing/README.md lists them): the open-weight hosts
    # and Alibaba's Qwen.
    # If one of those gains a verified entry, move it out of this set.
    unverified_tables = {"hosted", "qwen"}
    for provider in SHIPPED:
        verified = [e for p, _, e in ENTRIES if p == provider and e["verified"]]
        assert bool(verified) == (provider not in unverified_tables), provider


# ------------------------------------------------------------------ provider-wide rules


CLAUDE_CACHE = [(p, m, e) for p, m, e in ENTRIES if p == "anthropic" and "cache_write" in e]


@pytest.mark.parametrize(("provider", "model", "entry"), CLAUDE_CACHE, ids=_ids(CLAUDE_CACHE))
def test_anthropic_cache_multipliers(
    provider: str, model: dict[str, Any], entry: dict[str, Any]
) -> None:
    # platform.claude.com pricing page: "5m cache writes" = 1.25 x base input,
    # "1h cache writes" = 2 x, "Cache hits & refreshes" = 0.1 x base input (e.g. Sonnet 4.5:
    # $3 -> $3.75 / $6 / $0.30). Exceptions the page prints itself:
    if model["id"] == "claude-3-haiku-20240307":
        # Haiku 3 "$0.25 | $0.30 | ... | $0.03 | $1.25"
        assert (entry["cache_write"], entry["cached_input"]) == (_d("0.30"), _d("0.03"))
        return
    hit = {
        # 2026-10-09 copy: "Claude Opus 5.5 | $4 / MTok | $5 / MTok | $8 / MTok | $0.20 / MTok"
        # and Sonnet 5.5's hit at 0.05 x; Fable 5.1's at 0.025 x
        "claude-opus-5-5": _d("0.05"),
        "claude-sonnet-5-5": _d("0.05"),
        "claude-fable-5-1": _d("0.025"),
        # Fable 5.2: "Cache hits are 0.025x base input (not the usual 0.1x), as on Mythos
        # 5.2, Fable 5.1 and Mythos 5.1" (genai-prices 0.2.2 citing the pricing page; the
        # page itself was not read for 5.2, so the entry is unverified)
        "claude-fable-5-2": _d("0.025"),
    }.get(model["id"], _d("0.1"))
    if (model["id"], entry["effective_from"]) == ("claude-sonnet-5-5", date(2026, 9, 28)):
        # the page read 2026-09-29 printed $0.20 (0.1 x) with no footnote; the 0.05 x
        # footnote for Sonnet 5.5 appeared 2026-10-08: the table keeps both, dated
        hit = _d("0.1")
    assert entry["cache_write"] == entry["input"] * _d("1.25")
    assert entry["cached_input"] == entry["input"] * hit
    if "cache_write_1h" in entry:
        assert entry["cache_write_1h"] == entry["input"] * 2
    for tier in entry.get("tiers", []):
        assert tier["cache_write"] == tier["input"] * _d("1.25")
        assert tier["cached_input"] == tier["input"] * _d("0.1")


def test_anthropic_cache_rules_cover_the_claude_3_family_onwards() -> None:
    # Guard against the parametrised test above silently shrinking to nothing.
    assert len(CLAUDE_CACHE) >= 15
    assert {m["id"] for _, m, _ in CLAUDE_CACHE} >= {
        "claude-3-haiku-20240307",
        "claude-3-opus-20240229",
        "claude-sonnet-4-5-20250929",
        "claude-opus-4-5-20251101",
    }


HALF_PRICE_BATCH = [
    (p, m, e)
    for p, m, e in ENTRIES
    if p in {"openai", "anthropic", "google"} and "batch_input" in e
]


@pytest.mark.parametrize(
    ("provider", "model", "entry"), HALF_PRICE_BATCH, ids=_ids(HALF_PRICE_BATCH)
)
def test_batch_is_half_price(provider: str, model: dict[str, Any], entry: dict[str, Any]) -> None:
    # OpenAI Batch API and Anthropic Message Batches: "50% less"; Gemini Batch Mode: 50%.
    if model["id"] == "gpt-3.5-turbo-1106":
        # as published: the 2025 pricing page lists it at the standard price in both tables
        # ("| gpt-3.5-turbo-1106 | $1.00 | $2.00 |" under Batch and under Standard)
        assert (entry["batch_input"], entry["batch_output"]) == (entry["input"], entry["output"])
        return
    assert entry["batch_input"] * 2 == entry["input"]
    assert entry["batch_output"] * 2 == entry["output"]


def test_batch_rule_is_exercised_for_every_batch_provider() -> None:
    providers = {p for p, _, _ in HALF_PRICE_BATCH}
    assert providers == {"openai", "anthropic", "google"}


# ------------------------------------------------------------------ spot checks against sources


def test_text_davinci_003_late_2022() -> None:
    # OpenAI deprecations page: text-davinci-003 "$0.0200 / 1K tokens" -> $20 per 1M, in and out.
    # (LiteLLM 1.14 has 2.0 here: 10x too cheap.)
    e = _on("text-davinci-003", date(2022, 12, 28))
    assert (e["input"], e["output"]) == (_d("20"), _d("20"))
    assert e["verified"] is True
    # Shut down 2024-01-04 (deprecations page).
    assert _model("text-davinci-003")["retired"] == date(2024, 1, 4)
    with pytest.raises(LookupError):
        _on("text-davinci-003", date(2024, 1, 4))


def test_davinci_price_change_2022() -> None:
    # openai.com/api/pricing snapshot 2022-07-03: "Davinci $0.0600 / 1K tokens";
    # training "Davinci $0.0300 / 1K tokens". By December 2022: $0.0200 / 1K.
    july = _on("davinci", date(2022, 7, 3))
    assert (july["input"], july["output"], july["training"]) == (_d("60"), _d("60"), _d("30"))
    december = _on("davinci", date(2022, 12, 28))
    assert (december["input"], december["output"]) == (_d("20"), _d("20"))


def _loaded() -> Any:
    from distillcost.prices import load_prices

    return load_prices(plugins=False, user_dir=False)


def test_gpt_35_turbo_launch_price() -> None:
    # gpt-3.5-turbo is a moving name ([[aliases]]): resolved through the loader
    table = _loaded()
    # "Introducing ChatGPT and Whisper APIs" (2023-03-01): "$0.002 per 1k tokens".
    for name in ("gpt-3.5-turbo", "gpt-3.5-turbo-0301"):
        e = table.price_of(name, date(2023, 3, 15))
        assert (e.input, e.output) == (_d("2"), _d("2")), name
    from distillcost.errors import NotAvailableError

    with pytest.raises(NotAvailableError):
        table.price_of("gpt-3.5-turbo", date(2023, 2, 28))
    # Function-calling post (2023-06-13): 0613 "$0.0015 / 1K input + $0.0020 / 1K output";
    # and 0301 itself got the same input cut that day
    for name in ("gpt-3.5-turbo", "gpt-3.5-turbo-0301"):
        e = table.price_of(name, date(2023, 7, 1))
        assert (e.input, e.output) == (_d("1.5"), _d("2")), name
    # Fine-tuning from 2023-08-22: training $0.008 / 1K = $8 per 1M.
    assert table.price_of("gpt-3.5-turbo", date(2023, 8, 22)).training == _d("8")
    assert table.price_of("gpt-3.5-turbo", date(2023, 8, 21)).training is None
    # deprecations page: gpt-3.5-turbo-0301 shut down 2024-09-13 (not 2024-06-13)
    assert table.get("gpt-3.5-turbo-0301").retired == date(2024, 9, 13)


def test_gpt_4o_mini_with_prompt_caching() -> None:
    # "Prompt Caching in the API" (2024-10-01): GPT-4o mini "$0.15 / $0.075 / $0.60".
    e = _on("gpt-4o-mini", date(2024, 10, 1))
    assert (e["input"], e["cached_input"], e["output"]) == (_d("0.15"), _d("0.075"), _d("0.60"))
    assert e["verified"] is True
    assert "cached_input" not in _on("gpt-4o-mini", date(2024, 9, 30))
    assert _on("gpt-4o-mini-2024-07-18", date(2024, 10, 1)) is e


def test_gpt_4o_moving_name() -> None:
    # models page (2024): "gpt-4o ... Currently points to gpt-4o-2024-05-13" at $5 / $15;
    # prompt-caching post (2024-10-01): gpt-4o-2024-08-06 "$2.50 / $1.25 / $10.00"; the
    # name moved to that snapshot on 2024-10-02
    table = _loaded()
    before = table.price_of("gpt-4o", date(2024, 10, 1))
    assert (before.input, before.output) == (_d("5"), _d("15"))
    after = table.price_of("gpt-4o", date(2024, 10, 2))
    assert (after.input, after.cached_input, after.output) == (_d("2.5"), _d("1.25"), _d("10"))
    snapshot = table.price_of("gpt-4o-2024-08-06", date(2024, 10, 1))
    assert (snapshot.input, snapshot.cached_input) == (_d("2.5"), _d("1.25"))


def test_o3_price_cut_on_2025_06_10() -> None:
    # o3 launched at $10 / $40; cut 80% to $2 / $8 effective 2025-06-10.
    before = _on("o3", date(2025, 6, 9))
    assert (before["input"], before["output"]) == (_d("10"), _d("40"))
    after = _on("o3", date(2025, 6, 10))
    assert (after["input"], after["output"]) == (_d("2"), _d("8"))


def test_deepseek_chat_over_time() -> None:
    table = _loaded()
    # Promo "until 2025-02-08 16:00 (UTC)" at $0.14 / $0.28 (cache miss / output).
    promo = table.price_of("deepseek-chat", date(2025, 2, 7))
    assert (promo.input, promo.output) == (_d("0.14"), _d("0.28"))
    # api-docs.deepseek.com pricing-details-usd: deepseek-chat "$0.07 | $0.27 | $1.10".
    for day in (date(2025, 2, 8), date(2025, 9, 4)):
        e = table.price_of("deepseek-chat", day)
        assert (e.cached_input, e.input, e.output) == (_d("0.07"), _d("0.27"), _d("1.10"))
    # "Starting from 16:00 UTC Time on Sept 5th, 2025": hit $0.07, miss $0.56, output $1.68,
    # for deepseek-chat and deepseek-reasoner alike.
    for name in ("deepseek-chat", "deepseek-reasoner"):
        e = table.price_of(name, date(2025, 9, 5))
        assert (e.cached_input, e.input, e.output) == (_d("0.07"), _d("0.56"), _d("1.68"))
        assert e.verified is True
    # R1 was never on the V3 promotion: "$0.14 | $0.55 | $2.19".
    r1 = table.price_of("deepseek-reasoner", date(2025, 2, 1))
    assert (r1.cached_input, r1.input, r1.output) == (_d("0.14"), _d("0.55"), _d("2.19"))
    # DeepSeek API docs: since the V4 preview (2026-04-24) both names serve deepseek-v4-flash
    # at its prices ($0.14 / $0.28); both names stopped working after 2026-07-24
    v4 = table.price_of("deepseek-chat", date(2026, 5, 1))
    assert (v4.input, v4.output) == (_d("0.14"), _d("0.28"))
    assert table.get("deepseek-chat").retired == table.get("deepseek-reasoner").retired
    assert table.get("deepseek-chat").retired is not None
    assert date(2026, 7, 24) <= table.get("deepseek-chat").retired <= date(2026, 7, 25)


def test_sonnet_45_long_context_tier() -> None:
    # Claude pricing page, long context:
    # "> 200K input tokens: Input $6 / MTok, Output $22.50 / MTok".
    e = _on("claude-sonnet-4-5-20250929", date(2025, 10, 1))
    assert (e["input"], e["output"]) == (_d("3"), _d("15"))
    (tier,) = e["tiers"]
    assert (tier["above_prompt_tokens"], tier["input"], tier["output"]) == (
        200000,
        _d("6"),
        _d("22.50"),
    )


def test_gemini_long_context_thresholds() -> None:
    # Gemini 1.5 Pro: above 128K prompt tokens $7 / $21 (mid-2024);
    # Gemini 2.5 Pro: above 200K "$2.50, prompts > 200k tokens" in, $15 out.
    (t15,) = _on("gemini-1.5-pro", date(2024, 7, 1))["tiers"]
    assert (t15["above_prompt_tokens"], t15["input"], t15["output"]) == (128000, _d("7"), _d("21"))
    (t25,) = _on("gemini-2.5-pro", date(2025, 8, 1))["tiers"]
    assert (t25["above_prompt_tokens"], t25["input"], t25["output"]) == (
        200000,
        _d("2.5"),
        _d("15"),
    )


def test_anthropic_batch_table() -> None:
    # Claude pricing page batch table: "Claude Haiku 3 | $0.125 / MTok | $0.625 / MTok",
    # "Claude Opus 4.1 | $7.50 / MTok | $37.50 / MTok". Batches API beta opened 2024-10-08.
    haiku = _on("claude-3-haiku-20240307", date(2024, 10, 8))
    assert (haiku["batch_input"], haiku["batch_output"]) == (_d("0.125"), _d("0.625"))
    assert "batch_input" not in _on("claude-3-haiku-20240307", date(2024, 10, 7))
    opus = _on("claude-opus-4-1-20250805", date(2025, 9, 1))
    assert (opus["batch_input"], opus["batch_output"]) == (_d("7.50"), _d("37.50"))


def test_known_wrong_public_values_are_not_shipped() -> None:
    # LiteLLM: text-davinci-003 2.0 (10x too cheap), claude-instant-1.2 0.163 / 0.551 (divided
    # by 10), gemini-1.5-pro-latest output 1.05 (typo for 10.5);
    # genai-prices: claude-instant output 55.1.
    assert all(e["input"] == 20 for e in _model("text-davinci-003")["prices"])
    instant = _model("claude-instant-1.2")["prices"]
    assert all(e["input"] >= _d("0.8") and e["output"] < 10 for e in instant)
    assert all(e["output"] != _d("1.05") for e in _model("gemini-1.5-pro")["prices"])


# ------------------------------------------------------------------ through the loader


def _shipped_paths() -> list[str]:
    root = resources.files("distillcost.pricing")
    return [str(root.joinpath(f"{p}.toml")) for p in SHIPPED]


TEACHER_FILES = ("reasoning.toml",)
"""Shipped beside the price tables, but reasoning profiles (tests/test_teachers.py checks them)."""


def test_shipped_lists_every_price_file_in_the_package() -> None:
    # a new pricing/*.toml not named in SHIPPED would escape every check in this file
    root = resources.files("distillcost.pricing")
    files = sorted(
        p.name for p in root.iterdir() if p.name.endswith(".toml") and p.name not in TEACHER_FILES
    )
    assert files == sorted(f"{p}.toml" for p in SHIPPED)


def test_loader_validates_every_shipped_file_as_one_source() -> None:
    from distillcost.prices import validate_price_files

    assert validate_price_files(_shipped_paths(), across_files=True) == []


def test_loader_sees_every_shipped_model() -> None:
    from distillcost.prices import load_prices

    table = load_prices(plugins=False, user_dir=False)
    expected = {m["id"] for _, m in MODELS}
    assert expected <= set(table.ids())
    for _, model in MODELS:
        for alias in model.get("aliases", []):
            assert table.get(alias).id == model["id"]


def test_loader_as_of_resolution_at_boundaries() -> None:
    from distillcost.errors import NotAvailableError
    from distillcost.prices import load_prices

    table = load_prices(plugins=False, user_dir=False)
    # Deprecations page: text-davinci-003 "$0.0200 / 1K tokens" = $20 per 1M.
    e = table.get("text-davinci-003").price_on(date(2022, 12, 28))
    assert (e.input, e.output) == (_d("20"), _d("20"))
    with pytest.raises(NotAvailableError):  # shut down 2024-01-04
        table.get("text-davinci-003").price_on(date(2024, 1, 4))
    # ChatGPT API launch 2023-03-01: "$0.002 per 1k tokens"; nothing the day before.
    e = table.price_of("gpt-3.5-turbo", date(2023, 3, 15))
    assert (e.input, e.output) == (_d("2"), _d("2"))
    with pytest.raises(NotAvailableError):
        table.price_of("gpt-3.5-turbo", date(2023, 2, 28))
    # Prompt-caching post: GPT-4o mini "$0.15 / $0.075 / $0.60" from 2024-10-01.
    e = table.price_of("gpt-4o-mini", date(2024, 10, 1))
    assert (e.input, e.cached_input, e.output) == (_d("0.15"), _d("0.075"), _d("0.60"))
    assert table.price_of("gpt-4o-mini", date(2024, 9, 30)).cached_input is None
    # o3: $10 / $40 until 2025-06-09, $2 / $8 from 2025-06-10.
    assert table.price_of("o3", date(2025, 6, 9)).input == _d("10")
    assert table.price_of("o3", date(2025, 6, 10)).input == _d("2")
    # DeepSeek: promo until 2025-02-08, new list from 2025-09-05.
    assert table.price_of("deepseek-chat", date(2025, 2, 7)).output == _d("0.28")
    assert table.price_of("deepseek-chat", date(2025, 2, 8)).output == _d("1.10")
    assert table.price_of("deepseek-chat", date(2025, 9, 4)).input == _d("0.27")
    assert table.price_of("deepseek-chat", date(2025, 9, 5)).input == _d("0.56")


def test_loader_applies_long_context_tiers_per_request() -> None:
    from distillcost.prices import load_prices

    table = load_prices(plugins=False, user_dir=False)
    # Sonnet 4.5: a 200,000-token prompt is still standard; 200,001 pays $6 / $22.50.
    e = table.price_of("claude-sonnet-4-5-20250929", date(2025, 10, 1))
    assert e.tier_for(200_000) is None
    tier = e.tier_for(200_001)
    assert tier is not None and (tier.input, tier.output) == (_d("6"), _d("22.50"))
    # Gemini 1.5 Pro after the 2024-10-01 cut: above 128K, $2.50 / $10.
    tier = table.price_of("gemini-1.5-pro", date(2024, 10, 1)).tier_for(128_001)
    assert tier is not None and (tier.input, tier.output) == (_d("2.5"), _d("10"))
