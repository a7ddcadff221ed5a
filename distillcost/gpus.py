"""GPU presets for the student's 6·N·D training-FLOPs estimate.

Peak figures are **dense** BF16/FP16 tensor-core TFLOP/s from the vendors'
datasheets (NVIDIA prints sparse figures with an asterisk; those are exactly
twice the dense ones and are not used here). Real training reaches a fraction
of the peak: the scenario's ``utilisation`` (default 0.4) is that fraction.
Rental prices change weekly and differ by provider, so no preset carries one:
the scenario states ``usd_per_gpu_hour``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from distillcost.errors import UnknownNameError


@dataclass(frozen=True)
class GPU:
    id: str
    name: str
    peak_tflops: Decimal  # dense BF16 (FP16 where the GPU has no BF16)
    memory_gb: int
    source: str
    aliases: tuple[str, ...] = ()


GPUS: tuple[GPU, ...] = (
    # NVIDIA A100 Tensor Core GPU datasheet: BF16 Tensor Core 312 TFLOPS | 624* (sparse)
    GPU(
        "a100-80gb",
        "NVIDIA A100 80GB SXM",
        Decimal(312),
        80,
        "NVIDIA A100 datasheet: BF16 Tensor Core 312 TFLOPS dense",
        ("a100", "a100-sxm", "a100-80g"),
    ),
    GPU(
        "a100-40gb",
        "NVIDIA A100 40GB",
        Decimal(312),
        40,
        "NVIDIA A100 datasheet: BF16 Tensor Core 312 TFLOPS dense",
        ("a100-40g",),
    ),
    # NVIDIA H100 datasheet: SXM BF16 1,979 TFLOPS* (sparse) -> 989 dense; PCIe 1,513* -> 756
    GPU(
        "h100-sxm",
        "NVIDIA H100 SXM 80GB",
        Decimal(989),
        80,
        "NVIDIA H100 datasheet: BF16 1,979 TFLOPS with sparsity = 989 dense",
        ("h100",),
    ),
    GPU(
        "h100-pcie",
        "NVIDIA H100 PCIe 80GB",
        Decimal(756),
        80,
        "NVIDIA H100 datasheet: PCIe BF16 1,513 TFLOPS with sparsity = 756 dense",
    ),
    # NVIDIA H200 datasheet: BF16 1,979 TFLOPS* (sparse) -> 989 dense (H100 compute, 141 GB)
    GPU(
        "h200",
        "NVIDIA H200 SXM 141GB",
        Decimal(989),
        141,
        "NVIDIA H200 datasheet: BF16 1,979 TFLOPS with sparsity = 989 dense",
        ("h200-sxm",),
    ),
    # NVIDIA HGX B200: FP16/BF16 4.5 PFLOPS* per GPU (sparse) -> 2,250 dense
    GPU(
        "b200",
        "NVIDIA B200 180GB",
        Decimal(2250),
        180,
        "NVIDIA HGX B200 spec: BF16 4.5 PFLOPS with sparsity = 2.25 PFLOPS dense",
    ),
    # NVIDIA L40S datasheet: BF16 362.05 | 733* TFLOPS
    GPU(
        "l40s",
        "NVIDIA L40S 48GB",
        Decimal(362),
        48,
        "NVIDIA L40S datasheet: BF16 Tensor 362 TFLOPS dense",
    ),
    # NVIDIA L4 datasheet: BF16 242* TFLOPS (sparse) -> 121 dense
    GPU(
        "l4",
        "NVIDIA L4 24GB",
        Decimal(121),
        24,
        "NVIDIA L4 datasheet: BF16 242 TFLOPS with sparsity = 121 dense",
    ),
    # NVIDIA A10 datasheet: BF16 125 | 250* TFLOPS
    GPU(
        "a10",
        "NVIDIA A10 24GB",
        Decimal(125),
        24,
        "NVIDIA A10 datasheet: BF16 Tensor 125 TFLOPS dense",
    ),
    # NVIDIA V100 datasheet (SXM2): 125 TFLOPS tensor (FP16; no BF16)
    GPU(
        "v100",
        "NVIDIA V100 SXM2",
        Decimal(125),
        32,
        "NVIDIA V100 datasheet: Tensor Performance 125 TFLOPS (FP16)",
    ),
    # NVIDIA T4 datasheet: mixed precision FP16/FP32 65 TFLOPS
    GPU(
        "t4",
        "NVIDIA T4 16GB",
        Decimal(65),
        16,
        "NVIDIA T4 datasheet: FP16/FP32 mixed precision 65 TFLOPS",
    ),
    # AMD Instinct MI300X datasheet: BF16 1,307.4 TFLOPS dense (2,614.9 with sparsity)
    GPU(
        "mi300x",
        "AMD Instinct MI300X 192GB",
        Decimal("1307.4"),
        192,
        "AMD MI300X datasheet: peak BF16 1,307.4 TFLOPS dense",
    ),
)

_BY_NAME: dict[str, GPU] = {}
for _gpu in GPUS:
    for _name in (_gpu.id, *_gpu.aliases):
        _BY_NAME[_name] = _gpu


def get_gpu(name: str) -> GPU:
    """The preset called ``name`` (case-insensitive id or alias)."""
    gpu = _BY_NAME.get(name.lower().strip())
    if gpu is None:
        raise UnknownNameError(
            "GPU", name, [g.id for g in GPUS], hint="(or give gpu_tflops directly)"
        )
    return gpu
