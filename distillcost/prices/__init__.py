"""Prices: dated, sourced, exact; the model, the table, its file formats and sources.

* :mod:`~distillcost.prices.declarations` — every key of the price model, declared once;
* :mod:`~distillcost.prices.model` — price entries, models, and the billing rules;
* :mod:`~distillcost.prices.table` — the table: exact names, prices on a date;
* :mod:`~distillcost.prices.formats` — reading TOML, CSV, JSON, LiteLLM, genai-prices;
* :mod:`~distillcost.prices.files` / :mod:`~distillcost.prices.sources` — files, and the
  layers (built-in < plugins < config dir < ``--prices``) the table is stacked from.

Names are re-exported lazily, so importing one submodule never loads the others.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "PRICE_UNIT": "model",
    "MILLION": "model",
    "LongContextTier": "model",
    "PriceEntry": "model",
    "ModelRecord": "model",
    "Rates": "model",
    "PriceTable": "table",
    "table_version": "table",
    "encoding_for_model": "table",
    "Problem": "problems",
    "check_records": "problems",
    "PriceWarning": "files",  # defined in distillcost.errors
    "load_price_file": "files",
    "validate_price_files": "files",
    "price_files_in": "files",
    "config_dir": "sources",  # defined in distillcost.config
    "load_prices": "sources",
    "merge_layers": "sources",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'distillcost.prices' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"distillcost.prices.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
