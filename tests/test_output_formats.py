"""Every command writes the format its -o file names, or refuses it in one line.

Also: the estimate CSV's cost column sums to its total; compare/history/sweep workbooks
recalculate (``formulas``) to the same totals, and move with a changed assumption as the
estimator does; an xlsx price sheet read back marks the rows a user edited.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from sheet_engines import FormulasEngine

from distillcost import estimate, load_prices
from distillcost.scenario import load_scenario

REPO = Path(__file__).resolve().parent.parent
ALPACA = str(REPO / "examples" / "alpaca.toml")
SAMPLE = str(REPO / "examples" / "sample-chat.jsonl")

TABULAR = {
    "estimate": ["estimate", ALPACA],
    "compare": ["compare", ALPACA, "--models", "gpt-3.5-turbo,text-davinci-003"],
    "history": ["history", ALPACA, "--models", "gpt-3.5-turbo", "--until", "2024-01-01"],
    "sweep": ["sweep", ALPACA, "--vary", "acceptance_rate=0.5..1:3"],
    "count": ["count", SAMPLE, "--model", "gpt-4o"],
    "prices list": ["prices", "list", "--provider", "openai"],
}


def looks_like(fmt: str, path: Path) -> None:
    data = path.read_bytes()
    if fmt == "csv":
        header = next(csv.reader(io.StringIO(data.decode())))
        assert len(header) > 1 and not header[0].startswith("-")  # not a text table
        assert " " not in "".join(header)  # keys, not fixed-width headings
    elif fmt == "json":
        json.loads(data)
    elif fmt == "xlsx":
        import openpyxl

        assert zipfile.is_zipfile(path)
        assert openpyxl.load_workbook(path).sheetnames
    elif fmt == "md":
        assert "|" in data.decode() or data.decode().startswith("#")


@pytest.mark.parametrize("command", list(TABULAR))
@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx", "md"])
def test_tabular_commands_write_the_format_the_extension_names(runner, cli, tmp_path, command, fmt):
    target = tmp_path / f"out.{fmt}"
    result = runner.invoke(cli, [*TABULAR[command], "-o", str(target)])
    assert result.exit_code == 0, result.output
    looks_like(fmt, target)


@pytest.mark.parametrize("command", list(TABULAR))
@pytest.mark.parametrize("ext", ["html", "pdf", "docx"])
def test_tabular_commands_refuse_what_they_cannot_write(runner, cli, tmp_path, command, ext):
    target = tmp_path / f"out.{ext}"
    result = runner.invoke(cli, [*TABULAR[command], "-o", str(target)])
    assert result.exit_code == 2
    assert f"cannot write '{target}'" in result.output or "cannot tell the format" in result.output
    assert "Traceback" not in result.output
    assert not target.exists()


@pytest.mark.parametrize("ext", ["csv", "json", "xlsx", "docx"])
def test_report_refuses_table_formats(runner, cli, tmp_path, ext):
    target = tmp_path / f"r.{ext}"
    result = runner.invoke(cli, ["report", ALPACA, "-o", str(target)])
    assert result.exit_code == 2, result.output
    assert "name the file .html, .md or .pdf" in result.output
    assert not target.exists()


def test_estimate_csv_cost_column_sums_to_the_total(runner, cli):
    for scenario in ("alpaca.toml", "reasoning-batch.toml", "claude-multiturn.toml"):
        result = runner.invoke(cli, ["estimate", str(REPO / "examples" / scenario), "-f", "csv"])
        assert result.exit_code == 0, result.output
        rows = list(csv.DictReader(io.StringIO(result.output)))
        costs = [Decimal(r["cost_usd"]) for r in rows if r["row"] == "cost"]
        total = next(Decimal(r["total_usd"]) for r in rows if r["kind"] == "total")
        assert sum(costs) == total
        # every money cell at the stated precision, never 46.5277777778
        assert all(-Decimal(r["cost_usd"]).as_tuple().exponent <= 6 for r in rows if r["cost_usd"])


def named_row_totals(path: Path) -> list[tuple[str, float]]:
    import openpyxl

    ws = openpyxl.load_workbook(path)["Cost"]
    header = [c.value for c in ws[2]]
    rows = []
    for row in ws.iter_rows(min_row=3):
        teacher = row[header.index("teacher")].value if "teacher" in header else None
        rows.append((teacher, row[header.index("total_usd")].coordinate))
    return rows


@pytest.mark.parametrize(
    "as_of, models",
    [
        ("2023-03-13", "gpt-3.5-turbo,text-davinci-003,gpt-3.5-turbo-0301"),
        # reasoning teachers: each prices its own hidden reasoning (from its profile)
        ("2025-06-01", "gpt-4o-mini,o4-mini,o3,claude-sonnet-4-20250514"),
    ],
)
def test_compare_workbook_rows_recalculate_and_follow_a_changed_assumption(
    runner, cli, tmp_path, as_of, models
):
    target = tmp_path / "c.xlsx"
    result = runner.invoke(
        cli, ["compare", ALPACA, "--as-of", as_of, "--models", models, "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    engine = FormulasEngine(target)
    table = load_prices()
    scenario = load_scenario(ALPACA).with_values(as_of=as_of)
    cells = named_row_totals(target)
    low, high = scenario.completion_tokens.low, scenario.completion_tokens.high
    new = (low + high) / 2
    changed = scenario.with_values(completion_tokens=f"{low}..{new}..{high}")
    for changes, campaign in (({}, scenario), ({"completion_tokens": float(new)}, changed)):
        inputs = {engine.key(n): v for n, v in changes.items()}
        solution = engine.model.calculate(inputs=inputs)
        assert len(cells) == len(models.split(","))
        for teacher, cell in cells:
            got = float(solution[f"'[c.xlsx]COST'!{cell}"].value[0][0])
            expected = estimate(campaign, table, teacher=teacher).total_usd
            assert abs(Decimal(repr(got)) - expected) < Decimal("0.005"), (teacher, changes)


def test_history_and_sweep_workbooks_recalculate_to_the_cli_totals(runner, cli, tmp_path):
    for name, args in (("h", TABULAR["history"]), ("s", TABULAR["sweep"])):
        target = tmp_path / f"{name}.xlsx"
        assert runner.invoke(cli, [*args, "-o", str(target)]).exit_code == 0
        as_json = json.loads(runner.invoke(cli, [*args, "-f", "json"]).output)
        expected = [Decimal(r["total_usd"]) for r in as_json["rows"] if r["total_usd"] is not None]
        engine = FormulasEngine(target)
        solution = engine.model.calculate()
        got = [
            float(solution[f"'[{target.name}]COST'!{cell}"].value[0][0])
            for _, cell in named_row_totals(target)
        ]
        assert len(got) == len(expected)
        assert all(
            abs(Decimal(repr(g)) - e) < Decimal("0.005") for g, e in zip(got, expected, strict=True)
        )


def test_xlsx_price_sheet_round_trip_marks_edited_rows_as_the_users(runner, cli, tmp_path):
    import openpyxl

    sheet = tmp_path / "sheet.xlsx"
    args = ["prices", "list", "--provider", "openai", "--as-of", "2024-09-01"]
    assert runner.invoke(cli, [*args, "-o", str(sheet)]).exit_code == 0
    wb = openpyxl.load_workbook(sheet)
    ws = wb["Prices"]
    header = [c.value for c in ws[1]]
    ids = [r[0].value for r in ws.iter_rows(min_row=2)]
    edited_row = ids.index("gpt-4o-mini") + 2
    ws.cell(edited_row, header.index("output") + 1).value = 0.5
    added = ws.max_row + 1
    for column, value in {
        "id": "my-model",
        "provider": "me",
        "effective_from": "2024-01-01",
        "encoding": "o200k_base",
        "input": 1,
        "output": 2,
        "verified": True,
        "source": "copied",
    }.items():
        ws.cell(added, header.index(column) + 1).value = value  # fmt: skip
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)

    table = load_prices([edited], plugins=False, user_dir=False)
    builtin = load_prices(plugins=False, user_dir=False)
    mine = table.get("gpt-4o-mini").history[-1]
    assert mine.output == Decimal("0.5") and not mine.verified
    assert mine.source == "edited by the user in edited.xlsx" and mine.checked is None
    untouched = table.get("gpt-4o").history[-1]
    original = builtin.get("gpt-4o").price_on(untouched.effective_from)
    assert (untouched.input, untouched.verified, untouched.source) == (
        original.input, original.verified, original.source,
    )  # fmt: skip
    new = table.get("my-model").history[-1]
    assert not new.verified and new.source == "edited by the user in edited.xlsx"
