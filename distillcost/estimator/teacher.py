"""Stage 0: the teacher as it behaves — its hidden reasoning and its rate limits.

Before any arithmetic, the campaign is completed for the one teacher it is priced for:

* **reasoning**: a model whose price entry says it reasons (``optional`` or ``always``)
  emits hidden reasoning tokens per completion as its reasoning profile says, at the
  effort asked (``reasoning_effort``) or its API default; ``reasoning_tokens`` given
  by the user overrides the profile, for reasoning teachers only. A model that does
  not reason is priced with none, whatever was given (and said so);
* **limits**: a usage tier (``tier = openai:3``) fills the limits the user did not
  give with the ones the provider published for this model, in force on the as-of
  date (explicit limits win).

The result is the scenario the estimator prices (its provenance says where each
filled value came from) and one line per assumption for the output. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from distillcost import present
from distillcost.errors import ScenarioError, did_you_mean
from distillcost.prices.declarations import EFFORTS
from distillcost.prices.model import ModelRecord
from distillcost.prices.teachers import EFFORT_ORDER, ReasoningProfile, TeacherBook, TierMatch
from distillcost.ranges import Range
from distillcost.scenario import Scenario

ZERO = Range.of(0)
PROFILE_ORIGIN = "reasoning profile"


@dataclass(frozen=True)
class ReasoningChoice:
    """The hidden reasoning priced for one teacher, and why.

    ``effort`` is the level priced (``none``: no reasoning; ``given``: the user's
    count; ``default``: a model with one fixed behaviour); ``basis`` says how the
    count is known: ``profile`` (an assumption from a reasoning profile), ``given``,
    or ``none`` (the teacher does not reason, or is not known to).
    """

    effort: str
    tokens: Range
    basis: str
    text: str
    profile: str = ""
    source: str = ""
    reasons: bool = False  # the price table says the model can reason

    @property
    def label(self) -> str:
        """A table cell: ``medium 326*`` (* = assumption), ``off``, ``given 800``, ``—``."""
        if not self.reasons and self.basis == "none":
            return "—"
        if self.tokens.high == 0:
            return "off"
        count = present.tokens(self.tokens.base)
        if self.basis == "given":
            return f"given {count}"
        return f"{self.effort} {count}*"

    def to_dict(self) -> dict[str, Any]:
        return {
            "effort": self.effort,
            "tokens": self.tokens.to_dict(),
            "basis": self.basis,
            "profile": self.profile or None,
            "assumption": self.text,
            "source": self.source or None,
            "reasons": self.reasons,
        }


@dataclass(frozen=True)
class LimitsChoice:
    """The usage tier applied: its snapshot, the limits it filled and those the user's won."""

    tier: str
    effective_from: date
    model_name: str
    applied: dict[str, int]
    overridden: dict[str, int]
    source: str
    verified: bool
    qualification: str = ""
    cache_reads_count: bool = False

    @property
    def origin(self) -> str:
        return f"tier {self.tier}"

    def text(self) -> str:
        shown = ", ".join(f"{name} {value:,}" for name, value in self.applied.items()) or "none"
        won = "; yours kept: " + ", ".join(self.overridden) if self.overridden else ""
        check = "" if self.verified else " (not verified in a primary source)"
        return (
            f"{self.tier} limits for {self.model_name} as published "
            f"{self.effective_from.isoformat()}: {shown}{won}{check}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "tier": self.tier,
            "effective_from": self.effective_from,
            "model": self.model_name,
            "applied": dict(self.applied),
            "overridden": dict(self.overridden),
            "itpm_counts_cache_reads": self.cache_reads_count,
            "qualification": self.qualification or None,
            "source": self.source,
            "verified": self.verified,
        }


@dataclass(frozen=True)
class Teacher:
    """The campaign completed for one teacher: what it prices, and what it assumed."""

    scenario: Scenario
    reasoning: ReasoningChoice
    limits: LimitsChoice | None = None
    notes: tuple[str, ...] = field(default=())


def behave(scenario: Scenario, book: TeacherBook, model: ModelRecord, when: date) -> Teacher:
    """The scenario for ``model`` on ``when``: its reasoning, and its tier's limits filled in."""
    notes: list[str] = []
    reasoning = reasoning_for(scenario, model, book, notes)
    sc = scenario
    if scenario.reasoning_tokens is None or reasoning.basis == "none":
        if reasoning.basis == "profile":
            origin = PROFILE_ORIGIN
        elif scenario.reasoning_tokens is None:
            origin = "default"  # a teacher that does not reason: none, as always
        else:
            origin = "not applied: does not reason"
        if reasoning.tokens != scenario.reasoning_tokens:
            sc = sc.derived({"reasoning_tokens": reasoning.tokens}, origin)
    limits = limits_for(scenario, model, book, when, notes)
    if limits is not None and limits.applied:
        sc = sc.derived(limits.applied, limits.origin)
    return Teacher(sc, reasoning, limits, tuple(notes))


