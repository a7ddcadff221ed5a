"""The cost model as spreadsheet formulas: the estimator's stages, cell by cell.

This is the one place the workbook states the model. It follows the estimator's
stages (:mod:`distillcost.estimator.volume`, ``billing``, ``student`` and the billing
rules of :func:`distillcost.prices.billing.rates`) with the same names and the same
order; tests recompute the formulas in an independent engine and compare them with
the estimator across many scenarios (ranges, caching, batch, tiers, measured
prompts, multi-turn, students), so the two cannot drift apart unnoticed.

What a formula depends on is a number the user may change (an assumption cell, a
price cell). What chooses *which* formula applies (the volume kind, batch or a
service tier, which prices exist, the student method) is fixed when the workbook is
written; the Assumptions sheet marks those inputs "fixed".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from distillcost.prices.billing import INPUT_SIDE, KINDS, STANDARD
from distillcost.prices.model import PriceEntry
from distillcost.scenario import Scenario
from distillcost.workbook.expr import IF, MIN, Cell, Column, Expr, Num, flag, lift

ZERO = Num(Decimal(0))
ONE = Num(Decimal(1))
MILLION = Decimal(1_000_000)
TOKEN_KINDS = ("input_uncached", "input_cached", "cache_write", "output", "reasoning")


@dataclass
class Block:
    """The cells of one evaluation of the model, in order (a column or a row of a sheet)."""

    name: str
    cells: list[tuple[str, str, Expr, str]] = field(default_factory=list)
    index: dict[str, Cell] = field(default_factory=dict)

    def add(self, key: str, label: str, expr: Any, kind: str = "number") -> Cell:
        if key in self.index:
            raise ValueError(f"cell {key!r} twice in block {self.name!r}")
        expr = lift(expr)
        self.cells.append((key, label, expr, kind))
        cell = Cell(self, key, expr.value)
        self.index[key] = cell
        return cell

    def __getitem__(self, key: str) -> Cell:
        return self.index[key]


PriceRef = Callable[[str], Expr | None]
"""A price cell by key (``input``, ``tier1.output``, ``service.input``, ``window.input``,
``per_request``, ``training``, ``token_ratio``, ``gpu_peak_tflops``), None when absent."""


@dataclass(frozen=True)
class Structure:
    """What the workbook fixes: the scenario's choices and the entry's shape."""

    scenario: Scenario
    entry: PriceEntry
    lengths: Column | None = None  # sorted sampled prompt lengths (measured prompts)
    student_method: str = "none"
    prompt_factor_measured: bool = False
    completion_factor_measured: bool = False


def point_cells(b: Block, pt: Mapping[str, Expr | None], st: Structure, price: PriceRef) -> Cell:
    """Fill ``b`` with the model at point ``pt``; returns the total's cell."""
    sc = st.scenario

    def P(name: str) -> Expr:
        value = pt[name]
        assert value is not None, name
        return value

    T = P("turns")
    ratio = price("token_ratio") or ONE
    p = P("prompt_tokens") * ratio if st.prompt_factor_measured else P("prompt_tokens")
    c = P("completion_tokens") * ratio if st.completion_factor_measured else P("completion_tokens")
    if sc.chat_file and sc.measured_fields:
        if st.prompt_factor_measured:
            p = p / T
        if st.completion_factor_measured:
            c = c / T
    p = b.add("p", "Prompt tokens per turn used (p)", p)
    c = b.add("c", "Completion tokens per example used (c)", c)
    volume = _volume(b, pt, sc, P, p, c, T)
    R = volume["R"]
    costs = _bill(b, pt, st, P, price, p, c, T, R)
    student = _student(b, pt, st, P, price, volume["dataset"])
    api = b.add(
        "api_usd", "API cost", sum((costs[k] for k in (*TOKEN_KINDS, "per_request")), ZERO), "money"
    )
    return b.add("total_usd", "Total", api + student, "money")


