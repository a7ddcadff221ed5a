"""Path options that name why a file cannot be read, not only that it "does not exist"."""

from __future__ import annotations

import errno
import os
from typing import Any

import click


class InputPath(click.Path):
    """``click.Path(exists=True)`` that says "too many levels of symbolic links" or
    "permission denied" (click reported both as "does not exist")."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, (str, os.PathLike)) and value != "-":
            try:
                os.stat(value)
            except OSError as exc:
                if exc.errno not in (errno.ENOENT, errno.ENOTDIR, None):
                    reason = os.strerror(exc.errno).lower() if exc.errno else str(exc)
                    self.fail(f"{os.fsdecode(value)!r}: {reason}", param, ctx)
        return super().convert(value, param, ctx)


def input_file() -> InputPath:
    """A file that must exist (a scenario, a price or score table)."""
    return InputPath(exists=True, dir_okay=False, path_type=str)


def input_dir() -> InputPath:
    """A directory that must exist (templates)."""
    return InputPath(exists=True, file_okay=False, path_type=str)
