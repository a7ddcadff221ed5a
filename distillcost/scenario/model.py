"""The Scenario: one distillation campaign, declared field by field, and validated.

Every user field is declared once, on the dataclass, with its meaning, limits, TOML
section, flag and help group (:mod:`distillcost.scenario.fields`). Numeric
assumptions are :class:`~distillcost.ranges.Range` s (``low..base..high``).

Volume semantics (what you want at the end, after filtering):

* ``examples``: accepted examples in the dataset.
* ``output_tokens``: teacher completion tokens kept in the dataset.
* ``dataset_tokens``: prompt + completion tokens kept in the dataset (the prompt
  counts only when ``prompt_in_dataset``; with several examples per request the
  prompt is shared, so each example carries ``prompt_tokens / examples_per_request``).
* ``requests``: successful API requests (before retries).

``provenance`` records where each value came from: ``"file"``, ``"flag"``,
``"measured"`` (counted from files), ``"default"``, ``"given"`` (passed to
:meth:`Scenario.from_values` by a library caller) or ``"override"``
(:meth:`Scenario.with_values`, used by sweeps and compare).
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from distillcost.compute.declarations import OFFERINGS
from distillcost.compute.training import FINETUNES, PADDINGS
from distillcost.errors import ScenarioError, did_you_mean
from distillcost.present import parse_day
from distillcost.prices.declarations import EFFORTS
from distillcost.ranges import Range, RangeError, parse_number
from distillcost.scenario.fields import (
    CAMPAIGN,
    LOSSES,
    MEASURED,
    ONE,
    PROFILE,
    SERVING,
    STUDENT,
    TIME,
    VOLUME,
    FieldSpec,
    field_spec,
    specs_of,
)

VOLUME_FIELDS: tuple[str, ...] = ("examples", "output_tokens", "dataset_tokens", "requests")
STUDENT_METHODS: tuple[str, ...] = ("none", "fine-tune", "gpu", "gpu-hours")


@dataclass(frozen=True)
class MeasuredTurns:
    """A chat file's turn structure: one request per assistant turn, resending the history.

    Totals over the conversations measured (a sample when sampling): ``requests`` (assistant
    turns; 1 for a conversation with none), ``input_tokens`` (what those requests send:
    every message before each assistant turn, with the chat overheads), ``prompt_tokens``
    (the prompt side counted once, as the dataset holds it) and ``output_tokens`` (the
    assistant replies). ``records`` is how many conversations the files hold.
    """

    conversations: int
    requests: int
    input_tokens: int
    prompt_tokens: int
    output_tokens: int
    records: int
    sampled: bool = False

    @property
    def turns(self) -> Decimal:
        """Requests (assistant turns) per conversation."""
        return Decimal(self.requests) / Decimal(self.conversations)

    @property
    def history_ratio(self) -> Decimal:
        """Input tokens sent per prompt token kept: how much resending the history adds."""
        if not self.prompt_tokens:
            return Decimal(1)
        return Decimal(self.input_tokens) / Decimal(self.prompt_tokens)

    def to_dict(self) -> dict[str, Any]:
        return {
            "conversations": self.conversations,
            "requests": self.requests,
            "input_tokens": self.input_tokens,
            "prompt_tokens": self.prompt_tokens,
            "output_tokens": self.output_tokens,
            "records": self.records,
            "sampled": self.sampled,
        }


@dataclass(frozen=True)
class Scenario:
    """A distillation campaign. Build with :func:`load_scenario` or :meth:`from_values`.

    Every user field is declared here, once, with :func:`field_spec` (its meaning,
    limits, TOML section, flag and help group). Numeric fields hold a :class:`Range`
    (or ``None`` when not given and not defaulted). ``prompt_lengths`` holds the
    sampled per-request prompt lengths when prompts were measured from files
    (long-context tiers are decided per request from it); ``measured_encoding`` the
    encoding they were counted with.
    """

    name: str = field_spec("", "a title for reports", CAMPAIGN)
    description: str = field_spec("", "what the campaign is, for reports", CAMPAIGN)
    teacher: str | None = field_spec(
        None,
        "the model queried (id or alias in the price table)",
        CAMPAIGN,
        short="-m",
        aliases=("--model",),
    )
    as_of: date | None = field_spec(None, "the date prices are taken on (default: today)", CAMPAIGN)
    prices: tuple[str, ...] = field_spec(
        (), "extra price table files (relative to the scenario file)", CAMPAIGN, flag=False
    )
    # volume
    examples: Range | None = field_spec(
        None, "accepted examples wanted in the dataset", VOLUME, unit="examples"
    )
    output_tokens: Range | None = field_spec(
        None, "teacher completion tokens kept in the dataset", VOLUME, unit="tokens"
    )
    dataset_tokens: Range | None = field_spec(
        None, "prompt + completion tokens kept in the dataset", VOLUME, unit="tokens"
    )
    requests: Range | None = field_spec(
        None, "successful API requests (before retries)", VOLUME, unit="requests"
    )
    # token profile
    prompt_tokens: Range | None = field_spec(
        None, "unique prompt tokens per request (per turn)", PROFILE, unit="tokens"
    )
    completion_tokens: Range | None = field_spec(
        None, "completion tokens per generated example", PROFILE, unit="tokens"
    )
    shared_prefix_tokens: Range = field_spec(
        Range.of(0), "shared prefix per request (system prompt, demos); cacheable", PROFILE
    )
    examples_per_request: Range = field_spec(
        Range.of(1), "examples generated in one completion", PROFILE, above_zero=True
    )
    reasoning_tokens: Range | None = field_spec(
        None,
        "hidden reasoning tokens per completion, billed as output (reasoning teachers only; "
        "default: their profile)",
        PROFILE,
        unit="tokens",
    )
    reasoning_effort: str | None = field_spec(
        None,
        "effort asked of reasoning teachers: none, minimal, low, medium, high, xhigh, max "
        "(default: each model's API default)",
        PROFILE,
        choices=EFFORTS,
    )
    samples_per_prompt: Range = field_spec(
        Range.of(1), "completions (n) asked per prompt", PROFILE, minimum=ONE, integer=True
    )
    input_billed_per_sample: bool = field_spec(
        False,
        "each sample is its own request, billing the prompt n times (APIs without n)",
        PROFILE,
    )
    turns: Range = field_spec(
        Range.of(1),
        "turns per conversation (each resends the history)",
        PROFILE,
        minimum=ONE,
        maximum=Decimal(10_000),
        integer=True,
    )
    prompt_in_dataset: bool = field_spec(True, "the prompt is part of each kept example", PROFILE)
    # losses
    acceptance_rate: Range = field_spec(
        Range.of(1), "share of generated examples kept", LOSSES, above_zero=True, maximum=ONE
    )
    retry_rate: Range = field_spec(
        Range.of(0), "extra requests re-sent after failures, as a share", LOSSES, maximum=ONE
    )
    # discounts and price forms
    batch: bool = field_spec(False, "use the batch API prices", LOSSES)
    service_tier: str = field_spec(
        "standard",
        "the provider's service tier: standard, or one the price table lists (flex, "
        "priority, fast …)",
        LOSSES,
    )
    off_peak_share: Range = field_spec(
        Range.of(0),
        "share of requests sent in the provider's off-peak hours (its off-peak prices)",
        LOSSES,
        maximum=ONE,
    )
    off_peak_only: bool = field_spec(
        False,
        "send only in off-peak hours: off-peak prices throughout, and a wall clock that "
        "waits for those hours",
        LOSSES,
    )
    cache_write_1h_share: Range = field_spec(
        Range.of(0),
        "share of cache writes made with a 1-hour lifetime (priced cache_write_1h)",
        LOSSES,
        maximum=ONE,
    )
    cache_hit_rate: Range = field_spec(
        Range.of(0), "share of shared-prefix tokens read from the cache", LOSSES, maximum=ONE
    )
    per_request_usd: Range | None = field_spec(
        None,
        "USD per request, added to token costs (replaces the table's per-request price)",
        LOSSES,
    )
    token_billing: bool = field_spec(
        True, "bill tokens (false: only the per-request price)", LOSSES
    )
    # time
    tier: tuple[str, ...] = field_spec(
        (),
        "the provider's usage tier, PROVIDER:TIER (openai:3, anthropic:2, google:1), whose "
        "published limits apply where none are given; a bare TIER applies to every provider",
        TIME,
        section="limits",
        kind="names",
    )
    rpm: Range | None = field_spec(
        None, "requests per minute per key", TIME, section="limits", above_zero=True
    )
    rpd: Range | None = field_spec(
        None, "requests per day per key", TIME, section="limits", above_zero=True
    )
    tpm: Range | None = field_spec(
        None, "tokens (input + output) per minute per key", TIME, section="limits", above_zero=True
    )
    tpd: Range | None = field_spec(
        None, "tokens (input + output) per day per key", TIME, section="limits", above_zero=True
    )
    itpm: Range | None = field_spec(
        None,
        "input tokens per minute per key (Anthropic's ITPM; Gemini's TPM)",
        TIME,
        section="limits",
        above_zero=True,
    )
    otpm: Range | None = field_spec(
        None,
        "output tokens per minute per key, hidden reasoning included (Anthropic's OTPM)",
        TIME,
        section="limits",
        above_zero=True,
    )
    keys: Range = field_spec(
        Range.of(1),
        "API keys (or organisations) used in parallel",
        TIME,
        section="limits",
        minimum=ONE,
    )
    concurrency: Range | None = field_spec(
        None, "requests in flight per key", TIME, section="limits", above_zero=True
    )
    latency_seconds: Range | None = field_spec(
        None, "seconds per request", TIME, section="limits", above_zero=True
    )
    batch_queue_tokens: Range | None = field_spec(
        None,
        "batch queue limit: input tokens enqueued at once per key",
        TIME,
        section="limits",
        above_zero=True,
    )
    batch_queue_requests: Range | None = field_spec(
        None,
        "batch queue limit: requests enqueued at once per key (Anthropic)",
        TIME,
        section="limits",
        above_zero=True,
    )
    batch_hours: Range = field_spec(
        Range.of(24),
        "hours for one batch round to complete",
        TIME,
        section="limits",
        above_zero=True,
    )
    # student
    student_method: str | None = field_spec(
        None,
        "none | fine-tune | gpu | gpu-hours (default: inferred)",
        STUDENT,
        section="student",
        key="method",
    )
    epochs: Range = field_spec(
        Range.of(1),
        "passes over the training tokens",
        STUDENT,
        section="student",
        above_zero=True,
    )
    training_tokens: Range | None = field_spec(
        None,
        "training tokens per epoch (default: the dataset tokens)",
        STUDENT,
        section="student",
    )
    student_parameters: Range | None = field_spec(
        None,
        "student parameters N for 6·N·D FLOPs",
        STUDENT,
        section="student",
        key="parameters",
        above_zero=True,
    )
    gpu: str | None = field_spec(
        None,
        "the GPU trained on (`distillcost gpus list`): a100-80gb, a100-40gb, h100-sxm, "
        "h100-pcie, h200, b200, l40s, l4, a10, v100, t4, mi300x …",
        STUDENT,
        section="student",
    )
    gpu_count: Range | None = field_spec(
        None,
        "GPUs training at once (wall clock = GPU-hours ÷ GPUs; default 1)",
        STUDENT,
        section="student",
        key="gpus",
        minimum=ONE,
        integer=True,
    )
    finetune: str | None = field_spec(
        None,
        "full | lora | qlora (adapters on a 4- or 8-bit base); default full",
        STUDENT,
        section="student",
        choices=FINETUNES,
    )
    sequence_length: Range | None = field_spec(
        None,
        "tokens per training sequence at most (truncation; the max-length padding)",
        STUDENT,
        section="student",
        above_zero=True,
        integer=True,
    )
    padding: str | None = field_spec(
        None,
        "packed | longest (pad to the longest of a micro-batch) | max-length; default longest",
        STUDENT,
        section="student",
        choices=PADDINGS,
    )
    micro_batch: Range | None = field_spec(
        None,
        "sequences per GPU per forward pass (default 4)",
        STUDENT,
        section="student",
        minimum=ONE,
        integer=True,
    )
    recompute: bool | None = field_spec(
        None,
        "activation recompute (gradient checkpointing): one more forward pass per step",
        STUDENT,
        section="student",
    )
    offload: bool | None = field_spec(
        None, "optimizer and weights offloaded to CPU (ZeRO-3 offload)", STUDENT, section="student"
    )
    gpu_tflops: Range | None = field_spec(
        None,
        "peak TFLOP/s per GPU (overrides the preset)",
        STUDENT,
        section="student",
        above_zero=True,
    )
    utilisation: Range | None = field_spec(
        None,
        "achieved fraction of the GPU's peak FLOP/s (default: calibrated on published runs)",
        STUDENT,
        section="student",
        above_zero=True,
        maximum=ONE,
    )
    usd_per_gpu_hour: Range | None = field_spec(
        None,
        "rental price per GPU-hour (default: the GPU table's rate on the date)",
        STUDENT,
        section="student",
    )
    gpu_offering: str | None = field_spec(
        None,
        "how the training GPUs are rented: on-demand (default), spot, reserved, community, "
        "serverless",
        STUDENT,
        section="student",
        key="offering",
        choices=OFFERINGS,
    )
    gpu_provider: str | None = field_spec(
        None,
        "whose GPU rate to use (default: the median of the providers' rates on the date)",
        STUDENT,
        section="student",
        key="provider",
    )
    gpu_hours: Range | None = field_spec(
        None, "GPU-hours, given directly", STUDENT, section="student"
    )
    student_model: str | None = field_spec(
        None,
        "fine-tuning model in the price table (its `training` price)",
        STUDENT,
        section="student",
        key="model",
    )
    # a self-hosted teacher (teacher = "self-hosted:BENCHMARK")
    serving_gpus: Range | None = field_spec(
        None,
        "GPUs serving the teacher at once (default: one replica of the benchmark)",
        SERVING,
        section="serving",
        key="gpus",
        minimum=ONE,
        integer=True,
    )
    serving_usd_per_gpu_hour: Range | None = field_spec(
        None,
        "rental price per serving GPU-hour (default: the GPU table's rate on the date)",
        SERVING,
        section="serving",
        key="usd_per_gpu_hour",
    )
    serving_offering: str | None = field_spec(
        None,
        "how the serving GPUs are rented: on-demand (default), spot, reserved …",
        SERVING,
        section="serving",
        key="offering",
        choices=OFFERINGS,
    )
    serving_provider: str | None = field_spec(
        None, "whose GPU rate to use for serving", SERVING, section="serving", key="provider"
    )
    serving_setup_hours: Range | None = field_spec(
        None,
        "hours the serving GPUs are paid before the first token (start, download, load; "
        "default 0.5)",
        SERVING,
        section="serving",
        key="setup_hours",
    )
    # measured profiles
    prompt_file: tuple[str, ...] = field_spec(
        (), "files whose records are the prompts (measured)", MEASURED
    )
    completion_file: tuple[str, ...] = field_spec(
        (), "files whose records are teacher answers (measured)", MEASURED
    )
    chat_file: tuple[str, ...] = field_spec(
        (), "chat/instruction files holding prompt and completion", MEASURED
    )
    field: str | None = field_spec(
        None, "the JSONL/CSV field to count in prompt files (and completion files)", MEASURED
    )
    completion_field: str | None = field_spec(
        None, "the field to count in completion files (default: field)", MEASURED
    )
    sample: Decimal | None = field_spec(
        None,
        "measure a sample: a fraction (0-1) or a number of documents per file",
        MEASURED,
    )
    encoding: str | None = field_spec(
        None, "encoding to count files with (default: the teacher's)", MEASURED
    )
    one_shot: bool = field_spec(
        False,
        "a multi-turn chat file: one request per conversation, not one per assistant turn",
        MEASURED,
    )
    # measured (not user fields)
    prompt_lengths: tuple[int, ...] = dataclasses.field(default=(), repr=False, compare=False)
    measured_encoding: str | None = None
    measured_fields: tuple[str, ...] = ()
    measured_turns: MeasuredTurns | None = None
    measured_records: int | None = None  # records of the measured files (the volume if none)
    source_path: str | None = dataclasses.field(default=None, compare=False)
    provenance: Mapping[str, str] = dataclasses.field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        # Scenario(examples=5), or dataclasses.replace(sc, completion_tokens=600), is as
        # good as from_values: a value not yet in its field's stored type is converted
        # (it failed as "'int' has no attribute 'low'")
        for spec in FIELDS:
            value = getattr(self, spec.name)
            stored = isinstance(value, STORED_TYPES.get(spec.kind, object))
            if value is not None and (not stored or isinstance(value, datetime)):
                object.__setattr__(self, spec.name, coerce(spec.name, value))
        validate(self)

    # -- construction ------------------------------------------------------
    @classmethod
    def from_values(cls, values: Mapping[str, Any] | None = None, **kw: Any) -> Scenario:
        """A validated Scenario from field values (numbers, strings, Ranges...)."""
        merged = dict(values or {})
        merged.update(kw)
        provenance = {name: "default" for name in SPECS}
        converted: dict[str, Any] = {}
        for name, value in merged.items():
            if name not in SPECS:
                raise _unknown_field(name, where="")
            converted[name] = coerce(name, value)
            provenance[name] = "given"
        return cls(**converted, provenance=provenance)

    def with_values(self, **changes: Any) -> Scenario:
        """A validated copy with some fields changed (numbers, Ranges or strings).

        Only the changed fields (and the cross-field rules) are re-checked, so a
        sweep can make thousands of copies cheaply.
        """
        return self.derived(changes, "override")

    def derived(self, changes: Mapping[str, Any], origin: str) -> Scenario:
        """:meth:`with_values`, the changed fields' provenance being ``origin`` (a
        teacher's reasoning profile, a usage tier …)."""
        converted: dict[str, Any] = {}
        provenance = dict(self.provenance)
        for name, value in changes.items():
            if name not in SPECS:
                raise _unknown_field(name, where="")
            converted[name] = coerce(name, value)
            provenance[name] = origin
        # a new volume replaces the old one (exactly one volume kind)
        if any(name in VOLUME_FIELDS for name in converted):
            for name in VOLUME_FIELDS:
                if name not in converted:
                    converted[name] = None
        state = dict(self.__dict__)
        if "prompt_lengths" in converted:  # caches of the old lengths are stale
            state.pop("sorted_prompt_lengths", None)
            state.pop("prompt_lengths_total", None)
        state.update(converted)
        state["provenance"] = provenance
        copy = object.__new__(Scenario)
        copy.__dict__.update(state)  # frozen: fields are set once, here, then checked
        validate(copy, only=converted)
        return copy

    # -- views -------------------------------------------------------------
    @property
    def volume(self) -> tuple[str, Range]:
        """The volume kind and its value (validation guarantees exactly one)."""
        for name in VOLUME_FIELDS:
            value = getattr(self, name)
            if value is not None:
                return name, value
        raise ScenarioError(
            "no volume: give one of examples, output_tokens, dataset_tokens or requests "
            "(flags --examples, --output-tokens, --dataset-tokens, --requests)"
        )

    @property
    def ranged(self) -> tuple[str, ...]:
        """Numeric fields whose low, base and high differ (for sensitivity)."""
        return tuple(
            name
            for name in NUMERIC_PARAMETERS
            if isinstance(getattr(self, name), Range) and getattr(self, name).is_range
        )

    @property
    def limits(self) -> dict[str, Range | None]:
        return {name: getattr(self, name) for name in SECTIONS["limits"].values()}

    @property
    def student(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in SECTIONS["student"].values()}

    @functools.cached_property
    def sorted_prompt_lengths(self) -> tuple[int, ...]:
        """``prompt_lengths`` in ascending order (computed once per scenario)."""
        lengths = self.prompt_lengths
        if all(a <= b for a, b in itertools.pairwise(lengths)):
            return lengths
        return tuple(sorted(lengths))

    @functools.cached_property
    def prompt_lengths_total(self) -> int:
        return sum(self.prompt_lengths)

    def origin(self, name: str) -> str:
        return self.provenance.get(name, "default")

    def to_dict(self) -> dict[str, Any]:
        """Every user field: Ranges as a number or {low, base, high}."""
        out: dict[str, Any] = {}
        for spec in FIELDS:
            value = getattr(self, spec.name)
            if isinstance(value, Range):
                out[spec.name] = value.to_dict() if value.is_range else value.base
            elif isinstance(value, tuple):
                out[spec.name] = list(value)
            else:
                out[spec.name] = value
        if self.measured_fields:
            out["measured"] = {
                "fields": list(self.measured_fields),
                "encoding": self.measured_encoding,
                "prompt_lengths_sampled": len(self.prompt_lengths),
            }
            if self.measured_turns is not None:
                out["measured"]["turns"] = self.measured_turns.to_dict()
        return out


