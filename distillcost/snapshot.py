"""Records as plain data (``marshal``-able) and back, for the start-up cache.

Parsing and checking the shipped tables (prices, scores) costs a tenth of a second or
more at every start; the checked records, kept as plain lists in the user cache (keyed
by a hash of the files' text and of the record classes' shape), load in a few
milliseconds. Conversion follows each dataclass's own type hints, so a new field
needs nothing here.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import marshal
import typing
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from distillcost import cache

FORMAT = 1

Convert = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _converters(hint: Any) -> tuple[Convert, Convert]:
    """(to plain, from plain) for one field's type hint."""
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    origin = typing.get_origin(hint)
    if origin in (tuple, list):
        inner_to, inner_from = _converters(args[0])
        return (
            lambda v: [inner_to(x) for x in v],
            lambda v: origin(inner_from(x) for x in v),
        )
    base = args[0] if len(args) == 1 else hint  # X | None -> X
    if base is Decimal:
        return (lambda v: None if v is None else str(v)), (
            lambda v: None if v is None else Decimal(v)
        )
    if base is date:
        return (lambda v: None if v is None else v.isoformat()), (
            lambda v: None if v is None else date.fromisoformat(v)
        )
    if isinstance(base, type) and dataclasses.is_dataclass(base):
        return to_plain, functools.partial(from_plain, base)
    return _same, _same


_PLANS: dict[type, tuple[tuple[str, Convert, Convert], ...]] = {}


def _plan(cls: type) -> tuple[tuple[str, Convert, Convert], ...]:
    """(field, to plain, from plain) for each field of a record class, built once."""
    plan = _PLANS.get(cls)
    if plan is None:
        hints = typing.get_type_hints(cls)
        fields = dataclasses.fields(cls)
        plan = _PLANS[cls] = tuple((f.name, *_converters(hints[f.name])) for f in fields)
    return plan


def to_plain(record: Any) -> list[Any]:
    """A record as a list of plain values, in field order."""
    return [to(getattr(record, name)) for name, to, _ in _plan(type(record))]


def from_plain(cls: type, data: list[Any]) -> Any:
    """The record ``to_plain`` gave ``data`` for.

    Built without calling ``__init__``: the record was checked and normalised (its
    ``__post_init__`` ran) before it was kept, so its fields are set as they were.
    """
    pairs = zip(_plan(cls), data, strict=True)  # another shape: ValueError, rebuilt
    record: Any = object.__new__(cls)
    record.__dict__.update({name: back(value) for (name, _, back), value in pairs})
    return record


def shape(cls: type) -> list[Any]:
    """The field names of a record class and of the records it holds: part of the cache
    key, so a snapshot written by another version of the classes is never read."""
    out: list[Any] = [cls.__name__]
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        out.append(f.name)
        nested = [a for a in typing.get_args(hints[f.name]) if dataclasses.is_dataclass(a)]
        out += [shape(a) for a in nested if isinstance(a, type)]
    return out


Layers = list[tuple[str, Any]]


def memo(prefix: str, key: object, build: Callable[[], Layers], hint: Any) -> Layers:
    """``build()``'s layers, ``(origin, value of type hint)``, kept in the user cache.

    ``key`` must change whenever the result would (the files' text); the shape of the
    record classes is added to it here. A snapshot that cannot be read is built again.
    """
    to, back = _converters(hint)
    classes = [a for a in (hint, *typing.get_args(hint)) if isinstance(a, type)]
    layout = [shape(c) for c in classes if dataclasses.is_dataclass(c)]
    digest = hashlib.sha256(repr((FORMAT, layout, key)).encode()).hexdigest()[:16]
    name = f"{prefix}-{digest}.snapshot"
    payload = cache.read(name)
    if payload is not None:
        try:
            return [(origin, back(value)) for origin, value in marshal.loads(payload)]
        except (ValueError, EOFError, TypeError, KeyError):
            pass  # not the shape this version writes: build it again
    built = build()
    cache.write(name, marshal.dumps([(origin, to(value)) for origin, value in built]))
    return built
