"""Machine-readable output: injection-safe CSV, exact JSON, atomic file writes.

Spreadsheet users paste our CSV straight into Excel or Sheets, so any text cell
that a spreadsheet would read as a formula is neutralised; numbers stay numbers.
Money is ``Decimal`` and leaves as an exact decimal string in JSON, never as a
float with noise like 8500.000000000002.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# C0 and C1 control characters, except tab and newline (kept where text may span lines).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def csv_safe(value: Any) -> Any:
    """A cell value that a spreadsheet will not execute.

    Numbers (int, Decimal, float) are returned unchanged so they stay numeric,
    even when negative. Text starting with a formula trigger is prefixed with a
    single quote, the convention Excel and Sheets both display as literal text.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return value
    text = value.isoformat() if isinstance(value, (date, datetime)) else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def visible(text: object, *, one_line: bool = False) -> str:
    """Untrusted text for a terminal: control characters shown as ``\\x1b``, never raw.

    File names, model names, notes and plugin data are third-party text; an escape
    sequence in them could retitle, clear or rewrite the user's terminal, and a
    newline could break a table row (``one_line=True`` escapes tab and newline too).
    """
    pattern = _CONTROL_ONE_LINE if one_line else _CONTROL
    return pattern.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def csv_text(rows: Iterable[Sequence[Any]], header: Sequence[str] | None = None) -> str:
    """Rows as RFC 4180 CSV text with every cell passed through :func:`csv_safe`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header is not None:
        writer.writerow([csv_safe(h) for h in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
    return buffer.getvalue()


def records_csv(records: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """A list of dicts as CSV; columns default to the first record's keys."""
    if columns is None:
        columns = list(records[0]) if records else []
    return csv_text(([r.get(c) for c in columns] for r in records), header=columns)


def decimal_str(value: Decimal) -> str:
    """A Decimal as plain positional notation (no exponent), exact."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def to_jsonable(value: Any) -> Any:
    """Recursively convert Decimals to exact strings and dates to ISO strings."""
    if isinstance(value, Decimal):
        return decimal_str(value)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "to_dict"):
        return to_jsonable(value.to_dict())
    return value


def json_text(value: Any, indent: int | None = 2) -> str:
    """JSON with exact decimal strings for money; always ends with a newline."""
    return json.dumps(to_jsonable(value), indent=indent, ensure_ascii=False) + "\n"


def _mode_for(target: Path) -> int:
    """The permissions a plain write would give: the old file's, else 0666 less the umask.

    mkstemp creates 0600 files; keeping that would hide reports from colleagues, and a
    fixed 0644 would make a user's private 0600 output world-readable on rewrite.
    """
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write a whole file or nothing: a temp file in the same directory, then rename.

    A crash, a full disk or an error half-way leaves any previous file intact and
    no partial output behind. A device or pipe (``-o /dev/stdout``, ``/dev/null``, a
    FIFO) is written in place: renaming over it would replace the device node itself
    (as root, ``-o /dev/null`` left a regular file at /dev/null).
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    mode = "wb" if isinstance(data, bytes) else "w"
    text_args = {} if isinstance(data, bytes) else {"encoding": "utf-8", "newline": ""}
    if target.exists() and not target.is_file() and not target.is_dir():
        with open(target, mode, **text_args) as fh:
            fh.write(data)
        return
    if not directory.is_dir():  # else the error names our temp file, which nobody typed
        raise FileNotFoundError(
            errno.ENOENT, f"directory {str(directory)!r} does not exist", str(target)
        )
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, mode, **text_args) as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, _mode_for(target))
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
