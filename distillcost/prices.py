"""Price records and the price table: dated, sourced, exact.

All prices are ``Decimal`` USD per 1M tokens (``per_request`` is USD per
request), parsed from text so no float ever touches them. A model keeps its
whole price *history*; :meth:`ModelRecord.price_on` picks the entry in force on
a date, which is what lets distillcost price a campaign on any past day.

This module is pure: it knows nothing of click or templates. Loading tables from
files and plugins lives below the data model.

Precedence (later wins, PER MODEL, the whole record is replaced):
built-in tables < plugins (entry point group ``distillcost.prices``) < the
user's config dir (``$DISTILLCOST_CONFIG_DIR/prices/*.toml|csv|json``, default
``~/.config/distillcost``) < ``--prices FILE`` / ``load_prices(extra=...)``.
Each record keeps its ``origin`` and the origins it ``overrides``.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import json
import os
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from distillcost.errors import NotAvailableError, PriceDataError, UnknownModelError

PRICE_UNIT = "USD per 1M tokens"
MILLION = Decimal(1_000_000)


@dataclass(frozen=True)
class LongContextTier:
    """Prices that apply to a whole request whose prompt exceeds a threshold.

    Tiers are decided per request (Gemini, Claude Sonnet 4.5 long context): a
    request with ``prompt_tokens > above_prompt_tokens`` pays these rates for
    all of its tokens; ``None`` fields fall back to the base entry's.
    """

    above_prompt_tokens: int
    input: Decimal
    output: Decimal
    cached_input: Decimal | None = None
    cache_write: Decimal | None = None


@dataclass(frozen=True)
class PriceEntry:
    """The prices of one model from ``effective_from`` until the next entry."""

    effective_from: date
    input: Decimal
    output: Decimal
    cached_input: Decimal | None = None
    cache_write: Decimal | None = None
    batch_input: Decimal | None = None
    batch_output: Decimal | None = None
    tiers: tuple[LongContextTier, ...] = ()
    reasoning_billed_as_output: bool = True
    training: Decimal | None = None
    per_request: Decimal | None = None
    source: str = ""
    checked: date | None = None
    verified: bool = False
    notes: str = ""
    unit: str = PRICE_UNIT

    @property
    def has_batch(self) -> bool:
        return self.batch_input is not None and self.batch_output is not None

    def to_dict(self) -> dict[str, Any]:
        """The entry in the file schema's shape (``None`` fields left out)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "unit" or value is None:
                continue
            if f.name == "tiers":
                if value:
                    out["tiers"] = [
                        {k: v for k, v in dataclasses.asdict(t).items() if v is not None}
                        for t in value
                    ]
                continue
            out[f.name] = value
        return out

    def tier_for(self, prompt_tokens: int | Decimal) -> LongContextTier | None:
        """The long-context tier a request of this prompt length falls in, if any."""
        chosen = None
        for tier in sorted(self.tiers, key=lambda t: t.above_prompt_tokens):
            if prompt_tokens > tier.above_prompt_tokens:
                chosen = tier
        return chosen


