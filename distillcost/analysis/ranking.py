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

    def table(self) -> Table:
        return Table(COMPARE_FIELDS, tuple(self.to_records()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "rows": [r.to_record() for r in self.rows],
            "unavailable": [u.to_dict() for u in self.unavailable],
            "scenario": scenario_dict(self.scenario),
        }

    def to_frame(self, exact: bool = True) -> pd.DataFrame:
        """A DataFrame of :meth:`to_records`; ``exact=False`` turns Decimals into floats."""
        return frame(self.to_records(), COMPARE_COLUMNS, exact)


def compare(
    scenario: Scenario,
    table: PriceTable,
    models: str | Sequence[str] | None = None,
    provider: str | None = None,
    *,
    as_of: date | None = None,
) -> ComparisonResult:
    """The same campaign for many teachers, ranked by total cost (cheapest first).

    ``models`` (ids or aliases) and/or ``provider`` choose the teachers; neither
    means every model in ``table``. An unknown name is an error; a teacher that
    cannot run the campaign lands in ``unavailable`` with the estimator's reason.
    """
    check_campaign(scenario, table)
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
