"""Count the tokens of files: readers -> batches -> tokenizer -> token profiles.

How chat records are counted (OpenAI's published recipe, the openai-cookbook
"How to count tokens with tiktoken", ``num_tokens_from_messages`` for gpt-4 /
gpt-4o: ``tokens_per_message = 3``, ``tokens_per_name = 1``, every reply primed
with 3 tokens), split into the two sides a distillation campaign pays for::

    prompt     = 3                                   # reply priming, once per conversation
               + sum over non-assistant messages of
                   3 + tokens(role) + tokens(content) [+ tokens(name) + 1 if a name is given]
    completion = sum over assistant messages of tokens(content)   # no overhead

ShareGPT turns are mapped to roles first (human -> user, gpt -> assistant,
system -> system). Instruction records: prompt = tokens(instruction + "\\n" +
input) (just the instruction when input is empty), completion = tokens(output);
prompt/completion records: tokens(prompt), tokens(completion). Plain text and
``--field`` values: tokens of the text, one side only. Every text is encoded as
ordinary text: ``<|endoftext|>`` in the data is counted like any other string.

Memory stays constant: documents flow in batches of ~0.5-1 MB of text through
``TokenCounter.count_batch`` (all cores), one batch counting on a thread while
the next is read and parsed; per-document counts are kept only as exact
histograms and a 100,000-document reservoir (see :mod:`distillcost.profile`); a
whole text file is streamed through ``count_chunks``. Measured peak RSS on 1 GB
inputs (2 cores, toktok): chat JSONL 126 MB, text per line 119 MB, whole text
152-158 MB, 1% samples 114 MB.

Sampling (``sample=``) estimates totals from a random sample of documents with a
**ratio estimator by bytes**: tokens per input byte of the sampled documents x
the input bytes of all documents (every document's byte size is known without
parsing it; e.g. a JSONL line's length). A fraction ``f`` samples each document
independently with probability ``f``; an integer ``n`` takes a simple random
sample of ``n`` documents from each file. The 95% interval uses the
linearisation variance with finite-population correction::

    R = sum(y) / sum(x) over the sample;  T = R * X
    jackknife: R_(i) = (sum(y) - y_i) / (sum(x) - x_i) for each sampled document i
    Var(T) = (1 - n/N) * (n - 1)/n * sum((R_(i) - mean R_(.))^2) * X^2
    95% interval: T +- t(0.975, n-1) * sqrt(Var), never below the sample's own tokens

The jackknife is the linearisation variance (N^2 (1-n/N) s_e^2 / n, e_i = y_i -
R x_i) with a small-sample correction for documents that weigh heavily in the
ratio; with more than 1M sampled documents in a file, where the two agree, the
streaming g-weighted linearisation is used instead. Measured coverage on
deliberately skewed synthetic data (lognormal lengths; prose, CJK, digits and
code mixed): ~93% at n ~ 150 (plain linearisation: ~92%), ~91% at n ~ 30,
approaching 95% as n grows (tests/test_counting.py checks 200 seeds).

Files are strata: totals and variances add up. Unsampled records are never
parsed, so a malformed line outside the sample goes unnoticed.
"""

from __future__ import annotations

import math
import os
import random
import sys
import time
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from distillcost.errors import InputError, TooLargeError
from distillcost.profile import Distribution, ProfileBuilder, SampledTotal, TokenProfile
from distillcost.readers import (
    DEFAULT_GLOB,
    FORMATS_IN,
    MAX_RECORD_BYTES,
    WHOLE_BLOCK,
    BadRecord,
    Doc,
    LineBlock,
    Source,
    Unit,
    doc_bytes,
    doc_chars,
    open_source,
    walk_inputs,
)

CHAT_FORMULA = (
    "prompt = 3 (reply priming) + for each non-assistant message: 3 + tokens(role) + "
    "tokens(content) [+ tokens(name) + 1]; completion = tokens of assistant contents"
)
BATCH_CHARS = 1 << 20  # tokenizer memory grows with the batch: keep it small
BATCH_DOCS = 20_000
MAX_WARNINGS = 5


@dataclass(frozen=True)
class FileCount:
    source: str
    format: str
    profile: TokenProfile
    skipped: int = 0

    def to_dict(self, include_values: bool = False) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "skipped": self.skipped,
            **self.profile.to_dict(include_values),
        }


