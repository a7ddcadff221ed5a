"""Scores by price-table model: each score row filed under every model its name stands for.

A score names its model as the source does. It describes a price-table model when that
name is the model's id or one of its aliases (exact names, never loose matching), or
when an ``applies_to`` entry says the scores of that name describe the model too (a host
selling the same open weights). A row that describes no priced model is kept aside
(``unmatched``) and counted, never guessed onto a neighbour.

A price line may sell several snapshots under its aliases (``gemini-1.5-pro`` sold
``gemini-1.5-pro-001``, then also ``-002``). A score measured on one snapshot describes the
line only on dates that snapshot was sold. The price table dates no alias, so: a line
with one alias sold that snapshot all its life; on a line with several, a score of one
alias counts from the day it was published (the snapshot certainly existed by the day it
was scored) — the conservative reading, never earlier. Scores naming the line's id
describe the line itself and count on every date.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from distillcost.capability.model import REPORTERS, AppliesTo, Benchmark, Score
from distillcost.errors import CapabilityError, UnknownNameError

if TYPE_CHECKING:
    from distillcost.capability.sources import ScoreSet
    from distillcost.prices.model import ModelRecord
    from distillcost.prices.table import PriceTable


@dataclass(frozen=True)
class Attributed:
    """A score as it describes one price-table model; ``via``: the crosswalk entry used."""

    score: Score
    via: AppliesTo | None = None
    #: the first day the score describes the line (None: every day); see the module doc
    applies_from: date | None = None

    @property
    def value(self) -> Decimal:
        return self.score.value

    @property
    def as_of(self) -> date:
        return self.score.as_of

    def describe(self) -> str:
        """``70.0 (5-shot; maker, 2023-03-14)``, naming the scored model when it differs."""
        s = self.score
        parts = [p for p in (s.setting, s.reported_by, s.as_of.isoformat()) if p]
        if not s.verified:
            parts.append("not verified")
        if self.applies_from is not None:
            parts.append(f"counts from {self.applies_from.isoformat()}: undated snapshot")
        named = f" of {s.model}" if self.via is not None else ""
        return f"{s.value}{named} ({'; '.join(parts)})"

    def to_dict(self) -> dict[str, object]:
        out = self.score.to_dict()
        out["via"] = None if self.via is None else self.via.scores_of
        out["applies_from"] = self.applies_from
        return out


def _applies_from(record: ModelRecord, name: str, score: Score) -> date | None:
    """The first day a score of ``name`` describes ``record`` (None: every day it was sold).

    ``name`` is the record's id (the line itself) or one of its aliases; an alias of a
    line with several aliases is a snapshot sold at undated times: from the day it was scored.
    """
    if name == record.id or len(record.aliases) < 2:
        return None
    return score.as_of


@dataclass(frozen=True)
class RowFilter:
    """Which published scores count: a setting to match, who reported it, verified only."""

    setting: str = ""  # case-insensitive substring of the score's setting
    reported_by: tuple[str, ...] = ()  # empty: any
    verified_only: bool = False

    def __post_init__(self) -> None:
        unknown = [r for r in self.reported_by if r not in REPORTERS]
        if unknown:
            raise UnknownNameError("reporter", unknown[0], REPORTERS)

    def __call__(self, score: Score) -> bool:
        if self.setting and self.setting.lower() not in score.setting.lower():
            return False
        if self.reported_by and score.reported_by not in self.reported_by:
            return False
        return not (self.verified_only and not score.verified)

    def describe(self) -> str:
        parts = []
        if self.setting:
            parts.append(f"setting contains {self.setting!r}")
        if self.reported_by:
            parts.append(f"reported by {' or '.join(self.reported_by)}")
        if self.verified_only:
            parts.append("verified in a primary source")
        return "; ".join(parts)


class ScoreTable:
    """The scores of a :class:`ScoreSet` filed under the models of a price table."""

    def __init__(self, scores: ScoreSet, prices: PriceTable, keep: RowFilter | None = None) -> None:
        self.benchmarks: dict[str, Benchmark] = dict(scores.benchmarks)
        self.keep = keep or RowFilter()
        self.sources = list(scores.sources)
        records = {name: prices.get(name) for name in prices.names()}
        rows: dict[tuple[str, str], list[Attributed]] = {}
        unmatched: dict[str, int] = {}
        self.rows_used = 0
        for score in scores.scores:
            if not self.keep(score):
                continue
            targets: list[tuple[str, AppliesTo | None]] = []
            if score.model in records:
                targets.append((score.model, None))
            entry = scores.applies_to.get(score.model)
            if entry is not None:
                targets += [(name, entry) for name in entry.models if name in records]
            seen: set[str] = set()
            for name, via in targets:
                record = records[name]
                if record.id in seen:
                    continue
                seen.add(record.id)
                filed = Attributed(score, via, _applies_from(record, name, score))
                rows.setdefault((record.id, score.benchmark), []).append(filed)
            if seen:
                self.rows_used += 1
            else:
                unmatched[score.model] = unmatched.get(score.model, 0) + 1
        for found in rows.values():
            found.sort(key=lambda a: (a.as_of, a.score.model, a.score.setting, a.score.label))
        self._rows = rows
        self._dates = {key: [a.as_of for a in found] for key, found in rows.items()}
        self.unmatched = unmatched

    def benchmark(self, name: str) -> Benchmark:
        found = self.benchmarks.get(name)
        if found is None:
            raise CapabilityError(
                str(UnknownNameError("benchmark", name, sorted(self.benchmarks)))
                + " (`distillcost scores list` shows the benchmarks and their scores)"
            )
        return found

    def rows(
        self, model: str, benchmark: str, until: date | None = None, on: date | None = None
    ) -> Sequence[Attributed]:
        """The model's scores on a benchmark, oldest first (published by ``until``, if given;
        describing what it sold on ``on``, if given)."""
        found = self._rows.get((model, benchmark), [])
        if until is not None:
            found = found[: bisect.bisect_right(self._dates[(model, benchmark)], until)]
        if on is not None:
            found = [a for a in found if a.applies_from is None or a.applies_from <= on]
        return found

    def start_dates(self, benchmarks: Iterable[str]) -> set[date]:
        """Days a score of an undated snapshot begins to describe its line."""
        wanted = set(benchmarks)
        return {
            a.applies_from
            for (_, bench), found in self._rows.items()
            if bench in wanted
            for a in found
            if a.applies_from is not None
        }

    def late_rows(self, benchmarks: Iterable[str]) -> list[Attributed]:
        """Rows of an undated snapshot, counted only from the day they were published."""
        wanted = set(benchmarks)
        return [
            a
            for (_, bench), found in self._rows.items()
            if bench in wanted
            for a in found
            if a.applies_from is not None
        ]

    def models_with(self, benchmark: str) -> set[str]:
        """Price-table models with at least one score on ``benchmark``."""
        return {model for model, bench in self._rows if bench == benchmark}

    def dates(self, benchmarks: Iterable[str]) -> set[date]:
        """Every date a score on one of ``benchmarks`` was published."""
        wanted = set(benchmarks)
        return {d for (_, bench), days in self._dates.items() if bench in wanted for d in days}
