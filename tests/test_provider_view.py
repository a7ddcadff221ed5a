"""The provider's view: keys × days by hand from the limits, the inverse questions by hand,
and the binding limit is the one that, relaxed, shortens the campaign.

The campaign: 1,000,000 examples, one per request, 300 prompt + 500 completion tokens,
so R = 1,000,000 requests and 800,000,000 tokens; the teacher costs $1 / $2 per 1M
(input / output), so each example costs 300 × 1e-6 + 500 × 2e-6 = $0.0013.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from distillcost.analysis.provider_view import default_keys, provider_view
from distillcost.errors import ScenarioError
from distillcost.estimator import estimate
from distillcost.prices import ModelRecord, PriceEntry, PriceTable
from distillcost.scenario import Scenario

D = Decimal
TABLE = PriceTable(
    [
        ModelRecord(
            "t",
            "acme",
            (PriceEntry(date(2024, 1, 1), D(1), D(2), batch_input=D("0.5"), batch_output=D(1)),),
        )
    ]
)


def campaign(**kw) -> Scenario:
    values = {
        "teacher": "t",
        "as_of": "2024-06-01",
        "examples": 1_000_000,
        "prompt_tokens": 300,
        "completion_tokens": 500,
    }
    values.update(kw)
    return Scenario.from_values(values)


LIMITS = {"rpm": 500, "tpm": 200_000, "rpd": 100_000}


def test_keys_table_equals_days_by_hand():
    view = provider_view(campaign(**LIMITS), TABLE, keys=[1, 2, 5, 10])
    for row in view.rows:
        k = D(row.keys)
        # rpm: R / (500 k) minutes; tpm: 8e8 / (200,000 k) minutes; rpd: R / (100,000 k) days
        assert row.limits["rpm"] == round(D(1_000_000) / (500 * k) / 1440, 6)
        assert row.limits["tpm"] == round(D(800_000_000) / (200_000 * k) / 1440, 6)
        assert row.limits["rpd"] == D(10) / k
        assert row.days == D(10) / k and row.binding == "rpd"
    assert view.total_usd == D(1300)  # 1,000,000 x $0.0013, whatever the keys
    assert view.limits_shown == ("rpm", "rpd", "tpm")


def test_keys_needed_for_a_deadline_by_hand():
    # rpd binds: 10 / k <= 3 days  =>  k >= 3.33  =>  4 keys
    view = provider_view(campaign(**LIMITS), TABLE, deadline_days=D(3))
    assert view.keys_needed == 4
    assert 4 in [r.keys for r in view.rows]
    (marked,) = view.keys_table().marked
    assert view.rows[marked].keys == 4
    assert provider_view(campaign(**LIMITS), TABLE, deadline_days=D(10)).keys_needed == 1


def test_batch_rounds_by_hand_and_a_deadline_no_keys_can_meet():
    sc = campaign(batch=True, batch_queue_tokens=30_000_000)
    # input 3e8 tokens; rounds = ceil(3e8 / (3e7 k)) = ceil(10 / k), 24 h each
    view = provider_view(sc, TABLE, keys=[1, 3, 4, 10, 64], deadline_days=D("2.5"))
    assert [(r.keys, r.days) for r in view.rows if r.keys in (1, 3, 4, 10, 64)] == [
        (1, D(10)),
        (3, D(4)),
        (4, D(3)),
        (10, D(1)),
        (64, D(1)),
    ]
    assert view.keys_needed == 5  # ceil(10 / 5) = 2 rounds <= 2.5 days; 4 keys need 3
    never = provider_view(sc, TABLE, deadline_days=D("0.5"))
    assert never.keys_needed is None and "no number of keys" in never.keys_needed_note


def test_the_smallest_volume_a_budget_and_deadline_cannot_buy():
    sc = campaign(keys=2, **LIMITS)
    view = provider_view(sc, TABLE, budget_usd=D(650), deadline_days=D(3))
    # budget: 650 / 0.0013 = 500,000 examples; deadline: E / (100,000 x 2) <= 3 => 600,000
    by = {v.constraint: v.largest for v in view.volume_limits}
    assert by == {"budget": 500_000, "deadline": 600_000}
    assert view.largest_volume == 500_000
    assert view.smallest_unextractable == 500_001
    assert view.stopped_by == "budget"
    tight = provider_view(sc, TABLE, budget_usd=D(10_000), deadline_days=D(1))
    assert (tight.smallest_unextractable, tight.stopped_by) == (200_001, "deadline")


def test_the_limit_value_that_pushes_the_campaign_past_n_days_by_hand():
    view = provider_view(campaign(keys=2, **LIMITS), TABLE, past_days=D(30))
    levers = {lever.limit: lever for lever in view.levers}
    # the largest whole value at which the campaign takes MORE than 30 days, 2 keys:
    assert levers["rpd"].threshold == math.floor(1_000_000 / (2 * 30)) == 16_666
    assert levers["rpm"].threshold == math.floor(1_000_000 / (2 * 30 * 1440)) == 11
    assert levers["tpm"].threshold == math.floor(800_000_000 / (2 * 30 * 1440)) == 9_259
    assert levers["tpd"].threshold == 13_333_333  # a new daily token cap: 8e8 / (2 x 30) - 1/3
    assert levers["tpd"].now is None
    # even one key finishes in 10 days: limiting keys cannot push it past 30
    assert levers["keys"].threshold is None and "10 days" in levers["keys"].note
    assert levers["rpd"].cut == D(100_000) / D(16_666)
    for lever in view.levers:
        if lever.threshold is not None:
            assert lever.days_at_threshold > 30
            assert (
                estimate(
                    campaign(keys=2, **{**LIMITS, lever.limit: lever.threshold + 1}), TABLE
                ).wall_clock_days
                <= 30
            )
    assert view.levers[0].limit == "rpd"  # the smallest cut first


def test_a_campaign_already_past_the_horizon_needs_no_lever():
    view = provider_view(campaign(**LIMITS), TABLE, past_days=D(5))  # takes 10 days
    assert view.levers == () and "already takes" in view.levers_note


def test_the_view_needs_limits_and_positive_figures():
    with pytest.raises(ScenarioError, match="needs the provider's limits"):
        provider_view(campaign(), TABLE)
    with pytest.raises(ScenarioError, match="deadline"):
        provider_view(campaign(**LIMITS), TABLE, deadline_days=D(0))


def test_default_key_counts_reach_past_what_is_needed():
    assert default_keys(1) == [1, 2, 4, 8, 16, 32, 64]
    # powers of two up to 4 x 100 = 400, and the counts asked about
    assert default_keys(3, 100) == [1, 2, 3, 4, 8, 16, 32, 64, 100, 128, 256]


# ------------------------------------ the binding limit is the one that, relaxed, shortens


RELAX = {"rpm": "rpm", "rpd": "rpd", "tpm": "tpm", "tpd": "tpd", "concurrency": "concurrency"}


def days_with(sc: Scenario, **changes) -> Decimal:
    result = estimate(sc.with_values(**changes), TABLE)
    assert result.wall_clock_days is not None
    return result.wall_clock_days


@settings(max_examples=120, deadline=None)
@given(
    rpm=st.integers(1, 10_000),
    tpm=st.integers(1_000, 10_000_000),
    rpd=st.integers(100, 1_000_000),
    tpd=st.integers(100_000, 100_000_000),
    concurrency=st.integers(1, 200),
    latency=st.integers(1, 60),
    keys=st.integers(1, 8),
)
def test_relaxing_the_named_binding_limit_shortens_the_campaign(
    rpm, tpm, rpd, tpd, concurrency, latency, keys
):
    sc = campaign(
        rpm=rpm,
        tpm=tpm,
        rpd=rpd,
        tpd=tpd,
        concurrency=concurrency,
        latency_seconds=latency,
        keys=keys,
    )
    result = estimate(sc, TABLE)
    times = dict(result.time)
    binding = result.binding_limit
    assume(sorted(times.values())[-1] > sorted(times.values())[-2])  # no tie for the slowest
    before = result.wall_clock_days
    relaxed = {name: getattr(sc, RELAX[name]).base * 2 for name in RELAX}
    assert days_with(sc, **{RELAX[binding]: relaxed[binding]}) < before
    for name in times:  # relaxing any other limit leaves the wall clock as it was
        if name != binding:
            assert days_with(sc, **{RELAX[name]: relaxed[name]}) == before


def test_a_binding_batch_limit_relaxed_shortens_the_campaign():
    sc = campaign(batch=True, batch_queue_tokens=30_000_000, batch_hours=24)
    base = estimate(sc, TABLE)
    assert base.binding_limit == "batch" and base.wall_clock_days == D(10)
    assert days_with(sc, batch_queue_tokens=60_000_000) == D(5)  # half the rounds
    assert days_with(sc, batch_hours=12) == D(5)  # a faster round
