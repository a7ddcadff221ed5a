"""The price file format's key reference, written from the declarations themselves.

``pricing/README.md`` embeds :func:`reference_markdown` between two markers, and a
test keeps the two equal, so the documented keys are always the keys the readers
accept.
"""

from __future__ import annotations

from distillcost.prices import declarations as k
from distillcost.prices.aliases import AliasRecord, AliasTarget
from distillcost.prices.model import (
    LongContextTier,
    ModelLimits,
    ModelRecord,
    PriceEntry,
    ServiceTier,
    TimeWindow,
    fields_of,
)

BEGIN = "<!-- keys: generated from distillcost/prices/declarations.py; do not edit by hand -->"
END = "<!-- keys: end -->"

SECTIONS: tuple[tuple[str, type | None], ...] = (
    ("`[meta]`", None),
    ("`[[models]]`", ModelRecord),
    ("`[[models.limits]]`", ModelLimits),
    ("`[[models.prices]]`", PriceEntry),
    ("`[[models.prices.tiers]]`", LongContextTier),
    ("`[[models.prices.service_tiers]]`", ServiceTier),
    ("`[[models.prices.windows]]`", TimeWindow),
    ("`[[aliases]]`", AliasRecord),
    ("`[[aliases.targets]]`", AliasTarget),
)


def key_row(key: k.Key) -> str:
    flags = []
    if key.required:
        flags.append("required")
    if key.unit:
        flags.append(key.unit)
    if key.csv:
        flags.append(f"CSV column `{key.csv}`")
    extra = f" ({'; '.join(flags)})" if flags else ""
    meaning = key.meaning.replace("|", "\\|")
    return f"| `{key.name}` | {meaning}{extra} |"


def reference_markdown() -> str:
    """Every key of every table of a price file, one Markdown table per section."""
    parts = [BEGIN]
    for title, cls in SECTIONS:
        keys = list(k.META) if cls is None else [key for _, key, _ in fields_of(cls)]
        parts += ["", f"**{title}**", "", "| Key | Meaning |", "|---|---|"]
        parts += [key_row(key) for key in keys]
    parts += ["", END]
    return "\n".join(parts)
