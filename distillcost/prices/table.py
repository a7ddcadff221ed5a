"""The price table: models by exact name, the prices in force on a date, a version."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from distillcost.decimals import decimal_str
from distillcost.errors import AmbiguousModelError, PriceDataError, UnknownModelError
from distillcost.prices.model import ModelRecord, PriceEntry
from distillcost.prices.problems import check_records

if TYPE_CHECKING:
    from distillcost.prices.fallback import GenaiFallback
    from distillcost.prices.teachers import TeacherBook


class PriceTable:
    """Models by id, with exact alias lookup (never substring matching)."""

    def __init__(
        self, models: Iterable[ModelRecord], version: str = "", *, checked: bool = False
    ) -> None:
        self._models: dict[str, ModelRecord] = {}
        self._names: dict[str, str] = {}
        for record in models:
            self._models[record.id] = record
        for record in self._models.values():
            for name in (record.id, *record.aliases):
                self._names[name] = record.id
        self._version = version
        # Tables built in code (the Python API) get the same checks as files and plugins:
        # a float price or a negative one must fail here, not reach a bill. ``checked``:
        # the records were checked as they were read (load_prices' layers).
        problems = (
            [] if checked else check_records(self._models.values(), "price table", billed_only=True)
        )
        if problems:
            more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
            raise PriceDataError(f"{problems[0]}{more}")
        # (origin, number of models it contributed) in load order; set by load_prices
        self.sources: list[tuple[str, int]] = []
        # the last resort for names the table lacks (set by load_prices): genai-prices
        self.fallback: GenaiFallback | None = None
        self._teachers: TeacherBook | None = None

    @property
    def teachers(self) -> TeacherBook:
        """Reasoning profiles and usage tiers (set by load_prices; the shipped ones for a
        table built in code, so the Python API prices teachers as the CLI does)."""
        if self._teachers is None:
            from distillcost.prices.shipped import builtin_teacher_book

            self._teachers = builtin_teacher_book()
        return self._teachers

    @teachers.setter
    def teachers(self, book: TeacherBook) -> None:
        self._teachers = book

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
        if name in self._names:
            return True
        if not isinstance(name, str) or self.fallback is None:
            return False
        try:
            return self.fallback.find(name) is not None
        except AmbiguousModelError:
            return False

    def ids(self) -> list[str]:
        return list(self._models)

    def names(self) -> list[str]:
        """Every id and alias."""
        return list(self._names)

    def get(self, name: str) -> ModelRecord:
        """The model called ``name`` (id or alias, exactly; then the fallback's names),
        else a did-you-mean error. A name several hosts sell (``gpt-oss-120b``) must
        be given with its host."""
        model_id = self._names.get(name)
        if model_id is not None:
            return self._models[model_id]
        hosted = self._hosted(name)
        if len(hosted) > 1:
            raise AmbiguousModelError(name, hosted)
        if self.fallback is not None:
            found = self.fallback.find(name)
            if found is not None:
                return found
        raise UnknownModelError(name, self._names, hint=self._hint(name))

    def _hosted(self, name: str) -> list[str]:
        """Ids of the models hosts sell under ``name`` (``together/openai/gpt-oss-120b``)."""
        return sorted(n for n in self._models if n.endswith("/" + name))

    def _hint(self, name: str) -> str:
        hosted = self._hosted(name)
        return f"Sold as: {', '.join(hosted)}." if hosted else ""

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
        return self.listing_of(self._models.values(), as_of, include_retired=include_retired)

    @staticmethod
    def listing_of(
        models: Iterable[ModelRecord], as_of: date, *, include_retired: bool = True
    ) -> list[tuple[ModelRecord, PriceEntry, str]]:
        """:meth:`listing` for any models (the curated table's, the fallback's)."""
        rows = []
        for m in models:
            if m.available_on(as_of):
                rows.append((m, m.price_on(as_of), "available"))
            elif include_retired and m.is_retired(as_of):
                entry = m.entry_on(as_of)
                if entry is not None:
                    rows.append((m, entry, m.status_on(as_of)))
        return rows


# Prefixes that name a model's variant the table prices as the model itself:
# fine-tunes (``ft:gpt-4o-mini-2024-07-18:acme::id``) and router spellings (``openai/gpt-4o``).
_VARIANT_PREFIXES = ("ft:", "openai/", "azure/")


def encoding_for_model(name: str, table: PriceTable) -> tuple[str, str]:
    """The encoding ``name``'s tokens are counted with, from the price table alone.

    Returns (encoding, note); the note says when the encoding only stands in for the
    provider's own tokenizer (counts are then approximate). A fine-tune or a
    router's ``openai/`` name counts as its base model. Unknown names raise
    :class:`~distillcost.errors.UnknownModelError` with close matches.
    """
    key = name.strip()
    candidates = [key]
    for prefix in _VARIANT_PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            candidates.append(key[len(prefix) :].split(":", 1)[0])
    found = next((c for c in candidates if c in table), None)
    if found is None:
        raise UnknownModelError(
            name,
            table.names(),
            hint="(distillcost prices list shows the models; or give --encoding)",
        )
    record = table.get(found)
    note = ""
    if record.tokenizer_approximate:
        why = record.tokenizer_source or "the provider's tokenizer is not public"
        note = (
            f"{record.encoding} stands in for {record.id}'s own tokenizer ({why}): "
            "counts are approximate"
        )
    return record.encoding, note


def _canonical(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(key): _canonical(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return value


def table_version(records: Iterable[ModelRecord]) -> str:
    """Newest ``checked`` date and a short SHA-256 of the canonical content."""
    ordered = sorted(records, key=lambda r: r.id)
    canonical = json.dumps(_canonical([r.to_dict() for r in ordered]), sort_keys=True)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:8]
    checked = [e.checked for r in ordered for e in r.history if e.checked is not None]
    return f"{max(checked).isoformat()}+{digest}" if checked else f"unchecked+{digest}"
