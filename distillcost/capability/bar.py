"""A capability bar (``mmlu>=86``, ``lmarena-elo>=gpt-4-0314``) and who meets it on a date.

Forms (``>=`` or ``>``; ``≥`` works too):

* ``BENCH>=NUMBER`` — a model meets it when its best published score on BENCH is at
  least NUMBER. Only for benchmarks whose values mean the same on any date
  (``scale = "absolute"``: MMLU, GPQA).
* ``BENCH>=MODEL`` — at least as capable as MODEL. On an absolute benchmark: its best
  score against MODEL's best. On a leaderboard (``scale = "snapshot"``, Arena Elo): the
  two ratings *of the same snapshot*, the latest snapshot that rates both — a rating
  is never compared with one from another snapshot, whose scale has moved. MODEL itself
  always meets ``>=`` (a model is as capable as itself), scores or not.
* ``BENCH@YYYY-MM-DD>=NUMBER`` — only the scores published that day: the one way to
  give a leaderboard rating as a number, since it then names the snapshot it belongs to.

Scores count *with hindsight* by default (every score known today describes the model on
every date it was sold: the capability is the model's, whenever it was measured) — but a
score of one snapshot of a price line selling several counts only once that snapshot was
sold (:mod:`distillcost.capability.table`); with
``known_then`` a date sees only the scores published by then. Several bars: all must hold.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from distillcost.capability.table import Attributed, ScoreTable
from distillcost.errors import CapabilityError
from distillcost.prices.table import PriceTable

_BAR = re.compile(
    r"^\s*(?P<bench>[A-Za-z0-9][A-Za-z0-9_.\-]*)\s*"
    r"(?:@\s*(?P<snapshot>\d{4}-\d{2}-\d{2}))?\s*"
    r"(?P<op>>=|≥|>)\s*(?P<rhs>[^=\s].*?)\s*$"
)

EXAMPLES = "mmlu>=86, gpqa-diamond>=gpt-4o-2024-05-13, lmarena-elo>=gpt-4-0314"


@dataclass(frozen=True)
class Bar:
    """One condition on one benchmark: a threshold, or a model to match."""

    benchmark: str
    op: str  # ">=" or ">"
    threshold: Decimal | None = None
    reference: str | None = None
    snapshot: date | None = None

    def __str__(self) -> str:
        at = f"@{self.snapshot.isoformat()}" if self.snapshot else ""
        rhs = self.reference if self.reference is not None else f"{self.threshold}"
        return f"{self.benchmark}{at}{self.op}{rhs}"

    def holds(self, value: Decimal, against: Decimal) -> bool:
        return value >= against if self.op == ">=" else value > against


def parse_bar(text: str) -> Bar:
    """``"mmlu>=86"`` -> :class:`Bar`; a bar that cannot be read names what is wrong."""
    match = _BAR.match(text)
    if match is None:
        raise CapabilityError(
            f"cannot read the capability bar {text!r}: write BENCHMARK>=NUMBER or "
            f"BENCHMARK>=MODEL (e.g. {EXAMPLES})"
        )
    op = ">=" if match["op"] in (">=", "≥") else ">"
    snapshot = None
    if match["snapshot"]:
        try:
            snapshot = date.fromisoformat(match["snapshot"])
        except ValueError:
            raise CapabilityError(f"{match['snapshot']!r} is not a date (YYYY-MM-DD)") from None
    rhs = match["rhs"]
    number = rhs[:-1].strip() if rhs.endswith("%") else rhs
    try:
        threshold = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return Bar(match["bench"].lower(), op, reference=rhs, snapshot=snapshot)
    if not threshold.is_finite():
        raise CapabilityError(f"the threshold of {text!r} is not a finite number")
    return Bar(match["bench"].lower(), op, threshold=threshold, snapshot=snapshot)


@dataclass(frozen=True)
class Evidence:
    """Why a model meets one bar on one date: the scores compared."""

    bar: Bar
    score: Attributed | None  # the model's score used (None: it is the reference itself)
    against: Attributed | None = None  # the reference's score, for a bar naming a model

    def describe(self) -> str:
        bench = self.bar.benchmark
        if self.score is None:
            return f"{bench}: is {self.bar.reference} itself"
        text = f"{bench} {self.score.describe()}"
        if self.against is not None:
            text += f" {self.bar.op} {self.bar.reference}'s {self.against.describe()}"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "bar": str(self.bar),
            "score": None if self.score is None else self.score.to_dict(),
            "against": None if self.against is None else self.against.to_dict(),
            "text": self.describe(),
        }


def _best(rows: Iterable[Attributed]) -> Attributed | None:
    """The highest value (ties: the earliest published)."""
    best: Attributed | None = None
    for row in rows:
        if best is None or row.value > best.value:
            best = row
    return best


class Capability:
    """Bars bound to the scores and the price table: who meets them, who ranks best."""

    def __init__(
        self,
        bars: Sequence[Bar],
        scores: ScoreTable,
        prices: PriceTable,
        *,
        known_then: bool = False,
    ) -> None:
        if not bars:
            raise CapabilityError(f"give a capability bar, e.g. {EXAMPLES}")
        self.bars = tuple(bars)
        self.scores = scores
        self.known_then = known_then
        self.references: dict[Bar, str] = {}
        for bar in self.bars:
            benchmark = scores.benchmark(bar.benchmark)
            if bar.reference is not None:
                self.references[bar] = prices.get(bar.reference).id
            elif benchmark.per_snapshot and bar.snapshot is None:
                raise CapabilityError(
                    f"{bar}: {bar.benchmark} ratings compare only within one leaderboard "
                    f"snapshot (the scale moves between snapshots), so a number alone does "
                    f"not say which models meet it. Compare with a model "
                    f"({bar.benchmark}>=gpt-4-0314) or name the snapshot the number belongs to "
                    f"({bar.benchmark}@{self._a_snapshot(bar.benchmark)}{bar.op}{bar.threshold})"
                )
            if bar.snapshot is not None and bar.snapshot not in scores.dates([bar.benchmark]):
                raise CapabilityError(
                    f"{bar}: no {bar.benchmark} score is dated {bar.snapshot.isoformat()}; "
                    f"snapshots: {self._snapshot_list(bar.benchmark)}"
                )

    def _a_snapshot(self, benchmark: str) -> str:
        days = sorted(self.scores.dates([benchmark]))
        return days[-1].isoformat() if days else "YYYY-MM-DD"

    def _snapshot_list(self, benchmark: str) -> str:
        days = sorted(self.scores.dates([benchmark]))
        shown = ", ".join(d.isoformat() for d in days[-6:])
        return (f"… {shown}" if len(days) > 6 else shown) or "none"

    def describe(self) -> str:
        bars = " and ".join(str(b) for b in self.bars)
        when = "scores published by each date" if self.known_then else "scores as known today"
        rows = self.scores.keep.describe()
        return f"{bars} ({when}{'; ' + rows if rows else ''})"

    # -- which scores a date sees -------------------------------------------------------------

    def _rows(self, model: str, bar: Bar, day: date) -> Sequence[Attributed]:
        rows = self.scores.rows(model, bar.benchmark, day if self.known_then else None, on=day)
        if bar.snapshot is not None:
            return [r for r in rows if r.as_of == bar.snapshot]
        return rows

    def candidates(self) -> set[str]:
        """Models that can meet every bar on some date (scored, or the reference itself)."""
        found: set[str] | None = None
        for bar in self.bars:
            able = self.scores.models_with(bar.benchmark)
            if bar in self.references:
                able = able | {self.references[bar]}
            found = able if found is None else found & able
        return found or set()

    def ranked_models(self) -> set[str]:
        """Models the first bar's benchmark ranks (the 'best available' curve's field)."""
        return self.scores.models_with(self.bars[0].benchmark)

    def score_dates(self) -> set[date]:
        return self.scores.dates(b.benchmark for b in self.bars)

    def snapshot_dates(self) -> set[date]:
        """Days a score of an undated snapshot starts to count (see :mod:`.table`)."""
        return self.scores.start_dates(b.benchmark for b in self.bars)

    # -- who meets the bars -------------------------------------------------------------------

    def meets(self, model: str, day: date) -> tuple[Evidence, ...] | None:
        """The evidence for every bar when ``model`` meets them all on ``day``, else None."""
        found = []
        for bar in self.bars:
            evidence = self._meets(bar, model, day)
            if evidence is None:
                return None
            found.append(evidence)
        return tuple(found)

    def _meets(self, bar: Bar, model: str, day: date) -> Evidence | None:
        reference = self.references.get(bar)
        if reference is None:
            best = _best(self._rows(model, bar, day))
            assert bar.threshold is not None
            if best is not None and bar.holds(best.value, bar.threshold):
                return Evidence(bar, best)
            return None
        if model == reference:
            return Evidence(bar, None) if bar.op == ">=" else None
        mine, theirs = self._rows(model, bar, day), self._rows(reference, bar, day)
        if self.scores.benchmark(bar.benchmark).per_snapshot:
            shared = {r.as_of for r in mine} & {r.as_of for r in theirs}
            if not shared:
                return None
            latest = max(shared)
            mine = [r for r in mine if r.as_of == latest]
            theirs = [r for r in theirs if r.as_of == latest]
        a, b = _best(mine), _best(theirs)
        if a is None or b is None or not bar.holds(a.value, b.value):
            return None
        return Evidence(bar, a, b)

    def ranking(self, models: Iterable[str], day: date) -> dict[str, Attributed]:
        """Each of ``models`` the first bar's benchmark ranks on ``day``, with the score used.

        A leaderboard ranks by one snapshot: with hindsight the first one on or after the
        day that rates any of the models (the leaderboard that judged them), else the last
        before; with ``known_then`` the last one published by the day.
        """
        bar = self.bars[0]
        pool = {m: self._rows(m, bar, day) for m in models}
        if self.scores.benchmark(bar.benchmark).per_snapshot and bar.snapshot is None:
            days = sorted({r.as_of for rows in pool.values() for r in rows})
            after = [d for d in days if d >= day]
            before = [d for d in days if d <= day]
            if self.known_then or not after:
                if not before:
                    return {}
                chosen = before[-1]
            else:
                chosen = after[0]
            pool = {m: [r for r in rows if r.as_of == chosen] for m, rows in pool.items()}
        out: dict[str, Attributed] = {}
        for model, rows in pool.items():
            best = _best(rows)
            if best is not None:
                out[model] = best
        return out
