"""The Scenario: one distillation campaign, described, merged and validated.

A scenario is a TOML file and/or command-line flags (flags win). Field names
are the TOML keys and, with ``-`` for ``_``, the CLI flags. Every numeric
assumption is a :class:`~distillcost.ranges.Range` (``low..base..high``), so any
of them may be uncertain.

TOML layout (every key optional except a teacher, one volume and the profile)::

    name = "Stanford Alpaca"
    teacher = "text-davinci-003"
    as_of = 2023-03-13
    examples = 52002                      # volume: exactly one of examples,
                                          # output_tokens, dataset_tokens, requests
    prompt_tokens = 771                   # unique prompt tokens per request
    completion_tokens = {low = 95, base = 110, high = 133}   # per generated example
    examples_per_request = 16
    acceptance_rate = [0.33, 0.5, 1.0]    # [low, base, high]

    [limits]                              # per API key
    rpm = 3000
    tpm = 250000
    keys = 1

    [student]
    method = "gpu"                        # none | fine-tune | gpu | gpu-hours
    parameters = 7e9
    gpu = "a100-80gb"
    usd_per_gpu_hour = 1.5

Keys in ``[limits]`` are the flat field names; keys in ``[student]`` map to
``student_method``, ``student_parameters``, ``student_model`` (``method``,
``parameters``, ``model``) and otherwise keep their names. Every field can also
be written flat at the top level. Unknown keys are an error with a suggestion.

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
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from distillcost.errors import ScenarioError, did_you_mean
from distillcost.ranges import Range, RangeError, parse_number

ZERO = Decimal(0)
ONE = Decimal(1)

VOLUME_FIELDS: tuple[str, ...] = ("examples", "output_tokens", "dataset_tokens", "requests")
STUDENT_METHODS: tuple[str, ...] = ("none", "fine-tune", "gpu", "gpu-hours")


@dataclass(frozen=True)
class FieldSpec:
    """How one scenario field is read, checked and explained."""

    name: str
    kind: str  # "range" | "number" | "bool" | "str" | "date" | "paths"
    description: str
    section: str = ""  # "", "limits", "student"
    key: str = ""  # key inside the section, when different from name
    minimum: Decimal | None = ZERO  # inclusive lower bound for ranges
    maximum: Decimal | None = None  # inclusive upper bound for ranges
    above_zero: bool = False  # the value must be > minimum (exclusive)
    integer: bool = False
    unit: str = ""


def _r(name: str, description: str, **kw: Any) -> FieldSpec:
    return FieldSpec(name, "range", description, **kw)


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "str", "a title for reports"),
    FieldSpec("description", "str", "what the campaign is, for reports"),
    FieldSpec("teacher", "str", "the model queried (id or alias in the price table)"),
    FieldSpec("as_of", "date", "the date prices are taken on (default: today)"),
    FieldSpec("prices", "paths", "extra price table files (relative to the scenario file)"),
    # volume
    _r("examples", "accepted examples wanted in the dataset", unit="examples"),
    _r("output_tokens", "teacher completion tokens kept in the dataset", unit="tokens"),
    _r("dataset_tokens", "prompt + completion tokens kept in the dataset", unit="tokens"),
    _r("requests", "successful API requests (before retries)", unit="requests"),
    # token profile
    _r("prompt_tokens", "unique prompt tokens per request (per turn)", unit="tokens"),
    _r("completion_tokens", "completion tokens per generated example", unit="tokens"),
    _r("shared_prefix_tokens", "shared prefix per request (system prompt, demos); cacheable"),
    _r("examples_per_request", "examples generated in one completion", above_zero=True),
    _r("reasoning_tokens", "hidden reasoning tokens per completion (billed as output)"),
    _r("samples_per_prompt", "completions (n) asked per prompt", minimum=ONE, integer=True),
    FieldSpec(
        "input_billed_per_sample",
        "bool",
        "each sample is its own request, billing the prompt n times (APIs without n)",
    ),
    _r(
        "turns",
        "turns per conversation (each resends the history)",
        minimum=ONE,
        maximum=Decimal(10_000),
        integer=True,
    ),
    FieldSpec("prompt_in_dataset", "bool", "the prompt is part of each kept example"),
    # losses
    _r("acceptance_rate", "share of generated examples kept", above_zero=True, maximum=ONE),
    _r("retry_rate", "extra requests re-sent after failures, as a share", maximum=ONE),
    # discounts and price forms
    FieldSpec("batch", "bool", "use the batch API prices"),
    _r("cache_hit_rate", "share of shared-prefix tokens read from the cache", maximum=ONE),
    _r(
        "per_request_usd",
        "USD per request, added to token costs (replaces the table's per-request price)",
    ),
    FieldSpec("token_billing", "bool", "bill tokens (false: only the per-request price)"),
    # time
    _r("rpm", "requests per minute per key", section="limits", above_zero=True),
    _r("rpd", "requests per day per key", section="limits", above_zero=True),
    _r("tpm", "tokens (input + output) per minute per key", section="limits", above_zero=True),
    _r("tpd", "tokens (input + output) per day per key", section="limits", above_zero=True),
    _r("keys", "API keys (or organisations) used in parallel", section="limits", minimum=ONE),
    _r("concurrency", "requests in flight per key", section="limits", above_zero=True),
    _r("latency_seconds", "seconds per request", section="limits", above_zero=True),
    _r(
        "batch_queue_tokens",
        "batch queue limit: input tokens enqueued at once per key",
        section="limits",
        above_zero=True,
    ),
    _r("batch_hours", "hours for one batch round to complete", section="limits", above_zero=True),
    # student
    FieldSpec(
        "student_method",
        "str",
        "none | fine-tune | gpu | gpu-hours (default: inferred)",
        section="student",
        key="method",
    ),
    _r("epochs", "passes over the training tokens", section="student", above_zero=True),
    _r(
        "training_tokens",
        "training tokens per epoch (default: the dataset tokens)",
        section="student",
    ),
    _r(
        "student_parameters",
        "student parameters N for 6·N·D FLOPs",
        section="student",
        key="parameters",
        above_zero=True,
    ),
    FieldSpec(
        "gpu",
        "str",
        "GPU preset for the FLOPs method: a100-80gb, a100-40gb, h100-sxm, h100-pcie, h200, "
        "b200, l40s, l4, a10, v100, t4, mi300x",
        section="student",
    ),
    _r(
        "gpu_tflops",
        "peak TFLOP/s per GPU (overrides the preset)",
        section="student",
        above_zero=True,
    ),
    _r("utilisation", "model FLOPs utilisation", section="student", above_zero=True, maximum=ONE),
    _r("usd_per_gpu_hour", "rental price per GPU-hour", section="student"),
    _r("gpu_hours", "GPU-hours, given directly", section="student"),
    FieldSpec(
        "student_model",
        "str",
        "fine-tuning model in the price table (its `training` price)",
        section="student",
        key="model",
    ),
    # measured profiles
    FieldSpec("prompt_file", "paths", "files whose records are the prompts (measured)"),
    FieldSpec("completion_file", "paths", "files whose records are teacher answers (measured)"),
    FieldSpec("chat_file", "paths", "chat/instruction files holding prompt and completion"),
    FieldSpec(
        "field", "str", "the JSONL/CSV field to count in prompt files (and completion files)"
    ),
    FieldSpec("completion_field", "str", "the field to count in completion files (default: field)"),
    FieldSpec(
        "sample",
        "number",
        "measure a sample: a fraction (0-1) or a number of documents per file",
    ),
    FieldSpec("encoding", "str", "encoding to count files with (default: the teacher's)"),
)

SPECS: dict[str, FieldSpec] = {f.name: f for f in FIELDS}

NUMERIC_PARAMETERS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.kind == "range")
"""Names that ``sweep --vary`` and the sensitivity analysis can vary."""

# TOML sections: section -> {key in section: field name}
SECTIONS: dict[str, dict[str, str]] = {}
for _spec in FIELDS:
    if _spec.section:
        SECTIONS.setdefault(_spec.section, {})[_spec.key or _spec.name] = _spec.name

DEFAULTS: dict[str, Any] = {
    "name": "",
    "description": "",
    "teacher": None,
    "as_of": None,
    "prices": (),
    "examples": None,
    "output_tokens": None,
    "dataset_tokens": None,
    "requests": None,
    "prompt_tokens": None,
    "completion_tokens": None,
    "shared_prefix_tokens": Range.of(0),
    "examples_per_request": Range.of(1),
    "reasoning_tokens": Range.of(0),
    "samples_per_prompt": Range.of(1),
    "input_billed_per_sample": False,
    "turns": Range.of(1),
    "prompt_in_dataset": True,
    "acceptance_rate": Range.of(1),
    "retry_rate": Range.of(0),
    "batch": False,
    "cache_hit_rate": Range.of(0),
    "per_request_usd": None,
    "token_billing": True,
    "rpm": None,
    "rpd": None,
    "tpm": None,
    "tpd": None,
    "keys": Range.of(1),
    "concurrency": None,
    "latency_seconds": None,
    "batch_queue_tokens": None,
    "batch_hours": Range.of(24),
    "student_method": None,
    "epochs": Range.of(1),
    "training_tokens": None,
    "student_parameters": None,
    "gpu": None,
    "gpu_tflops": None,
    "utilisation": Range(Decimal("0.4"), Decimal("0.4"), Decimal("0.4")),
    "usd_per_gpu_hour": None,
    "gpu_hours": None,
    "student_model": None,
    "prompt_file": (),
    "completion_file": (),
    "chat_file": (),
    "field": None,
    "completion_field": None,
    "sample": None,
    "encoding": None,
}


@dataclass(frozen=True)
class Scenario:
    """A distillation campaign. Build with :func:`load_scenario` or :meth:`from_values`.

    Numeric fields hold a :class:`Range` (or ``None`` when not given and not
    defaulted). ``prompt_lengths`` holds the sampled per-request prompt lengths
    when prompts were measured from files (long-context tiers are decided per
    request from it); ``measured_encoding`` the encoding they were counted with.
    """

    name: str = ""
    description: str = ""
    teacher: str | None = None
    as_of: date | None = None
    prices: tuple[str, ...] = ()
    examples: Range | None = None
    output_tokens: Range | None = None
    dataset_tokens: Range | None = None
    requests: Range | None = None
    prompt_tokens: Range | None = None
    completion_tokens: Range | None = None
    shared_prefix_tokens: Range = DEFAULTS["shared_prefix_tokens"]
    examples_per_request: Range = DEFAULTS["examples_per_request"]
    reasoning_tokens: Range = DEFAULTS["reasoning_tokens"]
    samples_per_prompt: Range = DEFAULTS["samples_per_prompt"]
    input_billed_per_sample: bool = False
    turns: Range = DEFAULTS["turns"]
    prompt_in_dataset: bool = True
    acceptance_rate: Range = DEFAULTS["acceptance_rate"]
    retry_rate: Range = DEFAULTS["retry_rate"]
    batch: bool = False
    cache_hit_rate: Range = DEFAULTS["cache_hit_rate"]
    per_request_usd: Range | None = None
    token_billing: bool = True
    rpm: Range | None = None
    rpd: Range | None = None
    tpm: Range | None = None
    tpd: Range | None = None
    keys: Range = DEFAULTS["keys"]
    concurrency: Range | None = None
    latency_seconds: Range | None = None
    batch_queue_tokens: Range | None = None
    batch_hours: Range = DEFAULTS["batch_hours"]
    student_method: str | None = None
    epochs: Range = DEFAULTS["epochs"]
    training_tokens: Range | None = None
    student_parameters: Range | None = None
    gpu: str | None = None
    gpu_tflops: Range | None = None
    utilisation: Range = DEFAULTS["utilisation"]
    usd_per_gpu_hour: Range | None = None
    gpu_hours: Range | None = None
    student_model: str | None = None
    prompt_file: tuple[str, ...] = ()
    completion_file: tuple[str, ...] = ()
    chat_file: tuple[str, ...] = ()
    field: str | None = None
    completion_field: str | None = None
    sample: Decimal | None = None
    encoding: str | None = None
    # measured (not user fields)
    prompt_lengths: tuple[int, ...] = dataclasses.field(default=(), repr=False, compare=False)
    measured_encoding: str | None = None
    measured_fields: tuple[str, ...] = ()
    source_path: str | None = dataclasses.field(default=None, compare=False)
    provenance: Mapping[str, str] = dataclasses.field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
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
        converted: dict[str, Any] = {}
        provenance = dict(self.provenance)
        for name, value in changes.items():
            if name not in SPECS:
                raise _unknown_field(name, where="")
            converted[name] = coerce(name, value)
            provenance[name] = "override"
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
        return out


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
            return value
        if spec.kind == "date":
            if isinstance(value, datetime):
                return value.date()
            if isinstance(value, date):
                return value
            if isinstance(value, str):
                try:
                    return date.fromisoformat(value)
                except ValueError:
                    raise ScenarioError(
                        f"{name}: {value!r} is not a date (use YYYY-MM-DD)"
                    ) from None
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
    if sc.gpu is not None:
        from distillcost.errors import UnknownNameError
        from distillcost.gpus import get_gpu

        try:
            get_gpu(sc.gpu)
        except UnknownNameError as exc:
            raise ScenarioError(f"gpu: {exc}") from None


def check_complete(sc: Scenario) -> None:
    """The fields an estimate needs (a scenario may be built up before it is complete)."""
    if sc.teacher is None:
        raise ScenarioError(
            'teacher: not given (teacher = "..." in the scenario, or -m/--teacher; '
            "`distillcost prices list` shows the models)"
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


# -- loading ------------------------------------------------------------------


def read_toml(path: str | Path) -> dict[str, Any]:
    """A scenario file's table; malformed TOML names the file and line.

    A UTF-8 byte-order mark (Windows editors write one) is skipped: tomllib read it
    as "Invalid statement (at line 1, column 1)".
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ScenarioError(f"{p}: not a UTF-8 text file") from None
    except IsADirectoryError:
        raise ScenarioError(f"{p}: is a directory, not a scenario file") from None
    try:
        return tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{p}: invalid TOML: {exc}") from None
    except ValueError as exc:  # an integer of 5000 digits (Python's int-from-text limit)
        reason = str(exc).split(";")[0]  # not the sys.set_int_max_str_digits() advice
        raise ScenarioError(f"{p}: invalid TOML: {reason}") from None
    except RecursionError:  # x = [[[[… a hundred thousand deep
        raise ScenarioError(f"{p}: invalid TOML: nested too deeply") from None


