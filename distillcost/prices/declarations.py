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
CACHE_WRITE = _rate(
    "cache_write", "Cache write", "prompt tokens written to a cache (5-minute TTL)", "cache_write"
)
CACHE_WRITE_1H = _rate(
    "cache_write_1h",
    "Cache write (1 h)",
    "prompt tokens written to a cache that lives an hour",
    "cache_write_1h",
)
RATES: tuple[Key, ...] = tuple(
    sorted(
        (value for value in list(globals().values()) if isinstance(value, Key) and value.bills),
        key=lambda key: key.bills == "output",
    )
)
"""Every rate declared above, input side first: a new token kind is one ``_rate`` here, and
billing, the workbook and the dataset adapters take it from this tuple."""

# -- other prices of an entry ------------------------------------------------------
BATCH_INPUT = _price(
    "batch_input", "Batch input", "prompt tokens sent through the batch API", listed=True
)
BATCH_OUTPUT = _price(
    "batch_output", "Batch output", "completion tokens from the batch API", listed=True
)
TRAINING = _price("training", "Fine-tuning (training)", "fine-tuning, per 1M training tokens")
FT_INPUT = _price("ft_input", "Fine-tuned input", "prompt tokens sent to a fine-tuned version")
FT_CACHED_INPUT = _price(
    "ft_cached_input", "Fine-tuned cached input", "cached prompt tokens of a fine-tuned version"
)
FT_OUTPUT = _price("ft_output", "Fine-tuned output", "completion tokens of a fine-tuned version")
PER_REQUEST_PRICE = Key(
    "per_request",
    "a fee per request, added to token costs (never converted by `unit`)",
    values.money,
    "Per request",
    unit=PER_REQUEST,
)

