"""Files -> streams of documents to count: text, JSONL/JSON, CSV, Parquet, stdin.

A *source* is one input (a file or ``-`` for stdin). It yields *units* — one per
document (a JSONL line, a text line, a CSV/Parquet row), or, for a whole text
file being sampled, one per chunk cut at a point where tokenization is exact.
Each unit carries its size in bytes, so the sampler can skip a unit without
parsing or tokenizing it, and is parsed into a :class:`Doc` only when counted.

Record formats (detected from the first record unless forced):

* ``chat`` — OpenAI chat: ``{"messages": [{"role", "content", "name"?}, ...]}``;
  ``content`` is a string or a list of parts whose ``type == "text"``
  parts are counted (each part on its own; images and other parts are not text
  and are not counted); it may be null only on an assistant message that has
  ``tool_calls``/``function_call`` (whose arguments are not counted). Assistant
  messages are the completion side; system, developer, user, tool and function
  are the prompt side; any other role is an error.
  A record-level ``system`` (Anthropic's shape) is one more system message.
* ``sharegpt`` — ``{"conversations": [{"from", "value"}, ...]}``: ``human``/``user``
  -> user, ``gpt``/``assistant``/``chatgpt``/``bard``/``bing``/``model``/
  ``function_call`` -> assistant, ``system`` -> system, ``observation``/
  ``function_response``/``tool`` -> tool, ``function`` -> function; any other
  speaker is an error. A record-level ``system`` (LLaMA-Factory) is a system turn.
* ``instruction`` — ``instruction``/``input``/``output``: prompt is
  ``instruction + "\\n" + input`` (just ``instruction`` when input is empty),
  completion is ``output`` (``response`` when there is no ``output``, as in GPTeacher).
* ``prompt-completion`` — OpenAI's legacy fine-tuning records ``prompt``/``completion``.
* ``question-answer`` — ``question``/``answer`` (GSM8K and other QA sets).
* ``field`` — one named field/column (``--field``), one side only.
* ``text`` — a plain text file: the whole file is one document, or one document
  per non-empty line with ``per_line``.

JSON arrays (``.json``) are read whole into memory; convert large ones to JSONL,
which is streamed.

Every problem is an :class:`~distillcost.errors.InputError` naming the file and
line (or row); malformed records raise :class:`BadRecord`, which the counter may
skip and tally when asked to.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import io
import json
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from distillcost.errors import InputError, TooLargeError

DEFAULT_GLOB = "*.jsonl,*.ndjson,*.json,*.txt,*.md,*.csv,*.tsv,*.parquet"
CONTAINERS = ("text", "jsonl", "json", "csv", "tsv", "parquet")
SCHEMAS = ("chat", "sharegpt", "instruction", "prompt-completion", "question-answer")
FORMATS_IN = ("auto", *CONTAINERS, *SCHEMAS)

# Bytes read at a time from text files. Small blocks keep peak memory low: the
# tokenizer's working memory grows with the size of each batch of lines (measured:
# toktok on 2 threads, 74 MB at rest -> 105 MB with 256 KiB batches, 150 MB with 1 MiB,
# 213 MB with 4 MiB). A whole file streamed through count_chunks reads WHOLE_BLOCK.
BLOCK = 512 << 10
WHOLE_BLOCK = 4 << 20
HEAD = 64 << 10  # bytes sniffed to detect the format
CHUNK_TARGET = 4 << 10  # characters per sampling unit when a whole text file is sampled
# The largest single record (a JSONL/text line, a CSV row, a JSON array element) read,
# so that memory stays bounded whatever the input; larger ones are bad records.
MAX_RECORD_BYTES = 32 << 20

_ASSISTANT = frozenset({"gpt", "assistant", "chatgpt", "bard", "bing", "model", "function_call"})
# ShareGPT speakers on the prompt side, and the API role each is sent as
_PROMPT_SPEAKERS = {
    "human": "user",
    "user": "user",
    "system": "system",
    "tool": "tool",
    "observation": "tool",
    "function_response": "tool",
    "function": "function",
}
# OpenAI chat roles. Any other role is an error, not silently prompt-side: a Gemini-style
# "model" answer counted as prompt would be priced as input, several times cheaper.
CHAT_ROLES = frozenset({"system", "developer", "user", "assistant", "tool", "function"})


class BadRecord(InputError):
    """One record that cannot be counted (malformed JSON, missing field, ...)."""


class Doc(NamedTuple):
    """The texts of one document, ready to tokenize.

    ``prompt`` holds the prompt-side texts (or the only side); ``completion`` is
    ``None`` for one-sided formats. For chat, ``roles`` lists the roles of the
    prompt-side messages and ``names`` how many of them carry a ``name`` (their
    names are already among the prompt texts): the counter adds the API's
    per-message overhead from these.
    """

    prompt: list[str]
    completion: list[str] | None = None
    roles: tuple[str, ...] = ()
    names: int = 0
    chat: bool = False


class LineBlock(NamedTuple):
    """Lines (without newlines) read together; ``keep`` indexes the non-blank ones."""

    lines: list[bytes]
    keep: list[int]
    first_line: int  # line number of lines[0]
    size: int  # bytes of the non-blank lines, one newline each


class Unit(NamedTuple):
    raw: Any  # bytes (a line), str (a chunk or field value) or dict (a row)
    size: int | None  # bytes; None = measure the parsed Doc's texts
    where: int  # 1-based line, row or record number


def doc_bytes(doc: Doc) -> int:
    """UTF-8 size of a document's texts: the sampling weight when no raw size exists."""
    n = sum(len(t.encode("utf-8")) for t in doc.prompt)
    if doc.completion:
        n += sum(len(t.encode("utf-8")) for t in doc.completion)
    return n


def doc_chars(doc: Doc) -> int:
    n = sum(map(len, doc.prompt))
    if doc.completion:
        n += sum(map(len, doc.completion))
    return n


# ---------------------------------------------------------------- record schemas


