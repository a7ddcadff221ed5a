"""``frontier``, ``limits`` and the report's moat-curve and provider's-view sections, end to end."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from distillcost.analysis.frontier import FRONTIER_COLUMNS

REPO = Path(__file__).resolve().parent.parent
ESSAY = str(REPO / "examples" / "essay.toml")
D = Decimal

CAMPAIGN = [
    "--teacher",
    "gpt-4o-mini",
    "--as-of",
    "2024-08-01",
    "--examples",
    "1M",
    "--prompt-tokens",
    "300",
    "--completion-tokens",
    "500",
]
LIMITS = ["--rpm", "500", "--tpm", "200k", "--rpd", "100k"]


def curve(bar: str, since: str, until: str) -> list[str]:
    return ["frontier", ESSAY, "--capability", bar, "--since", since, "--until", until]


def run(runner, cli, *args):
    result = runner.invoke(cli, list(args))
    assert "Traceback" not in result.output
    return result


def test_frontier_text_opens_with_the_essays_figure(runner, cli):
    result = run(
        runner,
        cli,
        "frontier",
        ESSAY,
        "--capability",
        "mmlu>=text-davinci-003",
        "--until",
        "2026-11-27",
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    first_row = next(line for line in lines if line.startswith("2022-12-28"))
    assert "text-davinci-003" in first_row and "$20,000.00" in first_row and "1.00×" in first_row
    assert "From $20,000.00 (text-davinci-003, 2022-12-28)" in result.output
    assert "Halving time:" in result.output
    assert "Scores behind each teacher on the curve:" in result.output


def test_frontier_csv_and_json_carry_the_same_curve(runner, cli):
    args = curve("mmlu>=86", "2023-01-01", "2026-11-27")
    as_csv = run(runner, cli, *args, "--format", "csv")
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert list(rows[0]) == list(FRONTIER_COLUMNS)
    priced = [r for r in rows if r["total_usd"]]
    # GPT-4 (MMLU 86.4, GPT-4 report) on 2023-03-14: 1B output tokens x $60 per 1M
    assert (priced[0]["date"], priced[0]["teacher"], D(priced[0]["total_usd"])) == (
        "2023-03-14",
        "gpt-4-0314",
        D(60_000),
    )
    as_json = json.loads(run(runner, cli, *args, "--format", "json").output)
    assert as_json["first"]["teacher"] == "gpt-4-0314"
    assert D(as_json["fall"]) == D(60_000) / D(as_json["last"]["total_usd"])
    assert [s["date"] for s in as_json["steps"]] == [r["date"] for r in rows]
    assert as_json["fit"]["halving_months"] is not None


def test_a_scores_file_moves_the_curve(runner, cli, tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text(
        '[[scores]]\nmodel = "text-davinci-002"\nbenchmark = "mmlu"\nvalue = "99"\n'
        'as_of = 2022-03-15\nreported_by = "third-party"\nsource = "our own run"\n',
        encoding="utf-8",
    )
    args = [*curve("mmlu>=86", "2022-01-01", "2023-06-01"), "--format", "json"]
    before = json.loads(run(runner, cli, *args).output)
    after = json.loads(run(runner, cli, *args, "--scores", str(mine)).output)
    assert before["first"]["teacher"] == "gpt-4-0314"
    # text-davinci-002: $60 per 1M from 2022-03-15 (the table's first price), 1B tokens
    assert (after["first"]["date"], after["first"]["teacher"], D(after["first"]["total_usd"])) == (
        "2022-03-15",
        "text-davinci-002",
        D(60_000),
    )
    refused = run(runner, cli, *args, "--scores", str(mine), "-o", str(mine))
    assert refused.exit_code != 0 and "also an input" in refused.output


@pytest.mark.parametrize(
    "bar, message",
    [
        ("mmlu=86", "cannot read the capability bar"),
        ("lmarena-elo>=1300", "compare only within one leaderboard snapshot"),
        ("mmlux>=86", "Did you mean: mmlu"),
        ("mmlu>=no-such-model", "no-such-model"),
    ],
)
def test_frontier_bad_bars_are_one_line_errors(runner, cli, bar, message):
    result = run(runner, cli, "frontier", ESSAY, "--capability", bar)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and message in result.output
    assert result.output.count("\n") == 1


def test_frontier_without_a_bar_says_how_to_give_one(runner, cli):
    result = run(runner, cli, "frontier", ESSAY)
    assert result.exit_code == 2 and "--capability" in result.output


def test_limits_text_and_csv_by_hand(runner, cli):
    result = run(runner, cli, "limits", *CAMPAIGN, *LIMITS, "--deadline", "3")
    assert result.exit_code == 0, result.output
    # rpd binds: 1M requests / (100k x k) days <= 3  =>  4 keys
    assert "To finish within 3 days: 4 keys (or organisations)." in result.output
    table = run(runner, cli, "limits", *CAMPAIGN, *LIMITS, "--key-counts", "1,2,5", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(table.output)))
    assert [(r["keys"], D(r["days"]), r["binding_limit"]) for r in rows] == [
        ("1", D(10), "rpd"),
        ("2", D(5), "rpd"),
        ("5", D(2), "rpd"),
    ]


def test_limits_inverse_questions(runner, cli):
    # gpt-4o-mini on 2024-08-01: $0.15 / $0.60 per 1M => 300 x 0.15e-6 + 500 x 0.6e-6 = $0.000345
    result = run(
        runner,
        cli,
        "limits",
        *CAMPAIGN,
        *LIMITS,
        "--keys",
        "2",
        "--budget",
        "100",
        "--deadline",
        "30",
        "--past",
        "30",
        "-f",
        "json",
    )
    data = json.loads(result.output)
    assert data["volume"]["by_constraint"][0] == {
        "constraint": "budget",
        "largest": 289_855,
        "note": None,
    }  # floor(100 / 0.000345)
    assert data["volume"]["smallest_unextractable"] == 289_856
    levers = {lever["limit"]: lever for lever in data["levers"]}
    assert levers["rpd"]["push_past_at"] == 16_666  # floor(1M / (2 x 30))


def test_limits_errors_are_one_line(runner, cli):
    result = run(runner, cli, "limits", *CAMPAIGN)
    assert result.exit_code == 1 and "needs the provider's limits" in result.output
    bad = run(runner, cli, "limits", *CAMPAIGN, *LIMITS, "--key-counts", "1,x")
    assert bad.exit_code == 2 and "--key-counts" in bad.output
    negative = run(runner, cli, "limits", *CAMPAIGN, *LIMITS, "--deadline", "-3")
    assert negative.exit_code == 2


def test_report_adds_both_sections_and_their_charts(runner, cli, tmp_path):
    out = tmp_path / "memo.md"
    result = run(
        runner,
        cli,
        "report",
        ESSAY,
        "--capability",
        "mmlu>=text-davinci-003",
        "--rpm",
        "3500",
        "--tpm",
        "2M",
        "--provider-view",
        "--deadline",
        "7",
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert "## The moat curve" in text and "## The provider's view" in text
    assert "### Method and limits" in text
    assert "not comparable across benchmarks" in text
    assert "is not the same model" in text
    charts = {p.name for p in (tmp_path / "memo_charts").iterdir()}
    assert {"frontier.svg", "days_by_keys.svg"} <= charts
    assert "](memo_charts/frontier.svg)" in text


def test_report_without_the_new_flags_has_neither_section(runner, cli):
    result = run(runner, cli, "report", ESSAY)
    assert result.exit_code == 0
    assert "moat curve" not in result.output and "provider's view" not in result.output
