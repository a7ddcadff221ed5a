"""The shipped example scenarios land where their published sources say.

Uses the shipped price table (no plugins, no user dir). Sources and derivations
are in the comments of each examples/*.toml.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from distillcost.estimator import estimate
from distillcost.estimator.pipeline import estimate_pipeline
from distillcost.prices import load_prices
from distillcost.scenario import load_scenario
from distillcost.scenario.pipeline import is_pipeline_file, load_pipeline

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def table():
    return load_prices(plugins=False, user_dir=False)


def run(name: str, table, **kw):
    path = EXAMPLES / name
    if is_pipeline_file(path):
        return estimate_pipeline(load_pipeline(path), table, **kw)
    return estimate(load_scenario(path), table, **kw)


def test_every_example_loads_and_estimates(table):
    names = sorted(p.name for p in EXAMPLES.glob("*.toml"))
    assert {"essay.toml", "essay-per-query.toml", "alpaca.toml", "gpt4all.toml"} <= set(names)
    assert {"self-instruct-pipeline.toml", "cosmopedia.toml"} <= set(names)
    for name in names:
        e = run(name, table)
        assert e.total_usd > 0, name
        assert e.scenario.name, f"{name} has no name"


def test_essay_at_list_price(table):
    # 1B output tokens x $20 per 1M (text-davinci-003 on 2022-12-28) = $20,000;
    # with as many prompt tokens billed: 2B x $20 per 1M = $40,000
    e = run("essay.toml", table)
    assert e.teacher == "text-davinci-003" and e.as_of == date(2022, 12, 28)
    assert e.total_usd == D(20_000)
    assert e.low_usd == D(20_000) and e.high_usd == D(40_000)
    assert e.output_tokens == D(1_000_000_000)


def test_essay_per_query_reading(table):
    # 1B queries (one per training token) x $0.01 = $10,000,000 (the essay's figure);
    # ~40 tokens per query: 25M queries x $0.01 = $250,000
    e = run("essay-per-query.toml", table)
    assert e.total_usd == D(10_000_000)
    assert e.requests == 1_000_000_000
    assert e.low_usd == D(250_000)


def test_essay_tokens_at_later_prices(table):
    # published-cases.md: gpt-3.5-turbo March 2023 $2,000 output-only; gpt-4o-mini 2024 $600
    sc = load_scenario(EXAMPLES / "essay.toml")
    assert estimate(sc, table, teacher="gpt-3.5-turbo", as_of=date(2023, 3, 20)).total_usd == D(
        2000
    )
    assert estimate(sc, table, teacher="gpt-4o-mini", as_of=date(2024, 8, 1)).total_usd == D(600)


def test_alpaca_under_500(table):
    # 52,002 kept / 0.5 = 104,004 generated / 16 per request = 6,500.25 requests
    # input 6,500.25 x 771 = 5,011,692.75 tokens x $20/1M = $100.233855
    # output 104,004 x 110 = 11,440,440 tokens x $20/1M = $228.8088    API $329.042655
    # published derivation: ≈ $330 at half surviving, $149 if all survive, ≈ $570 at a third
    e = run("alpaca.toml", table)
    assert e.api_usd == D("329.042655")
    assert e.api_usd < 500
    assert e.requests == 6501
    # low: all survive, 95 tokens: 3,250.125 x 771 x 20/1M + 52,002 x 95 x 20/1M = $148.92
    assert round(e.low_usd - e.student_usd, 2) == D("148.92")
    # high: a third survive (0.33), 133 tokens: ≈ $571 (the "≈ $570 at a third")
    assert round(e.high_usd - e.student_usd, 0) == D(571)
    # student: 24 A100-hours (3 h x 8 GPUs) at $4 = $96, "less than $100"
    assert e.student_usd == D(96) < 100


def test_gpt4all_500_plus_100(table):
    # 437,605 kept / 0.437605 = 1,000,000 requests x 250 tokens x $2 per 1M = $500
    # student: 64 A100-hours x $1.5625 = $100
    e = run("gpt4all.toml", table)
    assert e.requests == 1_000_000
    assert e.api_usd == D(500)
    assert e.student_usd == D(100)
    assert e.total_usd == D(600)


def test_examples_through_the_cli(runner, cli):
    result = runner.invoke(cli, ["estimate", str(EXAMPLES / "gpt4all.toml")])
    assert result.exit_code == 0, result.output
    assert "$600.00" in result.output and "GPT4All" in result.output


def test_reasoning_batch_example(table):
    e = run("reasoning-batch.toml", table)
    # 100,000 / 0.7 = 142,857.14 generated; x 1.02 retries = 145,714.29 -> 145,715 requests
    assert e.requests == 145_715
    # hidden reasoning: 3,000 per request at the batch output price $2.20 per 1M
    # 145,714.2857 x 3,000 = 437,142,857 tokens -> $961.71
    assert round(e.costs["reasoning"], 2) == D("961.71")
    assert e.dataset_tokens == D(75_000_000)  # 100,000 x (150 + 600); no reasoning
    # input 145,714.29 x 550 = 80.1M tokens, 40M per batch round -> 3 rounds of 24 h
    assert e.binding_limit == "batch" and e.wall_clock_days == D(3)
    assert e.sensitivity[0].parameter == "reasoning_tokens"
    # batch halves every token price here, so the synchronous API costs twice the API part
    sync = estimate(
        load_scenario(EXAMPLES / "reasoning-batch.toml").with_values(batch=False), table
    )
    assert sync.api_usd == 2 * e.api_usd


def test_claude_multiturn_example(table):
    sc = load_scenario(EXAMPLES / "claude-multiturn.toml")
    e = estimate(sc, table)
    # 20,000 / 0.9 conversations x 4 turns x 1.01 = 89,777.78 requests
    assert e.requests == 89_778
    # unique input per conversation: 80 x (1+2+3+4) + 400 x (0+1+2+3) = 3,200
    assert round(e.tokens["input_uncached"]) == round(D(20_000) / D("0.9") * D("1.01") * 3200)
    assert e.tokens["cache_write"] > 0 and e.binding_limit == "tpm"
    assert any("approximate" in n for n in e.notes)
    # twice the turns: output doubles, resent history more than doubles the input
    assert estimate(sc.with_values(turns=8), table).total_usd > 2 * e.total_usd


def test_worked_arithmetic_of_alpaca(table):
    steps = {line.split("  ")[0]: line for line in run("alpaca.toml", table).worked()}
    # each step checkable by hand: 52,002 / 0.5 = 104,004; / 16 = 6,500.25;
    # 6,500.25 x (364 + 407) = 5,011,692.75; 6,500.25 x 16 x 110 = 11,440,440
    assert steps["Generated examples"].endswith("G = E ÷ a = 52,002 ÷ 0.5 = 104,004")
    assert "= 104,004 ÷ 16 ÷ 1 × 1 × (1 + 0) = 6,500.25, rounded up to 6,501" in steps["Requests"]
    assert steps["Prompt tokens"].endswith("= 6,500.25 × (364 + 407) = 5,011,692.75")
    assert steps["Output tokens"].endswith("R × n × k × c = 6,500.25 × 1 × 16 × 110 = 11,440,440")
    assert steps["Output (visible)"].endswith("11,440,440 × $20.00 ÷ 1,000,000 = $228.81")
    assert steps["Total"].endswith("$100.23 + $228.81 + $96.00 = $425.04")


def test_explain_flag(runner, cli):
    result = runner.invoke(cli, ["estimate", str(EXAMPLES / "alpaca.toml"), "--explain"])
    assert result.exit_code == 0, result.output
    assert "G = E / a" in result.output  # the formulas
    assert "G = E ÷ a = 52,002 ÷ 0.5 = 104,004" in result.output  # worked


def test_template_documents_every_field():
    from distillcost.compute.builtin import builtin_compute
    from distillcost.scenario import FIELDS

    text = (EXAMPLES / "template.toml").read_text()
    for spec in FIELDS:
        key = spec.key or spec.name
        assert f"{key} = " in text, f"template.toml does not show {key}"
    from distillcost.scenario import describe

    # the GPUs the --gpu help names are in the GPU table with a peak, and in the template
    named = describe("gpu").split("): ", 1)[1].rstrip(" …").split(", ")
    assert len(named) >= 12
    for name in named:
        assert builtin_compute().gpu(name).peak_tflops is not None, name
        assert name in text, name


def test_totals_equal_the_estimates_figures_on_every_example(table):
    """`totals` (a sweep's lean path) against `estimate`, the full path, on the examples
    and on variants that bring in reasoning profiles, tiers, batch and ranges."""
    from distillcost.estimator import totals

    scenarios = [
        load_scenario(path)
        for path in sorted(EXAMPLES.glob("*.toml"))
        if not is_pipeline_file(path)
    ]
    alpaca = load_scenario(EXAMPLES / "alpaca.toml")
    scenarios += [
        alpaca.with_values(teacher="o3", as_of="2025-08-01", reasoning_effort="high"),
        alpaca.with_values(teacher="gpt-4o-mini", as_of="2025-08-01", batch=True, rpm="500"),
        alpaca.with_values(teacher="claude-sonnet-4-5", as_of="2026-06-01", tier="anthropic:2"),
    ]
    assert len(scenarios) >= 8
    timed = 0
    for scenario in scenarios:
        full = estimate(scenario, table)
        lean = totals(scenario, table)
        assert (lean.total_usd, lean.low_usd, lean.high_usd, lean.wall_clock_days) == (
            full.total_usd,
            full.low_usd,
            full.high_usd,
            full.wall_clock_days,
        ), scenario.name
        timed += full.wall_clock_days is not None and full.low_usd < full.high_usd
    assert timed >= 2  # the wall clock and the range are compared, not only None == None
