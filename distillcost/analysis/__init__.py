"""Many estimates at once: compare teachers, replay price history, sweep assumptions.

Each function is a loop over :func:`distillcost.estimator.estimate` — the same pure
cost model the ``estimate`` command uses — so a row of a comparison, a history or a
sweep is exactly the estimate you would get by asking for that single campaign (the
tests check this). Results are small immutable objects with ``to_records()`` (plain
dicts, money kept as ``Decimal``), ``table()`` (the result table every output format
draws), ``to_dict()`` (for JSON) and ``to_frame()`` (pandas, imported only when called).
"""

from __future__ import annotations

from distillcost.analysis.common import ESTIMATE_COLUMNS, ESTIMATE_FIELDS
from distillcost.analysis.grid import (
    DEFAULT_STEPS,
    MAX_POINTS,
    PARALLEL_MIN_POINTS,
    SWEEP_RESULT_COLUMNS,
    WORKERS_ENV,
    SweepResult,
    VarySpec,
    grid_size,
    parse_vary,
    sweep,
    sweep_workers,
)
from distillcost.analysis.ranking import (
    CANNOT_RUN,
    COMPARE_COLUMNS,
    COMPARE_FIELDS,
    NOT_PRICED,
    RETIRED,
    RETIRES,
    TEACHER_FIELDS,
    ComparisonResult,
    ComparisonRow,
    Unavailable,
    compare,
)
from distillcost.analysis.timeline import (
    HISTORY_COLUMNS,
    HISTORY_FIELDS,
    HistoryResult,
    HistoryRow,
    history,
)
from distillcost.errors import SweepError
from distillcost.scenario import NUMERIC_PARAMETERS

__all__ = [
    "CANNOT_RUN",
    "COMPARE_COLUMNS",
    "COMPARE_FIELDS",
    "DEFAULT_STEPS",
    "ESTIMATE_COLUMNS",
    "ESTIMATE_FIELDS",
    "HISTORY_COLUMNS",
    "HISTORY_FIELDS",
    "MAX_POINTS",
    "NOT_PRICED",
    "NUMERIC_PARAMETERS",
    "PARALLEL_MIN_POINTS",
    "RETIRED",
    "RETIRES",
    "SWEEP_RESULT_COLUMNS",
    "TEACHER_FIELDS",
    "WORKERS_ENV",
    "ComparisonResult",
    "ComparisonRow",
    "HistoryResult",
    "HistoryRow",
    "SweepError",
    "SweepResult",
    "Unavailable",
    "VarySpec",
    "compare",
    "grid_size",
    "history",
    "parse_vary",
    "sweep",
    "sweep_workers",
]
