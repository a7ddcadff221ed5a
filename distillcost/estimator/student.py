"""Stage 6: training the student on the accepted dataset.

D = (training_tokens or accepted dataset tokens) × epochs.
    fine-tune: D × the student model's training price / 1M.
    gpu:       GPU-hours = 6·N·D / (peak TFLOP/s·10^12 · utilisation) / 3600; × $ per GPU-hour.
    gpu-hours: GPU-hours given × $ per GPU-hour.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from distillcost.errors import DistillcostError, NotAvailableError, ScenarioError
from distillcost.estimator import numbers
from distillcost.estimator.context import Context, Point, req
from distillcost.estimator.numbers import F0, MILLION
from distillcost.gpus import get_gpu


def student(ctx: Context, pt: Point, dataset_tokens: Decimal, full: bool = True) -> dict[str, Any]:
    sc = ctx.scenario
    method = sc.student_method
    if method is None:
        if sc.gpu_hours is not None:
            method = "gpu-hours"
        elif sc.student_parameters is not None:
            method = "gpu"
        elif sc.student_model is not None:
            method = "fine-tune"
        else:
            method = "none"
    out: dict[str, Any] = {"method": method, "_cost": F0}
    if method == "none":
        return out
    per_epoch = pt["training_tokens"] if pt["training_tokens"] is not None else dataset_tokens
    epochs = req(pt, "epochs")
    D = per_epoch * epochs
    if full:
        out["training_tokens"] = numbers.tokens(D)
        out["epochs"] = numbers.dec(epochs, 6)
    if method == "fine-tune":
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
    if method == "gpu-hours":
        hours = pt["gpu_hours"]
        if hours is None:
            raise ScenarioError("gpu_hours: needed for student method gpu-hours")
    else:  # gpu
        N = pt["student_parameters"]
        if N is None:
            raise ScenarioError("student_parameters: needed for student method gpu (6·N·D)")
        peak = pt["gpu_tflops"]
        if peak is None:
            if sc.gpu is None:
                raise ScenarioError("gpu: name a GPU preset (or give gpu_tflops)")
            gpu = get_gpu(sc.gpu)
            peak = Decimal(gpu.peak_tflops)
            out["gpu"] = gpu.id
            out["gpu_source"] = gpu.source
        util = req(pt, "utilisation")
        flops = 6 * N * D
        hours = flops / (peak * 10**12 * util) / 3600
        if full:
            out["flops"] = numbers.dec(flops, 0)
            out["peak_tflops"] = numbers.dec(peak, 3)
            out["utilisation"] = numbers.dec(util, 6)
    rate = pt["usd_per_gpu_hour"]
    if rate is None:
        raise ScenarioError(f"usd_per_gpu_hour: needed for student method {method}")
    if full:
        out["gpu_hours"] = numbers.dec(hours, 6)
        out["usd_per_gpu_hour"] = numbers.dec(rate, 6)
    out["_cost"] = hours * rate
    return out
