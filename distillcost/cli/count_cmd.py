"""``distillcost count``: parse options, call :func:`distillcost.counting.count_files`, print."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from typing import Any

import click

from distillcost.cli.output import (
    TABLE_FORMATS,
    Output,
    check_output,
    emit,
    output_options,
    resolve_format,
)
from distillcost.counting import STATS
from distillcost.escape import visible as export_visible
from distillcost.present import Column, Table
from distillcost.readers import DEFAULT_GLOB, FORMATS_IN, MAX_RECORD_BYTES

FORMATS = TABLE_FORMATS
PROGRESS_MIN_BYTES = 32 << 20
HINT_SECONDS = 10.0  # a count slower than this suggests the Rust backend, once
_hinted = False


def _parse_sample(value: str | None) -> float | int | None:
    if value is None:
        return None
    text = value.strip()
    parsed: float | int
    try:
        if text.endswith("%"):
            parsed = float(text[:-1]) / 100
        elif any(ch in text for ch in ".eE"):
            parsed = float(text)
        else:
            parsed = int(text)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is neither a fraction (0.01, 1%) nor a number of documents (5000)",
            param_hint="--sample",
        ) from None
    # range checked here too, so the message names the option (the core checks it again)
    if isinstance(parsed, int) and parsed < 2:
        raise click.BadParameter(
            f"{value!r}: a sample needs at least 2 documents (or give a fraction: 0.01, 1%)",
            param_hint="--sample",
        )
    if isinstance(parsed, float) and not 0 < parsed <= 1:
        raise click.BadParameter(
            f"{value!r}: a fraction must be above 0 and at most 1 (100%)", param_hint="--sample"
        )
    return parsed


def _hint_fast_backend(asked: str, used: str, seconds: float) -> None:
    """Once per process: a slow count on tiktoken when the Rust backend is not installed."""
    global _hinted
    if _hinted or asked != "auto" or used != "tiktoken" or seconds < HINT_SECONDS:
        return
    from distillcost.tokens import toktok_installed

    if toktok_installed():
        return  # installed, but not for this encoding: nothing to suggest
    _hinted = True
    click.echo(
        f"hint: counting took {seconds:.0f} s; pip install 'distillcost[fast]' adds a Rust "
        "backend with identical counts, several times faster",
        err=True,
    )


def _skipped(result: Any) -> str:
    """'3 bad records and 1 unreadable file': whole files are not records."""
    records = result.skipped - result.skipped_files
    parts = []
    if records:
        parts.append(f"{records:,} bad record{'s' if records != 1 else ''}")
    if result.skipped_files:
        n = result.skipped_files
        parts.append(f"{n:,} unreadable file{'s' if n != 1 else ''}")
    return " and ".join(parts)


def visible(text: str) -> str:
    """A file name in a table cell: control characters, newlines included, escaped."""
    return export_visible(text, one_line=True)


def _n(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _ci(profile: Any) -> str:
    est = profile.tokens_estimate
    if est is None or not est.estimate:
        return ""
    return f"±{est.half_width / est.estimate:.2%}"


def _table(result: Any) -> str:
    sampled = result.total.sampled
    header = ["file", "format", "docs", "chars", "tokens"]
    if sampled:
        header.append("95% CI")
    sided = result.total.prompt is not None or any(f.profile.prompt for f in result.files)
    if sided:
        header += ["prompt", "completion"]
    header += ["mean", "p50", "p90", "p99", "max"]

    def row(name: str, fmt: str, p: Any) -> list[str]:
        if p.sampled:  # estimated from the sample: marked, never shown as a count
            docs = ("~" if p.documents_estimate else "") + _n(p.documents)
            cells = [name, fmt, docs, "~" + _n(p.characters), "~" + _n(p.tokens)]
        else:
            cells = [name, fmt, _n(p.documents), _n(p.characters), _n(p.tokens)]
        if sampled:
            cells.append(_ci(p))
        if sided:
            mark = "~" if p.sampled and p.prompt_tokens is not None else ""
            cells += [mark + _n(p.prompt_tokens), mark + _n(p.completion_tokens)]
        d = p.total
        cells += [f"{d.mean:,.1f}", _n(d.p50), _n(d.p90), _n(d.p99), _n(d.max)]
        return cells

    rows = [row(visible(f.source), f.format, f.profile) for f in result.files]
    if len(result.files) > 1:
        rows.append(row("TOTAL", "", result.total))
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    left = {0, 1}

    def line(cells: list[str]) -> str:
        out = [c.ljust(widths[i]) if i in left else c.rjust(widths[i]) for i, c in enumerate(cells)]
        return "  ".join(out).rstrip()

    lines = [line(header), line(["-" * w for w in widths])]
    lines += [line(r) for r in rows]
    lines.append("")
    if sampled and result.sampled_share is not None:
        by = " of the bytes" if result.total.sample_bytes is not None else ""
        how = f"ESTIMATED from a {result.sampled_share:.2%} sample{by}; ~ marks estimates"
    else:
        how = "exact" if result.exact else "APPROXIMATE"
    lines.append(f"encoding {result.encoding} ({how}; backend {result.backend})")
    if result.note:
        lines.append(f"note: {result.note}")
    if sampled:
        t = result.total
        est = t.tokens_estimate
        chunks = any(f.format == "text" for f in result.files)
        unit = "documents or ~4K-character chunks of whole text files" if chunks else "documents"
        if t.sample_bytes is not None:  # drawn by seeks: records at random bytes
            lines.append(
                f"sampled {est.sample_documents:,} draws at random bytes "
                f"({t.sample_bytes:,} of {t.bytes:,} bytes read): tokens ≈ {est.estimate:,}, "
                f"95% CI {est.low:,} – {est.high:,} (tokens per byte of each drawn record × "
                "bytes); per-document statistics re-weighted to documents"
            )
        else:
            lines.append(
                f"sampled {est.sample_documents:,} of {est.population_documents:,} {unit}: "
                f"tokens ≈ {est.estimate:,}, 95% CI {est.low:,} – {est.high:,} (ratio "
                "estimate by bytes); per-document statistics describe the sample"
            )
        if t.documents_estimate is not None:
            d = t.documents_estimate
            lines.append(f"documents ≈ {d.estimate:,}, 95% CI {d.low:,} – {d.high:,}")
        if result.sampling:
            lines.append(f"sample drawn {result.sampling}")
        pooled = [f.source for f in result.files if f.pooled]
        if pooled:
            lines.append(
                f"{len(pooled):,} file(s) got fewer than 2 draws: their rows scale the "
                "overall tokens per byte to their size"
            )
    if result.has_chat:
        from distillcost.counting import CHAT_FORMULA

        lines.append(f"chat: {CHAT_FORMULA}")
    if any(f.format.endswith("/instruction") for f in result.files):
        lines.append('instruction: prompt = instruction + "\\n" + input, completion = output')
    if any(f.format.endswith("/question-answer") for f in result.files):
        lines.append("question-answer: prompt = question, completion = answer")
    if any(f.format.endswith("/prompt-completion") for f in result.files):
        lines.append("prompt-completion: prompt = prompt, completion = completion")
    if result.skipped:
        lines.append(f"skipped {_skipped(result)} (--skip-bad)")
    return "\n".join(lines) + "\n"


_COUNTS = (
    *("documents", "documents_low", "documents_high", "characters", "bytes"),
    *("tokens", "tokens_low", "tokens_high", "prompt_tokens", "completion_tokens"),
)
COUNT_FIELDS: tuple[Column, ...] = (
    Column("source", "file"),
    Column("format", "format"),
    *(Column(key, key, "number") for key in _COUNTS),
    Column("sampled", "sampled"),
    Column("sample_documents", "sample documents", "number"),
    Column("sample_bytes", "sample bytes", "number"),
    Column("skipped", "skipped", "number"),
    *(
        Column(f"{side}{stat}", f"{side}{stat}", "number")
        for side in ("", "prompt_", "completion_")
        for stat in STATS
    ),
)


def count_table(result: Any) -> Table:
    """Per file, then the total: the rows CSV and Markdown show (numbers stay numbers)."""
    return Table(COUNT_FIELDS, tuple(result.to_records()))


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option(
    "-m",
    "--model",
    help="Count as this model does: any model in the price table (its encoding; an "
    "approximation, said so, for non-OpenAI tokenizers).",
)
@click.option("-e", "--encoding", help="Encoding to use instead of a model (default o200k_base).")
@click.option(
    "--format-in",
    type=click.Choice(FORMATS_IN),
    default="auto",
    metavar="FORMAT",
    help="Force the input format instead of detecting it from extension and first "
    "record: " + ", ".join(FORMATS_IN) + ".",
)
@click.option("--field", help="Count this one field (JSONL/JSON) or column (CSV/Parquet).")
@click.option("--per-line", is_flag=True, help="Plain text: one document per non-blank line.")
@click.option(
    "--glob",
    default=DEFAULT_GLOB,
    show_default=True,
    help="Comma-separated file patterns searched in directories.",
)
@click.option(
    "--sample",
    metavar="FRACTION|N",
    help="Estimate from a random sample: a fraction (0.01 or 1%) of the data, or N "
    "records. Files are sampled by seeking to random bytes (only what is drawn is "
    "read); stdin, pipes, CSV and JSON arrays are read whole.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the sample.")
@click.option(
    "--skip-bad", is_flag=True, help="Skip malformed records (and unreadable files), with a count."
)
@output_options(FORMATS)
@click.option(
    "--backend",
    type=click.Choice(["auto", "tiktoken", "toktok"]),
    default="auto",
    show_default=True,
    help="Tokenizer engine; both are exact, toktok (distillcost[fast]) is faster.",
)
@click.option("--threads", type=click.IntRange(min=1), help="Threads (default: all cores).")
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Where to count: this machine, or a Dask cluster (distillcost[dask]; exact only).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="The Dask scheduler for --engine dask (e.g. tcp://10.0.0.5:8786); default: a "
    "local cluster on this machine.",
)
@click.option(
    "--max-record-mb",
    type=click.FloatRange(min=0, min_open=True, max=1 << 20),
    default=MAX_RECORD_BYTES / (1 << 20),
    show_default=True,
    help="Largest single record (line, row, array element) to count, in MiB; larger "
    "ones are bad records (memory stays bounded).",
)
def count(
    paths: tuple[str, ...],
    model: str | None,
    encoding: str | None,
    format_in: str,
    field: str | None,
    per_line: bool,
    glob: str,
    sample: str | None,
    seed: int,
    skip_bad: bool,
    fmt: str | None,
    output: str | None,
    backend: str,
    threads: int | None,
    engine: str,
    scheduler: str | None,
    max_record_mb: float,
) -> None:
    """Count the tokens of datasets, exactly and offline.

    PATH is a file, a directory (searched recursively with --glob), - for
    stdin, or a URL: s3://, gs://, hf://datasets/..., https://, with globs
    (distillcost[remote]; credentials from the environment as the storage's
    own tools read them). Formats are detected from the extension and the first record:
    plain text (the whole file is one document; --per-line for one per line),
    JSONL or JSON arrays of OpenAI chat ("messages"), ShareGPT
    ("conversations"), instruction (instruction/input/output, or response),
    prompt/completion and question/answer records (also as CSV/Parquet
    columns), and any JSONL, CSV or Parquet column with --field.

    \b
    Prompt and completion sides (what a distillation campaign pays for):
      chat (OpenAI's recipe: 3 tokens per message, 1 per name, 3 to prime the reply)
        prompt     = 3 + sum over non-assistant messages of
                     3 + tokens(role) + tokens(content) [+ tokens(name) + 1]
        completion = sum over assistant messages of tokens(content)
      (content given as parts: each "text" part counted; images are not text)
      ShareGPT: human -> user, gpt -> assistant, system -> system, then as chat
      (a role or speaker other than these, tool and function is an error;
      a record-level "system" prompt counts as one more system message)
      instruction: prompt = tokens(instruction + "\\n" + input)  (no newline when
                   input is empty), completion = tokens(output)
    Text is counted as ordinary text: "<|endoftext|>" in data is just text.

    \b
    --sample estimates totals from a random sample, scaling tokens per byte
    to all bytes, and prints the estimate with its 95% confidence interval.
    Seekable files: records (or ~4 KB chunks of whole text) holding random
    bytes, so files and records are drawn in proportion to size and only the
    sample is read; documents are then estimated too. Streams: documents
    drawn while reading. Statistics per document are nearest-rank
    p50/p90/p99/max (of the sample when sampled).

    \b
    Examples:
      distillcost count examples/sample-chat.jsonl --model gpt-4o
      distillcost count data/ --glob '*.jsonl' --format json -o counts.json
      distillcost count train.parquet --field text --encoding cl100k_base
      distillcost count huge.jsonl --sample 1% --seed 7
      distillcost count 's3://bucket/shards/*.parquet' --field text --sample 0.1%
      cat notes.txt | distillcost count - --per-line
    """
    from distillcost.counting import count_files

    if model and encoding:
        raise click.UsageError("give --model or --encoding, not both")
    for flag, given in (("--model", model), ("--encoding", encoding)):
        if given is not None and not given.strip():
            raise click.BadParameter("empty; give a name or leave the option out", param_hint=flag)
    fmt = resolve_format(fmt, output, FORMATS, "text")
    check_output(output, _inputs(paths, glob, output))  # before any counting
    note = ""
    if model:
        from distillcost.cli.price_options import load_table
        from distillcost.prices import encoding_for_model

        chosen, note = encoding_for_model(model, load_table())
    elif encoding:
        from distillcost.errors import UnknownEncodingError
        from distillcost.tokens import ENCODINGS

        if encoding not in ENCODINGS:
            known = ", ".join(ENCODINGS)
            hint = f"Encodings: {known}; for a model name use --model."
            raise UnknownEncodingError(encoding, ENCODINGS, hint=hint)
        chosen = encoding
    else:
        chosen = "o200k_base"
    sample_value = _parse_sample(sample)
    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    show_progress = False
    if sys.stderr.isatty():
        size = 0
        for p in paths:
            with contextlib.suppress(OSError):
                size += os.path.getsize(p) if os.path.isfile(p) else 0
        show_progress = size >= PROGRESS_MIN_BYTES or "-" in paths

    started = time.monotonic()
    result = count_files(
        list(paths),
        encoding=chosen,
        fmt=format_in,
        field=field,
        per_line=per_line,
        sample=sample_value,
        seed=seed,
        skip_bad=skip_bad,
        progress=show_progress,
        glob=glob,
        backend=backend,
        threads=threads,
        max_record=max(1, int(max_record_mb * (1 << 20))),
        engine=engine,
        scheduler=scheduler,
    )
    _hint_fast_backend(backend, result.backend, time.monotonic() - started)
    for warning in result.warnings:
        click.echo(f"Warning: {visible(warning)}", err=True)
    if result.skipped:
        more = result.skipped - len(result.warnings)
        tail = f" ({more:,} not shown)" if more > 0 else ""
        click.echo(f"Warning: skipped {_skipped(result)} in total{tail}", err=True)

    if note:  # an encoding standing in for a provider's own tokenizer
        import dataclasses

        merged = f"{note}; {result.note}" if result.note else note
        result = dataclasses.replace(result, exact=False, note=merged)
    out = Output(
        data=result.to_dict(), tables=[count_table(result)], custom={"text": lambda: _table(result)}
    )
    emit(out, fmt, output)


def _inputs(paths: tuple[str, ...], glob: str, output: str | None) -> list[str]:
    """The inputs -o must not be: the paths given, and the output itself when it already
    exists inside an input directory under a name the walk would count."""
    from fnmatch import fnmatch
    from pathlib import Path

    inputs = [p for p in paths if p != "-"]
    if not output or output == "-" or not Path(output).is_file():
        return inputs
    target = Path(output).resolve()
    patterns = [p.strip() for p in glob.split(",") if p.strip()]
    for given in inputs:
        folder = Path(given)
        if (
            folder.is_dir()
            and target.is_relative_to(folder.resolve())
            and not any(part.startswith(".") for part in target.relative_to(folder.resolve()).parts)
            and any(fnmatch(target.name, pattern) for pattern in patterns)
        ):
            return [*inputs, output]
    return inputs
