"""Opening an input and detecting its container and schema from its first bytes."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from distillcost.config import utf16_guess
from distillcost.errors import InputError, os_reason
from distillcost.readers import limits
from distillcost.readers.jsonl import (
    DuplicateKeyError,
    duplicate_message,
    first_line,
    json_loads,
    utf8_message,
)
from distillcost.readers.limits import CONTAINERS, FORMATS_IN, MAX_RECORD_BYTES, SCHEMAS
from distillcost.readers.remote import filesystem, is_remote, remote_error
from distillcost.readers.schemas import BadRecord, detect_schema
from distillcost.readers.source import Source


def _ext(name: str) -> str:
    return Path(name).suffix.lower()


def open_source(
    name: str,
    fmt: str = "auto",
    field: str | None = None,
    per_line: bool = False,
    max_record: int = MAX_RECORD_BYTES,
) -> Source:
    """Open one input, check it is readable, and detect its container and schema.

    A regular file is only sniffed here and reopened for reading; stdin, a named pipe
    or ``<(...)`` is opened once and the sniffed bytes are kept for that one read.
    """
    if fmt not in FORMATS_IN:
        raise InputError(f"unknown input format {fmt!r}; expected one of {', '.join(FORMATS_IN)}")
    if name == "-":
        src = Source("<stdin>", None, "", "", field, per_line, seekable=False)
        src._stream = sys.stdin.buffer
    elif is_remote(name):
        src = _open_remote(name, field, per_line)
    else:
        path = Path(name)
        try:
            st = os.stat(path)
            if stat.S_ISDIR(st.st_mode):
                raise InputError(f"{name}: is a directory")
            if stat.S_ISREG(st.st_mode):
                src = Source(name, path, "", "", field, per_line, size=st.st_size)
            else:  # a pipe, <(...), a device: one pass only
                src = Source(name, path, "", "", field, per_line, seekable=False)
                src._stream = open(path, "rb")  # noqa: SIM115 - closed by Source.close
        except FileNotFoundError:
            raise InputError(f"{name}: no such file or directory") from None
        except PermissionError:
            raise InputError(f"{name}: permission denied") from None
        except OSError as exc:
            raise InputError(f"{name}: cannot be read: {os_reason(exc)}") from None
    src.max_record = max_record
    try:
        _detect(src, name, fmt, field)
    except BaseException:
        src.close()
        raise
    return src


def _open_remote(name: str, field: str | None, per_line: bool) -> Source:
    """A remote input: its size from the store's listing, read by ranges from then on."""
    fs, path = filesystem(name)
    try:
        info = fs.info(path)
    except (OSError, ValueError) as exc:
        raise remote_error(name, exc) from None
    if info.get("type") == "directory":
        raise InputError(f"{name}: is a directory")
    size = info.get("size")
    src = Source(name, None, "", "", field, per_line, size=int(size) if size is not None else None)
    src.fs, src.fs_path = fs, path
    return src


