"""The moat curve: what extracting a model of a given capability cost on each date.

On every date since the start on which a price, a release, a retirement (or, with
``known_then``, a score) changed, the teachers sold that day are ranked for the campaign
by :func:`~distillcost.analysis.ranking.compare` — the same ranking ``compare`` prints —
and the curve takes the cheapest one that meets the capability bar. Beside it runs the
curve of the *best* teacher sold that day (the highest score on the bar's first
benchmark): what distilling the frontier cost. The fall is the first cost over the last;
the halving time comes from a least-squares line through the logarithm of the cost in
force each month.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Context, Decimal
from typing import TYPE_CHECKING, Any

from distillcost import present
from distillcost.analysis.common import EstimateCache, check_campaign, frame, scenario_dict
from distillcost.analysis.ranking import CANNOT_RUN, ComparisonRow, compare
from distillcost.capability.bar import Capability, Evidence
from distillcost.capability.table import Attributed
from distillcost.errors import ScenarioError
from distillcost.present import Column, Table
from distillcost.scenario import Scenario

if TYPE_CHECKING:
    import pandas as pd

    from distillcost.prices import ModelRecord, PriceTable

START = date(2020, 1, 1)
"""Where the curve starts when neither ``since`` nor the scenario's as-of date says."""

_LOG = Context(prec=28)

FRONTIER_FIELDS: tuple[Column, ...] = (
    Column("date", "date", "date"),
    Column("teacher", "cheapest meeting the bar"),
    Column("provider", "provider"),
    Column("total_usd", "total", "money"),
    Column("fall", "fall", "factor"),
    Column("score", "its score"),
    Column("qualifying", "meeting", "number"),
    Column("best_teacher", "best available"),
    Column("best_total_usd", "its total", "money"),
    Column("best_score", "its score (best)"),
)
FRONTIER_COLUMNS: tuple[str, ...] = tuple(c.key for c in FRONTIER_FIELDS)


@dataclass(frozen=True)
class FrontierPoint:
    """The two curves on one date: the cheapest teacher meeting the bar, and the best one."""

    date: date
    cheapest: ComparisonRow | None = field(default=None, repr=False)
    evidence: tuple[Evidence, ...] = ()
    qualifying: int = 0  # teachers meeting the bar that can run the campaign
    best: ComparisonRow | None = field(default=None, repr=False)
    best_score: Attributed | None = None
    note: str = ""

    @property
    def teacher(self) -> str | None:
        return None if self.cheapest is None else self.cheapest.teacher

    @property
    def total_usd(self) -> Decimal | None:
        return None if self.cheapest is None else self.cheapest.total_usd

    @property
    def best_teacher(self) -> str | None:
        return None if self.best is None else self.best.teacher

    @property
    def best_total_usd(self) -> Decimal | None:
        return None if self.best is None else self.best.total_usd

    def score_text(self) -> str:
        return "; ".join(e.describe() for e in self.evidence)

    def best_text(self) -> str:
        return "" if self.best_score is None else self.best_score.describe()

    def to_record(self, first_total: Decimal | None) -> dict[str, Any]:
        total = self.total_usd
        fall = None
        if first_total is not None and total is not None and total > 0:
            fall = first_total / total
        return {
            "date": self.date,
            "teacher": self.teacher,
            "provider": None if self.cheapest is None else self.cheapest.provider,
            "total_usd": total,
            "fall": fall,
            "score": self.score_text() or self.note or None,
            "qualifying": self.qualifying,
            "best_teacher": self.best_teacher,
            "best_total_usd": self.best_total_usd,
            "best_score": self.best_text() or None,
        }

    def to_dict(self, first_total: Decimal | None) -> dict[str, Any]:
        out = self.to_record(first_total)
        out["evidence"] = [e.to_dict() for e in self.evidence]
        out["best_evidence"] = None if self.best_score is None else self.best_score.to_dict()
        out["note"] = self.note or None
        return out


