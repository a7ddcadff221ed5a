"""Invariants of the cost model, checked on random scenarios and price tables (hypothesis)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from distillcost.estimator import estimate
from distillcost.prices import LongContextTier, ModelRecord, PriceEntry, PriceTable
from distillcost.scenario import Scenario

DAY = date(2025, 1, 1)
TOLERANCE = D("1e-9")  # results are stored to 1e-10 USD

# A decorator, not a loaded profile: a profile loaded here applied to every test module in
# the session (and replaced hypothesis' derandomized "ci" profile under CI=true).
PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

cents = st.integers(min_value=0, max_value=10_000).map(lambda i: D(i) / 100)  # $0-$100 per 1M
rates = st.integers(min_value=1, max_value=100).map(lambda i: D(i) / 100)  # 0.01 .. 1
shares = st.integers(min_value=0, max_value=100).map(lambda i: D(i) / 100)  # 0 .. 1
counts = st.integers(min_value=0, max_value=5_000)


@st.composite
def tables(draw) -> PriceTable:
    """One model with random prices; batch and cache prices at or below the standard ones."""
    inp, out = draw(cents), draw(cents)
    tiers = ()
    if draw(st.booleans()):
        tiers = (
            LongContextTier(
                draw(st.integers(min_value=100, max_value=8_000)),
                inp + draw(cents),
                out + draw(cents),
            ),
        )
    entry = PriceEntry(
        effective_from=date(2024, 1, 1),
        input=inp,
        output=out,
        cached_input=inp * draw(shares),
        batch_input=inp * draw(shares),
        batch_output=out * draw(shares),
        per_request=draw(st.sampled_from([None, D("0.001")])),
        tiers=tiers,
        source="test",
        verified=True,
    )
    return PriceTable([ModelRecord("m", "test", (entry,))])


@st.composite
def scenarios(draw, volume: str = "examples") -> Scenario:
    turns = draw(st.integers(min_value=1, max_value=4))
    multi = turns > 1
    return Scenario.from_values(
        teacher="m",
        as_of=DAY,
        **{volume: draw(st.integers(min_value=1, max_value=1_000_000))},
        prompt_tokens=draw(counts),
        completion_tokens=draw(st.integers(min_value=1, max_value=5_000)),
        shared_prefix_tokens=draw(counts),
        reasoning_tokens=draw(counts),
        examples_per_request=1 if multi else draw(st.integers(min_value=1, max_value=20)),
        samples_per_prompt=1 if multi else draw(st.integers(min_value=1, max_value=4)),
        input_billed_per_sample=draw(st.booleans()),
        turns=turns,
        acceptance_rate=draw(rates),
        retry_rate=draw(shares),
        cache_hit_rate=draw(shares),
        prompt_in_dataset=draw(st.booleans()),
    )


def total(sc: Scenario, table: PriceTable, **changes) -> D:
    return estimate(sc.with_values(**changes) if changes else sc, table).total_usd


@PROPERTY
@given(scenarios(), tables())
def test_zero_volume_costs_nothing(sc, table):
    e = estimate(sc.with_values(examples=0), table)
    assert e.total_usd == 0 and e.requests == 0
    assert all(v == 0 for v in e.tokens.values())


@PROPERTY
@given(scenarios(), tables(), st.integers(min_value=2, max_value=50))
def test_cost_is_linear_in_volume(sc, table, factor):
    one = total(sc, table)
    many = total(sc, table, examples=sc.examples.base * factor)
    assert abs(many - one * factor) <= TOLERANCE * factor


TOKEN_FIELDS = ("prompt_tokens", "completion_tokens", "shared_prefix_tokens", "reasoning_tokens")


@PROPERTY
@given(scenarios(), tables(), st.sampled_from(TOKEN_FIELDS), st.integers(1, 3_000))
def test_never_falls_as_a_token_count_rises(sc, table, name, extra):
    before = total(sc, table)
    after = total(sc, table, **{name: getattr(sc, name).base + extra})
    assert after >= before


@PROPERTY
@given(scenarios(), tables(), st.integers(1, 3))
def test_never_falls_as_turns_rise(sc, table, extra):
    sc = sc.with_values(examples_per_request=1, samples_per_prompt=1)
    assert total(sc, table, turns=sc.turns.base + extra) >= total(sc, table)


@PROPERTY
@given(scenarios(volume="requests"), tables(), st.integers(1, 3))
def test_never_falls_as_samples_rise_for_the_same_prompts(sc, table, extra):
    # at a fixed number of prompts, more samples per prompt is more output
    # (at a fixed number of *examples* it means fewer prompts, which is cheaper)
    sc = sc.with_values(turns=1)
    assert total(sc, table, samples_per_prompt=sc.samples_per_prompt.base + extra) >= total(
        sc, table
    )


@PROPERTY
@given(scenarios(), tables(), rates)
def test_never_falls_as_acceptance_falls(sc, table, lower):
    if lower >= sc.acceptance_rate.base:
        lower, higher = lower, lower
    else:
        higher = sc.acceptance_rate.base
    assert total(sc, table, acceptance_rate=lower) >= total(sc, table, acceptance_rate=higher)


@PROPERTY
@given(scenarios(), tables())
def test_batch_is_never_dearer(sc, table):
    assert total(sc, table, batch=True) <= total(sc, table, batch=False)


@PROPERTY
@given(scenarios(), tables(), shares)
def test_cached_is_never_dearer_where_writes_are_not_billed(sc, table, hit):
    # (with billed cache writes a low hit rate can cost more: see test_estimator)
    assert total(sc, table, cache_hit_rate=hit) <= total(sc, table, cache_hit_rate=0)


@PROPERTY
@given(
    scenarios(),
    tables(),
    st.tuples(st.integers(1, 100), st.integers(0, 100), st.integers(0, 100)),
    st.tuples(st.integers(0, 2_000), st.integers(0, 2_000)),
)
def test_low_base_high_are_ordered(sc, table, acceptance, tokens):
    a_low = D(acceptance[0]) / 100
    a_base = min(D(1), a_low + D(acceptance[1]) / 100)
    a_high = min(D(1), a_base + D(acceptance[2]) / 100)
    c = sc.completion_tokens.base
    ranged = sc.with_values(
        acceptance_rate=[a_low, a_base, a_high],
        completion_tokens=[c, c + tokens[0], c + tokens[0] + tokens[1]],
    )
    e = estimate(ranged, table)
    assert e.low_usd <= e.total_usd <= e.high_usd
    for s in e.sensitivity:
        assert e.low_usd <= min(s.low_usd, s.high_usd)
        assert max(s.low_usd, s.high_usd) <= e.high_usd


@PROPERTY
@given(
    st.lists(st.integers(min_value=0, max_value=3_000), min_size=1, max_size=40),
    st.integers(min_value=0, max_value=2_500),
    st.integers(min_value=0, max_value=500),
    st.integers(min_value=0, max_value=400),
)
# a mean of 5/3 stored at 28 digits rounds up: requests at exactly the threshold must stay base
@example(lengths=[2, 2, 1], threshold=2, prefix=0, completion=0)
def test_tiers_per_request_match_a_loop_over_requests(lengths, threshold, prefix, completion):
    """Second method: price every sampled request on its own and scale to the campaign."""
    import dataclasses

    base_in, base_out, tier_in, tier_out = D(1), D(2), D(3), D(5)
    entry = PriceEntry(
        effective_from=date(2024, 1, 1),
        input=base_in,
        output=base_out,
        tiers=(LongContextTier(threshold, tier_in, tier_out),),
        source="test",
        verified=True,
    )
    table = PriceTable([ModelRecord("m", "test", (entry,), encoding="o200k_base")])
    m = len(lengths)
    requests = 1000 * m  # each sampled prompt stands for 1,000 requests
    sc = Scenario.from_values(
        teacher="m",
        as_of=DAY,
        requests=requests,
        prompt_tokens=D(sum(lengths)) / m,  # the measured mean, as load_scenario stores it
        completion_tokens=completion,
        shared_prefix_tokens=prefix,
    )
    sc = dataclasses.replace(
        sc,
        prompt_lengths=tuple(lengths),
        measured_fields=("prompt_tokens",),
        measured_encoding="o200k_base",
    )
    expected = D(0)
    for v in lengths:
        prompt = prefix + v
        rate_in, rate_out = (tier_in, tier_out) if prompt > threshold else (base_in, base_out)
        expected += 1000 * (prompt * rate_in + completion * rate_out) / 1_000_000
    assert abs(estimate(sc, table).total_usd - expected) <= TOLERANCE


numbers = st.one_of(
    st.integers(min_value=-5, max_value=10**15).map(D),
    st.decimals(min_value=D("-1"), max_value=D("1e6"), allow_nan=False, places=6),
    st.sampled_from([D(0), D("1e-30"), D("0.5"), D(1), D("1e15")]),
)


@PROPERTY
@given(
    tables(),
    st.dictionaries(
        st.sampled_from(
            [
                "prompt_tokens",
                "completion_tokens",
                "shared_prefix_tokens",
                "reasoning_tokens",
                "examples_per_request",
                "samples_per_prompt",
                "turns",
                "acceptance_rate",
                "retry_rate",
                "cache_hit_rate",
                "per_request_usd",
                "rpm",
                "tpm",
                "tpd",
                "keys",
                "concurrency",
                "latency_seconds",
                "batch_queue_tokens",
                "epochs",
                "gpu_hours",
                "usd_per_gpu_hour",
                "student_parameters",
                "utilisation",
            ]
        ),
        numbers,
        max_size=8,
    ),
    st.sampled_from(["examples", "output_tokens", "dataset_tokens", "requests"]),
    numbers,
    st.booleans(),
)
def test_any_input_gives_an_estimate_or_a_clear_error(table, values, volume, amount, batch):
    """Never an exception other than DistillcostError, and every output renders."""
    from distillcost.errors import DistillcostError
    from distillcost.export import json_text

    base = {"teacher": "m", "as_of": DAY, "prompt_tokens": 10, "completion_tokens": 10}
    try:
        sc = Scenario.from_values({**base, **values, volume: amount, "batch": batch})
        e = estimate(sc, table)
    except DistillcostError:
        return
    assert e.low_usd <= e.high_usd
    json_text(e.to_dict())
    e.worked()
