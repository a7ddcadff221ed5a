"""Teachers as they behave: reasoning profiles and usage-tier rate limits, dated and sourced.

Two kinds of fact sit beside the price tables, in files of their own:

* a **reasoning profile** (``pricing/reasoning.toml``) says how many hidden reasoning
  tokens a model emits per completion — low, base and high — at the effort the figures
  were measured at, which effort the API applies by default, and where each figure
  comes from (or that it is an assumption, and why); **effort scales** say how the
  count moves between effort levels;
* a **usage tier** (``pricing/limits/<provider>.toml``) is one dated snapshot of a
  provider's published rate limits for one tier (``openai:3``), a row per model group.

Each field is declared once, by its :class:`~distillcost.prices.declarations.Key`;
the file readers, validation and ``pricing/README.md``'s key list derive from them.
:class:`TeacherBook` stacks the files in the price table's order (built-in < plugins <
config dir < ``--prices``; later wins) and answers "which profile describes this
model" and "which limits did this tier publish for this model on this date". Pure:
no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from distillcost.prices import declarations as k
from distillcost.prices.model import ModelRecord, declared

EFFORT_ORDER: dict[str, int] = {name: i for i, name in enumerate(k.EFFORTS)}

SCALES = k.Key("scales", "how hidden reasoning tokens move between effort levels", lambda v: v)
PROFILES = k.Key("profiles", "reasoning profiles, most specific first", lambda v: v)
TIERS = k.Key("tiers", "dated snapshots of one tier's published limits", lambda v: v)
ROWS = k.Key("limits", "the rows of the tier's table, one per model group", lambda v: v)


@dataclass(frozen=True)
class EffortScale:
    """Hidden reasoning tokens at ``effort``, relative to ``high`` (= 1)."""

    effort: str = declared(k.EFFORT)
    factor: Decimal = declared(k.SCALE_FACTOR)
    basis: str = declared(k.BASIS)
    why: str = declared(k.WHY, default="")
    source: str = declared(k.FIGURE_SOURCE, default="")

    @staticmethod
    def row_label(data: Mapping[str, Any], index: int, parent: str) -> str:
        effort = data.get("effort")
        return f"scale {effort!r}" if isinstance(effort, str) else f"scales[{index}]"


@dataclass(frozen=True)
class ReasoningProfile:
    """Hidden reasoning tokens per completion for the models it names.

    ``low``/``base``/``high`` describe ``measured_effort``; other efforts are scaled by
    the :class:`EffortScale` factors. ``measured_model`` is the model the figures were
    measured on, which may stand in for the profile's models (said in every note).
    """

    name: str = declared(k.PROFILE_NAME)
    models: tuple[str, ...] = declared(k.PROFILE_MODELS)
    default_effort: str = declared(k.DEFAULT_EFFORT)
    default_source: str = declared(k.DEFAULT_SOURCE)
    measured_effort: str = declared(k.MEASURED_EFFORT)
    low: int = declared(k.LOW_TOKENS)
    base: int = declared(k.BASE_TOKENS)
    high: int = declared(k.HIGH_TOKENS)
    basis: str = declared(k.BASIS)
    source: str = declared(k.FIGURE_SOURCE, default="")
    measured_model: str = declared(k.MEASURED_MODEL, default="")
    adjustable: bool = declared(k.ADJUSTABLE, default=True)
    why: str = declared(k.WHY, default="")
    verified: bool = declared(k.VERIFIED, default=False)
    notes: str = declared(k.NOTES, default="")

    @staticmethod
    def row_label(data: Mapping[str, Any], index: int, parent: str) -> str:
        name = data.get("name")
        return f"profile {name!r}" if isinstance(name, str) else f"profiles[{index}]"

    def matches(self, names: Iterable[str]) -> bool:
        """Whether any of a model's names (id, aliases) is one of ``models`` or fits a pattern."""
        for pattern in self.models:
            for name in names:
                if name == pattern or ("*" in pattern and star_match(name, pattern)):
                    return True
        return False


