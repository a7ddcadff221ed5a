"""The same campaign for many teachers, ranked by total cost (cheapest first).

Models that cannot run a campaign (context window too small, not priced on the
date, no batch price when batch was asked for, …) are not errors in a
comparison: they are listed with the reason, because "which teachers can do
this at all" is part of the answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from distillcost import present
from distillcost.analysis.common import (
    ESTIMATE_COLUMNS,
    ESTIMATE_FIELDS,
    check_campaign,
    estimate_fields,
    frame,
    reason,
    same_failure_everywhere,
    scenario_dict,
    select_models,
)
from distillcost.errors import DistillcostError
from distillcost.estimator import Estimate, estimate
from distillcost.present import Column, Table
from distillcost.scenario import Scenario

if TYPE_CHECKING:
    import pandas as pd

    from distillcost.prices import ModelRecord, PriceTable

#: Why a teacher is missing from a ranking (``Unavailable.kind``).
CANNOT_RUN = "cannot run"  # priced on the date, but the campaign does not fit it
NOT_PRICED = "not priced"  # no price yet on the date
RETIRED = "retired"  # retired on or before the date

COMPARE_FIELDS: tuple[Column, ...] = (
    Column("rank", "#", "number"),
    Column("teacher", "teacher"),
    Column("provider", "provider"),
    *ESTIMATE_FIELDS,
    Column("reason", "reason"),
)
COMPARE_COLUMNS: tuple[str, ...] = tuple(c.key for c in COMPARE_FIELDS)


@dataclass(frozen=True)
class ComparisonRow:
    """One teacher that can run the campaign, with its rank (1 = cheapest)."""

    rank: int
    teacher: str
    provider: str
    estimate: Estimate = field(repr=False, compare=False)

    def to_record(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "teacher": self.teacher,
            "provider": self.provider,
            **estimate_fields(self.estimate),
            "reason": None,
        }

    @property
    def total_usd(self) -> Decimal:
        return self.estimate.total_usd

    @property
    def low_usd(self) -> Decimal:
        return self.estimate.low_usd

    @property
    def high_usd(self) -> Decimal:
        return self.estimate.high_usd

    @property
    def wall_clock_days(self) -> Decimal | None:
        return self.estimate.wall_clock_days


@dataclass(frozen=True)
class Unavailable:
    """A teacher that cannot run the campaign, and why.

    ``kind`` is ``"cannot run"`` (context window too small, no batch price, …),
    ``"not priced"`` (first priced after the date) or ``"retired"``; ``since``
    is the first-priced or retirement date for the last two.
    """

    teacher: str
    provider: str
    reason: str
    kind: str = CANNOT_RUN
    since: date | None = None

    def to_record(self) -> dict[str, Any]:
        blanks = dict.fromkeys(ESTIMATE_COLUMNS)
        return {
            "rank": None,
            "teacher": self.teacher,
            "provider": self.provider,
            **blanks,
            "reason": self.reason,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "teacher": self.teacher,
            "provider": self.provider,
            "kind": self.kind,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ComparisonResult:
    """Teachers ranked by total cost, then those that cannot run the campaign."""

    as_of: date | None
    rows: tuple[ComparisonRow, ...]
    unavailable: tuple[Unavailable, ...]
    #: The campaign analysed (in JSON as "scenario", so the output says what it assumed).
    scenario: Scenario | None = field(default=None, compare=False, repr=False)

    def to_records(self) -> list[dict[str, Any]]:
        """Ranked rows, then unavailable ones (rank and money None, reason set)."""
        return [r.to_record() for r in self.rows] + [u.to_record() for u in self.unavailable]

    def table(self, unavailable: bool = False) -> Table:
        """The ranked teachers; with ``unavailable``, then those that cannot run it (blank
        money, the reason set), which a spreadsheet would otherwise sum as zeros."""
        rows = self.to_records() if unavailable else [r.to_record() for r in self.rows]
        return Table(COMPARE_FIELDS, tuple(rows))

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "rows": [r.to_record() for r in self.rows],
            "unavailable": [u.to_dict() for u in self.unavailable],
            "scenario": scenario_dict(self.scenario),
        }

    def __repr__(self) -> str:
        when = self.as_of.isoformat() if self.as_of else "today"
        best = (
            f", cheapest {self.rows[0].teacher} {present.money(self.rows[0].total_usd)}"
            if self.rows
            else ""
        )
        return (
            f"<ComparisonResult on {when}: {len(self.rows)} teacher(s) ranked{best}; "
            f"{len(self.unavailable)} cannot run it>"
        )

    def _repr_html_(self) -> str:
        from distillcost.notebook import html_block

        return html_block(repr(self)[1:-1], [], [self.table()])

    def to_frame(self, exact: bool = False, unavailable: bool = False) -> pd.DataFrame:
        """The ranked teachers, money as floats (plot it, sum it; the rank stays whole);
        ``exact=True`` keeps the Decimals, ``unavailable=True`` adds the teachers that
        cannot run the campaign (no money, the reason set)."""
        records = self.to_records() if unavailable else [r.to_record() for r in self.rows]
        return frame(records, COMPARE_COLUMNS, exact, COMPARE_FIELDS)


def compare(
    scenario: Scenario,
    table: PriceTable,
    models: Sequence[str] | None = None,
    provider: str | None = None,
    *,
    as_of: date | None = None,
) -> ComparisonResult:
    """The same campaign for many teachers, ranked by total cost (cheapest first).

    ``models`` (ids or aliases) and/or ``provider`` choose the teachers; neither
    means every model in ``table``. An unknown name is an error; a teacher that
    cannot run the campaign lands in ``unavailable`` with the estimator's reason.
    """
    check_campaign(scenario)
    when = as_of or scenario.as_of or date.today()  # the estimator's own default
    priced: list[tuple[ModelRecord, Estimate]] = []
    cannot_run: list[Unavailable] = []
    not_priced: list[Unavailable] = []
    for record in select_models(table, models, provider):
        if not record.available_on(when):
            why = f"no price on {when.isoformat()}"
            try:
                record.price_on(when)
            except DistillcostError as exc:  # says why: first priced later, or retired
                why = reason(exc, record.id)
            if record.is_retired(when):
                kind, since = RETIRED, record.retired
            else:
                kind, since = NOT_PRICED, record.first_priced
            not_priced.append(Unavailable(record.id, record.provider, why, kind, since))
            continue
        try:
            result = estimate(scenario, table, teacher=record.id, as_of=when)
        except DistillcostError as exc:
            cannot_run.append(Unavailable(record.id, record.provider, reason(exc, record.id)))
            continue
        priced.append((record, result))
    priced.sort(key=lambda pair: (pair[1].total_usd, pair[0].id))
    rows = tuple(
        ComparisonRow(rank, record.id, record.provider, result)
        for rank, (record, result) in enumerate(priced, start=1)
    )
    same_failure_everywhere([u.reason for u in cannot_run], len(priced))
    unavailable = cannot_run + not_priced
    return ComparisonResult(when, rows, tuple(unavailable), scenario)
