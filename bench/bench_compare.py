"""Benchmark `compare --all` on a numeric scenario (issue 10: under half a second).

    python bench/bench_compare.py [--runs 11]

Every teacher is now priced as it behaves (its reasoning profile, its usage tier, its
availability), so this checks that the whole command stays under 0.5 s. Each round runs
every command once, in turn, in fresh processes, so a busy machine slows all of them
alike; the medians are printed with their ratio to two baselines from the same rounds:
``distillcost --help`` (start-up) and ``estimate`` of one teacher (start-up, the price
table, one estimate). In-process figures time ``analysis.compare`` alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

# The campaign: a plain instruction set, every model in the price table.
CAMPAIGN = ["--examples", "500k", "--prompt-tokens", "150", "--completion-tokens", "400"]
TARGET = 0.5


def commands(py: str) -> dict[str, list[str]]:
    dc = [py, "-m", "distillcost"]
    return {
        "distillcost --help (baseline)": [*dc, "--help"],
        "estimate, one teacher (baseline)": [*dc, "estimate", "-m", "gpt-4o-mini", *CAMPAIGN],
        "compare --all": [*dc, "compare", *CAMPAIGN, "--all"],
        "compare --all --reasoning-effort high": [
            *dc, "compare", *CAMPAIGN, "--all", "--reasoning-effort", "high",
        ],
        "compare --all, tiers for 3 providers": [
            *dc, "compare", *CAMPAIGN, "--all",
            "--tier", "openai:3", "--tier", "anthropic:2", "--tier", "google:1",
        ],
    }  # fmt: skip


def timed_rounds(cmds: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Median wall seconds per command over ``runs`` interleaved rounds (one warm-up)."""
    from bench_estimate import timed_run  # this directory is on sys.path when run

    times: dict[str, list[float]] = {name: [] for name in cmds}
    for i in range(runs + 1):
        for name, cmd in cmds.items():
            elapsed = timed_run(cmd)
            if i:  # the first round warms the caches
                times[name].append(elapsed)
    return {name: statistics.median(values) for name, values in times.items()}


def in_process(runs: int) -> tuple[float, int]:
    """Median seconds of analysis.compare over every model (table loaded once), and models."""
    from distillcost import analysis
    from distillcost.prices import load_prices
    from distillcost.scenario import Scenario

    table = load_prices()
    scenario = Scenario.from_values(examples=500_000, prompt_tokens=150, completion_tokens=400)
    walls = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = analysis.compare(scenario, table)
        walls.append(time.perf_counter() - start)
    assert result is not None
    models = len(result.rows) + len(result.unranked) + len(result.unavailable)
    return statistics.median(walls), models


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=11, help="rounds (median)")
    args = parser.parse_args()
    medians = timed_rounds(commands(sys.executable), args.runs)
    help_s = medians["distillcost --help (baseline)"]
    one_s = medians["estimate, one teacher (baseline)"]
    print(f"{'fresh processes, wall (median of ' + str(args.runs) + ')':44} {'s':>7} "
          f"{'x --help':>9} {'x estimate':>11}  target")  # fmt: skip
    for name, seconds in medians.items():
        verdict = ""
        if name.startswith("compare"):
            verdict = f"<= {TARGET:.1f} s {'PASS' if seconds <= TARGET else 'FAIL'}"
        print(
            f"{name:44} {seconds:7.3f} {seconds / help_s:9.2f} {seconds / one_s:11.2f}  {verdict}"
        )
    compare_s, models = in_process(args.runs)
    print(f"\nanalysis.compare in-process, {models} models: {compare_s * 1000:.1f} ms "
          f"({compare_s / models * 1e6:.0f} µs a teacher)")  # fmt: skip
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"(load average at the end: {load}; on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
