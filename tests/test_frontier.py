"""The moat curve: each step by hand, a later cheaper model moves it only from its date,
and every step equals a brute-force search written independently of the analysis.

The campaign is 1M output tokens and no prompt, so a teacher's total is its output price
per 1M tokens: the expected steps can be read straight off the price table below.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distillcost.analysis.frontier import (
    add_months,
    frontier,
    halving_fit,
    monthly_samples,
)
from distillcost.capability import Benchmark, Capability, ScoreTable, merge_score_layers, parse_bar
from distillcost.capability.files import ScoreFile
from distillcost.capability.model import Score
from distillcost.errors import DistillcostError, ScenarioError
from distillcost.estimator import estimate
from distillcost.prices import ModelRecord, PriceEntry, PriceTable
from distillcost.scenario import Scenario

D = Decimal
QUIZ = Benchmark("quiz", "a quiz", "%", "absolute", "made up")
UNTIL = date(2025, 12, 31)


def day(text: str) -> date:
    return date.fromisoformat(text)


def entry(start: str, output: str) -> PriceEntry:
    return PriceEntry(day(start), D(1), D(output))


def record(name: str, *entries: PriceEntry, **kw) -> ModelRecord:
    return ModelRecord(name, "acme", tuple(entries), **kw)


def score(model: str, value: str, published: str) -> Score:
    return Score(model, "quiz", D(value), day(published), "maker", "test")


def campaign(**kw) -> Scenario:
    values = {
        "teacher": "old",
        "output_tokens": 1_000_000,
        "completion_tokens": 500,
        "prompt_tokens": 0,
    }
    values.update(kw)
    return Scenario.from_values(values)


RECORDS = [
    record("old", entry("2022-01-01", "20"), retired=day("2024-01-01")),
    record("big", entry("2023-03-01", "60")),
    record("mid", entry("2023-06-01", "2"), entry("2024-01-15", "1")),
    record("small", entry("2023-02-01", "0.5")),  # scores 40: never meets 50
    record("free", entry("2023-01-01", "0"), status="experimental"),
    record("late", entry("2025-01-01", "0.2")),
]
SCORES = [
    score("old", "60", "2022-01-01"),
    score("big", "86", "2023-03-01"),
    score("mid", "70", "2023-06-01"),
    score("small", "40", "2023-02-01"),
    score("free", "90", "2023-01-01"),
    score("late", "75", "2025-03-01"),  # published two months after its release
]


def bind(records, scores, bars=("quiz>=50",), **kw):
    table = PriceTable(records)
    merged = merge_score_layers([("t", ScoreFile(benchmarks=[QUIZ], scores=list(scores)))])
    cap = Capability([parse_bar(b) for b in bars], ScoreTable(merged, table), table, **kw)
    return table, cap


def curve(result):
    return [(p.date, p.teacher, p.total_usd) for p in result.cheapest_steps()]


# --------------------------------------------------------------------------- steps by hand


def test_a_later_snapshots_score_never_counts_before_that_snapshot_was_scored():
    # "line" sells two undated snapshots under its aliases (as gemini-1.5-pro sold -001,
    # later -002): -001 scored 40 at launch, -002 scored 80 in 2024-06. The table cannot say
    # when -002 was first sold, so its 80 counts from its publication date, never before.
    # Costs (output per 1M): old 20 (scores 60), line 2.
    line = record(
        "line",
        entry("2023-01-01", "2"),
        aliases=("line-001", "line-002"),
        released=day("2023-01-01"),
    )
    old = record("old", entry("2022-01-01", "20"))
    scores = [
        score("old", "60", "2022-01-01"),
        score("line-001", "40", "2023-01-01"),
        score("line-002", "80", "2024-06-01"),
    ]
    table, cap = bind([old, line], scores)
    result = frontier(campaign(), table, cap, since=day("2022-06-01"), until=UNTIL)
    assert curve(result) == [
        (day("2022-06-01"), "old", D(20)),  # line's only score then is -001's 40 < 50
        (day("2024-06-01"), "line", D(2)),  # -002's 80 counts from its publication
    ]
    assert day("2024-06-01") in {p.date for p in result.points}  # a change date by itself
    assert any("line-002" in n and "never earlier" in n for n in result.notes)
    (step,) = [p for p in result.points if p.date == day("2024-06-01")]
    assert "counts from 2024-06-01" in step.score_text()
    # a line with one alias sold that snapshot all its life: its score counts from launch
    single = record("line", entry("2023-01-01", "2"), aliases=("line-002",))
    table1, cap1 = bind([old, single], [score("old", "60", "2022-01-01"), scores[2]])
    result1 = frontier(campaign(), table1, cap1, since=day("2022-06-01"), until=UNTIL)
    assert curve(result1) == [(day("2022-06-01"), "old", D(20)), (day("2023-01-01"), "line", D(2))]
    # a score naming the line's id describes the line on every date it was sold
    table2, cap2 = bind([old, line], [*scores, score("line", "70", "2024-09-01")])
    result2 = frontier(campaign(), table2, cap2, since=day("2022-06-01"), until=UNTIL)
    assert curve(result2)[1] == (day("2023-01-01"), "line", D(2))


def test_each_step_is_the_cheapest_qualifying_teacher_by_hand():
    table, cap = bind(RECORDS, SCORES)
    result = frontier(campaign(), table, cap, since=day("2022-06-01"), until=UNTIL)
    assert curve(result) == [
        (day("2022-06-01"), "old", D(20)),  # the only teacher scoring >= 50
        (day("2023-06-01"), "mid", D(2)),  # big (86) costs 60; small (40) is below the bar
        (day("2024-01-15"), "mid", D(1)),  # mid's price cut
        (day("2025-01-01"), "late", D("0.2")),  # with hindsight, late's 75 counts on release
    ]
    assert result.fall == D(100)  # 20 / 0.2
    # the free, experimental model (score 90, price 0) never leads the curve
    assert "free" not in {p.teacher for p in result.points}
    assert any("free or experimental" in n and "free" in n for n in result.notes)


def test_the_best_teacher_sold_each_day():
    table, cap = bind(RECORDS, SCORES)
    result = frontier(campaign(), table, cap, since=day("2022-06-01"), until=UNTIL)
    best = {p.date: (p.best_teacher, p.best_total_usd) for p in result.points}
    assert best[day("2022-06-01")] == ("old", D(20))
    assert best[day("2023-03-01")] == ("big", D(60))  # 86 > 60
    assert best[day("2025-01-01")] == ("big", D(60))
    (row,) = [r for r in result.to_records() if r["date"] == day("2023-03-01")]
    assert (row["teacher"], row["best_teacher"], row["fall"]) == ("old", "big", D(1))


def test_known_then_waits_for_the_score_and_adds_its_date():
    table, cap = bind(RECORDS, SCORES, known_then=True)
    result = frontier(campaign(), table, cap, since=day("2022-06-01"), until=UNTIL)
    assert curve(result)[-2:] == [
        (day("2024-01-15"), "mid", D(1)),
        (day("2025-03-01"), "late", D("0.2")),  # a score publication is a change date
    ]
    assert day("2025-03-01") in {p.date for p in result.points}


def test_a_cheaper_qualifying_model_moves_the_curve_from_its_date_and_never_before():
    table, cap = bind(RECORDS, SCORES)
    before = frontier(campaign(), table, cap, since=day("2022-06-01"), until=UNTIL)
    newcomer = record("newcomer", entry("2023-09-01", "0.5"))
    table2, cap2 = bind([*RECORDS, newcomer], [*SCORES, score("newcomer", "55", "2023-09-01")])
    after = frontier(campaign(), table2, cap2, since=day("2022-06-01"), until=UNTIL)
    cut = day("2023-09-01")
    early = [(p.date, p.teacher, p.total_usd) for p in before.points if p.date < cut]
    assert early == [(p.date, p.teacher, p.total_usd) for p in after.points if p.date < cut]
    moved = {p.date: (p.teacher, p.total_usd) for p in after.points if p.date >= cut}
    assert moved[cut] == ("newcomer", D("0.5"))
    assert moved[day("2024-01-15")] == ("newcomer", D("0.5"))  # mid's cut to 1 is not enough
    assert moved[day("2025-01-01")] == ("late", D("0.2"))
    # and a cheaper model that does NOT meet the bar changes nothing
    table3, cap3 = bind([*RECORDS, newcomer], [*SCORES, score("newcomer", "45", "2023-09-01")])
    unmoved = frontier(campaign(), table3, cap3, since=day("2022-06-01"), until=UNTIL)
    assert curve(unmoved) == curve(before)


def test_the_curve_starts_at_the_scenarios_date_and_include_free_brings_free_models_in():
    table, cap = bind(RECORDS, SCORES)
    result = frontier(campaign(as_of="2023-07-01"), table, cap, until=UNTIL)
    assert result.points[0].date == day("2023-07-01")
    assert curve(result)[0] == (day("2023-07-01"), "mid", D(2))
    free = frontier(campaign(as_of="2023-07-01"), table, cap, until=UNTIL, include_free=True)
    assert curve(free)[0] == (day("2023-07-01"), "free", D(0))
    assert free.fit is None  # a free step has no logarithm: no halving time


def test_a_bar_nobody_meets_is_an_error_naming_the_bar():
    table, cap = bind(RECORDS, SCORES, bars=("quiz>=99",))
    with pytest.raises(ScenarioError, match=r"no teacher meeting quiz>=99"):
        frontier(campaign(), table, cap, since=day("2022-06-01"), until=UNTIL)


def test_a_campaign_no_teacher_can_run_leaves_the_dates_empty_with_the_reason():
    table, cap = bind(RECORDS, SCORES)
    with pytest.raises(ScenarioError, match="batch"):
        frontier(campaign(batch=True), table, cap, since=day("2022-06-01"), until=UNTIL)


def test_rows_equal_estimate_called_directly_on_that_date():
    table, cap = bind(RECORDS, SCORES)
    sc = campaign(prompt_tokens=300, completion_tokens="400..500..700")
    result = frontier(sc, table, cap, since=day("2022-06-01"), until=UNTIL)
    for point in result.priced():
        direct = estimate(sc, table, teacher=point.teacher, as_of=point.date)
        assert point.cheapest.estimate.as_of == point.date
        assert (point.total_usd, point.cheapest.low_usd, point.cheapest.high_usd) == (
            direct.total_usd,
            direct.low_usd,
            direct.high_usd,
        )


def test_records_and_json_shape():
    table, cap = bind(RECORDS, SCORES)
    result = frontier(campaign(), table, cap, since=day("2022-06-01"), until=UNTIL)
    data = result.to_dict()
    assert data["first"]["teacher"] == "old" and data["last"]["teacher"] == "late"
    assert data["fall"] == D(100)
    assert data["steps"][0]["evidence"][0]["score"]["value"] == D(60)
    frame = result.to_frame(exact=False)
    assert list(frame["teacher"])[:2] == ["old", "old"]


# ----------------------------------------------------------------------------------- the fit


def test_add_months_keeps_the_day_or_the_months_last():
    assert add_months(day("2023-01-31"), 1) == day("2023-02-28")
    assert add_months(day("2024-01-31"), 1) == day("2024-02-29")
    assert add_months(day("2023-11-15"), 3) == day("2024-02-15")


def test_monthly_samples_hold_each_step_until_the_next():
    steps = [(day("2023-01-10"), D(8)), (day("2023-02-20"), D(4))]
    # 01-10: 8; 02-10: 8 (the cut is on the 20th); 03-10: 4; 04-10: 4
    assert monthly_samples(steps, day("2023-04-10")) == [D(8), D(8), D(4), D(4)]


def test_a_cost_halving_every_month_has_a_one_month_halving_time():
    steps = [(add_months(day("2023-01-01"), k), D(8) / D(2) ** k) for k in range(4)]
    fit = halving_fit(steps, day("2023-04-01"))
    assert fit is not None and fit.samples == 4
    assert abs(fit.halving_months - 1) < D("1e-20")
    assert abs(fit.r2 - 1) < D("1e-20")
    # by hand, a second way: slope of ln(cost) on months is -ln 2
    assert abs(float(fit.slope_per_month) + math.log(2)) < 1e-12


def test_a_flat_cost_has_no_halving_time():
    fit = halving_fit([(day("2023-01-01"), D(5))], day("2023-06-01"))
    assert fit is not None and fit.halving_months is None and fit.r2 is None


# ------------------------------------------------- a second method: brute force, on any table


def brute_force(sc, table, scores, threshold, when):
    """The cheapest teacher on ``when`` by the definition alone: sold that day (released,
    not retired, priced; not free, not experimental), best figure >= threshold, runs."""
    found = None
    for rec in table:
        if rec.status == "experimental" or not rec.available_on(when):
            continue
        if rec.released is not None and rec.released > when:
            continue
        price = rec.price_on(when)
        if price.input == 0 and price.output == 0:
            continue
        values = [s.value for s in scores if s.model in (rec.id, *rec.aliases)]
        if not values or max(values) < threshold:
            continue
        try:
            total = estimate(sc, table, teacher=rec.id, as_of=when).total_usd
        except DistillcostError:
            continue
        if found is None or (total, rec.id) < found:
            found = (total, rec.id)
    return found


@st.composite
def tables(draw):
    n = draw(st.integers(2, 6))
    records, scores = [], []
    for i in range(n):
        start = date(2023, 1, 1) + timedelta(days=draw(st.integers(0, 700)))
        entries = [entry(start.isoformat(), str(draw(st.integers(1, 50))))]
        if draw(st.booleans()):
            later = start + timedelta(days=draw(st.integers(1, 300)))
            entries.append(entry(later.isoformat(), str(draw(st.integers(1, 50)))))
        retired = None
        if draw(st.booleans()):
            retired = start + timedelta(days=draw(st.integers(30, 900)))
        records.append(record(f"m{i}", *entries, retired=retired))
        if draw(st.booleans()) or i == 0:
            scores.append(score(f"m{i}", str(draw(st.integers(30, 95))), start.isoformat()))
    return records, scores, D(draw(st.integers(30, 95)))


@settings(max_examples=60, deadline=None)
@given(tables())
def test_every_step_equals_a_brute_force_search(case):
    records, scores, threshold = case
    table, cap = bind(records, scores, bars=(f"quiz>={threshold}",))
    sc = campaign()
    try:
        result = frontier(sc, table, cap, since=date(2023, 1, 1), until=date(2026, 1, 1))
    except ScenarioError:  # nobody ever meets the bar: brute force agrees on every date
        for when in (date(2023, 1, 1) + timedelta(days=k) for k in range(0, 1100, 10)):
            assert brute_force(sc, table, scores, threshold, when) is None
        return
    for point in result.points:
        expected = brute_force(sc, table, scores, threshold, point.date)
        got = None if point.cheapest is None else (point.total_usd, point.teacher)
        assert got == expected, point.date


# ------------------------------------------------------------- the essay, on the shipped tables

ESSAY = "examples/essay.toml"


@pytest.fixture(scope="module")
def shipped():
    from distillcost.capability import load_scores
    from distillcost.prices import load_prices

    table = load_prices(plugins=False, user_dir=False, fallback=False)
    return table, load_scores(plugins=False, user_dir=False)


def shipped_capability(shipped, bar):
    table, scores = shipped
    return Capability([parse_bar(bar)], ScoreTable(scores, table), table)


def figures_of(scores, rec, on=None):
    """A priced model's mmlu figures, from the raw rows and the crosswalk (independently).

    On a date ``on``: a row measuring one of several aliases (snapshots the table does not
    date) counts only once published; a row of the id, or of a line's only alias, always.
    """

    def counts(row_name, published):
        undated = row_name != rec.id and len(rec.aliases) > 1
        return on is None or not undated or published <= on

    names = {rec.id, *rec.aliases}
    out = []
    for s in scores.scores:
        if s.benchmark != "mmlu":
            continue
        crossed = scores.applies_to.get(s.model)
        named = ({s.model} & names) | (names & set(crossed.models) if crossed else set())
        if any(counts(n, s.as_of) for n in named):
            out.append(s.value)
    return out


def essay_scenario():
    from pathlib import Path

    from distillcost.scenario import load_scenario

    return load_scenario(str(Path(__file__).resolve().parent.parent / ESSAY))


def test_the_essay_curve_starts_with_its_december_2022_figure(shipped):
    table, _ = shipped
    sc = essay_scenario()
    result = frontier(
        sc, table, shipped_capability(shipped, "mmlu>=text-davinci-003"), until=date(2026, 11, 27)
    )
    first = result.first
    # 1B output tokens x text-davinci-003's $20 per 1M (OpenAI deprecations page) = $20,000
    assert (first.date, first.teacher, first.total_usd) == (
        date(2022, 12, 28),
        "text-davinci-003",
        D(20_000),
    )
    # gpt-3.5-turbo-0301 from 2023-03-01 at $2 per 1M output: $2,000; its MMLU 70.0 (GPT-4
    # report) >= text-davinci-003's 63.7 (GPT-Fathom)
    second = result.cheapest_steps()[1]
    assert (second.date, second.teacher, second.total_usd) == (
        date(2023, 3, 1),
        "gpt-3.5-turbo-0301",
        D(2_000),
    )
    assert result.fall == D(20_000) / result.last.total_usd
    assert result.fit is not None and result.fit.halving_months is not None


@pytest.mark.parametrize(
    "bar, threshold_of", [("mmlu>=86", None), ("mmlu>=text-davinci-003", "text-davinci-003")]
)
def test_shipped_curve_steps_equal_a_brute_force_search(shipped, bar, threshold_of):
    table, scores = shipped
    sc = essay_scenario()
    result = frontier(sc, table, shipped_capability(shipped, bar), until=date(2026, 11, 27))
    threshold = D(86) if threshold_of is None else max(figures_of(scores, table.get(threshold_of)))
    for point in result.points:
        found = None
        for rec in table:
            if rec.status == "experimental" or not rec.available_on(point.date):
                continue
            if rec.released is not None and rec.released > point.date:
                continue
            price = rec.price_on(point.date)
            if price.input == 0 and price.output == 0:
                continue
            values = figures_of(scores, rec, point.date)
            meets = rec.id == threshold_of or (values and max(values) >= threshold)
            if not meets:
                continue
            try:
                total = estimate(sc, table, teacher=rec.id, as_of=point.date).total_usd
            except DistillcostError:
                continue
            if found is None or (total, rec.id) < found:
                found = (total, rec.id)
        got = None if point.cheapest is None else (point.total_usd, point.teacher)
        assert got == found, point.date