@dataclass(frozen=True)
class Fit:
    """A least-squares line through ln(cost) against months, over the cost in force each month.

    ``halving_months`` is ln 2 ÷ −slope when the cost falls (None when it does not);
    ``r2`` how much of the variation in ln(cost) the line explains.
    """

    start: date
    end: date
    samples: int
    slope_per_month: Decimal
    halving_months: Decimal | None
    r2: Decimal | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "monthly_samples": self.samples,
            "ln_cost_per_month": self.slope_per_month,
            "halving_months": self.halving_months,
            "r2": self.r2,
        }


@dataclass(frozen=True)
class FrontierResult:
    """The curves on every date evaluated; :meth:`steps` keeps the dates either one moved."""

    capability: str
    since: date
    until: date
    points: tuple[FrontierPoint, ...]
    fit: Fit | None
    notes: tuple[str, ...] = ()
    scenario: Scenario | None = field(default=None, compare=False, repr=False)
    #: each date saw only the scores published by then
    known_then: bool = False

    def priced(self) -> list[FrontierPoint]:
        return [p for p in self.points if p.cheapest is not None]

    @property
    def first(self) -> FrontierPoint | None:
        priced = self.priced()
        return priced[0] if priced else None

    @property
    def last(self) -> FrontierPoint | None:
        """The date the curve's final teacher and cost took over."""
        steps = self.cheapest_steps()
        return steps[-1] if steps else None

    def cheapest_steps(self) -> list[FrontierPoint]:
        """Each date on which the cheapest qualifying teacher or its cost changed."""
        out: list[FrontierPoint] = []
        for point in self.priced():
            if not out or (point.teacher, point.total_usd) != (out[-1].teacher, out[-1].total_usd):
                out.append(point)
        return out

    @property
    def fall(self) -> Decimal | None:
        """First cost ÷ last cost (how many times cheaper the bar got)."""
        first, last = self.first, self.last
        if first is None or last is None or not last.total_usd:
            return None
        assert first.total_usd is not None
        return first.total_usd / last.total_usd

    def summary(self) -> list[str]:
        """The memo sentences: first and last figure, the fall, the halving time."""
        first, last = self.first, self.last
        lines: list[str] = []
        if first is None or last is None:
            return lines
        assert first.total_usd is not None and last.total_usd is not None
        fall = self.fall
        times = f": {present.factor(fall)} less" if fall is not None and fall > 1 else ""
        lines.append(
            f"From {present.money(first.total_usd)} ({first.teacher}, {first.date.isoformat()}) "
            f"to {present.money(last.total_usd)} ({last.teacher}, since {last.date.isoformat()})"
            f"{times}."
        )
        fit = self.fit
        if fit is not None:
            r2 = "" if fit.r2 is None else f"; r² {present.number(fit.r2, 2)}"
            span = (
                f"least-squares line through ln(cost) of {fit.samples} monthly samples, "
                f"{fit.start.isoformat()} to {fit.end.isoformat()}{r2}"
            )
            if fit.halving_months is not None:
                lines.append(
                    f"Halving time: {present.number(fit.halving_months, 1)} months ({span})."
                )
            else:
                lines.append(f"The cost did not fall over the period ({span}).")
        return lines

    def steps(self) -> list[FrontierPoint]:
        """The first date, then each date on which either curve's teacher or cost changed."""
        out: list[FrontierPoint] = []
        previous: tuple[Any, ...] | None = None
        for point in self.points:
            state = (point.teacher, point.total_usd, point.best_teacher, point.best_total_usd)
            if state != previous:
                out.append(point)
                previous = state
        return out

    def to_records(self) -> list[dict[str, Any]]:
        first = self.first
        start = None if first is None else first.total_usd
        return [p.to_record(start) for p in self.steps()]

    def table(self) -> Table:
        return Table(FRONTIER_FIELDS, tuple(self.to_records()))

    def to_dict(self) -> dict[str, Any]:
        first = self.first
        start = None if first is None else first.total_usd
        return {
            "capability": self.capability,
            "since": self.since,
            "until": self.until,
            "dates_evaluated": len(self.points),
            "first": None if first is None else first.to_dict(start),
            "last": None if self.last is None else self.last.to_dict(start),
            "fall": self.fall,
            "fit": None if self.fit is None else self.fit.to_dict(),
            "known_then": self.known_then,
            "steps": [p.to_dict(start) for p in self.steps()],
            "notes": list(self.notes),
            "scenario": scenario_dict(self.scenario),
        }

    def to_frame(self, exact: bool = True) -> pd.DataFrame:
        return frame(self.to_records(), FRONTIER_COLUMNS, exact)


