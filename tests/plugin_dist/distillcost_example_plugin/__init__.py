"""Example distillcost price plugin: one record built in code, one directory of tables."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent


def register_prices(register):
    """distillcost calls this with its ``register`` callback."""
    from distillcost.prices import ModelRecord, PriceEntry

    register(
        ModelRecord(
            id="example-coded",
            provider="example",
            encoding="o200k_base",
            history=(
                PriceEntry(
                    effective_from=date(2025, 1, 1),
                    input=Decimal("0.5"),
                    output=Decimal("1.5"),
                    source="https://example.invalid/coded",
                    verified=True,
                ),
            ),
        )
    )
    register.directory(HERE / "tables")
