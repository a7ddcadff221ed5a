"""The worked method: the base case through the formulas, as structured steps.

``--explain``, the Markdown report and the HTML report all print these steps; none of
them parses text back. Every number is the estimator's own, so a reader can redo
each step by hand and arrive at the total.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from distillcost import present
from distillcost.estimator import numbers
from distillcost.estimator.billing import TOKEN_KINDS, Bill
from distillcost.estimator.context import Point, req
from distillcost.estimator.volume import Volume
from distillcost.estimator.wallclock import FORMULAS
from distillcost.scenario import MeasuredTurns, Scenario

X = "exact"  # operands are shown with every digit, so the reader's arithmetic matches ours
N = "count"


def step(
    label: str,
    formula: str = "",
    numbers_: str = "",
    operands: tuple[tuple[Any, str], ...] = (),
    result: Any = None,
    kind: str = X,
    note: str = "",
) -> present.Step:
    """A step whose counts are rounded to 1e-6, as the estimate stores counts (money: 1e-10).

    The arithmetic runs at 50 digits; a step printing every one of them would show
    16,666.666…667 where the estimate's own fields say 16,666.666667.
    """

    def rounded(value: Any, kind: str) -> Any:
        if isinstance(value, Decimal):
            return (
                numbers.money(value)
                if kind in ("money", "price", "rate")
                else numbers.tokens(value)
            )
        return value

    return present.Step(
        label,
        formula,
        numbers_,
        tuple((rounded(v, k), k) for v, k in operands),
        rounded(result, kind),
        kind,
        note,
    )


def volume_steps(
    sc: Scenario, pt: Point, v: Volume, p: Decimal, c: Decimal, whole: int
) -> list[present.Step]:
    """From the stated volume to the requests sent."""
    a, k, n = (
        req(pt, "acceptance_rate"),
        req(pt, "examples_per_request"),
        req(pt, "samples_per_prompt"),
    )
    T, r = req(pt, "turns"), req(pt, "retry_rate")
    steps: list[present.Step] = []
    if v.kind == "requests":
        if sc.input_billed_per_sample:
            steps.append(
                step(
                    "Requests (given)",
                    "calls = requests ÷ n",
                    "{} ÷ {}",
                    ((v.given, X), (n, X)),
                    v.calls,
                    X,
                )
            )
        else:
            steps.append(step("Requests (given)", "calls", result=v.calls))
        steps.append(
            step(
                "Generated examples",
                "G = calls ÷ T × n × k",
                "{} ÷ {} × {} × {}",
                ((v.calls, X), (T, X), (n, X), (k, X)),
                v.generated,
                X,
            )
        )
        steps.append(
            step(
                "Accepted examples",
                "E = G × a",
                "{} × {}",
                ((v.generated, X), (a, X)),
                v.accepted,
                X,
            )
        )
    else:
        if v.kind == "examples":
            steps.append(step("Accepted examples", "E", result=v.accepted, note=" (given)"))
        elif v.kind == "output_tokens":
            steps.append(
                step(
                    "Accepted examples",
                    "E = V ÷ (T × c)",
                    "{} ÷ ({} × {})",
                    ((v.given, X), (T, X), (c, X)),
                    v.accepted,
                    X,
                )
            )
        else:
            if sc.prompt_in_dataset:
                steps.append(
                    step(
                        "Dataset tokens per example",
                        "d = T × (c + p ÷ k)",
                        "{} × ({} + {} ÷ {})",
                        ((T, X), (c, X), (p, X), (k, X)),
                        v.per_example,
                        X,
                    )
                )
            else:
                steps.append(
                    step(
                        "Dataset tokens per example",
                        "d = T × c",
                        "{} × {}",
                        ((T, X), (c, X)),
                        v.per_example,
                        X,
                    )
                )
            steps.append(
                step(
                    "Accepted examples",
                    "E = V ÷ d",
                    "{} ÷ {}",
                    ((v.given, X), (v.per_example, X)),
                    v.accepted,
                    X,
                )
            )
        steps.append(
            step(
                "Generated examples",
                "G = E ÷ a",
                "{} ÷ {}",
                ((v.accepted, X), (a, X)),
                v.generated,
                X,
            )
        )
    billed = sc.input_billed_per_sample
    formula = "R = G ÷ k ÷ n × T" + (" × n" if billed else "") + " × (1 + r)"
    numbers = "{} ÷ {} ÷ {} × {}" + (" × {}" if billed else "") + " × (1 + {})"
    operands: list[tuple[Any, str]] = [(v.generated, X), (k, X), (n, X), (T, X)]
    if billed:
        operands.append((n, X))
    operands.append((r, X))
    whole_note = f", rounded up to {whole:,} whole requests" if v.requests != whole else ""
    steps.append(step("Requests", formula, numbers, tuple(operands), v.requests, X, whole_note))
    return steps


def token_steps(
    sc: Scenario,
    pt: Point,
    R: Decimal,
    p: Decimal,
    c: Decimal,
    measured: MeasuredTurns | None = None,
) -> list[present.Step]:
    """From requests to tokens by kind (``measured``: a chat file priced per assistant
    turn, where ``p`` is what one request sends, the history before its turn included)."""
    s, h, q = (
        req(pt, "shared_prefix_tokens"),
        req(pt, "cache_hit_rate"),
        req(pt, "reasoning_tokens"),
    )
    k, T = req(pt, "examples_per_request"), req(pt, "turns")
    n = Decimal(1) if sc.input_billed_per_sample else req(pt, "samples_per_prompt")
    steps: list[present.Step] = []
    if measured is not None:
        steps.append(
            step(
                "Prompt tokens",
                "R × (s + p), p = measured input per request, history resent",
                "{} × ({} + {})",
                ((R, N), (s, N), (p, N)),
                R * (s + p),
                N,
                f"  ({measured.input_tokens:,} input tokens over {measured.requests:,} "
                f"assistant turns of {measured.conversations:,} conversations, measured)",
            )
        )
    elif T == 1:
        steps.append(
            step(
                "Prompt tokens",
                "R × (s + p)",
                "{} × ({} + {})",
                ((R, N), (s, N), (p, N)),
                R * (s + p),
                N,
            )
        )
    else:
        per_conv = T * s + p * T * (T + 1) / 2 + c * T * (T - 1) / 2
        steps.append(
            step(
                "Prompt tokens per conversation",
                "T·s + p·T(T+1)/2 + c·T(T−1)/2",
                "{}×{} + {}×{} + {}×{}",
                ((T, N), (s, N), (p, N), (T * (T + 1) / 2, N), (c, N), (T * (T - 1) / 2, N)),
                per_conv,
                N,
            )
        )
        steps.append(
            step(
                "Prompt tokens",
                "per conversation × R ÷ T",
                "{} × {} ÷ {}",
                ((per_conv, N), (R, N), (T, N)),
                per_conv * R / T,
                N,
            )
        )
    if h and s:
        steps.append(
            step("Cache reads", "R × h × s", "{} × {} × {}", ((R, N), (h, N), (s, N)), R * h * s, N)
        )
        steps.append(
            step(
                "Prefix cache misses",
                "R × (1 − h) × s",
                "{} × (1 − {}) × {}",
                ((R, N), (h, N), (s, N)),
                R * (1 - h) * s,
                N,
            )
        )
    steps.append(
        step(
            "Output tokens",
            "R × n × k × c",
            "{} × {} × {} × {}",
            ((R, N), (n, N), (k, N), (c, N)),
            R * n * k * c,
            N,
        )
    )
    if q:
        steps.append(
            step(
                "Reasoning tokens",
                "R × n × q",
                "{} × {} × {}",
                ((R, N), (n, N), (q, N)),
                R * n * q,
                N,
            )
        )
    return steps


def cost_steps(
    labels: Mapping[str, str],
    tokens: Mapping[str, Decimal],
    costs: Mapping[str, Decimal],
    bill: Bill,
    R: Decimal,
    student: Mapping[str, Any],
    parameters: Decimal | None,
    total: Decimal,
) -> list[present.Step]:
    """Each cost as tokens × rate ÷ 1,000,000, the student's, and their sum."""
    steps: list[present.Step] = []
    parts: list[tuple[Any, str]] = []
    for kind in TOKEN_KINDS:
        if costs[kind] == 0:
            continue
        rate, published = bill.rates.get(kind, (Decimal(0), True))
        numbers = "{} × {} ÷ 1,000,000" if published else "{} × {} (blended tiers) ÷ 1,000,000"
        steps.append(
            step(
                labels[kind],
                "",
                numbers,
                ((tokens[kind], "tokens"), (rate, "price" if published else "rate")),
                costs[kind],
                "money",
            )
        )
        parts.append((costs[kind], "money"))
    if costs["per_request"]:
        steps.append(
            step(
                labels["per_request"],
                "",
                "{} requests × {}",
                ((R, X), (bill.fee, "price")),
                costs["per_request"],
                "money",
            )
        )
        parts.append((costs["per_request"], "money"))
    if costs["student_training"]:
        steps.extend(
            student_steps(
                labels["student_training"], student, parameters, costs["student_training"]
            )
        )
        parts.append((costs["student_training"], "money"))
    steps.append(step("Total", "", " + ".join("{}" for _ in parts), tuple(parts), total, "money"))
    return steps


