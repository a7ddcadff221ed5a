"""Many estimates at once: compare teachers, replay price history, sweep assumptions.

Each function here is a loop over :func:`distillcost.estimator.estimate` — the
same pure cost model the ``estimate`` command uses — so a row of a comparison,
a history or a sweep is exactly the estimate you would get by asking for that
single campaign (the tests check this). Results are small immutable objects
with ``to_records()`` (plain dicts, money kept as ``Decimal``), ``to_dict()``
(for JSON) and ``to_frame()`` (pandas, imported only when called).

Models that cannot run a campaign (context window too small, not priced on the
date, no batch price when batch was asked for, …) are not errors in a
comparison: they are listed with the reason, because "which teachers can do
this at all" is part of the answer.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import re
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Context, Decimal, localcontext
from typing import TYPE_CHECKING, Any

from distillcost.errors import DistillcostError, ScenarioError, UnknownNameError, did_you_mean
from distillcost.estimator import Estimate, estimate
from distillcost.export import decimal_str
from distillcost.ranges import RangeError, parse_number
from distillcost.scenario import (
    NUMERIC_PARAMETERS,
    VOLUME_FIELDS,
    Scenario,
    check_complete,
)

if TYPE_CHECKING:
    import pandas as pd

    from distillcost.prices import ModelRecord, PriceTable

#: Default number of points along a ``--vary`` axis when STEPS is omitted.
DEFAULT_STEPS = 11
#: Largest grid a sweep will compute (each point is a full estimate).
MAX_POINTS = 1_000_000
#: Significant digits kept for grid values, so a value prints as it was used.
GRID_DIGITS = 12
_GRID_CONTEXT = Context(prec=GRID_DIGITS)

#: The columns every estimate row carries, in display order.
ESTIMATE_COLUMNS = (
    "total_usd",
    "low_usd",
    "high_usd",
    "wall_clock_days",
    "binding_limit",
    "usd_per_1m_dataset_tokens",
)


class SweepError(ScenarioError):
    """A ``--vary`` specification that cannot describe a grid."""


# --------------------------------------------------------------------------- sweep specs


def _parse_number(text: str, what: str, spec: str) -> Decimal:
    """A number as the scenario flags write them: ``1000``, ``1e6``, ``52k``, ``1_000``."""
    try:
        return parse_number(text)
    except RangeError as exc:
        raise SweepError(f"--vary {spec!r}: {what} {exc}") from None


def _grid_value(value: Decimal, digits: int = GRID_DIGITS) -> Decimal:
    """Round to ``digits`` significant digits and drop trailing zeros (no exponent)."""
    return Decimal(decimal_str(Context(prec=digits).plus(value)))


@dataclass(frozen=True)
class VarySpec:
    """One axis of a sweep: ``PARAM=START..STOP[:STEPS][:log]``.

    ``STEPS`` points from START to STOP inclusive, evenly spaced, or evenly spaced
    in the logarithm with ``log`` (so ``examples=1000..1000000:4:log`` gives
    1000, 10000, 100000, 1000000).
    """

    parameter: str
    start: Decimal
    stop: Decimal
    steps: int = DEFAULT_STEPS
    log: bool = False
    #: The text it was parsed from, quoted in error messages.
    source: str = field(default="", compare=False, repr=False)

    def __post_init__(self) -> None:
        spec = self.source or self.text()
        if self.steps < 2:
            raise SweepError(f"--vary {spec!r}: STEPS must be at least 2, got {self.steps}")
        if self.stop <= self.start:
            raise SweepError(
                f"--vary {spec!r}: STOP must be greater than START "
                f"(got {decimal_str(self.start)}..{decimal_str(self.stop)})"
            )
        if self.log and self.start <= 0:
            raise SweepError(
                f"--vary {spec!r}: a log axis needs START > 0 "
                f"(got {decimal_str(self.start)}); use a linear axis to include zero"
            )
        if self.steps > MAX_POINTS:
            raise SweepError(
                f"--vary {spec!r}: {self.steps:,} steps is more than the {MAX_POINTS:,} "
                "points a sweep computes"
            )

    def text(self) -> str:
        """The spec back in the command-line syntax."""
        tail = ":log" if self.log else ""
        return (
            f"{self.parameter}={decimal_str(self.start)}..{decimal_str(self.stop)}"
            f":{self.steps}{tail}"
        )

    def values(self) -> tuple[Decimal, ...]:
        """The grid: START and STOP exactly as given, the points between them rounded
        to 12 significant digits (more when a narrow range needs them to stay apart)."""
        n = self.steps - 1
        with localcontext() as ctx:
            ctx.prec = 40
            if self.log:
                ratio = self.stop / self.start
                inner = [self.start * ratio ** (Decimal(i) / Decimal(n)) for i in range(1, n)]
            else:
                span = self.stop - self.start
                inner = [self.start + span * i / n for i in range(1, n)]
        ends = (Decimal(decimal_str(self.start)), Decimal(decimal_str(self.stop)))
        for digits in (GRID_DIGITS, 20, 28):
            grid = (ends[0], *(_grid_value(v, digits) for v in inner), ends[1])
            if all(a < b for a, b in itertools.pairwise(grid)):
                return grid
        raise SweepError(
            f"--vary {self.source or self.text()!r}: {self.steps:,} steps are too many for "
            "so narrow a range (points would repeat); use fewer STEPS"
        )


_SPEC_RE = re.compile(r"^\s*(?P<param>[A-Za-z_][A-Za-z0-9_.\-]*)\s*=\s*(?P<rest>.+?)\s*$")


def parse_vary(text: str, known: Iterable[str] | None = None) -> VarySpec:
    """Parse ``PARAM=START..STOP[:STEPS][:log]``; ``known`` restricts PARAM (did-you-mean).

    Dashes in PARAM are read as underscores, so the flag spelling
    (``completion-tokens``) works as well as the TOML one.
    """
    match = _SPEC_RE.match(text)
    if match is None:
        raise SweepError(
            f"--vary {text!r}: expected PARAM=START..STOP[:STEPS][:log], "
            "e.g. completion_tokens=100..1000:10"
        )
    parameter = match["param"].replace("-", "_")
    if known is not None:
        known = list(known)
        if parameter not in known:
            # the whole list only when there is no close match to suggest
            listing = "" if did_you_mean(parameter, known) else "Numeric parameters: "
            hint = listing + ", ".join(known) + "." if listing else ""
            raise UnknownNameError("sweep parameter", parameter, known, hint=hint)
    range_text, *options = match["rest"].split(":")
    if range_text.count("..") != 1:
        raise SweepError(
            f"--vary {text!r}: the range must be START..STOP with two dots, got {range_text!r}"
        )
    start_text, stop_text = range_text.split("..")
    start = _parse_number(start_text, "START", text)
    stop = _parse_number(stop_text, "STOP", text)
    steps: int | None = None
    log = False
    for option in options:
        word = option.strip().lower()
        if word == "log":
            if log:
                raise SweepError(f"--vary {text!r}: 'log' given twice")
            log = True
        elif re.fullmatch(r"[0-9][0-9_]*", word):
            if steps is not None:
                raise SweepError(f"--vary {text!r}: STEPS given twice")
            steps = int(word.replace("_", ""))
        else:
            raise SweepError(
                f"--vary {text!r}: unknown option {option.strip()!r} after the range "
                "(expected a whole number of STEPS or 'log')"
            )
    return VarySpec(
        parameter, start, stop, DEFAULT_STEPS if steps is None else steps, log, source=text
    )


def grid_size(specs: Sequence[VarySpec]) -> int:
    return math.prod(spec.steps for spec in specs)


# --------------------------------------------------------------------------- results


def _frame(records: list[dict[str, Any]], columns: Sequence[str], exact: bool) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame.from_records(records, columns=list(columns))
    if not exact:
        for column in frame.columns:
            if any(isinstance(v, Decimal) for v in frame[column]):
                frame[column] = pd.to_numeric(
                    frame[column].map(lambda v: None if v is None else float(v))
                )
    return frame


def _estimate_fields(result: Estimate) -> dict[str, Any]:
    return {
        "total_usd": result.total_usd,
        "low_usd": result.low_usd,
        "high_usd": result.high_usd,
        "wall_clock_days": result.wall_clock_days,
        "binding_limit": result.binding_limit,
        "usd_per_1m_dataset_tokens": result.usd_per_1m_dataset_tokens,
    }


def _scenario_dict(scenario: Scenario | None) -> dict[str, Any] | None:
    return None if scenario is None else scenario.to_dict()


@dataclass(frozen=True)
class ComparisonRow:
    """One teacher that can run the campaign, with its rank (1 = cheapest)."""

    rank: int
    teacher: str
    provider: str
    estimate: Estimate = field(repr=False, compare=False)

    def to_record(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "teacher": self.teacher,
            "provider": self.provider,
            **_estimate_fields(self.estimate),
            "reason": None,
        }

    @property
    def total_usd(self) -> Decimal:
        return self.estimate.total_usd

    @property
    def low_usd(self) -> Decimal:
        return self.estimate.low_usd

    @property
    def high_usd(self) -> Decimal:
        return self.estimate.high_usd

    @property
    def wall_clock_days(self) -> Decimal:
        return self.estimate.wall_clock_days


#: Why a teacher is missing from a ranking (``Unavailable.kind``).
CANNOT_RUN = "cannot run"  # priced on the date, but the campaign does not fit it
NOT_PRICED = "not priced"  # no price yet on the date
RETIRED = "retired"  # retired on or before the date


@dataclass(frozen=True)
class Unavailable:
    """A teacher that cannot run the campaign, and why.

    ``kind`` is ``"cannot run"`` (context window too small, no batch price, …),
    ``"not priced"`` (first priced after the date) or ``"retired"``; ``since``
    is the first-priced or retirement date for the last two.
    """

    teacher: str
    provider: str
    reason: str
    kind: str = CANNOT_RUN
    since: date | None = None

    def to_record(self) -> dict[str, Any]:
        blanks = dict.fromkeys(ESTIMATE_COLUMNS)
        return {
            "rank": None,
            "teacher": self.teacher,
            "provider": self.provider,
            **blanks,
            "reason": self.reason,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "teacher": self.teacher,
            "provider": self.provider,
            "kind": self.kind,
            "reason": self.reason,
        }


COMPARE_COLUMNS = ("rank", "teacher", "provider", *ESTIMATE_COLUMNS, "reason")


@dataclass(frozen=True)
class ComparisonResult:
    """Teachers ranked by total cost, then those that cannot run the campaign."""

    as_of: date | None
    rows: tuple[ComparisonRow, ...]
    unavailable: tuple[Unavailable, ...]
    #: The campaign analysed (in JSON as "scenario", so the output says what it assumed).
    scenario: Scenario | None = field(default=None, compare=False, repr=False)

    def to_records(self) -> list[dict[str, Any]]:
        """Ranked rows, then unavailable ones (rank and money None, reason set)."""
        return [r.to_record() for r in self.rows] + [u.to_record() for u in self.unavailable]

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of,
            "rows": [r.to_record() for r in self.rows],
            "unavailable": [u.to_dict() for u in self.unavailable],
            "scenario": _scenario_dict(self.scenario),
        }

    def to_frame(self, exact: bool = True) -> pd.DataFrame:
        """A DataFrame of :meth:`to_records`; ``exact=False`` turns Decimals into floats."""
        return _frame(self.to_records(), COMPARE_COLUMNS, exact)


HISTORY_COLUMNS = (
    "teacher",
    "provider",
    "date",
    *ESTIMATE_COLUMNS,
    "change_pct",
    "status",
)


@dataclass(frozen=True)
class HistoryRow:
    """The campaign priced for one teacher on one date.

    ``status`` is ``"priced"``, ``"retired"`` (the model's retirement date; no
    money) or ``"unavailable"`` with the reason in ``note``. ``change_pct`` is
    the change of the total against this teacher's previous priced row.
    """

    teacher: str
    provider: str
    date: date
    status: str
    estimate: Estimate | None = field(default=None, repr=False, compare=False)
    change_pct: Decimal | None = None
    note: str = ""

    @property
    def total_usd(self) -> Decimal | None:
        return None if self.estimate is None else self.estimate.total_usd

    def to_record(self) -> dict[str, Any]:
        money = (
            _estimate_fields(self.estimate)
            if self.estimate is not None
            else dict.fromkeys(ESTIMATE_COLUMNS)
        )
        return {
            "teacher": self.teacher,
            "provider": self.provider,
            "date": self.date,
            **money,
            "change_pct": self.change_pct,
            "status": self.status if not self.note else f"{self.status}: {self.note}",
        }


@dataclass(frozen=True)
class HistoryResult:
    """One row per (teacher, date) on which any chosen teacher's price changed."""

    until: date
    dates: tuple[date, ...]
    rows: tuple[HistoryRow, ...]
    #: The campaign analysed (in JSON as "scenario", so the output says what it assumed).
    scenario: Scenario | None = field(default=None, compare=False, repr=False)

    def to_records(self) -> list[dict[str, Any]]:
        return [r.to_record() for r in self.rows]

    def cheapest_by_date(self) -> list[HistoryRow]:
        """On each date, the priced row with the lowest total (ties: the first teacher)."""
        best: dict[date, HistoryRow] = {}
        for row in self.rows:
            total = row.total_usd
            if total is not None and (row.date not in best or total < best[row.date].total_usd):
                best[row.date] = row
        return [best[day] for day in sorted(best)]

    def to_dict(self) -> dict[str, Any]:
        return {
            "until": self.until,
            "dates": list(self.dates),
            "rows": self.to_records(),
            "scenario": _scenario_dict(self.scenario),
        }

    def to_frame(self, exact: bool = True) -> pd.DataFrame:
        return _frame(self.to_records(), HISTORY_COLUMNS, exact)


