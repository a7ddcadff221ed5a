"""How a scenario field is declared: once, on the :class:`~distillcost.scenario.Scenario`.

Each field of the Scenario dataclass is written ``name: type = field_spec(default, …)``;
its :class:`FieldSpec` (in the field's metadata) says what it means, what values it
allows, where it sits in a TOML file, its command-line flag and its ``--help``
section. The TOML loader, the validation, the click options, ``--help``'s groups, the
report's assumptions table and ``--explain`` all read these declarations
(:func:`specs_of`); nothing else lists the fields.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

ZERO = Decimal(0)
ONE = Decimal(1)

# --help sections, in the order they are shown
CAMPAIGN = "Campaign"
VOLUME = "Volume (exactly one)"
PROFILE = "Token profile"
MEASURED = "Measured profile"
LOSSES = "Losses and prices"
TIME = "Time (limits per key)"
STUDENT = "Student training"
GROUPS: tuple[str, ...] = (CAMPAIGN, VOLUME, PROFILE, MEASURED, LOSSES, TIME, STUDENT)

# field kinds, read off the annotation: how a value is converted and shown
KINDS: dict[str, str] = {
    "Range | None": "range",
    "Range": "range",
    "bool": "bool",
    "str": "str",
    "str | None": "str",
    "date | None": "date",
    "tuple[str, ...]": "paths",
    "Decimal | None": "number",
}
"""A field may also declare its kind: ``names`` (a list of words, not files)."""


@dataclass(frozen=True)
class FieldSpec:
    """How one scenario field is read, checked and explained."""

    description: str
    group: str
    name: str = ""  # set from the dataclass field
    kind: str = ""  # set from the annotation (see KINDS)
    section: str = ""  # "", "limits", "student": the TOML table it may sit in
    key: str = ""  # key inside the section, when different from name
    minimum: Decimal | None = ZERO  # inclusive lower bound for ranges
    maximum: Decimal | None = None  # inclusive upper bound for ranges
    above_zero: bool = False  # the value must be > minimum (exclusive)
    integer: bool = False
    unit: str = ""
    short: str = ""  # a short flag, e.g. -m
    aliases: tuple[str, ...] = ()  # more long flags for the same field, e.g. --model
    choices: tuple[str, ...] = ()  # the values a text field accepts (none: any)
    flag: bool = True  # has a command-line flag
    default: Any = None  # set from the dataclass field

    @property
    def option(self) -> str:
        """The command-line flag: ``--completion-tokens`` for ``completion_tokens``."""
        return "--" + self.name.replace("_", "-")


def field_spec(default: Any, description: str, group: str, **kw: Any) -> Any:
    """A Scenario dataclass field with its declaration (see :class:`FieldSpec`)."""
    spec = FieldSpec(description, group, **kw)
    return dataclasses.field(default=default, metadata={"spec": spec})


def specs_of(cls: type) -> tuple[FieldSpec, ...]:
    """The declared fields of ``cls``, in order, with name, kind and default filled in."""
    out = []
    for f in dataclasses.fields(cls):
        spec = f.metadata.get("spec")
        if spec is None:
            continue
        kind = spec.kind or KINDS.get(str(f.type))
        if kind is None:  # pragma: no cover - a new annotation needs a kind
            raise TypeError(f"scenario field {f.name}: no kind for annotation {f.type!r}")
        out.append(dataclasses.replace(spec, name=f.name, kind=kind, default=f.default))
    return tuple(out)
