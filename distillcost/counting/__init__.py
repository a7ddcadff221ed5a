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
from typing import Any

from distillcost.counting.estimation import Estimable, combine, exact_stratum
from distillcost.counting.passes import BATCH_CHARS, BATCH_DOCS, MAX_WARNINGS, Run
from distillcost.counting.progress import ProgressBar
from distillcost.counting.result import CHAT_FORMULA, STATS, CountResult, FileCount
from distillcost.counting.sampled import (
    add_drawn,
    documents_estimate,
    merge_sample_into,
    merged_parts,
    sample_bytes,
    sampled_profile,
    sampling_note,
    seek_group,
)
from distillcost.counting.seek import (
    CHUNK_BYTES,
    MIN_DRAWS,
    GroupSample,
)
from distillcost.errors import InputError, TooLargeError
from distillcost.profile import ProfileBuilder, TokenProfile
from distillcost.readers import (
    DEFAULT_GLOB,
    FORMATS_IN,
    MAX_RECORD_BYTES,
    Source,
    open_source,
    walk_inputs,
)

__all__ = [
    "CHAT_FORMULA",
    "ENGINES",
    "LITE_MAX_BYTES",
    "MAX_SAMPLE_DOCS",
    "STATS",
    "TIKTOKEN_MAX_BYTES",
    "CountResult",
    "FileCount",
    "count_files",
    "count_texts",
]

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
        encoding, fmt, field, seed, backend, threads, progress, max_record, paths=paths,
        flags={"per_line": per_line, "skip_bad": skip_bad},
    )  # fmt: skip
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
    flags: dict[str, Any],
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
    for name, flag in flags.items():
        if not isinstance(flag, bool):  # "no" is truthy: it would skip records silently
            raise InputError(f"{name} must be True or False, not {flag!r}")
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
            group, seek_files = seek_group(run, sources, mode, amount, enc_name, exact_enc)
        if group is not None:
            strata.append(group.total)
            total_docs += group.total.population
            total_bytes += group.population_bytes
            total_chars_est += group.total.estimate("chars")[0]
            if not single:
                add_drawn(total_builder, group.docs)
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
            profile = sampled_profile(src, stratum, file_builder, skipped, exact_enc)
            if src.whole_text:
                whole_estimates.append(profile.tokens)
            else:
                merge_sample_into(total_builder, file_builder)
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
            documents_estimate=documents_estimate(group, total_docs),
            sample_bytes=sample_bytes(group, strata),
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
        sampling=sampling_note(sources, seek_files) if mode else "",
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
        builder = merged_parts([group], group[0].sided, enc, seed)
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
        merged = merged_parts(list(by_file.values()), sided, enc, seed)
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
