"""Names that served different models over time: ``gpt-4o``, ``*-latest``, ``deepseek-chat``.

A moving name is written once, with the dated models it pointed at; it becomes an
ordinary :class:`~distillcost.prices.model.ModelRecord` whose history is, for each
period, the history of the model it served then (re-dated to the switch). Everything
that reads models — estimates, history, comparisons, the CSV sheet — then handles it
with no special case. Targets live in the same file as the name.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from distillcost.prices import declarations as k
from distillcost.prices.model import ModelLimits, ModelRecord, PriceEntry, Served, declared

TARGETS = k.Key("targets", "the dated models the name served, oldest first", lambda v: v)


@dataclass(frozen=True)
class AliasTarget:
    """From ``from_``, the name served ``model``."""

    from_: date = declared(k.TARGET_FROM)
    model: str = declared(k.TARGET_MODEL)
    source: str = declared(k.TARGET_SOURCE, default="")
    notes: str = declared(k.TARGET_NOTES, default="")


@dataclass(frozen=True)
class AliasRecord:
    """A moving name and the models it served."""

    name: str = declared(k.ALIAS_NAME)
    targets: tuple[AliasTarget, ...] = declared(TARGETS, default=(), nested=AliasTarget)
    retired: date | None = declared(k.ALIAS_RETIRED, default=None)
    reasoning: str | None = declared(k.ALIAS_REASONING, default=None)
    notes: str = declared(k.ALIAS_NOTES, default="")


def _periods(alias: AliasRecord) -> list[tuple[AliasTarget, date | None]]:
    """Each target with the day the next one took over (None: still serving)."""
    ordered = sorted(alias.targets, key=lambda t: t.from_)
    ends: list[date | None] = [t.from_ for t in ordered[1:]]
    return list(zip(ordered, [*ends, None], strict=True))


def materialize(
    alias: AliasRecord, models: Mapping[str, ModelRecord], provider: str, origin: str
) -> ModelRecord:
    """The moving name as a model: its targets' prices and limits, period by period.

    The entry in force at a switch is re-dated to the switch (its source says which
    model it is); a target retired before the next switch leaves the name unpriced
    until then (its ``price_on`` says why).
    """
    history: list[PriceEntry] = []
    limits: list[ModelLimits] = []
    served: list[str] = []
    last: ModelRecord | None = None
    for target, end in _periods(alias):
        if alias.retired is not None and (end is None or end > alias.retired):
            end = alias.retired  # nothing is priced under the name once it stopped working
        model = models[target.model]
        last = model
        served.append(f"{model.id} from {target.from_.isoformat()}")
        prefix = f"{alias.name} served {model.id} from {target.from_.isoformat()}: "
        start = model.entry_on(target.from_) or model.history[0]
        for entry in model.history:
            if entry is not start and not (target.from_ < entry.effective_from):
                continue
            if end is not None and entry.effective_from >= end:
                continue
            when = max(entry.effective_from, target.from_)
            history.append(
                dataclasses.replace(entry, effective_from=when, source=prefix + entry.source)
            )
        in_force = model.limits_on(target.from_)
        limits.append(
            dataclasses.replace(
                in_force,
                effective_from=target.from_,
                source=target.source or in_force.source or prefix.rstrip(": "),
            )
        )
        limits += [
            x
            for x in model.limits
            if target.from_ < x.effective_from and (end is None or x.effective_from < end)
        ]
    assert last is not None
    retired = alias.retired or last.retired
    note = f"A moving name: {'; '.join(served)}."
    return ModelRecord(
        id=alias.name,
        provider=provider,
        history=tuple(history),
        encoding=last.encoding,
        token_ratio=last.token_ratio,
        tokenizer_approximate=last.tokenizer_approximate,
        tokenizer_source=last.tokenizer_source,
        context_window=last.context_window,
        max_output_tokens=last.max_output_tokens,
        limits=tuple(limits),
        status=last.status,
        reasoning=alias.reasoning or last.reasoning,
        reasoning_efforts=() if alias.reasoning == "none" else last.reasoning_efforts,
        released=min(t.from_ for t in alias.targets),
        retired=retired,
        origin=origin,
        notes=f"{note} {alias.notes}".strip(),
        served=tuple(Served(t.from_, models[t.model].id) for t, _ in _periods(alias)),
    )