BATCH_CACHE_RULES = ("discounted", "undiscounted", "not-cached", "unpublished")
BATCH_CACHE = Key(
    "batch_cache",
    "how the batch discount applies to cache reads and writes: discounted (the batch "
    "ratio), undiscounted (cache prices as listed) or not-cached (no caching in batch); "
    "unpublished (the provider states no rule for this entry, overriding a file-wide "
    "rule) or unknown: discounted, and said so",
    values.choice(BATCH_CACHE_RULES),
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

# -- a service tier (flex, priority, fast …): prices chosen per campaign --------------------
SERVICE_TIER_NAME = Key(
    "name", "the tier, as the provider names it: flex, priority, fast …", values.name, required=True
)

# -- a time window (off-peak): prices for the traffic sent in it ---------------------------
WINDOW_NAME = Key("name", "the window: off-peak", values.name, required=True)
UTC_HOURS = Key(
    "utc_hours",
    "the daily window in UTC, HH:MM-HH:MM (may wrap midnight); windows of one name add up",
    values.utc_hours,
    required=True,
)
WHOLE_DAYS = Key("whole_days", "days entirely in the window: sat, sun …", values.weekdays)

# -- a recorded disagreement with a maintained dataset (see `prices audit`) -----------------
AUDIT_DATASETS = ("genai-prices", "litellm")
DISPUTE_DATASET = Key(
    "dataset",
    "the dataset that disagrees: genai-prices or litellm",
    values.choice(AUDIT_DATASETS),
    required=True,
)
DISPUTE_FIELD = Key(
    "field",
    "the price it gives differently, as `prices audit` names it (input, batch_input, "
    "tier >200000 input, flex output …)",
    values.name,
    required=True,
)
DISPUTE_THEIRS = _price("theirs", "Theirs", "the dataset's value", required=True)
DISPUTE_WHY = Key(
    "why",
    'the evidence: "genai-prices has X; the provider\'s page of DATE says Y"',
    values.text,
    required=True,
    verbatim=True,
)

# -- a model's request limits, dated ------------------------------------------------------------
LIMITS_FROM = Key(
    "effective_from", "the day these limits took effect", values.day, "From", required=True
)
MAX_INPUT_TOKENS = Key(
    "max_input_tokens",
    "prompt tokens one request may hold (a longer prompt is refused)",
    values.positive_int,
)
LIMITS_SOURCE = Key("source", "where the limits are published", values.name, required=True)

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
STATUSES = ("ga", "preview", "experimental")
STATUS = Key(
    "status",
    "ga | preview | experimental (free or rate-capped test models; left out of rankings)",
    values.choice(STATUSES),
    csv="model_status",
)
REASONING_MODES = ("none", "optional", "always")
REASONING = Key(
    "reasoning",
    "none | optional | always: whether it emits hidden reasoning tokens",
    values.choice(REASONING_MODES),
)
REASONING_EFFORTS = Key("reasoning_efforts", "the reasoning effort levels it accepts", values.names)
RELEASED = Key("released", "the day it was released", values.day)
RETIRED = Key("retired", "the day the API stops serving it", values.day)
MODEL_NOTES = Key("notes", "free text", values.text, csv="model_notes", verbatim=True)

# -- reasoning profiles (pricing/reasoning.toml): hidden reasoning tokens per completion ----
EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
"""Reasoning effort levels, least to most (``none``: reasoning off)."""
BASES = ("documented", "measured", "assumption")
EFFORT = Key(
    "effort",
    "a reasoning effort level: none, minimal, low, medium, high, xhigh, max",
    values.choice(EFFORTS),
    required=True,
)
SCALE_FACTOR = Key(
    "factor",
    "hidden reasoning tokens at this effort, relative to `high` (= 1)",
    values.money,
    required=True,
)
BASIS = Key(
    "basis",
    "documented | measured | assumption: how the figure is known (an assumption says why)",
    values.choice(BASES),
    required=True,
)
WHY = Key("why", "the reasoning behind an assumption", values.text, verbatim=True)
FIGURE_SOURCE = Key(
    "source",
    "where a documented or measured figure comes from: a URL or document, with a short quote",
    values.text,
    verbatim=True,
)
PROFILE_NAME = Key("name", "the profile's name", values.name, required=True)
PROFILE_MODELS = Key(
    "models",
    "the model ids or aliases it describes; `*` patterns match ids (`gpt-5*`, `*/DeepSeek-R1*`)",
    values.names,
    required=True,
)
DEFAULT_EFFORT = Key(
    "default_effort",
    "the effort the API applies when a request names none (`none`: reasoning off by default)",
    values.choice(EFFORTS),
    required=True,
)
DEFAULT_SOURCE = Key(
    "default_source",
    "where the default effort is documented (URL: 'quote'), or `assumption: why`",
    values.text,
    required=True,
    verbatim=True,
)
ADJUSTABLE = Key(
    "adjustable",
    "the API takes an effort level or thinking budget (default true; false: only the default)",
    values.flag,
)
MEASURED_MODEL = Key(
    "measured_model",
    "the model the token figures were measured on (it may stand in for the profile's models)",
    values.name,
)
MEASURED_EFFORT = Key(
    "measured_effort",
    "the effort the token figures describe",
    values.choice(EFFORTS),
    required=True,
)
LOW_TOKENS = Key(
    "low",
    "hidden reasoning tokens per completion at measured_effort: the low end",
    values.count,
    required=True,
)
BASE_TOKENS = Key(
    "base",
    "hidden reasoning tokens per completion at measured_effort: the value priced",
    values.count,
    required=True,
)
HIGH_TOKENS = Key(
    "high",
    "hidden reasoning tokens per completion at measured_effort: the high end",
    values.count,
    required=True,
)
TEACHER_META_PROVIDER = Key(
    "provider", "the provider whose usage tiers the file lists", values.name, required=True
)
DATA_CHECKED = Key("checked", "the date the sources were read", values.day)
DATA_NOTES = Key("notes", "free text", values.text, verbatim=True)
REASONING_META: tuple[Key, ...] = (DATA_CHECKED, DATA_NOTES)

# -- usage tiers (pricing/limits/*.toml): rate limits by tier, dated -------------------------
TIER_NAME = Key(
    "name", "the tier as the provider names it: 1 … 5, free, default", values.name, required=True
)
TIER_FROM = Key(
    "effective_from",
    "the day these figures were in force (the date of the copy they were read in)",
    values.day,
    required=True,
)
TIER_UNTIL = Key(
    "until",
    "the first day the provider no longer offers the tier (replaced by others); on and "
    "after it the tier's figures are not applied",
    values.day,
)
QUALIFICATION = Key("qualification", "what puts an account in the tier", values.text, verbatim=True)
MONTHLY_SPEND = Key(
    "monthly_spend_limit_usd", "the tier's monthly spend limit, USD", values.positive_int
)
BATCH_QUEUE_REQUESTS = Key(
    "batch_queue_requests",
    "batch requests in the processing queue at once, across models (Anthropic)",
    values.positive_int,
)
BATCH_MAX_REQUESTS = Key(
    "batch_max_requests_per_batch", "requests one batch may hold", values.positive_int
)
BATCH_RPM = Key(
    "batch_rpm",
    "HTTP requests per minute to the batch API itself (not batch lines)",
    values.positive_int,
)
BATCH_CONCURRENT = Key(
    "batch_concurrent_requests", "batch jobs running at once", values.positive_int
)
ROW_MODELS = Key(
    "models",
    "the exact model ids this row of the provider's table covers",
    values.names,
    required=True,
)
RPM = Key("rpm", "requests per minute", values.positive_int)
RPD = Key("rpd", "requests per day", values.positive_int)
TPM = Key("tpm", "tokens (input + output) per minute", values.positive_int)
TPD = Key("tpd", "tokens (input + output) per day", values.positive_int)
ITPM = Key(
    "itpm",
    "input tokens per minute (Anthropic's ITPM; Gemini's TPM counts input only)",
    values.positive_int,
)
OTPM = Key("otpm", "output tokens per minute, hidden reasoning included", values.positive_int)
BATCH_QUEUE_TOKENS = Key(
    "batch_queue_tokens",
    "batch queue: input tokens enqueued at once for this model",
    values.positive_int,
)
ITPM_CACHE_READS = Key(
    "itpm_counts_cache_reads",
    "cache reads count toward itpm (older Anthropic models); default false",
    values.flag,
)
SCOPE = Key(
    "scope",
    "the requests the row applies to, when not all (such rows are shown, never applied)",
    values.text,
    verbatim=True,
)
LIMITS_META: tuple[Key, ...] = (TEACHER_META_PROVIDER, DATA_CHECKED, DATA_NOTES)

# -- a file's [meta] table ---------------------------------------------------------------
META_PROVIDER = Key(
    "provider", "the provider of every model in the file", values.name, required=True
)
META_UNIT = Key(
    "unit", "'USD per 1M tokens' (default) or 'USD per 1K tokens' (converted x 1000)", values.unit
)
META_CHECKED = Key("checked", "the default `checked` date of every entry", values.day)
META_BATCH_CACHE = Key(
    "batch_cache", "the default `batch_cache` rule of every entry", values.choice(BATCH_CACHE_RULES)
)
META_BATCH_CACHE_SOURCE = Key(
    "batch_cache_source", "where the provider publishes its batch/cache rule", values.text
)
META_NOTES = Key("notes", "free text", values.text, verbatim=True)
META: tuple[Key, ...] = (
    META_PROVIDER,
    META_UNIT,
    META_CHECKED,
    META_BATCH_CACHE,
    META_BATCH_CACHE_SOURCE,
    META_NOTES,
)

# -- a name that pointed at different models over time (gpt-4o, *-latest, deepseek-chat) ----
ALIAS_NAME = Key("name", "the moving name", values.name, required=True)
ALIAS_RETIRED = Key("retired", "the day the name stopped working", values.day)
ALIAS_REASONING = Key(
    "reasoning",
    "none | optional | always, when the name fixes the mode (deepseek-chat: none, "
    "deepseek-reasoner: always); default: the served model's",
    values.choice(REASONING_MODES),
)
ALIAS_NOTES = Key("notes", "free text", values.text, verbatim=True)
TARGET_FROM = Key("from", "the day the name started to serve this model", values.day, required=True)
TARGET_MODEL = Key(
    "model", "the model it served (an id in the same table)", values.name, required=True
)
TARGET_SOURCE = Key("source", "where the switch is published", values.name, required=True)
TARGET_NOTES = Key("notes", "free text", values.text, verbatim=True)

# CSV: the sheet's extra input column, and the columns `prices list` adds for people
UNIT_COLUMN = "unit"
OUTPUT_ONLY_COLUMNS = ("status", "origin", "overrides")
