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

Sampling: :mod:`distillcost.counting.seek` draws records at random byte offsets of
files that can seek (only what is drawn is read; files in proportion to size);
:mod:`distillcost.counting.estimation` (the ratio estimator and its interval) and
:mod:`distillcost.counting.passes` sample what must be read whole. The public names
stay importable from ``distillcost.counting``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from distillcost.counting.estimation import Estimable, Stratum, combine, exact_stratum
from distillcost.counting.passes import BATCH_CHARS, BATCH_DOCS, MAX_WARNINGS, Run
from distillcost.counting.progress import ProgressBar
from distillcost.counting.seek import (
    CHUNK_BYTES,
    MIN_DRAWS,
    SEEK_MAX_SHARE,
    Drawn,
    FileSample,
    GroupSample,
    TooMuch,
    draw_sample,
)
from distillcost.errors import InputError, TooLargeError
from distillcost.profile import Distribution, ProfileBuilder, SampledTotal, TokenProfile
from distillcost.readers import (
    DEFAULT_GLOB,
    FORMATS_IN,
    MAX_RECORD_BYTES,
    Source,
    open_source,
    walk_inputs,
)

STATS = ("mean", "min", "p50", "p90", "p99", "max")
"""The per-document statistics a count reports for each side."""

CHAT_FORMULA = (
    "prompt = 3 (reply priming) + for each non-assistant message: 3 + tokens(role) + "
    "tokens(content) [+ tokens(name) + 1]; completion = tokens of assistant contents"
)


