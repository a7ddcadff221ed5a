"""The user's configuration: where it lives, and how a configuration file is read.

Configuration files (scenarios, price tables, report templates) are small text files.
They are read whole, so each is bounded and must be a regular file: ``/dev/zero`` or
``yes | distillcost estimate /dev/stdin`` once grew to gigabytes before failing.
"""

from __future__ import annotations

import codecs
import os
import stat
import warnings
from collections.abc import Callable
from pathlib import Path

from distillcost.errors import ConfigFileError, ConfigWarning, os_reason

FILE_LIMITS: dict[str, int] = {
    "scenario": 1 << 20,
    "template": 8 << 20,
    "price table": 64 << 20,  # LiteLLM's whole map is ~1.5 MB (2025)
    "score table": 64 << 20,
}
"""The largest file of each kind that is read, in bytes."""


def config_dir() -> Path:
    """``$DISTILLCOST_CONFIG_DIR``, else ``~/.config/distillcost`` (``$XDG_CONFIG_HOME``)."""
    env = os.environ.get("DISTILLCOST_CONFIG_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "distillcost"


def _warn(message: str) -> None:
    warnings.warn(message, ConfigWarning, stacklevel=3)


def config_subdir(name: str, on_warning: Callable[[str], None] | None = None) -> Path | None:
    """``config_dir() / name`` when it is a directory this process may read, else None.

    The config dir is optional: when it is missing, nothing is said. When something is
    there that cannot be used (a directory without permission, as ``HOME=/root`` gives
    another user; a file where a directory belongs) every command still runs, with a
    warning naming it, never silently and never as a failure.
    """
    warn = on_warning or _warn
    root = config_dir()
    for path in (root, root / name):
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            return None
        except OSError as exc:
            warn(f"{path}: skipped, it cannot be read ({os_reason(exc)})")
            return None
        if not stat.S_ISDIR(mode):
            where = " (DISTILLCOST_CONFIG_DIR)" if path == root and _from_env() else ""
            warn(f"{path}{where}: skipped, not a directory")
            return None
        if not os.access(path, os.R_OK | os.X_OK):
            warn(f"{path}: skipped, it cannot be read (permission denied)")
            return None
    return root / name


def _from_env() -> bool:
    return bool(os.environ.get("DISTILLCOST_CONFIG_DIR"))


_NOT_REGULAR = (
    (stat.S_ISFIFO, "a pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_config_file(path: str | os.PathLike[str], kind: str) -> bytes:
    """The bytes of a ``kind`` file (a key of :data:`FILE_LIMITS`), or ConfigFileError.

    It must be a regular file (a device or a pipe could be read for ever; save a stream
    to a file first) no larger than its limit. The checks are made on the opened file,
    so a file swapped or grown in between is caught too.
    """
    name = os.fspath(path)
    limit = FILE_LIMITS[kind]
    try:  # non-blocking: opening a pipe with no writer must not hang before it is refused
        fd = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ConfigFileError(name, "no such file") from None
    except OSError as exc:
        raise ConfigFileError(name, f"cannot be read: {os_reason(exc)}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise ConfigFileError(name, f"is a directory, not a {kind} file")
        for test, what in _NOT_REGULAR:
            if test(mode):
                raise ConfigFileError(
                    name, f"is {what}, not a regular file; a {kind} must be a file on disk"
                )
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise ConfigFileError(name, f"cannot be read: {os_reason(exc)}") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise ConfigFileError(
            name, f"larger than the {limit:,}-byte limit for a {kind} file; is it the right file?"
        )
    return data


def config_text(data: bytes, path: str | os.PathLike[str]) -> str:
    """A configuration file's text (UTF-8, a byte-order mark skipped), or ConfigFileError
    saying where it is not UTF-8 and, for UTF-16/32, how to convert it."""
    wide = utf16_guess(data[:4096])  # UTF-16 without a BOM is valid UTF-8 (with NULs)
    if wide:
        reason = (
            f"looks like {wide} text, not UTF-8; convert it first, e.g. "
            f"iconv -f {wide} -t UTF-8 FILE > FILE.utf8"
        )
        raise ConfigFileError(os.fspath(path), reason)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        reason = f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        raise ConfigFileError(os.fspath(path), reason, line) from None


def utf16_guess(head: bytes) -> str:
    """'UTF-16LE', 'UTF-32BE', ... when ``head`` looks like UTF-16/32 text, else ''."""
    for bom, name in (
        (codecs.BOM_UTF32_LE, "UTF-32LE"),
        (codecs.BOM_UTF32_BE, "UTF-32BE"),
        (codecs.BOM_UTF16_LE, "UTF-16LE"),
        (codecs.BOM_UTF16_BE, "UTF-16BE"),
    ):
        if head.startswith(bom):
            return name
    sample = head[:2048]
    pairs = len(sample) // 2
    if pairs < 2:
        return ""
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if odd > 0.4 * pairs and even < 0.05 * pairs:
        return "UTF-16LE"
    if even > 0.4 * pairs and odd < 0.05 * pairs:
        return "UTF-16BE"
    return ""