SWEEP_RESULT_COLUMNS = ("total_usd", "low_usd", "high_usd", "wall_clock_days")


@dataclass(frozen=True)
class SweepResult:
    """A grid of estimates: the varied values, then total, low, high and days."""

    parameters: tuple[str, ...]
    specs: tuple[VarySpec, ...]
    rows: tuple[tuple[Decimal, ...], ...]
    #: The campaign analysed (in JSON as "scenario", so the output says what it assumed).
    scenario: Scenario | None = field(default=None, compare=False, repr=False)

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.parameters, *SWEEP_RESULT_COLUMNS)

    def to_records(self) -> list[dict[str, Any]]:
        columns = self.columns
        return [dict(zip(columns, row, strict=True)) for row in self.rows]

    def to_dict(self) -> dict[str, Any]:
        return {
            "vary": [spec.text() for spec in self.specs],
            "columns": list(self.columns),
            "rows": self.to_records(),
            "scenario": _scenario_dict(self.scenario),
        }

    def to_frame(self, exact: bool = True) -> pd.DataFrame:
        return _frame(self.to_records(), self.columns, exact)


# --------------------------------------------------------------------------- compare


def _resolve_models(table: PriceTable, models: Iterable[str]) -> list[ModelRecord]:
    """Records for the names given (ids or aliases), once each, in the order given."""
    seen: set[str] = set()
    records = []
    for name in models:
        name = name.strip()
        if not name:
            continue
        record = table.get(name)  # UnknownModelError with did-you-mean
        if record.id not in seen:
            seen.add(record.id)
            records.append(record)
    return records


