"""The teacher files shipped with distillcost: reasoning profiles and usage tiers.

``distillcost.pricing`` holds ``reasoning.toml`` beside the price tables (which
:func:`distillcost.prices.sources.builtin_layers` reads); ``distillcost.pricing.limits``
the usage tiers, one TOML per provider. They are read once per process, through the
same readers as any file, and kept in the user cache as plain data.
"""

from __future__ import annotations

from typing import Any

from distillcost.prices.formats import parse_text
from distillcost.prices.problems import raise_problems
from distillcost.prices.snapshot import cached_layers, from_plain, shape, to_plain
from distillcost.prices.teachers import TeacherBook, TeacherData

TeacherLayer = tuple[str, TeacherData]
TEACHER_FILES = ("reasoning.toml",)
"""The files of ``distillcost.pricing`` that are not price tables."""

_CACHE: list[TeacherLayer] | None = None
_SNAPSHOT_FORMAT = 1


def shipped_teacher_layers() -> list[TeacherLayer]:
    """One layer per shipped teacher file: ``reasoning.toml``, then ``limits/*.toml``
    (kept in the user cache as plain data, like the price tables)."""
    global _CACHE
    if _CACHE is None:
        from importlib import resources

        pricing = resources.files("distillcost.pricing")
        limits = resources.files("distillcost.pricing.limits")
        items = [("", pricing.joinpath(name)) for name in TEACHER_FILES]
        items += [
            ("limits/", item)
            for item in sorted(limits.iterdir(), key=lambda p: p.name)
            if item.name.endswith(".toml")
        ]
        texts = [
            (f"built-in:{prefix}{item.name}", item.read_text(encoding="utf-8"))
            for prefix, item in items
        ]

        def parse() -> list[tuple[str, Any]]:
            layers: list[tuple[str, Any]] = []
            for origin, text in texts:
                name = origin.rpartition("/")[2].rpartition(":")[2]
                result = parse_text(text, name, origin, ".toml")
                raise_problems(result.problems, name)
                if result.teacher is not None:
                    layers.append((origin, result.teacher))
            return layers

        key = (_SNAPSHOT_FORMAT, shape(TeacherData), texts)
        _CACHE = cached_layers(
            "teachers", key, to_plain, lambda plain: from_plain(TeacherData, plain), parse
        )
    return list(_CACHE)


def builtin_teacher_book() -> TeacherBook:
    """The shipped reasoning profiles and usage tiers alone (for tables built in code)."""
    return TeacherBook(shipped_teacher_layers())
