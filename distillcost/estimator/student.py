"""Stage 6: training the student on the accepted dataset.

D = (training_tokens or accepted dataset tokens) × epochs.
    fine-tune: D × the student model's training price / 1M.
    gpu:       GPU-hours from the calibrated training model (distillcost.compute.training:
               6·N·D corrected for padding, LoRA, recompute, offload and micro-batch size);
               × $ per GPU-hour.
    gpu-hours: GPU-hours given × $ per GPU-hour.
$ per GPU-hour: usd_per_gpu_hour, else the GPU table's rate for the GPU on the campaign's
date (offering and provider as the scenario says), stated with its source.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from distillcost.compute.builtin import compute_of
from distillcost.compute.declarations import DEFAULT_OFFERING
from distillcost.compute.table import ComputeTable
from distillcost.compute.training import (
    CALIBRATED,
    DEFAULT_MICRO_BATCH,
    TrainingPlan,
    training_time,
)
from distillcost.errors import DistillcostError, NotAvailableError, ScenarioError
from distillcost.estimator import numbers
from distillcost.estimator.context import Context, Point, req
from distillcost.estimator.numbers import F0, MILLION

DEFAULTS: dict[str, Any] = {
    "finetune": "full",
    "padding": "longest",
    "micro_batch": DEFAULT_MICRO_BATCH,
    "recompute": False,
    "offload": False,
    "gpu_count": Decimal(1),
}
"""What the training model assumes when the scenario does not say (stated in the output)."""


def method_of(ctx: Context) -> str:
    sc = ctx.scenario
    if sc.student_method is not None:
        return sc.student_method
    if sc.gpu_hours is not None:
        return "gpu-hours"
    if sc.student_parameters is not None:
        return "gpu"
    if sc.student_model is not None:
        return "fine-tune"
    return "none"


def student(
    ctx: Context,
    pt: Point,
    dataset_tokens: Decimal,
    full: bool = True,
    examples: Decimal | None = None,
) -> dict[str, Any]:
    sc = ctx.scenario
    method = method_of(ctx)
    out: dict[str, Any] = {"method": method, "_cost": F0}
    compute = compute_of(ctx.table)
    if sc.gpu is not None:  # a GPU nobody knows is a typo, used or not
        _gpu(compute, sc.gpu)
    if method == "none":
        return out
    per_epoch = pt["training_tokens"] if pt["training_tokens"] is not None else dataset_tokens
    epochs = req(pt, "epochs")
    D = per_epoch * epochs
    if full:
        out["training_tokens"] = numbers.tokens(D)
        out["epochs"] = numbers.dec(epochs, 6)
    if method == "fine-tune":
        return _fine_tune(ctx, D, out)
    if method == "gpu-hours":
        hours = pt["gpu_hours"]
        if hours is None:
            raise ScenarioError("gpu_hours: needed for student method gpu-hours")
    else:
        hours = _gpu_model(ctx, pt, compute, per_epoch, epochs, examples, full, out)
    count = pt["gpu_count"] if pt["gpu_count"] is not None else DEFAULTS["gpu_count"]
    rate = pt["usd_per_gpu_hour"]
    if rate is None:
        rate = _table_rate(ctx, compute, out)
    elif full:
        out["rate_source"] = "given (usd_per_gpu_hour)"
    if full:
        out["gpu_hours"] = numbers.dec(hours, 6)
        out["gpu_count"] = numbers.dec(count, 0)
        out["wall_clock_hours"] = numbers.dec(hours / count, 6)
        out["usd_per_gpu_hour"] = numbers.dec(rate, 6)
    out["_cost"] = hours * rate
    return out


def _fine_tune(ctx: Context, D: Decimal, out: dict[str, Any]) -> dict[str, Any]:
    sc = ctx.scenario
    if sc.student_model is None:
        raise ScenarioError("student_model: needed for student method fine-tune")
    try:  # say it is the student's model: "unknown model" alone reads as the teacher
        record = ctx.table.get(sc.student_model)
        entry = record.price_on(ctx.as_of)
    except DistillcostError as exc:
        raise ScenarioError(f"student_model: {exc}") from None
    if entry.training is None:
        raise NotAvailableError(
            f"student_model: {record.id} has no fine-tuning (training) price on "
            f"{ctx.as_of.isoformat()}"
        )
    out["model"] = record.id
    out["training_price"] = entry.training
    out["price_source"] = entry.source
    out["_cost"] = D * Decimal(entry.training) / MILLION
    return out


def _gpu_model(
    ctx: Context,
    pt: Point,
    compute: ComputeTable,
    per_epoch: Decimal,
    epochs: Decimal,
    examples: Decimal | None,
    full: bool,
    out: dict[str, Any],
) -> Decimal:
    """GPU-hours from the calibrated training model (distillcost.compute.training)."""
    sc = ctx.scenario
    N = pt["student_parameters"]
    if N is None:
        raise ScenarioError("student_parameters: needed for student method gpu")
    peak = pt["gpu_tflops"]
    if peak is None:
        if sc.gpu is None:
            raise ScenarioError("gpu: name the GPU trained on (or give gpu_tflops)")
        gpu = _gpu(compute, sc.gpu)
        if gpu.peak_tflops is None:
            raise ScenarioError(
                f"gpu: {gpu.id} has no dense BF16 peak in the GPU table; give gpu_tflops"
            )
        peak = gpu.peak_tflops
        if full:
            out["gpu"] = gpu.id
            out["gpu_source"] = gpu.tflops_source
    used = {name: getattr(sc, name) for name in ("finetune", "padding", "recompute", "offload")}
    used.update({name: pt[name] for name in ("micro_batch", "gpu_count", "sequence_length")})
    defaulted = [name for name, value in used.items() if value is None and name in DEFAULTS]
    for name in defaulted:
        used[name] = DEFAULTS[name]
    plan = TrainingPlan(
        parameters=N,
        examples=examples if examples else Decimal(1),
        tokens=per_epoch,
        epochs=epochs,
        peak_tflops=peak,
        finetune=used["finetune"],
        padding=used["padding"],
        sequence_length=used["sequence_length"],
        micro_batch=used["micro_batch"],
        recompute=bool(used["recompute"]),
        offload=bool(used["offload"]),
        gpu_count=used["gpu_count"],
        utilisation=pt["utilisation"],
    )
    time = training_time(plan)
    if full:
        out.update(
            {
                "finetune": plan.finetune,
                "padding": plan.padding,
                "sequence_length": plan.sequence_length,
                "micro_batch": numbers.dec(plan.micro_batch, 0),
                "recompute": plan.recompute,
                "offload": plan.offload,
                "defaults": defaulted,
                "mean_tokens": numbers.tokens(time.mean_tokens),
                "length": numbers.tokens(time.length),
                "processed_tokens": numbers.tokens(time.processed_tokens),
                "flops_per_token": numbers.dec(time.flops_per_token, 0),
                "flops": numbers.dec(time.flops, 0),
                "micro_batch_tokens": numbers.tokens(time.micro_batch_tokens),
                "peak_tflops": numbers.dec(peak, 3),
                "utilisation": numbers.dec(time.utilisation, 6),
                "utilisation_source": _utilisation_source(time.calibrated, plan),
            }
        )
    return time.gpu_hours


def _utilisation_source(calibrated: bool, plan: TrainingPlan) -> str:
    if not calibrated:
        return "given (utilisation)"
    from distillcost.compute.calibration import shipped_summary

    family = "full fine-tunes" if plan.finetune == "full" else "LoRA/QLoRA"
    cal = CALIBRATED
    offload = f" × offload {cal.offload}" if plan.offload else ""
    return (
        f"calibrated: {cal.utilisation(plan.finetune)} for {family} × m ÷ (m + "
        f"{cal.half_tokens}){offload}, m = tokens per micro-batch per GPU; fitted on published "
        f"runs ({shipped_summary()}; docs/calibration.md)"
    )


def _gpu(compute: ComputeTable, name: str) -> Any:
    try:
        return compute.gpu(name)
    except DistillcostError as exc:
        raise ScenarioError(f"gpu: {exc}") from None


def _table_rate(ctx: Context, compute: ComputeTable, out: dict[str, Any]) -> Decimal:
    """The GPU table's rate for the scenario's GPU, offering and provider on the date."""
    sc = ctx.scenario
    if sc.gpu is None:
        raise ScenarioError(
            "usd_per_gpu_hour: not given, and no gpu to look its rate up in the GPU table "
            "(give gpu = ... or usd_per_gpu_hour)"
        )
    offering = sc.gpu_offering or DEFAULT_OFFERING
    try:
        rate = compute.rate_on(_gpu(compute, sc.gpu), ctx.as_of, offering, sc.gpu_provider)
    except NotAvailableError as exc:
        raise NotAvailableError(f"usd_per_gpu_hour: {exc}") from None
    out["rate_source"] = rate.describe()
    out["rate_url"] = rate.source
    out["rate_verified"] = rate.price.verified
    return rate.usd