@dataclass(frozen=True)
class FileCount:
    source: str
    format: str
    profile: TokenProfile
    skipped: int = 0
    pooled: bool = False  # sampled by seeks with < 2 draws: the pooled ratio scaled

    def to_dict(self, include_values: bool = False) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "skipped": self.skipped,
            "pooled_estimate": self.pooled,
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
    sampling: str = ""  # how a sample was drawn: by seeks, by reading whole, or both

    @property
    def sampled_share(self) -> float | None:
        """Share of the bytes read when sampling by seeks, else of the documents counted."""
        if self.total.sampled and self.total.sample_bytes is not None and self.total.bytes:
            return self.total.sample_bytes / self.total.bytes
        est = self.total.tokens_estimate
        if not self.total.sampled or est is None or not est.population_documents:
            return None
        return est.sample_documents / est.population_documents

    @property
    def has_chat(self) -> bool:
        return any(f.format.endswith(("/chat", "/sharegpt")) for f in self.files)

    def to_records(self) -> list[dict[str, Any]]:
        """One row per file, then ``TOTAL``: counts (a sample's estimate and its 95%
        interval), prompt and completion tokens, and each side's distribution."""

        def dist(prefix: str, d: Distribution | None) -> dict[str, Any]:
            if d is None:
                return {}
            values = (round(d.mean, 3), d.min, d.p50, d.p90, d.p99, d.max)
            return {f"{prefix}{stat}": v for stat, v in zip(STATS, values, strict=True)}

        def row(name: str, fmt: str, p: TokenProfile, skipped: int) -> dict[str, Any]:
            return {
                "source": name, "format": fmt, "documents": p.documents,
                "characters": p.characters, "bytes": p.bytes, "tokens": p.tokens,
                "tokens_low": p.tokens_low, "tokens_high": p.tokens_high,
                "prompt_tokens": p.prompt_tokens, "completion_tokens": p.completion_tokens,
                "sampled": p.sampled, "sample_documents": p.sample_documents if p.sampled else None,
                "skipped": skipped,
                **dist("", p.total), **dist("prompt_", p.prompt),
                **dist("completion_", p.completion),
            }  # fmt: skip

        rows = [row(f.source, f.format, f.profile, f.skipped) for f in self.files]
        rows.append(row("TOTAL", "", self.total, self.skipped))
        return rows

    def to_frame(self) -> Any:
        """A pandas DataFrame of :meth:`to_records` (numeric columns: plot, sum)."""
        import pandas as pd

        return pd.DataFrame.from_records(self.to_records())

    def __repr__(self) -> str:
        what = "estimated" if self.total.sampled else "exact"
        return (
            f"<CountResult: {self.total.tokens:,} tokens ({what}, {self.encoding}) in "
            f"{self.total.documents:,} documents, {len(self.files)} file(s)>"
        )

    def _repr_html_(self) -> str:
        from distillcost.notebook import html_block
        from distillcost.present import Column, Table

        columns = (
            Column("source", "file"), Column("documents", "documents", "count"),
            Column("tokens", "tokens", "tokens"), Column("prompt_tokens", "prompt", "tokens"),
            Column("completion_tokens", "completion", "tokens"),
        )  # fmt: skip
        table = Table(columns, tuple(self.to_records()))
        return html_block(repr(self)[1:-1], [self.note], [table])

    def to_dict(self, include_values: bool = False) -> dict[str, Any]:
        return {
            "encoding": self.encoding,
            "backend": self.backend,
            "exact": self.exact,
            "note": self.note,
            "chat_formula": CHAT_FORMULA if self.has_chat else None,
            "estimated": self.total.sampled,
            "sampled_share": self.sampled_share,
            "sampling": self.sampling or None,
            "skipped": self.skipped,
            "skipped_files": self.skipped_files,
            "files": [f.to_dict(include_values) for f in self.files],
            "total": self.total.to_dict(include_values),
        }


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
    engine: str = "local",
    scheduler: str | None = None,
) -> CountResult:
    """Count the tokens of files, directories (searched by ``glob``) or ``-`` (stdin).

    ``encoding`` may also be a model name. ``fmt`` forces the input format (see
    :data:`distillcost.readers.FORMATS_IN`); ``field`` counts one field/column.
    ``sample`` is a fraction of documents or a number of documents per file;
    totals are then ratio estimates with 95% intervals. ``skip_bad`` skips
    malformed records (counted in ``CountResult.skipped``) instead of failing.
    ``progress`` is ``True`` for a bar on stderr, or a callable receiving bytes read.
    ``max_record`` bounds one record (bytes); a larger one is a bad record.
    ``engine="dask"`` counts exactly on a Dask cluster (``scheduler``: its address,
    else a local one); see :mod:`distillcost.counting.cluster`.
    Raises :class:`~distillcost.errors.InputError` for anything unreadable, and
    checks every argument as ``distillcost count`` checks its options.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    enc_name = _check_args(
        encoding, fmt, field, seed, backend, threads, progress, max_record, paths=paths
    )
    mode, amount = _sample_mode(sample)
    if engine not in ENGINES:
        raise InputError(f"unknown engine {engine!r}; expected one of {', '.join(ENGINES)}")
    _limit_heap_growth()
    names, left_out = walk_inputs(paths, glob, skip_unreadable=skip_bad)
    if engine == "dask":
        if mode:
            raise InputError("the dask engine counts exactly; sample locally (without --engine)")
        if "-" in names:
            raise InputError("the dask engine reads files or URLs, not stdin (-)")
        opts = {
            "encoding": enc_name,
            "fmt": fmt,
            "field": field,
            "per_line": per_line,
            "max_record": max_record,
            "skip_bad": skip_bad,
            "seed": seed,
            "backend": backend,
        }
        return _count_on_cluster(names, opts, scheduler, left_out)
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
        counter = _counter_for(sources, enc_name, backend, threads, mode, amount)
        return _count_sources(
            sources, counter, mode, amount, seed, skip_bad, progress, skipped_files, notes
        )
    finally:
        for src in sources:
            src.close()


LITE_MAX_BYTES = 512 << 10
"""Up to this much text to count, :class:`distillcost.bpe.LiteCounter` is used under
``backend="auto"``: building an encoder costs more than counting it (measured: 620 KB
in 0.15 s from a cold start, against 0.12 s to build tiktoken's encoder before its
first token and 0.33 s for toktok to load its vocabulary)."""
TIKTOKEN_MAX_BYTES = 3 << 20
"""Up to this much, tiktoken (0.12 s to build, ~16 MB/s) beats toktok (0.33 s to load,
~100 MB/s); above it the Rust backend wins."""


def _work_bytes(sources: Sequence[Source], mode: str, amount: float) -> int | None:
    """Bytes of text the count will tokenize, as far as known before it starts."""
    sizes = [s.size for s in sources]
    if None in sizes:
        return None
    total = sum(s or 0 for s in sizes)
    if mode == "fraction":  # at least MIN_DRAWS units of ~4 KiB are drawn by seeks
        return min(total, max(int(amount * total), MIN_DRAWS * CHUNK_BYTES))
    if mode == "n":
        return min(total, int(amount) * CHUNK_BYTES * len(sources))
    return total


def _counter_for(
    sources: Sequence[Source],
    encoding: str,
    backend: str,
    threads: int | None,
    mode: str = "",
    amount: float = 0.0,
) -> Any:
    """The fastest exact counter for the work ahead (all give identical counts)."""
    from distillcost.tokens import TokenCounter

    work = _work_bytes(sources, mode, amount)
    if backend == "auto" and work is not None and work <= LITE_MAX_BYTES:
        from distillcost.bpe import LiteCounter

        return LiteCounter(encoding)
    if backend == "auto" and work is not None and work <= TIKTOKEN_MAX_BYTES:
        backend = "tiktoken"
    return TokenCounter(encoding, backend=backend, threads=threads)


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
    from distillcost.tokens import BACKENDS, ENCODINGS, require_encoding

    if not isinstance(paths, (list, tuple)):
        raise InputError(f"paths must be a path or a list of paths, not {type(paths).__name__}")
    if not isinstance(encoding, str):
        raise InputError(f"encoding must be one of {', '.join(ENCODINGS)}, not {encoding!r}")
    enc_name = require_encoding(encoding)
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

    bar: ProgressBar | None = None
    callback: Callable[[int], None] | None
    if progress is True:
        sizes = [s.size for s in sources]
        bar = ProgressBar(None if None in sizes else sum(s or 0 for s in sizes))
        callback = bar
    elif callable(progress):
        callback = progress
    else:
        callback = None

    single = len(sources) == 1  # the total is that file's profile: no second builder
    run = Run(counter, skip_bad, seed, callback)
    run.warnings.extend(skipped_files[:MAX_WARNINGS])
    run.warnings.extend(notes[:MAX_WARNINGS])
    all_sided = all(s.sided for s in sources)
    total_builder = ProfileBuilder(enc_name, all_sided, seed)
    files: list[FileCount] = []
    strata: list[Estimable] = []
    whole_estimates: list[int] = []
    total_docs = total_bytes = 0
    total_chars_est = 0.0
    current = sources[0]
    seek_files: dict[int, FileCount] = {}
    group: GroupSample | None = None
    try:
        if mode:
            group, seek_files = _seek_group(run, sources, mode, amount, enc_name, exact_enc)
        if group is not None:
            strata.append(group.total)
            total_docs += group.total.population
            total_bytes += group.population_bytes
            total_chars_est += group.total.estimate("chars")[0]
            if not single:
                _add_drawn(total_builder, group.docs)
            whole_estimates.extend(
                fc.profile.tokens for i, fc in seek_files.items() if sources[i].whole_text
            )
        for index, src in enumerate(sources):
            current = src
            if index in seek_files:
                files.append(seek_files[index])
                continue
            file_builder = ProfileBuilder(enc_name, src.sided, seed)
            if not mode:
                targets = [file_builder] if single else [file_builder, total_builder]
                skipped = run.exact(src, targets)
                profile = file_builder.build(bytes=src.bytes_read, exact=exact_enc)
                total_docs += profile.documents
                total_bytes += src.bytes_read
                strata.append(exact_stratum(profile))
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
                stratum = exact_stratum(file_builder.build())
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
            documents_estimate=_documents_estimate(group, total_docs),
            sample_bytes=_sample_bytes(group, strata),
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
        sampling=_sampling_note(sources, seek_files) if mode else "",
    )


ENGINES = ("local", "dask")


def _count_on_cluster(
    names: list[str], opts: dict[str, Any], scheduler: str | None, left_out: list[str]
) -> CountResult:
    """Exact counts from a Dask cluster, reduced to the profiles the local path builds."""
    from distillcost.counting.cluster import run_parts
    from distillcost.tokens import _toktok_supports

    enc, seed = opts["encoding"], opts["seed"]
    parts = run_parts(names, opts, scheduler)
    by_file: dict[int, list[Any]] = {}
    for part in parts:
        by_file.setdefault(part.index, []).append(part)
    files: list[FileCount] = []
    builders: list[ProfileBuilder] = []
    warnings = [m for m in left_out][:MAX_WARNINGS]
    skipped = 0
    for index in sorted(by_file):
        group = by_file[index]
        builder = _merged([group], group[0].sided, enc, seed)
        builders.append(builder)
        n_skipped = sum(p.skipped for p in group)
        skipped += n_skipped
        for p in group:
            warnings.extend(p.warnings[: MAX_WARNINGS - len(warnings)])
        profile = builder.build(bytes=sum(p.bytes for p in group), exact=True)
        files.append(FileCount(group[0].name, group[0].label, profile, n_skipped))
    if len(files) == 1:
        total = files[0].profile
    else:
        sided = all(p.sided for p in parts)
        merged = _merged(list(by_file.values()), sided, enc, seed)
        total = merged.build(bytes=sum(f.profile.bytes for f in files), exact=True)
    backend = opts["backend"]
    if backend == "auto":
        backend = "toktok" if _toktok_supports(enc) else "tiktoken"
    skipped_dirs = [m for m in left_out if m.startswith("skipped directory")]
    return CountResult(
        files=tuple(files),
        total=total,
        encoding=enc,
        backend=f"{backend} on dask",
        exact=True,
        skipped=skipped + len(skipped_dirs),
        warnings=tuple(warnings),
        skipped_files=len(skipped_dirs),
    )


def _merged(groups: list[list[Any]], sided: bool, encoding: str, seed: int) -> ProfileBuilder:
    """One builder holding the exact sums of several tasks' parts, in task order."""
    builder = ProfileBuilder(encoding, sided, seed)
    for group in groups:
        for p in group:
            builder.characters += p.characters
            builder.hist_total.update(p.hist_total)
            if sided:
                builder.hist_prompt.update(p.hist_prompt)
                builder.hist_completion.update(p.hist_completion)
                builder._reservoir.extend(p.values)
            elif p.sided:  # a sided file in a total without sides: its totals only
                builder._reservoir.extend([v[2] for v in p.values])
            else:
                builder._reservoir.extend(p.values)
            builder.documents += sum(p.hist_total.values())
    return builder


