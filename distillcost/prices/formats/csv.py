"""The price sheet: CSV (and JSON lists of row objects), one row per model and date.

A model's columns repeat on each of its rows; a long-context tier takes one row
(more tiers: more rows with the same date). Other lists (service tiers, time windows,
dated limits) sit in one cell each, as a JSON array of objects with exact decimal
strings. Exactly what ``prices list --format csv`` writes, so a sheet kept in a
spreadsheet can be fed back in. Columns derive from the declared keys: entry keys,
then ``tier_<key>`` for tier keys, then model keys.

A written sheet ends with a ``row_checksum`` column, the fingerprint of each row as
written. Read back, a row whose cells no longer match it (or a row without one, in a
sheet that has the column) is the user's: it keeps the user's numbers but not the
original ``verified`` flag, source or check date, which vouched for other numbers. A
sheet without the column (written by hand) is taken as it says.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from distillcost.cells import cell_value, csv_text, quote_cell, unquote_cell
from distillcost.decimals import decimal_str
from distillcost.errors import did_you_mean
from distillcost.prices import declarations as k
from distillcost.prices import values
from distillcost.prices.formats.document import Builder, ParseResult, sorted_problems
from distillcost.prices.formats.locate import LineMap, Path
from distillcost.prices.model import LongContextTier, ModelRecord, PriceEntry, fields_of
from distillcost.prices.problems import Problem

TIER_PREFIX = "tier_"
CHECKSUM_COLUMN = "row_checksum"


def row_checksum(columns: Sequence[str], cells: Sequence[str]) -> str:
    """The fingerprint of a row's cells (those that are not blank), by column."""
    text = "\x1f".join(f"{c}={v}" for c, v in zip(columns, cells, strict=True) if v != "")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def user_row(row: dict[str, str], file: str) -> dict[str, str]:
    """A row the user changed or added: their numbers, no inherited vouching."""
    out = dict(row)
    out[k.VERIFIED.column] = "false"
    out[k.SOURCE.column] = f"edited by the user in {PurePath(file).name}"
    out[k.CHECKED.column] = ""
    return out


def marked_rows(
    rows: Sequence[tuple[int, dict[str, str]]], columns: Sequence[str], file: str
) -> list[tuple[int, dict[str, str]]]:
    """Rows with their checksum checked: a row that does not match it is the user's."""
    marked = []
    for line, row in rows:
        row = dict(row)
        written = row.pop(CHECKSUM_COLUMN, "")
        if written != row_checksum(columns, [row.get(c, "") for c in columns]):
            row = user_row(row, file)
        marked.append((line, row))
    return marked


def _model_keys() -> list[k.Key]:
    """The model's cell columns: plain keys, and lists written as JSON (not its history)."""
    return [key for _, key, nested in fields_of(ModelRecord) if nested is not PriceEntry]


def _entry_keys() -> list[k.Key]:
    """The entry's cell columns: plain keys, and lists other than tiers written as JSON."""
    return [key for _, key, nested in fields_of(PriceEntry) if nested is not LongContextTier]


def _json_cells() -> set[str]:
    """Columns holding a list of records as JSON."""
    return {
        key.column
        for cls in (ModelRecord, PriceEntry)
        for _, key, nested in fields_of(cls)
        if nested is not None and nested not in (PriceEntry, LongContextTier)
    }


def _tier_columns() -> dict[str, str]:
    """``tier_<key>`` column -> tier key."""
    return {TIER_PREFIX + key.name: key.name for _, key, _ in fields_of(LongContextTier)}


def sheet_columns() -> tuple[str, ...]:
    """The sheet's columns in order: id, provider, the entry's, its tier's, the model's."""
    columns = [k.ID.column, k.PROVIDER.column]
    for _, key, nested in fields_of(PriceEntry):
        columns.extend(_tier_columns() if nested is LongContextTier else [key.column])
    columns += [key.column for key in _model_keys() if key not in (k.ID, k.PROVIDER)]
    return tuple(columns)


def model_columns() -> dict[str, str]:
    """Model-level column -> model key (repeated on every row of the model)."""
    return {key.column: key.name for key in _model_keys() if key is not k.ID}


def required_columns() -> tuple[str, ...]:
    required = {key.column for key in (*_model_keys(), *_entry_keys()) if key.required}
    required.add(k.PROVIDER.column)  # a sheet has no [meta] to give it
    return tuple(c for c in sheet_columns() if c in required)


def _verbatim() -> set[str]:
    return {key.column for key in (*_model_keys(), *_entry_keys()) if key.verbatim}


def accepted_columns() -> tuple[str, ...]:
    return (*sheet_columns(), *k.OUTPUT_ONLY_COLUMNS, k.UNIT_COLUMN)