def _volume(
    b: Block, pt: Mapping[str, Expr | None], sc: Scenario, P: Any, p: Expr, c: Expr, T: Expr
) -> dict[str, Cell]:
    """volume.py: from the stated volume to requests R and dataset tokens."""
    a, k, n, r = (
        P("acceptance_rate"),
        P("examples_per_request"),
        P("samples_per_prompt"),
        P("retry_rate"),
    )
    d = b.add(
        "d", "Dataset tokens per example (d)", T * (c + p / k) if sc.prompt_in_dataset else T * c
    )
    kind, _ = sc.volume
    given = P(kind)
    billed = sc.input_billed_per_sample
    if kind == "requests":
        calls = b.add("calls", "Calls", given / n if billed else given)
        prompts = calls / T
        generated = b.add("G", "Generated examples (G)", prompts * n * k)
        accepted = b.add("E", "Accepted examples (E)", generated * a)
    else:
        if kind == "examples":
            accepted = b.add("E", "Accepted examples (E)", given)
        elif kind == "output_tokens":
            accepted = b.add("E", "Accepted examples (E)", given / (T * c))
        else:
            accepted = b.add("E", "Accepted examples (E)", given / d)
        generated = b.add("G", "Generated examples (G)", accepted / a)
        calls = b.add("calls", "Calls", generated / k / n * T)
    sent = calls * n if billed else calls
    R = b.add("R", "Requests sent (R, retries included)", sent * (1 + r))
    dataset = b.add("dataset", "Dataset tokens", accepted * d)
    return {"R": R, "dataset": dataset}


@dataclass
class _Class:
    weight: Expr
    unique_in: Expr
    tier: int  # 0: no long-context tier; j: the j-th tier by threshold


def _classes(
    b: Block, pt: Mapping[str, Expr | None], st: Structure, P: Any, p: Expr, c: Expr, T: Expr
) -> tuple[list[_Class], Expr, Expr]:
    """billing.request_classes: requests by turn and long-context tier."""
    sc, entry = st.scenario, st.entry
    k, n, q, s = (
        P("examples_per_request"),
        P("samples_per_prompt"),
        P("reasoning_tokens"),
        P("shared_prefix_tokens"),
    )
    choices = ONE if sc.input_billed_per_sample else n
    out = choices * k * c
    reasoning = choices * q
    if not entry.tiers:
        unique = p * (T + 1) / 2 + c * (T - 1) / 2
        return [_Class(ONE, unique, 0)], out, reasoning
    tiers = sorted(entry.tiers, key=lambda t: t.above_prompt_tokens)
    thresholds = [Num(Decimal(t.above_prompt_tokens)) for t in tiers]
    classes: list[_Class] = []
    most = int(sc.turns.high)
    lengths = st.lengths if p.value != 0 else None
    for t in range(1, most + 1):
        w = IF(Num(Decimal(t)).le(T), 1 / T, 0) if most > 1 else ONE
        history = (t - 1) * c
        if lengths is None:
            prompt = s + t * p + history
            above = [flag(prompt.gt(x)) for x in thresholds]
            for j in range(len(tiers) + 1):
                share = (above[j - 1] if j else ONE) - (above[j] if j < len(tiers) else ZERO)
                cl = b.add(f"w{t}_{j}", f"Share of requests: turn {t}, tier {j}", w * share)
                classes.append(_Class(cl, t * p + history, j))
            continue
        m = Decimal(len(lengths.numbers))
        total_v = Decimal(sum(lengths.numbers))
        scale = (
            b.add(f"scale{t}", "Measured prompt scale", p * m / total_v) if t == 1 else b["scale1"]
        )
        counts: list[Expr] = [Num(m)]
        sums: list[Expr] = [Num(total_v)]
        for j, x in enumerate(thresholds, start=1):
            bound = b.add(
                f"bound{t}_{j}",
                f"Turn {t}: sampled prompts above tier {j}",
                (x - s - history) / (t * scale),
            )
            counts.append(
                b.add(
                    f"n{t}_{j}",
                    f"Turn {t}: sampled prompts in tier {j}",
                    lengths.count_above(bound),
                )
            )
            sums.append(b.add(f"v{t}_{j}", f"Turn {t}: their tokens", lengths.sum_above(bound)))
        counts.append(ZERO)
        sums.append(ZERO)
        for j in range(len(tiers) + 1):
            count = counts[j] - counts[j + 1]
            v_sum = sums[j] - sums[j + 1]
            weight = b.add(f"w{t}_{j}", f"Share of requests: turn {t}, tier {j}", w * count / m)
            unique = IF(count.eq(0), 0, t * v_sum / count * scale + history)
            classes.append(
                _Class(
                    weight,
                    b.add(f"u{t}_{j}", f"Unique prompt tokens: turn {t}, tier {j}", unique),
                    j,
                )
            )
    return classes, out, reasoning


