"""One input's raw bytes: opened once or anew, peeked at, read as bounded lines."""

from __future__ import annotations

import dataclasses
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from distillcost.errors import InputError
from distillcost.readers import limits
from distillcost.readers.limits import MAX_RECORD_BYTES
from distillcost.readers.schemas import PARSERS, BadRecord


def utf8_message_at(exc: UnicodeDecodeError, data: bytes) -> str:
    """'not valid UTF-8 (byte N of the line)' for an error in a block of whole lines."""
    start = data.rfind(b"\n", 0, exc.start) + 1
    return f"not valid UTF-8 (byte {exc.start - start} of the line); convert the file to UTF-8"


def utf8_message(exc: UnicodeDecodeError) -> str:
    return f"not valid UTF-8 (byte {exc.start} of the line); convert the file to UTF-8"


class _Prefixed(io.RawIOBase):
    """A stream with some already-read bytes put back in front (to sniff stdin)."""

    def __init__(self, head: bytes, rest: BinaryIO, owned: bool = False) -> None:
        self._head = head
        self._rest = rest
        self._owned = owned  # close ``rest`` too (a pipe we opened; never stdin)

    def close(self) -> None:
        if self._owned and not self.closed:
            self._rest.close()
        super().close()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            n = min(len(view), len(self._head))
            view[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(view))
        view[: len(data)] = data
        return len(data)


class RangeReader(Protocol):
    """Bytes ``[start, end)`` of one input, read without reading what lies before."""

    def read(self, start: int, end: int) -> bytes: ...

    def close(self) -> None: ...


