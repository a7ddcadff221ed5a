"""Where the price table comes from: layers of sources, later winning per model.

GPU tables (``[[gpus]]``/``[[serving]]``, :mod:`distillcost.compute`) travel the same
layers and land in ``PriceTable.compute``, later winning per GPU and per benchmark.

Precedence (later wins, PER MODEL, the whole record is replaced): built-in tables <
plugins (entry point group ``distillcost.prices``) < the user's config dir
(``$DISTILLCOST_CONFIG_DIR/prices/*.toml|csv|json``, default ``~/.config/distillcost``)
< ``--prices FILE`` / ``load_prices(extra=...)``. Built-in tables register through
the same registry as plugins. Each record keeps its ``origin`` and the origins it
``overrides``. Teacher files (reasoning profiles, usage tiers) found among them are
stacked in the same order into ``table.teachers``.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Iterable, Sequence
from typing import Any

from distillcost.compute.declarations import GPU_FILES
from distillcost.config import config_dir as config_dir  # re-exported by distillcost.prices
from distillcost.config import config_subdir
from distillcost.errors import PriceDataError, os_reason
from distillcost.plugins import PriceRegistry, packaged_texts, plugin_registries
from distillcost.prices.files import (
    ComputeLayer,
    WarningHandler,
    default_warning,
    price_files_in,
    read_table_file,
)
from distillcost.prices.formats import ParseResult, parse_text
from distillcost.prices.model import ModelRecord
from distillcost.prices.problems import raise_problems
from distillcost.prices.shipped import TEACHER_FILES, TeacherLayer, shipped_teacher_layers
from distillcost.prices.table import PriceTable
from distillcost.prices.teachers import TeacherBook
from distillcost.snapshot import memo

Layer = tuple[str, list[ModelRecord]]


_BUILTIN_CACHE: list[Layer] | None = None
_COMPUTE_CACHE: list[ComputeLayer] | None = None


def builtin_layers() -> list[Layer]:
    """The API price tables shipped in ``distillcost.pricing``, one layer per file (read once).

    The checked records are kept in the user cache, keyed by the tables' text, so a
    later start skips parsing them.
    """
    global _BUILTIN_CACHE
    if _BUILTIN_CACHE is None:
        # the price tables: reasoning.toml (prices.shipped) and the GPU tables beside them
        # are not price tables
        texts = [
            t
            for t in packaged_texts("distillcost.pricing")
            if t[0] not in TEACHER_FILES and t[0] not in GPU_FILES
        ]

        def parse() -> list[Layer]:
            registry = PriceRegistry("built-in")
            for file, text in texts:
                registry.text(file, text, origin=f"built-in:{file}")
            return registry.layers

        _BUILTIN_CACHE = memo("prices", texts, parse, list[ModelRecord])
    return list(_BUILTIN_CACHE)


def builtin_compute_layers() -> list[ComputeLayer]:
    """The GPU tables shipped in ``distillcost.pricing`` (gpus.toml, serving.toml), kept in
    the user cache as the price tables are."""
    global _COMPUTE_CACHE
    if _COMPUTE_CACHE is None:
        from distillcost.compute.records import Gpu, ServingBenchmark

        texts = [t for t in packaged_texts("distillcost.pricing") if t[0] in GPU_FILES]

        @functools.cache
        def parsed() -> list[ParseResult]:
            results = []
            for name, text in texts:
                result = parse_text(text, name, f"built-in:{name}", ".toml")
                raise_problems(result.problems, name)
                results.append(result)
            return results

        names = [f"built-in:{name}" for name, _ in texts]

        def layers(kind: str) -> list[tuple[str, Any]]:
            return list(zip(names, (getattr(r, kind) for r in parsed()), strict=True))

        gpus = memo("gpus", texts, lambda: layers("gpus"), list[Gpu])
        serving = memo("serving", texts, lambda: layers("serving"), list[ServingBenchmark])
        _COMPUTE_CACHE = [
            (origin, list(g), list(b)) for (origin, g), (_, b) in zip(gpus, serving, strict=True)
        ]
    return list(_COMPUTE_CACHE)


def load_prices(
    extra: Sequence[str | os.PathLike[str]] = (),
    *,
    plugins: bool = True,
    user_dir: bool = True,
    builtin: bool = True,
    fallback: bool = True,
    on_warning: WarningHandler | None = None,
) -> PriceTable:
    """The price table: built-in < plugins < user config dir < ``extra`` files.

    Later sources win per model: a record with the same id (or whose id/alias
    names an earlier model) replaces the earlier record *whole*, history
    included, and remembers what it overrode in ``ModelRecord.overrides``.
    ``DISTILLCOST_PLUGINS`` limits which plugins load ("" = none). ``fallback``: a name
    none of these knows is looked up in genai-prices (current prices only, marked so).
    """
    if isinstance(extra, (str, os.PathLike)):  # one file given alone, not its characters
        extra = [extra]
    if extra is None or isinstance(extra, bytes) or not isinstance(extra, Iterable):
        raise PriceDataError(
            f"price files must be a path or a list of paths, not {type(extra).__name__}"
        )
    for name in extra:
        if not isinstance(name, (str, os.PathLike)):
            raise PriceDataError(f"a price file must be a path or text, not {type(name).__name__}")
    layers: list[Layer] = []
    teacher_layers: list[TeacherLayer] = []
    compute: list[ComputeLayer] = []

    def add(origin: str, result: ParseResult) -> None:
        if result.teacher is not None:
            teacher_layers.append((origin, result.teacher))
        elif result.gpus or result.serving:
            compute.append((origin, result.gpus, result.serving))
        else:
            layers.append((origin, result.records))

    if builtin:
        layers.extend(builtin_layers())
        teacher_layers.extend(shipped_teacher_layers())
        compute.extend(builtin_compute_layers())
    if plugins:
        for registry in plugin_registries(on_warning):
            layers.extend(registry.layers)
            teacher_layers.extend(registry.teacher_layers)
            compute.extend(registry.compute_layers)
    if user_dir:
        for origin, result in _user_tables(on_warning):
            add(origin, result)
    for name in extra:
        origin = f"file:{name}"
        add(origin, read_table_file(name, origin=origin, on_warning=on_warning))
    table = merge_layers(layers)
    table.teachers = TeacherBook(teacher_layers)
    from distillcost.compute.table import ComputeTable

    table.compute = ComputeTable.from_layers(compute)
    if fallback:
        from distillcost.prices.fallback import GenaiFallback

        table.fallback = GenaiFallback()
    return table


def _user_tables(on_warning: WarningHandler | None) -> list[tuple[str, ParseResult]]:
    """The files of the user's config dir; what cannot be read there is warned and skipped
    (an optional source must not stop every price command)."""
    directory = config_subdir("prices", on_warning)
    if directory is None:
        return []
    warn = on_warning or default_warning
    try:
        paths = price_files_in(directory, on_warning)
    except OSError as exc:
        warn(f"{directory}: skipped, it cannot be read ({os_reason(exc)})")
        return []
    tables: list[tuple[str, ParseResult]] = []
    for path in paths:
        origin = f"config:{path}"
        try:
            tables.append((origin, read_table_file(path, origin=origin, on_warning=on_warning)))
        except OSError as exc:
            warn(f"{path}: skipped, it cannot be read ({os_reason(exc)})")
    return tables


def merge_layers(layers: Sequence[tuple[str, Sequence[ModelRecord]]]) -> PriceTable:
    """Stack sources in order; later wins per model, with provenance kept.

    A later record replaces an earlier one with the same id, or whose id is one
    of the later record's names (id or alias). An earlier model that merely
    shares an alias keeps its place but loses that alias.
    """
    models: dict[str, ModelRecord] = {}
    alias_owner: dict[str, str] = {}
    for _, records in layers:
        for record in records:
            names = (record.id, *record.aliases)
            overridden: list[str] = []
            for name in names:
                old = models.get(name)
                if old is None:
                    continue
                note = old.origin if old.id == record.id else f"{old.origin} ({old.id})"
                overridden.extend((*old.overrides, note))
                for alias in old.aliases:
                    alias_owner.pop(alias, None)
                if name != record.id:
                    del models[name]
            for name in names:
                owner = alias_owner.get(name)
                if owner is not None and owner != record.id and owner in models:
                    other = models[owner]
                    models[owner] = dataclasses.replace(
                        other, aliases=tuple(a for a in other.aliases if a != name)
                    )
            if overridden:
                record = dataclasses.replace(
                    record, overrides=tuple(dict.fromkeys((*record.overrides, *overridden)))
                )
            models[record.id] = record
            for alias in record.aliases:
                alias_owner[alias] = record.id
    table = PriceTable(models.values(), checked=True)  # every layer was checked as read
    table.sources = [(origin, len(records)) for origin, records in layers]
    return table