@dataclass(frozen=True)
class CountResult:
    """Per-file profiles and their total, with how the counting was done."""

    files: tuple[FileCount, ...]
    total: TokenProfile
    encoding: str
    backend: str
    exact: bool
    note: str = ""
    skipped: int = 0  # bad records plus unreadable files (--skip-bad)
    warnings: tuple[str, ...] = ()
    skipped_files: int = 0  # of ``skipped``: whole files left out

    @property
    def has_chat(self) -> bool:
        return any(f.format.endswith(("/chat", "/sharegpt")) for f in self.files)

    def to_dict(self, include_values: bool = False) -> dict[str, Any]:
        return {
            "encoding": self.encoding,
            "backend": self.backend,
            "exact": self.exact,
            "note": self.note,
            "chat_formula": CHAT_FORMULA if self.has_chat else None,
            "skipped": self.skipped,
            "skipped_files": self.skipped_files,
            "files": [f.to_dict(include_values) for f in self.files],
            "total": self.total.to_dict(include_values),
        }


# ---------------------------------------------------------------- sampling statistics


def t975(df: int) -> float:
    """Two-sided 95% quantile of Student's t (exact table to 30 df, then an expansion)."""
    table = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
             2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
             2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)  # fmt: skip
    if df < 1:
        return math.inf
    if df <= 30:
        return table[df - 1]
    z = 1.959964
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


JACKKNIFE_LIMIT = 1_000_000  # sampled documents kept per file for the jackknife variance


@dataclass
class _Moments:
    """Exact integer sums for one study variable y against the byte size x."""

    sy: int = 0
    syy: int = 0
    sxy: int = 0
    values: array[int] = field(default_factory=lambda: array("q"))


@dataclass
class Stratum:
    """Sampling sums of one file: population size/bytes, sample sums, per variable.

    The sampled (x, y) pairs are kept (8 bytes each, up to :data:`JACKKNIFE_LIMIT`)
    for the jackknife variance; beyond that the streaming linearisation is used.
    """

    population: int = 0  # N documents (or chunks)
    population_bytes: int = 0  # X
    n: int = 0
    sx: int = 0
    sxx: int = 0
    ys: dict[str, _Moments] = field(default_factory=dict)
    xs: array[int] = field(default_factory=lambda: array("q"))

    def add_population(self, x: int) -> None:
        self.population += 1
        self.population_bytes += x

    def add_population_bulk(self, count: int, size: int) -> None:
        self.population += count
        self.population_bytes += size

    def add_sample(self, x: int, values: dict[str, int]) -> None:
        self.n += 1
        self.sx += x
        self.sxx += x * x
        keep = self.n <= JACKKNIFE_LIMIT
        if keep:
            self.xs.append(x)
        for key, y in values.items():
            m = self.ys.get(key)
            if m is None:
                m = self.ys[key] = _Moments()
            m.sy += y
            m.syy += y * y
            m.sxy += x * y
            if keep:
                m.values.append(y)

    def estimate(self, key: str) -> tuple[float, float, int]:
        """(estimated total, its variance, observed sample total) for variable ``key``."""
        m = self.ys.get(key, _Moments())
        big_n, n = self.population, self.n
        if n == 0 or self.sx == 0:
            return float(m.sy), 0.0, m.sy
        ratio = m.sy / self.sx
        total = ratio * self.population_bytes
        if n >= big_n or n < 2:
            return (float(m.sy) if n >= big_n else total), 0.0, m.sy
        fpc = 1 - n / big_n
        if n <= JACKKNIFE_LIMIT and len(m.values) == n:
            # Jackknife: the ratio re-estimated with each sampled document left out.
            sx, sy = self.sx, m.sy
            ratios = [
                (sy - y) / (sx - x) if sx != x else ratio
                for x, y in zip(self.xs, m.values, strict=True)
            ]
            mean = math.fsum(ratios) / n
            spread = math.fsum((r - mean) ** 2 for r in ratios)
            var = fpc * (n - 1) / n * spread * self.population_bytes**2
            return total, var, m.sy
        # Linearisation: sum of squared residuals e_i = y_i - R x_i, exactly
        # (Syy*Sx^2 - 2*Sy*Sxy*Sx + Sy^2*Sxx) / Sx^2, then the g-weighted variance.
        sse_num = m.syy * self.sx**2 - 2 * m.sy * m.sxy * self.sx + m.sy**2 * self.sxx
        sse = max(sse_num, 0) / self.sx**2
        g = (self.population_bytes / big_n) / (self.sx / n)
        var = g * g * big_n**2 * fpc * (sse / (n - 1)) / n
        return total, var, m.sy


