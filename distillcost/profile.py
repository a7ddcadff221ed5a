"""Token profiles: how many tokens a dataset has, and how they spread over documents.

Pure values, no I/O. The estimator consumes a :class:`TokenProfile` as the
campaign's per-request token profile, so everything here is exact where it can
be and says so where it cannot:

* Per-document statistics are computed from an integer **histogram** (token count
  -> number of documents). Token counts are small integers with few distinct
  values, so the histogram is tiny whatever the number of documents, and the
  mean and quantiles are **exact**, not streaming approximations.
* ``mean`` is a ``float`` (``total / count``): it is a token statistic, not money.
* Quantiles use the **nearest-rank** definition: ``pXX`` is the smallest count
  ``v`` such that at least ``XX%`` of the documents have ``<= v`` tokens. It is
  always a value that occurs in the data.
* ``values_sample`` keeps up to :data:`SAMPLE_LIMIT` per-document values, chosen
  by a seeded reservoir (all values, in document order, when there are fewer).
  In a :class:`TokenProfile` the prompt, completion and total samples are drawn
  **jointly**: position ``i`` of each refers to the same document, so per-request
  pricing (long-context tiers) can pair a request's prompt with its completion.
* When a profile was **sampled** (``--sample``), the distributions describe the
  sampled documents and the totals are ratio estimates with a 95% confidence
  interval (:class:`SampledTotal`); use :attr:`TokenProfile.tokens`,
  :attr:`TokenProfile.prompt_tokens` and :attr:`TokenProfile.completion_tokens`,
  which are the exact totals when nothing was sampled and the estimates otherwise.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

SAMPLE_LIMIT = 100_000


def _nearest_rank(sorted_items: Sequence[tuple[int, int]], count: int, q: float) -> int:
    """Smallest value whose cumulative frequency reaches ceil(q * count)."""
    rank = max(1, math.ceil(q * count - 1e-9))
    seen = 0
    for value, freq in sorted_items:
        seen += freq
        if seen >= rank:
            return value
    return sorted_items[-1][0]


@dataclass(frozen=True)
class Distribution:
    """Per-document token counts: exact size, total, mean and nearest-rank quantiles."""

    count: int
    total: int
    mean: float
    min: int
    p50: int
    p90: int
    p99: int
    max: int
    values_sample: tuple[int, ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def from_histogram(
        cls, histogram: Counter[int] | dict[int, int], values_sample: Sequence[int] = ()
    ) -> Distribution:
        items = sorted((v, f) for v, f in histogram.items() if f)
        count = sum(f for _, f in items)
        if count == 0:
            return cls(0, 0, 0.0, 0, 0, 0, 0, 0, ())
        total = sum(v * f for v, f in items)
        return cls(
            count=count,
            total=total,
            mean=total / count,
            min=items[0][0],
            p50=_nearest_rank(items, count, 0.50),
            p90=_nearest_rank(items, count, 0.90),
            p99=_nearest_rank(items, count, 0.99),
            max=items[-1][0],
            values_sample=tuple(values_sample),
        )

    @classmethod
    def from_values(cls, values: Iterable[int], seed: int = 0) -> Distribution:
        """From per-document counts; keeps all values (or a seeded reservoir of them)."""
        reservoir = Reservoir(SAMPLE_LIMIT, seed)
        histogram: Counter[int] = Counter()
        for value in values:
            histogram[value] += 1
            reservoir.add(value)
        return cls.from_histogram(histogram, reservoir.items)

    def to_dict(self, include_values: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "count": self.count,
            "total": self.total,
            "mean": round(self.mean, 3),
            "min": self.min,
            "p50": self.p50,
            "p90": self.p90,
            "p99": self.p99,
            "max": self.max,
        }
        if include_values:
            out["values_sample"] = list(self.values_sample)
        return out


@dataclass(frozen=True)
class SampledTotal:
    """A total estimated from a sample, with its 95% confidence interval.

    ``estimate`` is the ratio estimate (tokens per input byte of the sampled
    documents x all input bytes); ``low``/``high`` bound the 95% interval and
    never go below what the sample itself already contains.
    """

    estimate: int
    low: int
    high: int
    sample_documents: int
    population_documents: int

    @property
    def half_width(self) -> int:
        return max(self.estimate - self.low, self.high - self.estimate)

    def to_dict(self) -> dict[str, Any]:
        return {
            "estimate": self.estimate,
            "low": self.low,
            "high": self.high,
            "confidence": "95%",
        }


@dataclass(frozen=True)
class TokenProfile:
    """What a set of documents costs in tokens, per side and per document.

    ``prompt``/``completion`` are ``None`` for formats without sides (plain text,
    a single ``--field``). ``bytes`` is the size of the input read; ``characters``
    counts the text actually tokenized (message contents, names, fields).
    """

    encoding: str
    documents: int
    characters: int
    bytes: int
    prompt: Distribution | None
    completion: Distribution | None
    total: Distribution
    sampled: bool = False
    sample_documents: int = 0
    tokens_estimate: SampledTotal | None = None
    prompt_estimate: SampledTotal | None = None
    completion_estimate: SampledTotal | None = None
    exact: bool = True  # False when the encoding's counts are themselves approximate
    # Sampled by seeks: the document count is estimated too, and the bytes read are known.
    documents_estimate: SampledTotal | None = None
    sample_bytes: int | None = None

    # The numbers the estimator should use: exact totals, or estimates when sampled.
    @property
    def tokens(self) -> int:
        return self.tokens_estimate.estimate if self.tokens_estimate else self.total.total

    @property
    def tokens_low(self) -> int:
        return self.tokens_estimate.low if self.tokens_estimate else self.total.total

    @property
    def tokens_high(self) -> int:
        return self.tokens_estimate.high if self.tokens_estimate else self.total.total

    @property
    def prompt_tokens(self) -> int | None:
        if self.prompt_estimate:
            return self.prompt_estimate.estimate
        return self.prompt.total if self.prompt else None

    @property
    def completion_tokens(self) -> int | None:
        if self.completion_estimate:
            return self.completion_estimate.estimate
        return self.completion.total if self.completion else None

    def to_dict(self, include_values: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "encoding": self.encoding,
            "exact": self.exact and not self.sampled,  # the counts, not the sample's estimate
            "tokenizer_exact": self.exact,
            "documents": self.documents,
            "characters": self.characters,
            "bytes": self.bytes,
            "tokens": self.tokens,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "sampled": self.sampled,
        }
        if self.sampled:
            out["sample_documents"] = self.sample_documents
            out["tokens_ci95"] = self.tokens_estimate.to_dict() if self.tokens_estimate else None
            out["prompt_tokens_ci95"] = (
                self.prompt_estimate.to_dict() if self.prompt_estimate else None
            )
            out["completion_tokens_ci95"] = (
                self.completion_estimate.to_dict() if self.completion_estimate else None
            )
            out["documents_ci95"] = (
                self.documents_estimate.to_dict() if self.documents_estimate else None
            )
            out["sample_bytes"] = self.sample_bytes
        out["per_document"] = {
            "total": self.total.to_dict(include_values),
            "prompt": self.prompt.to_dict(include_values) if self.prompt else None,
            "completion": self.completion.to_dict(include_values) if self.completion else None,
        }
        return out


class Reservoir:
    """A seeded uniform sample of at most ``k`` items from a stream (Algorithm L).

    Algorithm L draws O(k log(n/k)) random numbers instead of one per item, so
    sampling millions of documents costs almost nothing.
    """

    def __init__(self, k: int, seed: int = 0) -> None:
        self.k = k
        self.items: list[Any] = []
        self.seen = 0
        self._rng = random.Random(seed)
        self._w = 1.0
        self._next = k  # 0-based index of the next item to replace

    def _advance(self) -> None:
        random = self._rng.random
        self._w *= math.exp(math.log(random() or 1e-300) / self.k)
        gap = math.floor(math.log(random() or 1e-300) / math.log1p(-self._w))
        self._next += gap + 1

    def add(self, item: Any) -> None:
        i = self.seen
        self.seen += 1
        if i < self.k:
            self.items.append(item)
            if self.seen == self.k:
                self._next = self.k - 1
                self._advance()
            return
        if i == self._next:
            self.items[int(self._rng.random() * self.k)] = item
            self._advance()

    def extend(self, items: Sequence[Any]) -> None:
        """Add a batch; only the few items that enter the reservoir cost Python work."""
        base = self.seen
        j = 0
        while j < len(items) and self.seen < self.k:
            self.add(items[j])
            j += 1
        end = base + len(items)
        k = self.k
        if not k or self._next >= end:
            self.seen = end
            return
        random = self._rng.random
        log, exp, log1p = math.log, math.exp, math.log1p
        reservoir = self.items
        w, nxt = self._w, self._next
        while nxt < end:
            reservoir[int(random() * k)] = items[nxt - base]
            w *= exp(log(random() or 1e-300) / k)
            nxt += int(log(random() or 1e-300) / log1p(-w)) + 1
        self._w, self._next = w, nxt
        self.seen = end


class ProfileBuilder:
    """Accumulates per-document counts into exact histograms and a joint reservoir."""

    def __init__(self, encoding: str, sided: bool, seed: int = 0) -> None:
        self.encoding = encoding
        self.sided = sided
        self.documents = 0
        self.characters = 0
        self.bytes = 0
        self.hist_total: Counter[int] = Counter()
        self.hist_prompt: Counter[int] = Counter()
        self.hist_completion: Counter[int] = Counter()
        self._reservoir = Reservoir(SAMPLE_LIMIT, seed)

    def add(self, prompt: Sequence[int], completion: Sequence[int] | None = None) -> None:
        """Add a batch of documents: their prompt-side (or only) and completion counts."""
        if completion is None:
            if self.sided:
                raise ValueError("a sided profile needs completion counts")
            totals: Sequence[int] = prompt
            self._reservoir.extend(prompt)
        else:
            totals = [p + c for p, c in zip(prompt, completion, strict=True)]
            self.hist_prompt.update(prompt)
            self.hist_completion.update(completion)
            self._reservoir.extend(list(zip(prompt, completion, totals, strict=True)))
        self.hist_total.update(totals)
        self.documents += len(totals)

    def build(self, **extra: Any) -> TokenProfile:
        items = self._reservoir.items
        prompt: Distribution | None
        completion: Distribution | None
        if self.sided:
            prompt_vals = [it[0] for it in items]
            completion_vals = [it[1] for it in items]
            total_vals = [it[2] for it in items]
            prompt = Distribution.from_histogram(self.hist_prompt, prompt_vals)
            completion = Distribution.from_histogram(self.hist_completion, completion_vals)
        else:
            total_vals = list(items)
            prompt = completion = None  # one-sided profile
        total = Distribution.from_histogram(self.hist_total, total_vals)
        return TokenProfile(
            encoding=self.encoding,
            documents=extra.pop("documents", self.documents),
            characters=extra.pop("characters", self.characters),
            bytes=extra.pop("bytes", self.bytes),
            prompt=prompt,
            completion=completion,
            total=total,
            **extra,
        )