def _detect(src: Source, name: str, fmt: str, field: str | None) -> None:
    try:
        head = src.peek(limits.HEAD)
    except InputError:
        raise
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as exc:
        if src.fs is not None:
            raise remote_error(name, exc) from None
        raise InputError(f"{name}: cannot be read: {os_reason(exc)}") from None
    if not head:
        raise InputError(f"{src.name}: empty file")
    ext = _ext(name)

    container = fmt if fmt in CONTAINERS else ""
    schema = fmt if fmt in SCHEMAS else ""
    if not container:
        if head.startswith(b"PAR1") or ext in (".parquet", ".pq"):
            container = "parquet"
        elif ext in (".csv", ".tsv"):
            container = ext[1:]
        elif ext in (".txt", ".md", ".text", ".rst") and not schema:
            container = "text"
        elif schema or ext in (".jsonl", ".ndjson", ".json") or field:
            start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
            container = "json" if start.startswith(b"[") else "jsonl"
            if ext == ".json" and container == "jsonl" and not _first_line_is_json(head):
                container = "json"  # one pretty-printed object, not JSON Lines
        else:
            container = "jsonl" if head.lstrip().startswith(b"{") else "text"
    if container != "parquet":
        wide = utf16_guess(head)
        if wide:
            raise InputError(
                f"{src.name}: looks like {wide} text, not UTF-8; convert it first, e.g. "
                f"iconv -f {wide} -t UTF-8 FILE > FILE.utf8"
            )
        nul = head.find(b"\x00")
        if nul >= 0:
            raise InputError(
                f"{src.name}: binary file (NUL byte at byte offset {nul}); "
                "expected text, JSONL, CSV or Parquet"
            )
    src.container = container

    if container == "text":
        if field:
            raise InputError(
                f"{src.name}: --field needs JSONL, JSON, CSV or Parquet input, not plain text"
            )
        if schema:
            raise InputError(f"{src.name}: --format-in {schema} needs JSON records")
        src.schema = "text"
        return
    if container == "parquet":
        _check_parquet(src, schema)
    elif container in ("csv", "tsv"):
        _check_csv(src, schema)
    elif field:
        src.schema = "field"
    elif schema:
        src.schema = schema
    else:
        src.schema = _sniff_json_schema(src, head)


def _first_line_is_json(head: bytes) -> bool:
    line = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
    try:
        json_loads(line)
    except ValueError:
        return False
    return True


def _grown_head(src: Source, done: Callable[[bytes], bool]) -> bytes:
    """The input's first bytes, doubling from limits.HEAD until ``done`` or the record limit."""
    n = limits.HEAD
    while True:
        data = src.peek(n)
        if done(data) or len(data) < n or n > src.max_record:
            return data
        n *= 2


def _sniff_json_schema(src: Source, head: bytes) -> str:
    """Detect the schema from the first record of a JSONL or JSON file."""
    if src.container == "json":
        return _schema_at(src, _first_json_record(src), 1)
    lines = head.split(b"\n")
    complete = lines[:-1] if len(head) == limits.HEAD else lines
    for lineno, line in enumerate(complete, 1):
        if line.strip():
            return _schema_of_line(src, line, lineno)
    if len(head) == limits.HEAD and not head.strip(b" \t\r\n"):  # pragma: no cover - 64K of blanks
        raise InputError(
            f"{src.name}: no records in the first {limits.HEAD:,} bytes (only blank lines)"
        )
    if len(head) == limits.HEAD:  # a first line longer than the head
        data = _grown_head(src, lambda d: b"\n" in d)
        first = data.split(b"\n", 1)[0]
        if b"\n" not in data and len(data) > src.max_record:
            raise InputError(f"{src.name}:1: {src.too_large(len(data))}")
        if first.strip():
            return _schema_of_line(src, first, 1)
    raise InputError(f"{src.name}: no records (only blank lines)")


def _schema_of_line(src: Source, line: bytes, lineno: int) -> str:
    if lineno == 1 and line.startswith(codecs.BOM_UTF8):
        line = line[3:]
    try:
        rec = json_loads(line)
    except UnicodeDecodeError as exc:
        raise InputError(f"{src.name}:{lineno}: {utf8_message(exc)}") from None
    except DuplicateKeyError as exc:
        raise InputError(f"{src.name}:{lineno}: {duplicate_message(exc)}") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{src.name}:{lineno}: malformed JSON: {exc.msg} (column {exc.colno}); "
            "the first record decides the format, so it must be valid"
        ) from None
    return _schema_at(src, rec, lineno)


def _first_json_record(src: Source) -> Any:
    """The first element of a JSON array, read from the head (grown as needed)."""
    n = limits.HEAD
    while True:
        data = src.peek(n)
        complete = len(data) < n
        probe = Source(src.name, None, "json", "", seekable=False, max_record=src.max_record)
        probe._stream = io.BytesIO(data)
        try:
            for unit in probe.units():
                if src.seekable:
                    src._head = src._head[: limits.HEAD]
                return unit.raw
        except InputError:
            if complete or n > src.max_record:
                raise
            n *= 2
            continue
        raise InputError(f"{src.name}: no records (an empty JSON array)")


