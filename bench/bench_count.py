"""Benchmark token counting against the targets of issue 2, all figures from one run.

    python bench/bench_count.py [--corpus PATH] [--quick] [--big-gb 1.0] [--encoding o200k_base]

Prints:
1. the best raw tiktoken throughput on all cores (the better of: one thread; one
   contiguous slice per thread; four slices per thread; for records also
   ``encode_ordinary_batch``), in-process with the vocabulary already loaded;
2. ``distillcost count`` end to end (a fresh process: start-up, reading, JSON parsing,
   counting, output) on the SAME data, a text file and an instruction JSONL, with
   each backend, its tokens checked equal to tiktoken's, and the ratio to (1)
   (target >= 0.9x);
3. the toktok backend on text it has never seen (a fresh process, one pass) vs
   tiktoken's best on the same text (target >= 3x);
4. peak RSS (os.wait4 of the child) counting a generated >= 1 GB text file
   (target < 200 MB), both backends agreeing on the total;
5. sampling at 1% (``--sample 0.01``): error vs the exact total over many seeds,
   95% interval coverage, and speed-up (target: within +-1%);
6. ``distillcost --help`` median wall time vs ``python -c pass`` (target <= 150 ms).

Corpus: PATH (a directory with *.txt and **/*.jsonl, or one file); default
../shared/corpus when present, else generated text. Generated inputs go to
bench/_data/ (git-ignored); copies are varied (paragraphs shuffled, letter pairs
swapped) so a caching tokenizer cannot replay earlier copies.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _corpus_scale import cores_section, print_corpus_scale, seek_section, smallfile_section
from _util import (
    DATA,
    SHARED_CORPUS,
    base_records,
    base_text,
    distillcost_cmd,
    fmt_mb,
    one_line,
    run_child,
    self_cpu,
    start_launcher,
    total_tokens,
    write_jsonl_copies,
    write_text_copies,
)

from distillcost import tokens

SECTIONS = ("throughput", "toktok", "big", "sampling", "startup", "seek", "smallfile", "cores")


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- raw tiktoken


def raw_text_strategies(enc, text: str, threads: int) -> dict[str, Callable[[], int]]:
    encode = enc.encode_ordinary

    def slices(k: int) -> Callable[[], int]:
        def run() -> int:
            n = threads * k
            cuts = [len(text) * i // n for i in range(n + 1)]
            with ThreadPoolExecutor(threads) as ex:
                parts = ex.map(
                    lambda ab: len(encode(text[ab[0] : ab[1]])), itertools.pairwise(cuts)
                )
                return sum(parts)

        return run

    return {
        "1 thread": lambda: len(encode(text)),
        f"{threads} contiguous slices": slices(1),
        f"{threads * 4} contiguous slices": slices(4),
    }


def raw_record_strategies(enc, texts: list[str], threads: int) -> dict[str, Callable[[], int]]:
    encode = enc.encode_ordinary

    def slices() -> int:
        n = threads
        cuts = [len(texts) * i // n for i in range(n + 1)]
        with ThreadPoolExecutor(threads) as ex:
            return sum(
                ex.map(
                    lambda ab: sum(len(encode(t)) for t in texts[ab[0] : ab[1]]),
                    itertools.pairwise(cuts),
                )
            )

    return {
        "1 thread": lambda: sum(len(encode(t)) for t in texts),
        "encode_ordinary_batch": lambda: sum(
            map(len, enc.encode_ordinary_batch(texts, num_threads=threads))
        ),
        f"{threads} contiguous slices of records": slices,
    }


# ---------------------------------------------------------------- distillcost count


def count_cli(args: list[str], runs: int) -> tuple[float, float, dict, float]:
    """(best wall, peak RSS MB, JSON output, CPU s) of `distillcost count ... -f json`."""
    best = None
    for _ in range(runs):
        run = run_child([*distillcost_cmd(), "count", *args, "--format", "json"])
        if run.returncode != 0:
            raise SystemExit(f"distillcost count {' '.join(args)} failed: {one_line(run.stderr)}")
        if best is None or run.wall < best.wall:
            best = run
    assert best is not None
    return best.wall, best.peak_rss_mb, json.loads(best.stdout), best.cpu


def interleaved(
    label: str,
    strategies: dict[str, Callable[[], int]],
    n_bytes: int,
    cli_args: list[str],
    ref_tokens: int,
    runs: int,
) -> dict:
    """Raw tiktoken strategies and `distillcost count` per backend, round-robin, best of each."""
    raw_best: dict[str, float] = dict.fromkeys(strategies, math.inf)
    raw_cpu: dict[str, float] = dict.fromkeys(strategies, math.inf)
    cli_best: dict[str, tuple[float, float, dict, float]] = {}
    for _ in range(runs):
        for name, fn in strategies.items():
            t0, c0 = time.perf_counter(), self_cpu()
            fn()
            raw_best[name] = min(raw_best[name], time.perf_counter() - t0)
            raw_cpu[name] = min(raw_cpu[name], self_cpu() - c0)
        for backend in ("tiktoken", "auto"):
            wall, rss, rep, cpu = count_cli([*cli_args, "--backend", backend], 1)
            if backend not in cli_best or wall < cli_best[backend][0]:
                cli_best[backend] = (wall, rss, rep, cpu)
    raw_mb_s = {name: n_bytes / secs / 1e6 for name, secs in raw_best.items()}
    best = max(raw_mb_s, key=raw_mb_s.__getitem__)
    for name, v in raw_mb_s.items():
        log(f"  raw tiktoken, {label}, {name}: {v:.1f} MB/s")
    result: dict = {
        "raw_tiktoken": {
            "best_strategy": best,
            "best_mb_s": raw_mb_s[best],
            "all_mb_s": raw_mb_s,
            "mb_per_cpu_s": n_bytes / raw_cpu[best] / 1e6,
        },
        "count": {},
    }
    for backend, (wall, rss, rep, cpu) in cli_best.items():
        got = total_tokens(rep)
        mb_s = n_bytes / wall / 1e6
        result["count"][backend] = {
            "backend": rep.get("backend", backend),
            "wall_s": wall,
            "mb_s": mb_s,
            "ratio_to_raw_best": mb_s / raw_mb_s[best],
            "mb_per_cpu_s": n_bytes / cpu / 1e6,
            "peak_rss_mb": rss,
            "tokens_equal": got == ref_tokens,
        }
        log(
            f"  distillcost count {label} --backend {backend}: {mb_s:.1f} MB/s, "
            f"{mb_s / raw_mb_s[best]:.2f}x raw; tokens {got:,} "
            f"{'==' if got == ref_tokens else '!='} tiktoken's {ref_tokens:,}"
        )
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, help="directory (*.txt, **/*.jsonl) or file")
    ap.add_argument("--quick", action="store_true", help="small sizes, one run each")
    ap.add_argument("--big-gb", type=float, help="size of the big file (default 1.0; quick 0.25)")
    ap.add_argument("--encoding", default="o200k_base")
    ap.add_argument("--threads", type=int, default=tokens.default_threads())
    ap.add_argument("--skip-big", action="store_true", help="same as leaving 'big' out of --only")
    ap.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated sections to run (default all: {','.join(SECTIONS)})",
    )
    ap.add_argument("--json", type=Path, default=DATA / "results.json", help="results file")
    ap.add_argument("--seek-mb", type=float, help="size of the seek-sampling file (600; quick 150)")
    args = ap.parse_args()

    only = {x.strip() for x in args.only.split(",") if x.strip()}
    if unknown := only - set(SECTIONS):
        ap.error(f"unknown section(s) {', '.join(sorted(unknown))}; choose from {SECTIONS}")
    if args.skip_big:
        only.discard("big")
    start_launcher()  # before the corpus is in memory: see _util.run_child
    corpus = args.corpus or (SHARED_CORPUS if SHARED_CORPUS.exists() else None)
    quick = args.quick
    runs = 1 if quick else 3
    text_copies = 1 if quick else 5
    jsonl_copies = 1 if quick else 4
    big_gb = args.big_gb if args.big_gb is not None else (0.25 if quick else 1.0)
    seeds = list(range(1, 6 if quick else 21))
    enc_name = args.encoding
    threads = args.threads
    out: dict = {"encoding": enc_name, "threads": threads, "quick": quick}
    out["loadavg_start"] = os.getloadavg()[0]

    log(f"corpus: {corpus or 'generated'}; encoding {enc_name}; {threads} threads")
    text0, tdesc = base_text(corpus)
    if corpus is not None and corpus.is_dir() and (corpus / "mixed_20mb.txt").exists():
        text0, tdesc = base_text(corpus / "mixed_20mb.txt")
    pairs, jdesc = base_records(corpus, text0)
    out["corpus"] = {"text": tdesc, "records": jdesc}

    # -- inputs
    text_path = DATA / f"text_x{text_copies}.txt"
    text_bytes = write_text_copies(text_path, text0, text_copies)
    text = text_path.read_text(encoding="utf-8")
    jsonl_path = DATA / f"instruct_x{jsonl_copies}.jsonl"
    jsonl_bytes, rec_texts = write_jsonl_copies(jsonl_path, pairs, jsonl_copies)
    content_bytes = sum(len(t.encode("utf-8")) for t in rec_texts)
    log(
        f"text file {text_path.name}: {fmt_mb(text_bytes)}; JSONL {jsonl_path.name}: "
        f"{fmt_mb(jsonl_bytes)} ({len(rec_texts) // 2:,} records, {fmt_mb(content_bytes)} of text)"
    )

    enc = tokens.get_encoding(enc_name)

    # -- 1 + 2: text file, then JSONL; raw and CLI runs interleaved so that load from
    # other processes hits both alike; the best of each is kept
    ref_text_tokens = len(enc.encode_ordinary(text))
    ref_jsonl_tokens = sum(len(enc.encode_ordinary(t)) for t in rec_texts)
    if "throughput" in only:
        throughput(
            out,
            enc,
            text,
            text_path,
            text_bytes,
            ref_text_tokens,
            rec_texts,
            jsonl_path,
            jsonl_bytes,
            content_bytes,
            ref_jsonl_tokens,
            enc_name,
            threads,
            runs,
        )

    # -- 3: toktok on unrepeated text: each toktok figure is the FIRST pass over the
    # text in a fresh process (toktok caches, so later passes would flatter it)
    if "toktok" in only and tokens._toktok_supports(enc_name):
        toktok_unrepeated(out, enc, text0, enc_name, threads, runs)

    # -- 4: big file, peak RSS
    big = DATA / "none"
    if "big" in only or "sampling" in only:
        copies = max(1, math.ceil(big_gb * 1e9 / len(text0.encode("utf-8"))))
        big = DATA / f"big_x{copies}.txt"
        if not big.exists():
            log(f"writing {big.name} ({copies} varied copies)...")
            write_text_copies(big, text0, copies)
    if "big" in only:
        big_file(out, big, enc_name, quick)

    # -- 5: sampling at 1%
    if "sampling" in only:
        sampling_section(out, jsonl_path, big, ref_jsonl_tokens, enc_name, seeds, "big" in only)

    # -- 6: --help start-up
    if "startup" in only:
        startup(out)

    # -- 7-9 (issue 14): seek sampling, small-file latency, throughput vs cores
    if "seek" in only:
        seek_mb = args.seek_mb or (150 if quick else 600)
        seek_section(out, text0, enc_name, seek_mb, seeds)
    if "smallfile" in only:
        smallfile_section(out)
    if "cores" in only:
        cores_section(out, text_path, enc_name, threads)

    out["loadavg_end"] = os.getloadavg()[0]
    print_summary(out)
    print_corpus_scale(out)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(out, indent=2))
    log(f"(full results in {args.json})")
    return 0


def throughput(out, enc, text, text_path, text_bytes, ref_text_tokens, rec_texts,
               jsonl_path, jsonl_bytes, content_bytes, ref_jsonl_tokens, enc_name,
               threads, runs) -> None:  # fmt: skip
    """Sections 1 and 2: raw tiktoken vs `distillcost count`, text file then JSONL."""
    out["text"] = interleaved(
        "text file",
        raw_text_strategies(enc, text, threads),
        text_bytes,
        [str(text_path), "-e", enc_name],
        ref_text_tokens,
        runs,
    )
    out["text"].update(bytes=text_bytes, tokens=ref_text_tokens)
    out["jsonl"] = interleaved(
        "JSONL",
        raw_record_strategies(enc, rec_texts, threads),
        content_bytes,
        [str(jsonl_path), "-e", enc_name],
        ref_jsonl_tokens,
        runs,
    )
    out["jsonl"].update(
        bytes=jsonl_bytes,
        text_bytes=content_bytes,
        records=len(rec_texts) // 2,
        tokens=ref_jsonl_tokens,
    )


def toktok_unrepeated(out: dict, enc, text0: str, enc_name: str, threads: int, runs: int) -> None:
    """Section 3: toktok's first pass over unseen text vs tiktoken's best."""
    n0 = len(text0.encode("utf-8"))
    ref0 = len(enc.encode_ordinary(text0))
    src = DATA / "unrepeated.txt"
    src.write_text(text0, encoding="utf-8")
    probe = (
        "import sys, time; from distillcost.tokens import TokenCounter; import toktok\n"
        "c = TokenCounter(sys.argv[1], backend='toktok', threads=int(sys.argv[3]))\n"
        "t = open(sys.argv[2], encoding='utf-8').read()\n"
        "t0 = time.perf_counter(); n = c.count(t) if sys.argv[3] != '1' else "
        "toktok.batch_count([t], sys.argv[1], threads=1)[0]\n"
        "print(n, time.perf_counter() - t0)"
    )
    strategies = raw_text_strategies(enc, text0, threads)
    raw0 = dict.fromkeys(strategies, math.inf)
    tk: dict[int, float] = {1: math.inf, threads: math.inf}
    tk_exact = True
    for _ in range(runs):
        for name, fn in strategies.items():
            t0 = time.perf_counter()
            fn()
            raw0[name] = min(raw0[name], time.perf_counter() - t0)
        for th in tk:
            res = subprocess.run(
                [sys.executable, "-c", probe, enc_name, str(src), str(th)],
                capture_output=True,
                text=True,
                check=True,
            )
            n, secs = res.stdout.split()
            tk[th] = min(tk[th], float(secs))
            tk_exact = tk_exact and int(n) == ref0
    raw0_mb_s = {name: n0 / secs / 1e6 for name, secs in raw0.items()}
    best0 = max(raw0_mb_s, key=raw0_mb_s.__getitem__)
    out["toktok_unrepeated"] = {
        "bytes": n0,
        "raw_tiktoken": {
            "best_strategy": best0,
            "best_mb_s": raw0_mb_s[best0],
            "all_mb_s": raw0_mb_s,
        },
        "toktok_1_thread_mb_s": n0 / tk[1] / 1e6,
        "toktok_all_threads_mb_s": n0 / tk[threads] / 1e6,
        "ratio_to_tiktoken_best": (n0 / tk[threads] / 1e6) / raw0_mb_s[best0],
        "tokens_equal": tk_exact,
    }
    u = out["toktok_unrepeated"]
    log(
        f"  toktok unrepeated: 1 thread {u['toktok_1_thread_mb_s']:.1f} MB/s, {threads} "
        f"threads {u['toktok_all_threads_mb_s']:.1f} MB/s = "
        f"{u['ratio_to_tiktoken_best']:.2f}x tiktoken's best ({raw0_mb_s[best0]:.1f} MB/s)"
    )


def big_file(out: dict, big: Path, enc_name: str, quick: bool) -> None:
    """Section 4: peak RSS counting the big file (both backends must agree)."""
    big_bytes = big.stat().st_size
    out["big"] = {"bytes": big_bytes, "count": {}}
    backends = ("auto",) if quick else ("auto", "tiktoken")
    totals = set()
    for backend in backends:
        wall, rss, rep, _ = count_cli([str(big), "-e", enc_name, "--backend", backend], 1)
        totals.add(total_tokens(rep))
        out["big"]["count"][backend] = {
            "backend": rep.get("backend", backend),
            "wall_s": wall,
            "mb_s": big_bytes / wall / 1e6,
            "peak_rss_mb": rss,
            "tokens": total_tokens(rep),
        }
        log(
            f"  big file {fmt_mb(big_bytes)} --backend {backend}: "
            f"{big_bytes / wall / 1e6:.1f} MB/s,"
            f" peak RSS {rss:.0f} MB, {total_tokens(rep):,} tokens"
        )
    out["big"]["backends_agree"] = len(totals) == 1


def sampling_section(out: dict, jsonl_path: Path, big: Path, ref_jsonl_tokens: int,
                     enc_name: str, seeds: list[int], with_big: bool) -> None:  # fmt: skip
    """Section 5: 1% samples over many seeds vs the exact totals."""

    def sampling(path: Path, extra: list[str], exact: int, exact_wall: float) -> dict:
        errors, covered, walls = [], 0, []
        for seed in seeds:
            wall, _, rep, _ = count_cli(
                [str(path), "-e", enc_name, "--sample", "0.01", "--seed", str(seed), *extra], 1
            )
            walls.append(wall)
            total = rep.get("total", rep)
            est = total["tokens_ci95"]["estimate"] if "tokens_ci95" in total else total["tokens"]
            errors.append((est - exact) / exact * 100)
            ci = total.get("tokens_ci95")
            if ci and ci["low"] <= exact <= ci["high"]:
                covered += 1
        abs_err = sorted(abs(e) for e in errors)
        return {
            "seeds": len(seeds),
            "median_abs_error_pct": statistics.median(abs_err),
            "p95_abs_error_pct": abs_err[min(len(abs_err) - 1, math.ceil(0.95 * len(abs_err)) - 1)],
            "max_abs_error_pct": abs_err[-1],
            "ci95_coverage": covered / len(seeds),
            "exact_wall_s": exact_wall,
            "sample_wall_s": statistics.median(walls),
            "speedup": exact_wall / statistics.median(walls),
        }

    out["sampling"] = {}
    if "jsonl" in out:
        exact_wall = out["jsonl"]["count"]["auto"]["wall_s"]
    else:
        exact_wall = count_cli([str(jsonl_path), "-e", enc_name], 1)[0]
    out["sampling"]["jsonl"] = sampling(jsonl_path, [], ref_jsonl_tokens, exact_wall)
    log(f"  sampling 1% JSONL: {out['sampling']['jsonl']}")
    if with_big:
        wall, _, rep, _ = count_cli([str(big), "-e", enc_name, "--per-line"], 1)
        s = sampling(big, ["--per-line"], total_tokens(rep), wall)
        out["sampling"]["big_per_line"] = s
        log(f"  sampling 1% big file per line: {s}")


def startup(out: dict) -> None:
    """Section 6: `distillcost --help` start-up vs a bare interpreter."""

    def median_wall(cmd: list[str], n: int = 21) -> float:
        return statistics.median(run_child(cmd).wall for _ in range(n))

    help_ms = median_wall([*distillcost_cmd(), "--help"]) * 1000
    count_help_ms = median_wall([*distillcost_cmd(), "count", "--help"]) * 1000
    pass_ms = median_wall([sys.executable, "-c", "pass"]) * 1000
    out["startup"] = {"help_ms": help_ms, "count_help_ms": count_help_ms, "python_pass_ms": pass_ms}


def print_summary(r: dict) -> None:
    def line(name: str, value: str, target: str = "", ok: bool | None = None) -> None:
        mark = "" if ok is None else ("  OK" if ok else "  MISSED")
        print(f"{name:<58} {value:>22}  {target}{mark}")

    print(
        f"\ndistillcost count benchmark: {r['encoding']}, {r['threads']} threads"
        f"{' (quick)' if r['quick'] else ''}; "
        f"corpus: {r['corpus']['text']} / {r['corpus']['records']}"
    )
    print(
        f"(1-minute load average {r['loadavg_start']:.1f} at start, {r['loadavg_end']:.1f} at end,"
        f" on {os.cpu_count()} CPUs: other processes compete when it exceeds 0)"
    )
    if "text" in r:
        t = r["text"]
        line(
            f"raw tiktoken best, text ({fmt_mb(t['bytes'])})",
            f"{t['raw_tiktoken']['best_mb_s']:.1f} MB/s",
            f"[{t['raw_tiktoken']['best_strategy']}] "
            f"{t['raw_tiktoken']['mb_per_cpu_s']:.1f} MB/CPU-s",
        )
        for b, c in t["count"].items():
            line(
                f"  distillcost count --backend {b} ({c['backend']})",
                f"{c['mb_s']:.1f} MB/s",
                f"{c['ratio_to_raw_best']:.2f}x (>= 0.9x), exact={c['tokens_equal']}, "
                f"{c['mb_per_cpu_s']:.1f} MB/CPU-s",
                c["ratio_to_raw_best"] >= 0.9 and c["tokens_equal"],
            )
        j = r["jsonl"]
        line(
            f"raw tiktoken best, JSONL text ({j['records']:,} records, {fmt_mb(j['text_bytes'])})",
            f"{j['raw_tiktoken']['best_mb_s']:.1f} MB/s",
            f"[{j['raw_tiktoken']['best_strategy']}] "
            f"{j['raw_tiktoken']['mb_per_cpu_s']:.1f} MB/CPU-s",
        )
        for b, c in j["count"].items():
            line(
                f"  distillcost count --backend {b} ({c['backend']}), file {fmt_mb(j['bytes'])}",
                f"{c['mb_s']:.1f} MB/s",
                f"{c['ratio_to_raw_best']:.2f}x (>= 0.9x), exact={c['tokens_equal']}, "
                f"{c['mb_per_cpu_s']:.1f} MB/CPU-s",
                c["ratio_to_raw_best"] >= 0.9 and c["tokens_equal"],
            )
    if "toktok_unrepeated" in r:
        u = r["toktok_unrepeated"]
        line(
            f"toktok on unrepeated text ({fmt_mb(u['bytes'])}), 1 thread",
            f"{u['toktok_1_thread_mb_s']:.1f} MB/s",
        )
        line(
            "toktok, all threads, vs tiktoken's best",
            f"{u['toktok_all_threads_mb_s']:.1f} MB/s",
            f"{u['ratio_to_tiktoken_best']:.2f}x (>= 3x), exact={u['tokens_equal']}",
            u["ratio_to_tiktoken_best"] >= 3 and u["tokens_equal"],
        )
    if "big" in r:
        bg = r["big"]
        for b, c in bg["count"].items():
            line(
                f"big file {fmt_mb(bg['bytes'])}, --backend {b}: peak RSS",
                f"{c['peak_rss_mb']:.0f} MB",
                f"(< 200 MB) at {c['mb_s']:.1f} MB/s",
                c["peak_rss_mb"] < 200,
            )
        if len(bg["count"]) > 1:
            line(
                "  both backends give the same total",
                str(bg["backends_agree"]),
                "",
                bg["backends_agree"],
            )
    for name, s in r.get("sampling", {}).items():
        line(
            f"sample 1% ({name}, {s['seeds']} seeds): |error| median / p95 / max",
            f"{s['median_abs_error_pct']:.2f} / {s['p95_abs_error_pct']:.2f} / "
            f"{s['max_abs_error_pct']:.2f} %",
            "(within +-1%)",
            s["max_abs_error_pct"] <= 1.0,
        )
        line(
            "  95% CI coverage; speed-up vs exact", f"{s['ci95_coverage']:.0%}; {s['speedup']:.1f}x"
        )
    if "startup" in r:
        st = r["startup"]
        line(
            "distillcost --help, median wall",
            f"{st['help_ms']:.0f} ms",
            "(<= 150 ms)",
            st["help_ms"] <= 150,
        )
        line("distillcost count --help, median wall", f"{st['count_help_ms']:.0f} ms")
        line("python -c pass, median wall (baseline)", f"{st['python_pass_ms']:.0f} ms")


if __name__ == "__main__":
    raise SystemExit(main())
