"""genai-prices as the table's last resort: any chat model it knows, at its listed price.

The curated tables (``pricing/``) are dated, sourced and checked; genai-prices (a
maintained price dataset, a dependency) lists some 2,300 models from ~50 providers.
A name the curated table lacks is looked up there, lazily (the package is imported
only on such a miss), and marked: its origin names genai-prices and its version, and
every estimate on it notes that the price is not checked by distillcost. genai-prices'
own start dates are kept; most prices have none (current price only), and the estimate
says so. A model id several providers sell is ambiguous: the user names it as
``provider/model``.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict

from distillcost.errors import AmbiguousModelError
from distillcost.present import UNDATED
from distillcost.prices.model import ModelRecord

NOTE = "not checked by distillcost"
UNDATED_NOTE = "current price only, no history"


class GenaiFallback:
    """Records built from the installed genai-prices, by every name they answer to."""

    def __init__(self) -> None:
        self._names: dict[str, list[ModelRecord]] | None = None
        self.version = ""

    def _index(self) -> dict[str, list[ModelRecord]]:
        if self._names is None:
            from distillcost.prices.formats.genai import genai_modules, genai_record, genai_version

            data, types = genai_modules()
            self.version = genai_version()
            origin = f"fallback:genai-prices {self.version}"
            source = f"genai-prices {self.version}"
            names: dict[str, list[ModelRecord]] = defaultdict(list)
            for provider in data.providers:
                for model in provider.models:
                    record = genai_record(model, provider.id, source, origin, types)
                    if record is None:
                        continue
                    qualified = f"{provider.id}/{model.id}"
                    undated = all(e.effective_from == UNDATED for e in record.history)
                    caveat = f"{UNDATED_NOTE}, {NOTE}" if undated else NOTE
                    record = dataclasses.replace(
                        record,
                        id=qualified,
                        aliases=(),
                        notes=f"price from genai-prices {self.version}: {caveat}",
                    )
                    names[qualified].append(record)
                    for name in dict.fromkeys((model.id, *_exact_names(model, types))):
                        if name != qualified:
                            names[name].append(record)
            self._names = dict(names)
        return self._names

    def find(self, name: str) -> ModelRecord | None:
        """The one record ``name`` denotes, None if none; ambiguous names raise."""
        found = self._index().get(name, [])
        unique = list({r.id: r for r in found}.values())
        exact = [r for r in unique if r.id == name]  # "provider/model" names one exactly
        if exact:
            return exact[0]
        if len(unique) > 1:
            raise AmbiguousModelError(name, sorted(r.id for r in unique))
        return unique[0] if unique else None

    def records(self) -> list[ModelRecord]:
        """Every record (one per provider and model)."""
        seen: dict[str, ModelRecord] = {}
        for records in self._index().values():
            for record in records:
                seen.setdefault(record.id, record)
        return list(seen.values())

    def names(self) -> list[str]:
        return list(self._index())


def _exact_names(model: object, types: object) -> list[str]:
    from distillcost.prices.formats.genai import genai_exact_names

    return genai_exact_names(getattr(model, "match", None), types)
