"""What one evaluation of the cost model needs: the campaign, its price, and a point."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from distillcost.prices.billing import Conditions
from distillcost.prices.model import LongContextTier, ModelRecord, PriceEntry, Rates
from distillcost.prices.table import PriceTable
from distillcost.scenario import NUMERIC_PARAMETERS, MeasuredTurns, Scenario

if TYPE_CHECKING:
    from distillcost.estimator.serving import Serving

Point = Mapping[str, Decimal | None]
"""Every numeric scenario field at one value (base, or one end of its range)."""


@dataclass(frozen=True)
class Context:
    scenario: Scenario
    table: PriceTable
    model: ModelRecord
    price: PriceEntry
    as_of: date
    ratio: Decimal  # multiplier for measured token counts
    lengths: tuple[int, ...]  # sorted sampled prompt lengths (measured), else ()
    prefix_sums: tuple[int, ...]
    # a chat file's measured turn structure, when the campaign is priced per assistant turn
    turns: MeasuredTurns | None = None
    cache_reads_count: bool = False  # cache reads count toward itpm (the tier's rule)
    rate_cache: dict[tuple[int, Conditions], Rates] = field(default_factory=dict)
    serving: Serving | None = None  # a self-hosted teacher's GPU terms

    def rates(self, tier: LongContextTier | None, pt: Point) -> Rates:
        """The entry's rates for requests in ``tier`` under the campaign's conditions at
        ``pt`` (computed once per tier and conditions)."""
        conditions = conditions_at(self.scenario, pt)
        key = (id(tier), conditions)
        found = self.rate_cache.get(key)
        if found is None:
            found = self.price.rates(tier, conditions)
            self.rate_cache[key] = found
        return found


_CONDITIONS = tuple(f.name for f in dataclasses.fields(Conditions))


def conditions_at(sc: Scenario, pt: Point) -> Conditions:
    """The billing conditions: each Conditions field is the scenario field of that name
    (its value at ``pt`` when it is a number); sending off-peak only means a share of 1."""
    values: dict[str, Any] = {}
    for name in _CONDITIONS:
        value = pt[name] if name in pt else getattr(sc, name)
        if value is not None:
            values[name] = value
    if sc.off_peak_only:
        values["off_peak_share"] = Decimal(1)
    return Conditions(**values)


def point(sc: Scenario, ends: Mapping[str, str] | None = None) -> dict[str, Decimal | None]:
    """Every numeric field at base (or at the end named in ``ends``)."""
    out: dict[str, Decimal | None] = {}
    for name in NUMERIC_PARAMETERS:
        value = getattr(sc, name)
        if value is None:
            out[name] = None
        elif ends and name in ends:
            out[name] = getattr(value, ends[name])
        else:
            out[name] = value.base
    return out


def req(pt: Point, name: str) -> Decimal:
    """A field the model needs (validation and defaults guarantee it is set)."""
    value = pt[name]
    assert value is not None, name
    return value
