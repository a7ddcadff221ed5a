"""The compute half of a distillation bill: GPUs, their dated rental prices, training time,
self-hosted teachers, and the published runs the training model is calibrated on.

* :mod:`~distillcost.compute.declarations` — every key of a GPU table, declared once;
* :mod:`~distillcost.compute.records` — GPUs with dated prices, serving benchmarks;
* :mod:`~distillcost.compute.documents` — reading ``[[gpus]]`` / ``[[serving]]`` tables;
* :mod:`~distillcost.compute.table` — the layered table and the rate on a date;
* :mod:`~distillcost.compute.training` — GPU-hours of a fine-tune (6·N·D, corrected);
* :mod:`~distillcost.compute.calibration` — the published runs, the fit, the spread;
* :mod:`~distillcost.compute.serving` — an open-weight teacher on rented GPUs, priced;
* :mod:`~distillcost.compute.builtin` / :mod:`~distillcost.compute.reference` — the shipped
  tables, and the key reference pricing/README.md embeds.

Pure: no click, no printing. Import from the submodules (nothing is re-exported, so
importing one never loads the others).
"""

from __future__ import annotations