def flatten(table: Mapping[str, Any], where: str = "") -> dict[str, Any]:
    """TOML sections ([limits], [student]) folded into flat field names."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if key in SECTIONS and isinstance(value, Mapping):
            for sub_key, sub_value in value.items():
                name = SECTIONS[key].get(sub_key)
                if name is None:
                    close = did_you_mean(sub_key, SECTIONS[key])
                    hint = f" Did you mean: {', '.join(close)}?" if close else ""
                    raise ScenarioError(f"{where}unknown field '{key}.{sub_key}'.{hint}")
                flat[name] = sub_value
        elif key in SECTIONS:
            raise ScenarioError(f"{where}{key}: must be a table ([{key}] with its own keys)")
        elif key in SPECS:
            flat[key] = value
        else:
            raise _unknown_field(key, where)
    return flat


def load_scenario(
    path: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    *,
    encoding: str | None = None,
    measure: bool = True,
) -> Scenario:
    """A Scenario from a TOML file and/or overrides (flags win over the file).

    ``overrides`` maps field names to values (``None`` values are ignored, so a
    CLI can pass every option). ``encoding`` is the encoding to count measured
    files with when the scenario does not name one (the CLI passes the
    teacher's). Relative file names in the TOML resolve against its directory.
    """
    values: dict[str, Any] = {}
    provenance: dict[str, str] = {name: "default" for name in SPECS}
    where = ""
    base_dir = Path(".")
    if path is not None:
        where = f"{path}: "
        base_dir = Path(path).parent
        table = flatten(read_toml(path), where)
        for name, value in table.items():
            try:
                values[name] = coerce(name, value)
            except ScenarioError as exc:
                raise ScenarioError(f"{where}{exc}") from None
            if SPECS[name].kind == "paths":
                values[name] = tuple(str(base_dir / v) for v in values[name])
            provenance[name] = "file"
    for name, value in (overrides or {}).items():
        if value is None or (isinstance(value, tuple) and not value and SPECS.get(name)):
            continue
        if name not in SPECS:
            raise _unknown_field(name, "")
        converted = coerce(name, value)
        if name in VOLUME_FIELDS:
            # a volume flag replaces the file's volume; two volume flags still clash
            for other in VOLUME_FIELDS:
                if other != name and provenance.get(other) == "file":
                    values.pop(other, None)
                    provenance[other] = "default"
        values[name] = converted
        provenance[name] = "flag"
    try:
        scenario = Scenario(
            **values, source_path=str(path) if path else None, provenance=provenance
        )
    except ScenarioError as exc:
        raise ScenarioError(_blame(str(exc), provenance, where)) from None
    if measure and (scenario.prompt_file or scenario.completion_file or scenario.chat_file):
        scenario = measure_profile(scenario, encoding=encoding)
    return scenario


def measure_profile(sc: Scenario, encoding: str | None = None) -> Scenario:
    """Fill prompt/completion tokens (means) and prompt lengths from files.

    Values given explicitly (flag or file) are kept; measured ones are marked
    ``"measured"``. Counting is imported lazily: numeric scenarios never load a
    tokenizer.
    """
    from distillcost.counting import count_files

    enc = sc.encoding or encoding or "o200k_base"
    provenance = dict(sc.provenance)
    changes: dict[str, Any] = {}
    lengths: tuple[int, ...] = ()
    measured: list[str] = []

    def _mean(dist: Any, source: str, files: tuple[str, ...]) -> Decimal:
        if not dist.count:
            raise ScenarioError(f"{source}: no records to measure in {', '.join(files)}")
        return Decimal(dist.total) / Decimal(dist.count)

    sample: float | int | None = None
    if sc.sample is not None:
        sample = float(sc.sample) if sc.sample <= 1 else int(sc.sample)

    def _explicit(name: str, source: str) -> bool:
        """A number given for ``name`` is kept unless a flag asked to measure it
        and the number only came from the file: flags win over the file, so
        ``--chat-file`` on a scenario file with prompt_tokens = 300 measures (the
        file's 300 silently won before and the chat file was ignored)."""
        given = provenance.get(name)
        if given == "file":
            return provenance.get(source) != "flag"
        return given in ("flag", "given", "override")

    if sc.chat_file:
        result = count_files(list(sc.chat_file), encoding=enc, sample=sample)
        profile = result.total
        if profile.prompt is None or profile.completion is None:
            raise ScenarioError(
                "chat_file: the files have no prompt/completion sides (use chat or "
                "instruction JSONL, or prompt_file and completion_file)"
            )
        if not _explicit("prompt_tokens", "chat_file"):
            changes["prompt_tokens"] = Range.of(_mean(profile.prompt, "chat_file", sc.chat_file))
            lengths = tuple(profile.prompt.values_sample)
            measured.append("prompt_tokens")
        if not _explicit("completion_tokens", "chat_file"):
            changes["completion_tokens"] = Range.of(
                _mean(profile.completion, "chat_file", sc.chat_file)
            )
            measured.append("completion_tokens")
    if sc.prompt_file and not _explicit("prompt_tokens", "prompt_file"):
        result = count_files(list(sc.prompt_file), encoding=enc, field=sc.field, sample=sample)
        profile = result.total
        dist = profile.total
        changes["prompt_tokens"] = Range.of(_mean(dist, "prompt_file", sc.prompt_file))
        lengths = tuple(dist.values_sample)
        measured.append("prompt_tokens")
    if sc.completion_file and not _explicit("completion_tokens", "completion_file"):
        result = count_files(
            list(sc.completion_file),
            encoding=enc,
            field=sc.completion_field or sc.field,
            sample=sample,
        )
        profile = result.total
        changes["completion_tokens"] = Range.of(
            _mean(profile.total, "completion_file", sc.completion_file)
        )
        measured.append("completion_tokens")
    for name in measured:
        provenance[name] = "measured"
    return dataclasses.replace(
        sc,
        **changes,
        prompt_lengths=tuple(sorted(lengths)) if "prompt_tokens" in measured else sc.prompt_lengths,
        measured_encoding=enc if measured else sc.measured_encoding,
        measured_fields=tuple(measured),
        provenance=provenance,
    )


def describe(name: str) -> str:
    """The one-line description of a field (for help texts and reports)."""
    return SPECS[name].description
