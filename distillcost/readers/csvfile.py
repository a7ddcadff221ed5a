"""CSV and TSV through the standard library's reader, one bounded line at a time."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from distillcost.errors import InputError
from distillcost.readers import limits
from distillcost.readers.base import SourceBase
from distillcost.readers.schemas import BadRecord, Unit


class _RowTooLarge(Exception):
    def __init__(self, size: int, line: int) -> None:
        self.size = size
        self.line = line


class _BoundedLines(io.RawIOBase):
    """A binary stream for the csv reader that never hands over a line above ``limit``.

    The text layer above asks for blocks; this one refuses (raises
    :class:`_RowTooLarge`) as soon as a line runs past the limit, so a 1 GB line of
    CSV is never read into memory. It also counts the bytes read.
    """

    def __init__(self, fh: BinaryIO, limit: int) -> None:
        self._fh = fh
        self._limit = limit
        self._line = 0  # bytes since the last newline
        self.newlines = 0
        self.bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self._fh.read(min(len(view), limits.BLOCK))
        n = len(data)
        view[:n] = data
        self.bytes += n
        if n > self._limit - self._line or self._line > 0:
            parts = data.split(b"\n")
            sizes = [self._line + len(parts[0]), *map(len, parts[1:])]
            longest = max(sizes)
            if longest > self._limit:
                raise _RowTooLarge(longest, self.newlines + sizes.index(longest) + 1)
            self._line = sizes[-1]
            self.newlines += len(parts) - 1
        else:
            cut = data.rfind(b"\n")
            if cut >= 0:
                self.newlines += data.count(b"\n")
                self._line = n - cut - 1
            else:
                self._line += n
        return n


class CsvReader(SourceBase):
    """Reading CSV/TSV rows."""

    def _csv_units(
        self,
        progress: Callable[[int], None] | None,
        on_bad: Callable[[int, BadRecord], None] | None = None,
    ) -> Iterator[Unit]:
        """CSV/TSV rows with the stdlib reader (no pandas on the counting path).

        Lines are read with the record limit (no row is held beyond it); the csv
        module's field limit is set to the same bound.
        """
        row = 1
        fields = self._columns
        with self.open_binary() as fh:
            reader, stream = self._csv_reader(fh)
            try:
                header = next(reader, None)
                if header is None:
                    return
                index = {name: i for i, name in reversed(list(enumerate(header)))}
                wanted = [(name, index[name]) for name in fields if name in index]
                width = len(header)
                for cells in reader:
                    if not cells:  # a blank line
                        continue
                    row += 1
                    if len(cells) != width:
                        self._bad(
                            on_bad,
                            row,
                            BadRecord(f"row has {len(cells)} cells; the header has {width}"),
                        )
                        continue
                    if self.schema == "field":
                        yield Unit(cells[wanted[0][1]], None, row)
                    else:
                        yield Unit({name: cells[i] for name, i in wanted}, None, row)
            except UnicodeDecodeError:
                raise InputError(f"{self.name}: {self._find_bad_utf8(row)}") from None
            except _RowTooLarge as exc:
                too_large = self.too_large(exc.size)
                raise InputError(f"{self.name}: line {exc.line}: {too_large}") from None
            except csv.Error as exc:
                raise InputError(f"{self.where(row + 1)}: cannot read as CSV: {exc}") from None
            self.bytes_read = stream.bytes
        if progress is not None:
            progress(self.bytes_read)

    def _csv_reader(self, fh: BinaryIO) -> tuple[Iterator[list[str]], _BoundedLines]:
        stream = _BoundedLines(fh, self.max_record)
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")  # type: ignore[type-var]
        delimiter = "\t" if self.container == "tsv" else ","
        limit = csv.field_size_limit()
        if limit < self.max_record:
            csv.field_size_limit(self.max_record)
        return csv.reader(text, delimiter=delimiter), stream

    def _find_bad_utf8(self, row: int = 0) -> str:
        if not self.seekable:
            return f"not valid UTF-8 (near row {row + 1}); convert the file to UTF-8"
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset = 0
        with self.open_file() as fh:
            while True:
                block = fh.read(limits.BLOCK)
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(block, not block)
                except UnicodeDecodeError as exc:
                    return self._utf8_at(offset - pending + exc.start)
                if not block:
                    break
                offset += len(block)
        return "not valid UTF-8"
