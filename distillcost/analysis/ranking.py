"""The same campaign for many teachers, ranked by total cost (cheapest first).

Models that cannot run a campaign (context window too small, not priced on the
date, no batch price when batch was asked for, retired before the campaign's wall
clock ends, …) are not errors in a comparison: they are listed with the reason,
because "which teachers can do this at all" is part of the answer. Preview,
experimental and free models are priced but not ranked unless asked: they are
rate-capped test releases that cannot be relied on for a campaign. Each row says
the hidden reasoning priced (each teacher's own profile) and the usage tier applied.
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
    EstimateCache,
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
from distillcost.estimator.teacher import check_tiers
from distillcost.present import Column, Table
from distillcost.scenario import Scenario, coerce

if TYPE_CHECKING:
    import pandas as pd

    from distillcost.prices import ModelRecord, PriceTable

#: Why a teacher is missing from a ranking (``Unavailable.kind``).
CANNOT_RUN = "cannot run"  # priced on the date, but the campaign does not fit it
NOT_PRICED = "not priced"  # no price yet on the date
RETIRED = "retired"  # retired on or before the date
RETIRES = "retires first"  # retires before the campaign's wall clock ends

TEACHER_FIELDS: tuple[Column, ...] = (
    Column("reasoning", "reasoning"),
    Column("reasoning_effort", "reasoning effort"),
    Column("reasoning_tokens", "reasoning tokens", "tokens"),
    Column("reasoning_basis", "reasoning basis"),
    Column("limits", "limits"),
    Column("status", "status"),
    Column("retires", "retires", "date"),
)
"""How each teacher behaves in the campaign: its reasoning, its usage tier, its availability."""

COMPARE_FIELDS: tuple[Column, ...] = (
    Column("rank", "#", "number"),
    Column("teacher", "teacher"),
    Column("provider", "provider"),
    *ESTIMATE_FIELDS,
    *TEACHER_FIELDS,
    Column("reason", "reason"),
)
COMPARE_COLUMNS: tuple[str, ...] = tuple(c.key for c in COMPARE_FIELDS)


def teacher_fields(result: Estimate) -> dict[str, Any]:
    """The teacher columns of an estimate: reasoning priced, tier, status, retirement."""
    reasoning, limits, availability = result.reasoning, result.limits_preset, result.availability
    return {
        "reasoning": reasoning.label if reasoning else None,
        "reasoning_effort": reasoning.effort if reasoning and reasoning.reasons else None,
        "reasoning_tokens": reasoning.tokens.base if reasoning else None,
        "reasoning_basis": reasoning.basis if reasoning and reasoning.reasons else None,
        "limits": limits.tier if limits else None,
        "status": availability.kind if availability else None,
        "retires": availability.retires if availability else None,
    }


@dataclass(frozen=True)
class ComparisonRow:
    """One teacher priced for the campaign, with its rank (1 = cheapest; None when it
    is listed but not ranked: a preview, experimental or free model)."""

    rank: int | None
    teacher: str
    provider: str
    estimate: Estimate = field(repr=False, compare=False)
    caps: str = ""  # the rate caps published for a model left out of the ranking

    def to_record(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "teacher": self.teacher,
            "provider": self.provider,
            **estimate_fields(self.estimate),
            **teacher_fields(self.estimate),
            "reason": None if self.rank is not None else self.why_unranked,
        }

    @property
    def why_unranked(self) -> str:
        availability = self.estimate.availability
        kind = availability.kind if availability else "preview"
        caps = f"rate caps {self.caps}" if self.caps else "rate caps not in the usage-tier presets"
        return f"{kind}, not ranked (a rate-capped test release; {caps})"

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
        blanks = dict.fromkeys((*ESTIMATE_COLUMNS, *(c.key for c in TEACHER_FIELDS)))
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
    #: Priced but not ranked: preview, experimental and free models (rank None).
    unranked: tuple[ComparisonRow, ...] = ()

    def to_records(self) -> list[dict[str, Any]]:
        """Ranked rows, then the unranked, then unavailable ones (rank None, reason set)."""
        return (
            [r.to_record() for r in self.rows]
            + [r.to_record() for r in self.unranked]
            + [u.to_record() for u in self.unavailable]
        )

    def table(self, unavailable: bool = False) -> Table:
        """The ranked teachers; with ``unavailable``, then those that cannot run it (blank
        money, the reason set), which a spreadsheet would otherwise sum as zeros."""
        rows = self.to_records() if unavailable else [r.to_record() for r in self.rows]
        return Table(COMPARE_FIELDS, tuple(rows))

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "rows": [r.to_record() for r in self.rows],
            "unranked": [r.to_record() for r in self.unranked],
            "unavailable": [u.to_dict() for u in self.unavailable],
            "assumptions": {
                row.teacher: {
                    "reasoning": row.estimate.reasoning.to_dict()
                    if row.estimate.reasoning
                    else None,
                    "limits_preset": row.estimate.limits_preset.to_dict()
                    if row.estimate.limits_preset
                    else None,
                }
                for row in (*self.rows, *self.unranked)
            },
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
    models: str | Sequence[str] | None = None,
    provider: str | None = None,
    *,
    as_of: date | None = None,
    include_preview: bool = False,
    cache: EstimateCache | None = None,
) -> ComparisonResult:
    """The same campaign for many teachers, ranked by total cost (cheapest first).

    ``models`` (ids or aliases) and/or ``provider`` choose the teachers; neither
    means every model in ``table``. An unknown name is an error; a teacher that
    cannot run the campaign (the estimator refuses it, or it retires before the
    campaign's wall clock ends) lands in ``unavailable`` with the reason. Preview,
    experimental and free models are priced into ``unranked`` unless
    ``include_preview``. ``cache`` re-uses estimates across calls on many dates (see
    :class:`EstimateCache`).
    """
    check_campaign(scenario, table)
    check_tiers(scenario, table.teachers)
    if as_of is not None:  # "2024-06-01" and datetimes too, as estimate takes them
        as_of = coerce("as_of", as_of)
    when = as_of or scenario.as_of or date.today()  # the estimator's own default
    priced: list[tuple[ModelRecord, Estimate]] = []
    unranked: list[tuple[ModelRecord, Estimate]] = []
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
            if cache is not None:
                result = cache.estimate(record, when)
            else:
                result = estimate(scenario, table, teacher=record.id, as_of=when)
        except DistillcostError as exc:
            cannot_run.append(Unavailable(record.id, record.provider, reason(exc, record.id)))
            continue
        availability = result.availability
        if availability is not None and availability.finishes is False:
            assert availability.retires is not None and availability.ends is not None
            why = (
                f"retires on {availability.retires.isoformat()}, before the campaign's wall "
                f"clock ends on {availability.ends.isoformat()}"
            )
            cannot_run.append(
                Unavailable(record.id, record.provider, why, RETIRES, availability.retires)
            )
            continue
        if availability is not None and not availability.ranked and not include_preview:
            unranked.append((record, result))
            continue
        priced.append((record, result))
    priced.sort(key=lambda pair: (pair[1].total_usd, pair[0].id))
    rows = tuple(
        ComparisonRow(rank, record.id, record.provider, result)
        for rank, (record, result) in enumerate(priced, start=1)
    )
    unranked.sort(key=lambda pair: (pair[1].total_usd, pair[0].id))
    listed = tuple(
        ComparisonRow(None, record.id, record.provider, result, caps_text(table, record, when))
        for record, result in unranked
    )
    same_failure_everywhere([u.reason for u in cannot_run], len(priced) + len(listed))
    unavailable = cannot_run + not_priced
    return ComparisonResult(when, rows, tuple(unavailable), scenario, listed)


def caps_text(table: PriceTable, record: ModelRecord, when: date) -> str:
    """The lowest tier's rate caps the presets publish for a model on a date (the free
    tier's, else tier 1's), or "" when they publish none."""
    matches = table.teachers.caps_for(record, when)
    if not matches:
        return ""
    order = {"free": 0, "default": 1, "all": 1}
    match = min(matches, key=lambda m: (order.get(m.tier.name, 2), m.tier.name))
    values = ", ".join(f"{name} {value:,}" for name, value in match.values().items())
    check = "" if match.tier.verified else ", not verified"
    return f"{match.tier.label}: {values} (as of {match.tier.effective_from.isoformat()}{check})"
