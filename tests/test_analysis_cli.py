"""compare / history / sweep through the CLI: formats, files, and every error path.

The teachers come from a price file written here (passed with --prices), so the
expected totals are worked out by hand and do not depend on the shipped data.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

D = Decimal

# Base campaign for every test: 1,000 examples x (100 prompt + 200 completion)
# tokens = 0.1M input and 0.2M output tokens, priced on 2023-07-01.
PRICES = """
[meta]
provider = "zztest"

[[models]]
id = "zz-alpha"
encoding = "o200k_base"
context_window = 8000

  [[models.prices]]
  effective_from = 2023-01-01
  input = 10
  output = 20
  source = "test fixture"

  [[models.prices]]
  effective_from = 2023-06-01
  input = 5
  output = 10
  batch_input = 2.5
  batch_output = 5
  source = "test fixture"

[[models]]
id = "zz-beta"
encoding = "o200k_base"
context_window = 4000
retired = 2024-01-01

  [[models.prices]]
  effective_from = 2023-03-01
  input = 1
  output = 2
  source = "test fixture"

[[models]]
id = "zz-tiny"
encoding = "o200k_base"
context_window = 50

  [[models.prices]]
  effective_from = 2023-01-01
  input = "0.1"
  output = "0.1"
  source = "test fixture"

[[models]]
id = "zz-future"
encoding = "o200k_base"

  [[models.prices]]
  effective_from = 2030-01-01
  input = "0.1"
  output = "0.1"
  source = "test fixture"
"""

HOSTILE = """
[meta]
provider = "zzevil"

[[models]]
id = '=HYPERLINK("x")'
encoding = "o200k_base"
context_window = 8000

  [[models.prices]]
  effective_from = 2023-01-01
  input = 1
  output = 1
  source = "test fixture"
