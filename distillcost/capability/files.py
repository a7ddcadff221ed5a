"""Reading score files: TOML (and JSON of the same shape) or a CSV sheet of score rows.

A TOML file holds ``[meta]``, ``[[benchmarks]]``, ``[[scores]]`` and ``[[applies_to]]``
(any of them); a CSV file holds score rows only, one column per score key. Every
problem is reported with file, line, row and field (the price tables' reader does the
checking, from the same kind of declarations); a row with a problem is left out,
never half-read, and a file with any problem is refused as a whole.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from distillcost.capability.model import META, AppliesTo, Benchmark, Score
from distillcost.cells import unquote_cell
from distillcost.config import config_text, read_config_file
from distillcost.errors import ConfigFileError, ScoreDataError
from distillcost.prices.declarations import Key
from distillcost.prices.formats.document import Builder, sorted_problems
from distillcost.prices.formats.json import decode_json
from distillcost.prices.formats.locate import LineMap, Locator, TomlLocator
from distillcost.prices.model import keys_of
from distillcost.prices.problems import Problem

SUFFIXES: tuple[str, ...] = (".toml", ".json", ".csv")

# top-level array -> (record class, how a problem names the row)
SECTIONS: dict[str, type] = {"benchmarks": Benchmark, "scores": Score, "applies_to": AppliesTo}


@dataclass
class ScoreFile:
    """What one file declares, and what is wrong with it."""

    benchmarks: list[Benchmark] = field(default_factory=list)
    scores: list[Score] = field(default_factory=list)
    applies_to: list[AppliesTo] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def raise_problems(self, path: str) -> None:
        if not self.problems:
            return
        first = str(self.problems[0])
        more = len(self.problems) - 1
        if more:
            first += (
                f" (and {more} more problem{'s' if more > 1 else ''}; "
                f"see them all with: distillcost scores validate {path})"
            )
        raise ScoreDataError(first)


def _row_name(section: str, data: Mapping[str, Any], index: int) -> str:
    for key in ("model", "name", "scores_of"):
        value = data.get(key)
        if isinstance(value, str) and value:
            extra = data.get("benchmark")
            return f"{section}[{index}] {value!r}" + (f" ({extra})" if extra else "")
    return f"{section}[{index}]"


def _build(
    builder: Builder,
    cls: type,
    data: Any,
    line_of: Callable[[str | None], int | None],
    row: str,
    origin: str,
) -> Any:
    if not isinstance(data, Mapping):
        builder.problem(line_of(None), row, "", "expected a table")
        return None
    keys: Sequence[Key] = keys_of(cls)
    builder.unknown_keys(data, [key.name for key in keys], line_of, row)
    fields = builder.read_keys(data, keys, line_of, row)
    if fields is None:
        return None
    return cls(**fields, origin=origin)


def parse_document(doc: Any, file: str, origin: str, locator: Locator) -> ScoreFile:
    """A whole TOML/JSON document."""
    result = ScoreFile()
    builder = Builder(file, origin, locator)
    if not isinstance(doc, Mapping):
        builder.problem(1, "", "", "expected a table with [[scores]], [[benchmarks]] …")
        result.problems = builder.problems
        return result
    builder.unknown_keys(doc, ("meta", *SECTIONS), lambda key: None, "top level")
    meta = doc.get("meta")
    if meta is not None:
        meta_path = (("meta", 0),)
        if not isinstance(meta, Mapping):
            builder.problem(locator.line(meta_path), "[meta]", "", "expected a table")
        else:

            def meta_line(key: str | None) -> int | None:
                return locator.line(meta_path, key)

            builder.unknown_keys(meta, [key.name for key in META], meta_line, "[meta]")
            builder.read_keys(meta, META, meta_line, "[meta]")
    seen: dict[tuple[object, ...], int] = {}
    for section, cls in SECTIONS.items():
        items = doc.get(section, [])
        if not isinstance(items, list):
            builder.problem(None, section, "", "expected an array of tables")
            continue
        built: list[Any] = getattr(result, section)
        for index, item in enumerate(items):
            path = ((section, index),)

            def line_of(key: str | None, path: Any = path) -> int | None:
                return locator.line(path, key)

            row = _row_name(section, item if isinstance(item, Mapping) else {}, index)
            record = _build(builder, cls, item, line_of, row, origin)
            if record is None:
                continue
            if isinstance(record, Score):
                first = seen.setdefault(record.key, index)
                if first != index:
                    builder.problem(
                        line_of(None),
                        row,
                        "",
                        f"the same model, benchmark, as_of, setting and label as scores[{first}]:"
                        " two values for one published figure (tell them apart by setting or "
                        "label)",
                    )
                    continue
            built.append(record)
    result.problems = sorted_problems(builder.problems)
    return result


def parse_csv_rows(text: str, file: str, origin: str) -> ScoreFile:
    """A CSV sheet: one score per row, columns named by the score keys."""
    result = ScoreFile()
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = reader.fieldnames or []
    except csv.Error as exc:
        result.problems.append(Problem(file, 1, "", "", f"malformed CSV: {exc}"))
        return result
    required = [key.name for key in keys_of(Score) if key.required]
    missing = [name for name in required if name not in header]
    if missing:
        message = f"missing column(s): {', '.join(missing)}"
        result.problems.append(Problem(file, 1, "", "", message))
        return result
    lines: dict[Any, int] = {}
    docs = []
    try:
        for index, row in enumerate(reader):
            lines[(("scores", index),)] = reader.line_num  # the row's (last) line
            docs.append(
                {
                    key: unquote_cell(value) if isinstance(value, str) else value
                    for key, value in row.items()
                    if key is not None and value not in (None, "")
                }
            )
    except csv.Error as exc:  # e.g. a cell past the csv module's field size limit
        result.problems.append(Problem(file, reader.line_num, "", "", f"malformed CSV: {exc}"))
        return result
    return parse_document({"scores": docs}, file, origin, LineMap(lines))


def parse_score_text(text: str, file: str, origin: str, suffix: str) -> ScoreFile:
    """Parse ``text`` by the file's extension (``.toml``, ``.json``, ``.csv``)."""
    if suffix == ".csv":
        return parse_csv_rows(text, file, origin)
    if suffix == ".json":
        doc, problems = decode_json(text, file)
        if problems:
            bad = ScoreFile()
            bad.problems.extend(problems)
            return bad
        return parse_document(doc, file, origin, Locator())
    if suffix == ".toml":
        try:
            doc = tomllib.loads(text, parse_float=Decimal)
        except tomllib.TOMLDecodeError as exc:
            match = re.search(r"line (\d+)", str(exc))
            bad = ScoreFile()
            line = int(match.group(1)) if match else None
            bad.problems.append(Problem(file, line, "", "", f"malformed TOML: {exc}"))
            return bad
        except (ValueError, RecursionError) as exc:  # 5000-digit integers, deep nesting
            bad = ScoreFile()
            reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            bad.problems.append(Problem(file, None, "", "", f"malformed TOML: {reason}"))
            return bad
        return parse_document(doc, file, origin, TomlLocator(text))
    bad = ScoreFile()
    message = f"unknown score file type {suffix or '(none)'!r}; use .toml, .json or .csv"
    bad.problems.append(Problem(file, None, "", "", message))
    return bad