def _schema_at(src: Source, rec: Any, where: int) -> str:
    try:
        return detect_schema(rec)
    except BadRecord as exc:
        raise InputError(f"{src.where(where)}: {exc}") from None


def _pick_columns(src: Source, columns: list[str], schema: str) -> None:
    """Choose the schema of a table from its columns (or check the forced one)."""
    kind = "Parquet" if src.container == "parquet" else "CSV"
    listed = ", ".join(columns[:30]) + (", ..." if len(columns) > 30 else "")
    if src.field is not None:
        if src.field not in columns:
            raise InputError(
                f"{src.name}: no column {src.field!r} in this {kind} file; "
                f"its columns are: {listed}"
            )
        src.schema = "field"
        src._columns = [src.field]
        return
    needs = {
        "chat": ["messages"],
        "sharegpt": ["conversations"],
        "instruction": ["instruction", "output"],
        "instruction-response": ["instruction", "response"],
        "prompt-completion": ["prompt", "completion"],
        "question-answer": ["question", "answer"],
    }
    candidates = [schema] if schema else list(needs)
    if schema == "instruction":
        candidates.append("instruction-response")
    for name in candidates:
        if name in needs and all(c in columns for c in needs[name]):
            src.schema = name.removesuffix("-response")
            src._columns = needs[name] + (
                ["input"] if src.schema == "instruction" and "input" in columns else []
            )
            return
    if schema:
        raise InputError(
            f"{src.name}: --format-in {schema} needs columns {', '.join(needs[schema])}; "
            f"this {kind} file has: {listed}"
        )
    raise InputError(
        f"{src.name}: which column should be counted? Pass --field NAME; "
        f"this {kind} file has: {listed}"
    )


def _check_csv(src: Source, schema: str) -> None:
    data = _grown_head(src, lambda d: b"\n" in d)
    if b"\n" not in data and len(data) > src.max_record:
        raise InputError(f"{src.where(1)}: {src.too_large(len(data))}")
    cut = data.find(b"\n")
    header_line = data[: cut + 1] if cut >= 0 else data  # a header with a quoted newline: rare
    reader, _ = src._csv_reader(io.BytesIO(header_line))
    try:
        header = next(reader, None)
    except UnicodeDecodeError:
        raise InputError(f"{src.name}: {src._find_bad_utf8(0)}") from None
    except csv.Error as exc:
        raise InputError(f"{src.name}: cannot read as CSV: {exc}") from None
    if not header:
        raise InputError(f"{src.name}: cannot read as CSV: no header row")
    first: dict[str, int] = {}
    for number, name in enumerate(header, start=1):
        if name and name in first:  # as with duplicate JSON keys: one would be dropped
            raise InputError(
                f"{src.name}: duplicate column {name!r} in the header (columns "
                f"{first[name]} and {number}); only one would be read: rename one"
            )
        first.setdefault(name, number)
    _pick_columns(src, [str(c) for c in header], schema)


def _check_parquet(src: Source, schema: str) -> None:
    if not src.seekable or (src.path is None and src.fs is None):
        raise InputError(
            f"{src.name}: Parquet cannot be read from stdin or a pipe (it is read by "
            "seeking to its footer); save it to a file"
        )
    import pyarrow as pa

    try:
        pf = src._parquet_file()
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{src.name}: not a readable Parquet file: {first_line(exc)}") from None
    _pick_columns(src, list(pf.schema_arrow.names), schema)
    if src.schema == "field":
        kind = pf.schema_arrow.field(src.field).type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            raise InputError(f"{src.name}: column {src.field!r} holds {kind}, not text")