def combine(strata: Sequence[Stratum], key: str) -> SampledTotal:
    """Stratified total with its 95% interval (totals and variances add up)."""
    total = var = 0.0
    floor = 0
    df = 0
    n = population = 0
    for s in strata:
        t, v, observed = s.estimate(key)
        total += t
        var += v
        floor += observed
        if v > 0:
            df += s.n - 1
        n += s.n
        population += s.population
    half = t975(df) * math.sqrt(var) if var > 0 else 0.0
    estimate = round(total)
    low = max(math.floor(total - half), floor)
    high = max(math.ceil(total + half), estimate)
    return SampledTotal(estimate, min(low, estimate), high, n, population)


# ---------------------------------------------------------------- counting batches


class _Tally:
    """Turns batches of Docs into per-document prompt/completion counts."""

    def __init__(self, counter: Any) -> None:
        self.counter = counter
        self._roles: dict[str, int] = {}
        self._overheads: dict[tuple[tuple[str, ...], int], int] = {}

    def role_tokens(self, role: str) -> int:
        n = self._roles.get(role)
        if n is None:
            n = self._roles[role] = self.counter.count(role)
        return n

    def overhead(self, roles: tuple[str, ...], names: int) -> int:
        """Chat prompt overhead: 3 priming + per message 3 + tokens(role), + 1 per name."""
        key = (roles, names)
        n = self._overheads.get(key)
        if n is None:
            n = 3 + 3 * len(roles) + names + sum(self.role_tokens(r) for r in roles)
            self._overheads[key] = n
        return n

    def __call__(self, docs: Sequence[Doc]) -> tuple[list[int], list[int] | None]:
        simple = True
        for d in docs:
            if len(d.prompt) != 1 or d.completion is not None:
                simple = False
                break
        if simple:  # one text per document: the counts are the answer
            return self.counter.count_batch([d.prompt[0] for d in docs]), None
        texts: list[str] = []
        extend = texts.extend
        for d in docs:
            extend(d.prompt)
            if d.completion:
                extend(d.completion)
        prefix = [0, *accumulate(self.counter.count_batch(texts))]
        prompt: list[int] = []
        completion: list[int] = []
        i = 0
        overhead = self.overhead
        for d in docs:
            j = i + len(d.prompt)
            p = prefix[j] - prefix[i]
            i = j
            if d.completion:
                j = i + len(d.completion)
                c = prefix[j] - prefix[i]
                i = j
            else:
                c = 0
            if d.chat:
                p += overhead(d.roles, d.names)
            prompt.append(p)
            completion.append(c)
        return prompt, completion


class _LineView(Sequence[tuple[None, Unit, int]]):
    """The non-blank lines of a block as sampling items, built only when looked at."""

    def __init__(self, blk: LineBlock) -> None:
        self._blk = blk

    def __len__(self) -> int:
        return len(self._blk.keep)

    def __getitem__(self, k: Any) -> Any:
        i = self._blk.keep[k]
        line = self._blk.lines[i]
        return (None, Unit(line, len(line) + 1, self._blk.first_line + i), len(line) + 1)


