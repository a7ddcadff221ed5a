"""Spreadsheet formulas that carry their value: one expression, two readings.

The workbook's cost model is written once over :class:`Expr` objects. Each knows its
Excel formula text (cell references resolved when the sheet is laid out) and its exact
``Decimal`` value at the scenario it was built for, which the writer stores as the
cell's cached result, so a viewer that never recalculates still shows the numbers.
Both branches of an ``IF`` are built (Excel needs both texts); a value that cannot be
computed (a division by zero on the branch not taken) is NaN, never an exception.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation, localcontext
from typing import Any

from distillcost.decimals import decimal_str

Resolve = Callable[["Cell"], str]
"""A cell's address as the formula being written refers to it (``'Cost'!$C$12``)."""


def _calc(fn: Callable[[], Decimal]) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 50
        ctx.traps[DivisionByZero] = False
        ctx.traps[InvalidOperation] = False
        return +fn()


class Expr:
    """A formula and its value; arithmetic builds bigger formulas."""

    value: Any

    def text(self, at: Resolve) -> str:  # pragma: no cover - every subclass says
        raise NotImplementedError

    # arithmetic ----------------------------------------------------------------
    def _bin(self, op: str, other: Any, swap: bool = False) -> Expr:
        a, b = (lift(other), self) if swap else (self, lift(other))
        return Binary(op, a, b)

    def __add__(self, other: Any) -> Expr:
        return self._bin("+", other)

    def __radd__(self, other: Any) -> Expr:
        return self._bin("+", other, swap=True)

    def __sub__(self, other: Any) -> Expr:
        return self._bin("-", other)

    def __rsub__(self, other: Any) -> Expr:
        return self._bin("-", other, swap=True)

    def __mul__(self, other: Any) -> Expr:
        return self._bin("*", other)

    def __rmul__(self, other: Any) -> Expr:
        return self._bin("*", other, swap=True)

    def __truediv__(self, other: Any) -> Expr:
        return self._bin("/", other)

    def __rtruediv__(self, other: Any) -> Expr:
        return self._bin("/", other, swap=True)

    def __neg__(self) -> Expr:
        return Binary("-", Num(Decimal(0)), self)

    # comparisons (formulas, not Python truth: use .value to branch in Python) ----
    def gt(self, other: Any) -> Expr:
        return Compare(">", self, lift(other))

    def lt(self, other: Any) -> Expr:
        return Compare("<", self, lift(other))

    def le(self, other: Any) -> Expr:
        return Compare("<=", self, lift(other))

    def eq(self, other: Any) -> Expr:
        return Compare("=", self, lift(other))


def lift(value: Any) -> Expr:
    if isinstance(value, Expr):
        return value
    if isinstance(value, bool):
        return Bool(value)
    return Num(Decimal(value))


@dataclass(eq=False)
class Num(Expr):
    value: Decimal

    def text(self, at: Resolve) -> str:
        shown = decimal_str(self.value)
        return f"({shown})" if shown.startswith("-") else shown


@dataclass(eq=False)
class Bool(Expr):
    value: bool

    def text(self, at: Resolve) -> str:
        return "TRUE" if self.value else "FALSE"


@dataclass(eq=False)
class Name(Expr):
    """A defined name (an assumption or a price): ``completion_tokens``."""

    name: str
    value: Any

    def text(self, at: Resolve) -> str:
        return self.name


@dataclass(eq=False)
class Cell(Expr):
    """A cell of a block; its address is known once the block is placed."""

    block: Any
    key: str
    value: Any

    def text(self, at: Resolve) -> str:
        return at(self)


_OPS: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


@dataclass(eq=False)
class Binary(Expr):
    op: str
    a: Expr
    b: Expr

    def __post_init__(self) -> None:
        self.value = _calc(lambda: _OPS[self.op](Decimal(self.a.value), Decimal(self.b.value)))

    def text(self, at: Resolve) -> str:
        return f"({self.a.text(at)}{self.op}{self.b.text(at)})"


_TESTS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    "=": lambda a, b: a == b,
}


@dataclass(eq=False)
class Compare(Expr):
    op: str
    a: Expr
    b: Expr

    def __post_init__(self) -> None:
        with localcontext() as ctx:
            ctx.traps[InvalidOperation] = False  # NaN on an untaken branch compares False
            self.value = _TESTS[self.op](Decimal(self.a.value), Decimal(self.b.value))

    def text(self, at: Resolve) -> str:
        return f"({self.a.text(at)}{self.op}{self.b.text(at)})"


@dataclass(eq=False)
class Call(Expr):
    """A spreadsheet function whose value the caller computed."""

    name: str
    args: Sequence[Expr]
    value: Any

    def text(self, at: Resolve) -> str:
        return f"{self.name}({','.join(a.text(at) for a in self.args)})"


def IF(test: Expr, yes: Any, no: Any) -> Expr:
    yes, no = lift(yes), lift(no)
    return Call("IF", (test, yes, no), yes.value if test.value else no.value)


def MIN(a: Any, b: Any) -> Expr:
    a, b = lift(a), lift(b)
    return Call("MIN", (a, b), min(Decimal(a.value), Decimal(b.value)))


def flag(test: Expr) -> Expr:
    """A comparison as 1 or 0, to multiply by."""
    return IF(test, 1, 0)


@dataclass(eq=False)
class Column(Expr):
    """A range of constant numbers (sampled prompt lengths) on a hidden sheet."""

    ref: str
    numbers: Sequence[int]
    value: Any = None

    def text(self, at: Resolve) -> str:
        return self.ref

    def count_above(self, bound: Expr) -> Expr:
        """How many numbers exceed ``bound``: SUMPRODUCT((range>bound)*1) (the ``--`` idiom
        is not read the same way by every engine)."""
        b = Decimal(bound.value)
        found = Decimal(sum(1 for v in self.numbers if v > b)) if b == b else Decimal("NaN")
        return Call("SUMPRODUCT", (Raw(f"({self.ref}>{{}})*1", bound),), found)

    def sum_above(self, bound: Expr) -> Expr:
        """The sum of the numbers above ``bound``: SUMPRODUCT((range>bound)*range)."""
        b = Decimal(bound.value)
        found = Decimal(sum(v for v in self.numbers if v > b)) if b == b else Decimal("NaN")
        return Call("SUMPRODUCT", (Raw(f"({self.ref}>{{}})*{self.ref}", bound),), found)


@dataclass(eq=False)
class Raw(Expr):
    """Formula text around one inner expression (``{}`` marks where it goes)."""

    template: str
    inner: Expr
    value: Any = None

    def text(self, at: Resolve) -> str:
        return self.template.replace("{}", self.inner.text(at))
