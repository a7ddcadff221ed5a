"""The score file format's key reference, written from the declarations themselves.

``scores/README.md`` embeds :func:`reference_markdown`; a test keeps the two equal, so
the documented keys are always the keys the reader accepts.
"""

from __future__ import annotations

from distillcost.capability.model import META, AppliesTo, Benchmark, Score
from distillcost.prices.model import fields_of
from distillcost.prices.reference import key_row

BEGIN = "<!-- keys: generated from distillcost/capability/model.py; do not edit by hand -->"
END = "<!-- keys: end -->"

SECTIONS: tuple[tuple[str, type | None], ...] = (
    ("`[meta]`", None),
    ("`[[benchmarks]]`", Benchmark),
    ("`[[scores]]` (also the columns of a CSV sheet)", Score),
    ("`[[applies_to]]`", AppliesTo),
)


def reference_markdown() -> str:
    """Every key of every table of a score file, one Markdown table per section."""
    parts = [BEGIN]
    for title, cls in SECTIONS:
        keys = list(META) if cls is None else [key for _, key, _ in fields_of(cls)]
        parts += ["", f"**{title}**", "", "| Key | Meaning |", "|---|---|"]
        parts += [key_row(key) for key in keys]
    parts += ["", END]
    return "\n".join(parts)
