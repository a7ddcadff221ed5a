"""The provider's view: what an extractor needs under a provider's rate limits, and the inverse.

Every number here is an :func:`~distillcost.estimator.estimate` of the campaign with one
field changed (keys, a limit, the volume): the limits' formulas live once, in the
estimator's wall-clock stage, and the searches below only ask it questions whose answer
moves one way (more keys never slow a campaign; a lower limit never speeds it up; more
volume never costs less), so a bisection finds each threshold exactly.

* keys table: days and binding limit for 1, 2, 4 … keys (each limit's days beside);
* keys needed to finish within a deadline;
* the smallest volume a budget and a deadline cannot buy;
* for each limit a provider sets, the value that pushes the campaign past N days.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from distillcost import present
from distillcost.analysis.common import check_campaign, frame, scenario_dict
from distillcost.errors import DistillcostError, ScenarioError
from distillcost.estimator import Estimate, estimate
from distillcost.estimator.numbers import SECONDS_PER_DAY, dec
from distillcost.present import Column, Table, limit_label
from distillcost.scenario import Scenario
from distillcost.scenario.model import MAXIMUM

if TYPE_CHECKING:
    import pandas as pd

    from distillcost.prices import PriceTable

LIMITS: tuple[str, ...] = ("rpm", "rpd", "tpm", "tpd", "concurrency", "batch")
"""The estimator's wall-clock limits, in the order tables show them."""

LEVERS_STANDARD: tuple[str, ...] = ("rpm", "rpd", "tpm", "tpd", "concurrency", "keys")
LEVERS_BATCH: tuple[str, ...] = ("batch_queue_tokens", "keys")

MAX_KEYS = 10**9
"""Past a billion keys the question is not rate limits any more."""


def _days(result: Estimate) -> Decimal | None:
    return result.wall_clock_days


def _limit_days(result: Estimate) -> dict[str, Decimal]:
    """Days under each limit, to the estimator's precision for days (6 places)."""
    return {name: dec(seconds / SECONDS_PER_DAY, 6) for name, seconds in result.time.items()}


def _keys_text(n: Decimal | int) -> str:
    return f"{present.number(n)} key{'' if n == 1 else 's'}"


def _days_text(n: Decimal) -> str:
    return f"{present.number(n)} day{'' if n == 1 else 's'}"


def _largest(predicate: Callable[[int], bool], low: int, high: int) -> int | None:
    """The largest integer in [low, high] for which ``predicate`` holds (it holds for every
    value below one that does); None when it holds for none."""
    if not predicate(low):
        return None
    if predicate(high):
        return high
    while high - low > 1:  # predicate(low) and not predicate(high)
        middle = (low + high) // 2
        if predicate(middle):
            low = middle
        else:
            high = middle
    return low


@dataclass(frozen=True)
class KeysRow:
    """The campaign with ``keys`` keys: its days, the limit that binds, each limit's days."""

    keys: int
    days: Decimal | None
    binding: str
    limits: dict[str, Decimal]

    def to_record(self) -> dict[str, Any]:
        return {
            "keys": self.keys,
            "days": self.days,
            "binding_limit": self.binding,
            **{f"{name}_days": self.limits.get(name) for name in LIMITS},
        }


@dataclass(frozen=True)
class VolumeLimit:
    """The largest volume one constraint allows (None: not even the smallest)."""

    constraint: str  # "budget" or "deadline"
    largest: int | None
    note: str = ""


@dataclass(frozen=True)
class Lever:
    """A limit the provider sets, and the value (per key) that pushes the campaign past N days.

    ``threshold`` is the largest value at which the campaign takes more than N days
    (None: no value does, ``note`` says why); ``now`` the scenario's value (None: not set).
    """

    limit: str
    now: Decimal | None
    threshold: int | None
    days_at_threshold: Decimal | None
    note: str = ""

    @property
    def cut(self) -> Decimal | None:
        """How many times the limit must shrink (now ÷ threshold)."""
        if self.now is None or self.threshold is None or self.threshold <= 0:
            return None
        return self.now / Decimal(self.threshold)

    def to_record(self) -> dict[str, Any]:
        return {
            "limit": self.limit,
            "now": self.now,
            "push_past_at": self.threshold,
            "cut": self.cut,
            "days_at_threshold": self.days_at_threshold,
            "note": self.note or None,
        }


