"""Helpers for bench_count.py: corpus preparation, timed child processes with peak RSS."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "_data"  # git-ignored
SHARED_CORPUS = HERE.parent.parent / "shared" / "corpus"

# Letter pairs swapped per copy (copy k swaps the pairs whose bit is set in k), so that
# repeated copies are new text to a caching tokenizer but still read like language.
_SWAPS = ["bp", "dt", "gk", "mn", "fv", "sz", "lr"]


def vary(text: str, k: int) -> str:
    """Copy ``k`` of ``text``: paragraphs shuffled and some letters swapped (k=0: as is)."""
    if k == 0:
        return text
    paragraphs = text.split("\n\n")
    random.Random(k).shuffle(paragraphs)
    out = "\n\n".join(paragraphs)
    mask = (k - 1) % 127 + 1  # a non-empty subset of the 7 pairs
    src = dst = ""
    for bit, pair in enumerate(_SWAPS):
        if mask >> bit & 1:
            src += pair + pair.upper()
            dst += pair[::-1] + pair[::-1].upper()
    return out.translate(str.maketrans(src, dst))


def synthetic_text(n_bytes: int, seed: int = 0) -> str:
    """Prose-and-code-like text for machines without the shared corpus."""
    rng = random.Random(seed)
    syll = ["ka", "to", "ri", "an", "the", "of", "ing", "str", "ion", "er", "mo", "la", "qu"]
    words = ["".join(rng.choice(syll) for _ in range(rng.randint(1, 4))) for _ in range(20000)]
    lines: list[str] = []
    size = 0
    while size < n_bytes:
        if rng.random() < 0.3:
            line = "    " * rng.randint(0, 3) + f"{rng.choice(words)}({rng.randint(0, 999)});"
        else:
            line = " ".join(rng.choice(words) for _ in range(rng.randint(3, 18))).capitalize()
            line += rng.choice([".", "?", "!", ":", ","])
        lines.append(line)
        size += len(line) + 1
        if rng.random() < 0.1:
            lines.append("")
    return "\n".join(lines) + "\n"


def base_text(corpus: Path | None) -> tuple[str, str]:
    """(text, description) to build text benchmarks from."""
    if corpus is not None:
        files = [corpus] if corpus.is_file() else sorted(corpus.glob("*.txt"))
        files = [f for f in files if f.suffix in (".txt", ".md")]
        if files:
            text = "".join(f.read_text(encoding="utf-8") for f in files)
            return text, ", ".join(f.name for f in files)
    return synthetic_text(20_000_000), "synthetic text (20 MB, seeded)"


def _strings(obj: object) -> Iterator[str]:
    if isinstance(obj, str):
        yield obj
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from _strings(value)
    elif isinstance(obj, list):
        for value in obj:
            yield from _strings(value)


def base_records(corpus: Path | None, text: str) -> tuple[list[tuple[str, str]], str]:
    """(instruction, output) pairs from every JSONL record of the corpus.

    Each record's string fields, in order: the first is the instruction, the rest
    (joined by newlines) the output. Without JSONL data, paragraphs of ``text`` are
    paired up instead.
    """
    pairs: list[tuple[str, str]] = []
    files: list[Path] = []
    if corpus is not None:
        files = [corpus] if corpus.is_file() else sorted(corpus.rglob("*.jsonl"))
        files = [f for f in files if f.suffix == ".jsonl"]
    for f in files:
        with f.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    strings = list(_strings(json.loads(line)))
                    if strings:
                        pairs.append((strings[0], "\n".join(strings[1:])))
    if pairs:
        return pairs, f"{len(files)} JSONL files"
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    pairs = list(zip(paragraphs[0::2], paragraphs[1::2], strict=False))
    return pairs, "paragraph pairs of the text corpus"


def write_text_copies(path: Path, text: str, copies: int) -> int:
    """Write ``copies`` varied copies of ``text``; returns bytes written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    size = 0
    with path.open("w", encoding="utf-8") as f:
        for k in range(copies):
            chunk = vary(text, k)
            f.write(chunk)
            if not chunk.endswith("\n"):
                f.write("\n")
                chunk += "\n"
            size += len(chunk.encode("utf-8"))
    return size


def write_jsonl_copies(
    path: Path, pairs: list[tuple[str, str]], copies: int
) -> tuple[int, list[str]]:
    """Instruction-format JSONL of varied copies; returns (bytes, the texts it counts)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    texts: list[str] = []
    size = 0
    with path.open("w", encoding="utf-8") as f:
        for k in range(copies):
            for instruction, output in pairs:
                ins, out = vary(instruction, k), vary(output, k)
                line = json.dumps({"instruction": ins, "input": "", "output": out}) + "\n"
                f.write(line)
                size += len(line.encode("utf-8"))
                texts.extend((ins, out))
    return size, texts


@dataclass
class ChildRun:
    wall: float
    cpu: float  # user + system seconds of the child (all its threads)
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def _run_and_measure(cmd: list[str]) -> dict:
    """Run ``cmd``; wall, CPU, peak RSS (os.wait4 of that child) and its output."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {
            "wall": wall,
            "cpu": usage.ru_utime + usage.ru_stime,
            "peak_rss_mb": usage.ru_maxrss / 1024,  # KiB on Linux
            "returncode": proc.returncode,
            "stdout": out.read().decode("utf-8", "replace"),
            "stderr": err.read().decode("utf-8", "replace"),
        }


# A child's peak RSS (ru_maxrss) includes what it inherited between fork and exec, i.e.
# the PARENT's resident memory: a bench process holding a 100 MB corpus would report
# every child as at least that big. So children are started by a small launcher
# process, started before any corpus is loaded, that measures them and reports back.
_LAUNCHER_CODE = """
import json, sys
sys.path.insert(0, sys.argv[1])
from _util import _run_and_measure
for line in sys.stdin:
    print(json.dumps(_run_and_measure(json.loads(line))), flush=True)
"""
_launcher: subprocess.Popen | None = None


def start_launcher() -> None:
    """Start the launcher now, while this process is still small."""
    global _launcher
    if _launcher is None:
        _launcher = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER_CODE, str(HERE)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )


def run_child(cmd: list[str]) -> ChildRun:
    """Run a command through the launcher: wall time, CPU, ITS peak RSS, output."""
    start_launcher()
    assert _launcher is not None and _launcher.stdin and _launcher.stdout
    _launcher.stdin.write(json.dumps(cmd) + "\n")
    _launcher.stdin.flush()
    return ChildRun(**json.loads(_launcher.stdout.readline()))


def self_cpu() -> float:
    """User + system CPU seconds of this process so far (all threads)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def distillcost_cmd() -> list[str]:
    """The console script next to this interpreter, else ``python -m distillcost``."""
    script = Path(sys.executable).with_name("distillcost")
    return [str(script)] if script.exists() else [sys.executable, "-m", "distillcost"]


def total_tokens(report: dict) -> int:
    """Total tokens from `distillcost count --format json` output (estimate when sampled)."""
    total = report.get("total", report)
    return int(total["tokens"])


def fmt_mb(n_bytes: float) -> str:
    return f"{n_bytes / 1e6:,.1f} MB"


_WS = re.compile(r"\s+")


def one_line(s: str, n: int = 160) -> str:
    s = _WS.sub(" ", s).strip()
    return s if len(s) <= n else s[: n - 1] + "…"