"""

# zz-alpha on 2023-07-01 (5/10): 0.1*5 + 0.2*10 = 2.50
# zz-beta (1/2):                 0.1*1 + 0.2*2  = 0.50


@pytest.fixture
def prices(tmp_path: Path) -> Path:
    path = tmp_path / "test-prices.toml"
    path.write_text(PRICES, encoding="utf-8")
    return path


@pytest.fixture
def campaign(prices: Path) -> list[str]:
    return [
        "--prices",
        str(prices),
        "--teacher",
        "zz-alpha",
        "--as-of",
        "2023-07-01",
        "--examples",
        "1000",
        "--prompt-tokens",
        "100",
        "--completion-tokens",
        "200",
    ]


def run(runner, cli, *args: str):
    return runner.invoke(cli, list(args), catch_exceptions=False)


def assert_one_error_line(result, exit_code: int = 1) -> str:
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.output
    return lines[0]


# ----------------------------------------------------------------------------- compare


def test_compare_table(runner, cli, campaign):
    result = run(
        runner, cli, "compare", *campaign, "--models", "zz-alpha,zz-beta", "--models", "zz-tiny"
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("zz-beta") < out.index("zz-alpha") < out.index("zz-tiny")
    assert "$0.50" in out and "$2.50" in out
    assert "Cannot run this campaign (1)" in out
    assert "context" in out.split("Cannot run")[1]


def test_compare_csv_lists_only_teachers_that_can_run_it(runner, cli, campaign):
    result = run(runner, cli, "compare", *campaign, "--provider", "zztest", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["rank"], r["teacher"]) for r in rows] == [("1", "zz-beta"), ("2", "zz-alpha")]
    assert all(r["reason"] == "" for r in rows)  # so SUM(total_usd) adds real totals only


def test_compare_csv_numbers_stay_numbers(runner, cli, campaign):
    result = run(
        runner, cli, "compare", *campaign, "--provider", "zztest", "--format", "csv",
        "--include-unavailable",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["teacher"] for r in rows] == ["zz-beta", "zz-alpha", "zz-tiny", "zz-future"]
    assert [r["rank"] for r in rows] == ["1", "2", "", ""]
    assert D(rows[0]["total_usd"]) == D("0.50")
    assert D(rows[1]["total_usd"]) == D("2.50")
    assert rows[2]["total_usd"] == "" and "context" in rows[2]["reason"]


def test_compare_json(runner, cli, campaign):
    result = run(
        runner, cli, "compare", *campaign, "--models", "zz-alpha,zz-beta", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["as_of"] == "2023-07-01"
    assert [(r["teacher"], D(r["total_usd"])) for r in data["rows"]] == [
        ("zz-beta", D("0.50")),
        ("zz-alpha", D("2.50")),
    ]
    assert data["unavailable"] == []
    # the JSON says what was assumed
    assert data["scenario"]["examples"] == "1000"
    assert data["scenario"]["completion_tokens"] == "200"


def test_compare_all_is_sorted_and_includes_the_extra_file(runner, cli, campaign):
    result = run(runner, cli, "compare", *campaign, "--all", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    totals = [D(r["total_usd"]) for r in data["rows"]]
    assert totals == sorted(totals)
    names = {r["teacher"] for r in data["rows"]} | {u["teacher"] for u in data["unavailable"]}
    assert {"zz-alpha", "zz-beta", "zz-tiny"} <= names


def test_compare_output_file_is_atomic(runner, cli, campaign, tmp_path):
    target = tmp_path / "out.csv"
    result = run(
        runner,
        cli,
        "compare",
        *campaign,
        "--models",
        "zz-beta",
        "--format",
        "csv",
        "-o",
        str(target),
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == f"Wrote {target}\n"
    assert target.read_text().splitlines()[1].startswith("1,zz-beta,zztest,0.5,")
    # a failing run leaves the previous file untouched
    before = target.read_text()
    bad = run(runner, cli, "compare", *campaign, "--models", "zz-gamma", "-o", str(target))
    assert_one_error_line(bad)
    assert target.read_text() == before


def test_compare_hostile_model_id_is_neutralised(runner, cli, campaign, tmp_path):
    evil = tmp_path / "evil.toml"
    evil.write_text(HOSTILE, encoding="utf-8")
    result = run(
        runner,
        cli,
        "compare",
        *campaign,
        "--prices",
        str(evil),
        "--provider",
        "zzevil",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[1][1] == '\'=HYPERLINK("x")'
    # 0.1*1 + 0.2*1 = 0.30, still a plain number
    assert D(rows[1][3]) == D("0.30")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--models", "zz-alpah"], "unknown model 'zz-alpah'. Did you mean: zz-alpha"),
        (["--provider", "zztset"], "unknown provider 'zztset'"),
    ],
)
def test_compare_unknown_names(runner, cli, campaign, args, message):
    line = assert_one_error_line(run(runner, cli, "compare", *campaign, *args))
    assert message in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "choose the teachers"),
        (["--all", "--models", "zz-alpha"], "--all compares every model"),
        (["--models", ","], "no model names given"),
        (["--models", "zz-alpha", "--format", "xml"], "'xml' is not one of"),
    ],
)
def test_compare_usage_errors(runner, cli, campaign, args, message):
    result = run(runner, cli, "compare", *campaign, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_compare_table_groups_not_priced_and_retired(runner, cli, campaign):
    args = ["compare", *campaign, "--as-of", "2024-06-01", "--provider", "zztest"]
    result = run(runner, cli, *args)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "1 teacher(s) priced on 2024-06-01" in out
    assert "Cannot run this campaign (1):\n  zz-tiny  " in out
    assert "Not yet priced on 2024-06-01 (1):\n  zz-future (from 2030-01-01)\n" in out
    assert "Retired by 2024-06-01 (1):\n  zz-beta (on 2024-01-01)\n" in out


# ----------------------------------------------------------------------------- history


def test_history_table_and_csv(runner, cli, prices):
    args = [
        "history",
        "--prices",
        str(prices),
        "--as-of",
        "2024-06-01",
        "--examples",
        "1000",
        "--prompt-tokens",
        "100",
        "--completion-tokens",
        "200",
        "--models",
        "zz-alpha,zz-beta",
    ]
    table = run(runner, cli, *args)
    assert table.exit_code == 0, table.output
    assert "retired" in table.output
    assert "-50%" in table.output  # zz-alpha: 5.00 -> 2.50 on 2023-06-01
    # first date: only zz-alpha ($5); last date: zz-beta retired, zz-alpha $2.50
    assert table.output.endswith(
        "\nCheapest: $5.00 (zz-alpha) on 2023-01-01 -> $2.50 (zz-alpha) on 2024-01-01: 2.0× less\n"
    )
    result = run(runner, cli, *args, "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    # dates: union of 2023-01-01, 2023-03-01, 2023-06-01 and beta's retirement 2024-01-01
    assert [(r["date"], r["teacher"], r["total_usd"], r["status"]) for r in rows] == [
        ("2023-01-01", "zz-alpha", "5", "priced"),
        ("2023-03-01", "zz-alpha", "5", "priced"),
        ("2023-03-01", "zz-beta", "0.5", "priced"),
        ("2023-06-01", "zz-alpha", "2.5", "priced"),
        ("2023-06-01", "zz-beta", "0.5", "priced"),
        ("2024-01-01", "zz-alpha", "2.5", "priced"),
        ("2024-01-01", "zz-beta", "", "retired"),
    ]


def test_history_json_defaults_to_the_teacher(runner, cli, campaign):
    result = run(runner, cli, "history", *campaign, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["until"] == date.today().isoformat()
    assert [(r["teacher"], r["date"], r["total_usd"]) for r in data["rows"]] == [
        ("zz-alpha", "2023-01-01", "5"),
        ("zz-alpha", "2023-06-01", "2.5"),
    ]


def test_history_until_flag(runner, cli, campaign):
    result = run(runner, cli, "history", *campaign, "--until", "2023-05-31", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["until"] == "2023-05-31"
    assert [(r["teacher"], r["date"]) for r in data["rows"]] == [("zz-alpha", "2023-01-01")]
    bad = run(runner, cli, "history", *campaign, "--until", "soon")
    assert bad.exit_code == 2


def test_history_errors(runner, cli, campaign, prices):
    line = assert_one_error_line(run(runner, cli, "history", *campaign, "--models", "zz-gama"))
    assert "unknown model 'zz-gama'" in line
    no_teacher = run(
        runner,
        cli,
        "history",
        "--prices",
        str(prices),
        "--examples",
        "10",
        "--prompt-tokens",
        "1",
        "--completion-tokens",
        "1",
    )
    assert "history needs --models or a teacher" in assert_one_error_line(no_teacher)
    usage = run(runner, cli, "history", *campaign, "--models", " ")
    assert usage.exit_code == 2 and "no model names given" in usage.output


# ----------------------------------------------------------------------------- sweep


def test_sweep_table_csv_json(runner, cli, campaign):
    args = ["sweep", *campaign, "--vary", "completion-tokens=100..300:3"]
    table = run(runner, cli, *args)
    assert table.exit_code == 0, table.output
    assert "$1.50" in table.output and "$3.50" in table.output
    result = run(runner, cli, *args, "--format", "csv")
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["completion_tokens", "total_usd", "low_usd", "high_usd", "wall_clock_days"]
    # 0.5 + 0.1*10, 0.5 + 0.2*10, 0.5 + 0.3*10
    assert [(r[0], D(r[1])) for r in rows[1:]] == [
        ("100", D("1.5")),
        ("200", D("2.5")),
        ("300", D("3.5")),
    ]
    data = json.loads(run(runner, cli, *args, "-f", "json").output)  # -f as in estimate
    assert data["vary"] == ["completion_tokens=100..300:3"]
    assert [r["total_usd"] for r in data["rows"]] == ["1.5", "2.5", "3.5"]


def test_sweep_two_axes_to_file(runner, cli, campaign, tmp_path):
    target = tmp_path / "grid.csv"
    result = run(
        runner,
        cli,
        "sweep",
        *campaign,
        "--vary",
        "examples=10..1000:3:log",
        "--vary",
        "acceptance_rate=0.5..1:2",
        "--format",
        "csv",
        "-o",
        str(target),
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(target.read_text())))
    assert len(rows) == 1 + 3 * 2
    assert [r[:2] for r in rows[1:]] == [
        ["10", "0.5"],
        ["10", "1"],
        ["100", "0.5"],
        ["100", "1"],
        ["1000", "0.5"],
        ["1000", "1"],
    ]


@pytest.mark.parametrize(
    ("vary", "message"),
    [
        (["completion_token=1..2"], "Did you mean: completion_tokens"),
        (["prompt_tokens=5..1"], "STOP must be greater than START"),
        (["prompt_tokens=1..5:1"], "STEPS must be at least 2"),
        (["prompt_tokens=0..5:log"], "a log axis needs START > 0"),
        (["prompt_tokens=1..5:3:cubic"], "unknown option 'cubic'"),
        (["prompt_tokens"], "expected PARAM=START..STOP"),
        (["prompt_tokens=1..2:1001", "examples=1..2:1001"], "1,002,001 points"),
        (["prompt_tokens=1..2", "prompt_tokens=3..4"], "varied twice"),
        (["prompt_tokens=1..2", "examples=1..2", "turns=1..2"], "at most twice"),
    ],
)
def test_sweep_usage_errors(runner, cli, campaign, vary, message):
    args = [arg for v in vary for arg in ("--vary", v)]
    result = run(runner, cli, "sweep", *campaign, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_sweep_requires_vary(runner, cli, campaign):
    result = run(runner, cli, "sweep", *campaign)
    assert result.exit_code == 2
    assert "--vary" in result.output


def test_sweep_bad_point_is_one_error_line(runner, cli, campaign):
    result = run(runner, cli, "sweep", *campaign, "--vary", "acceptance_rate=0..1:3")
    line = assert_one_error_line(result)
    assert "sweep point acceptance_rate=0: acceptance_rate" in line


def test_every_command_has_examples_in_help(runner, cli):
    for name in ("compare", "history", "sweep"):
        result = run(runner, cli, name, "--help")
        assert result.exit_code == 0
        assert "Examples:" in result.output
        assert "--format" in result.output


def test_incomplete_campaign_is_one_error_line(runner, cli, prices):
    args = ["--prices", str(prices), "--as-of", "2023-07-01", "--examples", "10"]
    for command in (
        ["compare", *args, "--provider", "zztest"],
        ["history", *args, "--models", "zz-alpha"],
        ["sweep", *args, "--teacher", "zz-alpha", "--vary", "examples=1..2"],
    ):
        line = assert_one_error_line(run(runner, cli, *command))
        assert "prompt_tokens: not given" in line, command


def test_sweep_too_narrow_range_is_a_usage_error(runner, cli, campaign):
    result = run(
        runner,
        cli,
        "sweep",
        *campaign,
        "--vary",
        "prompt_tokens=1..1.000000000000000000000000001:1000",
    )
    assert result.exit_code == 2, result.output
    assert "too many for so narrow a range" in result.output


@pytest.mark.parametrize("command", ["compare", "history", "sweep"])
def test_output_into_a_missing_directory(runner, cli, campaign, tmp_path, command):
    extra = {
        "compare": ["--models", "zz-alpha"],
        "history": [],
        "sweep": ["--vary", "examples=1..2:2"],
    }[command]
    target = tmp_path / "missing" / "out.csv"
    result = run(runner, cli, command, *campaign, *extra, "-o", str(target))
    line = assert_one_error_line(result)
    assert "missing" in line and "does not exist" in line
    assert ".tmp" not in line
    assert not (tmp_path / "missing").exists()
