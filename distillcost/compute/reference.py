"""The GPU table format's key reference, written from the declarations themselves.

``pricing/README.md`` embeds :func:`reference_markdown` between two markers, and a test
keeps the two equal.
"""

from __future__ import annotations

from distillcost.compute import declarations as k
from distillcost.compute.records import Gpu, GpuPrice, ServingBenchmark
from distillcost.prices.reference import sections_markdown

BEGIN = "<!-- gpu keys: generated from distillcost/compute/declarations.py; do not edit by hand -->"
END = "<!-- gpu keys: end -->"

SECTIONS: tuple[tuple[str, type | None], ...] = (
    ("`[meta]`", None),
    ("`[[gpus]]`", Gpu),
    ("`[[gpus.prices]]`", GpuPrice),
    ("`[[serving]]`", ServingBenchmark),
)


def reference_markdown() -> str:
    return sections_markdown(BEGIN, END, SECTIONS, k.META)
