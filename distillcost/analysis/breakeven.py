"""API teacher or self-hosted teacher: the volume at which the two cost the same.

Both costs are linear in the campaign's volume ``v`` (its stated kind: examples, output
tokens …): ``cost(v) = F + m·v``, with F the fixed part (a self-hosted teacher's set-up:
GPUs paid before the first token) and m the cost per unit. The student's training is the
same on both sides and cancels. From one estimate of each at the scenario's volume V:
``m = (API cost − F) ÷ V``; they cost the same at ``v* = (F_hosted − F_api) ÷ (m_api −
m_hosted)``, and above ``v*`` the one with the lower m is cheaper. No break-even when the
self-hosted teacher costs more per unit (it never catches up) or less at every volume.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from distillcost.estimator import Estimate
from distillcost.present import Column, Table

HOSTED = "self-hosted"


@dataclass(frozen=True)
class BreakEven:
    """An API teacher against a self-hosted one, per unit of the campaign's volume."""

    api: str
    hosted: str
    unit: str  # the volume kind
    volume: Decimal  # the scenario's
    api_fixed: Decimal
    api_per_unit: Decimal
    hosted_fixed: Decimal
    hosted_per_unit: Decimal

    @property
    def volume_at(self) -> Decimal | None:
        """Where the two cost the same (None: never, at any volume above 0)."""
        gap = self.api_per_unit - self.hosted_per_unit
        if gap <= 0:
            return None
        at = (self.hosted_fixed - self.api_fixed) / gap
        return at if at > 0 else None

    @property
    def verdict(self) -> str:
        at = self.volume_at
        gap = self.api_per_unit - self.hosted_per_unit
        if gap <= 0:
            return f"{self.api} at every volume (self-hosting costs more per unit)"
        if at is None:
            return f"{self.hosted} at every volume"
        return f"{self.hosted} above, {self.api} below"

    def record(self) -> dict[str, Any]:
        return {
            "api": self.api,
            "hosted": self.hosted,
            "unit": self.unit,
            "api_per_million": self.api_per_unit * 10**6,
            "hosted_per_million": self.hosted_per_unit * 10**6,
            "hosted_fixed": self.hosted_fixed,
            "break_even": self.volume_at,
            "volume": self.volume,
            "cheaper": self.verdict,
        }


COLUMNS: tuple[Column, ...] = (
    Column("api", "API teacher"),
    Column("hosted", "self-hosted teacher"),
    Column("api_per_million", "API $ per 1M units", "rate"),
    Column("hosted_per_million", "self-hosted $ per 1M units", "rate"),
    Column("hosted_fixed", "self-hosted set-up", "money"),
    Column("break_even", "break-even volume", "count"),
    Column("cheaper", "cheaper"),
)


def is_hosted(result: Estimate) -> bool:
    return result.provider == HOSTED


def _line(result: Estimate) -> tuple[Decimal, Decimal]:
    """(fixed, per unit) of the teacher-side cost at the scenario's volume."""
    _, volume = result.scenario.volume
    fixed = result.costs.get("setup", Decimal(0))
    return fixed, (result.api_usd - fixed) / volume.base


def break_even(api: Estimate, hosted: Estimate) -> BreakEven:
    """The two teachers of one campaign, as lines in its volume."""
    kind, volume = api.scenario.volume
    if volume.base <= 0:
        raise ValueError("break-even needs a volume above 0")
    api_fixed, api_unit = _line(api)
    hosted_fixed, hosted_unit = _line(hosted)
    return BreakEven(
        api.teacher,
        hosted.teacher,
        kind,
        volume.base,
        api_fixed,
        api_unit,
        hosted_fixed,
        hosted_unit,
    )


def break_evens(results: Sequence[Estimate]) -> list[BreakEven]:
    """Every (API, self-hosted) pair among ``results`` (each estimated for one campaign)."""
    apis = [r for r in results if not is_hosted(r)]
    hosted = [r for r in results if is_hosted(r)]
    return [break_even(a, h) for a in apis for h in hosted if a.scenario.volume[1].base > 0]


def break_even_table(rows: Sequence[BreakEven]) -> Table:
    return Table(COLUMNS, tuple(r.record() for r in rows))