def _content_texts(content: Any, what: str) -> list[str]:
    if isinstance(content, str):
        return [content]
    if content is None:
        return []
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, dict):
                if part.get("type", "text") == "text":
                    text = part.get("text")
                    if not isinstance(text, str):
                        raise BadRecord(f"{what}: a text part has no string 'text'")
                    texts.append(text)
            else:
                raise BadRecord(f"{what}: content parts must be objects or strings")
        return texts
    raise BadRecord(f"{what}: content is {type(content).__name__}, not text")


def _top_level_system(rec: dict[str, Any]) -> list[str]:
    """A record-level ``system`` prompt (Anthropic's Messages shape, LLaMA-Factory's ShareGPT).

    It is sent with every request, so it is a system message on the prompt side.
    """
    value = rec.get("system")
    if value is None or value == "":
        return []
    if isinstance(value, (str, list)):
        return _content_texts(value, "field 'system'")
    raise BadRecord(f"field 'system' is {type(value).__name__}, not text")


def parse_chat(rec: dict[str, Any]) -> Doc:
    messages = rec.get("messages")
    if type(messages) is not list:
        raise BadRecord(_missing(rec, "messages", "a list of messages"))
    prompt: list[str] = _top_level_system(rec)
    completion: list[str] = []
    roles: list[str] = ["system"] if prompt else []
    names = 0
    for i, msg in enumerate(messages, 1):
        if type(msg) is not dict:
            raise BadRecord(f"message {i} is not an object")
        role = msg.get("role")
        content = msg.get("content")
        if type(role) is not str:
            raise BadRecord(f"message {i} has no 'role'")
        if role not in CHAT_ROLES:
            raise BadRecord(
                f"message {i}: unknown role {role!r} (expected {', '.join(sorted(CHAT_ROLES))})"
            )
        if content is None and not (
            role == "assistant" and (msg.get("tool_calls") or msg.get("function_call"))
        ):
            # only an assistant turn that calls a tool may have no content (OpenAI's format)
            state = "null" if "content" in msg else "missing"
            raise BadRecord(f"message {i} ({role}): content is {state}")
        if role == "assistant":
            if type(content) is str:
                completion.append(content)
            elif content is not None:
                completion.extend(_content_texts(content, f"message {i}"))
            continue
        roles.append(role)
        if type(content) is str:
            prompt.append(content)
        elif content is not None:
            prompt.extend(_content_texts(content, f"message {i}"))
        name = msg.get("name")
        if name:
            if type(name) is not str:
                raise BadRecord(f"message {i}: 'name' is not text")
            prompt.append(name)
            names += 1
    return Doc(prompt, completion, tuple(roles), names, True)


def parse_sharegpt(rec: dict[str, Any]) -> Doc:
    turns = rec.get("conversations")
    if not isinstance(turns, list):
        raise BadRecord(_missing(rec, "conversations", "a list of turns"))
    prompt: list[str] = _top_level_system(rec)
    completion: list[str] = []
    roles: list[str] = ["system"] if prompt else []
    for i, turn in enumerate(turns, 1):
        if not isinstance(turn, dict):
            raise BadRecord(f"turn {i} is not an object")
        speaker = turn.get("from")
        if not isinstance(speaker, str):
            raise BadRecord(f"turn {i} has no 'from'")
        value = turn.get("value")
        if value is None:  # as a chat message's content: not a silent 0-token turn
            state = "null" if "value" in turn else "missing"
            raise BadRecord(f"turn {i} ({speaker}): 'value' is {state}")
        if isinstance(value, str):
            texts = [value]
        else:
            raise BadRecord(f"turn {i}: 'value' is {type(value).__name__}, not text")
        key = speaker.lower()
        if key in _ASSISTANT:
            completion.extend(texts)
        elif key in _PROMPT_SPEAKERS:
            roles.append(_PROMPT_SPEAKERS[key])
            prompt.extend(texts)
        else:
            known = sorted({*_ASSISTANT, *_PROMPT_SPEAKERS})
            raise BadRecord(
                f"turn {i}: unknown speaker {speaker!r} in 'from' (expected {', '.join(known)})"
            )
    return Doc(prompt, completion, tuple(roles), 0, True)


def _text_field(rec: dict[str, Any], name: str, required: bool = True) -> str:
    value = rec.get(name)
    if value is None:
        if required:
            # a null answer counted as "" would be a silent zero in the campaign's cost
            raise BadRecord(_missing(rec, name) if name not in rec else f"field {name!r} is null")
        return ""
    if not isinstance(value, str):
        raise BadRecord(f"field {name!r} is {type(value).__name__}, not text")
    return value


def parse_instruction(rec: dict[str, Any]) -> Doc:
    instruction = _text_field(rec, "instruction")
    extra = _text_field(rec, "input", required=False)
    output = _text_field(rec, "output" if "output" in rec or "response" not in rec else "response")
    prompt = instruction + "\n" + extra if extra else instruction
    return Doc([prompt], [output])


def parse_prompt_completion(rec: dict[str, Any]) -> Doc:
    return Doc([_text_field(rec, "prompt")], [_text_field(rec, "completion")])


def parse_question_answer(rec: dict[str, Any]) -> Doc:
    return Doc([_text_field(rec, "question")], [_text_field(rec, "answer")])


def field_parser(name: str) -> Callable[[dict[str, Any]], Doc]:
    def parse_field(rec: dict[str, Any]) -> Doc:
        return Doc([_text_field(rec, name)])

    return parse_field


PARSERS: dict[str, Callable[[dict[str, Any]], Doc]] = {
    "chat": parse_chat,
    "sharegpt": parse_sharegpt,
    "instruction": parse_instruction,
    "prompt-completion": parse_prompt_completion,
    "question-answer": parse_question_answer,
}


def _keys(rec: dict[str, Any]) -> str:
    keys = list(rec)
    shown = ", ".join(map(str, keys[:12])) + (", ..." if len(keys) > 12 else "")
    return shown or "none"


def _missing(rec: dict[str, Any], name: str, what: str = "") -> str:
    suffix = f" ({what})" if what else ""
    return f"no field {name!r}{suffix}; the record has: {_keys(rec)}"