def _seek_group(
    run: Run,
    sources: list[Source],
    mode: str,
    amount: float,
    encoding: str,
    exact: bool,
) -> tuple[GroupSample | None, dict[int, FileCount]]:
    """Sample every seekable source by seeks, pooled; (None, {}) when it would read too much."""
    import random

    if mode == "fraction" and amount > SEEK_MAX_SHARE:
        return None, {}
    picked = [i for i, s in enumerate(sources) if s.seek_kind]
    if not picked:
        return None, {}
    group_sources = [sources[i] for i in picked]
    rng = random.Random(f"{run.seed}/seek")
    skipped_before = run.skipped
    try:
        group = draw_sample(group_sources, mode, amount, rng, run.seek_counter(group_sources))
    except TooMuch:
        run.skipped = skipped_before
        return None, {}
    out: dict[int, FileCount] = {}
    for k, i in enumerate(picked):
        src = sources[i]
        fs = group.files[k]
        skipped = sum(1 for u in group.units if u.file == k and u.bad)
        profile = _seek_profile(src, fs, encoding, run.seed, exact)
        out[i] = FileCount(src.name, src.label, profile, skipped, fs.pooled)
    return group, out


def _add_drawn(builder: ProfileBuilder, drawn: Sequence[Drawn]) -> None:
    """Resampled documents into a builder's per-document statistics."""
    if not drawn:
        return
    chars = sum(d.values["chars"] for d in drawn)
    if builder.sided:
        prompt = [d.values["prompt"] for d in drawn]
        completion = [d.values["completion"] for d in drawn]
        Run.add_counts(chars, prompt, completion, [builder])
    else:
        Run.add_counts(chars, [d.values["total"] for d in drawn], None, [builder])


