"""The student's training model against published runs: the fit, the held-out runs, the page.

The issue names Alpaca-7B, Vicuna-13B and Sky-T1-32B: they calibrate (with one run of each
adapter kind); every other expressible run is held out and predicted from its published
model size, data, epochs, GPUs and settings only.
"""

from __future__ import annotations

import dataclasses
import math
from decimal import Decimal as D

import pytest

from distillcost.compute.builtin import builtin_compute
from distillcost.compute.calibration import (
    MAX_PLAUSIBLE_UTILISATION,
    calibration_report,
    fit,
    generation_checks,
    markdown,
    published_runs,
)
from distillcost.compute.training import (
    CALIBRATED,
    TrainingPlan,
    expected_length,
    training_time,
)

NAMED_IN_THE_ISSUE = {"stanford-alpaca-7b", "vicuna-13b", "sky-t1-32b-preview"}


@pytest.fixture(scope="module")
def report():
    return calibration_report()


def test_the_shipped_defaults_are_the_fit_of_the_calibration_runs():
    fitted = fit(published_runs(), builtin_compute())
    assert (fitted.full, fitted.adapter, fitted.half_tokens, fitted.offload) == (
        CALIBRATED.full,
        CALIBRATED.adapter,
        CALIBRATED.half_tokens,
        CALIBRATED.offload,
    )
    # only calibration runs went in, and the runs the issue names are among them
    assert set(fitted.runs) >= NAMED_IN_THE_ISSUE
    assert {r.id for r in published_runs() if r.role == "calibration"} == set(fitted.runs)


def test_held_out_runs_land_within_twice_their_published_gpu_hours(report):
    held = [r for r in report.rows if r.run.role == "held-out" and r.run.gpu_hours]
    assert not {r.run.id for r in held} & NAMED_IN_THE_ISSUE
    checked = [r for r in held if r.plausible]
    assert len(checked) >= 5
    for row in checked:
        assert D("0.5") <= row.ratio <= 2, (row.run.id, row.ratio)


def test_held_out_costs_stay_within_their_published_bound(report):
    checked = [
        r
        for r in report.rows
        if r.run.role == "held-out" and r.plausible and r.cost_usd is not None
    ]
    assert checked, "no held-out run with a published cost and a table rate"
    for row in checked:
        # the rate is the table's, never one implied by this run's own published cost
        assert row.rate.price.derived_from != row.run.id
        assert row.cost_usd == row.time.gpu_hours * row.rate.usd
        assert row.within_cost_bound, (row.run.id, row.cost_usd, row.run.published_cost_usd)


def test_a_held_out_prediction_never_reads_the_published_hours_or_cost(report):
    compute = builtin_compute()
    for run in published_runs():
        if run.role != "held-out":
            continue
        blind = dataclasses.replace(run, gpu_hours=D(1), published_cost_usd=D(1))
        assert training_time(blind.plan(compute)) == training_time(run.plan(compute))


def test_calibration_runs_stray_little_and_the_spread_is_reported(report):
    low, high = report.spread("calibration")
    assert D("0.8") <= low <= high <= D("1.25")
    summary = report.summary()
    assert "calibration runs" in summary and "held-out runs" in summary


def test_baize_7b_worked_by_hand(report):
    # max-length padding: every one of 161,000 examples occupies 512 tokens, one epoch
    # LoRA + recompute: k = 4 + 2; attention a = 8, w = 0.036 × 6.74e9^(2/3)
    # u = 0.508 × 16,384 ÷ (16,384 + 2,450) (micro-batch 32 × 512 tokens)
    w = D("0.036") * D("6.74e9") ** (D(2) / D(3))
    per_token = 6 * D("6.74e9") + 8 * w * 512
    u = D("0.508") * 16384 / (16384 + 2450)
    hours = 161_000 * 512 * per_token / (312 * D(10) ** 12 * u) / 3600
    row = next(r for r in report.rows if r.run.id == "baize-7b")
    assert abs(row.time.gpu_hours - hours) < D("1e-9")
    assert row.run.gpu_hours == 9


