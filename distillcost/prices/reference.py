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
from distillcost.prices.teachers import EffortScale, ReasoningProfile, UsageTier

BEGIN = "<!-- keys: generated from distillcost/prices/declarations.py; do not edit by hand -->"
END = "<!-- keys: end -->"
TEACHER_BEGIN = (
    "<!-- teacher keys: generated from distillcost/prices/declarations.py; do not edit by hand -->"
)
TEACHER_END = "<!-- teacher keys: end -->"


def _tables(cls: type, path: str) -> Iterator[tuple[str, type]]:
    """``[[path]]`` for a record class, then its nested tables, depth first."""
    yield f"`[[{path}]]`", cls
    for _, key, nested in fields_of(cls):
        if nested is not None:
            yield from _tables(nested, f"{path}.{key.name}")


def sections() -> list[tuple[str, type | None]]:
    """Every table of a price file, in the order the reference lists them."""
    return [("`[meta]`", None), *_tables(ModelRecord, "models"), *_tables(AliasRecord, "aliases")]


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
    for title, cls in sections():
        keys = list(k.META) if cls is None else [key for _, key, _ in fields_of(cls)]
        parts += _table(title, keys)
    parts += ["", END]
    return "\n".join(parts)


def teacher_sections() -> list[tuple[str, list[k.Key]]]:
    """Every table of the two teacher files: reasoning profiles, then usage tiers."""
    return [
        ("reasoning: `[meta]`", list(k.REASONING_META)),
        ("reasoning: `[[scales]]`", [key for _, key, _ in fields_of(EffortScale)]),
        ("reasoning: `[[profiles]]`", [key for _, key, _ in fields_of(ReasoningProfile)]),
        ("usage tiers: `[meta]`", list(k.LIMITS_META)),
        *((f"usage tiers: {title}", keys) for title, keys in _tier_tables()),
    ]


def _tier_tables() -> list[tuple[str, list[k.Key]]]:
    return [
        (title, [key for _, key, _ in fields_of(cls)]) for title, cls in _tables(UsageTier, "tiers")
    ]


def teacher_reference_markdown() -> str:
    """Every key of the reasoning-profile and usage-tier files, one table per section."""
    parts = [TEACHER_BEGIN]
    for title, keys in teacher_sections():
        parts += _table(title, keys)
    parts += ["", TEACHER_END]
    return "\n".join(parts)


def _table(title: str, keys: list[k.Key]) -> list[str]:
    return [
        "",
        f"**{title}**",
        "",
        "| Key | Meaning |",
        "|---|---|",
        *(key_row(key) for key in keys),
    ]


def update(readme: str) -> str:
    """``readme`` with its generated key references replaced by the current ones."""
    for begin, end, text in (
        (BEGIN, END, reference_markdown()),
        (TEACHER_BEGIN, TEACHER_END, teacher_reference_markdown()),
    ):
        if begin in readme:
            head, _, rest = readme.partition(begin)
            _, _, tail = rest.partition(end)
            readme = head + text + tail
    return readme
