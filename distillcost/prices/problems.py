"""What is wrong with a price table, and where: file, line, row, field."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from distillcost.errors import PriceDataError
from distillcost.prices import values

if TYPE_CHECKING:
    from distillcost.prices.model import ModelRecord


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a price file: where (file, line, row, field) and what."""

    file: str
    line: int | None
    row: str
    field: str
    message: str

    def __str__(self) -> str:
        parts = [f"{self.file}:{self.line}" if self.line else self.file]
        if self.row:
            parts.append(self.row)
        if self.field:
            parts.append(f"field '{self.field}'")
        parts.append(self.message)
        return ": ".join(parts)


def raise_problems(problems: Sequence[Problem], path: str) -> None:
    """The first problem as a :class:`PriceDataError`, saying how many more there are."""
    if not problems:
        return
    first = str(problems[0])
    if len(problems) > 1:
        first += (
            f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''}; "
            f"see them all with: distillcost prices validate {path})"
        )
    raise PriceDataError(first)


def check_names(
    records: Sequence[ModelRecord],
    report: Callable[[ModelRecord, str, str, ModelRecord], None],
) -> None:
    """Duplicate model ids and aliases colliding with another model's id or alias.

    ``report(record, field, message, other)`` is called for each clash; the
    caller adds where ``other`` was defined (it knows the lines and files).
    """
    owner: dict[str, tuple[ModelRecord, str]] = {}
    for record in records:
        first = owner.get(record.id)
        if first is not None and first[1] == "id":
            report(record, "id", f"duplicate model id {record.id!r}", first[0])
            continue
        for name, kind in [(record.id, "id"), *((a, "alias") for a in record.aliases)]:
            other = owner.get(name)
            if other is not None and other[0] is not record:
                report(
                    record,
                    "aliases" if kind == "alias" else "id",
                    f"{kind} {name!r} collides with the {other[1]} of model {other[0].id!r}",
                    other[0],
                )
            elif other is None:
                owner[name] = (record, kind)


def _values_of(record: Any, *, nested: bool = True) -> Iterable[tuple[str, Any, Any]]:
    """(field name, value, reader) of every declared value a record holds, its nested
    records' too (``nested=False``: the record's own fields only). Empty text is a
    default (entries built in code need no source), not a value to check."""
    from distillcost.prices.model import fields_of

    for attr, key, sub in fields_of(type(record)):
        value = getattr(record, attr)
        if sub is not None:
            if nested:
                for item in value or ():
                    for name, inner, read in _values_of(item):
                        yield f"{key.name}.{name}", inner, read
        elif value is not None and value != "":
            yield key.name, value, key.read


BILLED_READERS = (values.money, values.ratio)


def check_records(
    records: Iterable[Any], source: str, *, billed_only: bool = False
) -> list[Problem]:
    """Problems in records built in code (plugins, the Python API), as files are checked:
    every declared value must read back through its key's reader (no float price, no
    negative one, no control character in a name). ``billed_only`` checks only the
    values that reach a bill (prices, token ratios): what any table must hold, whatever
    names a LiteLLM map brought in (those are escaped wherever they are shown)."""
    from distillcost.prices.model import ModelRecord

    problems: list[Problem] = []
    records = list(records)
    for record in records:
        if not isinstance(record, ModelRecord):
            problems.append(
                Problem(
                    source, None, "", "", f"expected a ModelRecord, got {type(record).__name__}"
                )
            )
            continue
        label = f"model {record.id!r}"
        if not record.history:
            problems.append(Problem(source, None, label, "prices", "no price entries"))
        for name, value, read in _values_of(record, nested=False):
            if not billed_only or read in BILLED_READERS:
                _check(problems, source, label, name, value, read)
        for entry in record.history:
            row = f"{label} price from {entry.effective_from}"
            for name, value, read in _values_of(entry):
                if not billed_only or read in BILLED_READERS:
                    _check(problems, source, row, name, value, read)
    good = [
        r
        for r in records
        if isinstance(r, ModelRecord)
        and isinstance(r.id, str)
        and all(isinstance(a, str) for a in r.aliases)
    ]
    check_names(
        good,
        lambda r, key, msg, other: problems.append(
            Problem(source, None, f"model {r.id!r}", key, msg)
        ),
    )
    return problems


def _check(
    problems: list[Problem], source: str, row: str, name: str, value: Any, read: Any
) -> None:
    if isinstance(value, tuple):
        value = list(value)
    try:
        read(value)
    except values.FieldError as exc:
        problems.append(Problem(source, None, row, name, str(exc)))
