"""Benchmark the estimator commands against their targets.

    python bench/bench_estimate.py [--runs 7]

Wall-clock medians of fresh processes, with a same-run baseline of
``python -c pass`` so figures from different machines can be compared as
ratios. Targets (issue 4):

- ``distillcost estimate`` on a numeric scenario: <= 400 ms wall, median;
- ``compare --all`` over the whole price table: <= 0.5 s beyond start-up
  (start-up = ``compare`` with one teacher, which pays for Python, click, the
  price table and the scenario);
- a 10,000-point sweep (100 x 100 grid): <= 2 s, in-process, for a numeric
  scenario and for examples/alpaca.toml, whose two ranged inputs make every
  point cost 7 evaluations instead of 1 (base; each range's low and high end
  for the sensitivity; the low and high totals), in one process and split
  across forked workers; plus the CLI figure for the whole command with CSV
  output. CPU seconds include the workers'.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# A numeric scenario (no files to count); completion tokens are a range.
SCENARIO = [
    "--teacher",
    "gpt-4o-mini",
    "--examples",
    "50000",
    "--prompt-tokens",
    "300",
    "--completion-tokens",
    "300..500..800",
]
SWEEP = ["--vary", "completion_tokens=100..1000:100", "--vary", "acceptance_rate=0.5..1:100"]


def timed_run(cmd: list[str]) -> float:
    """Wall seconds of one fresh process running ``cmd`` (which must succeed)."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}\n{proc.stdout}{proc.stderr}")
    return elapsed


def wall(cmd: list[str], runs: int) -> float:
    """Median wall seconds of ``runs`` fresh processes (after one warm-up)."""
    return statistics.median([timed_run(cmd) for _ in range(runs + 1)][1:])


def _cpu() -> float:
    """CPU seconds of this process and its finished children (forked sweep workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(func: Callable[[], object], runs: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of ``func()`` over ``runs`` calls, and its last result."""
    walls, cpus = [], []
    result: object = None
    for _ in range(runs):
        wall0, cpu0 = time.perf_counter(), _cpu()
        result = func()
        walls.append(time.perf_counter() - wall0)
        cpus.append(_cpu() - cpu0)
    return statistics.median(walls), statistics.median(cpus), result


def in_process(runs: int) -> list[tuple[str, float, float, float | None]]:
    """(name, wall, cpu, target) of compare() over every model and of 10,000-point sweeps."""
    from distillcost import analysis
    from distillcost.prices import load_prices
    from distillcost.scenario import load_scenario

    table = load_prices()
    flags = zip(SCENARIO[::2], SCENARIO[1::2], strict=True)
    numeric = load_scenario(None, {flag[2:].replace("-", "_"): value for flag, value in flags})
    alpaca = load_scenario(EXAMPLES / "alpaca.toml")
    grid = list(SWEEP[1::2])
    wall, cpu, result = _timed(lambda: analysis.compare(numeric, table), runs)
    assert isinstance(result, analysis.ComparisonResult)
    models = len(result.rows) + len(result.unavailable)
    figures = [(f"compare() in-process, {models} models", wall, cpu, 0.5)]
    sweeps = max(1, runs // 2)
    alpaca_grid = ["examples=1k..1M:100:log", "prompt_tokens=100..1000:100"]
    workers = analysis.sweep_workers(10_000)
    for label, scenario, axes in (
        ("numeric, no range left", numeric, grid),
        ("alpaca, 2 ranges left", alpaca, alpaca_grid),
    ):
        for n in sorted({1, workers}):
            wall, cpu, _ = _timed(
                lambda s=scenario, a=axes, n=n: analysis.sweep(s, table, a, workers=n), sweeps
            )
            figures.append((f"sweep() 10,000 points, {label}, {n} proc", wall, cpu, 2.0))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="processes per figure (median)")
    args = parser.parse_args()
    py = sys.executable
    dc = [py, "-m", "distillcost"]

    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "grid.csv")
        baseline = wall([py, "-c", "pass"], args.runs)
        version = wall([*dc, "--version"], args.runs)
        estimate = wall([*dc, "estimate", *SCENARIO], args.runs)
        compare_one = wall([*dc, "compare", *SCENARIO, "--models", "gpt-4o-mini"], args.runs)
        compare_all = wall([*dc, "compare", *SCENARIO, "--all"], args.runs)
        sweep_cli = wall([*dc, "sweep", *SCENARIO, *SWEEP, "--format", "csv", "-o", out], 3)
        rows = Path(out).read_text().count("\n") - 1
    core = in_process(args.runs)

    beyond = compare_all - compare_one
    lines = [
        ("python -c pass (baseline)", baseline, None),
        ("distillcost --version", version, None),
        ("estimate (numeric scenario)", estimate, 0.400),
        ("compare --models gpt-4o-mini (start-up)", compare_one, None),
        ("compare --all (whole command)", compare_all, None),
        ("compare --all beyond start-up", beyond, 0.500),
        (f"sweep CLI, {rows:,} rows to CSV (whole command)", sweep_cli, None),
    ]
    print(f"{'figure (fresh processes, wall)':54} {'median s':>9} {'x baseline':>11}  target")
    for name, seconds, target in lines:
        verdict = "" if target is None else f"<= {target:.3f} s " + _verdict(seconds, target)
        print(f"{name:54} {seconds:9.3f} {seconds / baseline:11.1f}  {verdict}")
    print()
    print(f"{'figure (in-process)':54} {'wall s':>9} {'cpu s':>11}  target")
    for name, wall_s, cpu_s, target in core:
        verdict = "" if target is None else f"<= {target:.3f} s " + _verdict(wall_s, target)
        print(f"{name:54} {wall_s:9.3f} {cpu_s:11.3f}  {verdict}")
    print(f"\n(load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())};")
    print(" on a busy machine wall > cpu; with several processes cpu > wall)")


def _verdict(seconds: float, target: float) -> str:
    return "PASS" if seconds <= target else "FAIL"


if __name__ == "__main__":
    main()
