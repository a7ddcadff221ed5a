"""The compute half of a distillation bill: GPUs, their dated rental prices, training time,
self-hosted teachers, and the published runs the training model is calibrated on.

* :mod:`~distillcost.compute.declarations` — every key of a GPU table, declared once;
* :mod:`~distillcost.compute.records` — GPUs with dated prices, serving benchmarks;
* :mod:`~distillcost.compute.documents` — reading ``[[gpus]]`` / ``[[serving]]`` tables;
* :mod:`~distillcost.compute.table` — the layered table and the rate on a date;
* :mod:`~distillcost.compute.training` — GPU-hours of a fine-tune (6·N·D, corrected);
* :mod:`~distillcost.compute.calibration` — the published runs, the fit, the spread;
* :mod:`~distillcost.compute.serving` — an open-weight teacher on rented GPUs, priced.

Pure: no click, no printing. Names are re-exported lazily.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS: dict[str, str] = {
    "Gpu": "records",
    "GpuPrice": "records",
    "ServingBenchmark": "records",
    "ComputeTable": "table",
    "GpuRate": "table",
    "builtin_compute": "builtin",
    "compute_of": "builtin",
    "TrainingPlan": "training",
    "TrainingTime": "training",
    "training_time": "training",
    "CALIBRATED": "training",
    "PublishedRun": "calibration",
    "calibration_report": "calibration",
    "published_runs": "calibration",
    "SELF_HOSTED_PREFIX": "serving",
    "self_hosted_record": "serving",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'distillcost.compute' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"distillcost.compute.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