@dataclass(frozen=True)
class ModelRecord:
    """A model: identity, tokenizer, limits, and its dated price history."""

    id: str
    provider: str
    history: tuple[PriceEntry, ...]
    aliases: tuple[str, ...] = ()
    encoding: str = "o200k_base"
    # Provider tokens per token of ``encoding`` for non-OpenAI tokenizers; None = exact.
    token_ratio: Decimal | None = None
    tokenizer_approximate: bool = False
    tokenizer_source: str = ""
    context_window: int | None = None
    max_output_tokens: int | None = None
    released: date | None = None
    retired: date | None = None
    origin: str = "built-in"
    overrides: tuple[str, ...] = field(default=(), compare=False)
    notes: str = ""

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.history, key=lambda e: e.effective_from))
        object.__setattr__(self, "history", ordered)

    @property
    def first_priced(self) -> date | None:
        return self.history[0].effective_from if self.history else None

    def is_retired(self, as_of: date) -> bool:
        return self.retired is not None and as_of >= self.retired

    def available_on(self, as_of: date) -> bool:
        first = self.first_priced
        return first is not None and as_of >= first and not self.is_retired(as_of)

    def price_on(self, as_of: date) -> PriceEntry:
        """The entry in force on ``as_of`` (the latest with effective_from <= as_of)."""
        first = self.first_priced
        if first is None or as_of < first:
            when = f"; first priced {first.isoformat()}" if first else ""
            raise NotAvailableError(f"model {self.id!r} has no price on {as_of.isoformat()}{when}")
        if self.is_retired(as_of):
            assert self.retired is not None
            raise NotAvailableError(
                f"model {self.id!r} was retired on {self.retired.isoformat()}, "
                f"before {as_of.isoformat()}"
            )
        dates = [e.effective_from for e in self.history]
        return self.history[bisect.bisect_right(dates, as_of) - 1]

    def change_dates(self) -> list[date]:
        """Every date on which this model's price changed (for `history`)."""
        return [e.effective_from for e in self.history]

    def last_price(self) -> PriceEntry:
        """The newest entry (what a retired model cost when it was withdrawn)."""
        return self.history[-1]

    def status_on(self, as_of: date) -> str:
        """``available``, ``retired YYYY-MM-DD`` or ``not yet priced`` on ``as_of``."""
        if self.is_retired(as_of):
            assert self.retired is not None
            return f"retired {self.retired.isoformat()}"
        return "available" if self.available_on(as_of) else "not yet priced"

    def to_dict(self) -> dict[str, Any]:
        """The model in the file schema's shape, history under ``prices``."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name in ("history", "origin", "overrides") or value is None:
                continue
            if f.name == "aliases":
                value = list(value)
            out[f.name] = value
        out["prices"] = [e.to_dict() for e in self.history]
        return out


class PriceTable:
    """Models by id, with exact alias lookup (never substring matching)."""

    def __init__(self, models: Iterable[ModelRecord], version: str = "") -> None:
        self._models: dict[str, ModelRecord] = {}
        self._names: dict[str, str] = {}
        for record in models:
            self._models[record.id] = record
        for record in self._models.values():
            for name in (record.id, *record.aliases):
                self._names[name] = record.id
        self._version = version
        # Tables built in code (the Python API) get the same checks as files and plugins:
        # a float price or a negative one must fail here, not reach a bill.
        problems = check_records(self._models.values(), "price table")
        if problems:
            more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
            raise PriceDataError(f"{problems[0]}{more}")
        # (origin, number of models it contributed) in load order; set by load_prices
        self.sources: list[tuple[str, int]] = []

    @property
    def version(self) -> str:
        """Newest ``checked`` date + a short hash of the content, e.g. ``2026-11-26+1a2b3c4d``.

        Two tables with the same version hold the same prices, so a report can
        say exactly which table it was computed with.
        """
        if not self._version:
            self._version = table_version(self._models.values())
        return self._version

    @version.setter
    def version(self, value: str) -> None:
        self._version = value

    def __iter__(self) -> Iterator[ModelRecord]:
        return iter(self._models.values())

    def __len__(self) -> int:
        return len(self._models)

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def ids(self) -> list[str]:
        return list(self._models)

    def get(self, name: str) -> ModelRecord:
        """The model called ``name`` (id or alias, exactly), else a did-you-mean error."""
        model_id = self._names.get(name)
        if model_id is None:
            raise UnknownModelError(name, self._names)
        return self._models[model_id]

    def on(self, as_of: date) -> list[tuple[ModelRecord, PriceEntry]]:
        """Every model with a price in force on ``as_of``, with that price."""
        return [(m, m.price_on(as_of)) for m in self._models.values() if m.available_on(as_of)]

    def price_of(self, name: str, as_of: date) -> PriceEntry:
        """The price of model ``name`` (id or alias) in force on ``as_of``."""
        return self.get(name).price_on(as_of)

    def listing(
        self, as_of: date, *, include_retired: bool = True
    ) -> list[tuple[ModelRecord, PriceEntry, str]]:
        """(model, price, status) for every model released by ``as_of``.

        Models first priced after ``as_of`` are absent. Retired models appear
        with their last price and status ``retired YYYY-MM-DD`` unless
        ``include_retired`` is false.
        """
        rows = []
        for m in self._models.values():
            if m.available_on(as_of):
                rows.append((m, m.price_on(as_of), "available"))
            elif (
                include_retired
                and m.is_retired(as_of)
                and m.first_priced is not None
                and m.first_priced <= as_of
            ):
                dates = [e.effective_from for e in m.history]
                entry = m.history[bisect.bisect_right(dates, as_of) - 1]
                rows.append((m, entry, m.status_on(as_of)))
        return rows


# ============================================================================ loading

PLUGIN_GROUP = "distillcost.prices"
PRICE_SUFFIXES = (".toml", ".csv", ".json")


class PriceWarning(UserWarning):
    """Something worth telling the user that does not stop loading (e.g. skipped rows)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a price file: where (file, line, row, field) and what."""

    file: str
    line: int | None
    row: str
    field: str
    message: str

    def __str__(self) -> str:
        parts = [f"{self.file}:{self.line}" if self.line else self.file]
        if self.row:
            parts.append(self.row)
        if self.field:
            parts.append(f"field '{self.field}'")
        parts.append(self.message)
        return ": ".join(parts)


WarningHandler = Callable[[str], None]


def _default_warning(message: str) -> None:
    warnings.warn(message, PriceWarning, stacklevel=3)


def _raise_problems(problems: Sequence[Problem], path: str) -> None:
    if not problems:
        return
    first = str(problems[0])
    if len(problems) > 1:
        first += (
            f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''}; "
            f"see them all with: distillcost prices validate {path})"
        )
    raise PriceDataError(first)


def load_price_file(
    path: str | os.PathLike[str],
    *,
    origin: str | None = None,
    on_warning: WarningHandler | None = None,
) -> list[ModelRecord]:
    """The models in one price file (``.toml``, ``.csv``, ``.json``; LiteLLM maps detected).

    Raises :class:`PriceDataError` naming the file, line, row and field of the
    first problem (and how many more there are); never returns a half-read table.
    ``path`` may also be ``genai-prices`` or ``genai-prices:openai,anthropic`` to
    adapt the installed genai-prices package.
    """
    from distillcost.price_formats import parse_path

    result = parse_path(path, origin)
    _raise_problems(result.problems, str(path))
    for message in result.warnings:
        (on_warning or _default_warning)(message)
    return result.records


def validate_price_files(
    paths: Iterable[str | os.PathLike[str]], *, across_files: bool = False
) -> list[Problem]:
    """Every problem in every file (empty list = all good).

    With ``across_files`` the files are treated as one source (like the shipped
    tables), so a model id or alias defined in two of them is a problem too.
    """
    from distillcost.price_formats import check_names, parse_path

    problems: list[Problem] = []
    everything: list[ModelRecord] = []
    where: dict[int, str] = {}
    for path in paths:
        text = str(path)
        if not (text.startswith("genai-prices") or Path(text).is_file()):
            reason = "is a directory" if Path(text).is_dir() else "no such file"
            problems.append(Problem(text, None, "", "", reason))
            continue
        result = parse_path(path)
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


def check_records(records: Iterable[ModelRecord], source: str) -> list[Problem]:
    """Problems in records built in code (plugins): types, signs, NaN, names."""
    from distillcost.price_formats import _FieldError, _money, _ratio, check_names

    problems: list[Problem] = []
    records = list(records)
    for record in records:
        if not isinstance(record, ModelRecord):
            problems.append(
                Problem(
                    source, None, "", "", f"expected a ModelRecord, got {type(record).__name__}"
                )
            )
            continue
        if not record.history:
            problems.append(
                Problem(source, None, f"model {record.id!r}", "prices", "no price entries")
            )
        if record.token_ratio is not None:  # it scales every billed token: no float either
            try:
                _ratio(record.token_ratio)
            except _FieldError as exc:
                problems.append(
                    Problem(source, None, f"model {record.id!r}", "token_ratio", str(exc))
                )
        for entry in record.history:
            row = f"model {record.id!r} price from {entry.effective_from}"
            values = [(k, getattr(entry, k)) for k in _PRICE_FIELDS]
            for tier in entry.tiers:
                values += [(f"tiers.{k}", getattr(tier, k)) for k in _TIER_PRICE_FIELDS]
            for key, value in values:
                if value is None:
                    continue
                try:
                    _money(value)
                except _FieldError as exc:
                    problems.append(Problem(source, None, row, key, str(exc)))
    good = [r for r in records if isinstance(r, ModelRecord)]
    check_names(
        good,
        lambda r, key, msg, other: problems.append(
            Problem(source, None, f"model {r.id!r}", key, msg)
        ),
    )
    return problems


_PRICE_FIELDS = (
    "input",
    "output",
    "cached_input",
    "cache_write",
    "batch_input",
    "batch_output",
    "training",
    "per_request",
)
_TIER_PRICE_FIELDS = ("input", "output", "cached_input", "cache_write")


def config_dir() -> Path:
    """``$DISTILLCOST_CONFIG_DIR``, else ``~/.config/distillcost`` (``$XDG_CONFIG_HOME``)."""
    env = os.environ.get("DISTILLCOST_CONFIG_DIR")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "distillcost"


def price_files_in(directory: Path, on_warning: WarningHandler | None = None) -> list[Path]:
    """The ``*.toml``, ``*.csv`` and ``*.json`` files of a directory, by name; others warned."""
    if not directory.is_dir():
        return []
    files = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        if path.suffix.lower() in PRICE_SUFFIXES:
            files.append(path)
        else:
            (on_warning or _default_warning)(
                f"{path}: ignored, not a price table (use .toml, .csv or .json)"
            )
    return files


def _builtin_layers() -> list[tuple[str, list[ModelRecord]]]:
    global _BUILTIN_CACHE
    if _BUILTIN_CACHE is None:
        from importlib import resources

        from distillcost.price_formats import parse_text

        layers = []
        root = resources.files("distillcost.pricing")
        for item in sorted(root.iterdir(), key=lambda p: p.name):
            if not item.name.endswith(".toml"):
                continue
            origin = f"built-in:{item.name}"
            result = parse_text(item.read_text(encoding="utf-8"), origin, origin, ".toml")
            _raise_problems(result.problems, item.name)
            layers.append((origin, result.records))
        _BUILTIN_CACHE = layers
    return list(_BUILTIN_CACHE)


_BUILTIN_CACHE: list[tuple[str, list[ModelRecord]]] | None = None


def load_prices(
    extra: Sequence[str | os.PathLike[str]] = (),
    *,
    plugins: bool = True,
    user_dir: bool = True,
    builtin: bool = True,
    on_warning: WarningHandler | None = None,
) -> PriceTable:
    """The price table: built-in < plugins < user config dir < ``extra`` files.

    Later sources win per model: a record with the same id (or whose id/alias
    names an earlier model) replaces the earlier record *whole*, history
    included, and remembers what it overrode in ``ModelRecord.overrides``.
    ``DISTILLCOST_PLUGINS`` limits which plugins load ("" = none).
    """
    layers: list[tuple[str, list[ModelRecord]]] = []
    if builtin:
        layers.extend(_builtin_layers())
    if plugins:
        from distillcost.plugins import load_price_plugins

        layers.extend(load_price_plugins(on_warning=on_warning))
    if user_dir:
        for path in price_files_in(config_dir() / "prices", on_warning):
            origin = f"config:{path}"
            layers.append((origin, load_price_file(path, origin=origin, on_warning=on_warning)))
    for path in extra:
        origin = f"file:{path}"
        layers.append((origin, load_price_file(path, origin=origin, on_warning=on_warning)))
    return merge_layers(layers)


def merge_layers(layers: Sequence[tuple[str, Sequence[ModelRecord]]]) -> PriceTable:
    """Stack sources in order; later wins per model, with provenance kept.

    A later record replaces an earlier one with the same id, or whose id is one
    of the later record's names (id or alias). An earlier model that merely
    shares an alias keeps its place but loses that alias.
    """
    models: dict[str, ModelRecord] = {}
    alias_owner: dict[str, str] = {}
    for _, records in layers:
        for record in records:
            names = (record.id, *record.aliases)
            overridden: list[str] = []
            for name in names:
                old = models.get(name)
                if old is None:
                    continue
                note = old.origin if old.id == record.id else f"{old.origin} ({old.id})"
                overridden.extend((*old.overrides, note))
                for alias in old.aliases:
                    alias_owner.pop(alias, None)
                if name != record.id:
                    del models[name]
            for name in names:
                owner = alias_owner.get(name)
                if owner is not None and owner != record.id and owner in models:
                    other = models[owner]
                    models[owner] = dataclasses.replace(
                        other, aliases=tuple(a for a in other.aliases if a != name)
                    )
            if overridden:
                record = dataclasses.replace(
                    record, overrides=tuple(dict.fromkeys((*record.overrides, *overridden)))
                )
            models[record.id] = record
            for alias in record.aliases:
                alias_owner[alias] = record.id
    table = PriceTable(models.values())
    table.sources = [(origin, len(records)) for origin, records in layers]
    return table


def table_version(records: Iterable[ModelRecord]) -> str:
    """Newest ``checked`` date and a short SHA-256 of the canonical content."""
    from distillcost.export import to_jsonable

    ordered = sorted(records, key=lambda r: r.id)
    canonical = json.dumps(to_jsonable([r.to_dict() for r in ordered]), sort_keys=True)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:8]
    checked = [e.checked for r in ordered for e in r.history if e.checked is not None]
    return f"{max(checked).isoformat()}+{digest}" if checked else f"unchecked+{digest}"
