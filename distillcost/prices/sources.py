"""Where the price table comes from: layers of sources, later winning per model.

Precedence (later wins, PER MODEL, the whole record is replaced): built-in tables <
plugins (entry point group ``distillcost.prices``) < the user's config dir
(``$DISTILLCOST_CONFIG_DIR/prices/*.toml|csv|json``, default ``~/.config/distillcost``)
< ``--prices FILE`` / ``load_prices(extra=...)``. Built-in tables register through
the same registry as plugins. Each record keeps its ``origin`` and the origins it
``overrides``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import marshal
import os
from collections.abc import Sequence

from distillcost import cache
from distillcost.config import config_dir
from distillcost.plugins import PriceRegistry, load_price_plugins
from distillcost.prices.files import WarningHandler, load_price_file, price_files_in
from distillcost.prices.model import ModelRecord
from distillcost.prices.snapshot import from_plain, shape, to_plain
from distillcost.prices.table import PriceTable

Layer = tuple[str, list[ModelRecord]]


_BUILTIN_CACHE: list[Layer] | None = None
_SNAPSHOT_FORMAT = 1


def builtin_layers() -> list[Layer]:
    """The tables shipped in ``distillcost.pricing``, one layer per file (read once).

    The checked records are kept in the user cache, keyed by a hash of the tables'
    text, so a later start skips parsing them.
    """
    global _BUILTIN_CACHE
    if _BUILTIN_CACHE is None:
        from importlib import resources

        root = resources.files("distillcost.pricing")
        texts = [
            (item.name, item.read_text(encoding="utf-8"))
            for item in sorted(root.iterdir(), key=lambda p: p.name)
            if item.name.endswith(".toml")
        ]
        key = (_SNAPSHOT_FORMAT, shape(ModelRecord), texts)
        digest = hashlib.sha256(repr(key).encode()).hexdigest()[:16]
        name = f"prices-{digest}.snapshot"
        layers = _read_snapshot(name)
        if layers is None:
            registry = PriceRegistry("built-in")
            for file, text in texts:
                registry.text(file, text, origin=f"built-in:{file}")
            layers = registry.layers
            cache.write(name, marshal.dumps([(o, [to_plain(r) for r in rs]) for o, rs in layers]))
        _BUILTIN_CACHE = layers
    return list(_BUILTIN_CACHE)


def _read_snapshot(name: str) -> list[Layer] | None:
    payload = cache.read(name)
    if payload is None:
        return None
    try:
        return [
            (origin, [from_plain(ModelRecord, r) for r in records])
            for origin, records in marshal.loads(payload)
        ]
    except (ValueError, EOFError, TypeError, KeyError):
        return None  # not the shape this version writes: parse the tables again


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
    layers: list[Layer] = []
    if builtin:
        layers.extend(builtin_layers())
    if plugins:
        layers.extend(load_price_plugins(on_warning=on_warning))
    if user_dir:
        for path in price_files_in(config_dir() / "prices", on_warning):
            origin = f"config:{path}"
            layers.append((origin, load_price_file(path, origin=origin, on_warning=on_warning)))
    for name in extra:
        origin = f"file:{name}"
        layers.append((origin, load_price_file(name, origin=origin, on_warning=on_warning)))
    table = merge_layers(layers)
    if fallback:
        from distillcost.prices.fallback import GenaiFallback

        table.fallback = GenaiFallback()
    return table


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
