"""Sampled counts assembled: drawn records and read-whole strata merged into one profile."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from distillcost.counting.estimation import Stratum, combine
from distillcost.counting.passes import Run
from distillcost.counting.result import FileCount
from distillcost.counting.seek import (
    SEEK_MAX_SHARE,
    Drawn,
    FileSample,
    GroupSample,
    TooMuch,
    draw_sample,
)
from distillcost.profile import Distribution, ProfileBuilder, SampledTotal, TokenProfile
from distillcost.readers import (
    Source,
)


def merged_parts(groups: list[list[Any]], sided: bool, encoding: str, seed: int) -> ProfileBuilder:
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


def seek_group(
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
    except TooMuch as exc:
        run.skipped = skipped_before
        if str(exc):
            run.warnings.append(str(exc))
        return None, {}
    out: dict[int, FileCount] = {}
    for k, i in enumerate(picked):
        src = sources[i]
        fs = group.files[k]
        skipped = sum(1 for u in group.units if u.file == k and u.bad)
        profile = seek_profile(src, fs, encoding, run.seed, exact)
        out[i] = FileCount(src.name, src.label, profile, skipped, fs.pooled)
    return group, out


def add_drawn(builder: ProfileBuilder, drawn: Sequence[Drawn]) -> None:
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


def seek_profile(
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
    add_drawn(builder, fs.docs)
    docs = combine([est], "docs")
    extra["documents"] = docs.estimate
    if docs.low != docs.high:
        extra["documents_estimate"] = docs
    return builder.build(**extra)


def documents_estimate(group: GroupSample | None, total_docs: int) -> SampledTotal | None:
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


def sample_bytes(group: GroupSample | None, strata: Sequence[Any]) -> int | None:
    """Bytes read for the sample: drawn units plus sampled documents read whole."""
    if group is None:
        return None
    return group.bytes_drawn + sum(s.sx for s in strata if isinstance(s, Stratum))


def sampling_note(sources: Sequence[Source], seek_files: dict[int, FileCount]) -> str:
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


def sampled_profile(
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


def merge_sample_into(total: ProfileBuilder, part: ProfileBuilder) -> None:
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
