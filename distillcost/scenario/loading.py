"""Loading a scenario: a TOML file and/or overrides (flags win over the file)."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from distillcost.config import config_text, read_config_file
from distillcost.errors import ConfigFileError, ScenarioError, did_you_mean
from distillcost.readers.remote import is_remote
from distillcost.scenario.model import (
    SECTIONS,
    SPECS,
    VOLUME_FIELDS,
    Scenario,
    _blame,
    _unknown_field,
    coerce,
)


def read_toml(path: str | Path) -> dict[str, Any]:
    """A scenario file's table; malformed TOML names the file and line.

    A UTF-8 byte-order mark (Windows editors write one) is skipped: tomllib read it
    as "Invalid statement (at line 1, column 1)". The file must be a regular file of
    at most ``FILE_LIMITS["scenario"]`` bytes (:func:`~distillcost.config.read_config_file`).
    """
    p = Path(path)
    try:
        text = config_text(read_config_file(p, "scenario"), p)
    except ConfigFileError as exc:  # missing, a device or pipe, too large, not UTF-8
        raise ScenarioError(str(exc)) from None
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{p}: invalid TOML: {exc}") from None
    except ValueError as exc:  # an integer of 5000 digits (Python's int-from-text limit)
        reason = str(exc).split(";")[0]  # not the sys.set_int_max_str_digits() advice
        raise ScenarioError(f"{p}: invalid TOML: {reason}") from None
    except RecursionError:  # x = [[[[… a hundred thousand deep
        raise ScenarioError(f"{p}: invalid TOML: nested too deeply") from None


def flatten(table: Mapping[str, Any], where: str = "") -> dict[str, Any]:
    """TOML sections ([limits], [student]) folded into flat field names."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if key in SECTIONS and isinstance(value, Mapping):
            for sub_key, sub_value in value.items():
                name = SECTIONS[key].get(sub_key)
                if name is None:
                    close = did_you_mean(sub_key, SECTIONS[key])
                    hint = f" Did you mean: {', '.join(close)}?" if close else ""
                    raise ScenarioError(f"{where}unknown field '{key}.{sub_key}'.{hint}")
                flat[name] = sub_value
        elif key in SECTIONS:
            raise ScenarioError(f"{where}{key}: must be a table ([{key}] with its own keys)")
        elif key in SPECS:
            flat[key] = value
        else:
            raise _unknown_field(key, where)
    return flat


def file_values(table: Mapping[str, Any], where: str, base_dir: Path) -> dict[str, Any]:
    """A file's flat fields in their stored types; relative file names resolved against the
    file's directory (URLs such as ``s3://bucket/x.jsonl`` are left as they are)."""
    values: dict[str, Any] = {}
    for name, value in table.items():
        try:
            values[name] = coerce(name, value)
        except ScenarioError as exc:
            raise ScenarioError(f"{where}{exc}") from None
        if SPECS[name].kind == "paths":
            values[name] = tuple(v if is_remote(v) else str(base_dir / v) for v in values[name])
    return values


def load_scenario(
    path: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    encoding: str | None = None,
    measure: bool = True,
) -> Scenario:
    """A Scenario from a TOML file and/or overrides (flags win over the file).

    ``overrides`` maps field names to values (``None`` values are ignored, so a
    CLI can pass every option). ``encoding`` is the encoding to count measured
    files with when the scenario does not name one (the CLI passes the
    teacher's). Relative file names in the TOML resolve against its directory (URLs
    such as ``s3://bucket/x.jsonl`` are left as they are).
    """
    if path is not None and (isinstance(path, bytes) or not isinstance(path, (str, os.PathLike))):
        raise ScenarioError(f"a scenario file must be a path, not {type(path).__name__}")
    if overrides is not None and (
        not isinstance(overrides, Mapping) or not all(isinstance(k, str) for k in overrides)
    ):
        raise ScenarioError(
            f"overrides must map field names to values, not {type(overrides).__name__} "
            f"{overrides!r}"[:200]
        )
    values: dict[str, Any] = {}
    provenance: dict[str, str] = {name: "default" for name in SPECS}
    where = ""
    base_dir = Path(".")
    if path is not None:
        where = f"{path}: "
        base_dir = Path(path).parent
        document = read_toml(path)
        if "stages" in document:
            raise ScenarioError(
                f"{where}declares [[stages]]: a pipeline, not one scenario (load it with "
                "distillcost.scenario.pipeline.load_pipeline; every command reads it)"
            )
        table = flatten(document, where)
        values.update(file_values(table, where, base_dir))
        provenance.update(dict.fromkeys(table, "file"))
    for name, value in (overrides or {}).items():
        if value is None or (isinstance(value, tuple) and not value and SPECS.get(name)):
            continue
        if name not in SPECS:
            raise _unknown_field(name, "")
        converted = coerce(name, value)
        if name in VOLUME_FIELDS:
            # a volume flag replaces the file's volume; two volume flags still clash
            for other in VOLUME_FIELDS:
                if other != name and provenance.get(other) == "file":
                    values.pop(other, None)
                    provenance[other] = "default"
        values[name] = converted
        provenance[name] = "flag"
    try:
        scenario = Scenario(
            **values, source_path=str(path) if path else None, provenance=provenance
        )
    except ScenarioError as exc:
        raise ScenarioError(_blame(str(exc), provenance, where)) from None
    if measure and (scenario.prompt_file or scenario.completion_file or scenario.chat_file):
        from distillcost.scenario.measure import measure_profile

        scenario = measure_profile(scenario, encoding=encoding)
    return scenario
