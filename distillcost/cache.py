"""The user cache: files derived from shipped data, kept so the next start is faster.

Each file is ``sha256(payload) + payload``; a file whose checksum fails, or that cannot
be read, is treated as absent and rebuilt. Payloads are ``marshal`` data (loading them
runs no code). Writing is best effort and atomic: a read-only or full disk only means
the next start rebuilds.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import tempfile


def cache_dir() -> str:
    """$DISTILLCOST_CACHE_DIR, else the platform's user cache dir + ``distillcost``."""
    env = os.environ.get("DISTILLCOST_CACHE_DIR")
    if env:
        return env
    if os.name == "nt":  # pragma: no cover - not tested on Windows here
        base = os.environ.get("LOCALAPPDATA") or os.path.expanduser("~")
    elif sys.platform == "darwin":  # pragma: no cover
        base = os.path.expanduser("~/Library/Caches")
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(base, "distillcost")


def path(name: str) -> str:
    return os.path.join(cache_dir(), name)


def read(name: str) -> bytes | None:
    """The payload kept under ``name`` when its checksum holds, else None."""
    try:
        with open(path(name), "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    digest, payload = data[:32], data[32:]
    if hashlib.sha256(payload).digest() != digest:
        return None
    return payload


def write(name: str, payload: bytes) -> None:
    """Keep ``payload`` under ``name`` (whole or not at all; errors are ignored)."""
    target = path(name)
    with contextlib.suppress(OSError):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
