"""The pure cost model: (Scenario, PriceTable) -> Estimate, exact, with its worked steps.

Stages, one module each: :mod:`.volume` (1), :mod:`.billing` (2-4), :mod:`.wallclock`
(5), :mod:`.student` (6); :mod:`.core` drives them and the ranges (7); :mod:`.steps`
writes the base case out as the steps every output prints.

Nothing here reads files, prints or imports click/pandas at module level. The
arithmetic is ``Decimal`` at 50 significant digits (:data:`PRECISION`), so
``0.44`` acceptance and ``$0.002`` per 1K tokens leave no binary-float noise and
any rounding error sits ~40 digits below a cent; results are stored rounded to
1e-10 USD (money) and 1e-6 (tokens), and rounded further only for display.

The cost model
==============

Symbols (per scenario; each may be a range low..base..high):
  E  accepted examples wanted        a  acceptance_rate       r  retry_rate
  k  examples_per_request            n  samples_per_prompt    T  turns
  p  prompt_tokens (unique, per turn)                          s  shared_prefix_tokens
  c  completion_tokens per example   q  reasoning_tokens per completion
  h  cache_hit_rate                  u  per-request price (per_request_usd, else the table's)

1. Volume back to requests.
   Dataset tokens per example   d = T · (c + p/k)   (T · c when prompt_in_dataset = false)
   examples:        E given            output_tokens V:  E = V / (T·c)
   dataset_tokens V: E = V / d          requests V:       calls = V (then E follows forwards;
                                                      V / n when input_billed_per_sample)
   Generated examples      G = E / a
   Completions             C = G / k
   Prompts (conversations) P = C / n
   Calls                   calls = P · T
   Requests sent           R = calls · (1 + r)        (· n more, with n = 1 each, when
                                                      input_billed_per_sample)
   Retries are billed in full (input and output). The arithmetic keeps fractional
   expected counts, so cost is exactly linear in volume; "requests" is reported
   rounded up to a whole request ("requests_exact" keeps the fraction).

2. Tokens per request (single turn): input = s + p; output = n·k·c; reasoning = n·q.
   Multi-turn (k = n = 1): turn t (1..T) resends the history, so its input is
   s + t·p + (t−1)·c, and a conversation's input is
   T·s + p·T(T+1)/2 + c·T(T−1)/2 (quadratic in T); output T·c, reasoning T·q.
   Measured profiles with a token_ratio (non-OpenAI tokenizers) have p and c
   multiplied by the model's token_ratio; a chat file measures whole
   conversations, so with T turns its p and c are divided by T.

3. Cache (on the shared prefix only): cached reads = R·h·s at the cached-input
   price (never above the input price in force); the missed prefix R·(1−h)·s is a
   cache write at the cache_write price when the table bills writes and h > 0,
   otherwise ordinary input. Unique prompt tokens are always uncached input.

4. Prices (USD per 1M tokens, resolved on the as-of date):
   cost = Σ tokens_kind × price_kind / 1,000,000 + R × u
   batch = true uses batch_input/batch_output (an error if the model has none on
   that date); cache reads and writes get the same batch ratio (Anthropic's
   rule; assumed elsewhere, and noted).
   Long-context tiers are decided PER REQUEST: a request whose prompt (s + its
   unique input) exceeds a tier's threshold pays that tier's rates for all
   its tokens. With numbers every request has the same prompt (per turn); with a
   measured profile the sampled per-request prompt lengths split requests between
   tiers (pricing the campaign as one giant request would be wrong). With batch, a
   tier's rates get the same batch discount ratio. token_billing = false charges
   only R × u (a flat "cost per query" reading).

5. Time (seconds; limits are per key, × keys):
   rpm: R·60/(rpm·keys)    rpd: R·86400/(rpd·keys)
   tpm: (input+output+reasoning)·60/(tpm·keys)    tpd: same ·86400/(tpd·keys)
   concurrency × latency: R·latency/(concurrency·keys)
   batch: ⌈input tokens/(batch_queue_tokens·keys)⌉ rounds × batch_hours·3600
   (one round without a queue limit). Wall clock = the largest; it names the
   binding limit. No limits given: no wall clock.

6. Student: training tokens D = (training_tokens or accepted dataset tokens) × epochs.
   fine-tune: D × training price / 1M (the student_model's `training` price).
   gpu:       the calibrated training model (distillcost.compute.training):
              P = E × L × epochs tokens processed (L: the length a sequence occupies:
              packed = mean tokens, longest = E[longest of a micro-batch], max-length);
              FLOPs = P × (k·N + a·0.036·N^(2/3)·L), k = 6 full / 4 LoRA, +2 and a = 8
              with recompute (else a = 6); utilisation u = U × m ÷ (m + M½) (× offload),
              fitted on published runs (docs/calibration.md) unless given;
              GPU-hours = FLOPs ÷ (peak FLOP/s × u) ÷ 3600; wall clock = ÷ GPUs.
   gpu-hours: GPU-hours given.
   cost = GPU-hours × usd_per_gpu_hour, else × the GPU table's rate for the GPU on the
   date (on-demand unless said otherwise: the median of the providers' rates in force).

7. Ranges: base uses every base value. Sensitivity: the total with one ranged
   parameter at its low and at its high end, the others at base, sorted by swing.
   The low total puts every ranged parameter at its cost-minimising end (acceptance
   high, tokens low...), the high total at its cost-maximising end.

   $ per 1M dataset tokens = API cost / dataset tokens × 10^6.
"""

from __future__ import annotations

from distillcost.estimator.billing import COST_KINDS, TOKEN_KINDS
from distillcost.estimator.core import Totals, check_inputs, estimate, totals
from distillcost.estimator.numbers import PRECISION
from distillcost.estimator.result import COST_LABELS, Estimate, Sensitivity

METHOD: str = __doc__[__doc__.index("The cost model") :] if __doc__ else ""
"""The formulas above, for reports' method sections and ``--explain``."""

__all__ = [
    "COST_KINDS",
    "COST_LABELS",
    "METHOD",
    "PRECISION",
    "TOKEN_KINDS",
    "Estimate",
    "Sensitivity",
    "Totals",
    "check_inputs",
    "estimate",
    "totals",
]