def parse_score_file(path: str | os.PathLike[str], origin: str | None = None) -> ScoreFile:
    """Read and parse one score file (every problem collected, nothing raised)."""
    file = Path(path)
    text_path = str(path)
    try:  # a regular file of bounded size, UTF-8, as every configuration file
        text = config_text(read_config_file(file, "score table"), file)
    except ConfigFileError as exc:
        bad = ScoreFile()
        bad.problems.append(Problem(text_path, exc.line, "", "", exc.reason))
        return bad
    result = parse_score_text(text, text_path, origin or f"file:{text_path}", file.suffix.lower())
    if not (result.problems or result.scores or result.benchmarks or result.applies_to):
        result.problems.append(
            Problem(text_path, None, "", "", "no scores, benchmarks or applies_to entries")
        )
    return result


def load_score_file(path: str | os.PathLike[str], origin: str | None = None) -> ScoreFile:
    """One score file, or :class:`~distillcost.errors.ScoreDataError` naming its first problem."""
    result = parse_score_file(path, origin)
    result.raise_problems(str(path))
    return result


def score_files_in(directory: Path) -> list[Path]:
    """The score files of a directory, in name order (other files are not score files)."""
    if not directory.is_dir():
        return []
    return [
        p
        for p in sorted(directory.iterdir())
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in SUFFIXES
    ]
