"""Price table files: read one, find them in a directory, report their problems."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from distillcost.errors import PriceWarning
from distillcost.prices.formats import SUFFIXES, ParseResult, parse_path
from distillcost.prices.model import ModelRecord
from distillcost.prices.problems import Problem, check_names, raise_problems

if TYPE_CHECKING:
    from distillcost.compute.records import Gpu, ServingBenchmark

WarningHandler = Callable[[str], None]
ComputeLayer = tuple[str, list["Gpu"], list["ServingBenchmark"]]
"""(origin, GPUs, serving benchmarks): one GPU table in the stack of sources."""


def default_warning(message: str) -> None:
    warnings.warn(message, PriceWarning, stacklevel=3)


def load_price_file(
    path: str | os.PathLike[str],
    *,
    origin: str | None = None,
    on_warning: WarningHandler | None = None,
) -> list[ModelRecord]:
    """The models in one price file (``.toml``, ``.csv``, ``.json``; LiteLLM maps detected).

    Raises :class:`~distillcost.errors.PriceDataError` naming the file, line, row and
    field of the first problem (and how many more there are); never returns a
    half-read table. ``path`` may also be ``genai-prices`` or
    ``genai-prices:openai,anthropic`` to adapt the installed genai-prices package.
    A teacher file (reasoning profiles, usage tiers) holds no models: see
    :func:`read_table_file`.
    """
    return read_table_file(path, origin=origin, on_warning=on_warning).records


def read_table_file(
    path: str | os.PathLike[str],
    *,
    origin: str | None = None,
    on_warning: WarningHandler | None = None,
) -> ParseResult:
    """One table file, read whole (or a PriceDataError for its first problem): API prices
    (``records``), a teacher file (``teacher``) or a GPU table (``gpus``, ``serving``)."""
    result = parse_path(path, origin)
    raise_problems(result.problems, str(path))
    for message in result.warnings:
        (on_warning or default_warning)(message)
    return result


def validate_price_files(
    paths: Iterable[str | os.PathLike[str]], *, across_files: bool = False
) -> list[Problem]:
    """Every problem in every file (empty list = all good).

    With ``across_files`` the files are treated as one source (like the shipped
    tables), so a model id or alias defined in two of them is a problem too.
    """
    problems: list[Problem] = []
    everything: list[ModelRecord] = []
    where: dict[int, str] = {}
    for path in paths:
        text = str(path)
        result = parse_path(path)  # a missing file, a directory, a device: a problem named
        problems.extend(result.problems)
        for record in result.records:
            where[id(record)] = text
        everything.extend(result.records)
    if across_files:

        def report(r: ModelRecord, key: str, msg: str, other: ModelRecord) -> None:
            row = f"model {r.id!r}"
            problems.append(Problem(where[id(r)], None, row, key, f"{msg} (in {where[id(other)]})"))

        check_names(everything, report)
    return problems


def price_files_in(directory: Path, on_warning: WarningHandler | None = None) -> list[Path]:
    """The ``*.toml``, ``*.csv`` and ``*.json`` files of a directory, by name; others warned."""
    if not directory.is_dir():
        return []
    files = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or path.is_dir():
            continue
        if path.suffix.lower() in SUFFIXES:
            if not path.is_file():  # a device, a pipe, a broken link: said, not passed over
                (on_warning or default_warning)(f"{path}: ignored, not a regular file")
                continue
            files.append(path)
        else:
            (on_warning or default_warning)(
                f"{path}: ignored, not a price table (use .toml, .csv, .json or .xlsx)"
            )
    return files
