"""Plugins: extra price tables (and template dirs) from installed distributions.

A plugin is an ordinary installed Python distribution that declares an entry
point in the ``distillcost.prices`` group, e.g. in its ``pyproject.toml``::

    [project.entry-points."distillcost.prices"]
    acme = "distillcost_acme"

The entry point names a module (or object) with a ``register_prices(register)``
function, or a function that itself takes ``register`` — the pattern of simonw/llm:
the hook receives a callback and distillcost owns the registry. ``register``
accepts what a plugin has:

    def register_prices(register):
        register(ModelRecord(...))                 # one record, or a list of them
        register.file(HERE / "acme.toml")          # a .toml/.csv/.json table
        register.file(HERE / "acme-tiers.toml")    # usage tiers or reasoning profiles
        register.directory(HERE / "tables")        # every table in a directory

Plugins sit between the built-in tables and the user's own files (see
:func:`distillcost.prices.load_prices`). ``DISTILLCOST_PLUGINS`` selects which
load: unset = all installed, ``""`` = none, else a comma list of entry-point or
distribution names. A plugin that fails, or registers bad data, is an error
naming the plugin — never skipped silently.

The ``distillcost.templates`` group works the same way with
``register_templates(register)``, where ``register(path)`` adds a template dir, and
the ``distillcost.scores`` group with ``register_scores(register)``, where
``register(path)`` adds a capability-score file or directory
(:mod:`distillcost.capability.sources`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import Any

from distillcost.errors import DistillcostError, PriceDataError, did_you_mean
from distillcost.prices.files import (
    ComputeLayer,
    WarningHandler,
    price_files_in,
    read_table_file,
)
from distillcost.prices.formats import ParseResult, parse_text
from distillcost.prices.model import ModelRecord
from distillcost.prices.problems import check_records, raise_problems
from distillcost.prices.teachers import TeacherData

PLUGIN_GROUP = "distillcost.prices"
TEMPLATE_GROUP = "distillcost.templates"
SCORE_GROUP = "distillcost.scores"
ENV_VAR = "DISTILLCOST_PLUGINS"


class PriceRegistry:
    """The ``register`` callback handed to a plugin's ``register_prices`` hook."""

    def __init__(self, plugin: str, on_warning: WarningHandler | None = None) -> None:
        self.plugin = plugin
        self.on_warning = on_warning
        # (origin, records) in the order the plugin registered them
        self.layers: list[tuple[str, list[ModelRecord]]] = []
        # (origin, GPUs, serving benchmarks) from GPU tables, in the same order
        self.compute_layers: list[ComputeLayer] = []
        # (origin, reasoning profiles or usage tiers) from teacher files it registered
        self.teacher_layers: list[tuple[str, TeacherData]] = []

    def __call__(self, item: ModelRecord | Iterable[ModelRecord] | str | os.PathLike[str]) -> None:
        """Register a record, records, or a path (a table file or a directory of tables)."""
        if isinstance(item, (str, os.PathLike)):
            path = Path(item)
            if path.is_dir():
                self.directory(path)
            else:
                self.file(path)
            return
        records = [item] if isinstance(item, ModelRecord) else list(item)
        origin = f"plugin:{self.plugin}"
        problems = check_records(records, origin)
        if problems:
            raise PriceDataError(str(problems[0]))
        # provenance: every record says which plugin it came from (keeping any detail given)
        stamped = [
            dataclasses.replace(
                r, origin=origin if r.origin in ("", "built-in") else f"{origin}:{r.origin}"
            )
            for r in records
        ]
        self.layers.append((origin, stamped))

    def records(self, records: Iterable[ModelRecord]) -> None:
        self(list(records))

    def text(self, name: str, text: str, *, origin: str | None = None) -> None:
        """A table given as text (``name`` gives its format by extension), e.g. a resource."""
        origin = origin or f"plugin:{self.plugin}:{name}"
        result = parse_text(text, name, origin, Path(name).suffix.lower())
        raise_problems(result.problems, name)
        for message in result.warnings:
            if self.on_warning is not None:
                self.on_warning(message)
        self._add(origin, result)

    def _add(self, origin: str, result: ParseResult) -> None:
        """A price table's records, a teacher file's profiles or tiers, or a GPU table."""
        if result.teacher is not None:
            self.teacher_layers.append((origin, result.teacher))
        elif result.gpus or result.serving:
            self.compute_layers.append((origin, result.gpus, result.serving))
        else:
            self.layers.append((origin, result.records))

    def file(self, path: str | os.PathLike[str]) -> None:
        """A price table file shipped with the plugin."""
        path = Path(path)
        if not path.is_file():
            raise PriceDataError(f"plugin {self.plugin!r} registered {path}, which is not a file")
        origin = f"plugin:{self.plugin}:{path.name}"
        self._add(origin, read_table_file(path, origin=origin, on_warning=self.on_warning))

    def directory(self, path: str | os.PathLike[str]) -> None:
        """Every ``*.toml``/``*.csv``/``*.json`` table of a directory, in name order."""
        path = Path(path)
        if not path.is_dir():
            raise PriceDataError(
                f"plugin {self.plugin!r} registered {path}, which is not a directory"
            )
        for file in price_files_in(path, self.on_warning):
            self.file(file)