def star_match(name: str, pattern: str) -> bool:
    """``*`` matches any run of characters, case ignored; nothing else is special (model ids
    may hold ``[``, ``?`` or ``.``, which a shell glob or a regex would read as syntax)."""
    parts = pattern.lower().split("*")
    text = name.lower()
    if len(parts) == 1:
        return text == parts[0]
    if not text.startswith(parts[0]) or len(text) < len(parts[0]) + len(parts[-1]):
        return False
    if not text.endswith(parts[-1]):
        return False
    position = len(parts[0])
    for part in parts[1:-1]:
        found = text.find(part, position, len(text) - len(parts[-1]))
        if found < 0:
            return False
        position = found + len(part)
    return True


@dataclass(frozen=True)
class TierLimit:
    """One row of a tier's table: the limits of the models it names."""

    models: tuple[str, ...] = declared(k.ROW_MODELS)
    rpm: int | None = declared(k.RPM, default=None)
    rpd: int | None = declared(k.RPD, default=None)
    tpm: int | None = declared(k.TPM, default=None)
    tpd: int | None = declared(k.TPD, default=None)
    itpm: int | None = declared(k.ITPM, default=None)
    otpm: int | None = declared(k.OTPM, default=None)
    batch_queue_tokens: int | None = declared(k.BATCH_QUEUE_TOKENS, default=None)
    itpm_counts_cache_reads: bool = declared(k.ITPM_CACHE_READS, default=False)
    scope: str = declared(k.SCOPE, default="")

    @staticmethod
    def row_label(data: Mapping[str, Any], index: int, parent: str) -> str:
        return f"{parent} limits[{index}]"

    def values(self) -> dict[str, int]:
        """The limits this row gives, by scenario field name (only those given)."""
        out: dict[str, int] = {}
        for name in LIMIT_FIELDS:
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


LIMIT_FIELDS: tuple[str, ...] = ("rpm", "rpd", "tpm", "tpd", "itpm", "otpm", "batch_queue_tokens")
"""The row fields that are scenario limits of the same name."""


@dataclass(frozen=True)
class UsageTier:
    """One tier's published limits, as in force from ``effective_from``."""

    name: str = declared(k.TIER_NAME)
    effective_from: date = declared(k.TIER_FROM)
    source: str = declared(k.SOURCE)
    until: date | None = declared(k.TIER_UNTIL, default=None)
    limits: tuple[TierLimit, ...] = declared(ROWS, default=(), nested=TierLimit)
    qualification: str = declared(k.QUALIFICATION, default="")
    batch_queue_requests: int | None = declared(k.BATCH_QUEUE_REQUESTS, default=None)
    batch_max_requests_per_batch: int | None = declared(k.BATCH_MAX_REQUESTS, default=None)
    batch_rpm: int | None = declared(k.BATCH_RPM, default=None)
    batch_concurrent_requests: int | None = declared(k.BATCH_CONCURRENT, default=None)
    monthly_spend_limit_usd: int | None = declared(k.MONTHLY_SPEND, default=None)
    verified: bool = declared(k.VERIFIED, default=False)
    notes: str = declared(k.NOTES, default="")
    provider: str = ""  # from the file's [meta]
    origin: str = field(default="built-in", compare=False)

    @staticmethod
    def row_label(data: Mapping[str, Any], index: int, parent: str) -> str:
        name, when = data.get("name"), data.get("effective_from")
        if not isinstance(name, str):
            return f"tiers[{index}]"
        return f"tier {name!r}" + (f" from {when.isoformat()}" if isinstance(when, date) else "")

    @property
    def label(self) -> str:
        return f"{self.provider}:{self.name}"


@dataclass(frozen=True)
class TeacherData:
    """What one file holds: effort scales and profiles, or one provider's tiers."""

    scales: tuple[EffortScale, ...] = ()
    profiles: tuple[ReasoningProfile, ...] = ()
    tiers: tuple[UsageTier, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.scales or self.profiles or self.tiers)


@dataclass(frozen=True)
class TierMatch:
    """The limits a tier published for a model on a date: the snapshot and its row."""

    tier: UsageTier
    row: TierLimit
    model_name: str  # the name the row lists the model under

    def values(self) -> dict[str, int]:
        """Scenario limit fields given by the row, and the tier-wide batch queue."""
        out = self.row.values()
        if self.tier.batch_queue_requests is not None:
            out["batch_queue_requests"] = self.tier.batch_queue_requests
        return out


