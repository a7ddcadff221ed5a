"""Capability facts: benchmarks, dated and sourced scores, and the names scores stand for.

Each field is declared once, by a :class:`~distillcost.prices.declarations.Key` (the same
kind of declaration the price tables use), tied to its dataclass field with
:func:`~distillcost.prices.model.declared`; the file readers, validation and the
``scores`` listing derive from these declarations. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from distillcost.errors import FieldError
from distillcost.prices import declarations as k
from distillcost.prices import values
from distillcost.prices.declarations import Key
from distillcost.prices.model import declared

SCALES: tuple[str, ...] = ("absolute", "snapshot")
"""``absolute``: a value means the same on any date (a share of questions answered);
``snapshot``: a rating means something only against ratings of the same leaderboard
snapshot (Elo-like: its anchor moves between snapshots)."""

REPORTERS: tuple[str, ...] = ("maker", "third-party", "leaderboard")

MAX_SCORE = Decimal(100_000)


def score_number(value: Any) -> Decimal:
    """A score: a finite, non-negative Decimal from an int, Decimal or numeric text."""
    if isinstance(value, (bool, float)):
        raise FieldError(f'got {value!r}; give scores as text ("86.4") or a TOML integer')
    if isinstance(value, (int, Decimal)):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip().rstrip("%").strip())
        except InvalidOperation:
            raise FieldError(f"not a number: {value!r}") from None
    else:
        raise FieldError(f"expected a number, got {type(value).__name__}")
    if not number.is_finite():
        raise FieldError(f"not a finite number: {value!r}")
    if number < 0 or number > MAX_SCORE:
        raise FieldError(f"{number} is out of range (0 to {MAX_SCORE})")
    return number


# -- a benchmark ---------------------------------------------------------------------------
BENCHMARK_NAME = Key(
    "name",
    "the benchmark as bars name it: mmlu, gpqa-diamond, lmarena-elo",
    values.name,
    required=True,
)
BENCHMARK_MEANING = Key("meaning", "what it measures", values.name, required=True)
BENCHMARK_UNIT = Key("unit", "the unit of its values: % or Elo", values.name, required=True)
BENCHMARK_SCALE = Key(
    "scale",
    "absolute (a value means the same on any date) or snapshot (comparable only within one "
    "leaderboard snapshot, i.e. scores of the same as_of date)",
    values.choice(SCALES),
    required=True,
)
BENCHMARK_SOURCE = Key("source", "where the benchmark is defined", values.name, required=True)
BENCHMARK_NOTES = k.NOTES

# -- a score ---------------------------------------------------------------------------------
SCORE_MODEL = Key(
    "model",
    "the model as the source names it: a price-table id or alias, or a name crosswalk maps",
    values.name,
    required=True,
)
SCORE_BENCHMARK = Key("benchmark", "a declared benchmark", values.name, required=True)
SCORE_VALUE = Key(
    "value",
    "the score as published (% correct, Elo); text or integer",
    score_number,
    required=True,
)
SCORE_AS_OF = Key(
    "as_of",
    "the day the figure was published (a leaderboard: its snapshot's date)",
    values.day,
    required=True,
)
SCORE_SETTING = Key(
    "setting",
    "how it was measured: 5-shot, 0-shot CoT, style control …",
    values.text,
    verbatim=True,
)
SCORE_REPORTED_BY = Key(
    "reported_by", "maker | third-party | leaderboard", values.choice(REPORTERS), required=True
)
SCORE_VERIFIED = Key(
    "verified", "read in the publication that originated it (default false)", values.flag
)
SCORE_LABEL = Key(
    "label", "the model's name exactly as the source prints it", values.text, verbatim=True
)
SCORE_RANK = Key("rank", "its rank on the leaderboard snapshot", values.positive_int)
SCORE_VOTES = Key("votes", "votes behind a leaderboard rating", values.positive_int)
SCORE_CI95 = Key("ci95", "the 95% confidence interval as published (±8)", values.text)
SCORE_SOURCE = k.SOURCE
SCORE_NOTES = k.NOTES

# -- a crosswalk entry ---------------------------------------------------------------------------
APPLIES_SCORES_OF = Key(
    "scores_of", "a model name as score rows write it", values.name, required=True
)
APPLIES_MODELS = Key(
    "models",
    "price-table names (ids or aliases) whose scores these are too",
    values.names,
    required=True,
)
APPLIES_SOURCE = Key("source", "why they are the same model", values.name, required=True)
APPLIES_NOTES = Key("notes", "free text (caveats: quantized copies …)", values.text, verbatim=True)

# -- a file's [meta] -------------------------------------------------------------------------------
META_TOPIC = Key("topic", "what the file holds", values.text, verbatim=True)
META_CHECKED = Key("checked", "when the sources were read", values.day)
META_NOTES = k.META_NOTES
META: tuple[Key, ...] = (META_TOPIC, META_CHECKED, META_NOTES)


@dataclass(frozen=True)
class Benchmark:
    """A measure of capability, and whether its values compare across dates."""

    name: str = declared(BENCHMARK_NAME)
    meaning: str = declared(BENCHMARK_MEANING)
    unit: str = declared(BENCHMARK_UNIT)
    scale: str = declared(BENCHMARK_SCALE)
    source: str = declared(BENCHMARK_SOURCE)
    notes: str = declared(BENCHMARK_NOTES, default="")
    origin: str = "built-in"

    @property
    def per_snapshot(self) -> bool:
        """Values compare only within one snapshot (same benchmark and as_of date)."""
        return self.scale == "snapshot"


@dataclass(frozen=True)
class Score:
    """One published score of one model on one benchmark, with its date and source."""

    model: str = declared(SCORE_MODEL)
    benchmark: str = declared(SCORE_BENCHMARK)
    value: Decimal = declared(SCORE_VALUE)
    as_of: date = declared(SCORE_AS_OF)
    reported_by: str = declared(SCORE_REPORTED_BY)
    source: str = declared(SCORE_SOURCE)
    setting: str = declared(SCORE_SETTING, default="")
    verified: bool = declared(SCORE_VERIFIED, default=False)
    label: str = declared(SCORE_LABEL, default="")
    rank: int | None = declared(SCORE_RANK, default=None)
    votes: int | None = declared(SCORE_VOTES, default=None)
    ci95: str = declared(SCORE_CI95, default="")
    notes: str = declared(SCORE_NOTES, default="")
    origin: str = field(default="built-in", compare=False)

    @property
    def key(self) -> tuple[str, str, date, str, str]:
        """What a later source replaces: the same model, benchmark, date, setting and label."""
        return (self.model, self.benchmark, self.as_of, self.setting, self.label)

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "benchmark": self.benchmark,
            "value": self.value,
            "as_of": self.as_of,
            "setting": self.setting,
            "reported_by": self.reported_by,
            "verified": self.verified,
            "label": self.label,
            "source": self.source,
            "origin": self.origin,
        }


@dataclass(frozen=True)
class AppliesTo:
    """The scores of ``scores_of`` describe each of ``models`` too (same weights, other name)."""

    scores_of: str = declared(APPLIES_SCORES_OF)
    models: tuple[str, ...] = declared(APPLIES_MODELS)
    source: str = declared(APPLIES_SOURCE)
    notes: str = declared(APPLIES_NOTES, default="")
    origin: str = field(default="built-in", compare=False)