def _seek_profile(
    src: Source, fs: FileSample, encoding: str, seed: int, exact: bool
) -> TokenProfile:
    est = fs.estimate
    tokens = combine([est], "total")
    extra: dict[str, Any] = {
        "characters": round(est.estimate("chars")[0]),
        "bytes": src.size or 0,
        "sampled": True,
        "sample_documents": fs.draws,
        "sample_bytes": sum(u.size for u in fs.units),
        "tokens_estimate": tokens,
        "prompt_estimate": combine([est], "prompt") if src.sided else None,
        "completion_estimate": combine([est], "completion") if src.sided else None,
        "exact": exact,
    }
    if src.whole_text:  # one document: its distribution is the estimate itself
        one = Distribution.from_values([tokens.estimate])
        return TokenProfile(
            encoding=encoding, documents=1, prompt=None, completion=None, total=one, **extra
        )
    builder = ProfileBuilder(encoding, src.sided, seed)
    _add_drawn(builder, fs.docs)
    docs = combine([est], "docs")
    extra["documents"] = docs.estimate
    if docs.low != docs.high:
        extra["documents_estimate"] = docs
    return builder.build(**extra)


def _documents_estimate(group: GroupSample | None, total_docs: int) -> SampledTotal | None:
    """The total's document count as an estimate, when seeks drew part of it."""
    if group is None:
        return None
    docs = combine([group.total], "docs")
    if docs.low == docs.high:
        return None
    rest = total_docs - group.total.population
    return SampledTotal(
        docs.estimate + rest,
        docs.low + rest,
        docs.high + rest,
        docs.sample_documents,
        docs.population_documents + rest,
    )


