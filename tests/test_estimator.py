"""The cost model against scenarios computed by hand, to the cent (arithmetic in comments).

Tables are built in code, so these tests do not depend on the shipped price data.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal as D

import pytest

from distillcost.errors import NotAvailableError, ScenarioError, UnknownModelError
from distillcost.estimator import COST_KINDS, METHOD, TOKEN_KINDS, estimate
from distillcost.prices import LongContextTier, ModelRecord, PriceEntry, PriceTable
from distillcost.scenario import Scenario

DAY = date(2025, 1, 1)


def entry(**kw) -> PriceEntry:
    base = {"effective_from": date(2024, 1, 1), "source": "test", "verified": True}
    base.update(kw)
    return PriceEntry(**base)


def table() -> PriceTable:
    return PriceTable(
        [
            # $1 in / $2 out per 1M; cached reads $0.5; batch halves; no cache writes
            ModelRecord(
                "flat",
                "test",
                (
                    entry(
                        input=D(1),
                        output=D(2),
                        cached_input=D("0.5"),
                        batch_input=D("0.5"),
                        batch_output=D(1),
                        training=D(3),
                    ),
                ),
                context_window=100_000,
            ),
            # Anthropic-like: cache writes 1.25x input, a long-context tier above 200K
            ModelRecord(
                "claude-like",
                "test",
                (
                    entry(
                        input=D(3),
                        output=D(15),
                        cached_input=D("0.3"),
                        cache_write=D("3.75"),
                        batch_input=D("1.5"),
                        batch_output=D("7.5"),
                        tiers=(LongContextTier(200_000, D(6), D("22.5")),),
                    ),
                ),
                context_window=1_000_000,
            ),
            ModelRecord(
                "per-call",
                "test",
                (entry(input=D(1), output=D(2), per_request=D("0.001")),),
            ),
            ModelRecord(
                "dated",
                "test",
                (
                    entry(effective_from=date(2023, 1, 1), input=D(10), output=D(20)),
                    entry(effective_from=date(2024, 1, 1), input=D(5), output=D(10)),
                ),
                aliases=("dated-alias",),
                context_window=8_000,
                max_output_tokens=1_000,
            ),
        ]
    )


def scenario(**kw) -> Scenario:
    values = {"teacher": "flat", "as_of": DAY}
    values.update(kw)
    return Scenario.from_values(values)


BASIC = {"examples": 100_000, "prompt_tokens": 200, "completion_tokens": 300}


def test_basic_with_losses():
    # generated = 100,000 / 0.8 = 125,000; requests = 125,000 x 1.05 = 131,250
    # input  = 131,250 x 200 = 26,250,000 tokens x $1/1M = $26.25
    # output = 131,250 x 300 = 39,375,000 tokens x $2/1M = $78.75   total $105.00
    e = estimate(scenario(**BASIC, acceptance_rate="0.8", retry_rate="0.05"), table())
    assert e.requests == 131_250
    assert e.generated_examples == D(125_000)
    assert e.tokens["input_uncached"] == D(26_250_000)
    assert e.tokens["output"] == D(39_375_000)
    assert e.costs["input_uncached"] == D("26.25")
    assert e.costs["output"] == D("78.75")
    assert e.total_usd == e.api_usd == e.low_usd == e.high_usd == D("105")
    # dataset: 100,000 kept x (200 + 300) = 50M tokens; $105 / 50M x 1M = $2.10
    assert e.dataset_tokens == D(50_000_000)
    assert e.usd_per_1m_dataset_tokens == D("2.1")
    assert e.input_tokens == D(26_250_000) and e.output_tokens == D(39_375_000)


def test_fractional_requests_reported_rounded_up():
    # 1,000 / 0.3 = 3,333.33... generated examples = requests; report 3,334 whole requests
    # cost uses the exact expectation: 3,333.33.. x 100 in x $1/1M + x 100 out x $2/1M
    #  = 3,333.33.. x 300 / 1M = $1.00 exactly
    e = estimate(
        scenario(examples=1000, prompt_tokens=100, completion_tokens=100, acceptance_rate="0.3"),
        table(),
    )
    assert e.requests == 3334
    assert e.requests_exact == D("3333.333333")
    assert e.total_usd == D(1)


def test_shared_prefix_cache_and_examples_per_request():
    # 10,000 examples / 4 per completion = 2,500 requests
    # unique input 2,500 x 100 = 250,000 x $1 = $0.25
    # prefix 2,500 x 1,000 = 2.5M: 75% cached 1.875M x $0.5 = $0.9375; 25% 0.625M x $1 = $0.625
    # output 2,500 x 4 x 250 = 2.5M x $2 = $5.00            total $6.8125
    sc = scenario(
        examples=10_000,
        prompt_tokens=100,
        completion_tokens=250,
        shared_prefix_tokens=1000,
        examples_per_request=4,
        cache_hit_rate="0.75",
    )
    e = estimate(sc, table())
    assert e.requests == 2500
    assert e.tokens["input_cached"] == D(1_875_000)
    assert e.tokens["input_uncached"] == D(875_000)
    assert e.tokens["cache_write"] == 0
    assert e.costs["input_cached"] == D("0.9375")
    assert e.total_usd == D("6.8125")


def test_cache_writes_billed_where_the_table_bills_them():
    # same shape on claude-like: unique 250,000 x $3 = $0.75; cached 1.875M x $0.3 = $0.5625
    # misses are cache writes 0.625M x $3.75 = $2.34375; output 2.5M x $15 = $37.50
    # total $41.15625
    sc = scenario(
        teacher="claude-like",
        examples=10_000,
        prompt_tokens=100,
        completion_tokens=250,
        shared_prefix_tokens=1000,
        examples_per_request=4,
        cache_hit_rate="0.75",
    )
    e = estimate(sc, table())
    assert e.tokens["cache_write"] == D(625_000)
    assert e.costs["cache_write"] == D("2.34375")
    assert e.total_usd == D("41.15625")
    # no caching at all: the whole prefix is plain input, no writes:
    # input (250,000 + 2.5M) x $3 = $8.25 + $37.50 = $45.75
    e0 = estimate(sc.with_values(cache_hit_rate=0), table())
    assert e0.tokens["cache_write"] == 0
    assert e0.total_usd == D("45.75")
    # at a 10% hit rate writes cost more than caching saves (a real effect):
    # cached 250,000 x 0.3 = 0.075; writes 2.25M x 3.75 = 8.4375; unique 0.75; out 37.5
    e10 = estimate(sc.with_values(cache_hit_rate="0.1"), table())
    assert e10.total_usd == D("46.7625") > e0.total_usd
    # batch stacks with caching: every rate halves (batch_input/input = 1.5/3)
    # unique 250,000 x $1.5 = $0.375; reads 1.875M x $0.15 = $0.28125;
    # writes 0.625M x $1.875 = $1.171875; output 2.5M x $7.5 = $18.75 -> $20.578125
    eb = estimate(sc.with_values(batch=True), table())
    assert eb.total_usd == D("20.578125")
    assert any("assumed to stack" in n for n in eb.notes)


def test_batch_prices():
    # as test_basic_with_losses at batch prices: 26.25M x $0.5 + 39.375M x $1 = $52.50
    sc = scenario(**BASIC, acceptance_rate="0.8", retry_rate="0.05", batch=True)
    assert estimate(sc, table()).total_usd == D("52.5")


def test_batch_without_batch_price_names_the_model():
    sc = scenario(**BASIC, teacher="per-call", batch=True)
    with pytest.raises(NotAvailableError, match="batch: per-call has no batch price on 2025-01-01"):
        estimate(sc, table())


def test_multi_turn_resends_history():
    # 100 conversations x 3 turns, prefix 50, 100 new user tokens and 200 answer tokens a turn
    # inputs: turn1 50+100 = 150, turn2 50+200+200 = 450, turn3 50+300+400 = 750 -> 1,350
    #   (= 3x50 + 100x(1+2+3) + 200x(0+1+2)); 100 convs -> 135,000 x $1 = $0.135
    # output 3 x 200 x 100 = 60,000 x $2 = $0.12          total $0.255
    sc = scenario(
        examples=100, turns=3, prompt_tokens=100, completion_tokens=200, shared_prefix_tokens=50
    )
    e = estimate(sc, table())
    assert e.requests == 300
    assert e.tokens["input_uncached"] == D(135_000)
    assert e.tokens["output"] == D(60_000)
    assert e.total_usd == D("0.255")
    assert e.dataset_tokens == D(90_000)  # 100 x 3 x (100 + 200)


def test_samples_per_prompt_input_billed_once_or_per_sample():
    # 1,200 examples, n = 3: 400 prompts. Billed once: input 400 x 100 = 40,000 ($0.04),
    # output 1,200 x 100 = 120,000 ($0.24) -> $0.28
    sc = scenario(examples=1200, samples_per_prompt=3, prompt_tokens=100, completion_tokens=100)
    once = estimate(sc, table())
    assert once.requests == 400
    assert once.total_usd == D("0.28")
    # per sample: 1,200 requests, input 120,000 ($0.12) + $0.24 = $0.36
    each = estimate(sc.with_values(input_billed_per_sample=True), table())
    assert each.requests == 1200
    assert each.total_usd == D("0.36")


def test_reasoning_billed_as_output_but_not_in_dataset():
    # 1,000 requests: input 100k ($0.10), output 100k ($0.20), reasoning 500k x $2 ($1.00)
    sc = scenario(examples=1000, prompt_tokens=100, completion_tokens=100, reasoning_tokens=500)
    e = estimate(sc, table())
    assert e.tokens["reasoning"] == D(500_000)
    assert e.costs["reasoning"] == D(1)
    assert e.total_usd == D("1.3")
    assert e.dataset_tokens == D(200_000)
    assert e.output_tokens == D(600_000)


def test_per_request_prices():
    # table price $0.001/request: 1,000 requests -> $1.00; output 10,000 x $2 = $0.02
    sc = scenario(teacher="per-call", examples=1000, prompt_tokens=0, completion_tokens=10)
    assert estimate(sc, table()).total_usd == D("1.02")
    # scenario override $0.01: $10.00 + $0.02
    assert estimate(sc.with_values(per_request_usd="0.01"), table()).total_usd == D("10.02")
    # flat per-query reading: tokens not billed
    flat = sc.with_values(per_request_usd="0.01", token_billing=False)
    e = estimate(flat, table())
    assert e.total_usd == D(10)
    assert e.costs["output"] == 0
    assert any("token_billing" in n for n in e.notes)


def test_volume_kinds():
    # output_tokens 1M kept, 250 per example, half accepted: 4,000 kept, 8,000 generated
    # output 8,000 x 250 = 2M x $2 = $4.00 (no prompt)
    sc = scenario(output_tokens="1M", prompt_tokens=0, completion_tokens=250, acceptance_rate="0.5")
    e = estimate(sc, table())
    assert e.accepted_examples == D(4000) and e.total_usd == D(4)
    # dataset_tokens 1M at 150 + 250 = 400 per example: 2,500 examples
    # input 375,000 x $1 + output 625,000 x $2 = $0.375 + $1.25 = $1.625
    sc = scenario(dataset_tokens=1_000_000, prompt_tokens=150, completion_tokens=250)
    assert estimate(sc, table()).total_usd == D("1.625")
    # requests 1,000 successful, 10% retried: 1,100 sent; 100 in, 2 x 100 out each
    # 110,000 x $1 + 220,000 x $2 = $0.11 + $0.44 = $0.55; 1,000 x 2 x 0.5 accepted = 1,000 kept
    sc = scenario(
        requests=1000,
        retry_rate="0.1",
        prompt_tokens=100,
        completion_tokens=100,
        examples_per_request=2,
        acceptance_rate="0.5",
    )
    e = estimate(sc, table())
    assert e.requests == 1100 and e.total_usd == D("0.55") and e.accepted_examples == D(1000)


def test_dataset_tokens_with_shared_prompt():
    # 16 examples per completion sharing a 800-token prompt: 50 + 100 = 150 per example
    # dataset 150,000 -> 1,000 examples -> 62.5 requests: in 62.5 x 800 = 50,000 ($0.05),
    # out 1,000 x 100 = 100,000 ($0.20) -> $0.25
    sc = scenario(
        dataset_tokens=150_000, prompt_tokens=800, completion_tokens=100, examples_per_request=16
    )
    e = estimate(sc, table())
    assert e.accepted_examples == D(1000) and e.total_usd == D("0.25")
    # prompt not in the dataset: 100 per example -> 1,500 examples: $0.075 + $0.30
    e = estimate(sc.with_values(prompt_in_dataset=False), table())
    assert e.total_usd == D("0.375")


def test_price_on_the_as_of_date_and_overrides():
    sc = scenario(teacher="dated", examples=1000, prompt_tokens=1000, completion_tokens=500)
    # 2023 entry: 1M x $10 + 0.5M x $20 = $20; 2024 entry: $5 + $5 = $10
    assert estimate(sc, table(), as_of=date(2023, 6, 1)).total_usd == D(20)
    assert estimate(sc, table()).total_usd == D(10)
    e = estimate(sc.with_values(teacher="flat"), table(), teacher="dated-alias")
    assert e.teacher == "dated" and e.price.effective_from == date(2024, 1, 1)
    with pytest.raises(NotAvailableError, match="no price on 2022-01-01"):
        estimate(sc, table(), as_of=date(2022, 1, 1))
    with pytest.raises(UnknownModelError, match="Did you mean: dated"):
        estimate(sc, table(), teacher="datted")


def test_context_window_and_max_output():
    sc = scenario(teacher="dated", examples=1, prompt_tokens=7500, completion_tokens=600)
    with pytest.raises(ScenarioError, match="context window of 8,000"):
        estimate(sc, table())
    sc = scenario(teacher="dated", examples=1, prompt_tokens=100, completion_tokens=1001)
    with pytest.raises(ScenarioError, match="maximum output of 1,000"):
        estimate(sc, table())
    # the high end of a range is checked too
    sc = scenario(teacher="dated", examples=1, prompt_tokens=100, completion_tokens="10..20..1001")
    with pytest.raises(ScenarioError, match="completion_tokens"):
        estimate(sc, table())


def test_incomplete_scenarios_name_the_field():
    with pytest.raises(ScenarioError, match="teacher: not given"):
        estimate(Scenario.from_values(examples=1, prompt_tokens=1, completion_tokens=1), table())
    with pytest.raises(ScenarioError, match="no volume"):
        estimate(scenario(prompt_tokens=1, completion_tokens=1), table())
    with pytest.raises(ScenarioError, match="completion_tokens: not given"):
        estimate(scenario(examples=1, prompt_tokens=1), table())
    with pytest.raises(ScenarioError, match="completion_tokens: must be above 0"):
        estimate(scenario(output_tokens=10, prompt_tokens=1, completion_tokens=0), table())


# -- long-context tiers, per request -------------------------------------------------


def measured(sc: Scenario, lengths: tuple[int, ...]) -> Scenario:
    """A scenario as if its prompts had been counted from files with these lengths."""
    return dataclasses.replace(
        sc,
        prompt_lengths=lengths,
        measured_fields=("prompt_tokens",),
        measured_encoding="o200k_base",
    )


def test_tiers_decided_per_request_from_measured_lengths():
    # two requests: 100K and 300K prompt tokens (mean 200K), 1,000 output tokens each
    # request 1 (<= 200K, base): 100,000 x $3 + 1,000 x $15   = $0.30 + $0.015  = $0.315
    # request 2 (>  200K, tier): 300,000 x $6 + 1,000 x $22.5 = $1.80 + $0.0225 = $1.8225
    # per-request total $2.1375
    sc = scenario(teacher="claude-like", requests=2, prompt_tokens=200_000, completion_tokens=1000)
    e = estimate(measured(sc, (100_000, 300_000)), table())
    assert e.total_usd == D("2.1375")
    # the mistakes it avoids: pricing the mean request (200K is not above 200K)
    #   400,000 x $3 + 2,000 x $15 = $1.23 (under by 42%)
    assert estimate(sc, table()).total_usd == D("1.23")
    # ... or the campaign as one giant 400K request: 400,000 x $6 + 2,000 x $22.5 = $2.445
    assert e.total_usd != D("2.445")
    assert any("50.0% of requests exceed" in n for n in e.notes)


def test_tiers_split_a_sample_in_proportion():
    # 4,000 requests, sample lengths 50K, 150K, 250K, 350K (mean 200K), no output
    # half the requests average 100K (base $3), half average 300K (tier $6):
    # 2,000 x 100,000 x $3 = $600; 2,000 x 300,000 x $6 = $3,600 -> $4,200
    sc = scenario(teacher="claude-like", requests=4000, prompt_tokens=200_000, completion_tokens=0)
    e = estimate(measured(sc, (350_000, 50_000, 250_000, 150_000)), table())
    assert e.total_usd == D(4200)
    # the sample is rescaled to the measured mean: mean 100K with the same shape
    # (25K, 75K, 125K, 175K) puts nothing above 200K: 4,000 x 100K x $3 = $1,200
    e = estimate(
        measured(sc.with_values(prompt_tokens=100_000), (350_000, 50_000, 250_000, 150_000)),
        table(),
    )
    assert e.total_usd == D(1200)


def test_tiers_per_turn_with_plain_numbers():
    # one conversation of 2 turns, 150K new tokens a turn, 1,000-token answers
    # turn 1: 150,000 in x $3 + 1,000 x $15 = $0.45 + $0.015
    # turn 2: 301,000 in (150K + 150K + 1K answer) > 200K: x $6 = $1.806, + 1,000 x $22.5 = $0.0225
    # total $2.2935
    sc = scenario(
        teacher="claude-like", examples=1, turns=2, prompt_tokens=150_000, completion_tokens=1000
    )
    assert estimate(sc, table()).total_usd == D("2.2935")


# -- time ------------------------------------------------------------------------------


def test_wall_clock_and_binding_limit():
    base = {**BASIC, "acceptance_rate": "0.8", "retry_rate": "0.05"}  # 131,250 requests
    # rpm 500 x 2 keys: 131,250 / 1,000 per min = 131.25 min = 7,875 s
    # tpm 1M x 2 keys: 65,625,000 tokens / 2M per min = 32.8125 min = 1,968.75 s
    e = estimate(scenario(**base, rpm=500, tpm="1M", keys=2), table())
    assert e.time == {"rpm": D(7875), "tpm": D("1968.75")}
    assert e.binding_limit == "rpm"
    assert e.wall_clock_seconds == D(7875)
    assert e.wall_clock_days == D("0.091146")  # 7,875 / 86,400 = 0.0911458..
    # tokens per day 10M x 2 keys: 65,625,000 / 20M = 3.28125 days = 283,500 s
    e = estimate(scenario(**base, rpm=500, tpd="10M", keys=2), table())
    assert e.binding_limit == "tpd" and e.wall_clock_seconds == D(283_500)
    # 10 in flight per key, 20 s each, 2 keys: 131,250 x 20 / 20 = 131,250 s
    e = estimate(scenario(**base, concurrency=10, latency_seconds=20, keys=2), table())
    assert e.binding_limit == "concurrency" and e.wall_clock_seconds == D(131_250)
    with pytest.raises(ScenarioError, match="latency_seconds"):
        estimate(scenario(**base, concurrency=10), table())


def test_batch_queue_rounds():
    # batch: input 26.25M tokens, queue 10M per round -> 3 rounds x 24 h = 259,200 s
    sc = scenario(
        **BASIC, acceptance_rate="0.8", retry_rate="0.05", batch=True, batch_queue_tokens="10M"
    )
    e = estimate(sc, table())
    assert e.binding_limit == "batch" and e.wall_clock_seconds == D(259_200)
    assert e.wall_clock_days == D(3)
    # rate limits of the synchronous API are ignored (and said so)
    e = estimate(sc.with_values(rpm=1), table())
    assert e.time == {"batch": D(259_200)}
    assert any("rpm" in n for n in e.notes)


def test_no_limits_no_wall_clock():
    e = estimate(scenario(**BASIC), table())
    assert e.wall_clock_seconds is None and e.binding_limit == "none given"


# -- student -------------------------------------------------------------------------


def test_student_on_gpus_by_flops_with_a_given_utilisation():
    # packed (no padding), full fine-tune, no recompute: FLOPs per token = 6N + 6·w·L with
    # w = 0.036 × N^(2/3) (n_layer·d_model) and L = 1e9 tokens / 100,000 examples = 10,000.
    # N = 7e9: N^(2/3) = 3,659,305.710..; w = 131,735.005..
    # per token: 4.2e10 + 6 × 131,735.005 × 10,000 = 4.2e10 + 7,904,100,343 = 49,904,100,343
    # × 3e9 tokens = 1.4971230e20 FLOPs ÷ (312e12 × 0.4) ÷ 3600 = 333.226.. GPU-hours
    sc = scenario(
        **BASIC,
        student_parameters="7e9",
        training_tokens="1B",
        epochs=3,
        gpu="a100",
        padding="packed",
        utilisation="0.4",
        usd_per_gpu_hour=2,
    )
    e = estimate(sc, table())
    assert e.student["method"] == "gpu"
    flops = D("3e9") * (6 * D("7e9") + 6 * D("0.036") * D("7e9") ** (D(2) / D(3)) * 10_000)
    hours = flops / (D(312) * 10**12 * D("0.4")) / 3600
    assert e.student["gpu_hours"] == round(hours, 6)
    assert abs(e.student_usd - 2 * hours) < D("1e-6")
    assert e.student["utilisation_source"] == "given (utilisation)"
    # API $80 (100,000 x 200 x $1 + x 300 x $2 = $20 + $60) + student
    assert e.api_usd == D(80)
    assert e.total_usd == e.api_usd + e.student_usd


def test_student_fine_tune_and_gpu_hours():
    # dataset 100,000 x 500 = 50M tokens x 2 epochs x $3/1M = $300
    e = estimate(scenario(**BASIC, student_model="flat", epochs=2), table())
    assert e.student["method"] == "fine-tune" and e.student_usd == D(300)
    e = estimate(scenario(**BASIC, gpu_hours=64, usd_per_gpu_hour="1.5625"), table())
    assert e.student_usd == D(100)
    with pytest.raises(ScenarioError, match="usd_per_gpu_hour"):
        estimate(scenario(**BASIC, gpu_hours=64), table())
    with pytest.raises(NotAvailableError, match="no fine-tuning"):
        estimate(scenario(**BASIC, student_model="dated"), table())


# -- ranges ----------------------------------------------------------------------------


def test_low_base_high_and_sensitivity():
    # base (a 0.8, c 300, r 0.05): $105 (test_basic_with_losses)
    # low: a = 1 (high end!), c = 200: 105,000 requests x (200 x $1 + 200 x $2)/1M = $63
    # high: a = 0.5, c = 400: 210,000 x (200 + 800)/1M = $210
    sc = scenario(
        **{**BASIC, "completion_tokens": "200..300..400"},
        acceptance_rate="0.5..0.8..1",
        retry_rate="0.05",
    )
    e = estimate(sc, table())
    assert (e.low_usd, e.total_usd, e.high_usd) == (D(63), D(105), D(210))
    assert e.low_point == {"acceptance_rate": D(1), "completion_tokens": D(200)}
    assert e.high_point == {"acceptance_rate": D("0.5"), "completion_tokens": D(400)}
    # acceptance 0.5: 210,000 x (200 + 600)/1M = $168; 1.0: 105,000 x 800/1M = $84 (swing 84)
    # completion 200: 131,250 x 600/1M = $78.75; 400: 131,250 x 1,000/1M = $131.25 (swing 52.5)
    first, second = e.sensitivity
    assert (first.parameter, first.low_usd, first.high_usd, first.swing_usd) == (
        "acceptance_rate",
        D(168),
        D(84),
        D(84),
    )
    assert (second.parameter, second.low_usd, second.high_usd) == (
        "completion_tokens",
        D("78.75"),
        D("131.25"),
    )


# -- output shape ----------------------------------------------------------------------


def test_to_dict_has_the_contract_keys():
    e = estimate(scenario(**BASIC, rpm=100), table())
    d = e.to_dict()
    for key in [
        "teacher",
        "provider",
        "as_of",
        "total_usd",
        "low_usd",
        "high_usd",
        "api_usd",
        "student_usd",
        "requests",
        "generated_examples",
        "accepted_examples",
        "input_tokens",
        "output_tokens",
        "dataset_tokens",
        "wall_clock_seconds",
        "wall_clock_days",
        "binding_limit",
        "usd_per_1m_dataset_tokens",
        "tokens",
        "costs",
        "prices",
        "time",
        "assumptions",
        "sensitivity",
        "notes",
        "scenario",
    ]:
        assert key in d, key
    assert set(d["tokens"]) == set(TOKEN_KINDS)
    assert set(d["costs"]) == set(COST_KINDS)
    for key in [
        "model",
        "effective_from",
        "unit",
        "input",
        "output",
        "cached_input",
        "cache_write",
        "batch_input",
        "batch_output",
        "per_request",
        "training",
        "source",
        "checked",
        "verified",
        "tiers",
    ]:
        assert key in d["prices"], key
    row = next(a for a in d["assumptions"] if a["name"] == "rpm")
    assert row["origin"] == "given" and row["value"] == D(100)
    assert set(row) >= {"name", "value", "low", "high", "origin", "description"}


def test_to_frame_one_row_per_cost_kind():
    frame = estimate(scenario(**BASIC), table()).to_frame()
    # a self-hosted teacher's set-up is listed only when a campaign pays one
    assert list(frame["kind"]) == [k for k in COST_KINDS if k != "setup"]
    assert frame.set_index("kind").loc["output", "usd"] == D(60)


def test_method_text_has_the_formulas():
    assert "G = E / a" in METHOD and "P = E × L × epochs" in METHOD


# -- measured profiles (counted from files) ---------------------------------------------


def test_measured_prompt_lengths_split_tiers(tmp_path):
    # prompts of 2, 11 and 51 o200k tokens ("x " * 50 is 51 tokens); a tier above 20 tokens
    import json

    from distillcost.scenario import load_scenario

    path = tmp_path / "p.jsonl"
    texts = ["Hello world", "Write a haiku about the sea and the wind tonight", "x " * 50]
    path.write_text("".join(json.dumps({"prompt": t}) + "\n" for t in texts))
    tiered = PriceTable(
        [
            ModelRecord(
                "tiered",
                "test",
                (entry(input=D(1), output=D(1), tiers=(LongContextTier(20, D(2), D(2)),)),),
                encoding="o200k_base",
            )
        ]
    )
    sc = load_scenario(
        None,
        {
            "teacher": "tiered",
            "as_of": DAY,
            "requests": 3_000_000,
            "prompt_file": [str(path)],
            "field": "prompt",
            "completion_tokens": 0,
        },
    )
    assert sc.provenance["prompt_tokens"] == "measured"
    assert sorted(sc.prompt_lengths) == [2, 11, 51]
    # 1M requests each: (2 + 11) x 1M = 13M tokens at $1 = $13; 51 x 1M = 51M at $2 = $102
    e = estimate(sc, tiered)
    assert e.total_usd == D(115)
    # pricing the mean request (21.3 > 20) would put all 64M tokens in the tier: $128
    assert estimate(dataclasses.replace(sc, prompt_lengths=()), tiered).total_usd == D(128)
    # a 40-token window: the mean request (21.3) fits, the 51-token prompt does not: a note
    small = PriceTable([dataclasses.replace(tiered.get("tiered"), context_window=40)])
    e = estimate(sc, small)
    assert "1 of 3 sampled prompts would not fit tiered's context window of 40" in " ".join(e.notes)


def test_token_ratio_applies_to_measured_counts_only():
    # a non-OpenAI model whose tokenizer yields 1.2 tokens per o200k token
    ratio_table = PriceTable(
        [
            ModelRecord(
                "other",
                "test",
                (entry(input=D(1), output=D(1)),),
                encoding="o200k_base",
                token_ratio=D("1.2"),
                tokenizer_approximate=True,
            )
        ]
    )
    sc = scenario(teacher="other", examples=1_000_000, prompt_tokens=100, completion_tokens=100)
    # numbers are taken as the teacher's own tokens: 200M x $1 = $200
    assert estimate(sc, ratio_table).total_usd == D(200)
    # measured with o200k: x 1.2 -> 240M x $1 = $240, with a note
    m = dataclasses.replace(
        sc, measured_fields=("prompt_tokens", "completion_tokens"), measured_encoding="o200k_base"
    )
    e = estimate(m, ratio_table)
    assert e.total_usd == D(240)
    assert any("× 1.2" in n for n in e.notes)
    assert not any("measured with" in n for n in e.notes)
    # measured with another encoding: the ratio still applies, and the mismatch is noted
    e = estimate(dataclasses.replace(m, measured_encoding="cl100k_base"), ratio_table)
    assert e.total_usd == D(240)
    assert any("measured with cl100k_base; other uses o200k_base" in n for n in e.notes)


def test_whole_requests_are_not_inflated_by_rounding():
    # 200 kept output tokens, 1 per turn, 3 turns: 200/3 conversations x 3 = 200 requests
    # (66.67 conversations is 200/3, rounded at the 50th digit; x 3 must not round up to 201)
    sc = scenario(output_tokens=200, turns=3, prompt_tokens=0, completion_tokens=1)
    assert estimate(sc, table()).requests == 200