def _select_models(
    table: PriceTable, models: Sequence[str] | None, provider: str | None
) -> list[ModelRecord]:
    if models is not None:
        records = _resolve_models(table, models)
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


def _reason(exc: DistillcostError, teacher: str | None = None) -> str:
    """The error as one line, without a leading "model 'x'" the row already names."""
    text = " ".join(str(exc).split())
    prefix = f"model {teacher!r} "
    if teacher is not None and text.startswith(prefix):
        text = text[len(prefix) :]
    return text


def _check_campaign(scenario: Scenario) -> None:
    """A campaign missing what every estimate needs is one error, not one per teacher."""
    check_complete(scenario if scenario.teacher else scenario.with_values(teacher="-"))


def _same_failure_everywhere(reasons: Sequence[str], priced: int) -> None:
    """When every try failed for the same reason, the campaign is at fault: raise it."""
    if priced == 0 and len(reasons) > 1 and len(set(reasons)) == 1:
        raise ScenarioError(reasons[0])


def compare(
    scenario: Scenario,
    table: PriceTable,
    models: Sequence[str] | None = None,
    provider: str | None = None,
    *,
    as_of: date | None = None,
) -> ComparisonResult:
    """The same campaign for many teachers, ranked by total cost (cheapest first).

    ``models`` (ids or aliases) and/or ``provider`` choose the teachers; neither
    means every model in ``table``. An unknown name is an error; a teacher that
    cannot run the campaign lands in ``unavailable`` with the estimator's reason.
    """
    _check_campaign(scenario)
    when = as_of or scenario.as_of or date.today()  # the estimator's own default
    priced: list[tuple[ModelRecord, Estimate]] = []
    cannot_run: list[Unavailable] = []
    not_priced: list[Unavailable] = []
    for record in _select_models(table, models, provider):
        if not record.available_on(when):
            reason = f"no price on {when.isoformat()}"
            try:
                record.price_on(when)
            except DistillcostError as exc:  # says why: first priced later, or retired
                reason = _reason(exc, record.id)
            if record.is_retired(when):
                kind, since = RETIRED, record.retired
            else:
                kind, since = NOT_PRICED, record.first_priced
            not_priced.append(Unavailable(record.id, record.provider, reason, kind, since))
            continue
        try:
            result = estimate(scenario, table, teacher=record.id, as_of=when)
        except DistillcostError as exc:
            cannot_run.append(Unavailable(record.id, record.provider, _reason(exc, record.id)))
            continue
        priced.append((record, result))
    priced.sort(key=lambda pair: (pair[1].total_usd, pair[0].id))
    rows = tuple(
        ComparisonRow(rank, record.id, record.provider, result)
        for rank, (record, result) in enumerate(priced, start=1)
    )
    _same_failure_everywhere([u.reason for u in cannot_run], len(priced))
    unavailable = cannot_run + not_priced
    return ComparisonResult(when, rows, tuple(unavailable), scenario)