def pipelined(
    batches: Iterable[Any], work: Callable[[Any], Any], done: Callable[[Any, Any], None]
) -> None:
    """``done(batch, work(batch))`` for each batch, in order, with ``work`` on a thread.

    The tokenizer releases the GIL, so batch i is counted while the main thread reads
    and parses batch i+1; at most two batches are in memory.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="distillcost-count") as pool:
        previous = None
        for batch in batches:
            future = pool.submit(work, batch)
            if previous is not None:
                done(previous[0], previous[1].result())
            previous = (batch, future)
        if previous is not None:
            done(previous[0], previous[1].result())


class _Progress:
    """A one-line progress bar on stderr, redrawn at most 5 times a second."""

    def __init__(self, total: int | None, stream: Any = None) -> None:
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.start = time.monotonic()
        self._last = 0.0

    def __call__(self, delta: int) -> None:
        self.done += delta
        now = time.monotonic()
        if now - self._last < 0.2:
            return
        self._last = now
        mb = self.done / 1e6
        rate = mb / max(now - self.start, 1e-9)
        if self.total:
            frac = min(self.done / self.total, 1.0)
            bar = "#" * int(frac * 30)
            line = f"\r[{bar:<30}] {frac:6.1%} {mb:,.0f} MB {rate:,.1f} MB/s"
        else:
            line = f"\r{mb:,.0f} MB {rate:,.1f} MB/s"
        self.stream.write(line)
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\r" + " " * 70 + "\r")
        self.stream.flush()


# ---------------------------------------------------------------- the public API


MAX_SAMPLE_DOCS = 10**18
"""A sample this large takes every document of any file that can exist."""


def _sample_mode(sample: float | int | None) -> tuple[str, float]:
    if sample is None:
        return "", 0.0
    if isinstance(sample, bool) or not isinstance(sample, (int, float)):
        raise InputError(
            f"sample must be a fraction in (0, 1] or a number of documents >= 2, "
            f"not {type(sample).__name__} {sample!r}"
        )
    if isinstance(sample, int):
        if sample < 2:
            raise InputError(f"a sample of {sample} documents is too small (at least 2)")
        # more documents than any file holds is every document; 10**400 overflowed float()
        return "n", float(min(sample, MAX_SAMPLE_DOCS))
    if not (0 < sample <= 1):  # NaN fails this too
        raise InputError(f"sample fraction {sample} is not in (0, 1]")
    return "fraction", float(sample)


class _Run:
    """One call of count_files: shared counter, builders, warnings."""

    def __init__(
        self,
        counter: Any,
        skip_bad: bool,
        seed: int,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.counter = counter
        self.tally = _Tally(counter)
        self.skip_bad = skip_bad
        self.seed = seed
        self.progress = progress
        self.warnings: list[str] = []
        self.skipped = 0

    def bad(self, src: Source, where: int, exc: BadRecord) -> None:
        message = f"{src.where(where)}: {exc}"
        if not self.skip_bad:
            hint = " (use --skip-bad to skip such records)" if src.container != "text" else ""
            raise InputError(message + hint) from None
        self.skipped += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append("skipped " + message)

    def record(
        self,
        docs: list[Doc],
        counted: tuple[list[int], list[int] | None],
        builders: Sequence[ProfileBuilder],
    ) -> None:
        prompt, completion = counted
        self.add_counts(sum(doc_chars(d) for d in docs), prompt, completion, builders)

    @staticmethod
    def add_counts(
        chars: int,
        prompt: list[int],
        completion: list[int] | None,
        builders: Sequence[ProfileBuilder],
    ) -> None:
        """Add one batch's per-document counts to every builder (per side where sided)."""
        for b in builders:
            b.characters += chars
            if b.sided:
                b.add(prompt, completion)
            elif completion is not None:
                b.add([p + c for p, c in zip(prompt, completion, strict=True)])
            else:
                b.add(prompt)

    # -- exact --------------------------------------------------------------------

    def exact(self, src: Source, builders: Sequence[ProfileBuilder]) -> int:
        """Count every document of ``src``; returns how many records were skipped."""
        skipped_before = self.skipped
        if src.whole_text:
            chars = 0

            def blocks() -> Iterable[str]:
                nonlocal chars
                for block in src.text_blocks(self.progress, WHOLE_BLOCK):
                    chars += len(block)
                    yield block

            n = self.counter.count_chunks(blocks())
            for b in builders:
                b.characters += chars
                b.add([n], [0]) if b.sided else b.add([n])
            return 0

        def on_bad(where: int, exc: BadRecord) -> None:
            self.bad(src, where, exc)

        if src.one_text:

            def record_texts(texts: list[str], counts: list[int]) -> None:
                chars = sum(map(len, texts))
                for b in builders:
                    b.characters += chars
                    b.add(counts)

            texts = src.text_batches(on_bad, self.progress)
            pipelined(texts, self.counter.count_batch, record_texts)
        else:
            docs = src.doc_batches(on_bad, self.progress, BATCH_CHARS, BATCH_DOCS)
            pipelined(docs, self.tally, lambda d, counted: self.record(d, counted, builders))
        return self.skipped - skipped_before

    # -- sampled ------------------------------------------------------------------

    def sampled(
        self,
        src: Source,
        index: int,
        mode: str,
        amount: float,
        builders: Sequence[ProfileBuilder],
    ) -> tuple[Stratum, int]:
        """Sample ``src``; returns its stratum and how many records were skipped."""
        rng = random.Random(f"{self.seed}/{index}")
        stratum = Stratum()
        parse = src.parser()
        skipped_before = self.skipped
        batch: list[tuple[Doc | None, Unit, int]] = []

        def on_bad(where: int, exc: BadRecord) -> None:
            self.bad(src, where, exc)

        def measured(unit: Unit) -> tuple[Doc | None, int] | None:
            if unit.size is not None:
                return None, unit.size
            try:
                doc = parse(unit)
            except BadRecord as exc:
                self.bad(src, unit.where, exc)
                return None
            return doc, doc_bytes(doc)

        def take(items: list[tuple[Doc | None, Unit, int]]) -> None:
            docs: list[Doc] = []
            sizes: list[int] = []
            for doc, unit, x in items:
                if doc is None:
                    try:
                        doc = parse(unit)
                    except BadRecord as exc:
                        self.bad(src, unit.where, exc)
                        stratum.add_sample(x, {"total": 0, "prompt": 0, "completion": 0})
                        continue
                docs.append(doc)
                sizes.append(x)
            if not docs:
                return
            prompt, completion = self.tally(docs)
            chars = 0
            for i, d in enumerate(docs):
                c = completion[i] if completion is not None else 0
                n_chars = doc_chars(d)
                chars += n_chars
                stratum.add_sample(
                    sizes[i],
                    {
                        "total": prompt[i] + c,
                        "prompt": prompt[i],
                        "completion": c,
                        "chars": n_chars,
                    },
                )
            if not src.whole_text:
                self.add_counts(chars, prompt, completion, builders)

        if mode == "fraction":
            log_q = math.log1p(-amount) if amount < 1 else -math.inf
            random_ = rng.random
            log = math.log

            def gap() -> int:
                if amount >= 1:
                    return 0
                return int(log(random_() or 1e-300) / log_q)

            skip = gap()
            size = 0
            if src.line_based:  # skip whole runs of lines without touching them
                for blk in src.line_blocks(self.progress, on_bad):
                    stratum.add_population_bulk(len(blk.keep), blk.size)
                    view = _LineView(blk)
                    pos = skip
                    while pos < len(view):
                        item = view[pos]
                        batch.append(item)
                        size += item[2]
                        if size >= BATCH_CHARS or len(batch) >= BATCH_DOCS:
                            take(batch)
                            batch = []
                            size = 0
                        pos += gap() + 1
                    skip = pos - len(view)
            else:
                for unit in src.units(self.progress, on_bad):
                    m = measured(unit)
                    if m is None:
                        continue
                    stratum.add_population(m[1])
                    if skip:
                        skip -= 1
                        continue
                    skip = gap()
                    batch.append((m[0], unit, m[1]))
                    size += m[1]
                    if size >= BATCH_CHARS or len(batch) >= BATCH_DOCS:
                        take(batch)
                        batch = []
                        size = 0
            take(batch)
        else:
            from distillcost.profile import Reservoir

            reservoir = Reservoir(int(amount), rng.randrange(2**32))
            if src.line_based:
                for blk in src.line_blocks(self.progress, on_bad):
                    stratum.add_population_bulk(len(blk.keep), blk.size)
                    reservoir.extend(_LineView(blk))
            else:
                for unit in src.units(self.progress, on_bad):
                    m = measured(unit)
                    if m is None:
                        continue
                    stratum.add_population(m[1])
                    reservoir.add((m[0], unit, m[1]))
            chosen = sorted(reservoir.items, key=lambda item: item[1].where)
            for start in range(0, len(chosen), BATCH_DOCS):
                take(chosen[start : start + BATCH_DOCS])
        return stratum, self.skipped - skipped_before


