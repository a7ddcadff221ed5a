"""Reading a GPU table document (TOML or JSON of one shape): ``[meta]``, ``[[gpus]]`` with
their ``[[gpus.prices]]``, and ``[[serving]]``.

The price-file readers hand a document here when it holds ``gpus`` or ``serving`` (and no
``models``), so a GPU table goes wherever a price file goes. Every problem is filed with
its line, row and field, as for price files; a record with a problem is left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from distillcost.compute import declarations as k
from distillcost.compute.records import Gpu, GpuPrice, ServingBenchmark
from distillcost.prices.formats.document import Builder
from distillcost.prices.formats.locate import Path
from distillcost.prices.model import fields_of

SECTIONS: tuple[str, ...] = ("gpus", "serving")


def is_compute_document(doc: Any) -> bool:
    """A document of GPUs and/or serving benchmarks (and not of API models)."""
    return (
        isinstance(doc, Mapping)
        and "models" not in doc
        and any(section in doc for section in SECTIONS)
    )


class ComputeBuilder(Builder):
    """Builds GPUs and benchmarks from a document, collecting every problem."""

    def compute_document(self, doc: Mapping[str, Any]) -> tuple[list[Gpu], list[ServingBenchmark]]:
        self.unknown_keys(doc, ("meta", *SECTIONS), lambda key: None, "top level")
        checked: date | None = None
        meta = doc.get("meta")
        if meta is not None:
            path: Path = (("meta", 0),)
            if not isinstance(meta, Mapping):
                self.problem(self.loc.line(path), "[meta]", "", "expected a table")
            else:
                names = [key.name for key in k.META]
                self.unknown_keys(meta, names, lambda key: self.loc.line(path, key), "[meta]")
                fields: dict[str, Any] = {}
                self.read_keys(meta, k.META, lambda key: self.loc.line(path, key), "[meta]", fields)
                checked = fields.get("checked")
        gpus = [
            gpu
            for i, data in enumerate(self._array(doc, "gpus"))
            if (gpu := self._gpu(i, data, checked)) is not None
        ]
        serving = [
            row
            for i, data in enumerate(self._array(doc, "serving"))
            if (row := self._serving(i, data)) is not None
        ]
        self._duplicates([g.names for g in gpus], "gpus", "GPU")
        self._duplicates([s.names for s in serving], "serving", "benchmark")
        return gpus, serving

    def _array(self, doc: Mapping[str, Any], key: str) -> Sequence[Any]:
        value = doc.get(key, [])
        if not isinstance(value, list):
            self.problem(None, "", key, f"expected an array of tables [[{key}]]")
            return []
        return value

    def _fields(self, cls: type, path: Path, row: str, data: Any) -> dict[str, Any] | None:
        """The plain (not nested) declared fields of ``cls`` read from ``data``."""
        if not isinstance(data, Mapping):
            self.problem(self.loc.line(path), row, "", "expected a table")
            return None
        declared = list(fields_of(cls))

        def line_of(key: str | None) -> int | None:
            return self.loc.line(path, key)

        self.unknown_keys(data, [key.name for _, key, _ in declared], line_of, row)
        plain = [key for _, key, nested in declared if nested is None]
        read = self.read_keys(data, plain, line_of, row)
        if read is None:
            return None
        return {attr: read[key.name] for attr, key, nested in declared if key.name in read}

    def _gpu(self, index: int, data: Any, checked: date | None) -> Gpu | None:
        path: Path = (("gpus", index),)
        name = data.get("id") if isinstance(data, Mapping) else None
        row = f"gpu {name!r}" if isinstance(name, str) and name else f"gpus[{index}]"
        args = self._fields(Gpu, path, row, data)
        raw = data.get("prices", []) if isinstance(data, Mapping) else []
        if not isinstance(raw, list):
            self.problem(
                self.loc.line(path, "prices"), row, "prices", "expected an array of tables"
            )
            return None
        prices: list[GpuPrice] = []
        ok = args is not None
        seen: set[tuple[str, str, date]] = set()
        for pi, item in enumerate(raw):
            sub: Path = (*path, ("prices", pi))
            price = self._fields(GpuPrice, sub, f"{row} prices[{pi}]", item)
            if price is None:
                ok = False
                continue
            price.setdefault("checked", checked)
            built = GpuPrice(**price)
            key = (built.provider, built.offering, built.effective_from)
            if key in seen:
                self.problem(
                    self.loc.line(sub, "effective_from"),
                    f"{row} price from {built.effective_from}",
                    "effective_from",
                    f"a second {built.offering} rate of {built.provider} on the same day",
                )
                ok = False
            if built.until is not None and built.until <= built.effective_from:
                self.problem(
                    self.loc.line(sub, "until"),
                    f"{row} price from {built.effective_from}",
                    "until",
                    f"{built.until} is not after effective_from {built.effective_from}",
                )
                ok = False
            seen.add(key)
            prices.append(built)
        if not ok or args is None:
            return None
        return Gpu(**args, prices=tuple(prices), origin=self.origin)

    def _serving(self, index: int, data: Any) -> ServingBenchmark | None:
        path: Path = (("serving", index),)
        name = data.get("id") if isinstance(data, Mapping) else None
        row = f"benchmark {name!r}" if isinstance(name, str) and name else f"serving[{index}]"
        args = self._fields(ServingBenchmark, path, row, data)
        if args is None:
            return None
        return ServingBenchmark(**args, origin=self.origin)

    def _duplicates(self, names: Sequence[tuple[str, ...]], section: str, what: str) -> None:
        owner: dict[str, int] = {}
        for i, group in enumerate(names):
            for name in group:
                if name in owner and owner[name] != i:
                    self.problem(None, f"{section}[{i}]", "id", f"{what} name {name!r} used twice")
                owner[name] = i


def build_compute(
    doc: Mapping[str, Any], builder: Builder
) -> tuple[list[Gpu], list[ServingBenchmark]]:
    """GPUs and benchmarks of a document, problems filed on ``builder``."""
    compute = ComputeBuilder(builder.file, builder.origin, builder.loc)
    gpus, serving = compute.compute_document(doc)
    builder.problems.extend(compute.problems)
    return gpus, serving