# --------------------------------------------------------------------------- history


def history(
    scenario: Scenario,
    table: PriceTable,
    models: Sequence[str] | None = None,
    *,
    until: date | None = None,
) -> HistoryResult:
    """The campaign priced on every date any of ``models`` changed price, up to ``until``.

    ``models`` defaults to the scenario's teacher; ``until`` to today, not to the
    scenario's as-of date: a campaign dated 2022 is exactly the one whose later,
    cheaper prices a reader wants to see. Every teacher is priced on every such date on which
    it had a price (so the table is a complete panel for charts); a retired
    teacher gets one ``retired`` row on its retirement date and none after.
    """
    if models is None:
        teacher = getattr(scenario, "teacher", None)
        if not teacher:
            raise ScenarioError("history needs --models or a teacher in the scenario")
        models = [teacher]
    records = _resolve_models(table, models)
    if not records:
        raise ScenarioError("no models given for history")
    _check_campaign(scenario)
    if until is None:
        until = date.today()

    dates: set[date] = set()
    for record in records:
        dates.update(d for d in record.change_dates() if d <= until)
        if record.retired is not None and record.retired <= until:
            dates.add(record.retired)
    ordered = tuple(sorted(dates))

    per_teacher: dict[str, list[HistoryRow]] = {}
    for record in records:
        rows: list[HistoryRow] = []
        previous: Decimal | None = None
        first = record.first_priced
        for day in ordered:
            if first is None or day < first:
                continue
            if record.is_retired(day):
                rows.append(HistoryRow(record.id, record.provider, day, "retired"))
                break
            try:
                result = estimate(scenario, table, teacher=record.id, as_of=day)
            except DistillcostError as exc:
                rows.append(
                    HistoryRow(
                        record.id, record.provider, day, "unavailable", note=_reason(exc, record.id)
                    )
                )
                continue
            change = None
            if previous is not None and previous != 0:
                change = _GRID_CONTEXT.plus((result.total_usd - previous) / previous * 100)
            previous = result.total_usd
            rows.append(HistoryRow(record.id, record.provider, day, "priced", result, change))
        per_teacher[record.id] = rows

    every = list(itertools.chain.from_iterable(per_teacher.values()))
    _same_failure_everywhere(
        [r.note for r in every if r.status == "unavailable"],
        sum(r.status == "priced" for r in every),
    )
    order = {record.id: i for i, record in enumerate(records)}
    all_rows = sorted(
        itertools.chain.from_iterable(per_teacher.values()),
        key=lambda r: (r.date, order[r.teacher]),
    )
    return HistoryResult(until, ordered, tuple(all_rows), scenario)