def _sample_bytes(group: GroupSample | None, strata: Sequence[Any]) -> int | None:
    """Bytes read for the sample: drawn units plus sampled documents read whole."""
    if group is None:
        return None
    return group.bytes_drawn + sum(s.sx for s in strata if isinstance(s, Stratum))


def _sampling_note(sources: Sequence[Source], seek_files: dict[int, FileCount]) -> str:
    """How the sample was drawn, in words, for the output."""
    streamed = [s.name for i, s in enumerate(sources) if i not in seek_files]
    if not streamed:
        return "by seeks: only the drawn records were read"
    listed = ", ".join(streamed[:3]) + (
        f" and {len(streamed) - 3} more" if len(streamed) > 3 else ""
    )
    if seek_files:
        return f"by seeks, except {listed}: read whole to sample (cannot seek, or a large share)"
    return f"by reading the input whole ({listed}: cannot seek, or a large share)"


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


def count_texts(texts: str | Iterable[str], encoding: str = "o200k_base") -> TokenProfile:
    """The token profile of in-memory texts, one document each (one side).

    One text given alone is one document (not one per character); a text that is not a
    ``str`` is an error naming its position.
    """
    from distillcost.tokens import TokenCounter, require_encoding

    if isinstance(texts, str):
        texts = [texts]

    enc_name = require_encoding(encoding)
    counter = TokenCounter(enc_name)
    builder = ProfileBuilder(enc_name, sided=False)
    batch: list[str] = []
    size = 0
    n_bytes = 0

    def flush() -> None:
        builder.add(counter.count_batch(batch))
        builder.characters += sum(map(len, batch))

    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise InputError(f"text {index}: expected str, got {type(text).__name__}")
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
