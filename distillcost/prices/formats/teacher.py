"""Teacher files: reasoning profiles (``[[scales]]``, ``[[profiles]]``) and usage tiers
(``[[tiers]]`` with their ``[[tiers.limits]]`` rows), in TOML or JSON.

A file is one or the other, told apart by its top-level tables; it is read through the
same declared keys and problem reports as a price table (unknown keys with a "did you
mean", every problem with its line), so ``distillcost prices validate`` checks it too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from distillcost.prices import declarations as k
from distillcost.prices.formats.document import Builder
from distillcost.prices.formats.locate import Path
from distillcost.prices.teachers import (
    EffortScale,
    ReasoningProfile,
    TeacherData,
    UsageTier,
)

REASONING_TABLES = ("scales", "profiles")
TIER_TABLES = ("tiers",)


def is_teacher_document(doc: Any) -> bool:
    """A document of reasoning profiles or usage tiers (not a price table)."""
    if not isinstance(doc, Mapping) or "models" in doc:
        return False
    return any(name in doc for name in (*REASONING_TABLES, *TIER_TABLES))


def build_teacher(doc: Mapping[str, Any], builder: Builder) -> TeacherData:
    """The file's scales and profiles, or its tiers; problems go to ``builder``."""
    tiers = "tiers" in doc
    if tiers and any(name in doc for name in REASONING_TABLES):
        builder.problem(
            1, "top level", "", "a file holds usage tiers or reasoning profiles, not both"
        )
        return TeacherData()
    allowed = ("meta", *(TIER_TABLES if tiers else REASONING_TABLES))
    builder.unknown_keys(doc, allowed, lambda key: None, "top level")
    meta = _meta(doc, builder, k.LIMITS_META if tiers else k.REASONING_META, required=tiers)
    if meta is None:
        return TeacherData()
    if tiers:
        return TeacherData(tiers=tuple(_tiers(doc["tiers"], builder, meta)))
    scales = _records(doc.get("scales", []), "scales", EffortScale, builder)
    profiles = _records(doc.get("profiles", []), "profiles", ReasoningProfile, builder)
    _check_scales(scales, builder)
    for table, records in (("scales", scales), ("profiles", profiles)):
        for i, record in enumerate(records):
            _check_basis(record, table, i, builder)
    for i, profile in enumerate(profiles):
        if not profile.low <= profile.base <= profile.high:
            builder.problem(
                builder.loc.line((("profiles", i),), "base"),
                f"profile {profile.name!r}",
                "base",
                f"low ≤ base ≤ high does not hold ({profile.low}, {profile.base}, {profile.high})",
            )
    return TeacherData(scales=tuple(scales), profiles=tuple(profiles))


def _meta(
    doc: Mapping[str, Any], builder: Builder, keys: Sequence[k.Key], required: bool
) -> dict[str, Any] | None:
    meta = doc.get("meta")
    path: Path = (("meta", 0),)
    if meta is None:
        if required:
            builder.problem(1, "[meta]", "", "missing required table [meta] (with provider = ...)")
            return None
        return {}
    if not isinstance(meta, Mapping):
        builder.problem(builder.loc.line(path), "[meta]", "", "expected a table")
        return None
    builder.unknown_keys(
        meta, [key.name for key in keys], lambda key: builder.loc.line(path, key), "[meta]"
    )
    fields: dict[str, Any] = {}
    read = builder.read_keys(meta, keys, lambda key: builder.loc.line(path, key), "[meta]", fields)
    return fields if read is not None else None


def _records(items: Any, table: str, cls: type, builder: Builder) -> list[Any]:
    return [record for _, record in _indexed(items, table, cls, builder)]


def _indexed(items: Any, table: str, cls: type, builder: Builder) -> list[tuple[int, Any]]:
    """``(index in the file, record)`` for every ``[[table]]`` that reads without a problem."""
    if not isinstance(items, list):
        builder.problem(None, "", table, f"expected an array of tables [[{table}]]")
        return []
    out = []
    for i, item in enumerate(items):
        path: Path = ((table, i),)
        if not isinstance(item, Mapping):
            builder.problem(builder.loc.line(path), f"{table}[{i}]", "", "expected a table")
            continue
        args = builder._record(cls, path, i, item, "", Decimal(1), None)
        if args is not None:
            out.append((i, cls(**args)))
    return out


def _check_basis(record: Any, table: str, index: int, builder: Builder) -> None:
    """A documented or measured figure names its source; an assumption says why."""
    row = type(record).row_label(
        {"effort": getattr(record, "effort", None), "name": getattr(record, "name", None)},
        index,
        "",
    )
    if record.basis == "assumption" and not record.why:
        builder.problem(
            builder.loc.line(((table, index),), "basis"),
            row,
            "why",
            "an assumption must say why (why = ...)",
        )
    if record.basis != "assumption" and not (record.source or record.why):
        builder.problem(
            builder.loc.line(((table, index),), "basis"),
            row,
            "source",
            f"a {record.basis} figure must name its source (source = ...)",
        )


def _check_scales(scales: Sequence[EffortScale], builder: Builder) -> None:
    seen: set[str] = set()
    for i, scale in enumerate(scales):
        line = builder.loc.line((("scales", i),), "effort")
        if scale.effort in seen:
            builder.problem(line, f"scale {scale.effort!r}", "effort", "given twice")
        seen.add(scale.effort)
        if scale.effort == "none" and scale.factor != 0:
            builder.problem(line, "scale 'none'", "factor", "reasoning off must be 0")


def _tiers(items: Any, builder: Builder, meta: Mapping[str, Any]) -> list[UsageTier]:
    provider = str(meta.get("provider", ""))
    out: list[UsageTier] = []
    seen: dict[tuple[str, date], int] = {}
    for index, tier in _indexed(items, "tiers", UsageTier, builder):
        key = (tier.name, tier.effective_from)
        row = f"tier {tier.name!r} from {tier.effective_from.isoformat()}"
        if key in seen:
            builder.problem(
                builder.loc.line((("tiers", index),)), row, "effective_from", "given twice"
            )
        seen[key] = index
        for ri, limit in enumerate(tier.limits):
            if not limit.values() and not limit.scope:
                builder.problem(
                    builder.loc.line((("tiers", index), ("limits", ri))),
                    f"{row} limits[{ri}]",
                    "",
                    "a row gives no limit (rpm, rpd, tpm, tpd, itpm, otpm, batch_queue_tokens)",
                )
        out.append(dataclasses.replace(tier, provider=provider, origin=builder.origin))
    return out


__all__ = ["build_teacher", "is_teacher_document"]