STORED_TYPES: dict[str, type | tuple[type, ...]] = {
    "range": Range,
    "bool": bool,
    "str": str,
    "date": date,
    "paths": tuple,
    "names": tuple,
    "number": Decimal,
}
"""The type each kind of field is stored as (anything else is converted by :func:`coerce`)."""

FIELDS: tuple[FieldSpec, ...] = specs_of(Scenario)
"""Every user field's declaration, in order."""

SPECS: dict[str, FieldSpec] = {f.name: f for f in FIELDS}

NUMERIC_PARAMETERS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.kind == "range")
"""Names that ``sweep --vary`` and the sensitivity analysis can vary."""

# TOML sections: section -> {key in section: field name}
SECTIONS: dict[str, dict[str, str]] = {}
for _spec in FIELDS:
    if _spec.section:
        SECTIONS.setdefault(_spec.section, {})[_spec.key or _spec.name] = _spec.name


# -- conversion and validation ----------------------------------------------


def coerce(name: str, value: Any) -> Any:
    """A field value in its stored type, or ScenarioError naming the field."""
    spec = SPECS[name]
    if value is None:
        return None
    try:
        if spec.kind == "range":
            return Range.of(value)
        if spec.kind == "bool":
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "yes", "1", "false", "no", "0"):
                return value.lower() in ("true", "yes", "1")
            raise ScenarioError(f"{name}: expected true or false, got {value!r}")
        if spec.kind == "number":
            number = parse_number(value)
            if number <= 0 or (number > 1 and number != number.to_integral_value()):
                raise ScenarioError(
                    f"{name}: a fraction between 0 and 1 or a whole number of documents, "
                    f"got {value}"
                )
            return number
        if spec.kind == "str":
            if not isinstance(value, str):
                raise ScenarioError(f"{name}: expected text, got {value!r}")
            if spec.choices and value not in spec.choices:
                close = did_you_mean(value, spec.choices)
                hint = f" Did you mean: {', '.join(close)}?" if close else ""
                raise ScenarioError(
                    f"{name}: unknown value {value!r} (one of {', '.join(spec.choices)}).{hint}"
                )
            return value
        if spec.kind == "names":
            items = value.split(",") if isinstance(value, str) else value
            if not isinstance(items, (list, tuple)) or not all(isinstance(v, str) for v in items):
                raise ScenarioError(f"{name}: expected a word or a list of them, got {value!r}")
            words = tuple(v.strip() for v in items if v.strip())
            if not words and (isinstance(value, str) or items):  # "" silently meant none
                raise ScenarioError(f"{name}: empty; give a word (e.g. openai:3) or leave it out")
            for word in words:
                if word.count(":") > 1 or word.startswith(":") or word.endswith(":"):
                    raise ScenarioError(f"{name}: {word!r} is not PROVIDER:TIER or TIER")
            return words
        if spec.kind == "date":
            if isinstance(value, datetime):
                return value.date()
            if isinstance(value, date):
                return value
            if isinstance(value, str):
                try:
                    return parse_day(value)
                except ValueError as exc:
                    raise ScenarioError(f"{name}: {exc} (use YYYY-MM-DD)") from None
            raise ScenarioError(f"{name}: expected a date (YYYY-MM-DD), got {value!r}")
        if spec.kind == "paths":
            if isinstance(value, (str, Path)):
                return (str(value),)
            if isinstance(value, (list, tuple)) and all(isinstance(v, (str, Path)) for v in value):
                return tuple(str(v) for v in value)
            raise ScenarioError(f"{name}: expected a file name or a list of them, got {value!r}")
    except RangeError as exc:
        raise ScenarioError(f"{name}: {exc}") from None
    raise AssertionError(spec.kind)  # pragma: no cover


