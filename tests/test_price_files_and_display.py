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


def test_the_price_file_format_is_documented_in_the_installed_readme():
    # pricing/README.md and the reader once sent users to PRICE_SCHEMA.md, a file that did not
    # exist; now the README embeds the key reference written from the declarations, verbatim
    from importlib import resources

    from distillcost.prices import formats, values
    from distillcost.prices.formats.csv import sheet_columns
    from distillcost.prices.reference import reference_markdown, teacher_reference_markdown

    readme = (resources.files("distillcost.pricing") / "README.md").read_text(encoding="utf-8")
    assert "PRICE_SCHEMA" not in readme
    assert "PRICE_SCHEMA" not in (formats.__doc__ or "")
    assert reference_markdown() in readme
    assert teacher_reference_markdown() in readme  # reasoning profiles and usage tiers too
    undocumented = sorted(c for c in sheet_columns() if f"`{c}`" not in readme)
    assert undocumented == []
    for unit in values.UNITS:
        assert unit in readme


def test_the_readme_toml_example_is_a_valid_table(tmp_path):
    import re
    from datetime import date
    from decimal import Decimal
    from importlib import resources

    from distillcost.prices import load_price_file

    readme = (resources.files("distillcost.pricing") / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", readme, re.S)
    assert example is not None
    path = tmp_path / "example.toml"
    path.write_text(example.group(1), encoding="utf-8")
    (model,) = load_price_file(path)
    assert model.id == "acme-large" and model.aliases == ("acme-large-2025-01-01",)
    (entry,) = model.history
    assert entry.effective_from == date(2025, 1, 1)
    assert (entry.input, entry.output, entry.per_request) == (
        Decimal("2.5"),
        Decimal("10"),
        Decimal("0.001"),
    )
    assert entry.tiers[0].above_prompt_tokens == 200000


def test_claude_3_haiku_cache_prices_are_the_published_ones():
    # Found: 0.3125 / 0.025 shipped (1.25x / 0.1x of $0.25 by rule) while the entry's own
    # verified source reads "Haiku 3 cache write $0.30, cache hit $0.03" — Haiku 3 is the
    # exception to the rule on Anthropic's pricing page (also Vercel AI Gateway:
    # "Read: $0.03/M Write: $0.3/M"; LiteLLM 0.30 / 0.03).
    from datetime import date
    from decimal import Decimal

    from distillcost.prices import load_prices

    table = load_prices()
    for day in (date(2024, 8, 14), date(2024, 10, 8), date(2025, 6, 1)):
        entry = table.price_of("claude-3-haiku-20240307", day)
        assert entry.cache_write == Decimal("0.30"), day
        assert entry.cached_input == Decimal("0.03"), day
        assert (entry.input, entry.output) == (Decimal("0.25"), Decimal("1.25"))


CONTROL_NOTES = (
    '[meta]\nprovider = "acme"\n[[models]]\nid = "m1"\nencoding = "o200k_base"\n'
    'notes = "hi \\u001b]0;pwned\\u0007 \\u001b[2J there\\rX"\n'
    '[[models.prices]]\neffective_from = 2024-01-01\ninput = 1\noutput = 2\nsource = "src"\n'
    'notes = "entry \\u009b31m"\n'
)


def test_control_characters_in_a_table_never_reach_the_terminal(runner, cli, tmp_path):
    # Found: `prices show` wrote a table's notes raw: an OSC title change, a clear-screen and
    # a carriage return from a third-party table (plugin, community map) reached the terminal.
    path = tmp_path / "ctrl.toml"
    path.write_text(CONTROL_NOTES, encoding="utf-8")
    result = runner.invoke(
        cli, ["prices", "show", "m1", "--no-builtin", "--prices", str(path)], color=True
    )
    assert result.exit_code == 0, result.output
    for raw in ("\x1b", "\x07", "\r", "\x9b"):
        assert raw not in result.output
    assert "hi \\x1b]0;pwned\\x07 \\x1b[2J there\\x0dX" in result.output
    assert "entry \\x9b31m" in result.output


def test_litellm_names_with_control_characters_are_shown_escaped(runner, cli, tmp_path):
    # LiteLLM keys and providers are taken as they are; the table must still be inert.
    path = tmp_path / "map.json"
    path.write_text(
        json.dumps(
            {
                "evil\u001b]0;x\u0007": {
                    "input_cost_per_token": 1e-06,
                    "output_cost_per_token": 2e-06,
                    "litellm_provider": "p\r",
                    "mode": "chat",
                }
            }
        ),
        encoding="utf-8",
    )
    for args in (["list"], ["diff", "1969-01-01", "2024-01-01"]):
        result = runner.invoke(
            cli, ["prices", *args, "--no-builtin", "--prices", str(path)], color=True
        )
        assert result.exit_code == 0, result.output
        assert "\x1b" not in result.output and "\x07" not in result.output
        assert "\r" not in result.output
        assert "evil\\x1b]0;x\\x07" in result.output


@pytest.mark.parametrize(
    ("suffix", "body"),
    [
        (
            ".toml",
            '[meta]\nprovider = "p"\n[[models]]\nid = "bom-model"\nencoding = "o200k_base"\n'
            '[[models.prices]]\neffective_from = 2024-01-01\ninput = 1\noutput = 2\nsource = "s"\n',
        ),
        (
            ".json",
            '{"meta": {"provider": "p"}, "models": [{"id": "bom-model", "encoding": "o200k_base",'
            ' "prices": [{"effective_from": "2024-01-01", "input": 1, "output": 2,'
            ' "source": "s"}]}]}',
        ),
    ],
)
def test_a_byte_order_mark_is_not_part_of_the_table(tmp_path, suffix, body):
    # Notepad and Excel on Windows save UTF-8 with a BOM; it failed at line 1, column 1.
    from decimal import Decimal

    from distillcost.prices import load_price_file

    path = tmp_path / f"bom{suffix}"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    (record,) = load_price_file(path)
    assert record.id == "bom-model"
    assert record.history[0].output == Decimal(2)
