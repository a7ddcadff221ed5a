"""JSON Lines and JSON arrays: strict record parsing, streamed element by element."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from distillcost.errors import InputError
from distillcost.readers import limits
from distillcost.readers.base import SourceBase, utf8_message
from distillcost.readers.schemas import BadRecord, Doc, Unit, field_parser


def first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def expect_object(rec: Any) -> dict[str, Any]:
    if not isinstance(rec, dict):
        raise BadRecord(f"expected a JSON object, got {type(rec).__name__}")
    return rec


class DuplicateKeyError(ValueError):
    """A JSON object with the same key twice: ``json`` would keep the last silently."""


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKeyError(key)
            seen.add(key)
    return obj


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys)


def json_record(data: bytes | str) -> Any:
    """Parse one record; duplicate keys raise :class:`DuplicateKeyError`.

    ``{"messages": [...], "messages": [...]}`` would otherwise drop a whole
    conversation without a word (price files already refuse duplicates). Bytes must
    be UTF-8 (``json.loads`` would also guess UTF-16/32).
    """
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    return _DECODER.decode(text)


def json_loads(data: bytes | str) -> Any:
    """:func:`json_record`, with hostile input reported as malformed JSON like any other.

    Nesting a hundred thousand deep raises RecursionError, and an integer of 5000
    digits ValueError (Python's int-from-text limit): neither is a JSONDecodeError,
    so each was an ``internal error`` that ``--skip-bad`` could not skip either.
    """
    try:
        return json_record(data)
    except (json.JSONDecodeError, UnicodeDecodeError, DuplicateKeyError):
        raise
    except ValueError as exc:  # not the sys.set_int_max_str_digits() advice
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        long_number = re.search(r"\d{4000,}", text)  # where the column points
        pos = long_number.start() if long_number else 0
        raise json.JSONDecodeError(str(exc).split(";")[0], text, pos) from None
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", "", 0) from None


def duplicate_message(exc: DuplicateKeyError) -> str:
    return (
        f"duplicate key {exc.args[0]!r} in a JSON object (JSON keeps only the last, "
        "which would drop data silently)"
    )


class _JsonArray:
    """Iterates the elements of a JSON array read in blocks (see Source._json_units)."""

    def __init__(
        self,
        src: SourceBase,
        fh: BinaryIO,
        progress: Callable[[int], None] | None,
        on_bad: Callable[[int, BadRecord], None] | None,
    ) -> None:
        self.src = src
        self.fh = fh
        self.progress = progress
        self.on_bad = on_bad
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.offset = 0
        self.line = 1  # line of buf[0]

    def _more(self) -> bool:
        if self.eof:
            return False
        block = self.fh.read(limits.BLOCK)
        self.offset += len(block)
        if self.progress is not None and block:
            self.progress(len(block))
        try:
            text = self.decoder.decode(block, not block)
        except UnicodeDecodeError as exc:
            pending = len(self.decoder.getstate()[0])
            bad = self.offset - len(block) - pending + exc.start
            raise InputError(f"{self.src.name}: {self.src._utf8_at(bad)}") from None
        if not block:
            self.eof = True
        if self.pos:
            self.line += self.buf.count("\n", 0, self.pos)
            self.buf = self.buf[self.pos :]
            self.pos = 0
        self.buf += text
        return bool(block)

    def _skip_ws(self) -> str:
        """The next non-blank character ('' at the end), reading on as needed."""
        while True:
            m = _WS.match(self.buf, self.pos)
            self.pos = m.end() if m else self.pos
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                return ""

    def _error(self, msg: str) -> InputError:
        line = self.line + self.buf.count("\n", 0, self.pos)
        return InputError(f"{self.src.name}:{line}: malformed JSON: {msg}")

    def __iter__(self) -> Iterator[Unit]:
        first = self._skip_ws()
        if first == "{":  # one object: one record
            yield Unit(self._value(1), None, 1)
            if self._skip_ws():
                raise self._error("extra data after the top-level object")
            return
        if first != "[":
            raise InputError(f"{self.src.name}: expected a JSON array of records")
        self.pos += 1
        n = 0
        if self._skip_ws() == "]":
            self.pos += 1
        else:
            while True:
                n += 1
                yield Unit(self._value(n), None, n)
                c = self._skip_ws()
                if c == ",":
                    self.pos += 1
                    self._skip_ws()
                    continue
                if c == "]":
                    self.pos += 1
                    break
                raise self._error("expected ',' or ']' after a record" if c else "unexpected end")
        if self._skip_ws():
            raise self._error("extra data after the array")

    def _value(self, n: int) -> Any:
        """Parse the element at ``pos``, reading more (doubling) while it is incomplete."""
        limit = self.src.max_record
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except DuplicateKeyError as exc:
                raise InputError(f"{self.src.where(n)}: {duplicate_message(exc)}") from None
            except json.JSONDecodeError as exc:
                if self.eof:
                    self.pos = exc.pos
                    raise self._error(exc.msg) from None
                self._grow(n, limit)
                continue
            except RecursionError:
                raise self._error("nested too deeply") from None
            except ValueError as exc:
                raise self._error(first_line(exc).split(";")[0]) from None
            if end >= len(self.buf) and not self.eof:  # a number may go on in the next block
                self._grow(n, limit)
                continue
            self.pos = end
            return value

    def _grow(self, n: int, limit: int) -> None:
        """Read until the unparsed part has doubled (or the input ends)."""
        have = len(self.buf) - self.pos
        if have > limit:
            raise InputError(
                f"{self.src.where(n)}: {self.src.too_large(have)}; a JSON array is read "
                "element by element, so convert the file to JSONL to skip such records"
            )
        target = max(2 * have, limits.BLOCK)
        while len(self.buf) - self.pos < target and self._more():
            pass


_WS = re.compile(r"[ \t\r\n]*")


class JsonReader(SourceBase):
    """Reading JSONL lines and JSON array elements."""

    def _load_json_line(self, unit: Unit) -> dict[str, Any]:
        line: bytes = unit.raw
        if unit.where == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[3:]
        try:
            rec = json_loads(line)
        except UnicodeDecodeError as exc:
            raise BadRecord(utf8_message(exc)) from None
        except DuplicateKeyError as exc:
            raise BadRecord(duplicate_message(exc)) from None
        except json.JSONDecodeError as exc:
            raise BadRecord(f"malformed JSON: {exc.msg} (column {exc.colno})") from None
        return expect_object(rec)

    def _parse_field_line(self, unit: Unit) -> Doc:
        assert self.field is not None
        return field_parser(self.field)(self._load_json_line(unit))

    def _jsonl_field_batches(
        self,
        on_bad: Callable[[int, BadRecord], None],
        progress: Callable[[int], None] | None,
        batch_chars: int,
    ) -> Iterator[list[str]]:
        name = self.field
        loads = json_record
        batch: list[str] = []
        size = 0
        total = 0
        reported = 0
        with self.open_binary() as fh:
            for lineno, line, n in self.lines(fh):
                total += n
                if line is None:
                    on_bad(lineno, self.too_large(n))
                    continue
                if line.isspace():
                    continue
                try:
                    rec = loads(line)
                    value = rec[name]
                    if type(value) is not str:
                        raise TypeError
                except Exception:  # rare: let the careful parser say exactly what is wrong
                    try:
                        doc = self._parse_field_line(Unit(line, n, lineno))
                    except BadRecord as exc:
                        on_bad(lineno, exc)
                        continue
                    value = doc.prompt[0]
                batch.append(value)
                size += len(value)
                if size >= batch_chars:
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

    def _json_units(
        self,
        progress: Callable[[int], None] | None,
        on_bad: Callable[[int, BadRecord], None] | None = None,
    ) -> Iterator[Unit]:
        """The elements of a JSON array (or one object), parsed one at a time.

        The file is decoded in blocks and each element parsed with ``raw_decode`` as
        soon as it is complete, so memory holds one element, not the whole array; an
        element above the record limit is a bad record, read past without holding it.
        """
        with self.open_binary() as fh:
            array = _JsonArray(self, fh, progress, on_bad)
            yield from array
        self.bytes_read = array.offset