KEYS_FIELDS: tuple[Column, ...] = (
    Column("keys", "keys", "number"),
    Column("days", "wall clock", "days"),
    Column("binding_limit", "binding"),
    *(Column(f"{name}_days", f"{name} alone", "days") for name in LIMITS),
)
LEVER_FIELDS: tuple[Column, ...] = (
    Column("limit", "limit"),
    Column("now", "now (per key)", "number"),
    Column("push_past_at", "at or below", "number"),
    Column("cut", "cut needed", "factor"),
    Column("days_at_threshold", "wall clock then", "days"),
    Column("note", "note"),
)


@dataclass(frozen=True)
class ProviderView:
    """Keys and days an extractor needs for one campaign under given limits, and the inverse."""

    teacher: str
    as_of: date
    total_usd: Decimal
    keys_now: Decimal
    days_now: Decimal | None
    binding_now: str
    rows: tuple[KeysRow, ...]
    deadline_days: Decimal | None = None
    keys_needed: int | None = None
    keys_needed_note: str = ""
    budget_usd: Decimal | None = None
    volume_kind: str = ""
    volume_now: Decimal | None = None
    volume_limits: tuple[VolumeLimit, ...] = ()
    past_days: Decimal | None = None
    levers: tuple[Lever, ...] = ()
    scenario: Scenario | None = field(default=None, compare=False, repr=False)

    @property
    def limits_shown(self) -> tuple[str, ...]:
        """The limits that applied to this campaign (columns worth showing)."""
        present = {name for row in self.rows for name in row.limits}
        return tuple(name for name in LIMITS if name in present)

    @property
    def largest_volume(self) -> int | None:
        """The largest volume the budget and the deadline both allow (None: not even 1)."""
        if not self.volume_limits:
            return None
        values = [v.largest for v in self.volume_limits]
        return None if any(v is None for v in values) else min(v for v in values if v is not None)

    @property
    def smallest_unextractable(self) -> int | None:
        """The smallest volume that cannot be extracted within the budget and the deadline."""
        if not self.volume_limits:
            return None
        largest = self.largest_volume
        return 1 if largest is None else largest + 1

    @property
    def stopped_by(self) -> str:
        """Which constraint stops the extraction first: budget, deadline, or both."""
        if not self.volume_limits:
            return ""
        largest = self.largest_volume
        names = [v.constraint for v in self.volume_limits if v.largest == largest]
        return " and ".join(names)

    @property
    def levers_note(self) -> str:
        """Why there are no levers to show, when there are none."""
        if self.past_days is None or self.levers:
            return ""
        if self.days_now is not None and self.days_now > self.past_days:
            return (
                f"the campaign already takes {present.days(self.days_now)} with "
                f"{_keys_text(self.keys_now)}, over {_days_text(self.past_days)}: no limit "
                "needs to change"
            )
        return ""

    def summary(self) -> list[str]:
        lines = [
            f"{self.teacher} on {self.as_of.isoformat()}: {present.money(self.total_usd)} whatever "
            f"the keys; with {_keys_text(self.keys_now)} it takes "
            f"{present.days(self.days_now)}, bound by {limit_label(self.binding_now)}."
        ]
        if self.deadline_days is not None:
            if self.keys_needed is not None:
                lines.append(
                    f"To finish within {_days_text(self.deadline_days)}: "
                    f"{_keys_text(self.keys_needed)} "
                    f"(or organisation{'' if self.keys_needed == 1 else 's'})."
                )
            else:
                lines.append(self.keys_needed_note[0].upper() + self.keys_needed_note[1:] + ".")
        if self.volume_limits:
            unit = self.volume_kind.replace("_", " ")
            asks = []
            if self.budget_usd is not None:
                asks.append(f"a budget of {present.money(self.budget_usd)}")
            if self.deadline_days is not None:
                asks.append(_days_text(self.deadline_days))
            largest = self.largest_volume
            got = "nothing" if largest is None else f"at most {present.number(largest)} {unit}"
            lines.append(
                f"With {_keys_text(self.keys_now)}, {' and '.join(asks)} buy {got}: "
                f"{present.number(self.smallest_unextractable)} {unit} cannot be extracted "
                f"(stopped by the {self.stopped_by}; the campaign asks for "
                f"{present.number(self.volume_now)})."
            )
        if self.past_days is not None:
            if self.levers:
                lines.append(
                    f"Limits that push this campaign past {_days_text(self.past_days)} "
                    "(each alone, per key; smallest cut first):"
                )
            elif self.levers_note:
                lines.append(self.levers_note[0].upper() + self.levers_note[1:] + ".")
        return lines

    def keys_table(self) -> Table:
        shown = {"keys", "days", "binding_limit"} | {f"{n}_days" for n in self.limits_shown}
        columns = tuple(c for c in KEYS_FIELDS if c.key in shown)
        marked = tuple(i for i, r in enumerate(self.rows) if r.keys == self.keys_needed)
        return Table(columns, tuple(r.to_record() for r in self.rows), marked=marked)

    def levers_table(self) -> Table:
        return Table(LEVER_FIELDS, tuple(lever.to_record() for lever in self.levers))

    def table(self) -> Table:
        return self.keys_table()

    def to_records(self) -> list[dict[str, Any]]:
        return [r.to_record() for r in self.rows]

    def to_dict(self) -> dict[str, Any]:
        return {
            "teacher": self.teacher,
            "as_of": self.as_of,
            "total_usd": self.total_usd,
            "keys": self.keys_now,
            "days": self.days_now,
            "binding_limit": self.binding_now,
            "by_keys": self.to_records(),
            "deadline_days": self.deadline_days,
            "keys_needed": self.keys_needed,
            "keys_needed_note": self.keys_needed_note or None,
            "budget_usd": self.budget_usd,
            "volume": None
            if not self.volume_limits
            else {
                "kind": self.volume_kind,
                "now": self.volume_now,
                "largest_extractable": self.largest_volume,
                "smallest_unextractable": self.smallest_unextractable,
                "stopped_by": self.stopped_by,
                "by_constraint": [
                    {"constraint": v.constraint, "largest": v.largest, "note": v.note or None}
                    for v in self.volume_limits
                ],
            },
            "past_days": self.past_days,
            "levers": [lever.to_record() for lever in self.levers],
            "levers_note": self.levers_note or None,
            "scenario": scenario_dict(self.scenario),
        }

    def to_frame(self, exact: bool = True) -> pd.DataFrame:
        return frame(self.to_records(), [c.key for c in KEYS_FIELDS], exact)


