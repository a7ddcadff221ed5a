"""The report gathers: the estimate, and on request comparisons, history and volumes.

Everything a report shows is computed here, by the estimator and the analyses;
rendering then only formats it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from distillcost.errors import ScenarioError
from distillcost.estimator import Estimate
from distillcost.report.views import VOLUME_LABELS


@dataclass
class ReportData:
    """Everything a report shows, already computed (templates only format).

    ``result`` is the estimate; ``comparison``/``history`` are the analysis records
    (None when not asked for); ``volume`` holds points of the cost-vs-volume series
    (volume, total_usd, low_usd, high_usd).
    """

    result: Estimate
    price_table_version: str = ""
    comparison: Sequence[Mapping[str, Any]] | None = None
    unavailable: Sequence[Mapping[str, Any]] = ()
    unranked: Sequence[Mapping[str, Any]] = ()  # preview, experimental, free: priced, not ranked
    left_out: str = ""
    history: Sequence[Mapping[str, Any]] | None = None
    volume: Sequence[Mapping[str, Any]] | None = None
    volume_label: str = "volume"
    current_volume: Decimal | None = None
    version: str = ""
    title: str = ""
    #: the moat curve (a FrontierResult, ``--capability``), else None
    frontier: Any = None
    #: the provider's view (a ProviderView, ``--limits``), else None
    provider_view: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    break_even: Sequence[Mapping[str, Any]] | None = None  # API vs self-hosted teachers

    @functools.cached_property
    def estimate(self) -> dict[str, Any]:
        """The estimate as plain data: what templates see as ``e``."""
        return self.result.to_dict()


HISTORY_CHEAPEST = 4
"""With ``--all --history``: the history of the teacher and of this many cheapest ones."""

VOLUME_FACTORS: tuple[Decimal, ...] = tuple(
    Decimal(f) for f in ("0.1", "0.2", "0.5", "1", "2", "5", "10")
)


def volume_series(
    scenario: Any, table: Any, factors: Sequence[Decimal] = VOLUME_FACTORS
) -> tuple[list[dict[str, Any]], str, Decimal]:
    """The campaign re-estimated at scaled volumes (0.1× … 10×) for the cost-vs-volume chart.

    Returns the points, the axis label and the scenario's own (base) volume.
    Each point is a full :func:`~distillcost.estimator.estimate`, so anything
    that is not linear in volume (per-day limits, fixed student costs) shows.
    """
    from distillcost.estimator import estimate

    kind, value = scenario.volume
    points: list[dict[str, Any]] = []
    if value.base <= 0:  # nothing to scale: no chart rather than a chart of zeros
        return points, VOLUME_LABELS.get(kind, kind), value.base

    def scale(v: Decimal, f: Decimal) -> Decimal:
        # volumes are counts: 0.1 x 52,002 examples is shown and priced as 5,200, not
        # 5,200.2 (fractions below 1 are kept, so a tiny campaign still scales)
        x = v * f
        return x.to_integral_value(ROUND_HALF_UP) if x >= 1 and v == v.to_integral_value() else x

    for factor in factors:
        try:
            scaled = scenario.with_values(**{kind: value.map(lambda v, f=factor: scale(v, f))})
            result = estimate(scaled, table)
        except ScenarioError:
            # beyond what a scenario may hold (e.g. 10× a volume at the 1e15 cap): the
            # chart shows the volumes that are valid; the campaign itself always is
            continue
        points.append(
            {
                "factor": factor,
                "volume": scale(value.base, factor),
                "total_usd": result.total_usd,
                "low_usd": result.low_usd,
                "high_usd": result.high_usd,
            }
        )
    return points, VOLUME_LABELS.get(kind, kind), value.base


BREAK_EVEN_PAIRS = 5
"""The teacher is set against at most this many of the cheapest teachers of the other kind."""


def break_even_records(result: Estimate, ranked: Sequence[Estimate]) -> list[dict[str, Any]]:
    """The campaign's teacher against the cheapest compared teachers of the other kind
    (API against self-hosted, or the reverse): where each pair costs the same."""
    from distillcost.analysis.breakeven import break_even, is_hosted

    others = [r for r in ranked if is_hosted(r) != is_hosted(result)][:BREAK_EVEN_PAIRS]
    if result.scenario.volume[1].base <= 0:
        return []
    pairs = [(other, result) if is_hosted(result) else (result, other) for other in others]
    return [break_even(api, hosted).record() for api, hosted in pairs]


def build_report_data(
    scenario: Any,
    table: Any,
    *,
    compare: Sequence[str] | None = None,
    compare_all: bool = False,
    history: bool = False,
    volume: bool = True,
    capability: Any = None,
    frontier_options: Mapping[str, Any] | None = None,
    provider_view: Mapping[str, Any] | None = None,
) -> ReportData:
    """Estimate a scenario and gather what the report shows (comparison, history, volume).

    ``compare`` names teachers to rank beside the scenario's (``compare_all``:
    every model priced on the date); ``history`` prices the campaign on every
    date the teacher's (and compared teachers') prices changed, up to today (or
    the as-of date, if later). ``capability`` (a :class:`~distillcost.capability.Capability`)
    adds the moat curve (``frontier_options``: since, until, include_free);
    ``provider_view`` (keys, deadline_days, budget_usd, past_days) the provider's view.
    """
    from distillcost.estimator import estimate

    result = estimate(scenario, table)  # checks both arguments first
    data = ReportData(result, price_table_version=table.version)
    if compare or compare_all:
        from distillcost.analysis import NOT_PRICED, RETIRED
        from distillcost.analysis import compare as compare_teachers

        models = None
        if not compare_all:
            models = list(dict.fromkeys([result.teacher, *(compare or ())]))
        ranked = compare_teachers(scenario, table, models, as_of=result.as_of)
        data.comparison = [row.to_record() for row in ranked.rows]
        data.break_even = break_even_records(result, [row.estimate for row in ranked.rows])
        shown = list(ranked.unavailable)
        if compare_all:
            # --all means every model priced on the date: the ones released later or
            # retired before are not candidates, and listing each (80 lines for a 2023
            # campaign) buried the comparison; say how many were left out instead.
            shown = [u for u in ranked.unavailable if u.kind not in (NOT_PRICED, RETIRED)]
            skipped = len(ranked.unavailable) - len(shown)
            if skipped:
                data.left_out = (
                    f"{skipped} other model{'s' if skipped != 1 else ''} in the price table "
                    f"had no price on {result.as_of.isoformat()} (released later or "
                    "already retired) and are left out."
                )
        data.unavailable = [{"teacher": u.teacher, "reason": u.reason} for u in shown]
        data.unranked = [{"teacher": r.teacher, "reason": r.why_unranked} for r in ranked.unranked]
    if history:
        from distillcost.analysis import history as price_history

        models = list(dict.fromkeys([result.teacher, *(compare or ())]))
        if compare_all and data.comparison:
            # every teacher's history is unreadable; the cheapest ones are the story
            cheapest = [row["teacher"] for row in data.comparison[:HISTORY_CHEAPEST]]
            models = list(dict.fromkeys([result.teacher, *cheapest]))
        # Up to today, not only to the campaign's date: the point of the section is
        # what the same campaign costs later (the essay's 2022 campaign at 2024 prices).
        until = max(result.as_of, date.today())
        data.history = price_history(scenario, table, models, until=until).to_records()
    if volume:
        data.volume, data.volume_label, data.current_volume = volume_series(scenario, table)
    if capability is not None:
        from distillcost.analysis.frontier import frontier

        data.frontier = frontier(scenario, table, capability, **dict(frontier_options or {}))
    if provider_view is not None:
        from distillcost.analysis.provider_view import provider_view as extractor_needs

        data.provider_view = extractor_needs(scenario, table, **dict(provider_view))
    return data


def build_pipeline_report_data(
    pipeline: Any,
    table: Any,
    *,
    compare: Sequence[str] | None = None,
    compare_all: bool = False,
    history: bool = False,
) -> ReportData:
    """A pipeline's report: its stages, the whole, and on request teachers compared (for
    every stage) and its cost over time. No cost-vs-volume chart (the volume is per stage)."""
    from distillcost.analysis.pipelines import compare_pipeline, pipeline_history
    from distillcost.estimator.pipeline import estimate_pipeline

    result = estimate_pipeline(pipeline, table)
    data = ReportData(result, price_table_version=table.version)
    if compare or compare_all:
        models = table.ids() if compare_all else list(dict.fromkeys(compare or ()))
        ranked = compare_pipeline(pipeline, table, models, as_of=result.as_of)
        data.comparison = [row.to_record() for row in ranked.rows]
        data.unavailable = [
            {"teacher": u.teacher, "reason": u.reason}
            for u in ranked.unavailable
            if u.kind == "cannot run"
        ]
    if history:
        until = max(result.as_of, date.today())
        data.history = pipeline_history(pipeline, table, until=until).to_records()
    return data