# --------------------------------------------------------------------------- sweep


def _as_specs(vary: Sequence[VarySpec | str], known: Sequence[str]) -> tuple[VarySpec, ...]:
    specs = tuple(v if isinstance(v, VarySpec) else parse_vary(v, known) for v in vary)
    if not specs:
        raise SweepError("a sweep needs at least one --vary PARAM=START..STOP[:STEPS][:log]")
    if len(specs) > 2:
        raise SweepError(f"a sweep varies one or two parameters, got {len(specs)}")
    for spec in specs:
        if spec.parameter not in known:
            raise UnknownNameError("sweep parameter", spec.parameter, known)
    if len(specs) == 2 and specs[0].parameter == specs[1].parameter:
        raise SweepError(f"--vary names {specs[0].parameter!r} twice")
    volumes = [spec.parameter for spec in specs if spec.parameter in VOLUME_FIELDS]
    if len(volumes) > 1:
        raise SweepError(
            f"--vary {volumes[0]} and {volumes[1]}: a scenario has one volume; vary one of them"
        )
    return specs


#: Grids at least this large are split across processes (when that is safe).
PARALLEL_MIN_POINTS = 2_000
#: Environment variable that sets the number of sweep processes (1 = never fork).
WORKERS_ENV = "DISTILLCOST_SWEEP_WORKERS"