def validate(sc: Scenario, only: Iterable[str] | None = None) -> None:
    """Raise ScenarioError (naming the field) for an impossible scenario.

    ``only`` limits the per-field checks to those fields (the rest are known
    valid); the rules that tie fields together are always checked.
    """
    specs = FIELDS if only is None else [SPECS[name] for name in only]
    for spec in specs:
        value = getattr(sc, spec.name)
        if spec.kind != "range" or value is None:
            continue
        for end in (value.low, value.base, value.high):
            _check_number(spec, end)
    volumes = [name for name in VOLUME_FIELDS if getattr(sc, name) is not None]
    if len(volumes) > 1:
        raise ScenarioError(
            f"{volumes[0]} and {volumes[1]} both given: state the volume one way only "
            f"(one of {', '.join(VOLUME_FIELDS)})"
        )
    if sc.student_method is not None and sc.student_method not in STUDENT_METHODS:
        close = did_you_mean(sc.student_method, STUDENT_METHODS)
        hint = f" Did you mean: {', '.join(close)}?" if close else ""
        raise ScenarioError(
            f"student_method: unknown method {sc.student_method!r} "
            f"(one of {', '.join(STUDENT_METHODS)}).{hint}"
        )
    if sc.turns.high > 1 and (sc.examples_per_request.high != 1 or sc.samples_per_prompt.high > 1):
        raise ScenarioError(
            "turns: multi-turn conversations are modelled with one example and one sample "
            "per request (set examples_per_request and samples_per_prompt to 1)"
        )
    if sc.measured_turns is not None and (
        sc.turns.high > 1 or sc.examples_per_request.high != 1 or sc.samples_per_prompt.high > 1
    ):
        raise ScenarioError(
            "chat_file: a multi-turn chat file is priced one request per assistant turn, with "
            "one example and one sample per request and the turns it holds; for another "
            "shape, regenerate each conversation in one request (one_shot = true, --one-shot)"
        )
    if sc.padding == "max-length" and sc.sequence_length is None:
        raise ScenarioError("padding: max-length needs sequence_length (the length padded to)")


