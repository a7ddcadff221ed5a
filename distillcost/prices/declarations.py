"""Every key of the price model, declared once.

A :class:`Key` says what one field of a price table is: its name in TOML/JSON (and
its CSV column), how a value is read, whether it is required, whether it is a price
that the file's ``unit`` converts, the heading people see, and what it means. The
dataclasses in :mod:`distillcost.prices.model` attach these declarations to their
fields, and everything else derives from them: the file readers and writers, the
validation, the columns of ``prices list/show/diff``, the CSV sheet, the report's
price table and ``pricing/README.md``'s key list (a test keeps that in step).

A *rate* is a price per 1M tokens of one token kind (``bills``): the standard
rates of an entry, and the rates of its long-context tiers, are the same keys.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from distillcost.prices import values

PER_MTOK = "USD per 1M tokens"
PER_REQUEST = "USD per request"


@dataclass(frozen=True)
class Key:
    """One field of a price table."""

    name: str
    meaning: str
    read: Callable[[Any], Any]
    label: str = ""
    required: bool = False
    per_token: bool = False  # a price in the file's `unit`, converted to USD per 1M tokens
    unit: str = ""
    csv: str = ""  # the CSV column, when it is not ``name``
    listed: bool = False  # a column of `prices list`
    bills: str = ""  # for rates: the token kind this price is paid for
    verbatim: bool = False  # free text: CSV cells keep their spaces

    @property
    def column(self) -> str:
        return self.csv or self.name

    @property
    def heading(self) -> str:
        return self.label or self.name.replace("_", " ")


def _rate(name: str, label: str, meaning: str, bills: str, **kw: Any) -> Key:
    return Key(name, meaning, values.money, label, per_token=True, unit=PER_MTOK, bills=bills, **kw)


def _price(name: str, label: str, meaning: str, **kw: Any) -> Key:
    return Key(name, meaning, values.money, label, per_token=True, unit=PER_MTOK, **kw)


# -- rates: what each token kind of a request costs (entries and long-context tiers) --
INPUT = _rate(
    "input", "Input", "prompt tokens not read from a cache", "input", listed=True, required=True
)
OUTPUT = _rate(
    "output",
    "Output",
    "completion tokens (and hidden reasoning tokens, when billed as output)",
    "output",
    listed=True,
    required=True,
)
CACHED_INPUT = _rate(
    "cached_input", "Cached input", "prompt tokens read from a cache", "cached_input", listed=True
)
CACHE_WRITE = _rate("cache_write", "Cache write", "prompt tokens written to a cache", "cache_write")

# -- other prices of an entry ------------------------------------------------------
BATCH_INPUT = _price(
    "batch_input", "Batch input", "prompt tokens sent through the batch API", listed=True
)
BATCH_OUTPUT = _price(
    "batch_output", "Batch output", "completion tokens from the batch API", listed=True
)
TRAINING = _price("training", "Fine-tuning (training)", "fine-tuning, per 1M training tokens")
PER_REQUEST_PRICE = Key(
    "per_request",
    "a fee per request, added to token costs (never converted by `unit`)",
    values.money,
    "Per request",
    unit=PER_REQUEST,
)

# -- what an entry says about itself --------------------------------------------------
EFFECTIVE_FROM = Key(
    "effective_from", "the day this price took effect", values.day, "From", required=True
)
REASONING_BILLED = Key(
    "reasoning_billed_as_output",
    "hidden reasoning tokens are billed at the output rate (default true)",
    values.flag,
)
SOURCE = Key(
    "source",
    "where the figure comes from: a URL or document, with a short quote",
    values.name,
    required=True,
)
CHECKED = Key("checked", "the date the source was read", values.day)
VERIFIED = Key("verified", "the figures were read in a primary source (default false)", values.flag)
NOTES = Key("notes", "free text", values.text, verbatim=True)

# -- a long-context tier ----------------------------------------------------------------
ABOVE_PROMPT_TOKENS = Key(
    "above_prompt_tokens",
    "a request whose prompt exceeds this many tokens pays the tier's rates for all its tokens",
    values.positive_int,
    required=True,
)

# -- a model --------------------------------------------------------------------------
ID = Key("id", "the exact API name", values.name, "model", required=True)
PROVIDER = Key("provider", "who sells it (default: the file's [meta] provider)", values.name)
ALIASES = Key(
    "aliases", "other exact names of the same model (never matched loosely)", values.names
)
ENCODING = Key(
    "encoding",
    "the tiktoken encoding its tokens are counted with",
    values.encoding,
    required=True,
)
TOKEN_RATIO = Key(
    "token_ratio",
    "provider tokens per token of `encoding`, when documented",
    values.ratio,
)
TOKENIZER_APPROXIMATE = Key(
    "tokenizer_approximate",
    "`encoding` stands in for the provider's own tokenizer: counts are estimates",
    values.flag,
)
TOKENIZER_SOURCE = Key(
    "tokenizer_source", "why this encoding stands in", values.text, verbatim=True
)
CONTEXT_WINDOW = Key(
    "context_window", "prompt + completion tokens one request may hold", values.positive_int
)
MAX_OUTPUT_TOKENS = Key(
    "max_output_tokens", "completion tokens one request may return", values.positive_int
)
RELEASED = Key("released", "the day it was released", values.day)
RETIRED = Key("retired", "the day the API stops serving it", values.day)
MODEL_NOTES = Key("notes", "free text", values.text, csv="model_notes", verbatim=True)

# -- a file's [meta] table ---------------------------------------------------------------
META_PROVIDER = Key(
    "provider", "the provider of every model in the file", values.name, required=True
)
META_UNIT = Key(
    "unit", "'USD per 1M tokens' (default) or 'USD per 1K tokens' (converted x 1000)", values.unit
)
META_CHECKED = Key("checked", "the default `checked` date of every entry", values.day)
META_NOTES = Key("notes", "free text", values.text, verbatim=True)
META: tuple[Key, ...] = (META_PROVIDER, META_UNIT, META_CHECKED, META_NOTES)

# CSV: the sheet's extra input column, and the columns `prices list` adds for people
UNIT_COLUMN = "unit"
OUTPUT_ONLY_COLUMNS = ("status", "origin", "overrides")