# (scenario, table, specs) for forked workers: inherited through fork, never pickled.
_FORK_STATE: tuple[Scenario, PriceTable, tuple[VarySpec, ...]] | None = None


def _point_failure(names: Sequence[str], point: Sequence[Decimal], exc: DistillcostError) -> str:
    where = ", ".join(f"{k}={decimal_str(v)}" for k, v in zip(names, point, strict=True))
    return f"sweep point {where}: {_reason(exc)}"


def _sweep_rows(
    scenario: Scenario,
    table: PriceTable,
    specs: Sequence[VarySpec],
    start: int = 0,
    stop: int | None = None,
) -> tuple[list[tuple[Decimal | None, ...]], str | None]:
    """Rows for grid points ``start``..``stop`` (in grid order), and the first failure."""
    names = [spec.parameter for spec in specs]
    grid = itertools.product(*(spec.values() for spec in specs))
    rows: list[tuple[Decimal | None, ...]] = []
    for point in itertools.islice(grid, start, stop):
        try:
            at_point = scenario.with_values(**dict(zip(names, point, strict=True)))
            result = estimate(at_point, table)
        except DistillcostError as exc:
            return rows, _point_failure(names, point, exc)
        rows.append(
            (*point, result.total_usd, result.low_usd, result.high_usd, result.wall_clock_days)
        )
    return rows, None


