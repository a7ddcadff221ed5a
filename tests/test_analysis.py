"""compare / history / sweep as a library: grids, ranking, dates, and agreement with estimate().

Prices come from a small table built here, so the expected totals can be worked
out by hand and do not move when the shipped price data is corrected.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distillcost.analysis import (
    COMPARE_COLUMNS,
    DEFAULT_STEPS,
    HISTORY_COLUMNS,
    MAX_POINTS,
    SweepError,
    VarySpec,
    compare,
    grid_size,
    history,
    parse_vary,
    sweep,
    sweep_workers,
)
from distillcost.errors import ScenarioError, UnknownModelError, UnknownNameError
from distillcost.estimator import estimate
from distillcost.prices import ModelRecord, PriceEntry, PriceTable
from distillcost.scenario import Scenario

D = Decimal

# ----------------------------------------------------------------------------- --vary parsing


def test_parse_linear_with_steps():
    spec = parse_vary("completion_tokens=100..1000:10")
    assert spec == VarySpec("completion_tokens", D(100), D(1000), 10, False)
    # step (1000 - 100) / 9 = 100
    assert spec.values() == tuple(D(v) for v in range(100, 1001, 100))


def test_parse_default_steps_and_dashes():
    spec = parse_vary("cache-hit-rate=0..1")
    assert spec.parameter == "cache_hit_rate"
    assert spec.steps == DEFAULT_STEPS == 11
    assert spec.values() == tuple(D(i) / 10 for i in range(11))


def test_log_spacing_by_hand():
    # 1000 * (1000000/1000)^(i/3) = 1000, 10000, 100000, 1000000
    assert parse_vary("examples=1k..1M:4:log").values() == (
        D(1000),
        D(10000),
        D(100000),
        D(1000000),
    )
    # 1 * 2^(1/2) = 1.41421356237309504880... -> 12 significant digits
    assert parse_vary("x=1..2:3:log").values() == (D(1), D("1.41421356237"), D(2))
    # 2 * (50/2)^(1/2) = 2 * 5 = 10
    assert parse_vary("x=2..50:3:log").values() == (D(2), D(10), D(50))


def test_linear_thirds_rounded_to_twelve_digits():
    assert parse_vary("x=0..1:4").values() == (
        D(0),
        D("0.333333333333"),
        D("0.666666666667"),
        D(1),
    )


def test_negative_start_and_log_in_any_case():
    assert parse_vary("x=-1..1:3").values() == (D(-1), D(0), D(1))
    assert parse_vary("x=1..100:3:LOG").log


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x=2..1:3", "STOP must be greater than START (got 2..1)"),
        ("x=1..1:3", "STOP must be greater than START"),
        ("x=1..2:1", "STEPS must be at least 2, got 1"),
        ("x=1..2:0", "STEPS must be at least 2, got 0"),
        ("x=0..10:5:log", "a log axis needs START > 0 (got 0)"),
        ("x=-1..10:log", "a log axis needs START > 0 (got -1)"),
        ("x=a..2", "START 'a' is not a number"),
        ("x=1..nan", "STOP 'nan' is not a finite number"),
        ("x=1..2..3", "the range must be START..STOP"),
        ("x=1", "the range must be START..STOP"),
        ("x=1..2:3:4", "STEPS given twice"),
        ("x=1..2:log:log", "'log' given twice"),
        ("x=1..2:fast", "unknown option 'fast'"),
        ("=1..2", "expected PARAM=START..STOP"),
        ("x", "expected PARAM=START..STOP"),
        ("x=1..2:2000000", "more than the 1,000,000 points"),
    ],
)
def test_bad_specs(text, message):
    with pytest.raises(SweepError) as info:
        parse_vary(text)
    assert message in str(info.value)
    assert f"{text!r}" in str(info.value)  # quotes what the user typed


def test_unknown_parameter_suggests():
    with pytest.raises(UnknownNameError) as info:
        parse_vary("completion_token=1..2", ["completion_tokens", "prompt_tokens"])
    assert "Did you mean: completion_tokens" in str(info.value)


def test_grid_size():
    assert grid_size([parse_vary("x=1..2:100"), parse_vary("y=1..2:100")]) == 10_000
    assert MAX_POINTS == 1_000_000


# ----------------------------------------------------------------------------- fixture table
#
# Every total below is worked out by hand from these prices (USD per 1M tokens).
# The base scenario: 1,000 accepted examples, 100 prompt + 200 completion tokens,
# acceptance 1, one example per request -> 1,000 requests,
# 100,000 input tokens (0.1M) and 200,000 output tokens (0.2M).


def _entry(day: str, inp: str, out: str, **kw: str) -> PriceEntry:
    extra = {k: D(v) for k, v in kw.items()}
    return PriceEntry(
        effective_from=date.fromisoformat(day), input=D(inp), output=D(out), source="test", **extra
    )


def fixture_table() -> PriceTable:
    return PriceTable(
        [
            ModelRecord(
                "alpha",
                "acme",
                (
                    _entry("2023-01-01", "10", "20"),
                    _entry("2023-06-01", "5", "10", batch_input="2.5", batch_output="5"),
                ),
                context_window=8000,
            ),
            ModelRecord(
                "beta",
                "acme",
                (_entry("2023-03-01", "1", "2"),),
                aliases=("beta-latest",),
                context_window=4000,
                retired=date(2024, 1, 1),
            ),
            ModelRecord(
                "gamma",
                "other",
                (_entry("2023-02-01", "3", "4"), _entry("2023-09-01", "2", "3")),
                context_window=100_000,
            ),
            # a 50-token window cannot take a 100-token prompt
            ModelRecord("tiny", "other", (_entry("2023-01-01", "0.1", "0.1"),), context_window=50),
            # first priced after the scenario's date
            ModelRecord("future", "other", (_entry("2030-01-01", "0.1", "0.1"),)),
        ]
    )


def base_scenario(**changes) -> Scenario:
    values = {
        "teacher": "alpha",
        "as_of": "2023-07-01",
        "examples": 1000,
        "prompt_tokens": 100,
        "completion_tokens": 200,
    }
    values.update(changes)
    return Scenario.from_values(values)


# alpha on 2023-07-01 (5/10):  0.1*5  + 0.2*10 = 0.50 + 2.00 = 2.50
# beta  (1/2):                 0.1*1  + 0.2*2  = 0.10 + 0.40 = 0.50
# gamma on 2023-07-01 (3/4):   0.1*3  + 0.2*4  = 0.30 + 0.80 = 1.10
BY_HAND = {"alpha": D("2.50"), "beta": D("0.50"), "gamma": D("1.10")}


# ----------------------------------------------------------------------------- compare


def test_compare_all_ranks_by_total_and_lists_the_unavailable():
    table = fixture_table()
    result = compare(base_scenario(), table)
    assert [r.teacher for r in result.rows] == ["beta", "gamma", "alpha"]
    assert [r.rank for r in result.rows] == [1, 2, 3]
    assert {r.teacher: r.total_usd for r in result.rows} == BY_HAND
    assert [r.provider for r in result.rows] == ["acme", "other", "acme"]
    reasons = {u.teacher: u.reason for u in result.unavailable}
    assert set(reasons) == {"tiny", "future"}
    assert "context" in reasons["tiny"]
    assert "2030-01-01" in reasons["future"]  # the first date it has a price
    assert result.as_of == date(2023, 7, 1)


def test_compare_rows_equal_estimate_called_directly():
    table = fixture_table()
    scenario = base_scenario(completion_tokens="150..200..300", acceptance_rate="0.5..0.8..1")
    result = compare(scenario, table, models=["alpha", "gamma"])
    for row in result.rows:
        direct = estimate(scenario, table, teacher=row.teacher)
        record = row.to_record()
        assert record["total_usd"] == direct.total_usd
        assert record["low_usd"] == direct.low_usd
        assert record["high_usd"] == direct.high_usd
        assert record["wall_clock_days"] == direct.wall_clock_days
        assert record["binding_limit"] == direct.binding_limit
        assert record["usd_per_1m_dataset_tokens"] == direct.usd_per_1m_dataset_tokens
        assert record["low_usd"] < record["total_usd"] < record["high_usd"]


def test_compare_by_provider_and_aliases_once():
    table = fixture_table()
    acme = compare(base_scenario(), table, provider="ACME")
    assert [r.teacher for r in acme.rows] == ["beta", "alpha"]
    assert acme.unavailable == ()
    # an alias and its id are the same teacher
    same = compare(base_scenario(), table, models=["beta-latest", "beta", "alpha"])
    assert [r.teacher for r in same.rows] == ["beta", "alpha"]


def test_compare_batch_needs_a_batch_price():
    # alpha batch (2.5/5): 0.1*2.5 + 0.2*5 = 0.25 + 1.00 = 1.25; beta and gamma have none
    result = compare(base_scenario(batch=True), fixture_table(), models=["alpha", "beta", "gamma"])
    assert [(r.teacher, r.total_usd) for r in result.rows] == [("alpha", D("1.25"))]
    assert {u.teacher for u in result.unavailable} == {"beta", "gamma"}
    assert all("batch" in u.reason for u in result.unavailable)


def test_compare_unknown_names_are_errors():
    with pytest.raises(UnknownModelError, match="Did you mean: gamma"):
        compare(base_scenario(), fixture_table(), models=["gama"])
    with pytest.raises(UnknownNameError, match="unknown provider 'acmee'"):
        compare(base_scenario(), fixture_table(), provider="acmee")


def test_compare_records_and_frame():
    result = compare(base_scenario(), fixture_table())
    records = result.to_records()
    assert [r["teacher"] for r in records] == ["beta", "gamma", "alpha", "tiny", "future"]
    assert records[0]["total_usd"] == D("0.50")
    assert records[3]["rank"] is None and records[3]["total_usd"] is None
    assert "context" in records[3]["reason"]
    frame = result.to_frame(exact=True, unavailable=True)
    assert list(frame.columns) == list(COMPARE_COLUMNS)
    assert frame.loc[0, "total_usd"] == D("0.50")  # exact on request
    assert frame["rank"].isna().tolist() == [False, False, False, True, True]
    floats = result.to_frame()  # for plots: floats, ranked teachers only, whole ranks
    assert floats["total_usd"].tolist() == [0.5, 1.1, 2.5]
    assert floats["rank"].tolist() == [1, 2, 3] and str(floats["rank"].dtype) == "int64"


# ----------------------------------------------------------------------------- history


def test_history_dates_are_the_union_of_change_dates():
    table = fixture_table()
    result = history(
        base_scenario(as_of="2023-12-31"),
        table,
        ["alpha", "beta", "gamma"],
        until=date(2023, 12, 31),
    )
    expected = sorted(
        {d for name in ("alpha", "beta", "gamma") for d in table.get(name).change_dates()}
    )
    assert list(result.dates) == expected
    assert expected == [
        date(2023, 1, 1),
        date(2023, 2, 1),
        date(2023, 3, 1),
        date(2023, 6, 1),
        date(2023, 9, 1),
    ]
    assert {r.date for r in result.rows} == set(expected)


def test_history_totals_by_hand_and_retirement():
    table = fixture_table()
    result = history(base_scenario(as_of="2024-06-01"), table, ["alpha", "beta", "gamma"])
    # beta retired 2024-01-01, which is on or before the as-of date: one more date
    assert result.dates[-1] == date(2024, 1, 1)
    by = {(r.teacher, r.date): r for r in result.rows}
    # alpha: 10/20 until June -> 0.1*10 + 0.2*20 = 1 + 4 = 5.00; then 2.50
    assert [by["alpha", d].total_usd for d in result.dates] == [D(5)] * 3 + [D("2.50")] * 3
    assert by["alpha", date(2023, 6, 1)].change_pct == D(-50)
    # gamma starts 2023-02-01 at 1.10; from 2023-09-01 (2/3): 0.2 + 0.6 = 0.80
    assert ("gamma", date(2023, 1, 1)) not in by
    assert by["gamma", date(2023, 9, 1)].total_usd == D("0.80")
    # (0.80 - 1.10) / 1.10 = -27.2727...%
    assert by["gamma", date(2023, 9, 1)].change_pct == D("-27.2727272727")
    # beta: 0.50 from 2023-03-01, then one "retired" row, nothing after
    beta = [r for r in result.rows if r.teacher == "beta"]
    assert [(r.date, r.status) for r in beta] == [
        (date(2023, 3, 1), "priced"),
        (date(2023, 6, 1), "priced"),
        (date(2023, 9, 1), "priced"),
        (date(2024, 1, 1), "retired"),
    ]
    assert beta[-1].total_usd is None
    # rows ordered by date, then by the order the teachers were given
    keys = [(r.date, ["alpha", "beta", "gamma"].index(r.teacher)) for r in result.rows]
    assert keys == sorted(keys)


def test_history_rows_equal_estimate_on_that_date():
    table = fixture_table()
    scenario = base_scenario(as_of="2023-12-31", completion_tokens="150..200..300")
    result = history(scenario, table, ["gamma"])
    for row in result.rows:
        direct = estimate(scenario, table, teacher="gamma", as_of=row.date)
        assert row.to_record()["total_usd"] == direct.total_usd
        assert row.to_record()["high_usd"] == direct.high_usd


def test_history_defaults_to_the_teacher_and_runs_to_today():
    # The campaign is dated 2023-05-01, but history shows later prices too:
    # alpha's 2023-06-01 cut is what a reader of a dated campaign wants to see.
    result = history(base_scenario(as_of="2023-05-01"), fixture_table())
    assert result.until == date.today()
    assert [(r.teacher, r.date, r.total_usd) for r in result.rows] == [
        ("alpha", date(2023, 1, 1), D(5)),
        ("alpha", date(2023, 6, 1), D("2.50")),
    ]


def test_history_until_stops_before_later_prices():
    result = history(base_scenario(), fixture_table(), until=date(2023, 5, 1))
    # alpha's second price (2023-06-01) is after --until
    assert [(r.teacher, r.date, r.total_usd) for r in result.rows] == [
        ("alpha", date(2023, 1, 1), D(5))
    ]


def test_history_marks_runs_that_fail_on_a_date():
    result = history(base_scenario(as_of="2023-12-31"), fixture_table(), ["tiny"])
    assert [r.status for r in result.rows] == ["unavailable"]
    assert "context" in result.rows[0].note


# ----------------------------------------------------------------------------- sweep


def test_sweep_one_axis_by_hand():
    # completion 100, 200, 300 on alpha (5/10): 0.5 + 0.1*10, 0.5 + 0.2*10, 0.5 + 0.3*10
    result = sweep(base_scenario(), fixture_table(), ["completion_tokens=100..300:3"])
    assert result.columns == (
        "completion_tokens",
        "total_usd",
        "low_usd",
        "high_usd",
        "wall_clock_days",
    )
    assert [(r[0], r[1]) for r in result.rows] == [
        (D(100), D("1.50")),
        (D(200), D("2.50")),
        (D(300), D("3.50")),
    ]


def test_sweep_two_axes_grid_and_order():
    # acceptance 0.5 doubles the generated examples, so doubles the cost
    result = sweep(
        base_scenario(),
        fixture_table(),
        ["completion_tokens=100..300:3", "acceptance_rate=0.5..1:2"],
    )
    assert len(result.rows) == 3 * 2
    assert [(r[0], r[1], r[2]) for r in result.rows] == [
        (D(100), D("0.5"), D("3.00")),
        (D(100), D(1), D("1.50")),
        (D(200), D("0.5"), D("5.00")),
        (D(200), D(1), D("2.50")),
        (D(300), D("0.5"), D("7.00")),
        (D(300), D(1), D("3.50")),
    ]


def test_sweep_rows_equal_estimate_at_those_values():
    table = fixture_table()
    scenario = base_scenario(completion_tokens="150..200..300", retry_rate="0..0.05..0.2")
    result = sweep(scenario, table, ["examples=10..100000:5:log", "cache_hit_rate=0..0.9:4"])
    assert len(result.rows) == 20
    # log axis by hand: 10 * (10^4)^(i/4) = 10, 100, 1000, 10000, 100000
    assert sorted({r[0] for r in result.rows}) == [D(10), D(100), D(1000), D(10000), D(100000)]
    assert sorted({r[1] for r in result.rows}) == [D(0), D("0.3"), D("0.6"), D("0.9")]
    for examples, hit, total, low, high, days in result.rows:
        direct = estimate(scenario.with_values(examples=examples, cache_hit_rate=hit), table)
        assert (total, low, high, days) == (
            direct.total_usd,
            direct.low_usd,
            direct.high_usd,
            direct.wall_clock_days,
        )


def test_sweep_errors():
    table = fixture_table()
    with pytest.raises(UnknownNameError, match="Did you mean: completion_tokens"):
        sweep(base_scenario(), table, ["completion_token=1..2"])
    with pytest.raises(SweepError, match="one or two parameters"):
        sweep(base_scenario(), table, ["examples=1..2", "prompt_tokens=1..2", "turns=1..2"])
    with pytest.raises(SweepError, match="twice"):
        sweep(base_scenario(), table, ["examples=1..2", "examples=3..4"])
    with pytest.raises(SweepError, match="at least one"):
        sweep(base_scenario(), table, [])
    with pytest.raises(SweepError, match="1,002,001 points"):
        sweep(base_scenario(), table, ["examples=1..2:1001", "prompt_tokens=1..2:1001"])
    # a point the scenario rejects names the point
    with pytest.raises(SweepError, match=r"sweep point acceptance_rate=0: acceptance_rate"):
        sweep(base_scenario(), table, ["acceptance_rate=0..1:3"])


def test_sweep_records_and_frame():
    result = sweep(base_scenario(), fixture_table(), ["prompt_tokens=100..200:2"])
    # prompt 200: 0.2*5 + 0.2*10 = 3.00
    assert result.to_records()[1] == {
        "prompt_tokens": D(200),
        "total_usd": D("3.00"),
        "low_usd": D("3.00"),
        "high_usd": D("3.00"),
        "wall_clock_days": result.rows[1][4],
    }
    assert result.to_frame(exact=True)["prompt_tokens"].tolist() == [D(100), D(200)]
    assert result.to_frame()["prompt_tokens"].tolist() == [100.0, 200.0]


def test_compare_unavailable_kinds_cannot_run_first():
    result = compare(base_scenario(as_of="2024-06-01"), fixture_table())
    kinds = [(u.teacher, u.kind, u.since) for u in result.unavailable]
    assert kinds == [
        ("tiny", "cannot run", None),
        ("beta", "retired", date(2024, 1, 1)),
        ("future", "not priced", date(2030, 1, 1)),
    ]
    # the row already names the model: the reason does not repeat it
    assert all(not u.reason.startswith("model ") for u in result.unavailable)


def test_sweep_validates_every_combination():
    # each axis alone is valid; multi-turn with several examples per request is not
    scenario = base_scenario()
    with pytest.raises(SweepError, match=r"sweep point turns=2, examples_per_request=1.5: turns"):
        sweep(scenario, fixture_table(), ["turns=1..2:2", "examples_per_request=1..1.5:2"])
    with pytest.raises(SweepError, match="one volume"):
        sweep(scenario, fixture_table(), ["examples=1..2", "output_tokens=1..2"])


def _parallel_sweep_check() -> None:
    """The body of test_parallel_sweep_equals_one_process; run in a fresh interpreter."""
    import multiprocessing

    from distillcost.analysis import grid as analysis

    contexts: list[str | None] = []
    real = multiprocessing.get_context

    def spy(method: str | None = None):
        contexts.append(method)
        return real(method)

    analysis.multiprocessing.get_context = spy  # a throwaway process: no need to restore
    assert sweep_workers(10_000, 2) == 2  # a fresh, single-threaded process may fork
    table = fixture_table()
    scenario = base_scenario(completion_tokens="150..200..300", retry_rate="0..0.05..0.2")
    grid = ["examples=10..100000:9:log", "cache_hit_rate=0..0.9:7"]
    one = sweep(scenario, table, grid, workers=1)
    assert contexts == []
    two = sweep(scenario, table, grid, workers=2)
    assert contexts == ["fork"]  # the workers really ran: not one process compared with itself
    assert len(one.rows) == 63
    assert two == one
    # the first failing point in grid order is reported, as with one process: with
    # 27 points in 4 chunks (0-5, 6-12, 13-19, 20-26), acceptance 1.5 (points 18-26)
    # fails in the last two chunks; the third chunk's failure (point 18) must win
    bad = ["acceptance_rate=0.5..1.5:3", "examples=10..1000:9"]
    with pytest.raises(SweepError) as serial:
        sweep(scenario, table, bad, workers=1)
    with pytest.raises(SweepError) as parallel:
        sweep(scenario, table, bad, workers=2)
    assert contexts == ["fork", "fork"]
    assert str(parallel.value) == str(serial.value)
    assert str(serial.value).startswith("sweep point acceptance_rate=1.5, examples=10: ")


@pytest.mark.skipif(sys.platform != "linux", reason="sweeps fork workers on Linux only")
def test_parallel_sweep_equals_one_process():
    # In a fresh interpreter: a process with threads never forks (sweep_workers falls back
    # to 1), and earlier tests leave threads behind (tokenizer thread pools), so in this
    # process "workers=2" could silently be one process compared with itself.
    code = (
        "import importlib.util, sys\n"
        "spec = importlib.util.spec_from_file_location('analysis_tests', sys.argv[1])\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "module._parallel_sweep_check()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, __file__], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr


def test_sweep_workers_rules(monkeypatch):
    monkeypatch.delenv("DISTILLCOST_SWEEP_WORKERS", raising=False)
    assert sweep_workers(100) == 1  # small grids stay in one process
    assert sweep_workers(5, workers=8) <= 5
    monkeypatch.setenv("DISTILLCOST_SWEEP_WORKERS", "1")
    assert sweep_workers(1_000_000) == 1
    monkeypatch.setenv("DISTILLCOST_SWEEP_WORKERS", "two")
    with pytest.raises(SweepError, match="DISTILLCOST_SWEEP_WORKERS='two': expected a whole"):
        sweep_workers(10_000)


def test_a_broken_campaign_is_one_error_not_one_per_teacher():
    table = fixture_table()
    incomplete = base_scenario(prompt_tokens=None)
    with pytest.raises(ScenarioError, match="prompt_tokens: not given"):
        compare(incomplete, table)
    with pytest.raises(ScenarioError, match="prompt_tokens: not given"):
        history(incomplete, table, ["alpha", "gamma"])
    # the same failure for every teacher that has a price: the campaign's fault
    no_student = base_scenario(student_method="gpu")
    with pytest.raises(ScenarioError, match="student_parameters: needed"):
        compare(no_student, table, models=["alpha", "gamma"])
    with pytest.raises(ScenarioError, match="student_parameters: needed"):
        history(no_student, table, ["alpha", "gamma"])
    # one teacher alone is still listed with its reason
    single = compare(no_student, table, models=["alpha"])
    assert single.rows == () and "student_parameters" in single.unavailable[0].reason


def test_history_records_and_frame():
    result = history(base_scenario(as_of="2024-06-01"), fixture_table(), ["beta"])
    frame = result.to_frame(exact=True)
    assert list(frame.columns) == list(HISTORY_COLUMNS)
    assert frame["status"].tolist() == ["priced", "retired"]
    assert frame.loc[0, "total_usd"] == D("0.50")
    floats = result.to_frame()["total_usd"]
    assert floats.iloc[0] == 0.5 and floats.isna().iloc[1]
    assert result.to_dict()["dates"] == [date(2023, 3, 1), date(2024, 1, 1)]


@settings(max_examples=200, deadline=None)
@given(
    start=st.decimals(min_value=-(10**6), max_value=10**6, places=4),
    span=st.decimals(min_value=D("0.0001"), max_value=10**6, places=4),
    steps=st.integers(min_value=2, max_value=60),
    log=st.booleans(),
)
def test_grid_values_property(start, span, steps, log):
    if log:
        start = abs(start) + D("0.001")
    stop = start + span
    values = VarySpec("x", start, stop, steps, log).values()
    assert len(values) == steps
    assert values[0] == start and values[-1] == stop  # the ends exactly as typed
    assert all(a < b for a, b in itertools.pairwise(values))  # distinct, rising


def test_too_narrow_a_range_for_its_steps():
    # 1..1+1e-27 cannot hold 1,000 distinct points even at 28 significant digits
    with pytest.raises(SweepError, match="too many for so narrow a range"):
        parse_vary("x=1..1.000000000000000000000000001:1000").values()
    # a narrow range that needs more than 12 digits still works
    assert parse_vary("x=1..1.000000000000001:3").values()[1] == D("1.0000000000000005")


def test_unknown_parameter_without_a_close_match_lists_them_all():
    with pytest.raises(UnknownNameError) as info:
        parse_vary("teacher=1..2", ["completion_tokens", "prompt_tokens"])
    assert str(info.value) == (
        "unknown sweep parameter 'teacher'. Numeric parameters: completion_tokens, prompt_tokens."
    )


def test_history_cheapest_by_date():
    result = history(base_scenario(as_of="2024-06-01"), fixture_table(), ["alpha", "beta", "gamma"])
    cheapest = [(r.date, r.teacher, r.total_usd) for r in result.cheapest_by_date()]
    # by hand from test_history_totals_by_hand_and_retirement
    assert cheapest == [
        (date(2023, 1, 1), "alpha", D(5)),
        (date(2023, 2, 1), "gamma", D("1.10")),
        (date(2023, 3, 1), "beta", D("0.50")),
        (date(2023, 6, 1), "beta", D("0.50")),
        (date(2023, 9, 1), "beta", D("0.50")),
        (date(2024, 1, 1), "gamma", D("0.80")),  # beta retired
    ]
