"""Scenarios: one distillation campaign, declared, loaded, measured and validated.

* :mod:`~distillcost.scenario.fields` — how a field is declared (meaning, limits, flag);
* :mod:`~distillcost.scenario.model` — the :class:`Scenario` with every field declared once;
* :mod:`~distillcost.scenario.loading` — TOML files and overrides (flags win);
* :mod:`~distillcost.scenario.measure` — prompt/completion tokens counted from data files.
"""

from __future__ import annotations

from distillcost.scenario.fields import GROUPS, FieldSpec
from distillcost.scenario.loading import flatten, load_scenario, read_toml
from distillcost.scenario.measure import measure_profile
from distillcost.scenario.model import (
    FIELDS,
    NUMERIC_PARAMETERS,
    SECTIONS,
    SPECS,
    STUDENT_METHODS,
    VOLUME_FIELDS,
    MeasuredTurns,
    Scenario,
    check_complete,
    coerce,
    describe,
    validate,
)

__all__ = [
    "FIELDS",
    "GROUPS",
    "NUMERIC_PARAMETERS",
    "SECTIONS",
    "SPECS",
    "STUDENT_METHODS",
    "VOLUME_FIELDS",
    "FieldSpec",
    "MeasuredTurns",
    "Scenario",
    "check_complete",
    "coerce",
    "describe",
    "flatten",
    "load_scenario",
    "measure_profile",
    "read_toml",
    "validate",
]
