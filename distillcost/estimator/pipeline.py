"""A pipeline priced and timed: each stage estimated as the scenario it is, then summed.

Stage k with ``from_previous = R`` sends ``R × accepted examples of stage k−1`` requests
(at base). Totals, costs and tokens by kind, requests and wall-clock time add up over the
stages (stages run one after another); the dataset is the last stage's, and so is the
student, trained on it. low/high are the sums of the stages' low/high totals (each
stage's ranges at its own cost-minimising or -maximising ends; a range does not move a
later stage's volume). The result is an :class:`~distillcost.estimator.Estimate` whose
``stages`` hold the stages' own estimates, so everything that shows an estimate shows a
pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from distillcost import present
from distillcost.estimator import numbers
from distillcost.estimator.billing import COST_KINDS, TOKEN_KINDS
from distillcost.estimator.core import estimate
from distillcost.estimator.numbers import SECONDS_PER_DAY
from distillcost.estimator.result import Estimate
from distillcost.present import Column, Step, Table
from distillcost.prices.table import PriceTable
from distillcost.scenario import Scenario
from distillcost.scenario.pipeline import Pipeline, Stage

ZERO = Decimal(0)
SEQUENCE = "stages in sequence"


@dataclass(frozen=True)
class StageResult:
    """One stage's estimate, and the volume it was given."""

    name: str
    estimate: Estimate
    from_previous: Decimal | None = None

    def record(self) -> dict[str, Any]:
        e = self.estimate
        kind, volume = e.scenario.volume
        return {
            "stage": self.name,
            "teacher": e.teacher,
            "volume": f"{present.count(volume.base)} {kind.replace('_', ' ')}"
            + (f" ({self.from_previous} per example kept before)" if self.from_previous else ""),
            "requests": e.requests,
            "accepted": e.accepted_examples,
            "api_usd": e.api_usd,
            "wall_clock_seconds": e.wall_clock_seconds,
            "binding": e.binding_limit,
            "total_usd": e.total_usd,
        }


STAGE_COLUMNS: tuple[Column, ...] = (
    Column("stage", "stage"),
    Column("teacher", "teacher"),
    Column("volume", "volume"),
    Column("requests", "requests", "count"),
    Column("accepted", "kept", "count"),
    Column("api_usd", "API", "money"),
    Column("wall_clock_seconds", "wall clock", "duration"),
    Column("binding", "binding"),
    Column("total_usd", "total", "money"),
)


@dataclass(frozen=True)
class PipelineEstimate(Estimate):
    """A pipeline's totals as one estimate, with each stage's own estimate."""

    stages: tuple[StageResult, ...] = field(default=())
    pipeline: Pipeline | None = field(default=None, compare=False, repr=False)

    def stage_table(self) -> Table:
        foot = {
            "stage": "Total",
            "api_usd": self.api_usd,
            "total_usd": self.total_usd,
            "wall_clock_seconds": self.wall_clock_seconds,
        }
        return Table(STAGE_COLUMNS, tuple(s.record() for s in self.stages), foot=foot)

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        out["stages"] = [
            {"stage": s.name, "from_previous": s.from_previous, **s.estimate.to_dict()}
            for s in self.stages
        ]
        return out


def estimate_pipeline(
    pipeline: Pipeline,
    table: PriceTable,
    *,
    teacher: str | None = None,
    as_of: date | None = None,
) -> PipelineEstimate:
    """Every stage estimated in order (``teacher``/``as_of`` override every stage's)."""
    results: list[StageResult] = []
    kept: Decimal | None = None
    for stage in pipeline.stages:
        scenario = _resolved(stage, kept)
        result = estimate(scenario, table, teacher=teacher, as_of=as_of)
        results.append(StageResult(stage.name, result, stage.from_previous))
        kept = result.accepted_examples
    return combine(pipeline, results)


def _resolved(stage: Stage, kept: Decimal | None) -> Scenario:
    """The stage's scenario with its volume, when it comes from the stage before."""
    if stage.from_previous is None:
        return stage.scenario
    assert kept is not None
    return stage.scenario.with_values(requests=stage.from_previous * kept)


def _sum(values: Any) -> Decimal:
    return sum(values, ZERO)


def _summed(dicts: list[Mapping[str, Decimal]], keys: tuple[str, ...]) -> dict[str, Decimal]:
    return {k: _sum(d.get(k, ZERO) for d in dicts) for k in keys}


def combine(pipeline: Pipeline, results: list[StageResult]) -> PipelineEstimate:
    """The stages' estimates as one: sums, the last stage's dataset and student."""
    estimates = [r.estimate for r in results]
    last = estimates[-1]
    teachers = list(dict.fromkeys(e.teacher for e in estimates))
    providers = sorted({e.provider for e in estimates})
    walls = [e.wall_clock_seconds for e in estimates]
    wall = _sum(w for w in walls if w is not None) if any(w is not None for w in walls) else None
    time = {
        r.name: r.estimate.wall_clock_seconds
        for r in results
        if r.estimate.wall_clock_seconds is not None
    }
    notes = [f"stage {r.name!r}: {n}" for r in results for n in r.estimate.notes]
    if wall is not None and None in walls:
        missing = [r.name for r in results if r.estimate.wall_clock_seconds is None]
        notes.append(
            f"no rate limits given for stage(s) {', '.join(missing)}: the wall clock counts "
            "only the others"
        )
    notes.append(
        "the stages' ranges are summed (each at its own cost-minimising or -maximising "
        "ends); a range in one stage does not move the volume of the stages after it"
    )
    api = _sum(e.api_usd for e in estimates)
    steps = [
        Step(f"[{r.name}] {s.label}", s.formula, s.numbers, s.operands, s.result, s.kind, s.note)
        for r in results
        for s in r.estimate.steps
    ]
    total = _sum(e.total_usd for e in estimates)
    steps.append(
        Step(
            "Pipeline total",
            "Σ stage totals",
            " + ".join("{}" for _ in estimates),
            tuple((e.total_usd, "money") for e in estimates),
            total,
            "money",
        )
    )
    return PipelineEstimate(
        scenario=last.scenario,
        teacher=" → ".join(teachers),
        provider=", ".join(providers),
        as_of=last.as_of,
        model=last.model,
        price=last.price,
        total_usd=total,
        low_usd=_sum(e.low_usd for e in estimates),
        high_usd=_sum(e.high_usd for e in estimates),
        api_usd=api,
        student_usd=last.student_usd,
        requests=sum(e.requests for e in estimates),
        requests_exact=_sum(e.requests_exact for e in estimates),
        generated_examples=last.generated_examples,
        accepted_examples=last.accepted_examples,
        dataset_tokens=last.dataset_tokens,
        tokens=_summed([e.tokens for e in estimates], TOKEN_KINDS),
        costs=_summed([e.costs for e in estimates], COST_KINDS),
        time=time,
        wall_clock_seconds=wall,
        wall_clock_days=wall / SECONDS_PER_DAY if wall is not None else None,
        binding_limit=SEQUENCE,
        usd_per_1m_dataset_tokens=(
            numbers.money(api / last.dataset_tokens * 10**6) if last.dataset_tokens else None
        ),
        student=last.student,
        sensitivity=(),
        low_point={},
        high_point={},
        notes=tuple(dict.fromkeys(notes)),
        rates={},
        steps=tuple(steps),
        serving={},
        stages=tuple(results),
        pipeline=pipeline,
    )