def _distribution_name(ep: metadata.EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return dist.name if dist is not None else ""


def selected_entry_points(group: str) -> list[metadata.EntryPoint]:
    """Installed entry points of ``group`` that ``DISTILLCOST_PLUGINS`` lets load."""
    wanted_text = os.environ.get(ENV_VAR)
    if wanted_text is not None and not wanted_text.strip():
        return []  # plugins off: skip scanning every installed distribution
    unique: dict[str, metadata.EntryPoint] = {}
    for ep in metadata.entry_points(group=group):  # a dist on sys.path twice is listed twice
        unique.setdefault(ep.name, ep)
    found = sorted(unique.values(), key=lambda ep: ep.name)
    if wanted_text is None:
        return found
    wanted = [w.strip() for w in wanted_text.split(",") if w.strip()]
    chosen: list[metadata.EntryPoint] = []
    for name in wanted:
        matches = [ep for ep in found if name in (ep.name, _distribution_name(ep))]
        if not matches and group == PLUGIN_GROUP:
            known = sorted({ep.name for ep in found} | {_distribution_name(ep) for ep in found})
            close = did_you_mean(name, [k for k in known if k])
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            installed = ", ".join(k for k in known if k) or "none"
            raise PriceDataError(
                f"{ENV_VAR} names plugin {name!r}, which is not installed.{hint} "
                f"Installed price plugins: {installed}"
            )
        chosen.extend(ep for ep in matches if ep not in chosen)
    return chosen


def _failure(exc: BaseException) -> str:
    """What went wrong in a plugin, in a few words (a sys.exit() is named as such: it
    ended distillcost with exit 0 and no output)."""
    if isinstance(exc, SystemExit):
        return f"it called sys.exit({exc.code!r})"
    return f"{type(exc).__name__}: {exc}"


def plugin_hook(ep: metadata.EntryPoint, attr: str) -> Callable[..., Any]:
    try:
        obj = ep.load()
    except (Exception, SystemExit) as exc:  # sys.exit() in a plugin must not end distillcost
        raise PriceDataError(
            f"plugin {ep.name!r} ({ep.value}) failed to load: {_failure(exc)}"
        ) from exc
    hook = getattr(obj, attr, None)
    if hook is None and callable(obj) and not isinstance(obj, type):
        hook = obj
    if not callable(hook):
        raise PriceDataError(f"plugin {ep.name!r} ({ep.value}) has no {attr}(register) function")
    return hook


def run_hook(
    ep: metadata.EntryPoint,
    hook: Callable[..., Any],
    registry: Any,
    error: type[DistillcostError],
    what: str,
) -> None:
    """Call a plugin's hook with its registry; any failure is ``error`` naming the plugin."""
    try:
        hook(registry)
    except error as exc:
        raise error(f"plugin {ep.name!r}: {exc}") from exc
    except (Exception, SystemExit) as exc:  # sys.exit() in a plugin must not end distillcost
        raise error(f"plugin {ep.name!r} failed while registering {what}: {_failure(exc)}") from exc


def packaged_texts(package: str, suffix: str = ".toml") -> list[tuple[str, str]]:
    """(file name, text) of the ``suffix`` files shipped in ``package``, in name order."""
    from importlib import resources

    root = resources.files(package)
    return [
        (item.name, item.read_text(encoding="utf-8"))
        for item in sorted(root.iterdir(), key=lambda p: p.name)
        if item.name.endswith(suffix)
    ]


def load_price_plugins(
    on_warning: WarningHandler | None = None,
    teacher_layers: list[tuple[str, TeacherData]] | None = None,
) -> list[tuple[str, list[ModelRecord]]]:
    """(origin, records) from every selected plugin, in entry-point name order; the
    teacher files they register (reasoning profiles, usage tiers) go to ``teacher_layers``."""
    layers: list[tuple[str, list[ModelRecord]]] = []
    for registry in plugin_registries(on_warning):
        layers.extend(registry.layers)
        if teacher_layers is not None:
            teacher_layers.extend(registry.teacher_layers)
    return layers


def plugin_registries(on_warning: WarningHandler | None = None) -> list[PriceRegistry]:
    """What every selected plugin registered (prices and GPU tables), in entry-point order."""
    registries: list[PriceRegistry] = []
    for ep in selected_entry_points(PLUGIN_GROUP):
        registry = PriceRegistry(ep.name, on_warning)
        run_hook(ep, plugin_hook(ep, "register_prices"), registry, PriceDataError, "prices")
        registries.append(registry)
    return registries


def installed_price_plugins() -> list[tuple[str, str, str]]:
    """(entry-point name, distribution, value) of every installed price plugin."""
    return [
        (ep.name, _distribution_name(ep), ep.value)
        for ep in sorted(metadata.entry_points(group=PLUGIN_GROUP), key=lambda ep: ep.name)
    ]


def template_dirs() -> list[Path]:
    """Template directories registered by plugins (``distillcost.templates`` group)."""
    dirs: list[Path] = []
    for ep in selected_entry_points(TEMPLATE_GROUP):
        hook = plugin_hook(ep, "register_templates")
        try:
            hook(lambda path: dirs.append(Path(path)))
        except (Exception, SystemExit) as exc:
            raise PriceDataError(
                f"plugin {ep.name!r} failed while registering templates: {_failure(exc)}"
            ) from exc
    return dirs