_HEAP_TUNED = False


def _limit_heap_growth() -> None:
    """Stop glibc's heap from growing while text is decoded in large blocks.

    glibc raises its mmap threshold each time a large block is freed, after which
    every decoded block (a fresh 0.5-2 MB string) comes from the heap, which
    fragments: decoding a 200 MB file in 512 KiB blocks peaked at 162 MB RSS, 17 MB
    with a fixed threshold. Fixing the threshold at 256 KiB (mallopt) keeps large
    blocks in mmap, returned to the OS when freed. No-op off glibc, or when the
    user set MALLOC_MMAP_THRESHOLD_ themselves.
    """
    global _HEAP_TUNED
    if _HEAP_TUNED or not sys.platform.startswith("linux"):
        return
    _HEAP_TUNED = True
    if "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 256 << 10)  # M_MMAP_THRESHOLD
    except (OSError, AttributeError):  # musl or another libc: nothing to tune
        pass


def count_files(
    paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    encoding: str = "o200k_base",
    fmt: str = "auto",
    field: str | None = None,
    per_line: bool = False,
    sample: float | int | None = None,
    seed: int = 0,
    skip_bad: bool = False,
    progress: bool | Callable[[int], None] = False,
    glob: str = DEFAULT_GLOB,
    backend: str = "auto",
    threads: int | None = None,
    max_record: int = MAX_RECORD_BYTES,
) -> CountResult:
    """Count the tokens of files, directories (searched by ``glob``) or ``-`` (stdin).

    ``encoding`` may also be a model name. ``fmt`` forces the input format (see
    :data:`distillcost.readers.FORMATS_IN`); ``field`` counts one field/column.
    ``sample`` is a fraction of documents or a number of documents per file;
    totals are then ratio estimates with 95% intervals. ``skip_bad`` skips
    malformed records (counted in ``CountResult.skipped``) instead of failing.
    ``progress`` is ``True`` for a bar on stderr, or a callable receiving bytes read.
    ``max_record`` bounds one record (bytes); a larger one is a bad record.
    Raises :class:`~distillcost.errors.InputError` for anything unreadable, and
    checks every argument as ``distillcost count`` checks its options.
    """
    from distillcost.tokens import TokenCounter

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    enc_name = _check_args(
        encoding, fmt, field, seed, backend, threads, progress, max_record, paths=paths
    )
    mode, amount = _sample_mode(sample)
    _limit_heap_growth()
    names, left_out = walk_inputs(paths, glob, skip_unreadable=skip_bad)
    if names.count("-") > 1:
        raise InputError("stdin (-) can be given only once")
    sources: list[Source] = []
    skipped_files: list[str] = [m for m in left_out if m.startswith("skipped directory")]
    notes = [m for m in left_out if not m.startswith("skipped directory")]
    try:
        for name in names:
            try:
                sources.append(open_source(name, fmt, field, per_line, max_record))
            except InputError as exc:
                if not skip_bad or len(names) == 1:
                    raise
                skipped_files.append(f"skipped file {exc}")
        if not sources:
            raise InputError("no readable input: " + "; ".join(skipped_files))
        counter = TokenCounter(enc_name, backend=backend, threads=threads)
        return _count_sources(
            sources, counter, mode, amount, seed, skip_bad, progress, skipped_files, notes
        )
    finally:
        for src in sources:
            src.close()


