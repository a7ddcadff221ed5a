"""Parquet, read by row groups in record batches (pyarrow, imported only here)."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from distillcost.readers.base import SourceBase
from distillcost.readers.schemas import Unit


class ParquetReader(SourceBase):
    """Reading Parquet rows: all of them in batches, or chosen ones by row group."""

    def _parquet_file(self) -> Any:
        import pyarrow.parquet as pq

        if self.fs is not None:  # footer and row groups by ranged reads
            return pq.ParquetFile(self.fs.open(self.fs_path, "rb"))
        assert self.path is not None
        return pq.ParquetFile(self.path)

    def _parquet_units(self, progress: Callable[[int], None] | None) -> Iterator[Unit]:
        pf = self._parquet_file()
        row = 0
        groups = None
        if self.row_groups is not None:  # one shard of the file (count --engine dask)
            groups = list(range(*self.row_groups))
            row = sum(pf.metadata.row_group(g).num_rows for g in range(self.row_groups[0]))
        for batch in pf.iter_batches(batch_size=20_000, columns=self._columns, row_groups=groups):
            if self.schema == "field":
                values: list[Any] = batch.column(self.field).to_pylist()
            else:
                values = batch.to_pylist()
            for value in values:
                row += 1
                yield Unit(value, None, row)
        self.bytes_read = self.size or 0
        if progress is not None:
            progress(self.bytes_read)

    def parquet_rows(self) -> int:
        """Rows in the file, from its footer."""
        return int(self._parquet_file().metadata.num_rows)

    def parquet_values(self, rows: Sequence[int]) -> dict[int, Any]:
        """The records (or ``--field`` values) of the given 0-based rows.

        Only the row groups holding them are read, and only the needed columns.
        """
        pf = self._parquet_file()
        meta = pf.metadata
        firsts = []
        first = 0
        for g in range(meta.num_row_groups):
            firsts.append(first)
            first += meta.row_group(g).num_rows
        by_group: dict[int, list[int]] = {}
        for r in rows:
            by_group.setdefault(bisect.bisect_right(firsts, r) - 1, []).append(r)
        out: dict[int, Any] = {}
        for g, wanted in sorted(by_group.items()):
            table = pf.read_row_group(g, columns=self._columns)
            base = firsts[g]
            if self.schema == "field":
                column = table.column(self.field)
                for r in wanted:
                    out[r] = column[r - base].as_py()
            else:
                for r in wanted:
                    out[r] = table.slice(r - base, 1).to_pylist()[0]
        return out