def check_complete(sc: Scenario) -> None:
    """The fields an estimate needs (a scenario may be built up before it is complete)."""
    if sc.teacher is None:
        raise ScenarioError(
            'teacher: not given (teacher = "..." in the scenario, or -m/--teacher; '
            "`distillcost prices list` shows the models)"
        )
    files = sc.chat_file or sc.prompt_file or sc.completion_file
    if files and not sc.measured_fields:  # Scenario(chat_file=...) names files, reads none
        missing = [n for n in ("prompt_tokens", "completion_tokens") if getattr(sc, n) is None]
        if missing or not any(getattr(sc, n) is not None for n in VOLUME_FIELDS):
            raise ScenarioError(
                f"{', '.join(files)}: named but not measured (a Scenario reads no files); "
                "build it with load_scenario(path_or_None, {...}), which counts them, or give "
                "the volume and token counts"
            )
    sc.volume  # noqa: B018 - raises ScenarioError when no volume is given
    for needed in ("prompt_tokens", "completion_tokens"):
        if getattr(sc, needed) is None:
            flag = "--" + needed.replace("_", "-")
            side = needed.split("_")[0]
            raise ScenarioError(
                f"{needed}: not given ({flag} N or LOW..BASE..HIGH, or measure it from files "
                f"with --{side}-file or --chat-file)"
            )