class LocalRanges:
    """Ranged reads of a local file with ``os.pread`` (no shared file position)."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_RDONLY)

    def read(self, start: int, end: int) -> bytes:
        parts: list[bytes] = []
        while start < end:
            data = os.pread(self._fd, end - start, start)
            if not data:
                break
            parts.append(data)
            start += len(data)
        return b"".join(parts)

    def close(self) -> None:
        os.close(self._fd)


@dataclass
class SourceBase:
    """One input: where it is, what it holds, and how to get at its bytes.

    A *seekable* input (a regular file) is opened anew for each pass. Anything else
    (stdin, a named pipe, ``<(...)``, a device) is opened once: the bytes sniffed to
    detect its format are kept and put back in front of the same stream, which can
    then be read once (issue 11: a pipe opened twice lost everything sniffed).
    """

    name: str  # for messages: the path as given, or "<stdin>"
    path: Path | None  # None for stdin
    container: str  # text | jsonl | json | csv | tsv | parquet
    schema: str  # text | chat | sharegpt | instruction | prompt-completion | field
    field: str | None = None
    per_line: bool = False
    size: int | None = None  # bytes, when known up front
    seekable: bool = True
    _head: bytes = b""
    _stream: BinaryIO | None = None
    _columns: list[str] = dataclasses.field(default_factory=list)
    bytes_read: int = 0
    max_record: int = MAX_RECORD_BYTES
    fs: Any = None  # an fsspec filesystem for a remote input (then ``path`` is None)
    fs_path: str = ""
    row_groups: tuple[int, int] | None = None  # Parquet: count only groups [first, last)

    @property
    def sided(self) -> bool:
        return self.schema in PARSERS

    @property
    def rereadable(self) -> bool:
        return self.seekable

    @property
    def whole_text(self) -> bool:
        return self.container == "text" and not self.per_line

    @property
    def label(self) -> str:
        if self.container == "text":
            return "text/lines" if self.per_line else "text"
        if self.schema == "field":
            return f"{self.container}/field:{self.field}"
        return f"{self.container}/{self.schema}"

    def where(self, n: int) -> str:
        unit = "row" if self.container in ("csv", "tsv", "parquet") else "line"
        if self.container == "json":
            unit = "record"
        return f"{self.name}:{unit} {n}" if unit != "line" else f"{self.name}:{n}"

    @property
    def one_text(self) -> bool:
        """True when every document is exactly one text (lines, or one field)."""
        return (self.container == "text" and self.per_line) or (
            self.schema == "field" and self.container in ("jsonl", "csv", "tsv", "parquet")
        )

    @property
    def line_based(self) -> bool:
        """One document per line (JSONL, or text with per_line)."""
        return self.container == "jsonl" or (self.container == "text" and self.per_line)

    @property
    def seek_kind(self) -> str:
        """How a sample can be drawn by seeks: 'lines', 'chunks', 'rows', or '' (stream it).

        JSONL and per-line text by the line holding a random byte; whole text by the
        chunk holding it; Parquet by rows of random row groups. CSV (a quoted field may
        hold a newline, so a line is not a record) and JSON arrays are read whole.
        """
        if not self.seekable or self.size is None:
            return ""
        if self.container == "jsonl" or (self.container == "text" and self.per_line):
            return "lines"
        if self.container == "text":
            return "chunks"
        if self.container == "parquet":
            return "rows"
        return ""

    # -- raw bytes ---------------------------------------------------------------

    def open_ranges(self) -> RangeReader:
        """Ranged reads of a seekable input (HTTP range requests for a remote one)."""
        if self.fs is not None:
            from distillcost.readers.remote import RemoteRanges

            return RemoteRanges(self.fs, self.fs_path)
        assert self.path is not None and self.seekable
        return LocalRanges(self.path)

    def open_file(self, buffering: int = 1 << 20) -> BinaryIO:
        """The seekable input opened afresh (a local file, or a remote one streamed)."""
        if self.fs is not None:  # fsspec's files lack readline(limit): buffer them
            raw = self.fs.open(self.fs_path, "rb", block_size=max(buffering, 1 << 22))
            return io.BufferedReader(raw, max(buffering, limits.BLOCK))
        assert self.path is not None
        return open(self.path, "rb", buffering=buffering)

    def open_binary(self) -> BinaryIO:
        """A fresh stream of the whole input (a non-seekable one can be read once)."""
        if not self.seekable:
            if self._stream is None:
                what = "standard input" if self.path is None else "a pipe or device"
                raise InputError(f"{self.name}: {what} can be read only once")
            owned = self.path is not None
            stream = io.BufferedReader(_Prefixed(self._head, self._stream, owned), limits.BLOCK)
            self._stream = None
            return stream
        return self.open_file()

    def peek(self, n: int) -> bytes:
        """The first ``n`` bytes (fewer at the end), without using up a one-pass stream."""
        if len(self._head) >= n:
            return self._head[:n]
        if self.seekable:
            with self.open_file(0 if self.fs is None else n) as fh:
                self._head = fh.read(n)
            return self._head
        if self._stream is None:
            return self._head
        more = self._stream.read(n - len(self._head))
        if more:
            self._head += more
        return self._head

    def lines(self, fh: BinaryIO) -> Iterator[tuple[int, bytes | None, int]]:
        """(line number, line with its newline, bytes) for each line, in bounded memory.

        A line longer than :attr:`max_record` is yielded as ``None`` with its size,
        read past in blocks and never held whole.
        """
        limit = self.max_record
        readline = fh.readline
        lineno = 0
        while True:
            line = readline(limit + 1)
            if not line:
                return
            lineno += 1
            if len(line) <= limit or line.endswith(b"\n"):
                yield lineno, line, len(line)
                continue
            size = len(line)
            del line
            while True:
                rest = readline(limits.BLOCK)
                size += len(rest)
                if not rest or rest.endswith(b"\n"):
                    break
            yield lineno, None, size

    def close(self) -> None:
        """Close a one-pass stream that was opened but never read (not stdin)."""
        stream, self._stream = self._stream, None
        if stream is not None and self.path is not None:
            stream.close()

    def too_large(self, size: int) -> BadRecord:
        return BadRecord(
            f"record of {size:,} bytes is larger than the {self.max_record:,}-byte limit "
            "for one record (raise it with --max-record-mb, or split the record)"
        )

    def _bad(
        self, on_bad: Callable[[int, BadRecord], None] | None, where: int, exc: BadRecord
    ) -> None:
        if on_bad is None:
            raise InputError(f"{self.where(where)}: {exc}") from None
        on_bad(where, exc)

    def _utf8_at(self, offset: int) -> str:
        """'not valid UTF-8 at byte offset N (line L)', re-reading a seekable file for the line."""
        line = None
        if self.seekable:
            line = 1
            with self.open_file() as fh:
                left = offset
                while left > 0:
                    block = fh.read(min(left, limits.BLOCK))
                    if not block:
                        break
                    line += block.count(b"\n")
                    left -= len(block)
        where = f" (line {line})" if line is not None else ""
        return f"not valid UTF-8 at byte offset {offset}{where}; convert the file to UTF-8"