def _sweep_chunk(bounds: tuple[int, int]) -> tuple[list[tuple[Decimal | None, ...]], str | None]:
    assert _FORK_STATE is not None
    return _sweep_rows(*_FORK_STATE, *bounds)


def _os_threads() -> int:
    """Threads in this process (native ones too): forking a threaded process can deadlock."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return threading.active_count()


def sweep_workers(points: int, workers: int | None = None) -> int:
    """How many processes a sweep of ``points`` uses: 1 unless forking is cheap and safe.

    Forked workers run exactly the same code on slices of the grid, so rows are
    identical to a single process; they are used only for large grids, on
    Linux (where ``fork`` is cheap and safe), and when this process has a single
    thread.
    """
    if workers is None:
        env = os.environ.get(WORKERS_ENV, "").strip()
        if env:
            try:
                workers = int(env)
            except ValueError:
                raise SweepError(f"{WORKERS_ENV}={env!r}: expected a whole number") from None
        else:
            cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
            workers = min(cpus, 8) if points >= PARALLEL_MIN_POINTS else 1
    workers = max(1, min(workers, points))
    # fork is safe and cheap on Linux; macOS frameworks break after fork, Windows has none
    if workers > 1 and (sys.platform != "linux" or _os_threads() > 1):
        return 1
    return workers


def sweep(
    scenario: Scenario,
    table: PriceTable,
    vary: Sequence[VarySpec | str],
    *,
    max_points: int = MAX_POINTS,
    workers: int | None = None,
) -> SweepResult:
    """Estimate the campaign at every point of a one- or two-axis grid.

    Each point is ``estimate(scenario.with_values(**point), table)``; a point the
    scenario rejects (e.g. acceptance 0) is an error naming that point. Large
    grids are split across processes (:func:`sweep_workers`; ``workers=1`` or
    ``DISTILLCOST_SWEEP_WORKERS=1`` keeps one), with the same rows and the same
    first error as one process.
    """
    global _FORK_STATE
    specs = _as_specs(vary, NUMERIC_PARAMETERS)
    size = grid_size(specs)
    if size > max_points:
        raise SweepError(
            f"the grid has {size:,} points ("
            + " × ".join(str(s.steps) for s in specs)
            + f"); a sweep computes at most {max_points:,}. Use fewer STEPS."
        )
    names = tuple(spec.parameter for spec in specs)
    n = sweep_workers(size, workers)
    if n == 1:
        rows, failure = _sweep_rows(scenario, table, specs)
    else:
        chunks = 2 * n
        edges = [size * i // chunks for i in range(chunks + 1)]
        _FORK_STATE = (scenario, table, specs)
        try:
            with multiprocessing.get_context("fork").Pool(n) as pool:
                parts = pool.map(_sweep_chunk, list(itertools.pairwise(edges)), chunksize=1)
        finally:
            _FORK_STATE = None
        rows, failure = [], None
        for part_rows, part_failure in parts:  # in grid order: the first failure wins
            rows.extend(part_rows)
            if part_failure is not None:
                failure = part_failure
                break
    if failure is not None:
        raise SweepError(failure)
    return SweepResult(names, specs, tuple(rows), scenario)
