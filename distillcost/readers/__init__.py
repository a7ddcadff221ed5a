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

Every format is read in bounded memory: no record above ``max_record`` bytes is
held (JSON arrays are parsed element by element).

One module per concern: :mod:`.limits` (block sizes and bounds), :mod:`.schemas`
(records -> :class:`Doc`), :mod:`.base` (one input's raw bytes), :mod:`.text`,
:mod:`.jsonl`, :mod:`.csvfile`, :mod:`.parquet` (reading each container),
:mod:`.source` (the :class:`Source` combining them), :mod:`.sniff` (detecting the
format: :func:`open_source`) and :mod:`.walk` (directories -> files). The names
below stay importable from ``distillcost.readers``.

Every problem is an :class:`~distillcost.errors.InputError` naming the file and
line (or row); malformed records raise :class:`BadRecord`, which the counter may
skip and tally when asked to.
"""

from __future__ import annotations

from distillcost.readers.base import SourceBase
from distillcost.readers.jsonl import DuplicateKeyError, json_record
from distillcost.readers.limits import (
    BLOCK,
    CHUNK_TARGET,
    CONTAINERS,
    DEFAULT_GLOB,
    FORMATS_IN,
    HEAD,
    MAX_RECORD_BYTES,
    SCHEMAS,
    WHOLE_BLOCK,
)
from distillcost.readers.schemas import (
    CHAT_ROLES,
    PARSERS,
    BadRecord,
    Doc,
    Unit,
    detect_schema,
    doc_bytes,
    doc_chars,
    field_parser,
    parse_chat,
    parse_instruction,
    parse_prompt_completion,
    parse_question_answer,
    parse_sharegpt,
)
from distillcost.readers.sniff import open_source
from distillcost.readers.source import Source
from distillcost.readers.text import LineBlock, safe_split
from distillcost.readers.walk import expand_paths, walk_inputs

__all__ = [
    "BLOCK",
    "CHAT_ROLES",
    "CHUNK_TARGET",
    "CONTAINERS",
    "DEFAULT_GLOB",
    "FORMATS_IN",
    "HEAD",
    "MAX_RECORD_BYTES",
    "PARSERS",
    "SCHEMAS",
    "WHOLE_BLOCK",
    "BadRecord",
    "Doc",
    "DuplicateKeyError",
    "LineBlock",
    "Source",
    "SourceBase",
    "Unit",
    "detect_schema",
    "doc_bytes",
    "doc_chars",
    "expand_paths",
    "field_parser",
    "json_record",
    "open_source",
    "parse_chat",
    "parse_instruction",
    "parse_prompt_completion",
    "parse_question_answer",
    "parse_sharegpt",
    "safe_split",
    "walk_inputs",
]
