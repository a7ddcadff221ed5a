"""Self-hosted teachers: an open-weight model on rented GPUs, priced, timed, compared."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from distillcost.analysis.breakeven import break_even
from distillcost.estimator import estimate
from distillcost.prices import load_prices
from distillcost.report import build_report_data, render_report
from distillcost.scenario import Scenario, load_scenario

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
MIXTRAL = "self-hosted:llm-swarm-textbooks-mixtral"


@pytest.fixture(scope="module")
def table():
    return load_prices(plugins=False, user_dir=False)


def test_cosmopedia_lands_within_twice_its_published_h100_hours(table):
    e = estimate(load_scenario(EXAMPLES / "cosmopedia.toml"), table)
    # 25e9 output tokens ÷ 368.2 tokens/s per H100 (llm-swarm's textbooks benchmark) ÷ 3,600
    hours = D(25_000_000_000) / D("368.2") / 3600
    assert abs(e.serving["gpu_hours"] - hours) < D("1e-6")
    published = 10_000  # "over 10k H100 GPU hours"
    assert published <= e.serving["gpu_hours"] <= 2 * published
    assert e.serving["gpu"] == "h100-sxm" and e.binding_limit == "gpus"


def test_a_self_hosted_price_is_the_gpu_rate_over_its_throughput(table):
    day = date(2026, 6, 1)
    base = dict(teacher=MIXTRAL, output_tokens="1B", prompt_tokens=500, completion_tokens=1000)
    e = estimate(Scenario.from_values(base, as_of=day, serving_gpus=16), table)
    rate = table.compute.rate_on("h100-sxm", day)
    # $ per 1M output = rate ÷ (3,600 × 368.2) × 1e6 (kept to 1e-9); prompts are free: the
    # benchmark measured no prefill rate apart
    per_million = (rate.usd * 10**6 / (3600 * D("368.2"))).quantize(D("1e-9"))
    assert e.price.output == per_million and e.price.input == 0
    assert e.costs["output"] == D(1000) * per_million
    gpu_hours = D(10**9) / D("368.2") / 3600
    assert abs(e.time["gpus"] - gpu_hours * 3600 / 16) < D("1e-3")
    assert e.costs["setup"] == D("0.5") * 16 * rate.usd  # the default set-up, on 16 GPUs
    assert e.total_usd == e.costs["output"] + e.costs["setup"]
    assert any("set-up of 0.5 h" in n for n in e.notes)


def test_a_benchmark_with_a_prefill_rate_bills_prompt_tokens(table):
    teacher = "self-hosted:deepseek-v3r1-production-decode"
    e = estimate(
        Scenario.from_values(
            teacher=teacher, requests=1000, prompt_tokens=2000, completion_tokens=500,
            serving_usd_per_gpu_hour=2, serving_setup_hours=0,
        ),
        table,
        as_of=date(2025, 6, 1),
    )  # fmt: skip
    # DeepSeek's own fleet: 14.8k output tok/s and 73.7k input tok/s per 8-GPU node, at $2
    assert e.price.output == (D(2) * 10**6 / (3600 * D(1850))).quantize(D("1e-9"))
    assert e.price.input == (D(2) * 10**6 / (3600 * D("9212.5"))).quantize(D("1e-9"))
    seconds = D(2_000_000) / D("9212.5") + D(500_000) / D(1850)
    assert abs(e.serving["gpu_hours"] - seconds / 3600) < D("1e-6")


def test_a_self_hosted_teacher_has_no_price_before_its_benchmark(table):
    from distillcost.errors import NotAvailableError

    sc = Scenario.from_values(teacher=MIXTRAL, examples=10, prompt_tokens=1, completion_tokens=1)
    with pytest.raises(NotAvailableError, match="first priced 2024-02-20"):
        estimate(sc, table, as_of=date(2023, 6, 1))


def test_break_even_volume_worked_by_hand(table):
    day = date(2026, 6, 1)
    base = dict(
        output_tokens="100M", prompt_tokens=100, completion_tokens=1000, prompt_in_dataset=False,
        serving_usd_per_gpu_hour=2, serving_gpus=8,
    )  # fmt: skip
    api = estimate(Scenario.from_values(base, teacher="gpt-4o-mini"), table, as_of=day)
    hosted = estimate(Scenario.from_values(base, teacher=MIXTRAL), table, as_of=day)
    found = break_even(api, hosted)
    # API per output token: (100 × 0.15 + 1000 × 0.60) ÷ 1000 ÷ 1e6 = $6.15e-7
    # self-hosted: $2 ÷ (3,600 × 368.2) per token = $1.5088…e-6 (quantised per 1M);
    # set-up 0.5 h × 8 × $2 = $8
    assert found.hosted_fixed == 8 and found.api_fixed == 0
    assert found.api_per_unit == D("6.15e-7")
    assert found.volume_at is None  # self-hosting costs more per token: it never catches up
    assert "every volume" in found.verdict
    cheap = estimate(
        Scenario.from_values({**base, "serving_usd_per_gpu_hour": "0.5"}, teacher=MIXTRAL),
        table,
        as_of=day,
    )
    found = break_even(api, cheap)
    per_token = (D("0.5") * 10**6 / (3600 * D("368.2"))).quantize(D("1e-9")) / 10**6
    expected = D(2) / (D("6.15e-7") - per_token)  # $2 set-up ÷ the saving per token
    assert abs(found.volume_at - expected) < D("1e-3")
    assert found.verdict == f"{MIXTRAL} above, gpt-4o-mini below"


def test_compare_ranks_self_hosted_teachers_beside_api_teachers(cli, runner):
    args = ["compare", str(EXAMPLES / "cosmopedia.toml"), "--self-hosted",
            "--models", "gpt-3.5-turbo,mistral-small-2402", "--format", "json"]  # fmt: skip
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["rows"]
    providers = {row["provider"] for row in rows}
    assert {"self-hosted", "openai"} <= providers
    totals = [D(row["total_usd"]) for row in rows]
    assert totals == sorted(totals)


def test_the_report_shows_the_break_even_section(table):
    sc = Scenario.from_values(
        teacher="gpt-4o-mini", output_tokens="100M", prompt_tokens=100, completion_tokens=1000,
        as_of=date(2026, 6, 1), serving_usd_per_gpu_hour="0.5",
    )  # fmt: skip
    data = build_report_data(sc, table, compare=[MIXTRAL], volume=False)
    assert data.break_even and data.break_even[0]["hosted"] == MIXTRAL
    text = render_report(data, "md").text
    assert "## Self-hosted or API" in text and "above, gpt-4o-mini below" in text
    html = render_report(data, "html").text
    assert 'id="break-even"' in html


def test_the_workbook_recalculates_self_hosting_and_a_calibrated_student(table, tmp_path):
    # the spreadsheet's formulas (set-up, the training model, the GPU table's rate) give the
    # estimator's totals when recalculated by an engine that is not distillcost
    from sheet_engines import FormulasEngine

    from distillcost.workbook.campaign import estimate_workbook

    cosmopedia = estimate(load_scenario(EXAMPLES / "cosmopedia.toml"), table)
    student = estimate(
        Scenario.from_values(
            teacher="gpt-4o-mini", examples="50k", prompt_tokens=300,
            completion_tokens="300..400..600", student_parameters="8e9", gpu="h100",
            finetune="lora", recompute=True, gpu_count=8,
        ),
        table,
        as_of=date(2026, 6, 1),
    )  # fmt: skip
    assert "usd_per_gpu_hour" not in student.scenario.to_dict() or (
        student.scenario.usd_per_gpu_hour is None
    )
    for name, result in (("hosted.xlsx", cosmopedia), ("student.xlsx", student)):
        path = tmp_path / name
        path.write_bytes(estimate_workbook(result))
        sheet = FormulasEngine(path).values(["total_usd", "low_usd", "high_usd"])
        for key in ("total_usd", "low_usd", "high_usd"):
            assert abs(D(repr(sheet[key])) - getattr(result, key)) < D("0.005"), (name, key)
