"""How long a fine-tune takes: 6·N·D, with the corrections that decide real throughput.

    tokens processed  P = examples × L × epochs, L = the length a sequence occupies:
                        packed      L = mean tokens per example (truncated at the sequence length)
                        longest     L = E[longest of a micro-batch] (log-normal lengths, σ below)
                        max-length  L = the sequence length
    FLOPs per token   f = k·N + a·(n_layer·d_model)·ctx
                        k = 6 (full) or 4 (LoRA/QLoRA: no weight gradients), + 2 with recompute
                        a = 6 (+ 2 with recompute); n_layer·d_model ≈ 0.036·N^(2/3); ctx = L
    utilisation       u = U[full | adapter] × m ÷ (m + M½) × (offload factor when offloading)
                        m = tokens per micro-batch per GPU: micro_batch × L (packed: × seq. length)
    GPU-hours         P × f ÷ (peak FLOP/s × u) ÷ 3,600;   wall clock = GPU-hours ÷ GPUs

U, M½ and the offload factor are fitted on published runs (:mod:`.calibration`,
docs/calibration.md); a ``utilisation`` given by the user replaces u whole. The attention
term's n_layer·d_model comes from N alone (LLaMA-7B: 32 × 4,096 = 131K; the formula gives
129K; Qwen2.5-32B: 328K vs 366K). Arithmetic is Decimal; the expected longest length of a
micro-batch is integrated in floats and rounded to 6 significant digits.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

FINETUNES: tuple[str, ...] = ("full", "lora", "qlora")
"""full: every weight trained; lora: adapters on a 16-bit base; qlora: adapters on a
quantised (4-bit or 8-bit) base."""
PADDINGS: tuple[str, ...] = ("packed", "longest", "max-length")
DEFAULT_MICRO_BATCH = Decimal(4)

ARCH = Decimal("0.036")
"""n_layer·d_model ≈ ARCH · N^(2/3) (fits LLaMA 7B/13B/65B, Qwen2.5-32B within ~12%)."""


def regime(finetune: str) -> str:
    """The utilisation family: a full fine-tune, or adapters (LoRA, QLoRA)."""
    return "full" if finetune == "full" else "adapter"


@dataclass(frozen=True)
class Calibration:
    """The training model's fitted defaults (see docs/calibration.md)."""

    full: Decimal  # achieved fraction of peak, full fine-tunes, large micro-batches
    adapter: Decimal  # the same for LoRA / QLoRA
    half_tokens: Decimal  # micro-batch tokens per GPU at which utilisation is half its maximum
    offload: Decimal  # factor on utilisation with ZeRO/FSDP offload to CPU
    length_sigma: Decimal = Decimal("0.7")  # log-normal spread of example lengths (assumed)
    runs: tuple[str, ...] = field(default=(), compare=False)

    def utilisation(self, finetune: str) -> Decimal:
        return self.full if regime(finetune) == "full" else self.adapter


CALIBRATED = Calibration(
    full=Decimal("0.227"),
    adapter=Decimal("0.508"),
    half_tokens=Decimal(2450),
    offload=Decimal(1),
)
"""The shipped defaults: :func:`distillcost.compute.calibration.fit` on the published runs
gives exactly these (a test keeps them in step)."""


@dataclass(frozen=True)
class TrainingPlan:
    """A fine-tune as the model sees it (counts per epoch)."""

    parameters: Decimal
    examples: Decimal
    tokens: Decimal  # training tokens per epoch (the dataset's)
    epochs: Decimal
    peak_tflops: Decimal
    finetune: str = "full"
    padding: str = "longest"
    sequence_length: Decimal | None = None
    micro_batch: Decimal = DEFAULT_MICRO_BATCH
    recompute: bool = False
    offload: bool = False
    gpu_count: Decimal = Decimal(1)
    utilisation: Decimal | None = None  # given: replaces the calibrated one


