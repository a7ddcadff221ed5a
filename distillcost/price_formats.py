"""Reading and writing price tables: TOML, CSV, JSON, LiteLLM's map, genai-prices.

Every reader turns a file into :class:`~distillcost.prices.ModelRecord` objects
*and* a list of :class:`Problem` s — every problem in the file, each naming the
file, line, row and field — so ``distillcost prices validate`` can report them
all at once. Numbers never pass through ``float``: TOML and JSON are parsed with
``parse_float=Decimal`` and CSV cells with ``Decimal(str)``.

The file format is documented in ``pricing/README.md`` (installed with the package);
the CSV form (one row per model and
effective date, model-level columns repeated) exists so that a price sheet kept
in a spreadsheet can be fed back in, and ``prices list --format csv`` writes
exactly that form.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from distillcost.errors import NotAvailableError, did_you_mean
from distillcost.export import FORMULA_PREFIXES, csv_text, decimal_str
from distillcost.prices import (
    MILLION,
    LongContextTier,
    ModelRecord,
    PriceEntry,
    Problem,
)

# The tiktoken encodings distillcost can count with (kept in step with tokens.ENCODINGS,
# which we do not import here because it loads tiktoken).
KNOWN_ENCODINGS: tuple[str, ...] = ("o200k_base", "cl100k_base", "p50k_base", "r50k_base")

# Sanity bounds: a hostile or mis-keyed table must not print a million digits.
MAX_PRICE = Decimal(1_000_000)  # USD per 1M tokens (or per request)
MIN_PRICE = Decimal("1e-20")  # a non-zero price below this (in any unit) is a typo
MAX_COUNT = 10**12  # tokens

# Accepted `unit` values and the factor that turns them into USD per 1M tokens.
UNITS: dict[str, Decimal] = {
    "USD per 1M tokens": Decimal(1),
    "USD per 1K tokens": Decimal(1000),
}

META_KEYS = ("provider", "unit", "checked", "notes")
MODEL_KEYS = (
    "id",
    "provider",
    "aliases",
    "encoding",
    "token_ratio",
    "tokenizer_approximate",
    "tokenizer_source",
    "context_window",
    "max_output_tokens",
    "released",
    "retired",
    "notes",
    "prices",
)
ENTRY_KEYS = (
    "effective_from",
    "input",
    "output",
    "cached_input",
    "cache_write",
    "batch_input",
    "batch_output",
    "reasoning_billed_as_output",
    "training",
    "per_request",
    "source",
    "checked",
    "verified",
    "notes",
    "tiers",
)
TIER_KEYS = ("above_prompt_tokens", "input", "output", "cached_input", "cache_write")
# Token prices (converted by `unit`); per_request is USD per request and never converted.
TOKEN_PRICE_KEYS = (
    "input",
    "output",
    "cached_input",
    "cache_write",
    "batch_input",
    "batch_output",
    "training",
)

# CSV columns in the order `prices list --format csv` writes them.
CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "provider",
    "effective_from",
    "input",
    "output",
    "cached_input",
    "cache_write",
    "batch_input",
    "batch_output",
    "tier_above_prompt_tokens",
    "tier_input",
    "tier_output",
    "tier_cached_input",
    "tier_cache_write",
    "reasoning_billed_as_output",
    "training",
    "per_request",
    "source",
    "checked",
    "verified",
    "notes",
    "aliases",
    "encoding",
    "token_ratio",
    "tokenizer_approximate",
    "tokenizer_source",
    "context_window",
    "max_output_tokens",
    "released",
    "retired",
    "model_notes",
)
CSV_REQUIRED = ("id", "provider", "effective_from", "input", "output", "source", "encoding")
# Columns our own output adds for people; ignored when the file is read back.
CSV_OUTPUT_ONLY = ("status", "origin", "overrides")
CSV_EXTRA_INPUT = ("unit",)
# Model-level CSV columns -> model key (repeated on every row of the model).
CSV_MODEL_COLUMNS = {
    "provider": "provider",
    "aliases": "aliases",
    "encoding": "encoding",
    "token_ratio": "token_ratio",
    "tokenizer_approximate": "tokenizer_approximate",
    "tokenizer_source": "tokenizer_source",
    "context_window": "context_window",
    "max_output_tokens": "max_output_tokens",
    "released": "released",
    "retired": "retired",
    "model_notes": "notes",
}
CSV_TIER_COLUMNS = {
    "tier_above_prompt_tokens": "above_prompt_tokens",
    "tier_input": "input",
    "tier_output": "output",
    "tier_cached_input": "cached_input",
    "tier_cache_write": "cache_write",
}
ALIAS_SEPARATOR = ";"
# Cells kept verbatim (no whitespace stripping): free text.
_VERBATIM = ("notes", "model_notes", "tokenizer_source")

# LiteLLM's map has no dates: its rows take this effective date, unverified.
LITELLM_EFFECTIVE_FROM = date(1970, 1, 1)
LITELLM_MODES = ("chat", "completion", "responses")
_LITELLM_TIER = re.compile(
    r"^(input|output|cache_read_input|cache_creation_input)_(?:token_)?cost"
    r"(?:_per_token)?_above_(\d+)k_tokens$"
)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass
class ParseResult:
    """What a reader found: the records, every problem, and non-fatal warnings."""

    records: list[ModelRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class _FieldError(ValueError):
    """A bad value; the caller knows where it was and files a Problem."""


# --------------------------------------------------------------------- value coercion


def _comma_hint(text: str) -> str:
    """A spreadsheet saved with a decimal comma (0,8) gets told what to write instead."""
    if re.fullmatch(r"\d+,\d+", text):
        return f" (write a decimal point: {text.replace(',', '.')})"
    return ""


def _money(value: Any) -> Decimal:
    """A price: a finite, non-negative Decimal from an int, Decimal or numeric text."""
    if isinstance(value, bool):
        raise _FieldError(f"expected a number, got {str(value).lower()}")
    if isinstance(value, float):
        raise _FieldError(f"got the float {value!r}; give prices as text or Decimal, never float")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if text.startswith("$"):
            text = text[1:].strip()
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise _FieldError(f"not a number: {value!r}{_comma_hint(text)}") from None
    else:
        raise _FieldError(f"expected a number, got {type(value).__name__}")
    if number.is_nan():
        raise _FieldError("NaN is not a price")
    if number.is_infinite():
        raise _FieldError("infinite price")
    if number < 0:
        if number.adjusted() > 12:
            raise _FieldError(f"negative price {number}; prices must be >= 0")
        raise _FieldError(f"negative price {decimal_str(number)}; prices must be >= 0")
    if number > MAX_PRICE:
        raise _FieldError(
            f"implausibly large price {number} (over {MAX_PRICE} USD per 1M tokens); check the unit"
        )
    if 0 < number < MIN_PRICE:  # 1e-999999 per token was printed with a million zeros
        raise _FieldError(
            f"implausibly small price {number} (not 0, but below {MIN_PRICE}); check the unit"
        )
    return number


def _positive_int(value: Any) -> int:
    """A token count: a whole number > 0 (also from text like "128000")."""
    if isinstance(value, bool):
        raise _FieldError(f"expected a whole number, got {str(value).lower()}")
    number: Decimal | int
    if isinstance(value, int):
        number = value
    elif isinstance(value, (Decimal, str)):
        try:
            number = Decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation:
            raise _FieldError(f"not a number: {value!r}") from None
        if not number.is_finite() or number != number.to_integral_value():
            raise _FieldError(f"expected a whole number, got {value!r}")
        if number.adjusted() > 12:
            raise _FieldError(f"implausibly large number {number}")
        number = int(number)
    else:
        raise _FieldError(f"expected a whole number, got {type(value).__name__}")
    if number <= 0:
        raise _FieldError(f"must be a positive whole number, got {number}")
    if number > MAX_COUNT:
        raise _FieldError(f"implausibly large number {number}")
    return int(number)


def _ratio(value: Any) -> Decimal:
    number = _money(value)
    if number == 0:
        raise _FieldError("must be greater than 0")
    return number


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        raise _FieldError(f"expected a date (YYYY-MM-DD), got the date-time {value.isoformat()}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _ISO_DATE.match(text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        hint = " (a spreadsheet may have reformatted it)" if "/" in text or "." in text else ""
        raise _FieldError(f"expected a date as YYYY-MM-DD, got {value!r}{hint}")
    raise _FieldError(f"expected a date as YYYY-MM-DD, got {type(value).__name__}")


_TRUE = ("true", "yes", "1")
_FALSE = ("false", "no", "0")


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in (*_TRUE, *_FALSE):
        return value.strip().lower() in _TRUE
    raise _FieldError(f"expected true or false, got {value!r}")


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise _FieldError(f"expected text, got {type(value).__name__}")


def _name(value: Any) -> str:
    """A model id or alias: non-empty text without surrounding space or control chars."""
    text = _text(value)
    if not text:
        raise _FieldError("must not be empty")
    if text != text.strip():
        raise _FieldError(f"{text!r} has leading or trailing whitespace")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise _FieldError(f"{text!r} contains a control character")
    return text


def _aliases(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        items: list[Any] = [a.strip() for a in value.split(ALIAS_SEPARATOR) if a.strip()]
    elif isinstance(value, list):
        items = value
    else:
        raise _FieldError(f"expected a list of names, got {type(value).__name__}")
    return tuple(_name(a) for a in items)


def _encoding(value: Any) -> str:
    text = _text(value).strip()
    if text not in KNOWN_ENCODINGS:
        close = did_you_mean(text, KNOWN_ENCODINGS, n=1)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        hint = hint or f" Known: {', '.join(KNOWN_ENCODINGS)}."
        raise _FieldError(f"unknown encoding {text!r}.{hint}")
    return text


def _unit(value: Any) -> Decimal:
    text = _text(value).strip()
    if text not in UNITS:
        close = did_you_mean(text, UNITS)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        hint = hint or f" Accepted: {', '.join(repr(u) for u in UNITS)}."
        raise _FieldError(f"unknown unit {text!r}.{hint}")
    return UNITS[text]


MODEL_COERCE: dict[str, Callable[[Any], Any]] = {
    "id": _name,
    "provider": lambda v: _name(v),
    "aliases": _aliases,
    "encoding": _encoding,
    "token_ratio": _ratio,
    "tokenizer_approximate": _bool,
    "tokenizer_source": _text,
    "context_window": _positive_int,
    "max_output_tokens": _positive_int,
    "released": _date,
    "retired": _date,
    "notes": _text,
}
ENTRY_COERCE: dict[str, Callable[[Any], Any]] = {
    "effective_from": _date,
    "input": _money,
    "output": _money,
    "cached_input": _money,
    "cache_write": _money,
    "batch_input": _money,
    "batch_output": _money,
    "reasoning_billed_as_output": _bool,
    "training": _money,
    "per_request": _money,
    "source": lambda v: _name(v),
    "checked": _date,
    "verified": _bool,
    "notes": _text,
}
TIER_COERCE: dict[str, Callable[[Any], Any]] = {
    "above_prompt_tokens": _positive_int,
    "input": _money,
    "output": _money,
    "cached_input": _money,
    "cache_write": _money,
}


# --------------------------------------------------------------------- locating lines


class _Locator:
    """Maps (model, entry, tier, field) positions to line numbers; default: none known."""

    def meta(self, key: str | None = None) -> int | None:
        return None

    def model(self, mi: int, key: str | None = None) -> int | None:
        return None

    def entry(self, mi: int, ei: int, key: str | None = None) -> int | None:
        return self.model(mi)

    def tier(self, mi: int, ei: int, ti: int, key: str | None = None) -> int | None:
        return self.entry(mi, ei)


_HEADER = re.compile(r"^\s*\[\[\s*(models(?:\s*\.\s*prices(?:\s*\.\s*tiers)?)?)\s*\]\]")
_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\s\"]+)\s*\]\s*(#.*)?$")


class _TomlLocator(_Locator):
    """Finds `[[models]]` / `[[models.prices]]` / `[[models.prices.tiers]]` blocks by scanning.

    tomllib reports no positions for keys, so a light line scan maps the n-th
    block to its header line and a key to its `key =` line inside that block
    (up to the next header). Tables written inline are not found; the enclosing
    block's line is used instead.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        starts: list[tuple[tuple[Any, ...], int]] = []
        mi = ei = ti = -1
        for number, line in enumerate(self.lines, start=1):
            match = _HEADER.match(line)
            if match:
                kind = re.sub(r"\s", "", match.group(1))
                if kind == "models":
                    mi, ei, ti = mi + 1, -1, -1
                    starts.append((("m", mi), number))
                elif kind == "models.prices":
                    ei, ti = ei + 1, -1
                    starts.append((("e", mi, ei), number))
                else:
                    ti += 1
                    starts.append((("t", mi, ei, ti), number))
            elif _TABLE.match(line):
                name = _TABLE.match(line).group(1).strip()  # type: ignore[union-attr]
                starts.append((("meta",) if name == "meta" else ("other",), number))
        self.blocks: dict[tuple[Any, ...], tuple[int, int]] = {}
        for i, (key, start) in enumerate(starts):
            end = starts[i + 1][1] - 1 if i + 1 < len(starts) else len(self.lines)
            self.blocks.setdefault(key, (start, end))

    def _find(self, block: tuple[int, int] | None, key: str | None) -> int | None:
        if block is None:
            return None
        start, end = block
        if key:
            pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
            for number in range(start, end + 1):
                if pattern.match(self.lines[number - 1]):
                    return number
        return start

    def meta(self, key: str | None = None) -> int | None:
        return self._find(self.blocks.get(("meta",)), key)

    def model(self, mi: int, key: str | None = None) -> int | None:
        return self._find(self.blocks.get(("m", mi)), key)

    def entry(self, mi: int, ei: int, key: str | None = None) -> int | None:
        block = self.blocks.get(("e", mi, ei))
        return self._find(block, key) if block else self.model(mi, "prices")

    def tier(self, mi: int, ei: int, ti: int, key: str | None = None) -> int | None:
        block = self.blocks.get(("t", mi, ei, ti))
        return self._find(block, key) if block else self.entry(mi, ei, "tiers")


