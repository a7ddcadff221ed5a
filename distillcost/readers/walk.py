"""Directories -> the files to read: recursive, link-following, saying what it leaves out."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from fnmatch import fnmatch
from pathlib import Path

from distillcost.errors import InputError, os_reason
from distillcost.readers.limits import DEFAULT_GLOB
from distillcost.readers.remote import expand_remote, is_remote


def walk_inputs(
    paths: Sequence[str | os.PathLike[str]],
    glob: str = DEFAULT_GLOB,
    skip_unreadable: bool = False,
) -> tuple[list[str], list[str]]:
    """(files to read, what was left out and why) for files, directories and ``-``.

    Directories are searched recursively for ``glob``'s patterns, following symbolic
    links to directories as links to files are followed; a directory reached twice
    (a link loop, or two links to one place) is searched once and each file is read
    once. A directory that cannot be read is an error, as an unreadable file is,
    unless ``skip_unreadable``: then it is left out and said so. Hidden files and
    directories (``.name``) are not searched.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if not isinstance(glob, str):
        raise InputError(f"glob must be text such as {DEFAULT_GLOB!r}, not {type(glob).__name__}")
    patterns = [p.strip() for p in glob.split(",") if p.strip()]
    if not patterns:
        raise InputError(f"no file patterns in glob {glob!r} (e.g. '*.jsonl,*.txt')")
    out: list[str] = []
    skipped: list[str] = []
    if not paths:
        raise InputError("no input: give one or more files, directories, or - for stdin")
    for raw in paths:
        if not isinstance(raw, (str, os.PathLike)):
            raise InputError(f"an input path must be text or a path, not {type(raw).__name__}")
        text = os.fspath(raw)
        if not isinstance(text, str):
            raise InputError("an input path must be text, not bytes")
        if text == "-":
            out.append("-")
            continue
        if is_remote(text):
            out.extend(expand_remote(text, patterns))
            continue
        p = Path(text)
        if p.is_dir():
            found, left = _walk_dir(text, patterns, skip_unreadable)
            if not found and not left:
                raise InputError(
                    f"{text}: no files matching {', '.join(patterns)} in this directory "
                    "(use --glob to choose other patterns)"
                )
            out.extend(found)
            skipped.extend(left)
        elif p.exists() or p.is_symlink():
            out.append(text)
        else:
            raise InputError(f"{text}: no such file or directory")
    return out, skipped


def expand_paths(paths: Sequence[str | os.PathLike[str]], glob: str = DEFAULT_GLOB) -> list[str]:
    """Files to read: explicit files as given; directories searched recursively by glob."""
    return walk_inputs(paths, glob)[0]


def _walk_dir(root: str, patterns: list[str], skip_unreadable: bool) -> tuple[list[str], list[str]]:
    found: list[str] = []
    skipped: list[str] = []
    seen_dirs: dict[tuple[int, int], str] = {}
    seen_files: dict[tuple[int, int], str] = {}

    def unreadable(exc: OSError) -> None:
        where = exc.filename or root
        message = f"{where}: {os_reason(exc)} (a directory that cannot be read)"
        if not skip_unreadable:
            raise InputError(message + "; use --skip-bad to count the rest") from None
        skipped.append(f"skipped directory {message}")

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable, followlinks=True):
        try:
            st = os.stat(dirpath)
        except OSError as exc:
            unreadable(exc)
            dirnames[:] = []
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            # a link loop, or a second way to one directory (which name came first is
            # only the walk's order: the message must not call a real directory a link)
            skipped.append(
                f"skipped {dirpath}: the same directory as {seen_dirs[key]}, already searched"
            )
            dirnames[:] = []
            continue
        seen_dirs[key] = dirpath
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not any(fnmatch(name, pat) for pat in patterns):
                continue
            full = os.path.join(dirpath, name)
            try:
                fst = os.stat(full)
            except FileNotFoundError:
                skipped.append(f"skipped {full}: a broken symbolic link")
                continue
            except OSError as exc:  # e.g. a link loop: like any file that cannot be read
                found.append(full)
                del exc
                continue
            if stat.S_ISDIR(fst.st_mode):
                continue  # a directory named like a data file: walked as a directory
            fkey = (fst.st_dev, fst.st_ino)
            if fkey in seen_files:
                skipped.append(f"skipped {full}: the same file as {seen_files[fkey]}")
                continue
            seen_files[fkey] = full
            found.append(full)
    return sorted(found), skipped