def _check_args(
    encoding: Any,
    fmt: Any,
    field: Any,
    seed: Any,
    backend: Any,
    threads: Any,
    progress: Any,
    max_record: Any,
    paths: Any,
) -> str:
    """Check count_files' arguments as the CLI checks its options; returns the encoding.

    Library callers get the same :class:`DistillcostError`s as ``distillcost count``
    users, never an AttributeError from deep inside (issue 11).
    """
    from distillcost.tokens import BACKENDS, ENCODINGS, encoding_for_model

    if not isinstance(paths, (list, tuple)):
        raise InputError(f"paths must be a path or a list of paths, not {type(paths).__name__}")
    if not isinstance(encoding, str):
        raise InputError(
            f"encoding must be an encoding ({', '.join(ENCODINGS)}) or a model name, "
            f"not {encoding!r}"
        )
    enc_name = encoding if encoding in ENCODINGS else encoding_for_model(encoding)
    if fmt not in FORMATS_IN:
        raise InputError(f"unknown input format {fmt!r}; expected one of {', '.join(FORMATS_IN)}")
    if field is not None and (not isinstance(field, str) or not field):
        raise InputError(f"field must be a non-empty field or column name, not {field!r}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InputError(f"seed must be a whole number, not {seed!r}")
    if backend not in BACKENDS:
        raise InputError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    if threads is not None and (
        isinstance(threads, bool) or not isinstance(threads, int) or threads < 1
    ):
        raise InputError(f"threads must be a whole number of at least 1, not {threads!r}")
    if not (isinstance(progress, bool) or callable(progress)):
        raise InputError(f"progress must be True, False or a callable, not {progress!r}")
    if isinstance(max_record, bool) or not isinstance(max_record, int) or max_record < 1:
        raise InputError(f"max_record must be a number of bytes >= 1, not {max_record!r}")
    return enc_name


def _count_sources(
    sources: list[Source],
    counter: Any,
    mode: str,
    amount: float,
    seed: int,
    skip_bad: bool,
    progress: bool | Callable[[int], None],
    skipped_files: list[str],
    notes: list[str],
) -> CountResult:
    """Count opened sources (exactly, or sampled) into per-file and total profiles."""
    enc_name = counter.encoding
    exact_enc = bool(getattr(counter, "exact", True))

    bar: _Progress | None = None
    callback: Callable[[int], None] | None
    if progress is True:
        sizes = [s.size for s in sources]
        bar = _Progress(None if None in sizes else sum(s or 0 for s in sizes))
        callback = bar
    elif callable(progress):
        callback = progress
    else:
        callback = None

    single = len(sources) == 1  # the total is that file's profile: no second builder
    run = _Run(counter, skip_bad, seed, callback)
    run.warnings.extend(skipped_files[:MAX_WARNINGS])
    run.warnings.extend(notes[:MAX_WARNINGS])
    all_sided = all(s.sided for s in sources)
    total_builder = ProfileBuilder(enc_name, all_sided, seed)
    files: list[FileCount] = []
    strata: list[Stratum] = []
    whole_estimates: list[int] = []
    total_docs = total_bytes = 0
    total_chars_est = 0.0
    current = sources[0]
    try:
        for index, src in enumerate(sources):
            current = src
            file_builder = ProfileBuilder(enc_name, src.sided, seed)
            if not mode:
                targets = [file_builder] if single else [file_builder, total_builder]
                skipped = run.exact(src, targets)
                profile = file_builder.build(bytes=src.bytes_read, exact=exact_enc)
                total_docs += profile.documents
                total_bytes += src.bytes_read
                strata.append(_exact_stratum(profile))
                total_chars_est += profile.characters
                files.append(FileCount(src.name, src.label, profile, skipped))
                continue
            stratum, skipped = run.sampled(src, index, mode, amount, [file_builder])
            if stratum.n < 2 and stratum.population >= 2 and mode == "fraction":
                if not src.rereadable:
                    raise InputError(
                        f"{src.name}: only {stratum.n} of {stratum.population} documents were "
                        "sampled; raise --sample or give a number of documents"
                    )
                # Too few sampled to estimate anything: count this (small) file exactly.
                file_builder = ProfileBuilder(enc_name, src.sided, seed)
                skipped = run.exact(src, [file_builder])
                stratum = _exact_stratum(file_builder.build())
            profile = _sampled_profile(src, stratum, file_builder, skipped, exact_enc)
            if src.whole_text:
                whole_estimates.append(profile.tokens)
            else:
                _merge_sample_into(total_builder, file_builder)
            strata.append(stratum)
            total_docs += profile.documents
            total_bytes += src.bytes_read
            total_chars_est += profile.characters
            files.append(FileCount(src.name, src.label, profile, skipped))
    except TooLargeError as exc:  # the tokenizer does not know which file it was given
        if str(exc).startswith(current.name):
            raise
        raise TooLargeError(f"{current.name}: {exc}", exc.offset, exc.index) from None
    finally:
        if bar is not None:
            bar.close()

    if single:
        total = files[0].profile
    elif mode:
        if whole_estimates:
            total_builder.hist_total.update(whole_estimates)
            if all_sided:  # pragma: no cover - whole text files are never sided
                total_builder.hist_prompt.update(whole_estimates)
        sided = all_sided
        total = total_builder.build(
            documents=total_docs,
            characters=round(total_chars_est),
            bytes=total_bytes,
            sampled=True,
            sample_documents=sum(s.n for s in strata),
            tokens_estimate=combine(strata, "total"),
            prompt_estimate=combine(strata, "prompt") if sided else None,
            completion_estimate=combine(strata, "completion") if sided else None,
            exact=exact_enc,
        )
    else:
        total = total_builder.build(bytes=total_bytes, exact=exact_enc)
    return CountResult(
        files=tuple(files),
        total=total,
        encoding=enc_name,
        backend=str(getattr(counter, "backend", "")),
        exact=exact_enc,
        note=str(getattr(counter, "note", "") or ""),
        skipped=run.skipped + len(skipped_files),
        warnings=tuple(run.warnings),
        skipped_files=len(skipped_files),
    )


def _exact_stratum(profile: TokenProfile) -> Stratum:
    """A fully counted file as a stratum with zero variance."""
    s = Stratum(population=profile.documents, n=profile.documents)
    s.ys = {
        "total": _Moments(sy=profile.total.total),
        "prompt": _Moments(sy=profile.prompt.total if profile.prompt else 0),
        "completion": _Moments(sy=profile.completion.total if profile.completion else 0),
        "chars": _Moments(sy=profile.characters),
    }
    return s


def _sampled_profile(
    src: Source, stratum: Stratum, builder: ProfileBuilder, skipped: int, exact: bool
) -> TokenProfile:
    chars, _, _ = stratum.estimate("chars")
    tokens = combine([stratum], "total")
    extra: dict[str, Any] = {
        "documents": stratum.population - skipped,
        "characters": round(chars),
        "bytes": src.bytes_read,
        "sampled": True,
        "sample_documents": stratum.n,
        "tokens_estimate": tokens,
        "prompt_estimate": combine([stratum], "prompt") if src.sided else None,
        "completion_estimate": combine([stratum], "completion") if src.sided else None,
        "exact": exact,
    }
    if src.whole_text:  # one document: its distribution is the estimate itself
        extra["documents"] = 1
        one = Distribution.from_values([tokens.estimate])
        return TokenProfile(
            encoding=builder.encoding,
            prompt=None,
            completion=None,
            total=one,
            **extra,
        )
    return builder.build(**extra)


def _merge_sample_into(total: ProfileBuilder, part: ProfileBuilder) -> None:
    """Add a file's sampled documents to the total's histograms."""
    if total.sided:
        total.hist_prompt.update(part.hist_prompt)
        total.hist_completion.update(part.hist_completion)
    total.hist_total.update(part.hist_total)
    items = part._reservoir.items
    if total.sided == part.sided:
        total._reservoir.extend(items)
    elif part.sided:
        total._reservoir.extend([it[2] for it in items])
    else:  # pragma: no cover - a sided total implies sided parts
        total._reservoir.extend(items)


def count_texts(texts: Iterable[str], encoding: str = "o200k_base") -> TokenProfile:
    """The token profile of in-memory texts, one document each (one side)."""
    from distillcost.tokens import ENCODINGS, TokenCounter, encoding_for_model

    enc_name = encoding if encoding in ENCODINGS else encoding_for_model(encoding)
    counter = TokenCounter(enc_name)
    builder = ProfileBuilder(enc_name, sided=False)
    batch: list[str] = []
    size = 0
    n_bytes = 0

    def flush() -> None:
        builder.add(counter.count_batch(batch))
        builder.characters += sum(map(len, batch))

    for text in texts:
        batch.append(text)
        size += len(text)
        n_bytes += len(text.encode("utf-8"))
        if size >= BATCH_CHARS or len(batch) >= BATCH_DOCS:
            flush()
            batch = []
            size = 0
    if batch:
        flush()
    return builder.build(bytes=n_bytes, exact=bool(getattr(counter, "exact", True)))