@dataclass(frozen=True)
class TrainingTime:
    """The plan worked through the model: every intermediate, for outputs to show."""

    plan: TrainingPlan
    mean_tokens: Decimal  # per example, before padding
    length: Decimal  # L: tokens a sequence occupies
    processed_tokens: Decimal
    flops_per_token: Decimal
    flops: Decimal
    micro_batch_tokens: Decimal
    utilisation: Decimal
    calibrated: bool
    gpu_hours: Decimal
    wall_clock_hours: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {
            "finetune": self.plan.finetune,
            "padding": self.plan.padding,
            "mean_tokens": self.mean_tokens,
            "length": self.length,
            "processed_tokens": self.processed_tokens,
            "flops_per_token": self.flops_per_token,
            "flops": self.flops,
            "micro_batch_tokens": self.micro_batch_tokens,
            "utilisation": self.utilisation,
            "utilisation_calibrated": self.calibrated,
            "gpu_hours": self.gpu_hours,
            "gpu_count": self.plan.gpu_count,
            "wall_clock_hours": self.wall_clock_hours,
        }


def _sig(value: float, digits: int = 6) -> Decimal:
    return Decimal(f"{value:.{digits}g}")


@functools.lru_cache(maxsize=4096)
def expected_length(mean: Decimal, batch: Decimal, cap: Decimal | None, sigma: Decimal) -> Decimal:
    """E[min(longest of ``batch`` lengths, cap)] for log-normal lengths of this mean.

    batch = 1 and no cap is the mean itself. Integrated over the standard normal
    (4,000 steps on ±8σ): E[g(max Z)] = ∫ g(z) · b·Φ(z)^(b−1)·φ(z) dz.
    """
    b = int(batch)
    if mean <= 0:
        return Decimal(0)
    if b <= 1 and cap is None:
        return mean
    s = float(sigma)
    mu = math.log(float(mean)) - s * s / 2
    limit = float(cap) if cap is not None else math.inf
    steps, low, high = 4000, -8.0, 8.0
    h = (high - low) / steps
    total = 0.0
    for i in range(steps + 1):
        z = low + i * h
        weight = h * (0.5 if i in (0, steps) else 1.0)
        density = math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
        cdf = 0.5 * (1 + math.erf(z / math.sqrt(2)))
        total += weight * min(math.exp(mu + s * z), limit) * b * cdf ** (b - 1) * density
    return _sig(total)


def layer_width(parameters: Decimal) -> Decimal:
    """n_layer · d_model estimated from the parameter count (for the attention FLOPs)."""
    return ARCH * parameters ** (Decimal(2) / Decimal(3))


def training_time(plan: TrainingPlan, calibration: Calibration = CALIBRATED) -> TrainingTime:
    """GPU-hours and wall clock of ``plan`` (see the module's formulas)."""
    if plan.finetune not in FINETUNES:
        raise ValueError(f"finetune {plan.finetune!r}")
    if plan.padding not in PADDINGS:
        raise ValueError(f"padding {plan.padding!r}")
    cap = plan.sequence_length
    mean = plan.tokens / plan.examples if plan.examples else Decimal(0)
    sigma = calibration.length_sigma
    if plan.padding == "max-length":
        if cap is None:
            raise ValueError("padding max-length needs a sequence length")
        length = cap
        micro = plan.micro_batch * cap
    elif plan.padding == "packed":
        length = expected_length(mean, Decimal(1), cap, sigma)
        micro = plan.micro_batch * (cap if cap is not None else length)
    else:
        length = expected_length(mean, plan.micro_batch, cap, sigma)
        micro = plan.micro_batch * length
    processed = plan.examples * length * plan.epochs
    k = Decimal(6 if plan.finetune == "full" else 4) + (2 if plan.recompute else 0)
    a = Decimal(8 if plan.recompute else 6)
    per_token = k * plan.parameters + a * layer_width(plan.parameters) * length
    flops = processed * per_token
    if plan.utilisation is not None:
        u, calibrated = plan.utilisation, False
    else:
        u = calibration.utilisation(plan.finetune)
        if micro > 0:
            u = u * micro / (micro + calibration.half_tokens)
        if plan.offload:
            u *= calibration.offload
        calibrated = True
    seconds = flops / (plan.peak_tflops * 10**12 * u) if flops else Decimal(0)
    hours = seconds / 3600
    return TrainingTime(
        plan=plan,
        mean_tokens=mean,
        length=length,
        processed_tokens=processed,
        flops_per_token=per_token,
        flops=flops,
        micro_batch_tokens=micro,
        utilisation=u,
        calibrated=calibrated,
        gpu_hours=hours,
        wall_clock_hours=hours / plan.gpu_count,
    )
