"""Build records from the nested document shape that TOML, JSON and CSV readers produce.

``{"meta": {...}, "models": [{..., "prices": [{..., "tiers": [...]}]}]}``: every key
is checked against the record class's declared keys (unknown keys get a "did you
mean"), read by its key's reader, converted by the file's ``unit`` when it is a
price, and the sub-records built recursively. Every problem is filed with its
line, row and field; a record with any problem is left out, never half-built.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from distillcost.errors import did_you_mean
from distillcost.prices import declarations as k
from distillcost.prices import values
from distillcost.prices.aliases import AliasRecord, materialize
from distillcost.prices.formats.locate import Locator, Path
from distillcost.prices.model import ModelRecord, PriceEntry, fields_of
from distillcost.prices.problems import Problem, check_names
from distillcost.prices.teachers import TeacherData

if TYPE_CHECKING:
    from distillcost.compute.records import Gpu, ServingBenchmark


@dataclass
class ParseResult:
    """What a reader found: the records, every problem, and non-fatal warnings.

    A GPU table (``[[gpus]]``/``[[serving]]``, :mod:`distillcost.compute`) fills ``gpus``
    and ``serving`` instead of ``records``.
    """

    records: list[ModelRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # a reasoning-profile or usage-tier file holds these instead of models
    teacher: TeacherData | None = None
    # a GPU table holds these instead of models
    gpus: list[Gpu] = field(default_factory=list)
    serving: list[ServingBenchmark] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.records or self.gpus or self.serving)


def _label(cls: type, data: Mapping[str, Any], index: int, parent: str) -> str:
    """How a problem names the record: ``model 'x'``, ``… price from DATE``, ``… windows[0]``
    (a record class may name its rows itself, with a ``row_label(data, index, parent)``)."""
    labeller = getattr(cls, "row_label", None)
    if labeller is not None:
        return str(labeller(data, index, parent))
    if cls is ModelRecord:
        model_id = data.get("id")
        return (
            f"model {model_id!r}" if isinstance(model_id, str) and model_id else f"models[{index}]"
        )
    if cls is PriceEntry:
        when = data.get("effective_from")
        label = when.isoformat() if isinstance(when, date) else str(when) if when else None
        return f"{parent} price from {label}" if label else f"{parent} prices[{index}]"
    return f"{parent} {_nested_key(cls)}[{index}]"


def _nested_key(cls: type) -> str:
    """The key a nested record is listed under (tiers, windows, service_tiers, limits)."""
    for owner in (PriceEntry, ModelRecord):
        for _, key, nested in fields_of(owner):
            if nested is cls:
                return key.name
    return "tiers"


class Builder:
    """Validates nested record dicts and builds records, collecting every problem."""

    def __init__(self, file: str, origin: str, locator: Locator | None = None) -> None:
        self.file = file
        self.origin = origin
        self.loc = locator or Locator()
        self.problems: list[Problem] = []
        self.meta_failed = False

    def problem(self, line: int | None, row: str, key: str, message: str) -> None:
        self.problems.append(Problem(self.file, line, row, key, message))

    def unknown_keys(
        self,
        data: Mapping[str, Any],
        allowed: Sequence[str],
        line_of: Callable[[str], Any],
        row: str,
    ) -> None:
        for key in data:
            if key not in allowed:
                close = did_you_mean(str(key), allowed)
                hint = f" Did you mean: {', '.join(close)}?" if close else ""
                self.problem(line_of(str(key)), row, str(key), f"unknown field.{hint}")

    def read_keys(
        self,
        data: Mapping[str, Any],
        keys: Sequence[k.Key],
        line_of: Callable[[str | None], int | None],
        row: str,
        into: dict[str, Any] | None = None,
        factor: Decimal = Decimal(1),
    ) -> dict[str, Any] | None:
        """Read every declared key; None when any problem was filed.

        ``into`` receives the keys that did read either way (so one bad ``[meta]``
        key does not hide the good ones).
        """
        out: dict[str, Any] = {} if into is None else into
        ok = True
        for key in keys:
            if key.required and (key.name not in data or data[key.name] in (None, "")):
                self.problem(line_of(None), row, key.name, "missing required field")
                ok = False
        by_name = {key.name: key for key in keys}
        for name, raw in data.items():
            found = by_name.get(name)
            if found is None or raw is None or (raw == "" and not found.verbatim):
                continue
            key = found
            try:
                value = key.read(raw)
            except values.FieldError as exc:
                self.problem(line_of(name), row, name, str(exc))
                ok = False
                continue
            out[name] = value * factor if key.per_token else value
        return out if ok else None

    # -- the document -----------------------------------------------------------------

    def document(self, doc: Any) -> list[ModelRecord]:
        """A whole TOML/JSON document: ``[meta]`` and ``[[models]]``."""
        if not isinstance(doc, Mapping):
            self.problem(1, "", "", "expected a table with [meta] and [[models]]")
            return []
        self.unknown_keys(doc, ("meta", "models", "aliases"), lambda key: None, "top level")
        meta = doc.get("meta")
        provider: str | None = None
        factor = Decimal(1)
        checked: date | None = None
        meta_path: Path = (("meta", 0),)
        if meta is None:
            self.problem(1, "[meta]", "", "missing required table [meta] (with provider = ...)")
            self.meta_failed = True
        elif not isinstance(meta, Mapping):
            self.problem(self.loc.line(meta_path), "[meta]", "", "expected a table")
            self.meta_failed = True
        else:
            names = [key.name for key in k.META]
            self.unknown_keys(meta, names, lambda key: self.loc.line(meta_path, key), "[meta]")
            fields: dict[str, Any] = {}
            self.read_keys(
                meta, k.META, lambda key: self.loc.line(meta_path, key), "[meta]", fields
            )
            provider = fields.get("provider")
            self.meta_failed = provider is None
            factor = fields.get("unit", factor)
            checked = fields.get("checked")
        models = doc.get("models")
        if models is None:
            self.problem(None, "", "models", "missing required field (no [[models]] tables)")
            return []
        if not isinstance(models, list):
            self.problem(None, "", "models", "expected an array of tables [[models]]")
            return []
        batch_cache = fields.get("batch_cache") if isinstance(meta, Mapping) else None
        records = self.models(models, provider, factor, checked, batch_cache)
        aliases = doc.get("aliases", [])
        if not isinstance(aliases, list):
            self.problem(None, "", "aliases", "expected an array of tables [[aliases]]")
            return records
        moving = self.aliases(aliases, records, provider or "")
        if moving:
            merged = [*records, *moving]
            self._check_all_names(merged, len(records))
            return merged
        return records

    def aliases(
        self, aliases: Sequence[Any], records: Sequence[ModelRecord], provider: str
    ) -> list[ModelRecord]:
        """Each ``[[aliases]]`` name as a model made of the models it served (this file's)."""
        by_name = {name: r for r in records for name in (r.id, *r.aliases)}
        out: list[ModelRecord] = []
        for ai, data in enumerate(aliases):
            path: Path = (("aliases", ai),)
            if not isinstance(data, Mapping):
                self.problem(self.loc.line(path), f"aliases[{ai}]", "", "expected a table")
                continue
            args = self._record(AliasRecord, path, ai, data, "", Decimal(1), None)
            if args is None:
                continue
            alias = AliasRecord(**args)
            row = f"alias {alias.name!r}"
            if not alias.targets:
                self.problem(self.loc.line(path, "targets"), row, "targets", "no targets")
                continue
            missing = [t.model for t in alias.targets if t.model not in by_name]
            if missing:
                self.problem(
                    self.loc.line(path, "targets"),
                    row,
                    "model",
                    f"unknown model {missing[0]!r}: a target must be a model of this file",
                )
                continue
            days = [t.from_ for t in alias.targets]
            if len(set(days)) != len(days):
                self.problem(self.loc.line(path), row, "from", "two targets on the same day")
                continue
            targets = {t.model: by_name[t.model] for t in alias.targets}
            out.append(materialize(alias, targets, provider, self.origin))
        return out

    def _check_all_names(self, records: Sequence[ModelRecord], first_alias: int) -> None:
        """A moving name must not also be a model id or a permanent alias."""
        ids = {id(r) for r in records[first_alias:]}

        def report(r: ModelRecord, key: str, msg: str, other: ModelRecord) -> None:
            if id(r) in ids or id(other) in ids:
                self.problem(None, f"alias {r.id!r}", "name", msg)

        check_names(records, report)

    def models(
        self,
        models: Sequence[Any],
        provider: str | None,
        factor: Decimal | Sequence[Decimal],
        checked: date | None,
        batch_cache: str | None = None,
    ) -> list[ModelRecord]:
        """Build each model (``factor`` may be one per model, as CSV rows carry units)."""
        records: list[ModelRecord] = []
        paths: dict[int, Path] = {}
        for mi, data in enumerate(models):
            path: Path = (("models", mi),)
            f = factor[mi] if isinstance(factor, Sequence) else factor
            record = self.model(path, mi, data, provider, f, checked, batch_cache)
            if record is not None:
                paths[id(record)] = path
                records.append(record)

        def report(r: ModelRecord, key: str, msg: str, other: ModelRecord) -> None:
            where = self.loc.line(paths[id(other)])
            suffix = f" (first defined on line {where})" if where else ""
            self.problem(self.loc.line(paths[id(r)], key), f"model {r.id!r}", key, msg + suffix)

        check_names(records, report)
        return records

    def model(
        self,
        path: Path,
        mi: int,
        data: Any,
        provider: str | None,
        factor: Decimal,
        checked: date | None,
        batch_cache: str | None = None,
    ) -> ModelRecord | None:
        if not isinstance(data, Mapping):
            self.problem(self.loc.line(path), f"models[{mi}]", "", "expected a table")
            return None
        fields = self._record(ModelRecord, path, mi, data, "", factor, checked, batch_cache)
        if fields is None:
            return None
        row = _label(ModelRecord, data, mi, "")
        if provider is None and "provider" not in fields:
            if not self.meta_failed:  # a missing [meta] provider was already reported
                self.problem(self.loc.line(path), row, "provider", "missing required field")
            return None
        fields.setdefault("provider", provider or "")
        if not fields["history"]:
            self.problem(
                self.loc.line(path, "prices"),
                row,
                "prices",
                "a model needs at least one price entry",
            )
            return None
        if not self._check_model(fields, row, path):
            return None
        return ModelRecord(**fields, origin=self.origin)

    def _record(
        self,
        cls: type,
        path: Path,
        index: int,
        data: Mapping[str, Any],
        parent: str,
        factor: Decimal,
        checked: date | None,
        batch_cache: str | None = None,
    ) -> dict[str, Any] | None:
        """The constructor arguments of a ``cls`` record (sub-records built), or None."""
        row = _label(cls, data, index, parent)

        def line_of(key: str | None) -> int | None:
            return self.loc.line(path, key)

        declared = list(fields_of(cls))
        self.unknown_keys(data, [key.name for _, key, _ in declared], line_of, row)
        plain = [key for _, key, nested in declared if nested is None]
        fields = self.read_keys(data, plain, line_of, row, factor=factor)
        args: dict[str, Any] = {}
        ok = fields is not None
        for attr, key, nested in declared:
            if nested is None:
                if fields is not None and key.name in fields:
                    args[attr] = fields[key.name]
                continue
            raw = data.get(key.name)
            if raw is None:
                if key.required:
                    self.problem(line_of(None), row, key.name, "missing required field")
                    ok = False
                continue
            if not isinstance(raw, list):
                self.problem(line_of(key.name), row, key.name, "expected an array of tables")
                return None
            items = []
            for i, item in enumerate(raw):
                sub_path = (*path, (key.name, i))
                if not isinstance(item, Mapping):
                    self.problem(
                        self.loc.line(sub_path), f"{row} {key.name}[{i}]", "", "expected a table"
                    )
                    ok = False
                    continue
                built = self._record(nested, sub_path, i, item, row, factor, checked, batch_cache)
                if built is None:
                    ok = False
                    continue
                record = self._finish(nested, built, item, i, row, sub_path, checked, batch_cache)
                if record is None:
                    ok = False
                else:
                    items.append(record)
            args[attr] = tuple(items)
        return args if ok else None

    def _finish(
        self,
        cls: type,
        args: dict[str, Any],
        data: Mapping[str, Any],
        index: int,
        parent: str,
        path: Path,
        checked: date | None,
        batch_cache: str | None = None,
    ) -> Any:
        """A sub-record from its arguments, after the checks that tie its fields together."""
        if cls is PriceEntry:
            args.setdefault("checked", checked)
            if batch_cache is not None:
                args.setdefault("batch_cache", batch_cache)
            tiers = args.get("tiers", ())
            seen: set[int] = set()
            for ti, tier in enumerate(tiers):
                if tier.above_prompt_tokens in seen:
                    self.problem(
                        self.loc.line((*path, ("tiers", ti)), "above_prompt_tokens"),
                        _label(cls, data, index, parent),
                        "above_prompt_tokens",
                        f"duplicate tier threshold {tier.above_prompt_tokens}",
                    )
                    return None
                seen.add(tier.above_prompt_tokens)
            args["tiers"] = tuple(sorted(tiers, key=lambda t: t.above_prompt_tokens))
            return PriceEntry(**args)
        return cls(**args)

    def _check_model(self, fields: Mapping[str, Any], row: str, path: Path) -> bool:
        """Consistency inside one model: dates, duplicates, retirement, aliases."""
        before = len(self.problems)
        released, retired = fields.get("released"), fields.get("retired")
        if retired and released and released > retired:
            self.problem(
                self.loc.line(path, "retired"),
                row,
                "retired",
                f"retired {retired} is before released {released}",
            )
        seen: dict[date, int] = {}
        for ei, entry in enumerate(fields["history"]):
            when = entry.effective_from
            where = f"{row} price from {when}"
            line = self.loc.line((*path, ("prices", ei)), "effective_from")
            if when in seen:
                self.problem(
                    line,
                    where,
                    "effective_from",
                    f"duplicate effective date {when} for this model"
                    + (f" (also on line {seen[when]})" if seen[when] else ""),
                )
            else:
                seen[when] = line or 0
            if retired and when > retired:
                self.problem(
                    line,
                    where,
                    "effective_from",
                    f"effective date {when} is after the model's retirement on {retired}",
                )
        if fields.get("id") in fields.get("aliases", ()):
            self.problem(
                self.loc.line(path, "aliases"), row, "aliases", "an alias repeats the model's id"
            )
        return len(self.problems) == before


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: p.line or 0)
