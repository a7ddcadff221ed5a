"""QA regressions for the price table and `distillcost prices` (issue 3).

Each test is a problem found by using the tool as a new user would; expected values are
typed by hand from the small tables written here.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest


def run(runner, cli, *args):
    return runner.invoke(cli, ["prices", *map(str, args)])


SHEET = (
    "id,provider,effective_from,input,output,source,encoding\n"
    "acme-1,acme,2024-01-01,1.5,6,https://acme.example,o200k_base\n"
)


@pytest.mark.parametrize("command", [["list"], ["diff", "2023-01-01", "2025-01-01"]])
def test_prices_tables_take_dash_f_like_every_other_command(runner, cli, tmp_path, command):
    # Found: `distillcost prices list -f csv` -> "No such option '-f'", while count, estimate,
    # compare, history and sweep all take -f for --format.
    sheet = tmp_path / "s.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    result = run(runner, cli, *command, "--no-builtin", "--prices", sheet, "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["model" if command[0] == "diff" else "id"] == "acme-1"


def test_prices_show_takes_dash_f(runner, cli, tmp_path):
    sheet = tmp_path / "s.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    result = run(runner, cli, "show", "acme-1", "--no-builtin", "--prices", sheet, "-f", "json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["id"] == "acme-1"
    assert shown["prices"][0]["input"] == "1.5"  # typed in SHEET above


@pytest.mark.parametrize(
    "model_id",
    [
        "meta-llama/Meta-Llama-3.1-8B-Instruct-Turbo",
        "anthropic.claude-3-5-sonnet-20240620-v1:0",
        "ft:gpt-4o-mini-2024-07-18:acme::abc123",
        "vertex_ai/claude-3-5-sonnet@20240620",
    ],
)
def test_real_world_model_ids_are_valid(runner, cli, tmp_path: Path, model_id: str):
    sheet = tmp_path / "s.csv"
    sheet.write_text(SHEET.replace("acme-1", model_id), encoding="utf-8")
    assert run(runner, cli, "validate", sheet).exit_code == 0
    shown = run(runner, cli, "show", model_id, "--no-builtin", "--prices", sheet)
    assert shown.exit_code == 0 and shown.output.startswith(f"{model_id}  (acme)")


def test_decimal_comma_sheet_gets_a_hint(runner, cli, tmp_path):
    # Found: a sheet re-saved by a European spreadsheet (';' separators, decimal commas)
    # failed with "not a number: '0,8'" and no word on what to change.
    sheet = tmp_path / "eu.csv"
    sheet.write_text(SHEET.replace(",", ";").replace("1.5", "1,5"), encoding="utf-8")
    result = run(runner, cli, "validate", sheet)
    assert result.exit_code == 1
    assert f"{sheet}:2: model 'acme-1' price from 2024-01-01: field 'input'" in result.output
    assert "'1,5'" in result.output and "decimal point" in result.output
