"""A pipeline: a campaign of several stages, each its own scenario, run one after another.

A scenario file with ``[[stages]]`` declares one (Self-Instruct: generate instructions,
classify them, generate instances; generate then judge; rounds of evolution). Each stage
is a table of scenario fields; what it leaves out it takes from the file's top level
(teacher, as_of, limits, batch …), except the volume and the student:

* a stage states its own volume (examples, output_tokens, dataset_tokens, requests), or
  ``from_previous = R``: it sends R requests per example the previous stage kept;
* the top-level ``[student]`` trains once, on the last stage's dataset.

Flags apply to every stage, except volume flags (the first stage's volume) and student
flags (the last stage's). Each stage is then an ordinary :class:`Scenario`: priced alone
with its resolved volume it costs exactly what it costs inside the pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from distillcost.errors import ScenarioError
from distillcost.ranges import RangeError, parse_number
from distillcost.scenario.fields import STUDENT
from distillcost.scenario.loading import file_values, flatten, read_toml
from distillcost.scenario.model import (
    SPECS,
    VOLUME_FIELDS,
    Scenario,
    _blame,
    coerce,
)

STAGES_KEY = "stages"
FROM_PREVIOUS = "from_previous"
STAGE_ONLY = ("name", "description")
STUDENT_FIELDS: tuple[str, ...] = tuple(n for n, s in SPECS.items() if s.group == STUDENT)


@dataclass(frozen=True)
class Stage:
    """One stage: its scenario (volume left out when it comes from the previous stage)."""

    name: str
    scenario: Scenario
    from_previous: Decimal | None = None  # requests per example the previous stage kept


@dataclass(frozen=True)
class Pipeline:
    """Stages run in order; the student trains once, on the last stage's dataset."""

    name: str
    description: str
    stages: tuple[Stage, ...]
    source_path: str | None = field(default=None, compare=False)

    def with_teacher(self, teacher: str, stage: str | None = None) -> Pipeline:
        """Every stage (or the one named) distilled from ``teacher`` instead."""
        if stage is not None and stage not in self.names:
            raise ScenarioError(f"stage: no stage {stage!r} (stages: {', '.join(self.names)})")
        return Pipeline(
            self.name,
            self.description,
            tuple(
                Stage(s.name, s.scenario.with_values(teacher=teacher), s.from_previous)
                if stage is None or s.name == stage
                else s
                for s in self.stages
            ),
            self.source_path,
        )

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.stages)

    def teachers(self) -> list[str]:
        return list(dict.fromkeys(s.scenario.teacher or "" for s in self.stages))


def is_pipeline_file(path: str | Path | None) -> bool:
    """A scenario file that declares ``[[stages]]``."""
    return path is not None and STAGES_KEY in read_toml(path)


def _stage_table(raw: Any, index: int, where: str) -> tuple[str, Any, dict[str, Any]]:
    if not isinstance(raw, Mapping):
        raise ScenarioError(f"{where}stages[{index}]: must be a table ([[stages]] with its keys)")
    table = dict(raw)
    name = table.pop("name", f"stage {index + 1}")
    if not isinstance(name, str) or not name.strip():
        raise ScenarioError(f"{where}stages[{index}]: name must be text")
    table.pop("description", None)
    return name, table.pop(FROM_PREVIOUS, None), table


def load_pipeline(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Pipeline:
    """The pipeline a scenario file declares with ``[[stages]]`` (flags as ``overrides``)."""
    where = f"{path}: "
    document = dict(read_toml(path))
    raw_stages = document.pop(STAGES_KEY)
    if not isinstance(raw_stages, list) or not raw_stages:
        raise ScenarioError(f"{where}stages: give at least one [[stages]] table")
    base_dir = Path(path).parent
    top = flatten(document, where)
    name = str(top.pop("name", "") or "")
    description = str(top.pop("description", "") or "")
    for volume in VOLUME_FIELDS:
        if volume in top:
            raise ScenarioError(
                f"{where}{volume}: a pipeline's stages state their own volumes (put it in the "
                "first [[stages]])"
            )
    flags = {k: v for k, v in (overrides or {}).items() if v is not None and v != ()}
    stages: list[Stage] = []
    names: set[str] = set()
    last = len(raw_stages) - 1
    for index, raw in enumerate(raw_stages):
        stage_name, ratio, table = _stage_table(raw, index, where)
        if stage_name in names:
            raise ScenarioError(f"{where}stages: two stages are named {stage_name!r}")
        names.add(stage_name)
        at = f"{where}stage {stage_name!r}: "
        own = flatten(table, at)
        student = [k for k in own if k in STUDENT_FIELDS]
        if student:
            raise ScenarioError(
                f"{at}{student[0]}: the student trains once, on the last stage's dataset: "
                "put [student] at the top level"
            )
        values: dict[str, Any] = {
            k: v for k, v in top.items() if index == last or k not in STUDENT_FIELDS
        }
        values.update(own)
        provenance = {n: "default" for n in SPECS}
        provenance.update({n: "file" for n in values})
        stage_flags = {
            k: v
            for k, v in flags.items()
            if (k not in VOLUME_FIELDS or index == 0) and (k not in STUDENT_FIELDS or index == last)
        }
        given = [v for v in VOLUME_FIELDS if v in values or v in stage_flags]
        from_previous = _ratio(ratio, at, index, given)
        scenario = _scenario(values, stage_flags, provenance, at, base_dir, path, stage_name)
        stages.append(Stage(stage_name, scenario, from_previous))
    return Pipeline(name, description, tuple(stages), str(path))


def _ratio(raw: Any, at: str, index: int, given: list[str]) -> Decimal | None:
    if raw is None:
        if not given:
            raise ScenarioError(
                f"{at}no volume: give one of {', '.join(VOLUME_FIELDS)}"
                + (
                    f", or {FROM_PREVIOUS} (requests per example the stage before kept)"
                    if index
                    else ""
                )
            )
        return None
    if index == 0:
        raise ScenarioError(f"{at}{FROM_PREVIOUS}: the first stage has no stage before it")
    if given:
        raise ScenarioError(f"{at}{given[0]} and {FROM_PREVIOUS} both given: state the volume once")
    try:
        ratio = parse_number(raw)
    except RangeError as exc:
        raise ScenarioError(f"{at}{FROM_PREVIOUS}: {exc}") from None
    if ratio <= 0:
        raise ScenarioError(f"{at}{FROM_PREVIOUS}: must be above 0, got {raw}")
    return ratio


def _scenario(
    values: dict[str, Any],
    flags: Mapping[str, Any],
    provenance: dict[str, str],
    at: str,
    base_dir: Path,
    path: str | Path,
    stage_name: str,
) -> Scenario:
    converted = file_values(values, at, base_dir)
    for key, value in flags.items():
        if key not in SPECS:
            continue
        if key in VOLUME_FIELDS:
            for other in VOLUME_FIELDS:
                converted.pop(other, None)
        converted[key] = coerce(key, value)
        provenance[key] = "flag"
    converted["name"] = stage_name
    try:
        return Scenario(**converted, source_path=str(path), provenance=provenance)
    except ScenarioError as exc:
        raise ScenarioError(_blame(str(exc), provenance, at)) from None
