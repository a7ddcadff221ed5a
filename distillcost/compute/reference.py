"""The GPU table format's key reference, written from the declarations themselves.

``pricing/README.md`` embeds :func:`reference_markdown` between two markers, and a test
keeps the two equal.
"""

from __future__ import annotations

from distillcost.compute import declarations as k
from distillcost.compute.records import Gpu, ServingBenchmark
from distillcost.prices.reference import _tables, sections_markdown

BEGIN = "<!-- gpu keys: generated from distillcost/compute/declarations.py; do not edit by hand -->"
END = "<!-- gpu keys: end -->"


def reference_markdown() -> str:
    tables = [("`[meta]`", None), *_tables(Gpu, "gpus"), *_tables(ServingBenchmark, "serving")]
    return sections_markdown(BEGIN, END, tables, k.META)