def test_a_run_is_set_aside_only_when_its_published_hours_are_physically_implausible(report):
    # gpt4all-lora: 415,725 examples padded to 1,024 tokens, 4 epochs, LoRA, no recompute
    # FLOPs per token 4·N + 6·w·1,024; at its published 64 A100-hours it would run at
    # (tokens × FLOPs) ÷ (312e12 × 64 × 3,600) of the dense peak
    w = 0.036 * (6.74e9 ** (2 / 3))
    flops = 415_725 * 1024 * 4 * (4 * 6.74e9 + 6 * w * 1024)
    implied = flops / (312e12 * 64 * 3600)
    assert implied > float(MAX_PLAUSIBLE_UTILISATION)
    flagged = [r.run.id for r in report.rows if not r.plausible]
    assert flagged == ["gpt4all-lora-7b"]
    for row in report.rows:
        if row.implied_utilisation is not None:
            assert row.plausible == (row.implied_utilisation <= MAX_PLAUSIBLE_UTILISATION)


def test_the_calibration_page_is_generated_from_the_code_and_the_data(report, request):
    page = request.config.rootpath / "docs" / "calibration.md"
    expected = markdown(report, generation_checks())
    assert page.read_text(encoding="utf-8") == expected, (
        "regenerate: distillcost gpus calibration --format md -o docs/calibration.md"
    )


def test_cosmopedia_lands_within_twice_its_published_compute():
    (check,) = generation_checks()
    # 25e9 tokens ÷ 368.2 tokens/s per GPU (llm-swarm's textbooks benchmark, not Cosmopedia's
    # own figure) ÷ 3,600 = 18,860.5 GPU-hours; published: "over 10k" H100 GPU-hours
    assert check.tokens_per_s == D("368.2")
    assert abs(check.gpu_hours - D("25e9") / D("368.2") / 3600) < D("1e-6")
    assert 1 <= check.ratio <= 2


# -- the model's parts ---------------------------------------------------------------------


def test_expected_longest_of_two_matches_the_closed_form():
    # for two log-normal lengths, E[max] = 2 · mean · Φ(σ/√2)
    sigma = 0.7
    closed = 2 * 500 * 0.5 * (1 + math.erf(sigma / math.sqrt(2) / math.sqrt(2)))
    found = expected_length(D(500), D(2), None, D("0.7"))
    assert abs(float(found) - closed) < 1e-3
    assert expected_length(D(500), D(1), None, D("0.7")) == 500
    # a cap below every length pins the longest to it
    assert abs(expected_length(D(500), D(8), D(1), D("0.7")) - 1) < D("1e-6")


def plan(**kw) -> TrainingPlan:
    base = dict(
        parameters=D("7e9"),
        examples=D(10_000),
        tokens=D(5_000_000),
        epochs=D(1),
        peak_tflops=D(312),
        sequence_length=D(2048),
    )
    return TrainingPlan(**{**base, **kw})


def test_padding_packing_lora_recompute_and_offload_move_the_hours_the_right_way():
    hours = {
        name: training_time(plan(**kw)).gpu_hours
        for name, kw in {
            "packed": {"padding": "packed"},
            "longest": {"padding": "longest"},
            "max": {"padding": "max-length"},
            "lora": {"finetune": "lora"},
            "recompute": {"recompute": True},
            "small batch": {"micro_batch": D(1)},
        }.items()
    }
    assert hours["packed"] < hours["longest"] < hours["max"]
    assert hours["lora"] < hours["longest"]  # 4N, and adapters run closer to the peak
    assert hours["recompute"] > hours["longest"]
    assert hours["small batch"] > hours["longest"]


def test_a_given_utilisation_replaces_the_calibrated_one_whole():
    given = training_time(plan(padding="packed", sequence_length=None, utilisation=D("0.5")))
    assert not given.calibrated and given.utilisation == D("0.5")
    # packed, 500 tokens each (no truncation): 5e6 tokens × (6N + 6·w·500) ÷ (312e12 × 0.5)
    # ÷ 3600
    w = D("0.036") * D("7e9") ** (D(2) / D(3))
    expected = D(5_000_000) * (6 * D("7e9") + 6 * w * 500) / (312 * D(10) ** 12 * D("0.5")) / 3600
    assert abs(given.gpu_hours - expected) < D("1e-12")
    assert given.wall_clock_hours == given.gpu_hours  # one GPU by default
    eight = training_time(plan(padding="packed", utilisation=D("0.5"), gpu_count=D(8)))
    # truncating at 2,048 tokens drops the longest examples' tails: fewer tokens, less time
    assert eight.gpu_hours < given.gpu_hours
    assert eight.wall_clock_hours == eight.gpu_hours / 8