def default_keys(*also: int | None) -> list[int]:
    """1, 2, 4 … up to four times the largest of ``also`` (at least 64), plus ``also``."""
    wanted = {k for k in also if k is not None and k >= 1}
    top = max([64, *(4 * k for k in wanted)])
    out = set(wanted)
    k = 1
    while k <= top and len(out) < 40:
        out.add(k)
        k *= 2
    return sorted(out)


class _Asker:
    """The estimator asked about one campaign with one field changed (answers remembered)."""

    def __init__(self, scenario: Scenario, table: PriceTable) -> None:
        self.scenario = scenario
        self.table = table
        self._memo: dict[tuple[str, Any], Estimate] = {}

    def at(self, name: str, value: Any) -> Estimate:
        key = (name, value)
        found = self._memo.get(key)
        if found is None:
            found = estimate(self.scenario.with_values(**{name: value}), self.table)
            self._memo[key] = found
        return found


def provider_view(
    scenario: Scenario,
    table: PriceTable,
    *,
    keys: Sequence[int] | None = None,
    deadline_days: Decimal | None = None,
    budget_usd: Decimal | None = None,
    past_days: Decimal | None = None,
) -> ProviderView:
    """What the scenario's limits mean for an extractor (see the module's docstring).

    ``deadline_days`` adds the keys needed to finish in time; ``budget_usd`` and/or
    ``deadline_days`` the smallest volume that cannot be extracted with the scenario's
    keys; ``past_days`` (default: the deadline) the limit values that push the campaign
    past that many days.
    """
    check_campaign(scenario, table)
    base = estimate(scenario, table)
    if base.wall_clock_days is None:
        raise ScenarioError(
            "the provider's view needs the provider's limits: give rpm, tpm, rpd, tpd or "
            "concurrency with latency_seconds (or --batch, with batch_queue_tokens), per key"
        )
    ask = _Asker(scenario, table)
    for name, value in (("deadline", deadline_days), ("past", past_days)):
        if value is not None and value <= 0:
            raise ScenarioError(f"{name}: must be above 0 days, got {value}")
    if budget_usd is not None and budget_usd <= 0:
        raise ScenarioError(f"budget: must be above 0, got {budget_usd}")
    needed, needed_note = (None, "")
    if deadline_days is not None:
        needed, needed_note = _keys_needed(ask, deadline_days)
    counts = sorted(set(keys)) if keys else default_keys(int(scenario.keys.base), needed)
    if any(k < 1 for k in counts):
        raise ScenarioError("keys: each count must be at least 1")
    rows = []
    for k in counts:
        result = ask.at("keys", k)
        rows.append(KeysRow(k, _days(result), result.binding_limit, _limit_days(result)))
    kind, volume = scenario.volume
    volume_limits: list[VolumeLimit] = []
    if budget_usd is not None:
        volume_limits.append(_largest_volume(ask, kind, "budget", budget_usd, None))
    if deadline_days is not None:
        volume_limits.append(_largest_volume(ask, kind, "deadline", None, deadline_days))
    horizon = past_days if past_days is not None else deadline_days
    levers = () if horizon is None else tuple(_levers(ask, scenario, base, horizon))
    return ProviderView(
        teacher=base.teacher,
        as_of=base.as_of,
        total_usd=base.total_usd,
        keys_now=scenario.keys.base,
        days_now=base.wall_clock_days,
        binding_now=base.binding_limit,
        rows=tuple(rows),
        deadline_days=deadline_days,
        keys_needed=needed,
        keys_needed_note=needed_note,
        budget_usd=budget_usd,
        volume_kind=kind,
        volume_now=volume.base,
        volume_limits=tuple(volume_limits),
        past_days=horizon,
        levers=levers,
        scenario=scenario,
    )