# -- reasoning ----------------------------------------------------------------------------


def reasoning_for(
    sc: Scenario, model: ModelRecord, book: TeacherBook, notes: list[str]
) -> ReasoningChoice:
    """The reasoning priced for ``model`` (see :class:`ReasoningChoice`)."""
    given = sc.reasoning_tokens
    mode = model.reasoning
    if mode == "none":
        if given is not None and given.high > 0:
            notes.append(
                f"reasoning_tokens = {given} not applied: {model.id} does not reason "
                "(it applies to reasoning teachers only)"
            )
        return ReasoningChoice("none", ZERO, "none", f"{model.id} does not reason")
    if mode is None:
        if given is not None:
            text = (
                f"reasoning_tokens = {given} given; the price table does not say whether "
                f"{model.id} reasons"
            )
            notes.append(text)
            return ReasoningChoice("given", given, "given", text)
        text = (
            f"the price table does not say whether {model.id} reasons: no hidden reasoning "
            "priced (give --reasoning-tokens if it does)"
        )
        notes.append(text)
        return ReasoningChoice("none", ZERO, "none", text)
    if given is not None:
        text = (
            f"reasoning_tokens = {given} per completion, as given (applied to reasoning "
            "teachers only)"
        )
        notes.append(text)
        return ReasoningChoice(sc.reasoning_effort or "given", given, "given", text, reasons=True)
    profile = book.profile_for(model)
    if profile is None:
        text = (
            f"{model.id} reasons, but no reasoning profile describes it: no hidden reasoning "
            "priced (give --reasoning-tokens)"
        )
        notes.append(text)
        return ReasoningChoice("none", ZERO, "none", text, reasons=True)
    level = _level(sc.reasoning_effort, model, profile, notes)
    if level == "none":
        if sc.reasoning_effort == "none":
            text = "reasoning off, as asked (reasoning_effort = none)"
        else:
            how = "assumed" if profile.default_source.startswith("assumption") else "documented"
            text = (
                f"reasoning off: {model.id} reasons only when asked ({how} API default, "
                f"reasoning profile {profile.name}); --reasoning-effort LEVEL turns it on"
            )
        notes.append(text)
        return ReasoningChoice("none", ZERO, "profile", text, profile.name, reasons=True)
    factor = _factor(book, level, profile)
    tokens = Range(
        _scaled(profile.low, factor), _scaled(profile.base, factor), _scaled(profile.high, factor)
    )
    shown_level = level if profile.adjustable else "default"
    text = _reasoning_text(model, profile, shown_level, tokens, factor)
    notes.append(text)
    return ReasoningChoice(
        shown_level, tokens, "profile", text, profile.name, profile.source, reasons=True
    )


def _level(
    asked: str | None, model: ModelRecord, profile: ReasoningProfile, notes: list[str]
) -> str:
    """The effort priced: the one asked (or the default), as the model can take it."""
    level = asked or profile.default_effort
    on = profile.default_effort if profile.default_effort != "none" else profile.measured_effort
    accepted = [e for e in model.reasoning_efforts if e in EFFORT_ORDER]
    if level == "none":
        if model.reasoning == "always":
            notes.append(f"{model.id} always reasons: reasoning_effort = none cannot turn it off")
            return on
        if asked != "none" or not accepted or "none" in accepted or not profile.adjustable:
            return "none"
        # the model's effort list leaves none out: priced as any other effort it does not
        # take (the nearest it does, said below)
    if not profile.adjustable:
        if asked is not None and asked != on:
            notes.append(
                f"{model.id} takes no reasoning effort setting: its one reasoning behaviour is "
                f"priced, not {asked}"
            )
        return on
    if accepted and level not in accepted:
        nearest = min(accepted, key=lambda e: (abs(EFFORT_ORDER[e] - EFFORT_ORDER[level]), e))
        notes.append(
            f"{model.id} does not take reasoning effort {level} (it takes "
            f"{', '.join(accepted)}): {nearest} priced"
        )
        return nearest
    return level


def _factor(book: TeacherBook, level: str, profile: ReasoningProfile) -> Decimal:
    """factor(level) / factor(measured): how the profile's counts move to ``level``."""
    if level == profile.measured_effort:
        return Decimal(1)
    asked, measured = book.scale(level), book.scale(profile.measured_effort)
    if asked is None or measured is None or measured.factor == 0:
        missing = level if asked is None else profile.measured_effort
        raise ScenarioError(
            f"reasoning_effort: no effort scale for {missing!r} in the reasoning profiles "
            "(a [[scales]] entry gives one)"
        )
    return asked.factor / measured.factor


