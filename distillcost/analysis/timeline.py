"""The same campaign priced on every date its teachers' prices changed."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Context, Decimal
from typing import TYPE_CHECKING, Any

from distillcost.analysis.common import (
    ESTIMATE_COLUMNS,
    ESTIMATE_FIELDS,
    check_campaign,
    estimate_fields,
    frame,
    reason,
    resolve_models,
    same_failure_everywhere,
    scenario_dict,
)
from distillcost.errors import DistillcostError, ScenarioError
from distillcost.estimator import Estimate, estimate
from distillcost.present import Column, Table
from distillcost.scenario import Scenario, coerce

if TYPE_CHECKING:
    import pandas as pd

    from distillcost.prices import PriceTable

#: Significant digits of a change in percent.
_CHANGE_CONTEXT = Context(prec=12)


HISTORY_FIELDS: tuple[Column, ...] = (
    Column("teacher", "teacher"),
    Column("provider", "provider"),
    Column("date", "date", "date"),
    *ESTIMATE_FIELDS,
    Column("change_pct", "change", "number"),
    Column("status", "status"),
)
HISTORY_COLUMNS: tuple[str, ...] = tuple(c.key for c in HISTORY_FIELDS)


@dataclass(frozen=True)
class HistoryRow:
    """The campaign priced for one teacher on one date.

    ``status`` is ``"priced"``, ``"retired"`` (the model's retirement date; no
    money) or ``"unavailable"`` with the reason in ``note``. ``change_pct`` is
    the change of the total against this teacher's previous priced row.
    """

    teacher: str
    provider: str
    date: date
    status: str
    estimate: Estimate | None = field(default=None, repr=False, compare=False)
    change_pct: Decimal | None = None
    note: str = ""

    @property
    def total_usd(self) -> Decimal | None:
        return None if self.estimate is None else self.estimate.total_usd

    def to_record(self) -> dict[str, Any]:
        money = (
            estimate_fields(self.estimate)
            if self.estimate is not None
            else dict.fromkeys(ESTIMATE_COLUMNS)
        )
        return {
            "teacher": self.teacher,
            "provider": self.provider,
            "date": self.date,
            **money,
            "change_pct": self.change_pct,
            "status": self.status if not self.note else f"{self.status}: {self.note}",
        }


@dataclass(frozen=True)
class HistoryResult:
    """One row per (teacher, date) on which any chosen teacher's price changed."""

    until: date
    dates: tuple[date, ...]
    rows: tuple[HistoryRow, ...]
    #: The campaign analysed (in JSON as "scenario", so the output says what it assumed).
    scenario: Scenario | None = field(default=None, compare=False, repr=False)

    def to_records(self) -> list[dict[str, Any]]:
        return [r.to_record() for r in self.rows]

    def table(self) -> Table:
        return Table(HISTORY_FIELDS, tuple(self.to_records()))

    def cheapest_by_date(self) -> list[HistoryRow]:
        """On each date, the priced row with the lowest total (ties: the first teacher)."""
        best: dict[date, tuple[Decimal, HistoryRow]] = {}
        for row in self.rows:
            total = row.total_usd
            if total is not None and (row.date not in best or total < best[row.date][0]):
                best[row.date] = (total, row)
        return [best[day][1] for day in sorted(best)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "until": self.until,
            "dates": list(self.dates),
            "rows": self.to_records(),
            "scenario": scenario_dict(self.scenario),
        }

    def __repr__(self) -> str:
        teachers = len({r.teacher for r in self.rows})
        return (
            f"<HistoryResult up to {self.until.isoformat()}: {len(self.rows)} row(s), "
            f"{teachers} teacher(s), {len(self.dates)} date(s)>"
        )

    def _repr_html_(self) -> str:
        from distillcost.notebook import html_block

        return html_block(repr(self)[1:-1], [], [self.table()])

    def to_frame(self, exact: bool = False) -> pd.DataFrame:
        return frame(self.to_records(), HISTORY_COLUMNS, exact, HISTORY_FIELDS)


def history(
    scenario: Scenario,
    table: PriceTable,
    models: str | Sequence[str] | None = None,
    *,
    until: date | None = None,
) -> HistoryResult:
    """The campaign priced on every date any of ``models`` changed price, up to ``until``.

    ``models`` defaults to the scenario's teacher; ``until`` to today, not to the
    scenario's as-of date: a campaign dated 2022 is exactly the one whose later,
    cheaper prices a reader wants to see. Every teacher is priced on every such date on which
    it had a price (so the table is a complete panel for charts); a retired
    teacher gets one ``retired`` row on its retirement date and none after.
    """
    from distillcost.estimator import check_inputs

    check_inputs(scenario, table)
    if until is not None:
        until = coerce("as_of", until)
    if models is None:
        teacher = getattr(scenario, "teacher", None)
        if not teacher:
            raise ScenarioError("history needs --models or a teacher in the scenario")
        models = [teacher]
    records = resolve_models(table, models)
    if not records:
        raise ScenarioError("no models given for history")
    check_campaign(scenario, table)
    if until is None:
        until = date.today()

    dates: set[date] = set()
    for record in records:
        dates.update(d for d in record.change_dates() if d <= until)
        if record.retired is not None and record.retired <= until:
            dates.add(record.retired)
    ordered = tuple(sorted(dates))

    per_teacher: dict[str, list[HistoryRow]] = {}
    for record in records:
        rows: list[HistoryRow] = []
        previous: Decimal | None = None
        first = record.first_priced
        for day in ordered:
            if first is None or day < first:
                continue
            if record.is_retired(day):
                rows.append(HistoryRow(record.id, record.provider, day, "retired"))
                break
            try:
                result = estimate(scenario, table, teacher=record.id, as_of=day)
            except DistillcostError as exc:
                rows.append(
                    HistoryRow(
                        record.id, record.provider, day, "unavailable", note=reason(exc, record.id)
                    )
                )
                continue
            change = None
            if previous is not None and previous != 0:
                change = _CHANGE_CONTEXT.plus((result.total_usd - previous) / previous * 100)
            previous = result.total_usd
            rows.append(HistoryRow(record.id, record.provider, day, "priced", result, change))
        per_teacher[record.id] = rows

    every = list(itertools.chain.from_iterable(per_teacher.values()))
    same_failure_everywhere(
        [r.note for r in every if r.status == "unavailable"],
        sum(r.status == "priced" for r in every),
    )
    order = {record.id: i for i, record in enumerate(records)}
    all_rows = sorted(
        itertools.chain.from_iterable(per_teacher.values()),
        key=lambda r: (r.date, order[r.teacher]),
    )
    return HistoryResult(until, ordered, tuple(all_rows), scenario)