def _keys_needed(ask: _Asker, deadline: Decimal) -> tuple[int | None, str]:
    """The fewest keys that finish within ``deadline`` days (None and why, when none do)."""

    def too_slow(k: int) -> bool:
        days = _days(ask.at("keys", k))
        return days is not None and days > deadline

    slowest = _largest(too_slow, 1, MAX_KEYS)
    if slowest is None:
        return 1, ""
    if slowest == MAX_KEYS:
        floor = ask.at("keys", MAX_KEYS)
        return None, (
            f"no number of keys finishes within {_days_text(deadline)}: with {MAX_KEYS:,} keys "
            f"it still takes {present.days(floor.wall_clock_days)}, bound by "
            f"{limit_label(floor.binding_limit)}"
        )
    return slowest + 1, ""


def _largest_volume(
    ask: _Asker, kind: str, constraint: str, budget: Decimal | None, deadline: Decimal | None
) -> VolumeLimit:
    def fits(v: int) -> bool:
        try:
            result = ask.at(kind, v)
        except DistillcostError:  # a volume the scenario cannot hold
            return False
        if budget is not None and result.total_usd > budget:
            return False
        days = result.wall_clock_days
        return not (deadline is not None and days is not None and days > deadline)

    largest = _largest(fits, 1, int(MAXIMUM))
    note = ""
    if largest is None:
        note = f"not even one of the {kind.replace('_', ' ')} fits"
    elif largest == int(MAXIMUM):
        note = "no limit below the largest volume a scenario can hold"
    return VolumeLimit(constraint, largest, note)


def _levers(ask: _Asker, scenario: Scenario, base: Estimate, horizon: Decimal) -> list[Lever]:
    names = LEVERS_BATCH if scenario.batch else LEVERS_STANDARD
    out: list[Lever] = []
    if base.wall_clock_days is not None and base.wall_clock_days > horizon:
        return out  # already past: no change of limits is needed (levers_note says so)
    for name in names:
        if name == "concurrency" and scenario.latency_seconds is None:
            continue  # concurrency limits time only through a request's latency
        current = getattr(scenario, name)
        now = None if current is None else current.base

        def past(v: int, name: str = name) -> bool:
            days = _days(ask.at(name, v))
            return days is not None and days > horizon

        top = int(now) if now is not None and now >= 1 else int(MAXIMUM)
        threshold = _largest(past, 1, top)
        if threshold is None:
            days_at_one = _days(ask.at(name, 1))
            out.append(
                Lever(
                    name, now, None, days_at_one, f"even at 1 it takes {present.days(days_at_one)}"
                )
            )
            continue
        out.append(Lever(name, now, threshold, _days(ask.at(name, threshold))))
    out.sort(key=lambda lever: (lever.cut is None, lever.cut or 0, lever.limit))
    return out
