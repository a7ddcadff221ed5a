"""The cost model's driver: evaluate the stages at a point, then ranges and sensitivity.

Pure: nothing here reads files, prints or imports click/pandas. The arithmetic is
``Decimal`` at 50 significant digits (:data:`~distillcost.estimator.numbers.PRECISION`);
results are stored rounded to 1e-10 USD (money) and 1e-6 (tokens), and rounded further
only for display.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from typing import Any

from distillcost import present
from distillcost.errors import NotAvailableError, PriceDataError, ScenarioError
from distillcost.estimator import numbers, steps
from distillcost.estimator.availability import available_until
from distillcost.estimator.billing import TOKEN_KINDS, Bill, bill, check_fits
from distillcost.estimator.context import Context, Point, point, req
from distillcost.estimator.numbers import F0, F1, MILLION, PRECISION, SECONDS_PER_DAY
from distillcost.estimator.result import COST_LABELS, Estimate, Sensitivity
from distillcost.estimator.serving import serving_of
from distillcost.estimator.student import student
from distillcost.estimator.teacher import Teacher, behave
from distillcost.estimator.volume import Volume, volume
from distillcost.estimator.wallclock import wall_clock
from distillcost.prices.model import ModelRecord, PriceEntry, window_share
from distillcost.prices.table import PriceTable
from distillcost.scenario import VOLUME_FIELDS, MeasuredTurns, Scenario, check_complete, coerce


@dataclass(frozen=True)
class Calc:
    """One evaluation of the model at a point (exact)."""

    volume: Volume
    p: Decimal  # per-turn prompt tokens used (measured counts scaled)
    c: Decimal
    bill: Bill
    costs: dict[str, Decimal]
    time: dict[str, Decimal]
    student: dict[str, Any]
    notes: tuple[str, ...]
    # what one request sends and the point it is billed at (they differ from p and the
    # scenario's point only when a chat file's turns are priced one request per turn)
    p_in: Decimal = F0
    billed_at: Point = field(default_factory=dict)
    volume_at: Point = field(default_factory=dict)
    serving: dict[str, Any] = field(default_factory=dict)

    @property
    def api(self) -> Decimal:
        return sum((self.costs[k] for k in (*TOKEN_KINDS, "per_request", "setup")), F0)

    @property
    def total(self) -> Decimal:
        return self.api + self.costs["student_training"]


def _ignore(_: str) -> None:
    """A note sink for evaluations whose notes nobody reads."""


def evaluate(ctx: Context, pt: Point, full: bool = True) -> Calc:
    """The model at one point; ``full=False`` (sensitivity runs) skips notes and time."""
    sc = ctx.scenario
    notes: list[str] = []
    note: Callable[[str], None] = notes.append if full else _ignore
    T = req(pt, "turns")
    measured = sc.measured_fields
    p = req(pt, "prompt_tokens")
    c = req(pt, "completion_tokens")
    if measured:
        p *= ctx.ratio if "prompt_tokens" in measured else F1
        c *= ctx.ratio if "completion_tokens" in measured else F1
        if sc.chat_file and T > 1:
            # a chat file measures whole conversations; the model wants per-turn tokens
            p /= T if "prompt_tokens" in measured else F1
            c /= T if "completion_tokens" in measured else F1
            note(
                "chat_file measures whole conversations: measured tokens divided by turns "
                "to get per-turn prompt and completion tokens"
            )
    volume_at, billed_at, p_in = pt, pt, p
    if ctx.turns is not None:
        # one request per assistant turn: a conversation of the file is turns.turns requests
        # (its dataset tokens are its own), each sending the history before its turn
        volume_at = {**pt, "turns": ctx.turns.turns}
        billed_at = {**pt, "turns": F1}
        p_in = p * ctx.turns.history_ratio
    counts = volume(sc, volume_at, p, c)
    check_fits(ctx, billed_at, p_in, c)
    billed = bill(ctx, billed_at, counts.requests, p_in, c, note)
    costs = {**billed.costs, "per_request": counts.requests * billed.fee, "setup": F0}
    available = window_share(ctx.price.windows) if sc.off_peak_only and ctx.price.windows else F1
    time = (
        wall_clock(sc, pt, counts.requests, billed.tokens, note, available, ctx.cache_reads_count)
        if full
        else {}
    )
    serving: dict[str, Any] = {}
    if ctx.serving is not None:  # a self-hosted teacher: its GPUs bind, and a set-up is paid
        gpu_hours, seconds, costs["setup"] = ctx.serving.run(pt, billed.tokens)
        if full:
            time["gpus"] = seconds
            serving = ctx.serving.describe(pt, gpu_hours, costs["setup"])
    trained = student(ctx, pt, counts.dataset_tokens, full, examples=counts.accepted)
    costs["student_training"] = trained.pop("_cost")
    return Calc(
        counts, p, c, billed, costs, time, trained, tuple(notes), p_in, billed_at, volume_at,
        serving,
    )  # fmt: skip


def _long_prompt_note(
    sc: Scenario,
    model: ModelRecord,
    window: int,
    lengths: tuple[int, ...],
    ratio: Decimal,
    history: Decimal = F1,
) -> list[str]:
    """Sampled prompts that would not fit the context window (the mean request fits)."""
    assert sc.prompt_tokens is not None
    assert sc.completion_tokens is not None
    assert sc.reasoning_tokens is not None
    scale = sc.prompt_tokens.base * history * ratio * len(lengths) / sc.prompt_lengths_total
    if scale <= 0:
        return []
    room = (
        window
        - sc.shared_prefix_tokens.base
        - sc.examples_per_request.base
        * sc.completion_tokens.base
        * (ratio if "completion_tokens" in sc.measured_fields else 1)
        - sc.reasoning_tokens.base
    )
    # lengths are sorted: those with v·scale > room are the tail past room/scale
    too_long = len(lengths) - bisect.bisect_right(lengths, math.floor(room / scale))
    if not too_long:
        return []
    return [
        f"{too_long:,} of {len(lengths):,} sampled prompts would not fit {model.id}'s context "
        f"window of {window:,} tokens with their completion; they are priced "
        "as if they did"
    ]


def estimate(
    scenario: Scenario,
    table: PriceTable,
    *,
    teacher: str | None = None,
    as_of: date | None = None,
) -> Estimate:
    """Price ``scenario`` against ``table`` (teacher/as_of override the scenario's).

    Pure. Raises UnknownModelError (unknown teacher), NotAvailableError (no price
    on the date, no batch price, no fine-tuning price) and ScenarioError (an
    incomplete or impossible scenario, naming the field).
    """
    check_inputs(scenario, table)
    if as_of is not None:  # "2024-06-01" and datetimes too, as a Scenario takes them
        as_of = coerce("as_of", as_of)
    if teacher is not None and not isinstance(teacher, str):
        raise ScenarioError(f"teacher: expected a model name, got {teacher!r}")
    with localcontext() as context:
        context.prec = PRECISION
        context.rounding = ROUND_HALF_EVEN
        return _estimate(scenario, table, teacher, as_of)


def check_inputs(scenario: object, table: object) -> None:
    """The arguments every public entry point takes, checked first: a wrong one is an
    error saying what to pass, not an AttributeError from deep inside."""
    if not isinstance(scenario, Scenario):
        raise ScenarioError(
            "expected a Scenario (from load_scenario() or Scenario(...)), "
            f"got {type(scenario).__name__}"
        )
    if not isinstance(table, PriceTable):
        raise PriceDataError(
            f"expected a PriceTable (from load_prices()), got {type(table).__name__}"
        )


def _check_off_peak(
    sc: Scenario, table: PriceTable, model: ModelRecord, price: PriceEntry, when: date
) -> None:
    """Off-peak sending asked of a model without off-peak prices: an error that names
    the model, the setting, and the models that have such prices on the day."""
    if price.windows or not (sc.off_peak_only or sc.off_peak_share.high > 0):
        return
    field_name = "off_peak_only" if sc.off_peak_only else "off_peak_share"
    flag = "--" + field_name.replace("_", "-")
    having = sorted(m.id for m, p in table.on(when) if p.windows)
    raise NotAvailableError(
        f"{field_name} ({flag}): {model.id} has no off-peak prices on {present.day(when)}; "
        f"models with off-peak prices that day: {', '.join(having) or 'none'}"
    )


def _context_notes(scenario: Scenario, model: ModelRecord, when: date, ratio: Decimal) -> list[str]:
    """What the estimate assumes about tokenizers, prices and dates, before any arithmetic."""
    price = model.price_on(when)
    notes: list[str] = []
    if model.origin.startswith("fallback:"):
        notes.append(model.notes)  # "price from genai-prices X: current price only, ..."
    if scenario.measured_fields:
        if model.token_ratio is not None:
            notes.append(
                f"measured token counts × {model.token_ratio} for {model.id}'s tokenizer "
                f"(provider tokens per {model.encoding} token)"
                + (f"; {model.tokenizer_source}" if model.tokenizer_source else "")
            )
        if scenario.measured_encoding != model.encoding:
            notes.append(
                f"tokens measured with {scenario.measured_encoding}; {model.id} uses "
                f"{model.encoding}: counts are approximate"
            )
    if model.tokenizer_approximate:
        notes.append(
            f"{model.id}: token counts are approximate "
            f"({model.tokenizer_source or 'provider tokenizer not public'})"
        )
    if price.effective_from == present.UNDATED:
        notes.append(
            f"{model.id}: the price's source gives no start date; the price it lists now "
            f"is assumed to hold on {when.isoformat()}"
        )
    if not price.verified:
        notes.append(
            f"price of {model.id} ({present.since(price.effective_from)}) is not verified in a "
            "primary source"
        )
    sources = {
        "prompt_tokens": scenario.chat_file or scenario.prompt_file,
        "completion_tokens": scenario.chat_file or scenario.completion_file,
    }
    for name, files in sources.items():
        if files and name not in scenario.measured_fields:
            value = getattr(scenario, name)
            notes.append(
                f"{name} = {value} was given, so it is used rather than measured from "
                f"{', '.join(files)}"
            )
    notes.extend(_measured_notes(scenario))
    if when > date.today():  # --as-of 2099-01-01 silently priced the future at today's prices
        notes.append(
            f"{when.isoformat()} is in the future: future price changes are unknown, so the "
            f"price in force today ({present.since(price.effective_from)}) is assumed"
        )
    return notes


def _measured_notes(scenario: Scenario) -> list[str]:
    """What the files decided: the volume (when none was given) and the turn structure."""
    notes: list[str] = []
    files = ", ".join(scenario.chat_file or scenario.prompt_file or scenario.completion_file)
    turns = scenario.measured_turns
    kind, value = (
        scenario.volume
        if any(getattr(scenario, name) is not None for name in VOLUME_FIELDS)
        else ("", None)
    )
    records = scenario.measured_records
    if kind and scenario.origin(kind) == "measured" and records is not None:
        what = (
            f"every assistant turn of its {records:,} conversations"
            if turns is not None
            else f"each of its {records:,} records"
        )
        notes.append(f"{kind} = {value}: no volume given, so {files} is the campaign: {what}, once")
    if turns is not None:
        sample = " (measured on a sample)" if turns.sampled else ""
        notes.append(
            f"{files} holds multi-turn conversations: priced one request per assistant turn "
            f"({present.number(turns.turns, 2)} per conversation{sample}), each resending the "
            f"history before it ({turns.input_tokens:,} input tokens for {turns.prompt_tokens:,} "
            "prompt tokens kept); --one-shot regenerates each conversation in one request"
        )
    return notes


@dataclass(frozen=True)
class Totals:
    """The figures a sweep keeps of each point: an estimate without the worked method,
    notes and breakdown it never shows (writing them out is a quarter of an estimate)."""

    total_usd: Decimal
    low_usd: Decimal
    high_usd: Decimal
    wall_clock_days: Decimal | None


def totals(scenario: Scenario, table: PriceTable) -> Totals:
    """``estimate(scenario, table)``'s total, range and wall clock, and nothing else
    (equal to the estimate's, by construction: both come from :func:`_priced`)."""
    check_inputs(scenario, table)
    with localcontext() as context:
        context.prec = PRECISION
        context.rounding = ROUND_HALF_EVEN
        run = _priced(scenario, table, None, None, explain=False)
        return Totals(
            numbers.money(run.base.total),
            numbers.money(run.low_total),
            numbers.money(run.high_total),
            _days(run.wall),
        )


def _days(wall: Decimal | None) -> Decimal | None:
    return numbers.dec(wall / SECONDS_PER_DAY, 6) if wall is not None else None


@dataclass(frozen=True)
class _Priced:
    """The model evaluated at base and at the ends of the ranges (before rounding)."""

    scenario: Scenario
    model: ModelRecord
    price: PriceEntry
    when: date
    behaviour: Teacher
    base_point: dict[str, Decimal | None]
    base: Calc
    turns: MeasuredTurns | None
    sens: list[Sensitivity]
    low_changes: dict[str, Decimal]
    high_changes: dict[str, Decimal]
    low_total: Decimal
    high_total: Decimal
    notes: list[str]

    @property
    def wall(self) -> Decimal | None:
        return max(self.base.time.values()) if self.base.time else None


def _priced(
    scenario: Scenario,
    table: PriceTable,
    teacher: str | None,
    as_of: date | None,
    *,
    explain: bool = True,
) -> _Priced:
    """Evaluate the model at base and at the range ends; ``explain=False`` skips the notes."""
    if teacher is not None:
        scenario = scenario.with_values(teacher=teacher)
    check_complete(scenario)
    assert scenario.teacher is not None
    when = as_of or scenario.as_of or date.today()
    model = table.get(scenario.teacher)
    price = model.price_on(when)
    behaviour = behave(scenario, table.teachers, model, when)
    scenario = behaviour.scenario
    hosted = serving_of(scenario, table, model, when)
    if hosted is not None:
        price = hosted[1]
    _check_off_peak(scenario, table, model, price, when)
    # token_ratio is provider tokens per token of the model's `encoding`
    ratio = Decimal(model.token_ratio) if scenario.measured_fields and model.token_ratio else F1
    notes = _context_notes(scenario, model, when, ratio) if explain else []
    notes.extend(behaviour.notes)
    if hosted is not None:
        notes.extend(hosted[0].notes(scenario))
    lengths: tuple[int, ...] = ()
    prefix: tuple[int, ...] = ()
    if "prompt_tokens" in scenario.measured_fields and scenario.prompt_lengths:
        lengths = scenario.sorted_prompt_lengths
        if lengths[-1] == 0:  # all prompts empty: nothing to split
            lengths = ()
        elif price.tiers:  # only tiers need the prefix sums
            prefix = tuple(itertools.accumulate(lengths, initial=0))
    turns = scenario.measured_turns
    limits = behaviour.limits
    ctx = Context(
        scenario,
        table,
        model,
        price,
        when,
        ratio,
        lengths,
        prefix,
        turns,
        limits.cache_reads_count if limits else False,
        serving=hosted[0] if hosted else None,
    )

    base_point = point(scenario)
    base = evaluate(ctx, base_point)
    notes.extend(base.notes)
    window = model.limits_on(when).context_window
    if explain and lengths and window is not None:
        history = turns.history_ratio if turns else F1
        notes.extend(_long_prompt_note(scenario, model, window, lengths, ratio, history))

    def total_at(changes: Mapping[str, Decimal]) -> Decimal:
        return evaluate(ctx, {**base_point, **changes}, full=False).total

    sens: list[Sensitivity] = []
    low_changes: dict[str, Decimal] = {}
    high_changes: dict[str, Decimal] = {}
    ends: list[Decimal] = []
    for name in scenario.ranged:
        rng = getattr(scenario, name)
        at_low = total_at({name: rng.low})
        at_high = total_at({name: rng.high})
        ends += [at_low, at_high]
        sens.append(
            Sensitivity(name, rng.low, rng.high, numbers.money(at_low), numbers.money(at_high))
        )
        if at_high < at_low:
            low_changes[name], high_changes[name] = rng.high, rng.low
        else:
            low_changes[name], high_changes[name] = rng.low, rng.high
    sens.sort(key=lambda x: (-x.swing_usd, x.parameter))
    if len(sens) == 1:  # one range: its two ends are the low and high totals
        low_total, high_total = min(ends), max(ends)
    elif sens:
        low_total = total_at(low_changes)
        high_total = total_at(high_changes)
    else:
        low_total = high_total = base.total
    return _Priced(
        scenario, model, price, when, behaviour, base_point, base, turns, sens,
        low_changes, high_changes, low_total, high_total, notes,
    )  # fmt: skip


def _estimate(
    scenario: Scenario, table: PriceTable, teacher: str | None, as_of: date | None
) -> Estimate:
    run = _priced(scenario, table, teacher, as_of)
    scenario, model, price, when, base = run.scenario, run.model, run.price, run.when, run.base
    notes = run.notes
    time = {k: numbers.dec(v, 3) for k, v in base.time.items()}
    wall = run.wall
    binding = max(base.time, key=lambda key: base.time[key]) if base.time else "none given"
    availability = available_until(model, price, when, wall)
    notes.extend(availability.notes)
    api = base.api
    counts = base.volume
    per_1m = api / counts.dataset_tokens * MILLION if counts.dataset_tokens else None
    tokens = {k: numbers.tokens(v) for k, v in base.bill.tokens.items()}
    costs = {k: numbers.money(v) for k, v in base.costs.items()}
    total = numbers.money(base.total)
    whole = numbers.ceil(counts.requests)
    worked = (
        *steps.volume_steps(scenario, base.volume_at, counts, base.p, base.c, whole),
        *steps.token_steps(
            scenario, base.billed_at, counts.requests, base.p_in, base.c, measured=run.turns
        ),
        *steps.cost_steps(
            COST_LABELS,
            tokens,
            costs,
            base.bill,
            counts.requests,
            base.student,
            run.base_point["student_parameters"],
            total,
            base.serving,
        ),
        *steps.time_steps(time, binding),
    )
    return Estimate(
        scenario=scenario,
        teacher=model.id,
        provider=model.provider,
        as_of=when,
        model=model,
        price=price,
        total_usd=total,
        low_usd=numbers.money(run.low_total),
        high_usd=numbers.money(run.high_total),
        api_usd=numbers.money(api),
        student_usd=costs["student_training"],
        requests=whole,
        requests_exact=numbers.tokens(counts.requests),
        generated_examples=numbers.tokens(counts.generated),
        accepted_examples=numbers.tokens(counts.accepted),
        dataset_tokens=numbers.tokens(counts.dataset_tokens),
        tokens=tokens,
        costs=costs,
        time=time,
        wall_clock_seconds=numbers.dec(wall, 3) if wall is not None else None,
        wall_clock_days=_days(wall),
        binding_limit=binding,
        usd_per_1m_dataset_tokens=numbers.money(per_1m) if per_1m is not None else None,
        student=base.student,
        sensitivity=tuple(run.sens),
        low_point=run.low_changes,
        high_point=run.high_changes,
        notes=tuple(dict.fromkeys(notes)),
        rates=base.bill.rates,
        steps=worked,
        reasoning=run.behaviour.reasoning,
        limits_preset=run.behaviour.limits,
        availability=availability,
        serving=base.serving,
        reprice=functools.partial(_reprice, table),
    )


def _reprice(table: PriceTable, scenario: Scenario, as_of: date | None) -> Estimate:
    """``estimate`` with the table first, so an Estimate can keep it (picklable) for what_if."""
    return estimate(scenario, table, as_of=as_of)
