"""Pipelines in the analyses: teachers compared for one stage or the whole, and history.

``compare_pipeline`` prices the whole pipeline once per teacher, that teacher serving
every stage or only the one named; ``pipeline_history`` prices it on every date any
stage's teacher changed price. Rows hold :class:`~distillcost.estimator.PipelineEstimate`
s, which are estimates, so the ranking and history tables are the ordinary ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from distillcost.analysis.common import reason, resolve_models
from distillcost.analysis.ranking import (
    CANNOT_RUN,
    NOT_PRICED,
    ComparisonResult,
    ComparisonRow,
    Unavailable,
)
from distillcost.analysis.timeline import HistoryResult, HistoryRow
from distillcost.errors import DistillcostError, ScenarioError
from distillcost.estimator.pipeline import PipelineEstimate, estimate_pipeline
from distillcost.prices.table import PriceTable
from distillcost.scenario.pipeline import Pipeline


def _when(pipeline: Pipeline, as_of: date | None) -> date:
    return as_of or pipeline.stages[-1].scenario.as_of or date.today()


def compare_pipeline(
    pipeline: Pipeline,
    table: PriceTable,
    models: Sequence[str],
    *,
    stage: str | None = None,
    as_of: date | None = None,
) -> ComparisonResult:
    """The pipeline with each teacher in turn (every stage, or only ``stage``), cheapest first."""
    when = _when(pipeline, as_of)
    pipeline.with_teacher("-", stage)  # an unknown stage is the user's error, not a row's
    records = resolve_models(table, models)
    if not records:
        raise ScenarioError("no models given to compare")
    priced: list[tuple[str, str, PipelineEstimate]] = []
    unavailable: list[Unavailable] = []
    for record in records:
        if not record.available_on(when):
            unavailable.append(
                Unavailable(
                    record.id,
                    record.provider,
                    f"no price on {when}",
                    NOT_PRICED,
                    record.first_priced,
                )
            )
            continue
        try:
            result = estimate_pipeline(pipeline.with_teacher(record.id, stage), table, as_of=when)
        except DistillcostError as exc:
            unavailable.append(
                Unavailable(record.id, record.provider, reason(exc, record.id), CANNOT_RUN)
            )
            continue
        priced.append((record.id, record.provider, result))
    priced.sort(key=lambda row: (row[2].total_usd, row[0]))
    rows = tuple(
        ComparisonRow(rank, teacher, provider, result)
        for rank, (teacher, provider, result) in enumerate(priced, start=1)
    )
    return ComparisonResult(when, rows, tuple(unavailable), pipeline.stages[-1].scenario)


def pipeline_history(
    pipeline: Pipeline, table: PriceTable, *, until: date | None = None
) -> HistoryResult:
    """The pipeline priced on every date any of its stages' teachers changed price."""
    until = until or date.today()
    records = resolve_models(table, pipeline.teachers())
    days = sorted(
        {d for r in records for d in r.change_dates() if d <= until}
        | {r.retired for r in records if r.retired is not None and r.retired <= until}
    )
    label = " → ".join(r.id for r in records)
    provider = ", ".join(sorted({r.provider for r in records}))
    rows: list[HistoryRow] = []
    previous = None
    for day in days:
        try:
            result = estimate_pipeline(pipeline, table, as_of=day)
        except DistillcostError as exc:
            rows.append(HistoryRow(label, provider, day, "unavailable", note=reason(exc)))
            continue
        change = None
        if previous:
            change = (result.total_usd - previous) / previous * 100
        previous = result.total_usd
        rows.append(HistoryRow(label, provider, day, "priced", result, change))
    return HistoryResult(until, tuple(days), tuple(rows), pipeline.stages[-1].scenario)
