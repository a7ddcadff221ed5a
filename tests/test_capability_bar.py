"""Capability bars: reading them, who meets them on a date, and Arena snapshots never mixed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from distillcost.capability import (
    Bar,
    Benchmark,
    Capability,
    ScoreTable,
    merge_score_layers,
    parse_bar,
)
from distillcost.capability.files import ScoreFile
from distillcost.capability.model import Score
from distillcost.errors import CapabilityError, UnknownModelError
from distillcost.prices import ModelRecord, PriceEntry, PriceTable

D = Decimal
QUIZ = Benchmark("quiz", "a quiz", "%", "absolute", "made up")
EXAM = Benchmark("exam", "another quiz", "%", "absolute", "made up")
ARENA = Benchmark("arena", "a leaderboard", "Elo", "snapshot", "made up")


def score(model: str, benchmark: str, value: str, day: str, **kw) -> Score:
    return Score(
        model=model,
        benchmark=benchmark,
        value=D(value),
        as_of=date.fromisoformat(day),
        reported_by=kw.pop("reported_by", "maker"),
        source=kw.pop("source", "test"),
        **kw,
    )


def prices(*names: str) -> PriceTable:
    entry = PriceEntry(date(2023, 1, 1), D(1), D(1))
    return PriceTable([ModelRecord(n, "acme", (entry,)) for n in names])


def capability(bars: list[str], rows: list[Score], names=("x", "a", "b", "c"), **kw) -> Capability:
    table = prices(*names)
    merged = merge_score_layers([("t", ScoreFile(benchmarks=[QUIZ, EXAM, ARENA], scores=rows))])
    return Capability([parse_bar(b) for b in bars], ScoreTable(merged, table), table, **kw)


# --------------------------------------------------------------------------------- reading


@pytest.mark.parametrize(
    "text, bar",
    [
        ("mmlu>=86", Bar("mmlu", ">=", threshold=D(86))),
        (" MMLU ≥ 86.5% ", Bar("mmlu", ">=", threshold=D("86.5"))),
        ("gpqa-diamond>gpt-4o", Bar("gpqa-diamond", ">", reference="gpt-4o")),
        (
            "lmarena-elo@2024-06-19>=1,250",
            Bar("lmarena-elo", ">=", threshold=D(1250), snapshot=date(2024, 6, 19)),
        ),
        ("lmarena-elo>=gpt-4-0314", Bar("lmarena-elo", ">=", reference="gpt-4-0314")),
    ],
)
def test_bars_are_read(text, bar):
    assert parse_bar(text) == bar
    assert parse_bar(str(bar)) == bar  # the canonical text reads back the same


@pytest.mark.parametrize("text", ["mmlu=86", "mmlu>=", ">=86", "mmlu <= 86", ""])
def test_unreadable_bars_say_how_to_write_one(text):
    with pytest.raises(CapabilityError, match="BENCHMARK>=NUMBER"):
        parse_bar(text)


def test_a_snapshot_must_be_a_date():
    with pytest.raises(CapabilityError, match="not a date"):
        parse_bar("arena@2024-13-01>=1")


def test_unknown_benchmark_and_model_are_named():
    with pytest.raises(CapabilityError, match="Did you mean: quiz"):
        capability(["quizz>=50"], [])
    with pytest.raises(UnknownModelError):
        capability(["quiz>=nobody"], [])


# ---------------------------------------------------------------------- absolute benchmarks


def test_a_threshold_takes_the_models_best_figure():
    rows = [
        score("a", "quiz", "84", "2023-02-01", setting="5-shot"),
        score("a", "quiz", "87", "2023-05-01", setting="0-shot CoT"),
        score("b", "quiz", "85.9", "2023-02-01"),
    ]
    cap = capability(["quiz>=86"], rows)
    day = date(2024, 1, 1)
    evidence = cap.meets("a", day)
    assert evidence is not None and evidence[0].score is not None
    assert evidence[0].score.value == D(87)
    assert cap.meets("b", day) is None
    assert cap.meets("c", day) is None  # no score: missing is missing, never a pass
    strictly = capability(["quiz>87"], rows)
    assert strictly.meets("a", day) is None


def test_known_then_sees_only_figures_published_by_the_date():
    rows = [
        score("a", "quiz", "84", "2023-02-01"),
        score("a", "quiz", "87", "2023-05-01"),
    ]
    then = capability(["quiz>=86"], rows, known_then=True)
    assert then.meets("a", date(2023, 4, 30)) is None
    assert then.meets("a", date(2023, 5, 1)) is not None
    hindsight = capability(["quiz>=86"], rows)
    assert hindsight.meets("a", date(2023, 1, 1)) is not None


def test_a_model_bar_compares_best_figures_and_the_model_meets_itself():
    rows = [score("x", "quiz", "63.7", "2023-10-09"), score("a", "quiz", "70", "2023-03-14")]
    cap = capability(["quiz>=x"], rows)
    day = date(2023, 6, 1)
    found = cap.meets("a", day)
    assert found is not None and found[0].against is not None
    assert (found[0].score.value, found[0].against.value) == (D(70), D("63.7"))
    (itself,) = cap.meets("x", day)
    assert itself.score is None and "itself" in itself.describe()
    assert capability(["quiz>x"], rows).meets("x", day) is None
    # known then: x's figure is not published before 2023-10-09, so only x itself meets
    then = capability(["quiz>=x"], rows, known_then=True)
    assert then.meets("a", day) is None and then.meets("x", day) is not None
    assert then.meets("a", date(2023, 10, 9)) is not None


def test_several_bars_must_all_hold():
    rows = [
        score("a", "quiz", "90", "2023-01-01"),
        score("a", "exam", "40", "2023-01-01"),
        score("b", "quiz", "90", "2023-01-01"),
        score("b", "exam", "60", "2023-01-01"),
    ]
    cap = capability(["quiz>=80", "exam>=50"], rows)
    assert cap.meets("a", date(2024, 1, 1)) is None
    assert len(cap.meets("b", date(2024, 1, 1)) or ()) == 2
    assert cap.candidates() == {"a", "b"}


# ------------------------------------------------------------------ leaderboard snapshots

SNAPSHOTS = [
    # 2024-01-01: x 1200, a 1250 (a above x)
    score("x", "arena", "1200", "2024-01-01", reported_by="leaderboard"),
    score("a", "arena", "1250", "2024-01-01", reported_by="leaderboard"),
    # 2024-06-01: the scale moved; a is now below x; b first rated
    score("x", "arena", "1300", "2024-06-01", reported_by="leaderboard"),
    score("a", "arena", "1280", "2024-06-01", reported_by="leaderboard"),
    score("b", "arena", "1290", "2024-06-01", reported_by="leaderboard"),
    # 2024-09-01: x is gone from the board; a rated high on the new scale
    score("a", "arena", "1350", "2024-09-01", reported_by="leaderboard"),
]


def test_an_arena_bar_compares_ratings_of_one_snapshot_only():
    cap = capability(["arena>=x"], SNAPSHOTS)
    day = date(2024, 10, 1)
    # across snapshots a's 1350 (Sept) beats x's 1300 (June): the bar must NOT say so;
    # the latest snapshot rating both (June) has a at 1280 < x at 1300
    assert cap.meets("a", day) is None
    assert cap.meets("b", day) is None  # 1290 < 1300 in June
    # with only January known, a (1250) was above x (1200) in the same snapshot
    then = capability(["arena>=x"], SNAPSHOTS, known_then=True)
    found = then.meets("a", date(2024, 3, 1))
    assert found is not None
    assert (found[0].score.as_of, found[0].against.as_of) == (date(2024, 1, 1),) * 2
    assert then.meets("a", date(2024, 7, 1)) is None


def test_an_arena_number_needs_its_snapshot():
    with pytest.raises(CapabilityError, match=r"compare only within one leaderboard snapshot"):
        capability(["arena>=1270"], SNAPSHOTS)
    cap = capability(["arena@2024-06-01>=1285"], SNAPSHOTS)
    day = date(2024, 10, 1)
    assert {m for m in ("x", "a", "b") if cap.meets(m, day)} == {"x", "b"}
    with pytest.raises(CapabilityError, match="no arena score is dated 2024-06-02"):
        capability(["arena@2024-06-02>=1285"], SNAPSHOTS)


def test_the_best_model_is_ranked_by_one_snapshot():
    cap = capability(["arena>=x"], SNAPSHOTS)
    # with hindsight the first snapshot on or after the day judges the models sold then
    ranked = cap.ranking(["x", "a", "b"], date(2024, 5, 1))
    assert {m: r.value for m, r in ranked.items()} == {"x": D(1300), "a": D(1280), "b": D(1290)}
    then = capability(["arena>=x"], SNAPSHOTS, known_then=True)
    ranked = then.ranking(["x", "a", "b"], date(2024, 5, 1))
    assert {m: r.value for m, r in ranked.items()} == {"x": D(1200), "a": D(1250)}
    assert then.ranking(["x"], date(2023, 12, 1)) == {}


def test_absolute_ranking_takes_best_figures():
    rows = [score("a", "quiz", "80", "2023-01-01"), score("a", "quiz", "82", "2023-06-01")]
    cap = capability(["quiz>=50"], rows)
    assert {m: r.value for m, r in cap.ranking(["a", "b"], date(2023, 2, 1)).items()} == {
        "a": D(82)
    }