MAXIMUM = Decimal(10) ** 15
"""No count, rate or price in a campaign is anywhere near a quadrillion: a typo."""

MINIMUM = Decimal(10) ** -15
"""Nor is any non-zero one below a quadrillionth (rpm = 1e-300 gave a 300-digit wall clock)."""


def _check_number(spec: FieldSpec, value: Decimal) -> None:
    name = spec.name
    if abs(value) > MAXIMUM:
        raise ScenarioError(f"{name}: {value:.3g} is implausibly large (at most 1e15)")
    if value != 0 and abs(value) < MINIMUM:
        raise ScenarioError(f"{name}: {value:.3g} is implausibly small (0, or at least 1e-15)")
    if spec.minimum is not None:
        if spec.above_zero and value <= spec.minimum:
            raise ScenarioError(f"{name}: must be above {spec.minimum}, got {_fmt(value)}")
        if value < spec.minimum:
            what = "negative" if spec.minimum == 0 else f"below {spec.minimum}"
            raise ScenarioError(f"{name}: must not be {what}, got {_fmt(value)}")
    if spec.maximum is not None and value > spec.maximum:
        raise ScenarioError(
            f"{name}: must be between {spec.minimum or 0} and {spec.maximum}, got {_fmt(value)}"
        )
    if spec.integer and value != value.to_integral_value():
        raise ScenarioError(f"{name}: must be a whole number, got {_fmt(value)}")


def _blame(message: str, provenance: Mapping[str, str], where: str) -> str:
    """Name the file only when the fields at fault came from it.

    A bad --acceptance-rate read "alpaca.toml: acceptance_rate: must be ...", as if
    the file held the value; a flag's value is named as the flag.
    """
    head = message.split(":", 1)[0]
    named = [w for w in head.replace(",", " ").split() if w in SPECS]
    if named and all(provenance.get(name) == "flag" for name in named):
        flags = ", ".join("--" + name.replace("_", "-") for name in named)
        return f"{message} (from {flags})"
    return f"{where}{message}"


def _fmt(value: Decimal) -> str:
    return str(Range.of(value))


def _unknown_field(name: str, where: str) -> ScenarioError:
    known = [*SPECS, *SECTIONS]
    close = did_you_mean(name, known)
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    return ScenarioError(f"{where}unknown field {name!r}.{hint}")


def describe(name: str) -> str:
    """The one-line description of a field (for help texts and reports)."""
    return SPECS[name].description