def detect_schema(rec: Any) -> str:
    """The record format of one record, from its keys."""
    if not isinstance(rec, dict):
        raise BadRecord(f"expected a JSON object, got {type(rec).__name__}")
    if isinstance(rec.get("messages"), list):
        return "chat"
    if isinstance(rec.get("conversations"), list):
        return "sharegpt"
    if "instruction" in rec and ("output" in rec or "response" in rec):
        return "instruction"
    if "prompt" in rec and "completion" in rec:
        return "prompt-completion"
    if "question" in rec and "answer" in rec:
        return "question-answer"
    raise BadRecord(
        f"record is not in a known format (it has: {_keys(rec)}); expected 'messages' "
        "(chat), 'conversations' (ShareGPT), 'instruction'+'output' (or 'response'), "
        "'prompt'+'completion', 'question'+'answer' — or pass --field NAME to count one field"
    )


# ---------------------------------------------------------------- sources


class _Prefixed(io.RawIOBase):
    """A stream with some already-read bytes put back in front (to sniff stdin)."""

    def __init__(self, head: bytes, rest: BinaryIO, owned: bool = False) -> None:
        self._head = head
        self._rest = rest
        self._owned = owned  # close ``rest`` too (a pipe we opened; never stdin)

    def close(self) -> None:
        if self._owned and not self.closed:
            self._rest.close()
        super().close()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            n = min(len(view), len(self._head))
            view[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        data = self._rest.read(len(view))
        view[: len(data)] = data
        return len(data)


@dataclass
class Source:
    """One input: where it is, what it holds, and how to read it.

    A *seekable* input (a regular file) is opened anew for each pass. Anything else
    (stdin, a named pipe, ``<(...)``, a device) is opened once: the bytes sniffed to
    detect its format are kept and put back in front of the same stream, which can
    then be read once (issue 11: a pipe opened twice lost everything sniffed).
    """

    name: str  # for messages: the path as given, or "<stdin>"
    path: Path | None  # None for stdin
    container: str  # text | jsonl | json | csv | tsv | parquet
    schema: str  # text | chat | sharegpt | instruction | prompt-completion | field
    field: str | None = None
    per_line: bool = False
    size: int | None = None  # bytes, when known up front
    seekable: bool = True
    _head: bytes = b""
    _stream: BinaryIO | None = None
    _columns: list[str] = dataclasses.field(default_factory=list)
    bytes_read: int = 0
    max_record: int = MAX_RECORD_BYTES

    @property
    def sided(self) -> bool:
        return self.schema in PARSERS

    @property
    def rereadable(self) -> bool:
        return self.seekable

    @property
    def whole_text(self) -> bool:
        return self.container == "text" and not self.per_line

    @property
    def label(self) -> str:
        if self.container == "text":
            return "text/lines" if self.per_line else "text"
        if self.schema == "field":
            return f"{self.container}/field:{self.field}"
        return f"{self.container}/{self.schema}"

    def where(self, n: int) -> str:
        unit = "row" if self.container in ("csv", "tsv", "parquet") else "line"
        if self.container == "json":
            unit = "record"
        return f"{self.name}:{unit} {n}" if unit != "line" else f"{self.name}:{n}"

    # -- raw bytes ---------------------------------------------------------------

    def open_binary(self) -> BinaryIO:
        """A fresh stream of the whole input (a non-seekable one can be read once)."""
        if not self.seekable:
            if self._stream is None:
                what = "standard input" if self.path is None else "a pipe or device"
                raise InputError(f"{self.name}: {what} can be read only once")
            owned = self.path is not None
            stream = io.BufferedReader(_Prefixed(self._head, self._stream, owned), BLOCK)
            self._stream = None
            return stream  # type: ignore[return-value]
        assert self.path is not None
        return open(self.path, "rb", buffering=1 << 20)

    def peek(self, n: int) -> bytes:
        """The first ``n`` bytes (fewer at the end), without using up a one-pass stream."""
        if len(self._head) >= n:
            return self._head[:n]
        if self.seekable:
            assert self.path is not None
            with open(self.path, "rb") as fh:
                self._head = fh.read(n)
            return self._head
        if self._stream is None:
            return self._head
        more = self._stream.read(n - len(self._head))
        if more:
            self._head += more
        return self._head

    def lines(self, fh: BinaryIO) -> Iterator[tuple[int, bytes | None, int]]:
        """(line number, line with its newline, bytes) for each line, in bounded memory.

        A line longer than :attr:`max_record` is yielded as ``None`` with its size,
        read past in blocks and never held whole.
        """
        limit = self.max_record
        readline = fh.readline
        lineno = 0
        while True:
            line = readline(limit + 1)
            if not line:
                return
            lineno += 1
            if len(line) <= limit or line.endswith(b"\n"):
                yield lineno, line, len(line)
                continue
            size = len(line)
            del line
            while True:
                rest = readline(BLOCK)
                size += len(rest)
                if not rest or rest.endswith(b"\n"):
                    break
            yield lineno, None, size

    def close(self) -> None:
        """Close a one-pass stream that was opened but never read (not stdin)."""
        stream, self._stream = self._stream, None
        if stream is not None and self.path is not None:
            stream.close()

    def too_large(self, size: int) -> BadRecord:
        return BadRecord(
            f"record of {size:,} bytes is larger than the {self.max_record:,}-byte limit "
            "for one record (raise it with --max-record-mb, or split the record)"
        )

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
        return lambda unit: record_parser(_expect_object(unit.raw))

    def _parse_text_line(self, unit: Unit) -> Doc:
        try:
            text = unit.raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadRecord(_utf8_message(exc)) from None
        return Doc([text.removesuffix("\n").removesuffix("\r")])

    def _parse_value(self, unit: Unit) -> Doc:
        value = unit.raw
        if value is None:  # as a null field in JSONL: not a silent 0-token document
            raise BadRecord(f"field {self.field!r} is null")
        if not isinstance(value, str):
            raise BadRecord(f"column {self.field!r} holds {type(value).__name__}, not text")
        return Doc([value])

    def _load_json_line(self, unit: Unit) -> dict[str, Any]:
        line: bytes = unit.raw
        if unit.where == 1 and line.startswith(codecs.BOM_UTF8):
            line = line[3:]
        try:
            rec = _json_loads(line)
        except UnicodeDecodeError as exc:
            raise BadRecord(_utf8_message(exc)) from None
        except DuplicateKeyError as exc:
            raise BadRecord(_duplicate_message(exc)) from None
        except json.JSONDecodeError as exc:
            raise BadRecord(f"malformed JSON: {exc.msg} (column {exc.colno})") from None
        return _expect_object(rec)

    # -- units -----------------------------------------------------------------------

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

    def _bad(
        self, on_bad: Callable[[int, BadRecord], None] | None, where: int, exc: BadRecord
    ) -> None:
        if on_bad is None:
            raise InputError(f"{self.where(where)}: {exc}") from None
        on_bad(where, exc)

    def _line_units(
        self,
        progress: Callable[[int], None] | None,
        on_bad: Callable[[int, BadRecord], None] | None = None,
    ) -> Iterator[Unit]:
        total = 0
        pending = 0
        with self.open_binary() as fh:
            for lineno, line, n in self.lines(fh):
                total += n
                if progress is not None:
                    pending += n
                    if pending >= BLOCK:
                        progress(pending)
                        pending = 0
                if line is None:
                    self._bad(on_bad, lineno, self.too_large(n))
                    continue
                if line.isspace():  # blank lines are not documents
                    continue
                yield Unit(line, n, lineno)
        if progress is not None and pending:
            progress(pending)
        self.bytes_read = total

    # -- fast path: one text per document ------------------------------------------

    @property
    def one_text(self) -> bool:
        """True when every document is exactly one text (lines, or one field)."""
        return (self.container == "text" and self.per_line) or (
            self.schema == "field" and self.container in ("jsonl", "csv", "tsv", "parquet")
        )

    def text_batches(
        self,
        on_bad: Callable[[int, BadRecord], None],
        progress: Callable[[int], None] | None = None,
        batch_chars: int = BLOCK,
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

    def _line_text_batches(
        self, on_bad: Callable[[int, BadRecord], None], progress: Callable[[int], None] | None
    ) -> Iterator[list[str]]:
        """Lines of a text file, decoded a block at a time (one decode per ~512 KiB)."""
        lines: list[bytes] = []
        first = 1  # line number of lines[0]
        size = total = 0
        bom = True

        def decoded() -> list[str]:
            nonlocal bom
            data = b"".join(lines)
            if bom and data.startswith(codecs.BOM_UTF8):
                data = data[3:]
            bom = False
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = first + data.count(b"\n", 0, exc.start)
                raise InputError(f"{self.name}:{line}: {_utf8_message_at(exc, data)}") from None
            parts = text.split("\n")
            if parts and parts[-1] == "":
                parts.pop()
            return [ln.removesuffix("\r") for ln in parts if ln and not ln.isspace()]

        with self.open_binary() as fh:
            for lineno, line, n in self.lines(fh):
                total += n
                if line is None:
                    if lines:
                        batch = decoded()
                        if batch:
                            yield batch
                        lines, size = [], 0
                    first = lineno + 1
                    on_bad(lineno, self.too_large(n))
                    continue
                if b"\x00" in line:
                    raise InputError(f"{self.name}:{lineno}: binary file (NUL byte in this line)")
                if not lines:
                    first = lineno
                lines.append(line if line.endswith(b"\n") else line + b"\n")
                size += n
                if size >= BLOCK:
                    if progress is not None:
                        progress(size)
                    batch = decoded()
                    lines, size = [], 0
                    if batch:
                        yield batch
        if lines:
            if progress is not None:
                progress(size)
            batch = decoded()
            if batch:
                yield batch
        self.bytes_read = total

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

    def doc_batches(
        self,
        on_bad: Callable[[int, BadRecord], None],
        progress: Callable[[int], None] | None = None,
        batch_chars: int = BLOCK,
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
        record_parser = field_parser(self.field) if self.schema == "field" else PARSERS[self.schema]
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

    def _parse_field_line(self, unit: Unit) -> Doc:
        assert self.field is not None
        return field_parser(self.field)(self._load_json_line(unit))

    @property
    def line_based(self) -> bool:
        """One document per line (JSONL, or text with per_line)."""
        return self.container == "jsonl" or (self.container == "text" and self.per_line)

    def line_blocks(
        self,
        progress: Callable[[int], None] | None = None,
        on_bad: Callable[[int, BadRecord], None] | None = None,
    ) -> Iterator[LineBlock]:
        """The lines of a line-based source in blocks, split in C, never parsed here.

        The sampler uses this to skip unsampled lines for the price of ``bytes.split``:
        it needs each line's size and the total size of the non-blank lines only. A
        line above the record limit goes to ``on_bad`` and is read past, never held.
        """
        carry = b""
        first = 1
        total = 0
        skipping = 0  # > 0: bytes of a too-long line read so far
        with self.open_binary() as fh:
            while True:
                block = fh.read(BLOCK)
                total += len(block)
                if progress is not None and block:
                    progress(len(block))
                if skipping:
                    if not block:  # the input ends inside the long line
                        self._bad(on_bad, first, self.too_large(skipping))
                        break
                    cut = block.find(b"\n")
                    if cut < 0:
                        skipping += len(block)
                        continue
                    self._bad(on_bad, first, self.too_large(skipping + cut + 1))
                    first += 1
                    skipping = 0
                    block = block[cut + 1 :]
                    if not block:
                        continue
                data = carry + block if carry else block
                if block:
                    cut = data.rfind(b"\n")
                    if cut < 0:
                        if len(data) > self.max_record:
                            skipping, carry = len(data), b""
                        else:
                            carry = data
                        continue
                    complete, carry = data[:cut], data[cut + 1 :]
                    if len(carry) > self.max_record:
                        skipping, carry = len(carry), b""
                else:
                    complete, carry = data, b""
                    if not complete:
                        break
                lines = complete.split(b"\n")
                keep = [i for i, line in enumerate(lines) if line and not line.isspace()]
                if len(keep) == len(lines):
                    size = len(complete) + 1
                else:
                    size = sum(len(lines[i]) + 1 for i in keep)
                big = [i for i in keep if len(lines[i]) + 1 > self.max_record]
                for i in big:
                    self._bad(on_bad, first + i, self.too_large(len(lines[i]) + 1))
                    keep.remove(i)
                    size -= len(lines[i]) + 1
                yield LineBlock(lines, keep, first, size)
                first += len(lines)
                if not block:
                    break
        self.bytes_read = total

    def text_blocks(
        self, progress: Callable[[int], None] | None = None, block_size: int = 0
    ) -> Iterator[str]:
        """The whole file decoded as UTF-8 in blocks, checking for NUL and bad bytes."""
        block_size = block_size or BLOCK
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset = 0
        first = True
        with self.open_binary() as fh:
            while True:
                block = fh.read(block_size)
                final = not block
                if block:
                    nul = block.find(b"\x00")
                    if nul >= 0:
                        raise InputError(
                            f"{self.name}: binary file (NUL byte at byte offset {offset + nul})"
                        )
                pending = len(decoder.getstate()[0])
                try:
                    text = decoder.decode(block, final)
                except UnicodeDecodeError as exc:
                    bad = offset - pending + exc.start
                    raise InputError(f"{self.name}: {self._utf8_at(bad)}") from None
                if first and text.startswith("\ufeff"):
                    text = text[1:]
                first = False
                offset += len(block)
                if progress is not None and block:
                    progress(len(block))
                if text:
                    yield text
                if final:
                    break
        self.bytes_read = offset

    def _utf8_at(self, offset: int) -> str:
        """'not valid UTF-8 at byte offset N (line L)', re-reading a seekable file for the line."""
        line = None
        if self.seekable and self.path is not None:
            line = 1
            with open(self.path, "rb") as fh:
                left = offset
                while left > 0:
                    block = fh.read(min(left, BLOCK))
                    if not block:
                        break
                    line += block.count(b"\n")
                    left -= len(block)
        where = f" (line {line})" if line is not None else ""
        return f"not valid UTF-8 at byte offset {offset}{where}; convert the file to UTF-8"

    def _chunk_units(self, progress: Callable[[int], None] | None) -> Iterator[Unit]:
        """A whole text file cut into ~4K-character chunks at exact split points."""
        from distillcost.tokens import MAX_UNSPLIT_CHARS

        carry = ""
        done = 0
        for text in self.text_blocks(progress):
            carry += text
            start = 0
            while len(carry) - start > 2 * CHUNK_TARGET:
                cut = safe_split(carry, start + CHUNK_TARGET)
                if cut < 0 or cut >= len(carry) - 1:
                    break
                piece = carry[start:cut]
                yield Unit(piece, len(piece.encode("utf-8")), 0)
                start = cut
            done += start
            carry = carry[start:]
            if len(carry) > MAX_UNSPLIT_CHARS:
                raise TooLargeError(
                    f"{self.name}: {len(carry):,} characters from character {done:,} on have "
                    "no point where the text can be cut without changing its token count; "
                    f"such a run is counted only up to {MAX_UNSPLIT_CHARS:,} characters"
                )
        if carry:
            yield Unit(carry, len(carry.encode("utf-8")), 0)

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

    def _csv_units(
        self,
        progress: Callable[[int], None] | None,
        on_bad: Callable[[int, BadRecord], None] | None = None,
    ) -> Iterator[Unit]:
        """CSV/TSV rows with the stdlib reader (no pandas on the counting path).

        Lines are read with the record limit (no row is held beyond it); the csv
        module's field limit is set to the same bound.
        """
        row = 1
        fields = self._columns
        with self.open_binary() as fh:
            reader, stream = self._csv_reader(fh)
            try:
                header = next(reader, None)
                if header is None:
                    return
                index = {name: i for i, name in reversed(list(enumerate(header)))}
                wanted = [(name, index[name]) for name in fields if name in index]
                width = len(header)
                for cells in reader:
                    if not cells:  # a blank line
                        continue
                    row += 1
                    if len(cells) != width:
                        self._bad(
                            on_bad,
                            row,
                            BadRecord(f"row has {len(cells)} cells; the header has {width}"),
                        )
                        continue
                    if self.schema == "field":
                        yield Unit(cells[wanted[0][1]], None, row)
                    else:
                        yield Unit({name: cells[i] for name, i in wanted}, None, row)
            except UnicodeDecodeError:
                raise InputError(f"{self.name}: {self._find_bad_utf8(row)}") from None
            except _RowTooLarge as exc:
                too_large = self.too_large(exc.size)
                raise InputError(f"{self.name}: line {exc.line}: {too_large}") from None
            except csv.Error as exc:
                raise InputError(f"{self.where(row + 1)}: cannot read as CSV: {exc}") from None
            self.bytes_read = stream.bytes
        if progress is not None:
            progress(self.bytes_read)

    def _csv_reader(self, fh: BinaryIO) -> tuple[Iterator[list[str]], _BoundedLines]:
        stream = _BoundedLines(fh, self.max_record)
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")  # type: ignore[arg-type]
        delimiter = "\t" if self.container == "tsv" else ","
        limit = csv.field_size_limit()
        if limit < self.max_record:
            csv.field_size_limit(self.max_record)
        return csv.reader(text, delimiter=delimiter), stream

    def _find_bad_utf8(self, row: int = 0) -> str:
        if not self.seekable or self.path is None:
            return f"not valid UTF-8 (near row {row + 1}); convert the file to UTF-8"
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset = 0
        with open(self.path, "rb") as fh:
            while True:
                block = fh.read(BLOCK)
                pending = len(decoder.getstate()[0])
                try:
                    decoder.decode(block, not block)
                except UnicodeDecodeError as exc:
                    return self._utf8_at(offset - pending + exc.start)
                if not block:
                    break
                offset += len(block)
        return "not valid UTF-8"

    def _parquet_units(self, progress: Callable[[int], None] | None) -> Iterator[Unit]:
        import pyarrow.parquet as pq

        assert self.path is not None
        pf = pq.ParquetFile(self.path)
        row = 0
        for batch in pf.iter_batches(batch_size=20_000, columns=self._columns):
            if self.schema == "field":
                values: list[Any] = batch.column(self.field).to_pylist()
            else:
                values = batch.to_pylist()
            for value in values:
                row += 1
                yield Unit(value, None, row)
        self.bytes_read = self.size or 0
        if progress is not None:
            progress(self.bytes_read)


class _RowTooLarge(Exception):
    def __init__(self, size: int, line: int) -> None:
        self.size = size
        self.line = line


class _BoundedLines(io.RawIOBase):
    """A binary stream for the csv reader that never hands over a line above ``limit``.

    The text layer above asks for blocks; this one refuses (raises
    :class:`_RowTooLarge`) as soon as a line runs past the limit, so a 1 GB line of
    CSV is never read into memory. It also counts the bytes read.
    """

    def __init__(self, fh: BinaryIO, limit: int) -> None:
        self._fh = fh
        self._limit = limit
        self._line = 0  # bytes since the last newline
        self.newlines = 0
        self.bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self._fh.read(min(len(view), BLOCK))
        n = len(data)
        view[:n] = data
        self.bytes += n
        if n > self._limit - self._line or self._line > 0:
            parts = data.split(b"\n")
            sizes = [self._line + len(parts[0]), *map(len, parts[1:])]
            longest = max(sizes)
            if longest > self._limit:
                raise _RowTooLarge(longest, self.newlines + sizes.index(longest) + 1)
            self._line = sizes[-1]
            self.newlines += len(parts) - 1
        else:
            cut = data.rfind(b"\n")
            if cut >= 0:
                self.newlines += data.count(b"\n")
                self._line = n - cut - 1
            else:
                self._line += n
        return n


class _JsonArray:
    """Iterates the elements of a JSON array read in blocks (see Source._json_units)."""

    def __init__(
        self,
        src: Source,
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
        block = self.fh.read(BLOCK)
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
                raise InputError(f"{self.src.where(n)}: {_duplicate_message(exc)}") from None
            except json.JSONDecodeError as exc:
                if self.eof:
                    self.pos = exc.pos
                    raise self._error(exc.msg) from None
                self._grow(n, limit)
                continue
            except RecursionError:
                raise self._error("nested too deeply") from None
            except ValueError as exc:
                raise self._error(_first_line(exc).split(";")[0]) from None
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
        target = max(2 * have, BLOCK)
        while len(self.buf) - self.pos < target and self._more():
            pass


_WS = re.compile(r"[ \t\r\n]*")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _expect_object(rec: Any) -> dict[str, Any]:
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


def _json_loads(data: bytes | str) -> Any:
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


def _duplicate_message(exc: DuplicateKeyError) -> str:
    return (
        f"duplicate key {exc.args[0]!r} in a JSON object (JSON keeps only the last, "
        "which would drop data silently)"
    )


def _utf8_message_at(exc: UnicodeDecodeError, data: bytes) -> str:
    """'not valid UTF-8 (byte N of the line)' for an error in a block of whole lines."""
    start = data.rfind(b"\n", 0, exc.start) + 1
    return f"not valid UTF-8 (byte {exc.start - start} of the line); convert the file to UTF-8"


def _utf8_message(exc: UnicodeDecodeError) -> str:
    return f"not valid UTF-8 (byte {exc.start} of the line); convert the file to UTF-8"


def safe_split(text: str, start: int) -> int:
    r"""First index >= start where ``text`` can be cut without changing its token count.

    A cut is exact where no pre-tokenizer piece can cross it, in every encoding we
    support: right after a newline that follows a non-whitespace character, before
    a character that is neither whitespace nor ``/``. (o200k's punctuation piece
    ``[\r\n/]*`` swallows newlines and slashes after it, so ``"!\n/usr"`` must stay
    whole; r50k/p50k split ``" \n"`` mid-text but not at the end of a chunk, hence
    the non-whitespace before the newline.) ``str.isspace`` is a superset of the
    regexes' ``\s``, so the test errs on the safe side. Returns -1 when there is none.
    """
    find = text.find
    i = find("\n", max(start - 1, 1))
    n = len(text)
    while 0 < i < n - 1:
        c = text[i + 1]
        if c != "/" and not c.isspace() and not text[i - 1].isspace():
            return i + 1
        i = find("\n", i + 1)
    return -1


# ---------------------------------------------------------------- opening


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    return (exc.strerror or type(exc).__name__).lower()


def walk_inputs(
    paths: Sequence[str | os.PathLike[str]],
    glob: str = DEFAULT_GLOB,
    skip_unreadable: bool = False,
) -> tuple[list[str], list[str]]:
    """(files to read, what was left out and why) for files, directories and ``-``.

    Directories are searched recursively for ``glob``'s patterns, following symbolic
    links to directories as links to files are followed; a directory reached twice
    (a link loop, or two links to one place) is searched once and each file is read
    once. A directory that cannot be read is an error, as an unreadable file is,
    unless ``skip_unreadable``: then it is left out and said so. Hidden files and
    directories (``.name``) are not searched.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if not isinstance(glob, str):
        raise InputError(f"glob must be text such as {DEFAULT_GLOB!r}, not {type(glob).__name__}")
    patterns = [p.strip() for p in glob.split(",") if p.strip()]
    if not patterns:
        raise InputError(f"no file patterns in glob {glob!r} (e.g. '*.jsonl,*.txt')")
    out: list[str] = []
    skipped: list[str] = []
    if not paths:
        raise InputError("no input: give one or more files, directories, or - for stdin")
    for raw in paths:
        if not isinstance(raw, (str, os.PathLike)):
            raise InputError(f"an input path must be text or a path, not {type(raw).__name__}")
        text = os.fspath(raw)
        if not isinstance(text, str):
            raise InputError("an input path must be text, not bytes")
        if text == "-":
            out.append("-")
            continue
        p = Path(text)
        if p.is_dir():
            found, left = _walk_dir(text, patterns, skip_unreadable)
            if not found and not left:
                raise InputError(
                    f"{text}: no files matching {', '.join(patterns)} in this directory "
                    "(use --glob to choose other patterns)"
                )
            out.extend(found)
            skipped.extend(left)
        elif p.exists() or p.is_symlink():
            out.append(text)
        else:
            raise InputError(f"{text}: no such file or directory")
    return out, skipped


def expand_paths(paths: Sequence[str | os.PathLike[str]], glob: str = DEFAULT_GLOB) -> list[str]:
    """Files to read: explicit files as given; directories searched recursively by glob."""
    return walk_inputs(paths, glob)[0]


def _walk_dir(root: str, patterns: list[str], skip_unreadable: bool) -> tuple[list[str], list[str]]:
    found: list[str] = []
    skipped: list[str] = []
    seen_dirs: dict[tuple[int, int], str] = {}
    seen_files: dict[tuple[int, int], str] = {}

    def unreadable(exc: OSError) -> None:
        where = exc.filename or root
        message = f"{where}: {_os_reason(exc)} (a directory that cannot be read)"
        if not skip_unreadable:
            raise InputError(message + "; use --skip-bad to count the rest") from None
        skipped.append(f"skipped directory {message}")

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable, followlinks=True):
        try:
            st = os.stat(dirpath)
        except OSError as exc:
            unreadable(exc)
            dirnames[:] = []
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            skipped.append(
                f"skipped {dirpath}: a symbolic link to {seen_dirs[key]}, already searched"
            )
            dirnames[:] = []
            continue
        seen_dirs[key] = dirpath
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or not any(fnmatch(name, pat) for pat in patterns):
                continue
            full = os.path.join(dirpath, name)
            try:
                fst = os.stat(full)
            except FileNotFoundError:
                skipped.append(f"skipped {full}: a broken symbolic link")
                continue
            except OSError as exc:  # e.g. a link loop: like any file that cannot be read
                found.append(full)
                del exc
                continue
            if stat.S_ISDIR(fst.st_mode):
                continue  # a directory named like a data file: walked as a directory
            fkey = (fst.st_dev, fst.st_ino)
            if fkey in seen_files:
                skipped.append(f"skipped {full}: the same file as {seen_files[fkey]}")
                continue
            seen_files[fkey] = full
            found.append(full)
    return sorted(found), skipped


def _ext(name: str) -> str:
    return Path(name).suffix.lower()


def _utf16_guess(head: bytes) -> str:
    """'UTF-16LE', 'UTF-32BE', ... when ``head`` looks like UTF-16/32 text, else ''."""
    for bom, name in (
        (codecs.BOM_UTF32_LE, "UTF-32LE"),
        (codecs.BOM_UTF32_BE, "UTF-32BE"),
        (codecs.BOM_UTF16_LE, "UTF-16LE"),
        (codecs.BOM_UTF16_BE, "UTF-16BE"),
    ):
        if head.startswith(bom):
            return name
    sample = head[:2048]
    pairs = len(sample) // 2
    if pairs < 2:
        return ""
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if odd > 0.4 * pairs and even < 0.05 * pairs:
        return "UTF-16LE"
    if even > 0.4 * pairs and odd < 0.05 * pairs:
        return "UTF-16BE"
    return ""


def open_source(
    name: str,
    fmt: str = "auto",
    field: str | None = None,
    per_line: bool = False,
    max_record: int = MAX_RECORD_BYTES,
) -> Source:
    """Open one input, check it is readable, and detect its container and schema.

    A regular file is only sniffed here and reopened for reading; stdin, a named pipe
    or ``<(...)`` is opened once and the sniffed bytes are kept for that one read.
    """
    if fmt not in FORMATS_IN:
        raise InputError(f"unknown input format {fmt!r}; expected one of {', '.join(FORMATS_IN)}")
    if name == "-":
        src = Source("<stdin>", None, "", "", field, per_line, seekable=False)
        src._stream = sys.stdin.buffer
    else:
        path = Path(name)
        try:
            st = os.stat(path)
            if stat.S_ISDIR(st.st_mode):
                raise InputError(f"{name}: is a directory")
            if stat.S_ISREG(st.st_mode):
                src = Source(name, path, "", "", field, per_line, size=st.st_size)
            else:  # a pipe, <(...), a device: one pass only
                src = Source(name, path, "", "", field, per_line, seekable=False)
                src._stream = open(path, "rb")  # noqa: SIM115 - closed by Source.close
        except FileNotFoundError:
            raise InputError(f"{name}: no such file or directory") from None
        except PermissionError:
            raise InputError(f"{name}: permission denied") from None
        except OSError as exc:
            raise InputError(f"{name}: cannot be read: {_os_reason(exc)}") from None
    src.max_record = max_record
    try:
        _detect(src, name, fmt, field)
    except BaseException:
        src.close()
        raise
    return src


def _detect(src: Source, name: str, fmt: str, field: str | None) -> None:
    try:
        head = src.peek(HEAD)
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot be read: {_os_reason(exc)}") from None
    if not head:
        raise InputError(f"{src.name}: empty file")
    ext = _ext(name)

    container = fmt if fmt in CONTAINERS else ""
    schema = fmt if fmt in SCHEMAS else ""
    if not container:
        if head.startswith(b"PAR1") or ext in (".parquet", ".pq"):
            container = "parquet"
        elif ext in (".csv", ".tsv"):
            container = ext[1:]
        elif ext in (".txt", ".md", ".text", ".rst") and not schema:
            container = "text"
        elif schema or ext in (".jsonl", ".ndjson", ".json") or field:
            start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
            container = "json" if start.startswith(b"[") else "jsonl"
            if ext == ".json" and container == "jsonl" and not _first_line_is_json(head):
                container = "json"  # one pretty-printed object, not JSON Lines
        else:
            container = "jsonl" if head.lstrip().startswith(b"{") else "text"
    if container != "parquet":
        wide = _utf16_guess(head)
        if wide:
            raise InputError(
                f"{src.name}: looks like {wide} text, not UTF-8; convert it first, e.g. "
                f"iconv -f {wide} -t UTF-8 FILE > FILE.utf8"
            )
        nul = head.find(b"\x00")
        if nul >= 0:
            raise InputError(
                f"{src.name}: binary file (NUL byte at byte offset {nul}); "
                "expected text, JSONL, CSV or Parquet"
            )
    src.container = container

    if container == "text":
        if field:
            raise InputError(
                f"{src.name}: --field needs JSONL, JSON, CSV or Parquet input, not plain text"
            )
        if schema:
            raise InputError(f"{src.name}: --format-in {schema} needs JSON records")
        src.schema = "text"
        return
    if container == "parquet":
        _check_parquet(src, schema)
    elif container in ("csv", "tsv"):
        _check_csv(src, schema)
    elif field:
        src.schema = "field"
    elif schema:
        src.schema = schema
    else:
        src.schema = _sniff_json_schema(src, head)


def _first_line_is_json(head: bytes) -> bool:
    line = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
    try:
        _json_loads(line)
    except ValueError:
        return False
    return True


def _grown_head(src: Source, done: Callable[[bytes], bool]) -> bytes:
    """The input's first bytes, doubling from HEAD until ``done`` or the record limit."""
    n = HEAD
    while True:
        data = src.peek(n)
        if done(data) or len(data) < n or n > src.max_record:
            return data
        n *= 2


def _sniff_json_schema(src: Source, head: bytes) -> str:
    """Detect the schema from the first record of a JSONL or JSON file."""
    if src.container == "json":
        return _schema_at(src, _first_json_record(src), 1)
    lines = head.split(b"\n")
    complete = lines[:-1] if len(head) == HEAD else lines
    for lineno, line in enumerate(complete, 1):
        if line.strip():
            return _schema_of_line(src, line, lineno)
    if len(head) == HEAD and not head.strip(b" \t\r\n"):  # pragma: no cover - 64K of blanks
        raise InputError(f"{src.name}: no records in the first {HEAD:,} bytes (only blank lines)")
    if len(head) == HEAD:  # a first line longer than the head
        data = _grown_head(src, lambda d: b"\n" in d)
        first = data.split(b"\n", 1)[0]
        if b"\n" not in data and len(data) > src.max_record:
            raise InputError(f"{src.name}:1: {src.too_large(len(data))}")
        if first.strip():
            return _schema_of_line(src, first, 1)
    raise InputError(f"{src.name}: no records (only blank lines)")


def _schema_of_line(src: Source, line: bytes, lineno: int) -> str:
    if lineno == 1 and line.startswith(codecs.BOM_UTF8):
        line = line[3:]
    try:
        rec = _json_loads(line)
    except UnicodeDecodeError as exc:
        raise InputError(f"{src.name}:{lineno}: {_utf8_message(exc)}") from None
    except DuplicateKeyError as exc:
        raise InputError(f"{src.name}:{lineno}: {_duplicate_message(exc)}") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{src.name}:{lineno}: malformed JSON: {exc.msg} (column {exc.colno}); "
            "the first record decides the format, so it must be valid"
        ) from None
    return _schema_at(src, rec, lineno)


def _first_json_record(src: Source) -> Any:
    """The first element of a JSON array, read from the head (grown as needed)."""
    n = HEAD
    while True:
        data = src.peek(n)
        complete = len(data) < n
        probe = Source(src.name, None, "json", "", seekable=False, max_record=src.max_record)
        probe._stream = io.BytesIO(data)
        try:
            for unit in probe.units():
                if src.seekable:
                    src._head = src._head[:HEAD]
                return unit.raw
        except InputError:
            if complete or n > src.max_record:
                raise
            n *= 2
            continue
        raise InputError(f"{src.name}: no records (an empty JSON array)")


def _schema_at(src: Source, rec: Any, where: int) -> str:
    try:
        return detect_schema(rec)
    except BadRecord as exc:
        raise InputError(f"{src.where(where)}: {exc}") from None


def _pick_columns(src: Source, columns: list[str], schema: str) -> None:
    """Choose the schema of a table from its columns (or check the forced one)."""
    kind = "Parquet" if src.container == "parquet" else "CSV"
    listed = ", ".join(columns[:30]) + (", ..." if len(columns) > 30 else "")
    if src.field is not None:
        if src.field not in columns:
            raise InputError(
                f"{src.name}: no column {src.field!r} in this {kind} file; "
                f"its columns are: {listed}"
            )
        src.schema = "field"
        src._columns = [src.field]
        return
    needs = {
        "chat": ["messages"],
        "sharegpt": ["conversations"],
        "instruction": ["instruction", "output"],
        "instruction-response": ["instruction", "response"],
        "prompt-completion": ["prompt", "completion"],
        "question-answer": ["question", "answer"],
    }
    candidates = [schema] if schema else list(needs)
    if schema == "instruction":
        candidates.append("instruction-response")
    for name in candidates:
        if name in needs and all(c in columns for c in needs[name]):
            src.schema = name.removesuffix("-response")
            src._columns = needs[name] + (
                ["input"] if src.schema == "instruction" and "input" in columns else []
            )
            return
    if schema:
        raise InputError(
            f"{src.name}: --format-in {schema} needs columns {', '.join(needs[schema])}; "
            f"this {kind} file has: {listed}"
        )
    raise InputError(
        f"{src.name}: which column should be counted? Pass --field NAME; "
        f"this {kind} file has: {listed}"
    )


def _check_csv(src: Source, schema: str) -> None:
    data = _grown_head(src, lambda d: b"\n" in d)
    if b"\n" not in data and len(data) > src.max_record:
        raise InputError(f"{src.where(1)}: {src.too_large(len(data))}")
    cut = data.find(b"\n")
    header_line = data[: cut + 1] if cut >= 0 else data  # a header with a quoted newline: rare
    reader, _ = src._csv_reader(io.BytesIO(header_line))  # type: ignore[arg-type]
    try:
        header = next(reader, None)
    except UnicodeDecodeError:
        raise InputError(f"{src.name}: {src._find_bad_utf8(0)}") from None
    except csv.Error as exc:
        raise InputError(f"{src.name}: cannot read as CSV: {exc}") from None
    if not header:
        raise InputError(f"{src.name}: cannot read as CSV: no header row")
    _pick_columns(src, [str(c) for c in header], schema)


def _check_parquet(src: Source, schema: str) -> None:
    if not src.seekable or src.path is None:
        raise InputError(
            f"{src.name}: Parquet cannot be read from stdin or a pipe (it is read by "
            "seeking to its footer); save it to a file"
        )
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(src.path)
    except (pa.ArrowException, OSError) as exc:
        raise InputError(f"{src.name}: not a readable Parquet file: {_first_line(exc)}") from None
    _pick_columns(src, list(pf.schema_arrow.names), schema)
    if src.schema == "field":
        kind = pf.schema_arrow.field(src.field).type
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
            raise InputError(f"{src.name}: column {src.field!r} holds {kind}, not text")
