"""The files shipped with distillcost: price tables, reasoning profiles, usage tiers.

``distillcost.pricing`` holds the price tables (one TOML per provider) and
``reasoning.toml``; ``distillcost.pricing.limits`` the usage tiers (one TOML per
provider). They are read once per process, through the same readers as any file.
"""

from __future__ import annotations

from pathlib import Path

from distillcost.prices.formats import parse_text
from distillcost.prices.model import ModelRecord
from distillcost.prices.problems import raise_problems
from distillcost.prices.teachers import TeacherBook, TeacherData

Layer = tuple[str, list[ModelRecord]]
TeacherLayer = tuple[str, TeacherData]
PACKAGES = (("distillcost.pricing", ""), ("distillcost.pricing.limits", "limits/"))

_CACHE: tuple[list[Layer], list[TeacherLayer]] | None = None


def shipped_layers() -> tuple[list[Layer], list[TeacherLayer]]:
    """(price layers, teacher layers), one per shipped file, in file-name order."""
    global _CACHE
    if _CACHE is None:
        from importlib import resources

        layers: list[Layer] = []
        teachers: list[TeacherLayer] = []
        for package, prefix in PACKAGES:
            root = resources.files(package)
            for item in sorted(root.iterdir(), key=lambda p: p.name):
                if not item.name.endswith(".toml"):
                    continue
                origin = f"built-in:{prefix}{item.name}"
                text = item.read_text(encoding="utf-8")
                result = parse_text(text, item.name, origin, Path(item.name).suffix)
                raise_problems(result.problems, item.name)
                if result.teacher is not None:
                    teachers.append((origin, result.teacher))
                else:
                    layers.append((origin, result.records))
        _CACHE = (layers, teachers)
    return _CACHE


def builtin_teacher_book() -> TeacherBook:
    """The shipped reasoning profiles and usage tiers alone (for tables built in code)."""
    return TeacherBook(shipped_layers()[1])