class _JsonLocator(_Locator):
    """Best effort for JSON: the line where a model's id string first appears."""

    def __init__(self, text: str, models: Sequence[Any]) -> None:
        self.lines_of: dict[int, int] = {}
        for mi, model in enumerate(models):
            if isinstance(model, Mapping) and isinstance(model.get("id"), str):
                needle = json.dumps(model["id"], ensure_ascii=False)
                position = text.find(needle)
                if position >= 0:
                    self.lines_of[mi] = text.count("\n", 0, position) + 1

    def model(self, mi: int, key: str | None = None) -> int | None:
        return self.lines_of.get(mi)


# --------------------------------------------------------------------- the common model builder


class _Builder:
    """Validates nested model dicts (the TOML/JSON shape) and builds records."""

    def __init__(self, file: str, origin: str, locator: _Locator) -> None:
        self.file = file
        self.origin = origin
        self.loc = locator
        self.problems: list[Problem] = []
        self.meta_failed = False

    def problem(self, line: int | None, row: str, key: str, message: str) -> None:
        self.problems.append(Problem(self.file, line, row, key, message))

    def unknown_keys(
        self,
        data: Mapping[str, Any],
        allowed: Sequence[str],
        line_of: Callable[[str], Any],
        row: str,
    ) -> None:
        for key in data:
            if key not in allowed:
                close = did_you_mean(str(key), allowed)
                hint = f" Did you mean: {', '.join(close)}?" if close else ""
                self.problem(line_of(key), row, str(key), f"unknown field.{hint}")

    def coerce(
        self,
        data: Mapping[str, Any],
        rules: Mapping[str, Callable[[Any], Any]],
        required: Sequence[str],
        line_of: Callable[[str | None], int | None],
        row: str,
        into: dict[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """Coerce every known key; None when any problem was filed.

        ``into`` receives the fields that did coerce either way (so one bad
        ``[meta]`` key does not hide the good ones).
        """
        out: dict[str, Any] = {} if into is None else into
        ok = True
        for key in required:
            if key not in data or data[key] is None or data[key] == "":
                self.problem(line_of(None), row, key, "missing required field")
                ok = False
        for key, raw in data.items():
            rule = rules.get(key)
            if rule is None or raw is None or (raw == "" and key not in ("notes",)):
                continue
            try:
                out[key] = rule(raw)
            except _FieldError as exc:
                self.problem(line_of(key), row, key, str(exc))
                ok = False
        return out if ok else None

    def document(self, doc: Any, *, default_provider: str | None = None) -> list[ModelRecord]:
        """A whole TOML/JSON document: `[meta]` and `[[models]]`."""
        if not isinstance(doc, Mapping):
            self.problem(1, "", "", "expected a table with [meta] and [[models]]")
            return []
        self.unknown_keys(doc, ("meta", "models"), lambda k: None, "top level")
        meta = doc.get("meta")
        provider = default_provider
        factor = Decimal(1)
        meta_checked: date | None = None
        if meta is None:
            self.problem(1, "[meta]", "", "missing required table [meta] (with provider = ...)")
            self.meta_failed = True
        elif not isinstance(meta, Mapping):
            self.problem(self.loc.meta(), "[meta]", "", "expected a table")
            self.meta_failed = True
        else:
            self.unknown_keys(meta, META_KEYS, self.loc.meta, "[meta]")
            rules = {
                "provider": MODEL_COERCE["provider"],
                "unit": _unit,
                "checked": _date,
                "notes": _text,
            }
            fields: dict[str, Any] = {}
            self.coerce(meta, rules, ("provider",), self.loc.meta, "[meta]", into=fields)
            provider = fields.get("provider", provider)
            self.meta_failed = provider is None
            factor = fields.get("unit", factor)
            meta_checked = fields.get("checked")
        models = doc.get("models")
        if models is None:
            self.problem(None, "", "models", "missing required field (no [[models]] tables)")
            return []
        if not isinstance(models, list):
            self.problem(None, "", "models", "expected an array of tables [[models]]")
            return []
        records = []
        index: dict[int, int] = {}
        for mi, model in enumerate(models):
            record = self.model(mi, model, provider, factor, meta_checked)
            if record is not None:
                index[id(record)] = mi
                records.append(record)

        def report(r: ModelRecord, key: str, msg: str, other: ModelRecord) -> None:
            where = self.loc.model(index[id(other)])
            suffix = f" (first defined on line {where})" if where else ""
            self.problem(self.loc.model(index[id(r)], key), f"model {r.id!r}", key, msg + suffix)

        check_names(records, report)
        return records

    def model(
        self,
        mi: int,
        data: Any,
        provider: str | None,
        factor: Decimal,
        meta_checked: date | None,
        *,
        line_of: Callable[[str | None], int | None] | None = None,
        entry_line: Callable[[int, str | None], int | None] | None = None,
    ) -> ModelRecord | None:
        model_id = data.get("id") if isinstance(data, Mapping) else None
        row = f"model {model_id!r}" if isinstance(model_id, str) and model_id else f"models[{mi}]"
        if line_of is None:

            def line_of(key: str | None, mi: int = mi) -> int | None:
                return self.loc.model(mi, key)

        if not isinstance(data, Mapping):
            self.problem(line_of(None), row, "", "expected a table")
            return None
        self.unknown_keys(data, MODEL_KEYS, line_of, row)
        required = ["id", "encoding", "prices"]
        fields = self.coerce(data, MODEL_COERCE, required, line_of, row)
        if provider is None and "provider" not in data:
            if not self.meta_failed:  # a missing [meta] provider was already reported
                self.problem(line_of(None), row, "provider", "missing required field")
            fields = None
        entries_raw = data.get("prices")
        entries: list[tuple[int, PriceEntry]] = []
        if entries_raw is not None and not isinstance(entries_raw, list):
            self.problem(line_of("prices"), row, "prices", "expected an array of tables")
            return None
        for ei, raw in enumerate(entries_raw or []):
            entry = self.entry(mi, ei, raw, row, factor, meta_checked, entry_line)
            if entry is not None:
                entries.append((ei, entry))
        if entries_raw == []:
            self.problem(line_of("prices"), row, "prices", "a model needs at least one price entry")
            return None
        if fields is None or len(entries) != len(entries_raw or []):
            return None
        if entry_line is None:

            def entry_line(ei: int, key: str | None, mi: int = mi) -> int | None:
                return self.loc.entry(mi, ei, key)

        if not self.check_model(fields, row, entries, line_of, entry_line):
            return None
        record = ModelRecord(
            id=fields["id"],
            provider=fields.get("provider", provider or ""),
            history=tuple(entry for _, entry in entries),
            aliases=fields.get("aliases", ()),
            encoding=fields["encoding"],
            token_ratio=fields.get("token_ratio"),
            tokenizer_approximate=fields.get("tokenizer_approximate", False),
            tokenizer_source=fields.get("tokenizer_source", ""),
            context_window=fields.get("context_window"),
            max_output_tokens=fields.get("max_output_tokens"),
            released=fields.get("released"),
            retired=fields.get("retired"),
            notes=fields.get("notes", ""),
            origin=self.origin,
        )
        return record

    def entry(
        self,
        mi: int,
        ei: int,
        data: Any,
        model_row: str,
        factor: Decimal,
        meta_checked: date | None,
        entry_line: Callable[[int, str | None], int | None] | None,
    ) -> PriceEntry | None:
        when = data.get("effective_from") if isinstance(data, Mapping) else None
        label = when.isoformat() if isinstance(when, date) else str(when) if when else None
        row = f"{model_row} price from {label}" if label else f"{model_row} prices[{ei}]"
        if entry_line is None:

            def line_of(key: str | None) -> int | None:
                return self.loc.entry(mi, ei, key)

        else:

            def line_of(key: str | None) -> int | None:
                return entry_line(ei, key)

        if not isinstance(data, Mapping):
            self.problem(line_of(None), row, "", "expected a table")
            return None
        self.unknown_keys(data, ENTRY_KEYS, line_of, row)
        fields = self.coerce(
            data, ENTRY_COERCE, ("effective_from", "input", "output", "source"), line_of, row
        )
        tiers: list[LongContextTier] = []
        tiers_raw = data.get("tiers")
        if tiers_raw is not None and not isinstance(tiers_raw, list):
            self.problem(line_of("tiers"), row, "tiers", "expected an array of tables")
            return None
        for ti, raw in enumerate(tiers_raw or []):
            tier = self.tier(mi, ei, ti, raw, row, factor, entry_line, line_of)
            if tier is not None:
                tiers.append(tier)
        if fields is None or len(tiers) != len(tiers_raw or []):
            return None
        seen: dict[int, int] = {}
        for ti, tier in enumerate(tiers):
            if tier.above_prompt_tokens in seen:
                self.problem(
                    self.loc.tier(mi, ei, ti, "above_prompt_tokens")
                    if entry_line is None
                    else line_of(None),
                    row,
                    "above_prompt_tokens",
                    f"duplicate tier threshold {tier.above_prompt_tokens}",
                )
                return None
            seen[tier.above_prompt_tokens] = ti
        for key in TOKEN_PRICE_KEYS:
            if key in fields:
                fields[key] = fields[key] * factor
        return PriceEntry(
            effective_from=fields["effective_from"],
            input=fields["input"],
            output=fields["output"],
            cached_input=fields.get("cached_input"),
            cache_write=fields.get("cache_write"),
            batch_input=fields.get("batch_input"),
            batch_output=fields.get("batch_output"),
            tiers=tuple(sorted(tiers, key=lambda t: t.above_prompt_tokens)),
            reasoning_billed_as_output=fields.get("reasoning_billed_as_output", True),
            training=fields.get("training"),
            per_request=fields.get("per_request"),
            source=fields["source"],
            checked=fields.get("checked", meta_checked),
            verified=fields.get("verified", False),
            notes=fields.get("notes", ""),
        )

    def tier(
        self,
        mi: int,
        ei: int,
        ti: int,
        data: Any,
        entry_row: str,
        factor: Decimal,
        entry_line: Callable[[int, str | None], int | None] | None,
        entry_line_of: Callable[[str | None], int | None],
    ) -> LongContextTier | None:
        row = f"{entry_row} tiers[{ti}]"
        if entry_line is None:

            def line_of(key: str | None) -> int | None:
                return self.loc.tier(mi, ei, ti, key)

        else:
            line_of = entry_line_of
        if not isinstance(data, Mapping):
            self.problem(line_of(None), row, "", "expected a table")
            return None
        self.unknown_keys(data, TIER_KEYS, line_of, row)
        fields = self.coerce(
            data, TIER_COERCE, ("above_prompt_tokens", "input", "output"), line_of, row
        )
        if fields is None:
            return None
        return LongContextTier(
            above_prompt_tokens=fields["above_prompt_tokens"],
            input=fields["input"] * factor,
            output=fields["output"] * factor,
            cached_input=fields["cached_input"] * factor if "cached_input" in fields else None,
            cache_write=fields["cache_write"] * factor if "cache_write" in fields else None,
        )

    def check_model(
        self,
        fields: Mapping[str, Any],
        row: str,
        entries: Sequence[tuple[int, PriceEntry]],
        line_of: Callable[[str | None], int | None],
        entry_line: Callable[[int, str | None], int | None],
    ) -> bool:
        """Consistency inside one model: dates, duplicates, retirement, aliases."""
        before = len(self.problems)
        released, retired = fields.get("released"), fields.get("retired")
        if retired and released and released > retired:
            self.problem(
                line_of("retired"),
                row,
                "retired",
                f"retired {retired} is before released {released}",
            )
        seen: dict[date, int] = {}
        for ei, entry in entries:
            when = entry.effective_from
            where = f"{row} price from {when}"
            if when in seen:
                self.problem(
                    entry_line(ei, "effective_from"),
                    where,
                    "effective_from",
                    f"duplicate effective date {when} for this model"
                    + (f" (also on line {seen[when]})" if seen[when] else ""),
                )
            else:
                seen[when] = entry_line(ei, "effective_from") or 0
            if retired and when > retired:
                self.problem(
                    entry_line(ei, "effective_from"),
                    where,
                    "effective_from",
                    f"effective date {when} is after the model's retirement on {retired}",
                )
        if fields.get("id") in fields.get("aliases", ()):
            self.problem(line_of("aliases"), row, "aliases", "an alias repeats the model's id")
        return len(self.problems) == before


def check_names(
    records: Sequence[ModelRecord],
    report: Callable[[ModelRecord, str, str, ModelRecord], None],
) -> None:
    """Duplicate model ids and aliases colliding with another model's id or alias.

    ``report(record, field, message, other)`` is called for each clash; the
    caller adds where ``other`` was defined (it knows the lines and files).
    """
    owner: dict[str, tuple[ModelRecord, str]] = {}
    for record in records:
        first = owner.get(record.id)
        if first is not None and first[1] == "id":
            report(record, "id", f"duplicate model id {record.id!r}", first[0])
            continue
        for name, kind in [(record.id, "id"), *((a, "alias") for a in record.aliases)]:
            other = owner.get(name)
            if other is not None and other[0] is not record:
                report(
                    record,
                    "aliases" if kind == "alias" else "id",
                    f"{kind} {name!r} collides with the {other[1]} of model {other[0].id!r}",
                    other[0],
                )
            elif other is None:
                owner[name] = (record, kind)


# --------------------------------------------------------------------- TOML / JSON


def parse_toml(text: str, file: str, origin: str) -> ParseResult:
    """A TOML price table (the format in pricing/README.md)."""
    result = ParseResult()
    try:
        doc = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        line = _line_from_message(str(exc))
        result.problems.append(Problem(file, line, "", "", f"malformed TOML: {exc}"))
        return result
    except (ValueError, RecursionError) as exc:  # e.g. an integer with 5000 digits
        reason = str(exc) if isinstance(exc, ValueError) else "nested too deeply"
        result.problems.append(Problem(file, None, "", "", f"malformed TOML: {reason}"))
        return result
    builder = _Builder(file, origin, _TomlLocator(text))
    result.records = builder.document(doc)
    result.problems = _sorted(builder.problems)
    return result


def _line_from_message(message: str) -> int | None:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else None


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: p.line or 0)


class _DuplicateKeyError(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKeyError(key)
        out[key] = value
    return out


def parse_json(text: str, file: str, origin: str) -> ParseResult:
    """A JSON table: our schema, a list of flat rows (the CSV form), or LiteLLM's map."""
    result = ParseResult()
    try:
        doc = json.loads(text, parse_float=Decimal, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        result.problems.append(Problem(file, exc.lineno, "", "", f"malformed JSON: {exc.msg}"))
        return result
    except RecursionError:
        result.problems.append(Problem(file, None, "", "", "malformed JSON: nested too deeply"))
        return result
    except _DuplicateKeyError as exc:
        key = exc.args[0]
        needle = json.dumps(key, ensure_ascii=False)
        positions = [m.start() for m in re.finditer(re.escape(needle) + r"\s*:", text)]
        line = text.count("\n", 0, positions[1]) + 1 if len(positions) > 1 else None
        result.problems.append(Problem(file, line, "", key, f"duplicate key {key!r}"))
        return result
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        result.problems.append(Problem(file, None, "", "", f"malformed JSON: {exc}"))
        return result
    if is_litellm_map(doc):
        return parse_litellm(doc, file, origin, text)
    if isinstance(doc, list):
        return _parse_rows(
            [(i + 1, _json_row(row)) for i, row in enumerate(doc)],
            file,
            origin,
            header=None,
        )
    models = doc.get("models") if isinstance(doc, Mapping) else None
    builder = _Builder(file, origin, _JsonLocator(text, models if isinstance(models, list) else []))
    result.records = builder.document(doc)
    result.problems = _sorted(builder.problems)
    return result


def _json_row(row: Any) -> Any:
    if isinstance(row, Mapping):
        return {k: ("" if v is None else v) for k, v in row.items()}
    return row


# --------------------------------------------------------------------- CSV


def unquote_cell(text: str) -> str:
    """Undo exactly the quote :func:`quote_cell` plus ``csv_safe`` added.

    A cell made of one or more ``'`` followed by a formula trigger lost one ``'``
    on the way in; anything else is left alone.
    """
    if text.startswith("'"):
        rest = text.lstrip("'")
        if rest.startswith(FORMULA_PREFIXES):
            return text[1:]
    return text


def quote_cell(value: Any) -> Any:
    """Pre-escape text so that after ``csv_safe`` the reader can undo it exactly.

    ``csv_safe`` prefixes ``'`` to text starting with a formula trigger; text that
    already starts with quotes then a trigger gets one more ``'`` here, so the
    reader's rule ("drop one leading quote before quotes+trigger") is a bijection.
    """
    if (
        isinstance(value, str)
        and value.startswith("'")
        and value.lstrip("'").startswith(FORMULA_PREFIXES)
    ):
        return "'" + value
    if isinstance(value, Decimal):
        return decimal_str(value)
    return value


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
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip().lstrip("\ufeff") for c in cells]
                header_line = line
                continue
            if len(cells) > len(header):
                extra = [c for c in cells[len(header) :] if c.strip()]
                if extra:
                    result.problems.append(
                        Problem(
                            file,
                            line,
                            "",
                            "",
                            f"{len(cells)} cells but the header has {len(header)} columns",
                        )
                    )
                    continue
            row = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header)}
            rows.append((line, row))
    except csv.Error as exc:
        result.problems.append(Problem(file, reader.line_num, "", "", f"malformed CSV: {exc}"))
        return result
    if header is None:
        result.problems.append(Problem(file, 1, "", "", "empty CSV: no header row"))
        return result
    header_problems = _check_header(header, file, header_line)
    result.problems.extend(header_problems)
    if any(not p.message.startswith("unknown column") for p in header_problems):
        return result  # a missing or repeated column: rows cannot be read sensibly
    known = set(CSV_COLUMNS) | set(CSV_OUTPUT_ONLY) | set(CSV_EXTRA_INPUT)
    rows = [(line, {k: v for k, v in row.items() if k in known}) for line, row in rows]
    parsed = _parse_rows(rows, file, origin, header=header)
    parsed.problems = result.problems + parsed.problems
    return parsed


