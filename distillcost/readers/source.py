"""The :class:`Source`: one input with every container's reader, and the batching paths."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from distillcost.errors import InputError
from distillcost.readers import limits
from distillcost.readers.csvfile import CsvReader
from distillcost.readers.jsonl import JsonReader, expect_object, json_record
from distillcost.readers.parquet import ParquetReader
from distillcost.readers.schemas import PARSERS, BadRecord, Doc, Unit, doc_chars, field_parser
from distillcost.readers.text import TextReader


@dataclass
class Source(TextReader, JsonReader, CsvReader, ParquetReader):
    """One input: where it is, what it holds, and how to read it.

    The fields and raw-byte access live in :class:`~distillcost.readers.base.SourceBase`;
    each container's reading in its own module; this class chooses between them.
    """

    # -- parsing -------------------------------------------------------------------

    def parser(self) -> Callable[[Unit], Doc]:
        """A function Unit -> Doc for this source (raises BadRecord)."""
        if self.container == "text":
            if self.per_line:
                return self._parse_text_line
            return lambda unit: Doc([unit.raw])
        if self.schema == "field":
            assert self.field is not None
            record_parser = field_parser(self.field)
        else:
            record_parser = PARSERS[self.schema]
        if self.container == "jsonl":
            return lambda unit: record_parser(self._load_json_line(unit))
        if self.container in ("csv", "tsv", "parquet") and self.schema == "field":
            return self._parse_value
        return lambda unit: record_parser(expect_object(unit.raw))

    def _parse_value(self, unit: Unit) -> Doc:
        value = unit.raw
        if value is None:  # as a null field in JSONL: not a silent 0-token document
            raise BadRecord(f"field {self.field!r} is null")
        if not isinstance(value, str):
            raise BadRecord(f"column {self.field!r} holds {type(value).__name__}, not text")
        return Doc([value])

    def units(
        self,
        progress: Callable[[int], None] | None = None,
        on_bad: Callable[[int, BadRecord], None] | None = None,
    ) -> Iterator[Unit]:
        """Every document (or sampling chunk) of the source, unparsed.

        Records too large to hold go to ``on_bad(where, error)`` (raised without it).
        """
        if self.container == "jsonl" or (self.container == "text" and self.per_line):
            yield from self._line_units(progress, on_bad)
        elif self.container == "text":
            yield from self._chunk_units(progress)
        elif self.container == "json":
            yield from self._json_units(progress, on_bad)
        elif self.container in ("csv", "tsv"):
            yield from self._csv_units(progress, on_bad)
        elif self.container == "parquet":
            yield from self._parquet_units(progress)
        else:  # pragma: no cover - guarded by open_source
            raise InputError(f"{self.name}: cannot read container {self.container!r}")

    def text_batches(
        self,
        on_bad: Callable[[int, BadRecord], None],
        progress: Callable[[int], None] | None = None,
        batch_chars: int = limits.BLOCK,
    ) -> Iterator[list[str]]:
        """Documents as batches of texts, without a Python object per record.

        The exact-count path for one-text formats: a per-line text file is read in
        blocks of lines decoded together; a JSONL field is pulled out of each line
        right away. Malformed records go to ``on_bad(where, error)``.
        """
        if self.container == "text":
            yield from self._line_text_batches(on_bad, progress)
        elif self.container == "jsonl":
            yield from self._jsonl_field_batches(on_bad, progress, batch_chars)
        else:
            parse = self._parse_value
            batch: list[str] = []
            size = 0
            for unit in self.units(progress, on_bad):
                try:
                    text = parse(unit).prompt[0]
                except BadRecord as exc:
                    on_bad(unit.where, exc)
                    continue
                batch.append(text)
                size += len(text)
                if size >= batch_chars:
                    yield batch
                    batch = []
                    size = 0
            if batch:
                yield batch

    def doc_batches(
        self,
        on_bad: Callable[[int, BadRecord], None],
        progress: Callable[[int], None] | None = None,
        batch_chars: int = limits.BLOCK,
        batch_docs: int = 20_000,
    ) -> Iterator[list[Doc]]:
        """Every document as batches of Docs (the exact-count path for records)."""
        if self.container != "jsonl":
            parse = self.parser()
            batch: list[Doc] = []
            size = 0
            for unit in self.units(progress, on_bad):
                try:
                    doc = parse(unit)
                except BadRecord as exc:
                    on_bad(unit.where, exc)
                    continue
                batch.append(doc)
                size += unit.size if unit.size is not None else doc_chars(doc)
                if size >= batch_chars or len(batch) >= batch_docs:
                    yield batch
                    batch = []
                    size = 0
            if batch:
                yield batch
            return
        if self.schema == "field":
            assert self.field is not None
            record_parser = field_parser(self.field)
        else:
            record_parser = PARSERS[self.schema]
        loads = json_record
        batch = []
        size = total = reported = 0
        with self.open_binary() as fh:
            for lineno, line, n in self.lines(fh):
                total += n
                if line is None:
                    on_bad(lineno, self.too_large(n))
                    continue
                if line.isspace():
                    continue
                try:
                    try:
                        rec = loads(line)
                    except (ValueError, RecursionError):  # say what is wrong (strip a BOM)
                        rec = self._load_json_line(Unit(line, n, lineno))
                    if type(rec) is not dict:
                        raise BadRecord(f"expected a JSON object, got {type(rec).__name__}")
                    batch.append(record_parser(rec))
                except BadRecord as exc:
                    on_bad(lineno, exc)
                    continue
                size += n
                if size >= batch_chars or len(batch) >= batch_docs:
                    yield batch
                    batch = []
                    size = 0
                    if progress is not None:
                        progress(total - reported)
                        reported = total
        if batch:
            yield batch
        if progress is not None and total > reported:
            progress(total - reported)
        self.bytes_read = total
