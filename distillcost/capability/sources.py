"""Where the scores come from: layers of score files, later winning row by row.

Precedence, as for prices: built-in ``distillcost.scores`` files < plugins (entry-point
group ``distillcost.scores``, hook ``register_scores(register)``) < the user's config dir
(``$DISTILLCOST_CONFIG_DIR/scores/*.toml|json|csv``) < ``--scores FILE``. A later layer's
score with the same model, benchmark, date, setting and label replaces the earlier one;
a later benchmark or ``applies_to`` entry of the same name replaces the earlier one;
everything else adds up.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from distillcost.capability.files import (
    ScoreFile,
    load_score_file,
    parse_score_text,
    score_files_in,
)
from distillcost.capability.model import AppliesTo, Benchmark, Score
from distillcost.errors import ScoreDataError, did_you_mean
from distillcost.plugins import (
    SCORE_GROUP,
    packaged_texts,
    plugin_hook,
    run_hook,
    selected_entry_points,
)
from distillcost.snapshot import memo

Layer = tuple[str, ScoreFile]

PERCENT = "%"


@dataclass
class ScoreSet:
    """Every benchmark, score and ``applies_to`` entry of the layers, merged."""

    benchmarks: dict[str, Benchmark] = field(default_factory=dict)
    scores: list[Score] = field(default_factory=list)
    applies_to: dict[str, AppliesTo] = field(default_factory=dict)
    #: (origin, rows it contributed) in load order
    sources: list[tuple[str, int]] = field(default_factory=list)


def merge_score_layers(layers: Iterable[Layer]) -> ScoreSet:
    """Stack layers in order (later wins per key); every score must name a declared benchmark."""
    out = ScoreSet()
    rows: dict[tuple[object, ...], Score] = {}
    for origin, layer in layers:
        for benchmark in layer.benchmarks:
            out.benchmarks[benchmark.name] = benchmark
        for entry in layer.applies_to:
            out.applies_to[entry.scores_of] = entry
        for score in layer.scores:
            rows.pop(score.key, None)  # re-inserted last: a replaced row moves to its new layer
            rows[score.key] = score
        out.sources.append((origin, len(layer.scores)))
    out.scores = list(rows.values())
    _check(out)
    return out


def _check(scores: ScoreSet) -> None:
    for score in scores.scores:
        benchmark = scores.benchmarks.get(score.benchmark)
        if benchmark is None:
            close = did_you_mean(score.benchmark, scores.benchmarks)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise ScoreDataError(
                f"{score.origin}: score of {score.model!r} names benchmark {score.benchmark!r}, "
                f"which no score file declares ([[benchmarks]] name = ...).{hint}"
            )
        if benchmark.unit == PERCENT and score.value > 100:
            raise ScoreDataError(
                f"{score.origin}: score of {score.model!r} on {score.benchmark} is "
                f"{score.value}, above 100%"
            )


class ScoreRegistry:
    """The ``register`` callback a ``register_scores`` plugin hook receives."""

    def __init__(self, plugin: str) -> None:
        self.plugin = plugin
        self.layers: list[Layer] = []

    def __call__(self, path: str | os.PathLike[str]) -> None:
        """Register a score file, or every score file of a directory."""
        target = Path(path)
        if target.is_dir():
            for file in score_files_in(target):
                self.file(file)
        else:
            self.file(target)

    def file(self, path: str | os.PathLike[str]) -> None:
        target = Path(path)
        if not target.is_file():
            raise ScoreDataError(f"plugin {self.plugin!r} registered {target}, which is not a file")
        origin = f"plugin:{self.plugin}:{target.name}"
        self.layers.append((origin, load_score_file(target, origin)))

    def text(self, name: str, text: str, *, origin: str | None = None) -> None:
        """A score file given as text (``name`` gives its format), e.g. a package resource."""
        origin = origin or f"plugin:{self.plugin}:{name}"
        result = parse_score_text(text, name, origin, Path(name).suffix.lower())
        result.raise_problems(name)
        self.layers.append((origin, result))


@functools.cache
def _builtin() -> tuple[Layer, ...]:
    texts = packaged_texts("distillcost.scores")

    def parse() -> list[Layer]:
        registry = ScoreRegistry("built-in")
        for name, text in texts:
            registry.text(name, text, origin=f"built-in:{name}")
        return registry.layers

    return tuple(memo("scores", texts, parse, ScoreFile))  # kept parsed in the user cache


def builtin_score_layers() -> list[Layer]:
    """The files shipped in ``distillcost.scores``, one layer each (read once)."""
    return list(_builtin())


def score_plugin_layers() -> list[Layer]:
    """Layers from every selected plugin of the ``distillcost.scores`` group."""
    layers: list[Layer] = []
    for ep in selected_entry_points(SCORE_GROUP):
        registry = ScoreRegistry(ep.name)
        run_hook(ep, plugin_hook(ep, "register_scores"), registry, ScoreDataError, "scores")
        layers.extend(registry.layers)
    return layers


def _user_score_layers() -> list[Layer]:
    """The score files of the user's config dir; what cannot be read there is a warning
    (an optional source must not stop every command), as for price tables."""
    import warnings

    from distillcost.config import config_subdir
    from distillcost.errors import ConfigWarning, os_reason

    directory = config_subdir("scores")
    if directory is None:
        return []
    layers: list[Layer] = []
    try:
        paths = score_files_in(directory)
    except OSError as exc:
        message = f"{directory}: skipped, it cannot be read ({os_reason(exc)})"
        warnings.warn(message, ConfigWarning, stacklevel=3)
        return []
    for path in paths:
        origin = f"config:{path}"
        layers.append((origin, load_score_file(path, origin)))
    return layers


def load_scores(
    extra: Sequence[str | os.PathLike[str]] = (),
    *,
    builtin: bool = True,
    plugins: bool = True,
    user_dir: bool = True,
) -> ScoreSet:
    """The scores: built-in < plugins < user config dir < ``extra`` files."""
    layers: list[Layer] = []
    if builtin:
        layers.extend(builtin_score_layers())
    if plugins:
        layers.extend(score_plugin_layers())
    if user_dir:
        layers.extend(_user_score_layers())
    for name in extra:
        origin = f"file:{name}"
        layers.append((origin, load_score_file(name, origin)))
    return merge_score_layers(layers)
