"""The price file format's key reference, written from the declarations themselves.

``pricing/README.md`` embeds :func:`reference_markdown` between two markers, and a
test keeps the two equal, so the documented keys are always the keys the readers
accept.
"""

from __future__ import annotations

from collections.abc import Iterator

from distillcost.prices import declarations as k
from distillcost.prices.aliases import AliasRecord
from distillcost.prices.model import ModelRecord, fields_of

BEGIN = "<!-- keys: generated from distillcost/prices/declarations.py; do not edit by hand -->"
END = "<!-- keys: end -->"


def _tables(cls: type, path: str) -> Iterator[tuple[str, type]]:
    """``[[path]]`` for a record class, then its nested tables, depth first."""
    yield f"`[[{path}]]`", cls
    for _, key, nested in fields_of(cls):
        if nested is not None:
            yield from _tables(nested, f"{path}.{key.name}")


def sections() -> list[tuple[str, type | None]]:
    """Every table of a price file, in the order the reference lists them."""
    return [("`[meta]`", None), *_tables(ModelRecord, "models"), *_tables(AliasRecord, "aliases")]


def _row(key: k.Key) -> str:
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
    for title, cls in sections():
        keys = list(k.META) if cls is None else [key for _, key, _ in fields_of(cls)]
        parts += ["", f"**{title}**", "", "| Key | Meaning |", "|---|---|"]
        parts += [_row(key) for key in keys]
    parts += ["", END]
    return "\n".join(parts)


def update(readme: str) -> str:
    """``readme`` with its generated key reference replaced by the current one."""
    head, _, rest = readme.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return head + reference_markdown() + tail
