"""Parquet, read by row groups in record batches (pyarrow, imported only here)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from distillcost.readers.base import SourceBase
from distillcost.readers.schemas import Unit


class ParquetReader(SourceBase):
    """Reading Parquet rows."""

    def _parquet_units(self, progress: Callable[[int], None] | None) -> Iterator[Unit]:
        import pyarrow.parquet as pq

        assert self.path is not None
        pf = pq.ParquetFile(self.path)
        row = 0
        for batch in pf.iter_batches(batch_size=20_000, columns=self._columns):
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
