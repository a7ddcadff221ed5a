"""`distillcost estimate` through CliRunner: outputs, formats, and every error path."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

PRICES = """
[meta]
provider = "testco"

[[models]]
id = "test-model"
encoding = "o200k_base"
context_window = 10000

  [[models.prices]]
  effective_from = 2024-01-01
  input = 1
  output = 2
  batch_input = 0.5
  batch_output = 1
  source = "https://example.test/prices"
  verified = true
"""

# 100,000 kept / 0.8 = 125,000 generated; x 1.05 retries = 131,250 requests
# input 131,250 x 200 = 26.25M x $1/1M = $26.25; output x 300 = 39.375M x $2/1M = $78.75
# total $105.00; at batch prices $13.125 + $39.375 = $52.50
SCENARIO = """
name = "CLI test"
teacher = "test-model"
as_of = 2025-01-01
examples = 100_000
prompt_tokens = 200
completion_tokens = 300
acceptance_rate = 0.8
retry_rate = 0.05

[limits]
rpm = 500
keys = 2
"""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    prices = tmp_path / "prices.toml"
    prices.write_text(PRICES, encoding="utf-8")
    scenario = tmp_path / "s.toml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    return {"prices": str(prices), "scenario": str(scenario), "dir": str(tmp_path)}


def run(runner, cli, files, *args: str):
    return runner.invoke(cli, ["estimate", files["scenario"], "--prices", files["prices"], *args])


def test_text_breakdown(runner, cli, files):
    result = run(runner, cli, files)
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("CLI test\n")
    assert "Teacher: test-model (testco), prices as of 2025-01-01" in out
    assert "source: https://example.test/prices" in out
    assert "131,250" in out  # requests
    assert "$26.25" in out and "$78.75" in out
    assert "TOTAL" in out and "$105.00" in out
    # rpm 500 x 2 keys: 131,250 / 1,000 = 131.25 min = 2.2 h
    assert "wall clock 2.2 hours (binding limit: rpm)" in out
    assert "acceptance_rate          0.8" in out and "file" in out


def test_flags_override_and_ranges(runner, cli, files):
    result = run(runner, cli, files, "--batch", "--completion-tokens", "200..300..400")
    assert result.exit_code == 0, result.output
    # batch, c = 300: $52.50 (see SCENARIO); c = 200: 26.25M x 0.5 + 26.25M x 1 = $39.375;
    # c = 400: 26.25M x 0.5 + 52.5M x 1 = $65.625
    assert "$52.50" in result.output
    assert "$39.38 – $65.63" in result.output
    assert "completion_tokens" in result.output and "swing $26.25" in result.output


def test_json(runner, cli, files):
    result = run(runner, cli, files, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total_usd"] == "105"
    assert data["low_usd"] == data["high_usd"] == "105"
    assert data["requests"] == 131_250
    assert data["input_tokens"] == "26250000" and data["output_tokens"] == "39375000"
    assert data["teacher"] == "test-model" and data["as_of"] == "2025-01-01"
    assert data["wall_clock_seconds"] == "7875" and data["binding_limit"] == "rpm"
    assert data["costs"]["output"] == "78.75"
    assert data["prices"]["source"] == "https://example.test/prices"
    assert {"assumptions", "sensitivity", "notes", "scenario", "tokens", "time"} <= set(data)


def test_csv_rows_keep_numbers_numeric(runner, cli, files):
    result = run(runner, cli, files, "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    by_kind = {r["kind"]: r for r in rows}
    assert by_kind["output"]["cost_usd"] == "78.75" and by_kind["output"]["tokens"] == "39375000"
    assert by_kind["output"]["rate_usd_per_1m"] == "2"
    assert by_kind["total"]["total_usd"] == "105" and by_kind["total"]["cost_usd"] == ""
    assert list(rows[0]) == [
        "teacher", "as_of", "row", "kind", "tokens", "rate_usd_per_1m", "cost_usd", "total_usd"
    ]  # fmt: skip
    # the cost column sums to the total (totals sit in their own column): $26.25 + $78.75
    costs = [D(r["cost_usd"]) for r in rows if r["row"] == "cost"]
    assert sum(costs) == D("105")


def test_markdown(runner, cli, files):
    result = run(runner, cli, files, "--format", "md")
    assert result.exit_code == 0, result.output
    # the report's Markdown: one Markdown writer for an estimate, whatever the command
    assert result.output.startswith("# CLI test: cost of distilling from test-model\n")
    row = next(line for line in result.output.splitlines() if "| Output (visible)" in line)
    assert [cell.strip() for cell in row.split("|")[1:-1]] == [
        "Output (visible)", "39,375,000", "$2.00", "$78.75", "75%"
    ]  # fmt: skip
    assert "costs an estimated **$105.00**" in result.output


def test_output_file_is_written_whole(runner, cli, files):
    target = Path(files["dir"]) / "out.json"
    result = run(runner, cli, files, "-f", "json", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert json.loads(target.read_text())["total_usd"] == "105"
    assert "Wrote" in result.output


def test_flags_only_without_a_file(runner, cli, files):
    result = runner.invoke(
        cli,
        [
            "estimate",
            "--prices",
            files["prices"],
            "-m",
            "test-model",
            "--as-of",
            "2025-01-01",
            "--examples",
            "1k",
            "--prompt-tokens",
            "100",
            "--completion-tokens",
            "100",
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    # 1,000 x (100 x $1 + 100 x $2) / 1M = $0.30
    assert json.loads(result.output)["total_usd"] == "0.3"


def error_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--output-tokens", "5M"], None),  # replaces the file's volume: fine
        (["--acceptance-rate", "0"], "acceptance_rate: must be above 0"),
        (["--acceptance-rate", "1.5"], "acceptance_rate: must be between 0 and 1"),
        (["--retry-rate", "-0.5"], "retry_rate: must not be negative"),
        (["--cache-hit-rate", "2"], "cache_hit_rate: must be between"),
        (["--examples", "-5"], "examples: must not be negative"),
        (["--prompt-tokens", "9800"], "context window of 10,000"),
        (["-m", "test-modle"], "unknown model 'test-modle'. Did you mean: test-model?"),
        (["--as-of", "2023-06-01"], "has no price on 2023-06-01"),
        (["--student-method", "gpu"], "student_parameters: needed"),
        (["--gpu", "a1000"], "gpu: unknown GPU 'a1000'"),
        (["--concurrency", "5"], "latency_seconds: needed with concurrency"),
    ],
)
def test_errors_are_one_line_exit_1(runner, cli, files, args, message):
    result = run(runner, cli, files, *args)
    if message is None:
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1, result.output
    assert message in error_line(result)


def test_two_volume_kinds(runner, cli, files):
    result = runner.invoke(
        cli,
        [
            *("estimate", "--prices", files["prices"], "-m", "test-model", "--examples", "5"),
            *("--output-tokens", "4", "--prompt-tokens", "1", "--completion-tokens", "1"),
        ],
    )
    assert result.exit_code == 1
    assert "examples and output_tokens both given" in error_line(result)


def test_no_volume(runner, cli, files):
    result = runner.invoke(
        cli,
        [
            *("estimate", "--prices", files["prices"], "-m", "test-model"),
            *("--as-of", "2025-01-01", "--prompt-tokens", "1", "--completion-tokens", "1"),
        ],
    )
    assert result.exit_code == 1
    assert "no volume: give one of examples" in error_line(result)


def test_no_batch_price(runner, cli, files):
    prices = Path(files["prices"])
    prices.write_text(PRICES.replace("  batch_input = 0.5\n  batch_output = 1\n", ""))
    result = run(runner, cli, files, "--batch")
    assert result.exit_code == 1
    assert "batch: test-model has no batch price on 2025-01-01" in error_line(result)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("examples = 5\nacceptance = 0.5\n", "unknown field 'acceptance'. Did you mean"),
        ("examples = = 5\n", "invalid TOML"),
        ("examples = 5\ncompletion_tokens = [800, 500, 900]\n", "completion_tokens: range must"),
        ("[limits]\nrmp = 5\n", "unknown field 'limits.rmp'. Did you mean: rpm"),
        ('examples = 5\nprices = ["missing.toml"]\n', "prices: price file"),
    ],
)
def test_hostile_scenario_files(runner, cli, files, text, message):
    path = Path(files["dir"]) / "bad.toml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["estimate", str(path), "--prices", files["prices"]])
    assert result.exit_code == 1, result.output
    line = error_line(result)
    assert message in line
    assert "bad.toml" in line or "prices:" in line


def test_malformed_toml_gives_the_line(runner, cli, files):
    path = Path(files["dir"]) / "bad.toml"
    path.write_text('teacher = "test-model"\n\nexamples = = 5\n', encoding="utf-8")
    result = runner.invoke(cli, ["estimate", str(path)])
    assert result.exit_code == 1
    assert "line 3" in error_line(result)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--completion-tokens", "800..500..900"], "Invalid value for '--completion-tokens'"),
        (["--completion-tokens", "lots"], "'lots' is not a number"),
        (["--as-of", "yesterday"], "Invalid value for '--as-of'"),
        (["--format", "xml"], "Invalid value for '--format'"),
        (["--batch=3"], ""),
    ],
)
def test_usage_errors_exit_2(runner, cli, files, args, message):
    result = run(runner, cli, files, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_missing_scenario_file_exit_2(runner, cli):
    result = runner.invoke(cli, ["estimate", "no-such-file.toml"])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_unwritable_output_leaves_nothing(runner, cli, files):
    target = Path(files["dir"]) / "no-dir" / "out.json"
    result = run(runner, cli, files, "-o", str(target))
    assert result.exit_code == 1
    error_line(result)
    assert not target.parent.exists()


def test_numeric_estimate_loads_no_heavy_library(files):
    code = (
        "import sys\n"
        "from distillcost.cli import cli\n"
        f"args = ['estimate', {files['scenario']!r}, '--prices', {files['prices']!r}]\n"
        "try:\n    cli.main(args, standalone_mode=False)\n"
        "except SystemExit:\n    pass\n"
        "names = ('tiktoken', 'pandas', 'jinja2', 'matplotlib', 'numpy')\n"
        "print('HEAVY:' + ','.join(m for m in names if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "HEAVY:"
    assert "$105.00" in proc.stdout


def test_profile_measured_from_a_chat_file(runner, cli, files):
    from distillcost.tokens import get_encoding  # the offline tiktoken encoding itself

    enc = get_encoding("o200k_base")
    chat = Path(files["dir"]) / "chat.jsonl"
    pairs = [("Hello world", "Hi there, how can I help?"), ("Write a haiku", "Sea wind at night")]
    chat.write_text(
        "".join(
            json.dumps(
                {
                    "messages": [
                        {"role": "user", "content": u},
                        {"role": "assistant", "content": a},
                    ]
                }
            )
            + "\n"
            for u, a in pairs
        )
    )
    # chat prompt = 3 (priming) + 3 + tokens("user") + tokens(content); completion = answer
    prompts = [3 + 3 + len(enc.encode("user")) + len(enc.encode(u)) for u, _ in pairs]
    answers = [len(enc.encode(a)) for _, a in pairs]
    result = runner.invoke(
        cli,
        [
            *("estimate", "--prices", files["prices"], "-m", "test-model"),
            *("--as-of", "2025-01-01", "--examples", "1M", "--chat-file", str(chat), "-f", "json"),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    # 1M examples x mean prompt x $1/1M + 1M x mean answer x $2/1M
    expected = D(sum(prompts)) / 2 + D(sum(answers)) / 2 * 2
    assert D(data["total_usd"]) == expected
    origins = {a["name"]: a["origin"] for a in data["assumptions"]}
    assert origins["prompt_tokens"] == origins["completion_tokens"] == "measured"


def test_hostile_names_stay_inert(runner, cli, files):
    hostile = '<script>alert(1)</script> | =HYPERLINK("x")'
    result = run(runner, cli, files, "--name", hostile, "-f", "md")
    assert result.exit_code == 0, result.output
    # escaped as the report's Markdown is: a backslash before every "<" (inert, reads as text)
    assert re.search(r"(?<!\\)<script", result.output) is None
    assert "# \\<script>alert(1)\\</script> \\| =HYPERLINK" in result.output
    result = run(runner, cli, files, "--name", hostile, "-f", "json")
    assert json.loads(result.output)["name"] == hostile  # JSON keeps the exact text


def test_absurd_but_valid_numbers_do_not_crash(runner, cli, files):
    # 1e15 examples at a 1e-15 acceptance rate (the extremes a scenario may hold):
    # 1e30 requests; every format still renders
    args = ["--examples", "1e15", "--acceptance-rate", "1e-15", "--prompt-tokens", "1"]
    args += ["--completion-tokens", "1", "--rpm", "1e-15", "--retry-rate", "0"]
    for fmt in ("text", "json", "csv", "md"):
        result = run(runner, cli, files, *args, "-f", fmt, "--explain")
        assert result.exit_code == 0, result.output
    data = json.loads(run(runner, cli, files, *args, "-f", "json").output)
    # 1e30 requests x (1 x $1 + 1 x $2) / 1M = $3e24
    assert D(data["total_usd"]) == D("3e24")
    assert data["requests"] == 10**30


def test_output_format_follows_the_file_extension(runner, cli, files):
    expected = (("e.json", "{"), ("e.csv", "teacher,as_of,row,kind"), ("e.md", "# CLI test"))
    for name, check in expected:
        target = Path(files["dir"]) / name
        result = run(runner, cli, files, "-o", str(target))
        assert result.exit_code == 0, result.output
        assert target.read_text().startswith(check), name
    target = Path(files["dir"]) / "e.txt"
    run(runner, cli, files, "-o", str(target))
    assert target.read_text().startswith("CLI test\n")


def test_multi_turn_chat_file_is_split_per_turn(runner, cli, files):
    from distillcost.tokens import get_encoding

    enc = get_encoding("o200k_base")
    convs = [
        [
            ("user", "Hi there"),
            ("assistant", "Hello! How can I help?"),
            ("user", "A joke?"),
            ("assistant", "Why did the tokenizer split? It saw a long word."),
        ],
        [("user", "Sum 2+2"), ("assistant", "4"), ("user", "Times 3"), ("assistant", "12")],
    ]
    chat = Path(files["dir"]) / "multi.jsonl"
    chat.write_text(
        "".join(
            json.dumps({"messages": [{"role": r, "content": t} for r, t in conv]}) + "\n"
            for conv in convs
        )
    )
    # per conversation (CHAT_FORMULA): prompt = 3 + sum over user messages of
    # 3 + tokens(role) + tokens(content); completion = tokens of assistant contents
    P = (
        D(
            sum(
                3
                + sum(
                    3 + len(enc.encode(r)) + len(enc.encode(t)) for r, t in conv if r != "assistant"
                )
                for conv in convs
            )
        )
        / 2
    )
    C = D(sum(sum(len(enc.encode(t)) for r, t in conv if r == "assistant") for conv in convs)) / 2
    # 2 turns: per turn p = P/2, c = C/2; a conversation's input is
    # p·(1+2) + c·(0+1) = 1.5·P + 0.5·C, its output 2·c = C
    # 1M conversations: (1.5P + 0.5C) x $1 + C x $2 (per 1M tokens x 1M conversations)
    expected = (D("1.5") * P + D("0.5") * C) + 2 * C
    result = runner.invoke(
        cli,
        [
            *("estimate", "--prices", files["prices"], "-m", "test-model", "--as-of"),
            *("2025-01-01", "--examples", "1M", "--turns", "2", "--chat-file", str(chat)),
            *("-f", "json"),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert abs(D(data["total_usd"]) - expected) < D("1e-9")
    assert any("divided by turns" in n for n in data["notes"])