def model_names(model: ModelRecord, as_of: date | None = None) -> tuple[str, ...]:
    """The names a table row may list a model under: its id, aliases and, for a moving
    name (``gpt-4o``), the model it served on ``as_of``."""
    names = [model.id, *model.aliases]
    if as_of is not None:
        served = model.served_on(as_of)
        if served is not None and served not in names:
            names.append(served)
    return tuple(names)


class TeacherBook:
    """Reasoning profiles, effort scales and usage tiers, stacked from layers (later wins)."""

    def __init__(self, layers: Sequence[tuple[str, TeacherData]] = ()) -> None:
        self.layers = list(layers)
        self._scales: dict[str, EffortScale] = {}
        self._profiles: list[ReasoningProfile] = []  # later layers first, file order within
        self._tiers: dict[tuple[str, str], list[UsageTier]] = {}
        for _, data in self.layers:
            for scale in data.scales:
                self._scales[scale.effort] = scale
        for _, data in reversed(self.layers):
            self._profiles.extend(data.profiles)
        for _, data in self.layers:
            for tier in data.tiers:
                self._tiers.setdefault((tier.provider.lower(), tier.name.lower()), []).append(tier)
        # newest first; at one date, the later layer first (a user's file beats the built-in)
        for key, tiers in self._tiers.items():
            order = {id(t): i for i, t in enumerate(tiers)}
            self._tiers[key] = sorted(tiers, key=lambda t: (t.effective_from, order[id(t)]))[::-1]
        self._profile_cache: dict[tuple[str, ...], ReasoningProfile | None] = {}

    # -- reasoning ------------------------------------------------------------------------

    def profile_for(self, model: ModelRecord) -> ReasoningProfile | None:
        """The first profile naming the model (the latest layer's first), or None."""
        names = (model.id, *model.aliases)
        if names not in self._profile_cache:
            self._profile_cache[names] = next((p for p in self._profiles if p.matches(names)), None)
        return self._profile_cache[names]

    def scale(self, effort: str) -> EffortScale | None:
        return self._scales.get(effort)

    @property
    def profiles(self) -> list[ReasoningProfile]:
        return list(self._profiles)

    @property
    def scales(self) -> list[EffortScale]:
        return sorted(self._scales.values(), key=lambda s: EFFORT_ORDER[s.effort])

    # -- usage tiers ------------------------------------------------------------------------

    def providers(self) -> list[str]:
        return sorted({provider for provider, _ in self._tiers})

    def tier_names(self, provider: str) -> list[str]:
        names = {name for p, name in self._tiers if p == provider.lower()}
        return sorted(names, key=lambda n: (not n.isdigit(), int(n) if n.isdigit() else 0, n))

    def snapshots(self, provider: str, tier: str) -> list[UsageTier]:
        """Every dated snapshot of one tier, newest first."""
        return list(self._tiers.get((provider.lower(), tier.lower()), ()))

    def withdrawn(self, provider: str, tier: str, as_of: date) -> date | None:
        """The day the tier ended, when that is on or before ``as_of`` (else None)."""
        ends = [t.until for t in self.snapshots(provider, tier) if t.until is not None]
        return min(ends) if ends and min(ends) <= as_of else None

    def limits_for(
        self, provider: str, tier: str, model: ModelRecord, as_of: date
    ) -> TierMatch | None:
        """The newest snapshot in force on ``as_of`` whose table lists the model.

        Snapshots are partial copies of the provider's pages: a later one that does not
        list the model leaves the earlier figures for it standing. Rows with a ``scope``
        (requests over 200K tokens …) are never applied.
        """
        if self.withdrawn(provider, tier, as_of) is not None:
            return None
        names = model_names(model, as_of)
        for snapshot in self.snapshots(provider, tier):
            if snapshot.effective_from > as_of:
                continue
            for row in snapshot.limits:
                if row.scope:
                    continue
                found = next((n for n in names if n in row.models), None)
                if found is not None:
                    return TierMatch(snapshot, row, found)
        return None

    def caps_for(self, model: ModelRecord, as_of: date) -> list[TierMatch]:
        """Every tier's limits for the model on ``as_of`` (for noting a free model's caps)."""
        found = []
        for provider, tier in sorted(self._tiers):
            match = self.limits_for(provider, tier, model, as_of)
            if match is not None:
                found.append(match)
        return found
