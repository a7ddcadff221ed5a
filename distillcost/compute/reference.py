"""The GPU table format's key reference, written from the declarations themselves.

``pricing/README.md`` embeds :func:`reference_markdown` between two markers, and a test
keeps the two equal.
"""

from __future__ import annotations

from distillcost.compute import declarations as k
from distillcost.compute.records import Gpu, GpuPrice, ServingBenchmark
from distillcost.prices.model import fields_of
from distillcost.prices.reference import _row

BEGIN = "<!-- gpu keys: generated from distillcost/compute/declarations.py; do not edit by hand -->"
END = "<!-- gpu keys: end -->"

SECTIONS: tuple[tuple[str, type | None], ...] = (
    ("`[meta]`", None),
    ("`[[gpus]]`", Gpu),
    ("`[[gpus.prices]]`", GpuPrice),
    ("`[[serving]]`", ServingBenchmark),
)


def reference_markdown() -> str:
    parts = [BEGIN]
    for title, cls in SECTIONS:
        keys = list(k.META) if cls is None else [key for _, key, _ in fields_of(cls)]
        parts += ["", f"**{title}**", "", "| Key | Meaning |", "|---|---|"]
        parts += [_row(key) for key in keys]
    parts += ["", END]
    return "\n".join(parts)
