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
import dataclasses
import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from distillcost.errors import InputError

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

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = head
        self._rest = rest

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
    """One input: where it is, what it holds, and how to read it."""

    name: str  # for messages: the path as given, or "<stdin>"
    path: Path | None  # None for stdin
    container: str  # text | jsonl | json | csv | tsv | parquet
    schema: str  # text | chat | sharegpt | instruction | prompt-completion | field
    field: str | None = None
    per_line: bool = False
    size: int | None = None  # bytes, when known up front
    _stdin_head: bytes = b""
    _stdin: BinaryIO | None = None
    _columns: list[str] = dataclasses.field(default_factory=list)
    bytes_read: int = 0

    @property
    def sided(self) -> bool:
        return self.schema in PARSERS

    @property
    def rereadable(self) -> bool:
        return self.path is not None

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
        if self.path is None:
            if self._stdin is None:
                raise InputError("<stdin>: standard input can be read only once")
            stream = io.BufferedReader(_Prefixed(self._stdin_head, self._stdin), BLOCK)
            self._stdin = None
            return stream  # type: ignore[return-value]
        return open(self.path, "rb", buffering=1 << 20)

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
        if value is None:
            return Doc([""])
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
        except json.JSONDecodeError as exc:
            raise BadRecord(f"malformed JSON: {exc.msg} (column {exc.colno})") from None
        return _expect_object(rec)

    # -- units -----------------------------------------------------------------------

    def units(self, progress: Callable[[int], None] | None = None) -> Iterator[Unit]:
        """Every document (or sampling chunk) of the source, unparsed."""
        if self.container == "jsonl" or (self.container == "text" and self.per_line):
            yield from self._line_units(progress)
        elif self.container == "text":
            yield from self._chunk_units(progress)
        elif self.container == "json":
            yield from self._json_units(progress)
        elif self.container in ("csv", "tsv"):
            yield from self._csv_units(progress)
        elif self.container == "parquet":
            yield from self._parquet_units(progress)
        else:  # pragma: no cover - guarded by open_source
            raise InputError(f"{self.name}: cannot read container {self.container!r}")

    def _line_units(self, progress: Callable[[int], None] | None) -> Iterator[Unit]:
        total = 0
        lineno = 0
        pending = 0
        with self.open_binary() as fh:
            for lineno, line in enumerate(fh, 1):
                n = len(line)
                total += n
                if line.isspace():  # blank lines are not documents
                    continue
                yield Unit(line, n, lineno)
                if progress is not None:
                    pending += n
                    if pending >= BLOCK:
                        progress(pending)
                        pending = 0
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

        The exact-count path for one-text formats: a per-line text file is decoded
        in blocks and split on newlines; a JSONL field is pulled out of each line
        right away. Malformed records go to ``on_bad(where, error)``.
        """
        if self.container == "text":
            yield from self._line_text_batches(progress)
        elif self.container == "jsonl":
            yield from self._jsonl_field_batches(on_bad, progress, batch_chars)
        else:
            parse = self._parse_value
            batch: list[str] = []
            size = 0
            for unit in self.units(progress):
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

    def _line_text_batches(self, progress: Callable[[int], None] | None) -> Iterator[list[str]]:
        carry = ""
        for block in self.text_blocks(progress):
            lines = (carry + block).split("\n") if carry else block.split("\n")
            carry = lines.pop()
            batch = [ln.removesuffix("\r") for ln in lines if ln and not ln.isspace()]
            if batch:
                yield batch
        if carry and not carry.isspace():
            yield [carry.removesuffix("\r")]

    def _jsonl_field_batches(
        self,
        on_bad: Callable[[int, BadRecord], None],
        progress: Callable[[int], None] | None,
        batch_chars: int,
    ) -> Iterator[list[str]]:
        name = self.field
        loads = json.loads
        batch: list[str] = []
        size = 0
        total = 0
        reported = 0
        with self.open_binary() as fh:
            for lineno, line in enumerate(fh, 1):
                total += len(line)
                if line.isspace():
                    continue
                try:
                    rec = loads(line)
                    value = rec[name]
                    if type(value) is not str:
                        raise TypeError
                except Exception:  # rare: let the careful parser say exactly what is wrong
                    try:
                        doc = self._parse_field_line(Unit(line, len(line), lineno))
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
            for unit in self.units(progress):
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
        loads = json.loads
        batch = []
        size = total = reported = 0
        with self.open_binary() as fh:
            for lineno, line in enumerate(fh, 1):
                n = len(line)
                total += n
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

    def line_blocks(self, progress: Callable[[int], None] | None = None) -> Iterator[LineBlock]:
        """The lines of a line-based source in blocks, split in C, never parsed here.

        The sampler uses this to skip unsampled lines for the price of ``bytes.split``:
        it needs each line's size and the total size of the non-blank lines only.
        """
        carry = b""
        first = 1
        total = 0
        with self.open_binary() as fh:
            while True:
                block = fh.read(BLOCK)
                total += len(block)
                if progress is not None and block:
                    progress(len(block))
                data = carry + block if carry else block
                if block:
                    cut = data.rfind(b"\n")
                    if cut < 0:
                        carry = data
                        continue
                    complete, carry = data[:cut], data[cut + 1 :]
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
        """'not valid UTF-8 at byte offset N (line L)', re-reading the file for the line."""
        line = None
        if self.path is not None:
            with open(self.path, "rb") as fh:
                line = fh.read(offset).count(b"\n") + 1
        where = f" (line {line})" if line is not None else ""
        return f"not valid UTF-8 at byte offset {offset}{where}; convert the file to UTF-8"

    def _chunk_units(self, progress: Callable[[int], None] | None) -> Iterator[Unit]:
        """A whole text file cut into ~16K-character chunks at exact split points."""
        carry = ""
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
            carry = carry[start:]
        if carry:
            yield Unit(carry, len(carry.encode("utf-8")), 0)

    def _json_units(self, progress: Callable[[int], None] | None) -> Iterator[Unit]:
        with self.open_binary() as fh:
            data = fh.read()
        self.bytes_read = len(data)
        if progress is not None:
            progress(len(data))
        try:
            records = _json_loads(data)
        except UnicodeDecodeError as exc:
            raise InputError(f"{self.name}: {self._utf8_at(exc.start)}") from None
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{self.name}:{exc.lineno}: malformed JSON: {exc.msg} (column {exc.colno})"
            ) from None
        if isinstance(records, dict):
            records = [records]
        if not isinstance(records, list):
            raise InputError(f"{self.name}: expected a JSON array of records")
        for i, rec in enumerate(records, 1):
            yield Unit(rec, None, i)

    def _csv_units(self, progress: Callable[[int], None] | None) -> Iterator[Unit]:
        import pandas as pd

        assert self.path is not None
        sep = "\t" if self.container == "tsv" else ","
        row = 1
        try:
            reader = pd.read_csv(
                self.path,
                sep=sep,
                usecols=self._columns,
                dtype=str,
                keep_default_na=False,
                chunksize=20_000,
                encoding="utf-8",
            )
            for frame in reader:
                if self.schema == "field":
                    values: Sequence[Any] = frame[self.field].tolist()
                else:
                    values = frame.to_dict("records")
                for value in values:
                    row += 1
                    yield Unit(value, None, row)
        except UnicodeDecodeError:
            raise InputError(f"{self.name}: {self._find_bad_utf8()}") from None
        except (ValueError, pd.errors.ParserError) as exc:
            raise InputError(f"{self.name}: cannot read as CSV: {_first_line(exc)}") from None
        self.bytes_read = self.size or 0
        if progress is not None:
            progress(self.bytes_read)

    def _find_bad_utf8(self) -> str:
        assert self.path is not None
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


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _expect_object(rec: Any) -> dict[str, Any]:
    if not isinstance(rec, dict):
        raise BadRecord(f"expected a JSON object, got {type(rec).__name__}")
    return rec


def _json_loads(data: bytes | str) -> Any:
    """``json.loads``, with hostile input reported as malformed JSON like any other.

    Nesting a hundred thousand deep raises RecursionError, and an integer of 5000
    digits ValueError (Python's int-from-text limit): neither is a JSONDecodeError,
    so each was an ``internal error`` that ``--skip-bad`` could not skip either.
    """
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise
    except ValueError as exc:  # not the sys.set_int_max_str_digits() advice
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        long_number = re.search(r"\d{4000,}", text)  # where the column points
        pos = long_number.start() if long_number else 0
        raise json.JSONDecodeError(str(exc).split(";")[0], text, pos) from None
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", "", 0) from None


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


def expand_paths(paths: Sequence[str | os.PathLike[str]], glob: str = DEFAULT_GLOB) -> list[str]:
    """Files to read: explicit files as given; directories searched recursively by glob."""
    patterns = [p.strip() for p in glob.split(",") if p.strip()]
    out: list[str] = []
    if not paths:
        raise InputError("no input: give one or more files, directories, or - for stdin")
    for raw in paths:
        text = os.fspath(raw)
        if text == "-":
            out.append("-")
            continue
        p = Path(text)
        if p.is_dir():
            found = sorted(
                str(f)
                for f in p.rglob("*")
                if f.is_file()
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
                and any(fnmatch(f.name, pat) for pat in patterns)
            )
            if not found:
                raise InputError(
                    f"{text}: no files matching {', '.join(patterns)} in this directory "
                    "(use --glob to choose other patterns)"
                )
            out.extend(found)
        elif p.exists():
            out.append(text)
        else:
            raise InputError(f"{text}: no such file or directory")
    return out


def _ext(name: str) -> str:
    return Path(name).suffix.lower()


def open_source(
    name: str,
    fmt: str = "auto",
    field: str | None = None,
    per_line: bool = False,
) -> Source:
    """Open one input, check it is readable, and detect its container and schema."""
    if fmt not in FORMATS_IN:
        raise InputError(f"unknown input format {fmt!r}; expected one of {', '.join(FORMATS_IN)}")
    if name == "-":
        stdin = sys.stdin.buffer
        head = stdin.read(HEAD)
        src = Source("<stdin>", None, "", "", field, per_line, _stdin_head=head, _stdin=stdin)
    else:
        path = Path(name)
        if path.is_dir():
            raise InputError(f"{name}: is a directory")
        try:
            size = path.stat().st_size
            with open(path, "rb") as fh:
                head = fh.read(HEAD)
        except FileNotFoundError:
            raise InputError(f"{name}: no such file or directory") from None
        except PermissionError:
            raise InputError(f"{name}: permission denied") from None
        src = Source(name, path, "", "", field, per_line, size=size)
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
    nul = head.find(b"\x00")
    if container != "parquet" and nul >= 0:
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
        return src
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
    return src


def _first_line_is_json(head: bytes) -> bool:
    line = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
    try:
        _json_loads(line)
    except ValueError:
        return False
    return True


def _sniff_json_schema(src: Source, head: bytes) -> str:
    """Detect the schema from the first record of a JSONL or JSON file."""
    if src.container == "json":
        if src.path is None:
            raise InputError("<stdin>: give JSON arrays as a file, or JSONL on stdin")
        for unit in src.units():
            return _schema_at(src, unit.raw, unit.where)
        raise InputError(f"{src.name}: no records (an empty JSON array)")
    lines = head.split(b"\n")
    complete = lines[:-1] if len(head) == HEAD else lines
    for lineno, line in enumerate(complete, 1):
        if line.strip():
            if lineno == 1 and line.startswith(codecs.BOM_UTF8):
                line = line[3:]
            try:
                rec = _json_loads(line)
            except UnicodeDecodeError as exc:
                raise InputError(f"{src.name}:{lineno}: {_utf8_message(exc)}") from None
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"{src.name}:{lineno}: malformed JSON: {exc.msg} (column {exc.colno}); "
                    "the first record decides the format, so it must be valid"
                ) from None
            return _schema_at(src, rec, lineno)
    if src.path is not None and len(head) == HEAD:  # a first line longer than the head
        with open(src.path, "rb") as fh:
            first = fh.readline()
        try:
            return _schema_at(src, _json_loads(first), 1)
        except UnicodeDecodeError as exc:
            raise InputError(f"{src.name}:1: {_utf8_message(exc)}") from None
        except json.JSONDecodeError as exc:
            raise InputError(f"{src.name}:1: malformed JSON: {exc.msg}") from None
    raise InputError(f"{src.name}: no records (only blank lines)")


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
    if src.path is None:
        raise InputError("<stdin>: CSV cannot be read from stdin; save it to a file")
    import pandas as pd

    sep = "\t" if src.container == "tsv" else ","
    try:
        header = pd.read_csv(src.path, sep=sep, nrows=0, encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{src.name}: {src._find_bad_utf8()}") from None
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"{src.name}: cannot read as CSV: {_first_line(exc)}") from None
    _pick_columns(src, [str(c) for c in header.columns], schema)


def _check_parquet(src: Source, schema: str) -> None:
    if src.path is None:
        raise InputError("<stdin>: Parquet cannot be read from stdin; save it to a file")
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