def _price_set(price: PriceRef, prefix: str) -> dict[str, Expr | None]:
    return {kind: price(prefix + kind) for kind in KINDS}


def _ratio(part: Expr | None, whole: Expr | None) -> Expr | None:
    if part is None or whole is None or whole.value == 0:
        return None
    return part / whole


def _modified(
    base: dict[str, Expr | None],
    standard: dict[str, Expr | None],
    listed: dict[str, Expr | None],
    exact: bool,
) -> dict[str, Expr | None]:
    """billing._modified: a modifier's prices, or the standard ones moved by its ratios."""
    in_ratio = _ratio(listed["input"], standard["input"])
    out_ratio = _ratio(listed["output"], standard["output"])
    in_ratio = in_ratio if in_ratio is not None and in_ratio.value != 0 else ONE
    out_ratio = out_ratio if out_ratio is not None and out_ratio.value != 0 else ONE
    out: dict[str, Expr | None] = {}
    for kind in KINDS:
        value = base[kind]
        if value is None:
            out[kind] = None
        elif exact and listed[kind] is not None:
            out[kind] = listed[kind]
        else:
            ratio = _ratio(listed[kind], standard[kind])
            out[kind] = value * (
                ratio if ratio is not None else (in_ratio if kind in INPUT_SIDE else out_ratio)
            )
    return out


def rates(
    st: Structure, price: PriceRef, tier: int, pt: Mapping[str, Expr | None]
) -> dict[str, Expr | None]:
    """billing.rates: USD per 1M tokens per kind for requests in ``tier`` (0: none)."""
    sc, entry = st.scenario, st.entry
    standard = _price_set(price, "")
    if tier:
        listed = _price_set(price, f"tier{tier}.")
        current = {
            kind: listed[kind] if listed[kind] is not None else standard[kind] for kind in KINDS
        }
    else:
        current = dict(standard)
    exact = tier == 0
    if sc.service_tier != STANDARD:
        current = _modified(current, standard, _price_set(price, "service."), exact)
    if sc.batch and entry.has_batch:
        listed = {
            **dict.fromkeys(KINDS),
            "input": price("batch_input"),
            "output": price("batch_output"),
        }
        before = {kind: current[kind] for kind in INPUT_SIDE if kind != "input"}
        current = _modified(current, standard, listed, exact)
        if entry.batch_cache == "undiscounted":
            current.update(before)
        elif entry.batch_cache == "not-cached":
            current["cached_input"] = current["input"]
            current["cache_write"] = current["cache_write_1h"] = None
    if entry.windows:
        share = ONE if sc.off_peak_only else pt["off_peak_share"]
        assert share is not None
        window = _modified(current, standard, _price_set(price, "window."), exact)
        blended: dict[str, Expr | None] = {}
        for kind in KINDS:
            peak, off = current[kind], window[kind]
            blended[kind] = (
                None
                if peak is None
                else (1 - share) * peak + share * (peak if off is None else off)
            )
        current = blended
    input_rate = current["input"]
    assert input_rate is not None
    cached, write = current["cached_input"], current["cache_write"]
    one_hour = pt["cache_write_1h_share"]
    assert one_hour is not None
    if current["cache_write_1h"] is not None and (write is not None or one_hour.value):
        base_write = write if write is not None else current["cache_write_1h"]
        write = (1 - one_hour) * base_write + one_hour * current["cache_write_1h"]
    output = current["output"]
    assert output is not None
    return {
        "input_uncached": input_rate,
        "input_cached": MIN(cached, input_rate) if cached is not None else input_rate,
        "cache_write": write,
        "output": output,
        "reasoning": output if entry.reasoning_billed_as_output else ZERO,
    }