def _scaled(tokens: int, factor: Decimal) -> Decimal:
    return (Decimal(tokens) * factor).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)


def _reasoning_text(
    model: ModelRecord, profile: ReasoningProfile, level: str, tokens: Range, factor: Decimal
) -> str:
    """One line: what is priced, and that it is an assumption, with what it rests on."""
    stand_in = (
        f"{profile.measured_model}'s measured figures"
        if profile.measured_model and profile.measured_model not in (model.id, *model.aliases)
        else "measured figures"
        if profile.basis == "measured"
        else "assumed figures"
    )
    scaled = (
        f", scaled ×{factor.normalize():f} from {profile.measured_effort} (assumed effort scale)"
        if factor != 1
        else ""
    )
    return (
        f"reasoning {level}: {present.tokens(tokens.base)} hidden tokens per completion "
        f"(range {present.tokens(tokens.low)}–{present.tokens(tokens.high)}), an assumption "
        f"(reasoning profile {profile.name}: {stand_in}{scaled})"
    )


# -- usage tiers ----------------------------------------------------------------------------


def check_tiers(sc: Scenario, book: TeacherBook) -> None:
    """Every tier named exists (a typo is one error, not a silent "no limits")."""
    providers = book.providers()
    for spec in sc.tier:
        provider, _, name = spec.rpartition(":")
        if provider:
            if provider.lower() not in providers:
                close = did_you_mean(provider.lower(), providers)
                hint = f" Did you mean: {', '.join(close)}?" if close else ""
                raise ScenarioError(
                    f"tier: no usage tiers for provider {provider!r} (tiers are known for "
                    f"{', '.join(providers)}).{hint}"
                )
            names = book.tier_names(provider)
            if name.lower() not in names:
                raise ScenarioError(
                    f"tier: {provider} has no tier {name!r} ({provider}'s tiers: "
                    f"{', '.join(names)})"
                )
        elif not any(name.lower() in book.tier_names(p) for p in providers):
            raise ScenarioError(f"tier: no provider has a tier {name!r}")


def limits_for(
    sc: Scenario, model: ModelRecord, book: TeacherBook, when: date, notes: list[str]
) -> LimitsChoice | None:
    """The tier's published limits for ``model`` on ``when`` that the user did not give."""
    if not sc.tier:
        return None
    check_tiers(sc, book)
    provider = model.provider.lower()
    chosen = next(
        (t for t in sc.tier if t.rpartition(":")[0].lower() == provider),
        next((t for t in sc.tier if ":" not in t), None),
    )
    if chosen is None:
        notes.append(
            f"no usage tier chosen for {model.provider} (tier = {', '.join(sc.tier)}): "
            "no tier limits applied"
        )
        return None
    name = chosen.rpartition(":")[2]
    label = f"{provider}:{name}"
    if name.lower() not in book.tier_names(provider):
        notes.append(f"{model.provider} has no tier {name!r}: no tier limits applied")
        return None
    ended = book.withdrawn(provider, name, when)
    if ended is not None:
        current = [
            t for t in book.tier_names(provider) if book.withdrawn(provider, t, when) is None
        ]
        notes.append(
            f"{label}: {model.provider} withdrew this tier on {ended.isoformat()}, before "
            f"{when.isoformat()} (its tiers then: {', '.join(current) or 'none in the presets'}): "
            "no tier limits applied"
        )
        return None
    match = book.limits_for(provider, name, model, when)
    if match is None:
        notes.append(
            f"{label}: no limits published for {model.id} on or before {when.isoformat()} in "
            "the usage-tier presets: no tier limits applied"
        )
        return None
    return _choice(sc, match, label, notes)


def _choice(sc: Scenario, match: TierMatch, label: str, notes: list[str]) -> LimitsChoice:
    published = match.values()
    applied = {n: v for n, v in published.items() if getattr(sc, n) is None}
    overridden = {n: v for n, v in published.items() if n not in applied}
    choice = LimitsChoice(
        tier=label,
        effective_from=match.tier.effective_from,
        model_name=match.model_name,
        applied=applied,
        overridden=overridden,
        source=match.tier.source,
        verified=match.tier.verified,
        qualification=match.tier.qualification,
        cache_reads_count=match.row.itpm_counts_cache_reads,
    )
    notes.append(choice.text())
    return choice


__all__ = [
    "EFFORTS",
    "LimitsChoice",
    "ReasoningChoice",
    "Teacher",
    "behave",
    "check_tiers",
    "limits_for",
    "reasoning_for",
]
