"""Stage 1: the volume a campaign wants, worked back to the requests it sends.

Dataset tokens per example   d = T · (c + p/k)   (T · c when prompt_in_dataset = false)
examples E given;  output_tokens V: E = V / (T·c);  dataset_tokens V: E = V / d
G = E / a   C = G / k   P = C / n   calls = P · T   R = calls (· n) · (1 + r)
requests V: calls = V (V / n when input_billed_per_sample), then forwards to E.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from distillcost.errors import ScenarioError
from distillcost.estimator.context import Point, req
from distillcost.estimator.numbers import F0
from distillcost.scenario import Scenario


@dataclass(frozen=True)
class Volume:
    """The campaign's counts, exact (fractional expected counts are kept)."""

    kind: str  # the volume the user stated: examples, output_tokens, dataset_tokens, requests
    given: Decimal  # its value
    accepted: Decimal  # E
    generated: Decimal  # G
    completions: Decimal  # C
    prompts: Decimal  # P (conversations)
    calls: Decimal  # P · T
    sent: Decimal  # calls, · n when each sample is its own request
    requests: Decimal  # R, retries included
    per_example: Decimal  # d, dataset tokens per accepted example
    dataset_tokens: Decimal  # E · d


def volume(sc: Scenario, pt: Point, p: Decimal, c: Decimal) -> Volume:
    """The counts at point ``pt``, with per-turn prompt ``p`` and completion ``c`` tokens."""
    a = req(pt, "acceptance_rate")
    k = req(pt, "examples_per_request")
    n = req(pt, "samples_per_prompt")
    T = req(pt, "turns")
    r = req(pt, "retry_rate")
    d = T * (c + (p / k if sc.prompt_in_dataset else F0))
    kind, _ = sc.volume
    given = req(pt, kind)
    if kind == "requests":
        # requests are what is sent: billed per sample, each of the n samples is its
        # own request, so the calls (each asking for n) are a 1/n share of them
        calls = given / n if sc.input_billed_per_sample else given
        prompts = calls / T
        completions = prompts * n
        generated = completions * k
        accepted = generated * a
    else:
        if kind == "examples":
            accepted = given
        elif kind == "output_tokens":
            if T * c == 0:
                raise ScenarioError(
                    "completion_tokens: must be above 0 when the volume is output_tokens"
                )
            accepted = given / (T * c)
        else:
            if d == 0:
                raise ScenarioError(
                    "completion_tokens: an example has 0 dataset tokens, so dataset_tokens "
                    "cannot be reached"
                )
            accepted = given / d
        generated = accepted / a
        completions = generated / k
        prompts = completions / n
        calls = prompts * T
    sent = calls * n if sc.input_billed_per_sample else calls
    return Volume(
        kind=kind,
        given=given,
        accepted=accepted,
        generated=generated,
        completions=completions,
        prompts=prompts,
        calls=calls,
        sent=sent,
        requests=sent * (1 + r),
        per_example=d,
        dataset_tokens=accepted * d,
    )
