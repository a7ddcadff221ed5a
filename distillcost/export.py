"""Files out: exact JSON, and atomic writes (a whole file or nothing).

Money is ``Decimal`` and leaves as an exact decimal string in JSON, never as a
float with noise like 8500.000000000002. Spreadsheet-safe CSV is
:mod:`distillcost.cells`; terminal- and Markdown-safe text is :mod:`distillcost.escape`.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import tempfile
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from distillcost.decimals import decimal_str


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
    payload = data if isinstance(data, bytes) else data.encode("utf-8")  # newlines as given
    if target.exists() and not target.is_file() and not target.is_dir():
        with open(target, "wb") as fh:
            fh.write(payload)
        return
    if not directory.is_dir():  # else the error names our temp file, which nobody typed
        raise FileNotFoundError(
            errno.ENOENT, f"directory {str(directory)!r} does not exist", str(target)
        )
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp_name, _mode_for(target))
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
