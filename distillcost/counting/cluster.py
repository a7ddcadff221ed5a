"""``count --engine dask``: exact counting mapped over a Dask cluster, reduced as locally.

Each task counts one file, or a range of row groups of a Parquet file, with the same
code as the local path (:meth:`Run.exact`) and returns exact integer histograms
(tokens -> documents, per side), characters, bytes and skipped records. The client
adds them up per file and in total, so documents, tokens, mean and every quantile
equal the local count's exactly; only ``values_sample`` (a seeded reservoir kept
for long-context pricing) is drawn from the merged parts instead. A file of
another format is one task: a record cannot be found inside it without reading
what comes before (sampling is local only: the sample is small by design).

Workers need distillcost installed, and for remote inputs the same credentials,
as any Dask job does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from distillcost.errors import InputError

ROW_GROUPS_PER_TASK = 4


@dataclass
class Part:
    """What one task counted: exact histograms and sums (small, sent back to the client)."""

    index: int
    name: str
    label: str
    sided: bool
    hist_total: Counter[int]
    hist_prompt: Counter[int]
    hist_completion: Counter[int]
    characters: int
    bytes: int
    skipped: int
    warnings: list[str] = field(default_factory=list)
    values: list[Any] = field(default_factory=list)


_COUNTERS: dict[tuple[str, str], Any] = {}


def count_part(task: tuple[int, str, tuple[int, int] | None, dict[str, Any]]) -> Part:
    """Count one file (or row groups of one) on a worker, exactly as the local path does."""
    from distillcost.counting.passes import Run
    from distillcost.profile import ProfileBuilder
    from distillcost.readers import open_source
    from distillcost.tokens import TokenCounter

    index, name, groups, opts = task
    key = (opts["encoding"], opts["backend"])
    counter = _COUNTERS.get(key)
    if counter is None:
        counter = _COUNTERS[key] = TokenCounter(opts["encoding"], backend=opts["backend"])
    src = open_source(name, opts["fmt"], opts["field"], opts["per_line"], opts["max_record"])
    try:
        src.row_groups = groups
        run = Run(counter, opts["skip_bad"], opts["seed"], None)
        builder = ProfileBuilder(opts["encoding"], src.sided, opts["seed"])
        skipped = run.exact(src, [builder])
        return Part(
            index,
            src.name,
            src.label,
            src.sided,
            builder.hist_total,
            builder.hist_prompt,
            builder.hist_completion,
            builder.characters,
            src.bytes_read if not groups or groups[0] == 0 else 0,  # a file's bytes once
            skipped,
            run.warnings,
            list(builder._reservoir.items),
        )
    finally:
        src.close()


def plan(names: Sequence[str]) -> list[tuple[int, str, tuple[int, int] | None]]:
    """Tasks: a file each, Parquet files split into ranges of row groups."""
    tasks: list[tuple[int, str, tuple[int, int] | None]] = []
    for i, name in enumerate(names):
        groups = _row_groups(name)
        if groups <= ROW_GROUPS_PER_TASK:
            tasks.append((i, name, None))
            continue
        for first in range(0, groups, ROW_GROUPS_PER_TASK):
            tasks.append((i, name, (first, min(groups, first + ROW_GROUPS_PER_TASK))))
    return tasks


def _row_groups(name: str) -> int:
    """Row groups in a Parquet file's footer (0 when it is not one: one task)."""
    if not name.lower().endswith((".parquet", ".pq")):
        return 0
    import pyarrow as pa
    import pyarrow.parquet as pq

    from distillcost.readers.remote import filesystem, is_remote

    try:
        if is_remote(name):
            fs, path = filesystem(name)
            with fs.open(path, "rb") as fh:
                return int(pq.ParquetFile(fh).metadata.num_row_groups)
        return int(pq.ParquetFile(name).metadata.num_row_groups)
    except (pa.ArrowException, OSError):
        return 0  # the worker's task says what is wrong with it


def client_for(scheduler: str | None) -> Any:
    """A Dask client: the cluster at ``scheduler``, or a local one on this machine."""
    try:
        from distributed import Client
    except ImportError:
        raise InputError(
            "--engine dask needs Dask's distributed scheduler: pip install 'distillcost[dask]'"
        ) from None
    if scheduler:
        try:
            return Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    return Client(processes=False, dashboard_address=":0")  # any free port: 8787 may be taken


def run_parts(names: Sequence[str], opts: dict[str, Any], scheduler: str | None) -> list[Part]:
    """Map count_part over the cluster; parts come back in task order."""
    tasks = [(i, name, groups, opts) for i, name, groups in plan(names)]
    client = client_for(scheduler)
    try:
        futures = client.map(count_part, tasks, pure=False)
        parts: list[Part] = client.gather(futures)
    finally:
        client.close()
    return parts
