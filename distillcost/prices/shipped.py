"""The teacher files shipped with distillcost: reasoning profiles and usage tiers.

``distillcost.pricing`` holds ``reasoning.toml`` beside the price tables (which
:func:`distillcost.prices.sources.builtin_layers` reads); ``distillcost.pricing.limits``
the usage tiers, one TOML per provider. They are read once per process, through the
same readers as any file, and kept in the user cache as plain data.
"""

from __future__ import annotations

from distillcost.prices.formats import parse_text
from distillcost.prices.problems import raise_problems
from distillcost.prices.teachers import TeacherBook, TeacherData
from distillcost.snapshot import memo

TeacherLayer = tuple[str, TeacherData]
TEACHER_FILES = ("reasoning.toml",)
"""The files of ``distillcost.pricing`` that are not price tables."""

_CACHE: list[TeacherLayer] | None = None


def shipped_teacher_layers() -> list[TeacherLayer]:
    """One layer per shipped teacher file: ``reasoning.toml``, then ``limits/*.toml``
    (kept in the user cache as plain data, like the price tables)."""
    global _CACHE
    if _CACHE is None:
        from distillcost.plugins import packaged_texts

        texts = [t for t in packaged_texts("distillcost.pricing") if t[0] in TEACHER_FILES]
        texts += [(f"limits/{n}", t) for n, t in packaged_texts("distillcost.pricing.limits")]

        def parse() -> list[TeacherLayer]:
            layers: list[TeacherLayer] = []
            for name, text in texts:
                result = parse_text(text, name, f"built-in:{name}", ".toml")
                raise_problems(result.problems, name)
                if result.teacher is not None:
                    layers.append((f"built-in:{name}", result.teacher))
            return layers

        _CACHE = memo("teachers", texts, parse, TeacherData)
    return list(_CACHE)


def builtin_teacher_book() -> TeacherBook:
    """The shipped reasoning profiles and usage tiers alone (for tables built in code)."""
    return TeacherBook(shipped_teacher_layers())
