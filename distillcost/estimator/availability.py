"""Whether a teacher can run the campaign to its end: retirement, preview status, free tiers.

A campaign takes its wall clock to run; a model that is withdrawn before the last
request cannot finish it, and one withdrawn within :data:`WARNING_DAYS` of the as-of
date leaves no room to re-run or extend it. Preview and experimental models (and free
ones) are rate-capped test releases: they are priced, but rankings leave them out
unless asked. Pure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from distillcost import present
from distillcost.estimator.numbers import SECONDS_PER_DAY
from distillcost.prices.model import ModelRecord, PriceEntry

WARNING_DAYS = 90
"""A retirement this close to the as-of date is warned about whatever the wall clock."""


@dataclass(frozen=True)
class Availability:
    """A teacher's status on the as-of date and whether it outlives the campaign.

    ``finishes`` is False when the model retires before the campaign's wall clock
    ends, None when no wall clock is known (no limits given).
    """

    status: str
    free: bool
    retires: date | None = None
    ends: date | None = None
    finishes: bool | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def ranked(self) -> bool:
        """Ranked by default: generally available, and not a free (rate-capped) release."""
        return self.status == "ga" and not self.free

    @property
    def kind(self) -> str:
        """``free``, ``preview``, ``experimental`` or ``ga``."""
        if self.status != "ga":
            return self.status
        return "free" if self.free else "ga"

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "free": self.free,
            "retires": self.retires,
            "campaign_ends": self.ends,
            "finishes_before_retirement": self.finishes,
        }


def is_free(price: PriceEntry) -> bool:
    """Nothing to pay per token or per request: a free, rate-capped release."""
    return price.input == 0 and price.output == 0 and not price.per_request


def available_until(
    model: ModelRecord, price: PriceEntry, when: date, wall_seconds: Decimal | None
) -> Availability:
    """The teacher's availability for a campaign starting ``when`` and lasting the wall clock."""
    notes: list[str] = []
    free = is_free(price)
    if model.status != "ga" or free:
        what = "a free release" if free and model.status == "ga" else f"{model.status}"
        notes.append(
            f"{model.id} is {what}{' and free' if free and model.status != 'ga' else ''}: "
            "rate-capped and subject to change or withdrawal; rankings leave it out unless "
            "asked (--include-preview)"
        )
    ends = None
    finishes = None
    if wall_seconds is not None:
        days = max(0, math.ceil(wall_seconds / SECONDS_PER_DAY) - 1)
        ends = when + timedelta(days=days) if days <= (date.max - when).days else date.max
    retires = model.retired if model.retired is not None and model.retired > when else None
    if retires is not None:
        left = (retires - when).days
        if ends is not None:
            finishes = ends < retires
            if not finishes:
                notes.append(
                    f"{model.id} retires on {retires.isoformat()}, before this campaign's wall "
                    f"clock ({present.duration(wall_seconds)}) ends on {ends.isoformat()}: it "
                    "cannot finish on this model"
                )
        if finishes is not False and left <= WARNING_DAYS:
            unknown = (
                ""
                if ends is not None
                else " (no wall clock without limits: whether it ends in time is unknown)"
            )
            plural = "s" if left != 1 else ""
            notes.append(
                f"{model.id} retires on {retires.isoformat()}, {left} day{plural} after "
                f"{when.isoformat()}: little time to run, check or re-run the campaign{unknown}"
            )
    return Availability(model.status, free, retires, ends, finishes, tuple(notes))