def _check_header(header: Sequence[str], file: str, line: int) -> list[Problem]:
    problems = []
    allowed = (*CSV_COLUMNS, *CSV_OUTPUT_ONLY, *CSV_EXTRA_INPUT)
    for column in header:
        if column not in allowed:
            close = did_you_mean(column, allowed)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            problems.append(Problem(file, line, "header", column, f"unknown column.{hint}"))
    for column in CSV_REQUIRED:
        if column not in header:
            problems.append(Problem(file, line, "header", column, "missing required column"))
    seen = set()
    for column in header:
        if column in seen:
            problems.append(Problem(file, line, "header", column, "duplicate column"))
        seen.add(column)
    return problems


def _clean(column: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = unquote_cell(value)
    return value if column in _VERBATIM else value.strip()


def _parse_rows(
    rows: Sequence[tuple[int, Any]], file: str, origin: str, header: Sequence[str] | None
) -> ParseResult:
    """Flat rows (CSV, or a JSON list of row objects) -> records, via the model builder."""
    result = ParseResult()
    builder = _Builder(file, origin, _Locator())
    if header is None:  # JSON rows: check every row's keys like a header
        allowed = (*CSV_COLUMNS, *CSV_OUTPUT_ONLY, *CSV_EXTRA_INPUT)
        for line, row in rows:
            if not isinstance(row, Mapping):
                builder.problem(None, f"rows[{line - 1}]", "", "expected an object")
                continue
            builder.unknown_keys(row, allowed, lambda k: None, f"rows[{line - 1}]")
        if builder.problems:
            result.problems = builder.problems
            return result
    # group rows by model id, keeping file order
    models: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for line, raw in rows:
        row = {k: _clean(k, v) for k, v in raw.items() if k not in CSV_OUTPUT_ONLY}
        key = row.get("id", "")
        models.setdefault(key if isinstance(key, str) else repr(key), []).append((line, row))
    records: list[ModelRecord] = []
    for mi, (model_id, group) in enumerate(models.items()):
        first_line, first = group[0]
        row_label = f"model {model_id!r}" if model_id else "row"
        model: dict[str, Any] = {"id": first.get("id", "")}
        for column, key in CSV_MODEL_COLUMNS.items():
            if column in first and first[column] != "":
                model[key] = first[column]
        # model-level columns must repeat the same value on every row of a model
        for line, row in group[1:]:
            for column in CSV_MODEL_COLUMNS:
                if row.get(column, "") != first.get(column, ""):
                    builder.problem(
                        line,
                        row_label,
                        column,
                        f"differs from line {first_line} ({first.get(column, '')!r}) for the "
                        "same model; model-level columns must repeat the same value on every row",
                    )
        # entries: one per effective_from; extra rows with the same date add tiers
        entries: dict[Any, dict[str, Any]] = {}
        entry_lines: list[int] = []
        entry_first_row: dict[Any, tuple[int, dict[str, Any]]] = {}
        for line, row in group:
            entry = {k: row[k] for k in ENTRY_KEYS if k in row and k != "tiers" and row[k] != ""}
            tier = {
                key: row[column]
                for column, key in CSV_TIER_COLUMNS.items()
                if column in row and row[column] != ""
            }
            when = row.get("effective_from", "")
            if when in entries and when != "":
                prev_line, prev = entry_first_row[when]
                same = all(
                    prev.get(k, "") == row.get(k, "") for k in (*ENTRY_KEYS, "unit") if k != "tiers"
                )
                if tier and same and entries[when].get("tiers"):
                    entries[when]["tiers"].append(tier)
                    continue
                builder.problem(
                    line,
                    f"{row_label} price from {when}",
                    "effective_from",
                    f"duplicate effective date {when} for this model (also on line {prev_line})",
                )
                continue
            if tier:
                entry["tiers"] = [tier]
            unit = row.get("unit", "")
            if unit:
                try:
                    factor = _unit(unit)
                except _FieldError as exc:
                    builder.problem(line, row_label, "unit", str(exc))
                    continue
                entry["_factor"] = factor
            entries[when if when != "" else object()] = entry
            entry_first_row[when] = (line, row)
            entry_lines.append(line)
        entry_list = list(entries.values())
        factors = {e.pop("_factor", Decimal(1)) for e in entry_list}
        model["prices"] = entry_list

        def line_of(key: str | None, first_line: int = first_line) -> int | None:
            return first_line

        def entry_line(ei: int, key: str | None, lines: list[int] = entry_lines) -> int | None:
            return lines[ei] if ei < len(lines) else None

        factor = factors.pop() if len(factors) == 1 else Decimal(1)
        if len(factors) > 0:
            builder.problem(first_line, row_label, "unit", "rows of one model mix units")
            continue
        record = builder.model(
            mi,
            model,
            None,
            factor,
            None,
            line_of=line_of,
            entry_line=entry_line,
        )
        if record is not None:
            records.append(record)
    first_lines = {mid: group[0][0] for mid, group in models.items()}

    def report(r: ModelRecord, key: str, msg: str, other: ModelRecord) -> None:
        suffix = f" (line {first_lines[other.id]})" if other.id in first_lines else ""
        builder.problem(first_lines.get(r.id), f"model {r.id!r}", key, msg + suffix)

    check_names(records, report)
    result.records = records
    result.problems = _sorted(builder.problems)
    return result


def entry_row(record: ModelRecord, entry: PriceEntry) -> list[dict[str, Any]]:
    """One CSV row per tier (at least one) for a model's price entry."""
    base: dict[str, Any] = {
        "id": record.id,
        "provider": record.provider,
        "effective_from": entry.effective_from,
        "input": entry.input,
        "output": entry.output,
        "cached_input": entry.cached_input,
        "cache_write": entry.cache_write,
        "batch_input": entry.batch_input,
        "batch_output": entry.batch_output,
        "reasoning_billed_as_output": entry.reasoning_billed_as_output,
        "training": entry.training,
        "per_request": entry.per_request,
        "source": entry.source,
        "checked": entry.checked,
        "verified": entry.verified,
        "notes": entry.notes,
        "aliases": ALIAS_SEPARATOR.join(record.aliases),
        "encoding": record.encoding,
        "token_ratio": record.token_ratio,
        "tokenizer_approximate": record.tokenizer_approximate,
        "tokenizer_source": record.tokenizer_source,
        "context_window": record.context_window,
        "max_output_tokens": record.max_output_tokens,
        "released": record.released,
        "retired": record.retired,
        "model_notes": getattr(record, "notes", ""),
    }
    if not entry.tiers:
        return [base]
    rows = []
    for tier in entry.tiers:
        row = dict(base)
        row.update(
            tier_above_prompt_tokens=tier.above_prompt_tokens,
            tier_input=tier.input,
            tier_output=tier.output,
            tier_cached_input=tier.cached_input,
            tier_cache_write=tier.cache_write,
        )
        rows.append(row)
    return rows


def rows_csv(rows: Iterable[Mapping[str, Any]], columns: Sequence[str] = CSV_COLUMNS) -> str:
    """Flat price rows as injection-safe CSV that :func:`parse_csv` reads back exactly."""
    return csv_text(
        ([quote_cell(row.get(c)) for c in columns] for row in rows), header=list(columns)
    )


def records_csv_text(
    pairs: Iterable[tuple[ModelRecord, PriceEntry]], extra: Sequence[str] = ()
) -> str:
    """The CSV for (model, entry) pairs, e.g. the prices in force on a date."""
    rows: list[dict[str, Any]] = []
    for record, entry in pairs:
        for row in entry_row(record, entry):
            if "origin" in extra:
                row["origin"] = record.origin
            if "overrides" in extra:
                row["overrides"] = " < ".join(record.overrides)
            rows.append(row)
    return rows_csv(rows, (*CSV_COLUMNS, *extra))


# --------------------------------------------------------------------- LiteLLM


def is_litellm_map(doc: Any) -> bool:
    """LiteLLM's `model_prices_and_context_window.json`: {model: {..._cost_per_token...}}."""
    if not isinstance(doc, Mapping) or "models" in doc or "meta" in doc:
        return False
    return any(
        isinstance(v, Mapping) and ("litellm_provider" in v or "input_cost_per_token" in v)
        for v in doc.values()
    )


_LITELLM_FIELDS = {
    "input_cost_per_token": "input",
    "output_cost_per_token": "output",
    "cache_read_input_token_cost": "cached_input",
    "cache_creation_input_token_cost": "cache_write",
    "input_cost_per_token_batches": "batch_input",
    "output_cost_per_token_batches": "batch_output",
}
_TIER_TARGET = {
    "input": "input",
    "output": "output",
    "cache_read_input": "cached_input",
    "cache_creation_input": "cache_write",
}


def _litellm_encoding(model_id: str, provider: str) -> tuple[str, bool]:
    """(encoding, approximate) for a LiteLLM row, which names no tokenizer."""
    name = model_id.rsplit("/", 1)[-1]
    if provider in ("openai", "text-completion-openai", "azure"):
        if name.startswith(("gpt-3.5", "gpt-4-", "gpt-35")) or name in ("gpt-4", "gpt-4-32k"):
            return "cl100k_base", False
        if name.startswith(("text-davinci-002", "text-davinci-003")):
            return "p50k_base", False
        if name in ("davinci", "curie", "babbage", "ada") or name.startswith("text-"):
            return "r50k_base", True
        return "o200k_base", False
    return "o200k_base", True


def parse_litellm(doc: Mapping[str, Any], file: str, origin: str, text: str = "") -> ParseResult:
    """LiteLLM's model map: per-token floats (parsed as Decimal) x 1,000,000, undated.

    Rows get effective_from 1970-01-01 and ``verified = false`` (the map has no
    dates), their source is the file; modes other than chat/completion/responses
    (embeddings, images, audio...) are skipped and counted in a warning.
    """
    result = ParseResult()
    builder = _Builder(file, origin, _Locator())
    skipped: dict[str, int] = {}
    unpriced = 0
    records = []
    for model_id, spec in doc.items():
        if model_id == "sample_spec" or not isinstance(spec, Mapping):
            continue
        mode = spec.get("mode")
        if mode is not None and mode not in LITELLM_MODES:
            skipped[str(mode)] = skipped.get(str(mode), 0) + 1
            continue
        if spec.get("input_cost_per_token") is None or spec.get("output_cost_per_token") is None:
            unpriced += 1
            continue
        row = f"model {model_id!r}"
        ok = True
        prices: dict[str, Decimal] = {}
        tiers: dict[int, dict[str, Decimal]] = {}
        for key, value in spec.items():
            target = _LITELLM_FIELDS.get(key)
            tier_match = _LITELLM_TIER.match(key)
            if (target is None and tier_match is None) or value is None:
                continue
            try:
                per_million = _money(value) * MILLION
            except _FieldError as exc:
                builder.problem(None, row, key, str(exc))
                ok = False
                continue
            if target is not None:
                prices[target] = per_million
            else:
                assert tier_match is not None
                threshold = int(tier_match.group(2)) * 1000
                tiers.setdefault(threshold, {})[_TIER_TARGET[tier_match.group(1)]] = per_million
        limits: dict[str, int] = {}
        for key, target in (
            ("max_input_tokens", "context_window"),
            ("max_output_tokens", "max_output_tokens"),
        ):
            if spec.get(key) not in (None, 0):  # LiteLLM writes 0 for "unknown"
                try:
                    limits[target] = _positive_int(spec[key])
                except _FieldError as exc:
                    builder.problem(None, row, key, str(exc))
                    ok = False
        retired = None
        if spec.get("deprecation_date"):
            try:
                retired = _date(spec["deprecation_date"])
            except _FieldError as exc:
                builder.problem(None, row, "deprecation_date", str(exc))
                ok = False
        tier_objs = []
        for threshold, values in sorted(tiers.items()):
            if "input" not in values or "output" not in values:
                values.setdefault("input", prices["input"])
                values.setdefault("output", prices["output"])
            tier_objs.append(LongContextTier(above_prompt_tokens=threshold, **values))
        if not ok:
            continue
        provider = str(spec.get("litellm_provider") or "unknown")
        encoding, approximate = _litellm_encoding(model_id, provider)
        entry = PriceEntry(
            effective_from=LITELLM_EFFECTIVE_FROM,
            tiers=tuple(tier_objs),
            source=file,
            verified=False,
            notes="from a LiteLLM price map, which has no dates",
            **prices,
        )
        records.append(
            ModelRecord(
                id=model_id,
                provider=provider,
                history=(entry,),
                encoding=encoding,
                tokenizer_approximate=approximate,
                tokenizer_source="" if not approximate else "LiteLLM names no tokenizer",
                retired=retired,
                origin=origin,
                **limits,
            )
        )
    if skipped:
        detail = ", ".join(f"{mode}: {n}" for mode, n in sorted(skipped.items()))
        result.warnings.append(
            f"{file}: skipped {sum(skipped.values())} LiteLLM entries that are not chat models "
            f"({detail})"
        )
    if unpriced:
        result.warnings.append(
            f"{file}: skipped {unpriced} LiteLLM chat "
            f"{'entry' if unpriced == 1 else 'entries'} without input and output prices"
        )
    result.records = records
    result.problems = [_with_line(p, text) for p in builder.problems]
    return result


def _with_line(problem: Problem, text: str) -> Problem:
    """Add the line of the model's key to a LiteLLM problem (looked up only on error)."""
    match = re.match(r"model (.+)$", problem.row)
    if not text or not match:
        return problem
    key = match.group(1)[1:-1]
    position = text.find(json.dumps(key, ensure_ascii=False) + ":")
    if position < 0:
        return problem
    start = text.count("\n", 0, position) + 1
    field_at = text.find(json.dumps(problem.field), position)
    line = text.count("\n", 0, field_at) + 1 if field_at >= 0 else start
    return dataclasses.replace(problem, line=line)


# --------------------------------------------------------------------- genai-prices adapter

GENAI_PREFIX = "genai-prices"


def parse_genai_prices(spec: str, origin: str) -> ParseResult:
    """Records from the installed ``genai-prices`` package (optional extra ``genai``).

    ``spec`` is ``genai-prices`` (providers openai, anthropic, google, deepseek,
    mistral) or ``genai-prices:prov1,prov2``. Only exact model names become
    aliases (genai-prices' regex and prefix matches are dropped: distillcost never
    matches names loosely). A price with no start date gets 1970-01-01; every
    entry is marked unverified. Service-tier variants (batch, flex, priority)
    and time-of-day prices are not mapped.
    """
    try:
        from genai_prices import data as genai_data  # type: ignore[import-not-found]
        from genai_prices import types as genai_types  # type: ignore[import-not-found]
    except ImportError:
        raise NotAvailableError(
            "the genai-prices package is not installed; install it with "
            "pip install 'distillcost[genai]' (or pip install genai-prices)"
        ) from None
    _, _, wanted_text = spec.partition(":")
    wanted = [p.strip() for p in wanted_text.split(",") if p.strip()] or [
        "openai",
        "anthropic",
        "google",
        "deepseek",
        "mistral",
    ]
    providers = {p.id: p for p in genai_data.providers}
    result = ParseResult()
    for name in wanted:
        if name not in providers:
            close = did_you_mean(name, providers)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            result.problems.append(
                Problem(spec, None, "", "provider", f"genai-prices has no provider {name!r}.{hint}")
            )
    if result.problems:
        return result
    source = f"genai-prices {_genai_version()}"
    for name in wanted:
        provider = providers[name]
        for model in provider.models:
            record = _genai_record(model, name, source, origin, genai_types)
            if record is not None:
                result.records.append(record)
    return result


def _genai_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("genai-prices")
    except PackageNotFoundError:  # pragma: no cover - imported but not installed
        return "(unknown version)"


def _genai_record(
    model: Any, provider: str, source: str, origin: str, t: Any
) -> ModelRecord | None:
    conditional = (
        model.prices
        if isinstance(model.prices, list)
        else [t.ConditionalPrice(prices=model.prices)]
    )
    entries: dict[date, PriceEntry] = {}
    for cp in conditional:
        constraint = cp.constraint
        if constraint is not None and not isinstance(constraint, t.StartDateConstraint):
            continue  # time-of-day prices are not a list price
        when = constraint.start_date if constraint is not None else LITELLM_EFFECTIVE_FROM
        entry = _genai_entry(cp.prices, when, source, constraint is not None, t)
        if entry is not None:
            entries[when] = entry
    if not entries:
        return None
    aliases = [n for n in _genai_exact_names(model.match, t) if n != model.id]
    return ModelRecord(
        id=model.id,
        provider=provider,
        history=tuple(entries.values()),
        aliases=tuple(dict.fromkeys(aliases)),
        encoding="o200k_base",
        tokenizer_approximate=provider != "openai",
        tokenizer_source="" if provider == "openai" else "genai-prices names no tokenizer",
        context_window=model.context_window or None,
        origin=origin,
    )


def _genai_entry(prices: Any, when: date, source: str, dated: bool, t: Any) -> PriceEntry | None:
    def value(key: str) -> tuple[Decimal | None, tuple[tuple[int, Decimal], ...]]:
        raw = getattr(prices, key, None)
        if raw is None:
            return None, ()
        if isinstance(raw, t.TieredPrices):
            return raw.base, tuple((tier.start, tier.price) for tier in raw.tiers)
        return Decimal(raw), ()

    base_in, tiers_in = value("input_mtok")
    base_out, tiers_out = value("output_mtok")
    if base_in is None or base_out is None:
        return None
    cached, tiers_cached = value("cache_read_mtok")
    write, _ = value("cache_write_mtok")
    tiers = []
    outs = dict(tiers_out)
    cached_tiers = dict(tiers_cached)
    for start, price in tiers_in:
        tiers.append(
            LongContextTier(
                above_prompt_tokens=start,
                input=price,
                output=outs.get(start, base_out),
                cached_input=cached_tiers.get(start),
            )
        )
    return PriceEntry(
        effective_from=when,
        input=base_in,
        output=base_out,
        cached_input=cached,
        cache_write=write,
        tiers=tuple(tiers),
        source=source,
        verified=False,
        notes="" if dated else "genai-prices gives no start date for this price",
    )


def _genai_exact_names(match: Any, t: Any) -> list[str]:
    if isinstance(match, t.ClauseEquals):
        return [match.equals]
    if isinstance(match, t.ClauseOr):
        return [name for clause in match.or_ for name in _genai_exact_names(clause, t)]
    return []


# --------------------------------------------------------------------- dispatch


def parse_text(text: str, file: str, origin: str, suffix: str) -> ParseResult:
    """Parse ``text`` by the file's extension (``.toml``, ``.csv``, ``.json``)."""
    if suffix == ".toml":
        return parse_toml(text, file, origin)
    if suffix == ".csv":
        return parse_csv(text, file, origin)
    if suffix == ".json":
        return parse_json(text, file, origin)
    result = ParseResult()
    result.problems.append(
        Problem(
            file,
            None,
            "",
            "",
            f"unknown price file type {suffix or '(none)'!r}; use .toml, .csv or .json",
        )
    )
    return result


def parse_path(path: str | Path, origin: str | None = None) -> ParseResult:
    """Read and parse one price file, or a ``genai-prices[:providers]`` spec."""
    text_path = str(path)
    is_genai = text_path == GENAI_PREFIX or text_path.startswith(GENAI_PREFIX + ":")
    if is_genai and not Path(text_path).exists():
        return parse_genai_prices(text_path, origin or f"file:{text_path}")
    file = Path(path)
    origin = origin or f"file:{text_path}"
    data = file.read_bytes()
    try:
        text = data.decode("utf-8-sig")  # a BOM (Windows editors) is not text
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        result = ParseResult()
        result.problems.append(
            Problem(
                text_path,
                line,
                "",
                "",
                f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})",
            )
        )
        return result
    if "\x00" in text:
        result = ParseResult()
        result.problems.append(Problem(text_path, None, "", "", "binary file, not a price table"))
        return result
    return parse_text(text, text_path, origin, file.suffix.lower())
