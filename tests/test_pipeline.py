"""Pipelines: stages priced and timed together, exactly as the single scenarios they are."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from distillcost.errors import ScenarioError
from distillcost.estimator import estimate
from distillcost.estimator.pipeline import estimate_pipeline
from distillcost.prices import load_prices
from distillcost.scenario import load_scenario
from distillcost.scenario.pipeline import load_pipeline

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

PIPELINE = """
name = "three stages"
teacher = "gpt-4o-mini"
as_of = 2024-09-01

[limits]
rpm = 500

[[stages]]
name = "generate"
examples = 10_000
prompt_tokens = 300
completion_tokens = 200
examples_per_request = 4
acceptance_rate = 0.5

[[stages]]
name = "judge"
teacher = "gpt-4o"
from_previous = 1
prompt_tokens = 450
completion_tokens = 20
acceptance_rate = 0.8

[[stages]]
name = "rewrite"
from_previous = 2
prompt_tokens = 250
completion_tokens = 400
batch = true

[student]
method = "fine-tune"
model = "gpt-4o-mini"
epochs = 2
"""


@pytest.fixture(scope="module")
def table():
    return load_prices(plugins=False, user_dir=False)


def single(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text('teacher = "gpt-4o-mini"\nas_of = 2024-09-01\n' + body, encoding="utf-8")
    return path


def test_a_three_stage_total_is_the_sum_of_its_stages_priced_alone(tmp_path, table):
    path = tmp_path / "pipeline.toml"
    path.write_text(PIPELINE, encoding="utf-8")
    result = estimate_pipeline(load_pipeline(path), table)
    # the same campaign written as three single scenarios, volumes worked by hand:
    # generate keeps 10,000 examples; judge sends 1 request per kept example = 10,000 and
    # keeps 10,000 × 0.8 = 8,000; rewrite sends 2 per kept = 16,000 requests
    limits = "[limits]\nrpm = 500\n"
    generate = single(tmp_path, "generate", "examples = 10_000\nprompt_tokens = 300\n"
                      "completion_tokens = 200\nexamples_per_request = 4\nacceptance_rate = 0.5\n"
                      + limits)  # fmt: skip
    judge = single(tmp_path, "judge", 'requests = 10_000\nprompt_tokens = 450\n'
                   "completion_tokens = 20\nacceptance_rate = 0.8\n" + limits)  # fmt: skip
    rewrite = single(tmp_path, "rewrite", "requests = 16_000\nprompt_tokens = 250\n"
                     "completion_tokens = 400\nbatch = true\n" + limits + "[student]\n"
                     'method = "fine-tune"\nmodel = "gpt-4o-mini"\nepochs = 2\n')  # fmt: skip
    alone = [
        estimate(load_scenario(generate), table),
        estimate(load_scenario(judge), table, teacher="gpt-4o"),
        estimate(load_scenario(rewrite), table),
    ]
    assert [s.estimate.requests for s in result.stages] == [5_000, 10_000, 16_000]
    assert result.total_usd == sum(e.total_usd for e in alone)
    assert result.api_usd == sum(e.api_usd for e in alone)
    assert result.low_usd == sum(e.low_usd for e in alone)
    for stage, e in zip(result.stages, alone, strict=True):
        assert stage.estimate.total_usd == e.total_usd
    # the student trains once, on the last stage's dataset; the others train none
    assert result.student_usd == alone[2].student_usd > 0
    assert [s.estimate.student_usd for s in result.stages[:2]] == [0, 0]
    # stages run one after another: the wall clock is the sum
    assert result.wall_clock_seconds == sum(e.wall_clock_seconds for e in alone)
    assert result.requests == 31_000
    assert result.dataset_tokens == alone[2].dataset_tokens


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("from_previous = 1\n", "from_previous = 1\nrequests = 5\n", 1), "both given"),
        (('name = "generate"\n', 'name = "generate"\nfrom_previous = 2\n', 1), "first stage"),
        (('name = "judge"\n', 'name = "generate"\n', 1), "two stages are named"),
        (('name = "judge"\n', 'name = "judge"\nepochs = 3\n', 1), r"put \[student\] at the top"),
        (("examples = 10_000\n", "", 1), "no volume"),
        (("from_previous = 2\n", "from_previous = 0\n", 1), "must be above 0"),
        (("as_of = 2024-09-01\n", "as_of = 2024-09-01\nexamples = 5\n", 1), "state their own"),
    ],
)
def test_a_bad_pipeline_names_the_stage_and_field(tmp_path, change, message):
    old, new, count = change
    path = tmp_path / "bad.toml"
    path.write_text(PIPELINE.replace(old, new, count), encoding="utf-8")
    with pytest.raises(ScenarioError, match=message):
        load_pipeline(path)


def test_load_scenario_points_a_pipeline_to_its_loader(tmp_path):
    path = tmp_path / "pipeline.toml"
    path.write_text(PIPELINE, encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"declares \[\[stages\]\]"):
        load_scenario(path)


def test_flags_apply_to_every_stage_but_volume_and_student(tmp_path, table):
    path = tmp_path / "pipeline.toml"
    path.write_text(PIPELINE, encoding="utf-8")
    pipeline = load_pipeline(path, {"as_of": "2025-01-15", "examples": 20_000, "epochs": 3})
    scenarios = [s.scenario for s in pipeline.stages]
    assert {str(sc.as_of) for sc in scenarios} == {"2025-01-15"}
    assert scenarios[0].examples.base == 20_000 and scenarios[1].requests is None
    assert [sc.epochs.base for sc in scenarios] == [1, 1, 3]


def test_the_cli_estimates_compares_and_reports_the_self_instruct_pipeline(cli, runner, tmp_path):
    example = str(EXAMPLES / "self-instruct-pipeline.toml")
    text = runner.invoke(cli, ["estimate", example])
    assert text.exit_code == 0, text.output
    assert "instructions" in text.output and "classify" in text.output
    data = json.loads(runner.invoke(cli, ["estimate", example, "--format", "json"]).output)
    assert [s["stage"] for s in data["stages"]] == ["instructions", "classify", "instances"]
    assert D(data["total_usd"]) == sum(D(s["total_usd"]) for s in data["stages"])
    ranked = runner.invoke(
        cli,
        ["compare", example, "--models", "davinci,gpt-3.5-turbo-0301", "--stage", "instances",
         "--as-of", "2023-03-02", "--format", "json"],
    )  # fmt: skip
    assert ranked.exit_code == 0, ranked.output
    rows = json.loads(ranked.output)["rows"]
    assert [r["teacher"] for r in rows] == ["gpt-3.5-turbo-0301", "davinci"]
    unknown = runner.invoke(cli, ["compare", example, "--models", "davinci", "--stage", "nope"])
    assert unknown.exit_code == 1 and "no stage 'nope'" in unknown.output
    history = runner.invoke(cli, ["history", example, "--until", "2023-12-31", "--format", "csv"])
    assert history.exit_code == 0 and "2022-09-01" in history.output
    swept = runner.invoke(cli, ["sweep", example, "--vary", "acceptance_rate=0.2..1:3"])
    assert swept.exit_code == 2 and "not a pipeline" in swept.output
    report = runner.invoke(cli, ["report", example, "-o", str(tmp_path / "r.html")])
    assert report.exit_code == 0, report.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'id="stages"' in html and "instances" in html


def test_an_output_may_not_overwrite_a_file_a_stage_reads(tmp_path, cli, runner):
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text('{"text": "hello"}\n', encoding="utf-8")
    path = tmp_path / "pipeline.toml"
    path.write_text(
        PIPELINE.replace('name = "judge"\n', 'name = "judge"\nprompt_file = "prompts.jsonl"\n'),
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["estimate", str(path), "-o", str(prompts)])
    assert result.exit_code != 0 and "prompts.jsonl" in result.output
    assert prompts.read_text(encoding="utf-8") == '{"text": "hello"}\n'
