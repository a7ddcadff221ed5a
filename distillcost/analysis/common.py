"""What compare, history and sweep share: choosing teachers, estimate columns, reasons."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from distillcost.errors import DistillcostError, ScenarioError, UnknownNameError
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


def frame(records: list[dict[str, Any]], columns: Sequence[str], exact: bool) -> pd.DataFrame:
    """A DataFrame of records; ``exact=False`` turns Decimal columns into floats."""
    import pandas as pd

    result = pd.DataFrame.from_records(records, columns=list(columns))
    if not exact:
        for column in result.columns:
            if any(isinstance(v, Decimal) for v in result[column]):
                result[column] = pd.to_numeric(
                    result[column].map(lambda v: None if v is None else float(v))
                )
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
