"""Reading price tables: TOML, CSV, JSON, LiteLLM's map, the genai-prices package.

Every reader turns a file into :class:`~distillcost.prices.model.ModelRecord` objects
*and* a list of :class:`~distillcost.prices.problems.Problem` s — every problem in the
file, each naming the file, line, row and field — so ``distillcost prices validate``
can report them all at once. Numbers never pass through ``float``: TOML and JSON are
parsed with ``parse_float=Decimal`` and CSV cells with ``Decimal(str)``.
"""

from __future__ import annotations

import os
from pathlib import Path

from distillcost.config import config_text, read_config_file
from distillcost.errors import ConfigFileError
from distillcost.prices.formats.csv import parse_csv
from distillcost.prices.formats.document import ParseResult
from distillcost.prices.formats.json import parse_json
from distillcost.prices.formats.toml import parse_toml
from distillcost.prices.problems import Problem

GENAI_PREFIX = "genai-prices"
SUFFIXES = (".toml", ".csv", ".json", ".xlsx")

__all__ = ["GENAI_PREFIX", "SUFFIXES", "ParseResult", "parse_path", "parse_text"]


def parse_text(text: str, file: str, origin: str, suffix: str) -> ParseResult:
    """Parse ``text`` by the file's extension (``.toml``, ``.csv``, ``.json``)."""
    if suffix == ".toml":
        return parse_toml(text, file, origin)
    if suffix == ".csv":
        return parse_csv(text, file, origin)
    if suffix == ".json":
        return parse_json(text, file, origin)
    result = ParseResult()
    message = f"unknown price file type {suffix or '(none)'!r}; use .toml, .csv, .json or .xlsx"
    result.problems.append(Problem(file, None, "", "", message))
    return result


def is_genai_spec(path: str) -> bool:
    return (path == GENAI_PREFIX or path.startswith(GENAI_PREFIX + ":")) and not Path(path).exists()


def parse_path(path: str | os.PathLike[str], origin: str | None = None) -> ParseResult:
    """Read and parse one price file, or a ``genai-prices[:providers]`` spec.

    A file that yields no model at all is a problem: a table that prices nothing is
    a mistake (an empty sheet, a map whose entries all lack prices), not a success.
    """
    result = _parse_path(path, origin)
    if result.teacher is not None:
        if not result.teacher and not result.problems:
            message = "nothing to read: no [[scales]], [[profiles]] or [[tiers]]"
            result.problems.append(Problem(str(path), None, "", "", message))
        return result
    if result.empty and not result.problems:
        result.problems.append(
            Problem(
                str(path),
                None,
                "",
                "",
                "no models: nothing in the file has input and output prices",
            )
        )
    return result


def _parse_path(path: str | os.PathLike[str], origin: str | None = None) -> ParseResult:
    text_path = str(path)
    if is_genai_spec(text_path):
        from distillcost.prices.formats.genai import parse_genai_prices

        return parse_genai_prices(text_path, origin or f"file:{text_path}")
    file = Path(path)
    origin = origin or f"file:{text_path}"
    try:  # a regular file of bounded size (an .xlsx sheet too)
        data = read_config_file(file, "price table")
        if file.suffix.lower() == ".xlsx":  # a price sheet kept in Excel or LibreOffice
            from distillcost.prices.formats.xlsx import parse_xlsx

            return parse_xlsx(data, text_path, origin)
        text = config_text(data, file)  # UTF-8; a BOM from Windows editors is skipped
    except ConfigFileError as exc:
        result = ParseResult()
        result.problems.append(Problem(text_path, exc.line, "", "", exc.reason))
        return result
    if "\x00" in text:
        result = ParseResult()
        result.problems.append(Problem(text_path, None, "", "", "binary file, not a price table"))
        return result
    return parse_text(text, text_path, origin, file.suffix.lower())