def _left_out(record: ModelRecord, day: date) -> bool:
    """Free or experimental on ``day``: no price an extraction at scale could pay."""
    if record.status == "experimental":
        return True
    entry = record.entry_on(day)
    return entry is not None and entry.input == 0 and entry.output == 0 and not entry.per_request


def _change_dates(records: Sequence[ModelRecord], start: date, until: date) -> set[date]:
    days: set[date] = set()
    for record in records:
        days.update(record.change_dates())
        days.update(d for d in (record.released, record.retired) if d is not None)
    return {d for d in days if start < d <= until}


def frontier(
    scenario: Scenario,
    table: PriceTable,
    capability: Capability,
    *,
    since: date | None = None,
    until: date | None = None,
    include_free: bool = False,
) -> FrontierResult:
    """The cheapest teacher meeting ``capability`` on every date a price or score changed.

    ``since`` defaults to the scenario's as-of date (the campaign as it dates itself,
    e.g. the essay's December 2022), else 2020-01-01; ``until`` to today. Teachers
    that are free or experimental on a date are left out unless ``include_free``:
    a free beta rate-capped to a trickle is not a price anyone extracts a model at.
    """
    check_campaign(scenario, table)
    until = until or date.today()
    start = since or scenario.as_of or START
    if start > until:
        raise ScenarioError(
            f"the curve would start on {start.isoformat()}, after its end {until.isoformat()}"
        )
    ids = sorted(capability.candidates() | capability.ranked_models())
    records = [table.get(model) for model in ids]
    days = {start} | _change_dates(records, start, until)
    days |= {d for d in capability.snapshot_dates() if start < d <= until}
    if capability.known_then:
        days |= {d for d in capability.score_dates() if start < d <= until}
    cache = EstimateCache(scenario, table)
    left_out: set[str] = set()
    points: list[FrontierPoint] = []
    for day in sorted(days):
        sold = []
        for record in records:
            if not record.available_on(day) or (record.released and record.released > day):
                continue
            if not include_free and _left_out(record, day):
                left_out.add(record.id)
                continue
            sold.append(record.id)
        points.append(_point(scenario, table, capability, cache, sold, day))
    if not any(p.cheapest is not None for p in points):
        raise ScenarioError(_nothing_met(capability, points, start, until))
    curve = [(p.date, p.total_usd) for p in points if p.total_usd is not None]
    fit = halving_fit(curve, until)
    notes = tuple(_notes(capability, left_out))
    return FrontierResult(
        capability.describe(),
        start,
        until,
        tuple(points),
        fit,
        notes,
        scenario,
        known_then=capability.known_then,
    )


def _point(
    scenario: Scenario,
    table: PriceTable,
    capability: Capability,
    cache: EstimateCache,
    sold: list[str],
    day: date,
) -> FrontierPoint:
    if not sold:
        return FrontierPoint(day, note="no scored teacher was sold on this date")
    try:
        # free and experimental teachers were chosen above (include_free): rank what is sold
        ranked = compare(scenario, table, sold, as_of=day, cache=cache, include_preview=True)
    except ScenarioError as exc:  # every teacher failed the same way: the campaign's fault
        return FrontierPoint(day, note=f"no teacher can run the campaign ({exc})")
    cheapest: ComparisonRow | None = None
    evidence: tuple[Evidence, ...] = ()
    qualifying = 0
    for row in ranked.rows:  # cheapest first
        found = capability.meets(row.teacher, day)
        if found is None:
            continue
        qualifying += 1
        if cheapest is None:
            cheapest, evidence = row, found
    runnable = {row.teacher: row for row in ranked.rows}
    scores = capability.ranking(runnable, day)
    best, best_score = None, None
    if scores:
        top = max(scores, key=lambda m: (scores[m].value, -runnable[m].total_usd, m))
        best, best_score = runnable[top], scores[top]
    note = ""
    if cheapest is None:
        blocked = [
            u
            for u in ranked.unavailable
            if u.kind == CANNOT_RUN and capability.meets(u.teacher, day)
        ]
        note = "no teacher sold on this date meets the bar"
        if blocked:
            first = blocked[0]
            note = (
                f"no teacher meeting the bar can run the campaign ({first.teacher}: {first.reason}"
                f"{f'; and {len(blocked) - 1} more' if len(blocked) > 1 else ''})"
            )
    return FrontierPoint(day, cheapest, evidence, qualifying, best, best_score, note)