def student_steps(
    label: str, st: Mapping[str, Any], parameters: Decimal | None, cost: Decimal
) -> list[present.Step]:
    method = st.get("method")
    if method == "fine-tune":
        return [
            step(
                label,
                "D × training price ÷ 1,000,000",
                "{} × {} ÷ 1,000,000",
                ((st["training_tokens"], "tokens"), (st["training_price"], "price")),
                cost,
                "money",
                "  (D = training tokens × epochs)",
            )
        ]
    if method == "gpu":
        hours = step(
            "Student GPU-hours",
            "6 × N × D ÷ (peak FLOP/s × utilisation) ÷ 3,600",
            "6 × {} × {} ÷ ({}e12 × {}) ÷ 3,600",
            (
                (parameters if parameters is not None else Decimal(0), X),
                (st["training_tokens"], "tokens"),
                (st["peak_tflops"], X),
                (st["utilisation"], X),
            ),
            st["gpu_hours"],
            X,
        )
        return [
            hours,
            step(
                label,
                "GPU-hours × price",
                "{} × {}",
                ((st["gpu_hours"], X), (st["usd_per_gpu_hour"], "price")),
                cost,
                "money",
            ),
        ]
    if method == "gpu-hours":
        return [
            step(
                label,
                "GPU-hours × price",
                "{} × {}",
                ((st["gpu_hours"], X), (st["usd_per_gpu_hour"], "price")),
                cost,
                "money",
            )
        ]
    return []


def time_steps(time: Mapping[str, Decimal], binding: str) -> list[present.Step]:
    if binding not in time:
        return []
    return [
        step(
            "Wall clock",
            f"binding limit {binding}: {FORMULAS.get(binding, binding)}",
            result=time[binding],
            kind="duration",
        )
    ]
