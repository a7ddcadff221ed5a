"""The shipped price tables against prices typed by hand from the providers' pages, and
the price types real price lists have (long-context tiers, service tiers, batch and the
cache, off-peak windows, dated limits, moving names), each priced end to end.

Expected values are typed from the provider's published price for the date (the
source each comment names), not read from ``pricing/``; the arithmetic is in comments.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from distillcost.errors import NotAvailableError, ScenarioError
from distillcost.estimator import estimate
from distillcost.prices import ModelRecord, PriceEntry, PriceTable, load_prices
from distillcost.scenario import Scenario

TABLE = load_prices(fallback=False)
# prices only: no hidden reasoning (reasoning models are priced in tests/test_teachers.py)
MILLION_EACH = {
    "requests": 1000,
    "prompt_tokens": 1000,
    "completion_tokens": 1000,
    "reasoning_tokens": 0,
}


def run(teacher: str, day: str, table: PriceTable = TABLE, **values):
    values = {**MILLION_EACH, **values}
    return estimate(
        Scenario.from_values({"teacher": teacher, "as_of": date.fromisoformat(day), **values}),
        table,
    )


# (name as users type it, a day it was on sale, published input, output in USD per 1M)
TEACHERS = [
    # today's frontier (provider pricing pages and launch posts, 2025-2026)
    ("gpt-6-sol", "2026-10-01", "2", "10"),
    ("gpt-6-luna", "2026-10-01", "0.1", "0.5"),
    ("gpt-5.1", "2025-12-01", "1.25", "10"),
    ("gpt-5.2", "2026-01-15", "1.75", "14"),
    ("gpt-5.3-codex", "2026-03-01", "1.75", "14"),
    ("gpt-5.4", "2026-04-01", "2.5", "15"),
    ("gpt-5.5", "2026-05-01", "5", "30"),
    ("gpt-5.6", "2026-07-15", "5", "30"),
    ("gpt-5.6", "2026-09-01", "4", "20"),  # cut on 2026-08-21
    ("claude-opus-4-7", "2026-05-01", "5", "25"),
    ("claude-opus-4-8", "2026-06-01", "5", "25"),
    ("claude-sonnet-5-5", "2026-10-01", "2", "10"),
    ("claude-opus-5-5", "2026-10-01", "4", "20"),
    ("claude-haiku-5-5", "2026-10-15", "0.1", "0.5"),
    ("gemini-3-flash-preview", "2026-01-01", "0.5", "3"),
    ("gemini-3.1-pro-preview", "2026-03-01", "2", "12"),
    ("grok-4", "2025-08-01", "3", "15"),
    ("grok-4-1-fast-reasoning", "2025-12-01", "0.2", "0.5"),
    ("kimi-k3", "2026-08-01", "3", "15"),
    ("qwen3.8-max", "2026-10-01", "2", "6"),
    ("deepseek-v4-pro", "2026-05-01", "0.435", "0.87"),  # launch discount from 2026-04-25
    ("mistral-large-2512", "2026-01-01", "0.5", "1.5"),
    ("together/openai/gpt-oss-120b", "2025-09-01", "0.15", "0.6"),
    # older teachers published work used (OpenAI pricing and deprecations pages)
    ("text-davinci-002", "2022-06-01", "60", "60"),  # $0.06 / 1K before 2022-09-01
    ("text-davinci-002", "2022-10-01", "20", "20"),
    ("text-davinci-001", "2022-10-01", "20", "20"),
    ("gpt-3.5-turbo-instruct", "2023-10-01", "1.5", "2"),
    ("gpt-3.5-turbo-0301", "2023-04-01", "2", "2"),  # $0.002 / 1K, one price
    ("gpt-3.5-turbo-0301", "2023-07-01", "1.5", "2"),  # the 2023-06-13 input cut
    ("gpt-3.5-turbo-0613", "2023-07-01", "1.5", "2"),
    ("gpt-3.5-turbo-16k-0613", "2023-07-01", "3", "4"),
    ("gpt-3.5-turbo-1106", "2023-12-01", "1", "2"),
    ("davinci-002", "2023-09-01", "2", "2"),
    ("babbage-002", "2023-09-01", "0.4", "0.4"),
    ("gpt-3.5-turbo-16k", "2023-07-01", "3", "4"),  # the name served 16k-0613
    # GPT-3 models shut down 2024-01-04, at the deprecations page's 2023 prices per 1M
    ("curie", "2023-01-01", "2", "2"),
    ("babbage", "2023-01-01", "0.5", "0.5"),
    ("ada", "2023-01-01", "0.4", "0.4"),
    ("text-curie-001", "2023-01-01", "2", "2"),
    ("text-babbage-001", "2023-01-01", "0.5", "0.5"),
    ("text-ada-001", "2023-01-01", "0.4", "0.4"),
    # moving names: what the name served, at that snapshot's price, on the day
    ("deepseek-chat", "2026-05-01", "0.14", "0.28"),  # deepseek-v4-flash since 2026-04-24
    ("deepseek-chat", "2025-10-15", "0.28", "0.42"),  # V3.2-Exp prices from 2025-09-29
    ("deepseek-reasoner", "2025-03-01", "0.55", "2.19"),  # R1
    ("mistral-large-latest", "2026-01-01", "0.5", "1.5"),  # Mistral Large 3 from 2025-12-02
    ("mistral-small-latest", "2026-04-01", "0.15", "0.6"),  # Small 4 from 2026-03-16
]


@pytest.mark.parametrize(("name", "day", "price_in", "price_out"), TEACHERS)
def test_each_named_teacher_is_priced_as_published_on_a_day_it_was_sold(
    name, day, price_in, price_out
):
    # 1,000 requests x 1,000 prompt and 1,000 completion tokens = 1M tokens of each,
    # so the API bill in dollars is the input price plus the output price
    result = run(name, day)
    assert result.api_usd == D(price_in) + D(price_out)


def test_code_davinci_002_was_a_free_beta():
    # OpenAI offered the Codex models free during their beta (2022); the bill is $0
    assert run("code-davinci-002", "2022-06-01").api_usd == 0


def test_a_retired_snapshot_has_no_price_after_its_shutdown():
    # gpt-3.5-turbo-0301 shut down on 2024-09-13 (OpenAI deprecations page)
    assert run("gpt-3.5-turbo-0301", "2024-09-12").api_usd == D("3.5")
    with pytest.raises(NotAvailableError, match="retired on 2024-09-13"):
        run("gpt-3.5-turbo-0301", "2024-09-13")


def test_gpt_3_models_are_gone_after_their_2024_01_04_shutdown():
    for name in ("curie", "babbage", "ada", "text-curie-001"):
        with pytest.raises(NotAvailableError, match="retired on 2024-01-04"):
            run(name, "2024-01-04", completion_tokens=500)


def test_curie_fine_tuning_prices_from_the_deprecations_page():
    # curie: training $3.00 / 1M, usage $12.00 / 1M (deprecations page, 2023-07-06 entry)
    price = TABLE.price_of("curie", date(2023, 1, 1))
    assert (price.training, price.ft_input, price.ft_output) == (D(3), D(12), D(12))


def test_davinci_fine_tuning_prices_after_the_2022_cut():
    # $0.03 / 1K training tokens, $0.12 / 1K to use the fine-tuned model
    price = TABLE.price_of("davinci", date(2022, 10, 1))
    assert (price.training, price.ft_input, price.ft_output) == (D(30), D(120), D(120))


# ---------------------------------------------------------------- long-context tiers


def test_a_request_over_the_272k_threshold_pays_the_tier_for_the_whole_request():
    # gpt-5.4: $2.50 / $15 up to 272K prompt tokens, $5 / $22.50 above (OpenAI pricing)
    over = run("gpt-5.4", "2026-04-01", prompt_tokens=300_000)
    # 1,000 x 300K = 300M x $5 = $1,500; 1M output x $22.50 = $22.50
    assert over.api_usd == D("1522.5")
    at = run("gpt-5.4", "2026-04-01", prompt_tokens=272_000)
    # 272M x $2.50 = $680; 1M x $15 = $15
    assert at.api_usd == D("695")


def test_a_tier_that_was_removed_stops_applying_on_its_date():
    # Opus 4.6: >200K at $10 / $37.50 until the 1M context went GA at standard prices
    # on 2026-03-13. 300M input + 1M output:
    before = run("claude-opus-4-6", "2026-03-01", prompt_tokens=300_000)
    after = run("claude-opus-4-6", "2026-04-01", prompt_tokens=300_000)
    assert before.api_usd == 300 * D(10) + D("37.5")
    assert after.api_usd == 300 * D(5) + D(25)


def test_a_request_the_api_would_refuse_is_an_error_naming_the_limit():
    # Sonnet 4.5: 1M beta context until 2026-04-30, then 200K (requests over it get 400)
    ok = run("claude-sonnet-4-5", "2026-01-01", prompt_tokens=250_000)
    assert ok.api_usd == 250 * D(6) + D("22.5")  # the >200K tier
    with pytest.raises(ScenarioError) as info:
        run("claude-sonnet-4-5", "2026-05-01", prompt_tokens=250_000)
    assert "200,000" in str(info.value) and "2026-04-30" in str(info.value)


def test_sonnet_4_reaches_its_long_context_tier_while_the_1m_beta_lasted():
    # Sonnet 4: 1M beta context from 2025-08-12 until 2026-04-30 (Anthropic release notes),
    # >200K prompts at $6 / $22.50 (Anthropic pricing, long context table):
    # 1,000 x 300K = 300M x $6 = $1,800; 1M output x $22.50 = $22.50
    ok = run("claude-sonnet-4-20250514", "2026-03-01", prompt_tokens=300_000)
    assert ok.api_usd == D("1822.5")
    # the same as Sonnet 4.5 on that day (same published prices)
    assert run("claude-sonnet-4-5", "2026-03-01", prompt_tokens=300_000).api_usd == ok.api_usd
    # before the beta (200K window) and after it was retired, the API refuses the request
    for day in ("2025-08-01", "2026-05-01"):
        with pytest.raises(ScenarioError, match="200,000"):
            run("claude-sonnet-4-20250514", day, prompt_tokens=300_000)


# ---------------------------------------------------------------- service tiers


@pytest.mark.parametrize(("tier", "ratio"), [("flex", D("0.5")), ("priority", D(2))])
def test_flex_and_priority_differ_from_standard_by_the_published_ratios(tier, ratio):
    # gpt-5: standard $1.25 / $10; flex $0.625 / $5; priority $2.50 / $20 (OpenAI pricing)
    standard = run("gpt-5", "2025-11-01")
    chosen = run("gpt-5", "2025-11-01", service_tier=tier)
    assert standard.api_usd == D("11.25")
    assert chosen.api_usd == standard.api_usd * ratio


def test_a_service_tier_without_a_long_context_rate_meets_the_tier_by_ratio_and_says_so():
    # gpt-5.4: priority $5 / $30 against standard $2.50 / $15 (2x); above 272K the tier is
    # $5 / $22.50 and OpenAI publishes no priority long-context rate, so 2x is assumed:
    # 300M x $10 = $3,000; 1M x $45 = $45
    result = run("gpt-5.4", "2026-04-01", prompt_tokens=300_000, service_tier="priority")
    assert result.api_usd == D("3045")
    assert any("no published long-context priority rate" in n for n in result.notes)
    # under the threshold no tier applies, so nothing is assumed: 1M x 5 + 1M x 30
    short = run("gpt-5.4", "2026-04-01", service_tier="priority")
    assert short.api_usd == D("35")
    assert not any("long-context" in n for n in short.notes)


def test_a_service_tier_the_entry_lacks_is_an_error():
    # priority prices for gpt-5 are listed from 2025-10-02 only
    with pytest.raises(NotAvailableError, match="priority"):
        run("gpt-5", "2025-09-01", service_tier="priority")


# ---------------------------------------------------------------- batch and the cache

CACHED = {"completion_tokens": 500, "shared_prefix_tokens": 10_000, "cache_hit_rate": "0.9"}
CACHED |= {"batch": True}


def test_anthropic_batch_halves_cache_reads_and_writes_too():
    # claude-opus-5-5: batch $2 in / $10 out; cache read $0.20 -> $0.10, write $5 -> $2.50
    # unique 1M x 2 = 2; hits 9M x 0.1 = 0.9; writes 1M x 2.5 = 2.5; output 0.5M x 10 = 5
    assert run("claude-opus-5-5", "2026-10-01", **CACHED).api_usd == D("10.4")


def test_gemini_2_5_batch_leaves_context_caching_at_the_standard_rate():
    # gemini-2.5-flash (2025-11-01): batch $0.15 / $1.25; cache reads stay $0.03;
    # no write price, so misses are input: unique 1M + missed 1M at 0.15 = 0.30;
    # hits 9M x 0.03 = 0.27; output 0.5M x 1.25 = 0.625
    result = run("gemini-2.5-flash", "2025-11-01", **CACHED)
    assert result.api_usd == D("1.195")
    assert not any("batch discount applied to cache" in n for n in result.notes)


def test_gemini_3_1_flash_lite_batch_halves_context_caching():
    # batch $0.125 / $0.75; cache $0.025 -> $0.0125
    # 2M x 0.125 = 0.25; 9M x 0.0125 = 0.1125; 0.5M x 0.75 = 0.375
    assert run("gemini-3.1-flash-lite", "2026-06-01", **CACHED).api_usd == D("0.7375")


def test_an_unknown_batch_cache_rule_is_assumed_discounted_and_said_so():
    # gemini-3-pro-preview: Google states no rule; batch $1 / $6, cache $0.20 -> $0.10
    result = run("gemini-3-pro-preview", "2025-12-01", **CACHED)
    assert result.api_usd == 2 * D(1) + 9 * D("0.1") + D("0.5") * 6
    assert any("batch discount applied to cache" in n for n in result.notes)


def test_openai_before_gpt_5_batch_cache_rule_is_assumed_and_said_so():
    # gpt-4o (2025-06-01): batch $1.25 / $5, cached $1.25; OpenAI's Batch table gives no
    # cached price for it, so the discount on cache reads is assumed: 1.25 -> 0.625.
    # No write price: unique 1M + missed 1M at 1.25 = 2.5; hits 9M x 0.625 = 5.625;
    # output 0.5M x 5 = 2.5
    result = run("gpt-4o", "2025-06-01", **CACHED)
    assert result.api_usd == D("10.625")
    assert any("batch discount applied to cache" in n for n in result.notes)
    # gpt-5's Batch table halves the cached price ($0.125 -> $0.0625): published, no note
    # 2M x 0.625 = 1.25; 9M x 0.0625 = 0.5625; 0.5M x 5 = 2.5
    gpt_5 = run("gpt-5", "2025-11-01", **CACHED)
    assert gpt_5.api_usd == D("4.3125")
    assert not any("batch discount applied to cache" in n for n in gpt_5.notes)


def _one_model_table(rule: str) -> PriceTable:
    price = PriceEntry(
        effective_from=date(2025, 1, 1),
        input=D(2),
        output=D(8),
        cached_input=D("0.5"),
        cache_write=D("2.5"),
        batch_input=D(1),
        batch_output=D(4),
        batch_cache=rule,
        source="test",
    )
    return PriceTable([ModelRecord("m", "test", (price,))])


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        # unique 1M x 1 = 1; output 0.5M x 4 = 2; then hits (9M) and writes (1M):
        ("discounted", D(1) + D(2) + 9 * D("0.25") + D("1.25")),
        ("undiscounted", D(1) + D(2) + 9 * D("0.5") + D("2.5")),
        ("not-cached", D(1) + D(2) + 9 * D(1) + D(1)),  # every prefix token is batch input
        ("unpublished", D(1) + D(2) + 9 * D("0.25") + D("1.25")),  # as discounted, noted
    ],
)
def test_each_batch_cache_rule_prices_cached_prefixes_its_way(rule, expected):
    assert run("m", "2025-06-01", _one_model_table(rule), **CACHED).api_usd == expected


# ---------------------------------------------------------------- off-peak windows

# deepseek-v4-flash from 2026-08-23: $0.44 / $1.32, off-peak half price (UTC 10:00-01:00
# and 04:00-06:00 on weekdays, all day Saturday and Sunday): 5 x 17 h + 2 x 24 h = 133 h
# of the week's 168.
TIMED = {"rpm": 10, "concurrency": 1000, "latency_seconds": 1}


def test_an_off_peak_only_campaign_pays_off_peak_prices_and_waits_for_those_hours():
    anytime = run("deepseek-v4-flash", "2026-09-01", **TIMED)
    off_peak = run("deepseek-v4-flash", "2026-09-01", off_peak_only=True, **TIMED)
    assert anytime.api_usd == D("0.44") + D("1.32")
    assert off_peak.api_usd == D("0.22") + D("0.66")
    # 1,000 requests at 10 a minute = 6,000 s of sending, spread over 133 h a week
    # (seconds are kept to the millisecond)
    assert anytime.wall_clock_seconds == 6000
    assert off_peak.wall_clock_seconds == (D(6000) * 168 / 133).quantize(D("0.001"))


def test_a_share_off_peak_blends_the_two_prices():
    half = run("deepseek-v4-flash", "2026-09-01", off_peak_share="0.5")
    assert half.api_usd == (D("1.76") + D("0.88")) / 2


def test_off_peak_prices_are_an_error_where_the_provider_has_none():
    with pytest.raises(NotAvailableError, match="off-peak"):
        run("gpt-5", "2025-11-01", off_peak_share="0.5")


def test_off_peak_only_on_a_model_without_off_peak_prices_names_model_flag_and_who_has_them():
    with pytest.raises(NotAvailableError) as info:
        run("gpt-4o", "2026-09-01", off_peak_only=True)
    message = str(info.value)
    assert "gpt-4o" in message and "--off-peak-only" in message
    # DeepSeek V4 has peak / off-peak prices since 2026-08-16 (issue 9, DeepSeek pricing)
    assert "deepseek-v4-flash" in message and "deepseek-v4-pro" in message
    assert "gpt-5" not in message


# ---------------------------------------------------------------- cache lifetime


def test_one_hour_cache_writes_pay_their_own_price():
    # claude-opus-5-5 standard: 5-minute writes $5, 1-hour writes $8; all writes 1-hour:
    # unique 1M x 4 = 4; hits 9M x 0.2 = 1.8; writes 1M x 8 = 8; output 0.5M x 20 = 10
    values = {**CACHED, "batch": False, "cache_write_1h_share": 1}
    assert run("claude-opus-5-5", "2026-10-01", **values).api_usd == D("23.8")
