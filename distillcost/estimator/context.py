"""What one evaluation of the cost model needs: the campaign, its price, and a point."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from distillcost.prices.model import LongContextTier, ModelRecord, PriceEntry, Rates
from distillcost.prices.table import PriceTable
from distillcost.scenario import NUMERIC_PARAMETERS, Scenario

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
    rate_cache: dict[int, Rates] = field(default_factory=dict)

    def rates(self, tier: LongContextTier | None) -> Rates:
        """The entry's rates for requests in ``tier`` (computed once per tier and estimate)."""
        found = self.rate_cache.get(id(tier))
        if found is None:
            found = self.price.rates(tier, batch=self.scenario.batch)
            self.rate_cache[id(tier)] = found
        return found


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
