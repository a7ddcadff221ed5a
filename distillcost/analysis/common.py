"""What compare, history and sweep share: choosing teachers, estimate columns, reasons."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from distillcost.errors import DistillcostError, ScenarioError, UnknownNameError
from distillcost.estimator.teacher import limits_for
from distillcost.present import Column
from distillcost.scenario import Scenario, check_complete

if TYPE_CHECKING:
    import pandas as pd

    from distillcost.estimator import Estimate
    from distillcost.prices import ModelRecord, PriceTable

#: The columns every estimate row carries, in display order.
ESTIMATE_FIELDS: tuple[Column, ...] = (
    Column("total_usd", "total", "money"),
    Column("low_usd", "low", "money"),
    Column("high_usd", "high", "money"),
    Column("wall_clock_days", "days", "days"),
    Column("binding_limit", "binding"),
    Column("usd_per_1m_dataset_tokens", "$/1M tok", "rate"),
)
ESTIMATE_COLUMNS: tuple[str, ...] = tuple(c.key for c in ESTIMATE_FIELDS)


def frame(
    records: list[dict[str, Any]],
    columns: Sequence[str],
    exact: bool,
    fields: Sequence[Column] = (),
) -> pd.DataFrame:
    """A DataFrame of records: Decimal columns (and ``fields``' numeric ones) as floats for
    plots and sums, or exact Decimals with ``exact=True``."""
    from distillcost.notebook import frame as build

    numeric = [c.key for c in (*ESTIMATE_FIELDS, *fields) if c.numeric]
    result: pd.DataFrame = build(records, columns, exact, numeric)
    return result


def estimate_fields(result: Estimate) -> dict[str, Any]:
    return {c.key: getattr(result, c.key) for c in ESTIMATE_FIELDS}


def scenario_dict(scenario: Scenario | None) -> dict[str, Any] | None:
    return None if scenario is None else scenario.to_dict()


def resolve_models(table: PriceTable, models: str | Iterable[str]) -> list[ModelRecord]:
    """Records for the names given (ids or aliases), once each, in the order given.

    One name given as text is that name (``compare(sc, t, "gpt-4o")`` looked up 'g',
    'p', 't'...); anything but text is refused, as the CLI would.
    """
    if isinstance(models, str):
        models = [models]
    seen: set[str] = set()
    records = []
    for name in models:
        if not isinstance(name, str):
            raise ScenarioError(f"a model name must be text, not {type(name).__name__}")
        name = name.strip()
        if not name:
            continue
        record = table.get(name)  # UnknownModelError with did-you-mean
        if record.id not in seen:
            seen.add(record.id)
            records.append(record)
    return records


def select_models(
    table: PriceTable, models: str | Sequence[str] | None, provider: str | None
) -> list[ModelRecord]:
    if models is not None:
        records = resolve_models(table, models)
        if not records:
            raise ScenarioError("no models given to compare")
    else:
        records = list(table)
    if provider is not None:
        if not isinstance(provider, str):
            raise ScenarioError(f"provider: expected one provider's name, got {provider!r}")
        providers = sorted({r.provider for r in table})
        wanted = provider.strip().lower()
        if wanted not in {p.lower() for p in providers}:
            raise UnknownNameError("provider", provider, providers)
        records = [r for r in records if r.provider.lower() == wanted]
        if not records:
            raise ScenarioError(f"none of the models given is from provider {provider!r}")
    return records


def reason(exc: DistillcostError, teacher: str | None = None) -> str:
    """The error as one line, without a leading "model 'x'" the row already names."""
    text = " ".join(str(exc).split())
    prefix = f"model {teacher!r} "
    if teacher is not None and text.startswith(prefix):
        text = text[len(prefix) :]
    return text


def check_campaign(scenario: Scenario, table: PriceTable) -> None:
    """A campaign missing what every estimate needs is one error, not one per teacher."""
    from distillcost.estimator import check_inputs

    check_inputs(scenario, table)
    check_complete(scenario if scenario.teacher else scenario.with_values(teacher="-"))


def same_failure_everywhere(reasons: Sequence[str], priced: int) -> None:
    """When every try failed for the same reason, the campaign is at fault: raise it."""
    if priced == 0 and len(reasons) > 1 and len(set(reasons)) == 1:
        raise ScenarioError(reasons[0])


class EstimateCache:
    """Estimates of one campaign, re-used across dates on which nothing it depends on changed.

    An estimate depends on its date only through the teacher's price entry and request
    limits in force (and the student model's entry, when the student is fine-tuned);
    a date on which none of them changed gets the same estimate, re-dated. Undated prices
    and future dates are estimated afresh (their notes name the date). Used by analyses
    that price the same teachers on many dates (``frontier``).
    """

    def __init__(self, scenario: Scenario, table: PriceTable) -> None:
        self.scenario = scenario
        self.table = table
        self._estimates: dict[tuple[Any, ...], Estimate] = {}
        self._student = scenario.student_model

    def _key(self, record: ModelRecord, day: date) -> tuple[Any, ...] | None:
        from distillcost.present import UNDATED

        entry = record.entry_on(day)
        if entry is None or entry.effective_from == UNDATED or day > date.today():
            return None
        student: Any = None
        if self._student is not None and self._student in self.table:
            student = id(self.table.get(self._student).entry_on(day))
        # the usage tier's snapshot in force (its limits set the wall clock)
        tier = limits_for(self.scenario, record, self.table.teachers, day, [])
        snapshot = tier.effective_from if tier is not None else None
        return (record.id, id(entry), record.limits_on(day).effective_from, student, snapshot)

    def estimate(self, record: ModelRecord, day: date) -> Estimate:
        """``estimate(scenario, table, teacher=record.id, as_of=day)``, re-used when it can be."""
        from distillcost.estimator import estimate

        key = self._key(record, day)
        if key is None:
            return estimate(self.scenario, self.table, teacher=record.id, as_of=day)
        found = self._estimates.get(key)
        if found is None:
            found = estimate(self.scenario, self.table, teacher=record.id, as_of=day)
            self._estimates[key] = found
        if found.as_of != day and not _same_availability(found, day):
            # a retirement near either date: its warning (and whether the campaign can
            # finish) depends on the day itself
            return estimate(self.scenario, self.table, teacher=record.id, as_of=day)
        return found if found.as_of == day else dataclasses.replace(found, as_of=day)


def _same_availability(found: Estimate, day: date) -> bool:
    """Whether ``found``, re-dated to ``day``, says the same about the teacher's retirement:
    neither date is within the warning window, nor does the campaign end after it."""
    from distillcost.estimator.availability import WARNING_DAYS

    availability = found.availability
    if availability is None or availability.retires is None:
        return True
    if availability.notes or (availability.retires - day).days <= WARNING_DAYS:
        return False
    if availability.ends is None:
        return True
    return day + (availability.ends - found.as_of) < availability.retires