# ----------------------------------------------------------------------------- writing


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {key: _jsonable(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    """A value for a cell: names joined by ``;``, lists of records as JSON, else as is."""
    if isinstance(value, tuple) and value and hasattr(value[0], "to_dict"):
        return json.dumps([_jsonable(item.to_dict()) for item in value], ensure_ascii=False)
    if isinstance(value, tuple):
        return values.ALIAS_SEPARATOR.join(value)
    return value


def sheet_rows(record: ModelRecord, entry: PriceEntry) -> list[dict[str, Any]]:
    """One row per tier (at least one) for a model's price entry, raw values by column."""
    base: dict[str, Any] = {}
    for attr, key, nested in fields_of(ModelRecord):
        if nested is not PriceEntry:
            base[key.column] = _plain(getattr(record, attr))
    for attr, key, nested in fields_of(PriceEntry):
        if nested is not LongContextTier:
            base[key.column] = _plain(getattr(entry, attr))
    if not entry.tiers:
        return [base]
    rows = []
    for tier in entry.tiers:
        row = dict(base)
        for attr, key, _ in fields_of(LongContextTier):
            row[TIER_PREFIX + key.name] = getattr(tier, attr)
        rows.append(row)
    return rows


def _cell(value: Any) -> Any:
    """Pre-escaped for :func:`~distillcost.cells.cell_value`, so the reader undoes it exactly."""
    if isinstance(value, str):
        return quote_cell(value)
    if isinstance(value, Decimal):
        return decimal_str(value)
    return value


def sheet_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Sheet rows as injection-safe CSV that :func:`parse_csv` reads back exactly, each
    with its ``row_checksum``."""
    columns = tuple(columns or sheet_columns())

    def cells(row: Mapping[str, Any]) -> list[Any]:
        written = [cell_value(_cell(row.get(c))) for c in columns]
        return [*written, row_checksum(columns, [str(v) for v in written])]

    return csv_text((cells(row) for row in rows), header=[*columns, CHECKSUM_COLUMN])


def records_csv_text(
    pairs: Iterable[tuple[ModelRecord, PriceEntry]], extra: Sequence[str] = ()
) -> str:
    """The CSV for (model, entry) pairs, e.g. the prices in force on a date."""
    rows: list[dict[str, Any]] = []
    for record, entry in pairs:
        for row in sheet_rows(record, entry):
            if "origin" in extra:
                row["origin"] = record.origin
            if "overrides" in extra:
                row["overrides"] = " < ".join(record.overrides)
            rows.append(row)
    return sheet_csv(rows, (*sheet_columns(), *extra))


# ----------------------------------------------------------------------------- reading


def parse_csv(text: str, file: str, origin: str) -> ParseResult:
    """A CSV price sheet: one row per (model, effective_from), model columns repeated."""
    result = ParseResult()
    if text.startswith("\ufeff"):  # Excel's UTF-8 byte-order mark
        text = text[1:]
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if "," not in first_line and ";" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, dict[str, Any]]] = []
    header: list[str] | None = None
    header_line = 1
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip().lstrip("\ufeff") for c in cells]
                header_line = line
                continue
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                message = f"{len(cells)} cells but the header has {len(header)} columns"
                result.problems.append(Problem(file, line, "", "", message))
                continue
            rows.append(
                (line, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)})
            )
    except csv.Error as exc:
        result.problems.append(Problem(file, reader.line_num, "", "", f"malformed CSV: {exc}"))
        return result
    if header is None:
        result.problems.append(Problem(file, 1, "", "", "empty CSV: no header row"))
        return result
    # a sheet written by hand (no checksum column) is taken as it says
    return sheet_result(result, header, header_line, rows, file, origin, mark_all=False)


def sheet_result(
    result: ParseResult,
    header: Sequence[str],
    header_line: int,
    rows: Sequence[tuple[int, dict[str, str]]],
    file: str,
    origin: str,
    *,
    mark_all: bool,
) -> ParseResult:
    """A sheet's rows (CSV or xlsx) checked against their header and read into records.

    ``mark_all``: check every row against its ``row_checksum`` (a row without one is the
    user's), else only when the sheet has that column.
    """
    columns = [h for h in header if h != CHECKSUM_COLUMN]
    header_problems = _check_header(columns, file, header_line)
    result.problems.extend(header_problems)
    if any(not p.message.startswith("unknown column") for p in header_problems):
        return result  # a missing or repeated column: rows cannot be read sensibly
    if mark_all or len(columns) < len(header):
        rows = marked_rows(rows, columns, file)
    known = set(accepted_columns())
    kept = [(line, {c: v for c, v in row.items() if c in known}) for line, row in rows]
    parsed = parse_rows(kept, file, origin, header=columns)
    parsed.problems = result.problems + parsed.problems
    return parsed


def _check_header(header: Sequence[str], file: str, line: int) -> list[Problem]:
    problems = []
    allowed = accepted_columns()
    for column in header:
        if column not in allowed:
            close = did_you_mean(column, allowed)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            problems.append(Problem(file, line, "header", column, f"unknown column.{hint}"))
    for column in required_columns():
        if column not in header:
            problems.append(Problem(file, line, "header", column, "missing required column"))
    seen = set()
    for column in header:
        if column in seen:
            problems.append(Problem(file, line, "header", column, "duplicate column"))
        seen.add(column)
    return problems


def _clean(column: str, value: Any, verbatim: set[str]) -> Any:
    if not isinstance(value, str):
        return value
    value = unquote_cell(value)
    if column in _json_cells() and value.strip():
        try:
            return json.loads(value, parse_float=Decimal)
        except (json.JSONDecodeError, RecursionError):
            return value  # the key's reader says what is wrong with it
    return value if column in verbatim else value.strip()


def parse_rows(
    rows: Sequence[tuple[int, Any]], file: str, origin: str, header: Sequence[str] | None
) -> ParseResult:
    """Flat rows (CSV, or a JSON list of row objects) -> records, via the document builder."""
    result = ParseResult()
    lines: dict[Path, int] = {}
    builder = Builder(file, origin, LineMap(lines))
    if header is None:  # JSON rows: check every row's keys like a header
        allowed = accepted_columns()
        for line, row in rows:
            if not isinstance(row, Mapping):
                builder.problem(None, f"rows[{line - 1}]", "", "expected an object")
                continue
            builder.unknown_keys(row, allowed, lambda key: None, f"rows[{line - 1}]")
        if builder.problems:
            result.problems = builder.problems
            return result
    verbatim = _verbatim()
    entry_columns = [key.column for key in _entry_keys()]
    tier_columns = _tier_columns()
    models_by_id: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for line, raw in rows:
        row = {c: _clean(c, v, verbatim) for c, v in raw.items() if c not in k.OUTPUT_ONLY_COLUMNS}
        key = row.get(k.ID.column, "")
        models_by_id.setdefault(key if isinstance(key, str) else repr(key), []).append((line, row))
    docs: list[dict[str, Any]] = []
    factors: list[Decimal] = []
    for model_id, group in models_by_id.items():
        doc = _model_doc(builder, model_id, group, entry_columns, tier_columns, lines, len(docs))
        if doc is None:
            continue
        model, factor = doc
        docs.append(model)
        factors.append(factor)
    records = builder.models(docs, None, factors, None)
    result.records = records
    result.problems = sorted_problems(builder.problems)
    return result


def _model_doc(
    builder: Builder,
    model_id: str,
    group: list[tuple[int, dict[str, Any]]],
    entry_columns: Sequence[str],
    tier_columns: Mapping[str, str],
    lines: dict[Path, int],
    mi: int,
) -> tuple[dict[str, Any], Decimal] | None:
    """One model's rows as a nested document (entries by date, tiers by row), or None."""
    first_line, first = group[0]
    row_label = f"model {model_id!r}" if model_id else "row"
    model: dict[str, Any] = {"id": first.get(k.ID.column, "")}
    columns = model_columns()
    for column, key in columns.items():
        if column in first and first[column] != "":
            model[key] = first[column]
    ok = True
    for line, row in group[1:]:  # model-level columns must repeat on every row of a model
        for column in columns:
            if row.get(column, "") != first.get(column, ""):
                builder.problem(
                    line,
                    row_label,
                    column,
                    f"differs from line {first_line} ({first.get(column, '')!r}) for the "
                    "same model; model-level columns must repeat the same value on every row",
                )
    entries: dict[Any, dict[str, Any]] = {}
    first_rows: dict[Any, tuple[int, dict[str, Any]]] = {}
    entry_lines: list[int] = []
    units: set[Decimal] = set()
    for line, row in group:
        entry = {c: row[c] for c in entry_columns if c in row and row[c] != ""}
        tier = {key: row[c] for c, key in tier_columns.items() if c in row and row[c] != ""}
        when = row.get(k.EFFECTIVE_FROM.column, "")
        if when in entries and when != "":
            prev_line, prev = first_rows[when]
            same = all(prev.get(c, "") == row.get(c, "") for c in (*entry_columns, k.UNIT_COLUMN))
            if tier and same and entries[when].get("tiers"):
                entries[when]["tiers"].append(tier)
                continue
            builder.problem(
                line,
                f"{row_label} price from {when}",
                k.EFFECTIVE_FROM.name,
                f"duplicate effective date {when} for this model (also on line {prev_line})",
            )
            ok = False
            continue
        if tier:
            entry["tiers"] = [tier]
        unit = row.get(k.UNIT_COLUMN, "")
        factor = Decimal(1)
        if unit:
            try:
                factor = values.unit(unit)
            except values.FieldError as exc:
                builder.problem(line, row_label, k.UNIT_COLUMN, str(exc))
                ok = False
                continue
        units.add(factor)
        entries[when if when != "" else object()] = entry
        first_rows[when] = (line, row)
        entry_lines.append(line)
    if len(units) > 1:
        builder.problem(first_line, row_label, k.UNIT_COLUMN, "rows of one model mix units")
        return None
    if not ok:
        return None
    lines[(("models", mi),)] = first_line
    for ei, line in enumerate(entry_lines):
        lines[(("models", mi), ("prices", ei))] = line
    model["prices"] = list(entries.values())
    return model, units.pop() if units else Decimal(1)