def _nothing_met(capability: Capability, points: Sequence[FrontierPoint], a: date, b: date) -> str:
    reasons = [p.note for p in points if "can run the campaign" in p.note]
    why = f"; e.g. on {_first_with(points, reasons[0])}: {reasons[0]}" if reasons else ""
    return (
        f"no teacher meeting {capability.describe()} could run this campaign on any date "
        f"from {a.isoformat()} to {b.isoformat()}{why}"
    )


def _first_with(points: Sequence[FrontierPoint], note: str) -> str:
    return next(p.date.isoformat() for p in points if p.note == note)


def _notes(capability: Capability, left_out: set[str]) -> list[str]:
    notes = []
    if left_out:
        shown = ", ".join(sorted(left_out)[:6]) + (" …" if len(left_out) > 6 else "")
        notes.append(
            f"{len(left_out)} free or experimental teacher(s) left out ({shown}): "
            "a free beta is rate-capped, not a price to extract a model at (--include-free "
            "brings them in)"
        )
    for bar, reference in capability.references.items():
        if not capability.scores.rows(reference, bar.benchmark):
            notes.append(
                f"{reference} has no {bar.benchmark} score in the tables: only {reference} "
                f"itself meets {bar}"
            )
    late = capability.scores.late_rows(b.benchmark for b in capability.bars)
    if late:
        named = sorted({a.score.model for a in late})
        shown = ", ".join(named[:4]) + (" …" if len(named) > 4 else "")
        notes.append(
            f"{len(late)} score row(s) measure one snapshot of a price line selling several "
            f"({shown}); the price table does not date the snapshots, so each counts only "
            "from the day it was published, never earlier (the conservative reading)"
        )
    unmatched = sum(capability.scores.unmatched.values())
    if unmatched:
        notes.append(
            f"{unmatched} score row(s) describe models the price table does not sell "
            "(`distillcost scores list --unmatched`)"
        )
    return notes


# --------------------------------------------------------------------------- the fit


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (the 31st becomes the month's last day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def monthly_samples(steps: Sequence[tuple[date, Decimal]], until: date) -> list[Decimal]:
    """The cost in force on the first step's date and on each month after it, to ``until``."""
    out: list[Decimal] = []
    if not steps:
        return out
    start, k, i = steps[0][0], 0, 0
    day = start
    while day <= until:
        while i + 1 < len(steps) and steps[i + 1][0] <= day:
            i += 1
        out.append(steps[i][1])
        k += 1
        day = add_months(start, k)
    return out


def halving_fit(steps: Sequence[tuple[date, Decimal]], until: date) -> Fit | None:
    """Least squares of ln(cost) on months, over the monthly samples (None: under 2 samples
    or a free step, whose logarithm is undefined)."""
    samples = monthly_samples(steps, until)
    if len(samples) < 2 or any(s <= 0 for s in samples):
        return None
    ys = [_LOG.ln(s) for s in samples]
    n = Decimal(len(ys))
    xs = [Decimal(k) for k in range(len(ys))]
    mean_x = sum(xs, Decimal(0)) / n
    mean_y = sum(ys, Decimal(0)) / n
    sxx = sum(((x - mean_x) ** 2 for x in xs), Decimal(0))
    sxy = sum(((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)), Decimal(0))
    slope = sxy / sxx
    syy = sum(((y - mean_y) ** 2 for y in ys), Decimal(0))
    r2 = None if syy == 0 else (sxy * sxy) / (sxx * syy)
    halving = _LOG.ln(Decimal(2)) / -slope if slope < 0 else None
    end = add_months(steps[0][0], len(samples) - 1)
    return Fit(steps[0][0], end, len(samples), slope, halving, r2)
