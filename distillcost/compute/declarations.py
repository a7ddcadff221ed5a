"""Every key of a GPU table, declared once (as :mod:`distillcost.prices.declarations` does
for API prices): the readers, the validation, ``distillcost gpus`` and the key reference
in pricing/README.md derive from these.

A GPU table is a TOML/JSON document with ``[[gpus]]`` (a GPU, its peak and its dated
rental prices) and/or ``[[serving]]`` (measured generation throughput of an open-weight
model on a GPU). It goes wherever a price file goes: ``pricing/``, a plugin, the config
directory, ``--prices FILE``.
"""

from __future__ import annotations

from distillcost.prices import values
from distillcost.prices.declarations import Key

PER_GPU_HOUR = "USD per GPU-hour"

GPU_FILES: tuple[str, ...] = ("gpus.toml", "serving.toml")
"""The files of ``distillcost.pricing`` that are GPU tables, not price tables."""

DEFAULT_OFFERING = "on-demand"
OFFERINGS: tuple[str, ...] = ("on-demand", "spot", "reserved", "community", "serverless")
"""How a GPU-hour is sold: list price; preemptible; committed (a year, a capacity block);
a marketplace (median of many hosts); per-second serverless."""

# -- a GPU ---------------------------------------------------------------------------
GPU_ID = Key(
    "id", "the GPU's name in distillcost (a100-80gb, h100-sxm …)", values.name, "GPU", required=True
)
GPU_NAME = Key("name", "the vendor's name for it", values.text, "name", verbatim=True)
GPU_ALIASES = Key("aliases", "other exact names for the same GPU", values.names)
MEMORY_GB = Key("memory_gb", "memory per GPU, GB", values.positive_int, "memory (GB)")
PEAK_TFLOPS = Key(
    "peak_tflops",
    "dense BF16 tensor-core peak per GPU, TFLOP/s (FP16 where there is no BF16); sparse "
    "figures (twice the dense ones) are never used",
    values.ratio,
    "peak TFLOP/s",
)
TFLOPS_SOURCE = Key("tflops_source", "where the peak is published", values.text, verbatim=True)
GPU_NOTES = Key("notes", "free text", values.text, verbatim=True)

# -- one dated rental price of a GPU ----------------------------------------------------------
PRICE_FROM = Key(
    "effective_from",
    "the day this rate took effect (or was first seen)",
    values.day,
    "from",
    required=True,
)
OFFERING = Key(
    "offering",
    "on-demand | spot | reserved | community | serverless",
    values.choice(OFFERINGS),
    "offering",
    required=True,
)
RENTAL_PROVIDER = Key(
    "provider",
    "who rents it (a cloud, a marketplace index)",
    values.name,
    "provider",
    required=True,
)
USD_PER_GPU_HOUR = Key(
    "usd_per_gpu_hour",
    "the rate per GPU per hour (instance price ÷ GPUs in it)",
    values.money,
    "$/GPU-hour",
    required=True,
    unit=PER_GPU_HOUR,
)
INSTANCE = Key("instance", "the instance type the rate is for", values.text, verbatim=True)
REGION = Key("region", "the region the rate is for", values.text, verbatim=True)
PRICE_SOURCE = Key(
    "source", "where the rate is published, with a short quote", values.name, required=True
)
PRICE_CHECKED = Key("checked", "the date the source was read", values.day)
PRICE_VERIFIED = Key("verified", "read in the provider's own pages (default false)", values.flag)
DERIVED_FROM = Key(
    "derived_from",
    "not a list price: the published run (an id in the published runs) whose cost ÷ "
    "GPU-hours gives it; used only when its provider is named",
    values.name,
)
PRICE_UNTIL = Key(
    "until",
    "the first day the rate was no longer offered (withdrawn offers stop counting then)",
    values.day,
    "until",
)
PRICE_NOTES = Key("notes", "free text", values.text, verbatim=True)

# -- a serving benchmark: an open-weight teacher's measured throughput ---------------------
SERVING_ID = Key(
    "id",
    "the benchmark's name (a self-hosted teacher is self-hosted:ID)",
    values.name,
    "benchmark",
    required=True,
)
SERVING_ALIASES = Key("aliases", "other exact names of the same benchmark", values.names)
SERVED_MODEL = Key(
    "model", "the open-weight model served", values.text, "model", required=True, verbatim=True
)
PARAMETERS_B = Key("parameters_b", "total parameters, billions", values.ratio, "params (B)")
ACTIVE_PARAMETERS_B = Key(
    "active_parameters_b",
    "parameters active per token (mixtures of experts), billions",
    values.ratio,
    "active (B)",
)
SERVING_GPU = Key("gpu", "the GPU (an id in [[gpus]])", values.name, "GPU", required=True)
REPLICA_GPUS = Key(
    "gpus",
    "GPUs one serving replica spans (tensor/expert parallel)",
    values.positive_int,
    "GPUs/replica",
)
ENGINE = Key(
    "engine",
    "the serving engine (vLLM, TGI, SGLang, TensorRT-LLM …)",
    values.text,
    "engine",
    verbatim=True,
)
PRECISION = Key(
    "precision", "weights/activations precision", values.text, "precision", verbatim=True
)
REGIME = Key(
    "regime", "offline batch (max throughput) or latency-bound serving", values.text, verbatim=True
)
OUTPUT_TPS = Key(
    "output_tokens_per_s_per_gpu",
    "generated tokens per second per GPU (its prompts' prefill included, unless prefill is "
    "given separately)",
    values.ratio,
    "output tok/s/GPU",
    required=True,
)
PREFILL_TPS = Key(
    "prefill_tokens_per_s_per_gpu",
    "prompt tokens processed per second per GPU, when measured apart",
    values.ratio,
    "prefill tok/s/GPU",
)
INPUT_LEN = Key("input_len", "prompt tokens per request in the benchmark", values.positive_int)
OUTPUT_LEN = Key("output_len", "output tokens per request in the benchmark", values.positive_int)
MEASURED_ON = Key(
    "date", "the day the measurement was published", values.day, "date", required=True
)
SERVING_SOURCE = Key(
    "source", "where it is published, with a short quote", values.name, required=True
)
SERVING_VERIFIED = Key("verified", "read in a primary source (default false)", values.flag)
SERVING_NOTES = Key("notes", "free text", values.text, verbatim=True)

# -- the file's [meta] ----------------------------------------------------------------
META_UNIT = Key("unit", f"'{PER_GPU_HOUR}' (the only unit)", values.choice((PER_GPU_HOUR,)))
META_CHECKED = Key("checked", "the default `checked` date of every price", values.day)
META_NOTES = Key("notes", "free text", values.text, verbatim=True)
META: tuple[Key, ...] = (META_UNIT, META_CHECKED, META_NOTES)
