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
import secrets
import shutil
import stat
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


def _mode_for(target: Path, fresh: int = 0o666) -> int:
    """The permissions a plain write would give: the old file's, else ``fresh`` less the umask.

    mkstemp creates 0600 files; keeping that would hide reports from colleagues, and a
    fixed 0644 would make a user's private 0600 output world-readable on rewrite.
    """
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return fresh & ~umask


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
    tmp = _temp_beside(target)
    try:
        fd = _create(tmp, target)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException:  # an error, Ctrl-C or a stop signal: no temp file is left
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _temp_beside(target: Path, kind: str = "tmp") -> Path:
    """A fresh hidden name beside ``target``, chosen before anything is created, so that
    whatever interrupts the write (a signal between creating and recording a
    ``mkstemp`` file) knows which name to remove."""
    directory = target.parent if str(target.parent) else Path(".")
    return directory / f".{target.name}.{secrets.token_hex(6)}.{kind}"


def _create(tmp: Path, target: Path) -> int:
    """Create ``tmp`` exclusively; a failure names ``target`` (what the user asked for),
    not the temp file nobody typed: a read-only directory said '.out.json.x8f2.tmp:
    permission denied'."""
    try:
        return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _CLOEXEC, 0o600)
    except OSError as exc:
        raise _cannot_write(exc, target) from None


def _cannot_write(exc: OSError, target: Path) -> OSError:
    where = target.parent if str(target.parent) else Path(".")
    reason = (exc.strerror or str(exc)).lower()
    return type(exc)(exc.errno, f"cannot write in {str(where)!r}: {reason}", str(target))


_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def atomic_write_with_folder(
    target: str | os.PathLike[str],
    data: str | bytes,
    folder: Path,
    files: Mapping[str, str | bytes],
) -> None:
    """Write ``target`` and the folder of ``files`` beside it (name -> contents) together.

    Everything is staged first (a temp file, a temp folder), where a full disk or any
    error can only fail, leaving the old report and its folder as they were; then the
    old folder is moved aside, the new one and the file are renamed in, and the old
    folder removed, so stale files (a chart the new report no longer has) go with it.
    An error or a stop signal during the swap puts the old folder back. The folder is
    distillcost's own (``<stem>_charts``): one holding anything but the ``.svg``/``.png``
    charts it writes is refused, not deleted.
    """
    target = Path(target)
    _check_own_folder(folder, target)
    staged: Path | None = None
    aside: Path | None = None
    tmp = _temp_beside(target)
    try:
        if files:
            staged = _temp_beside(folder, "new")
            try:
                staged.mkdir()
            except OSError as exc:
                raise _cannot_write(exc, target) from None
            for name, text in files.items():
                path = staged / name
                fd = _create(path, folder / name)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(text if isinstance(text, bytes) else text.encode("utf-8"))
                    fh.flush()
                    os.fsync(fh.fileno())
                os.chmod(path, _mode_for(folder / name))
            os.chmod(staged, _mode_for(folder, fresh=0o777))
        fd = _create(tmp, target)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data if isinstance(data, bytes) else data.encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode_for(target))
        # the swap: renames only, nothing left to run out of space
        if folder.exists():
            aside = _temp_beside(folder, "old")
            os.rename(folder, aside)
        if staged is not None:
            os.rename(staged, folder)
            staged = None
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if staged is not None:
            shutil.rmtree(staged, ignore_errors=True)
        if aside is not None:  # put the old folder back where the old report expects it
            with contextlib.suppress(OSError):
                if folder.exists():
                    shutil.rmtree(folder)
                os.rename(aside, folder)
        raise
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)


CHART_SUFFIXES = (".svg", ".png")


def _check_own_folder(folder: Path, target: Path) -> None:
    if not folder.exists() and not folder.is_symlink():
        return
    if folder.is_symlink() or not folder.is_dir():
        raise FileExistsError(
            errno.EEXIST,
            f"{str(folder)!r} is in the way of the report's charts and is not their folder",
            str(target),
        )
    foreign = sorted(
        p.name for p in folder.iterdir() if not (p.suffix in CHART_SUFFIXES and p.is_file())
    )
    if foreign:
        shown = ", ".join(foreign[:3]) + (" ..." if len(foreign) > 3 else "")
        raise FileExistsError(
            errno.EEXIST,
            f"the chart folder {str(folder)!r} holds files distillcost did not write "
            f"({shown}); the report replaces that folder, so move them or choose another -o",
            str(target),
        )