def _bill(
    b: Block,
    pt: Mapping[str, Expr | None],
    st: Structure,
    P: Any,
    price: PriceRef,
    p: Expr,
    c: Expr,
    T: Expr,
    R: Expr,
) -> dict[str, Expr]:
    """billing.bill: tokens and dollars by kind."""
    sc = st.scenario
    h, s = P("cache_hit_rate"), P("shared_prefix_tokens")
    classes, out, reasoning = _classes(b, pt, st, P, p, c, T)
    tokens: dict[str, Expr] = dict.fromkeys(TOKEN_KINDS, ZERO)
    dollars: dict[str, Expr] = dict.fromkeys(TOKEN_KINDS, ZERO)
    rate_cells: dict[int, dict[str, Expr | None]] = {}
    for cl in classes:
        if cl.tier not in rate_cells:
            found = rates(st, price, cl.tier, pt)
            suffix = f" (tier {cl.tier})" if cl.tier else ""
            rate_cells[cl.tier] = {
                kind: None
                if rate is None
                else b.add(f"rate_{kind}_{cl.tier}", f"Rate paid: {kind}{suffix}", rate, "price")
                for kind, rate in found.items()
            }
        paid = rate_cells[cl.tier]
        n_req = R * cl.weight
        missed = n_req * (1 - h) * s
        parts: dict[str, Expr] = {
            "input_uncached": n_req * cl.unique_in,
            "input_cached": n_req * h * s,
            "output": n_req * out,
            "reasoning": n_req * reasoning,
        }
        if paid["cache_write"] is not None:
            parts["cache_write"] = IF(h.gt(0), missed, 0)
            parts["input_uncached"] = parts["input_uncached"] + IF(h.gt(0), 0, missed)
        else:
            parts["input_uncached"] = parts["input_uncached"] + missed
        for kind, count in parts.items():
            rate = paid[kind]
            assert rate is not None
            tokens[kind] = tokens[kind] + count
            dollars[kind] = dollars[kind] + count * rate / MILLION
    costs: dict[str, Expr] = {}
    for kind in TOKEN_KINDS:
        tokens[kind] = b.add(f"tokens_{kind}", f"Tokens: {kind}", tokens[kind], "tokens")
    for kind in TOKEN_KINDS:
        costs[kind] = b.add(
            f"cost_{kind}", f"Cost: {kind}", dollars[kind] if sc.token_billing else ZERO, "money"
        )
    fee = pt["per_request_usd"]
    if fee is None:
        fee = price("per_request") or ZERO
    costs["per_request"] = b.add("cost_per_request", "Cost: per-request fees", R * fee, "money")
    return costs


def _student(
    b: Block, pt: Mapping[str, Expr | None], st: Structure, P: Any, price: PriceRef, dataset: Expr
) -> Expr:
    """student.py: training the student on the accepted dataset."""
    method = st.student_method
    if method == "none":
        return b.add("cost_student_training", "Cost: student training", ZERO, "money")
    per_epoch = pt["training_tokens"] if pt["training_tokens"] is not None else dataset
    D = b.add("D", "Training tokens (D)", per_epoch * P("epochs"), "tokens")
    if method == "fine-tune":
        training = price("training")
        assert training is not None
        cost: Expr = D * training / MILLION
    else:
        if method == "gpu-hours":
            hours: Expr = P("gpu_hours")
        else:
            peak = pt["gpu_tflops"] if pt["gpu_tflops"] is not None else price("gpu_peak_tflops")
            assert peak is not None
            hours = b.add(
                "gpu_hours_used",
                "GPU-hours",
                6
                * P("student_parameters")
                * D
                / (peak * Decimal(10) ** 12 * P("utilisation"))
                / 3600,
            )
        cost = hours * P("usd_per_gpu_hour")
    return b.add("cost_student_training", "Cost: student training", cost, "money")
