"""A grid of estimates over one or two assumptions (``sweep --vary``)."""

from __future__ import annotations

import contextlib
import itertools
import math
import multiprocessing
import os
import re
import signal
import sys
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Context, Decimal, localcontext
from typing import TYPE_CHECKING, Any

from distillcost.analysis.common import ESTIMATE_FIELDS, frame, reason, scenario_dict
from distillcost.decimals import decimal_str
from distillcost.errors import DistillcostError, SweepError, UnknownNameError, did_you_mean
from distillcost.estimator import totals
from distillcost.present import Column, Table
from distillcost.ranges import RangeError, parse_number
from distillcost.scenario import NUMERIC_PARAMETERS, VOLUME_FIELDS, Scenario

if TYPE_CHECKING:
    import pandas as pd

    from distillcost.prices import PriceTable

#: Default number of points along a ``--vary`` axis when STEPS is omitted.
DEFAULT_STEPS = 11
#: Largest grid a sweep will compute (each point is a full estimate).
MAX_POINTS = 1_000_000
#: Significant digits kept for grid values, so a value prints as it was used.
GRID_DIGITS = 12


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


SWEEP_FIELDS: tuple[Column, ...] = ESTIMATE_FIELDS[:4]
SWEEP_RESULT_COLUMNS: tuple[str, ...] = tuple(c.key for c in SWEEP_FIELDS)


@dataclass(frozen=True)
class SweepResult:
    """A grid of estimates: the varied values, then total, low, high and days."""

    parameters: tuple[str, ...]
    specs: tuple[VarySpec, ...]
    rows: tuple[tuple[Decimal | None, ...], ...]
    #: The campaign analysed (in JSON as "scenario", so the output says what it assumed).
    scenario: Scenario | None = field(default=None, compare=False, repr=False)

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.parameters, *SWEEP_RESULT_COLUMNS)

    def to_records(self) -> list[dict[str, Any]]:
        columns = self.columns
        return [dict(zip(columns, row, strict=True)) for row in self.rows]

    def table(self) -> Table:
        varied = tuple(Column(p, p, "number") for p in self.parameters)
        return Table((*varied, *SWEEP_FIELDS), tuple(self.to_records()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "vary": [spec.text() for spec in self.specs],
            "columns": list(self.columns),
            "rows": self.to_records(),
            "scenario": scenario_dict(self.scenario),
        }

    def __repr__(self) -> str:
        over = " × ".join(s.text() for s in self.specs)
        return f"<SweepResult over {over}: {len(self.rows)} point(s)>"

    def _repr_html_(self) -> str:
        from distillcost.notebook import html_block

        return html_block(repr(self)[1:-1], [], [self.table()])

    def to_frame(self, exact: bool = False) -> pd.DataFrame:
        return frame(self.to_records(), self.columns, exact)


def _as_specs(
    vary: VarySpec | str | Sequence[VarySpec | str], known: Sequence[str]
) -> tuple[VarySpec, ...]:
    if isinstance(vary, (str, VarySpec)):  # one axis given alone, not its characters
        vary = [vary]
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
    return f"sweep point {where}: {reason(exc)}"


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
            result = totals(at_point, table)
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


Chunk = tuple[list[tuple[Decimal | None, ...]], str | None]
_STOP_SIGNALS = {getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)}


def _forked_chunks(workers: int, bounds: list[tuple[int, int]]) -> list[Chunk]:
    """:func:`_sweep_chunk` of every bound, in order, on ``workers`` forked processes.

    Each worker has its own pipe and takes every ``workers``-th chunk, so nothing is
    shared: a worker killed mid-way (SIGTERM to the process group) holds no lock the
    parent then waits for, which is how ``multiprocessing.Pool.terminate`` hung. Whatever
    stops the parent (an error, Ctrl-C, SIGTERM), the workers are killed and reaped.
    """
    context = multiprocessing.get_context("fork")
    running = []
    try:
        # a stop signal arriving during a fork would reach a child that still has the
        # parent's handler: hold them until each child has its own (_quiet_worker)
        held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            for first in range(workers):
                reader, writer = context.Pipe(duplex=False)
                mine = bounds[first::workers]
                process = context.Process(target=_worker_main, args=(mine, writer), daemon=True)
                process.start()
                writer.close()
                running.append((process, reader, mine))
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
        parts: dict[tuple[int, int], Chunk] = {}
        for process, reader, mine in running:
            for chunk in mine:
                try:
                    outcome, value = reader.recv()
                except EOFError:
                    raise RuntimeError(
                        f"a sweep worker stopped (exit code {process.exitcode})"
                    ) from None
                if outcome == "bug":
                    raise RuntimeError(f"in a sweep worker: {value}")
                parts[chunk] = value
        return [parts[chunk] for chunk in bounds]
    finally:
        for process, reader, _ in running:
            if process.is_alive():
                process.kill()
            process.join()
            reader.close()


def _worker_main(bounds: list[tuple[int, int]], writer: Any) -> None:
    _quiet_worker()
    try:
        for chunk in bounds:
            writer.send(("rows", _sweep_chunk(chunk)))
    except Exception as exc:  # a bug: the parent raises it, with its name
        writer.send(("bug", f"{type(exc).__name__}: {exc}"))
    finally:
        writer.close()


def _quiet_worker() -> None:
    """A worker leaves stopping to the parent and dies with it, silently.

    Ctrl-C reaches the whole process group: the parent stops the workers, so a worker
    ignores SIGINT instead of printing its own traceback; the parent's SIGTERM handler
    (inherited by fork) is reset, so SIGTERM ends a worker quietly; and a parent killed
    outright (SIGKILL) takes its workers with it (Linux PR_SET_PDEATHSIG) instead of
    leaving them to compute and then fail on a broken pipe.
    """
    import ctypes

    for stop in _STOP_SIGNALS:
        signal.signal(stop, signal.SIG_IGN if stop == signal.SIGINT else signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)  # held by the parent's fork
    with contextlib.suppress(OSError, AttributeError):  # not Linux: they end on a broken pipe
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def sweep(
    scenario: Scenario,
    table: PriceTable,
    vary: VarySpec | str | Sequence[VarySpec | str],
    *,
    max_points: int = MAX_POINTS,
    workers: int | None = None,
) -> SweepResult:
    """Estimate the campaign at every point of a one- or two-axis grid.

    Each point is ``estimate(scenario.with_values(**point), table)``'s total, range and
    wall clock (through :func:`~distillcost.estimator.totals`, which skips the worked
    method a sweep never shows); a point the
    scenario rejects (e.g. acceptance 0) is an error naming that point. Large
    grids are split across processes (:func:`sweep_workers`; ``workers=1`` or
    ``DISTILLCOST_SWEEP_WORKERS=1`` keeps one), with the same rows and the same
    first error as one process.
    """
    global _FORK_STATE
    from distillcost.estimator import check_inputs

    check_inputs(scenario, table)
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
            parts = _forked_chunks(n, list(itertools.pairwise(edges)))
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
