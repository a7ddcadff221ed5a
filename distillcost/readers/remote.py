"""Remote datasets through fsspec: ``s3://``, ``gs://``, ``hf://``, ``https://``, globs.

fsspec (the optional ``distillcost[remote]`` extra) maps each URL scheme to its
filesystem (s3fs, gcsfs, huggingface_hub, aiohttp for HTTP). Credentials come from
that library's usual chain (environment, profiles, instance metadata); distillcost
takes none of its own. Files are streamed in blocks and sampled by ranged reads, so
nothing is downloaded whole, and only the datasets named by the user are fetched.
"""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatch
from typing import Any

from distillcost.errors import InputError

_MAGIC = frozenset("*?[")


def is_remote(name: str) -> bool:
    """True for a URL with a scheme fsspec handles (``file://`` included)."""
    scheme, sep, _ = name.partition("://")
    return bool(sep) and scheme.replace("+", "").replace("-", "").isalnum()


def filesystem(url: str) -> tuple[Any, str]:
    """(fsspec filesystem, path inside it) for ``url``, or a clear error."""
    try:
        from fsspec.core import url_to_fs
    except ImportError:
        raise InputError(
            f"{url}: reading remote datasets needs fsspec: pip install 'distillcost[remote]'"
        ) from None
    try:
        return url_to_fs(url)
    except ImportError as exc:  # the scheme's own library (s3fs, gcsfs, ...) is missing
        raise InputError(f"{url}: {_first_line(exc)}") from None
    except ValueError as exc:  # an unknown protocol
        raise InputError(f"{url}: {_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def remote_error(url: str, exc: BaseException) -> InputError:
    """A remote failure (missing object, denied, no credentials) as one clear line."""
    if isinstance(exc, FileNotFoundError):
        return InputError(f"{url}: no such file or directory")
    if isinstance(exc, PermissionError):
        return InputError(f"{url}: permission denied (check the credentials in your environment)")
    return InputError(f"{url}: cannot be read: {type(exc).__name__}: {_first_line(exc)}")


def expand_remote(url: str, patterns: Sequence[str]) -> list[str]:
    """The files a remote URL names: itself, its glob matches, or a directory's files."""
    fs, path = filesystem(url)
    try:
        if any(c in _MAGIC for c in path):
            found = [p for p in fs.glob(path) if not fs.isdir(p)]
            if not found:
                raise InputError(f"{url}: no files match this pattern")
        elif fs.isdir(path):
            found = [
                p
                for p in fs.find(path)
                if any(fnmatch(p.rsplit("/", 1)[-1], pat) for pat in patterns)
                and not p.rsplit("/", 1)[-1].startswith(".")
            ]
            if not found:
                raise InputError(
                    f"{url}: no files matching {', '.join(patterns)} in this directory "
                    "(use --glob to choose other patterns)"
                )
        elif fs.exists(path):
            return [url]
        else:
            raise InputError(f"{url}: no such file or directory")
    except InputError:
        raise
    except (OSError, ValueError) as exc:
        raise remote_error(url, exc) from None
    return sorted(fs.unstrip_protocol(p) for p in found)


class RemoteRanges:
    """Ranged reads of a remote file: one request per range."""

    def __init__(self, fs: Any, path: str) -> None:
        self._fs = fs
        self._path = path

    def read(self, start: int, end: int) -> bytes:
        if end <= start:
            return b""
        return bytes(self._fs.cat_file(self._path, start=start, end=end))

    def close(self) -> None:
        pass
