"""The GPU table format's key reference, written from the declarations themselves.

``pricing/README.md`` embeds :func:`reference_markdown` between two markers, and a test
keeps the two equal.
"""

from __future__ import annotations

from distillcost.compute import declarations as k
from distillcost.compute.records import Gpu, ServingBenchmark
from distillcost.prices.model import fields_of
from distillcost.prices.reference import _table, _tables

BEGIN = "<!-- gpu keys: generated from distillcost/compute/declarations.py; do not edit by hand -->"
END = "<!-- gpu keys: end -->"


def reference_markdown() -> str:
    """Every key of every table of a GPU file, one Markdown table per section."""
    parts = [BEGIN, *_table("`[meta]`", list(k.META))]
    for title, cls in (*_tables(Gpu, "gpus"), *_tables(ServingBenchmark, "serving")):
        parts += _table(title, [key for _, key, _ in fields_of(cls)])
    parts += ["", END]
    return "\n".join(parts)
