"""The GPU tables shipped with distillcost, for price tables that carry none of their own."""

from __future__ import annotations

from typing import Any

from distillcost.compute.table import ComputeTable

_BUILTIN: ComputeTable | None = None


def builtin_compute() -> ComputeTable:
    """The built-in GPU tables (``pricing/gpus.toml``, ``pricing/serving.toml``), read once."""
    global _BUILTIN
    if _BUILTIN is None:
        from distillcost.prices.sources import builtin_compute_layers

        _BUILTIN = ComputeTable.from_layers(builtin_compute_layers())
    return _BUILTIN


def compute_of(table: Any) -> ComputeTable:
    """The GPU table a price table was loaded with, else the built-in one."""
    found = getattr(table, "compute", None)
    return found if isinstance(found, ComputeTable) else builtin_compute()
