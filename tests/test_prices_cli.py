"""``distillcost prices``: list, show, diff, validate, sources — through the real CLI.

Exact outputs are typed by hand from the fixture tables in this file.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

ACME = """\
[meta]
provider = "acme"
checked = 2026-01-02

[[models]]
id = "acme-large"
aliases = ["acme-large-2024-01-01"]
encoding = "o200k_base"
context_window = 128000

  [[models.prices]]
  effective_from = 2024-01-01
  input = 10
  output = 30
  source = "https://acme.example/2024"
  verified = true

  [[models.prices]]
  effective_from = 2024-06-01
  input = 2.5
  output = 10
  cached_input = 1.25
  batch_input = 1.25
  batch_output = 5
  source = "https://acme.example/2024-06"
  verified = true

    [[models.prices.tiers]]
    above_prompt_tokens = 200000
    input = 5
    output = 20

[[models]]
id = "acme-old"
encoding = "cl100k_base"
retired = 2024-03-01

  [[models.prices]]
  effective_from = 2023-01-01
  input = 20
  output = 20
  source = "https://acme.example/old"
"""


@pytest.fixture
def acme(tmp_path: Path) -> str:
    path = tmp_path / "acme.toml"
    path.write_text(ACME, encoding="utf-8")
    return str(path)


def run(runner, cli, *args: str):
    return runner.invoke(cli, ["prices", *args])


# ---------------------------------------------------------------- list


def test_list_table_on_a_date(runner, cli, acme):
    result = run(runner, cli, "list", "--no-builtin", "--prices", acme, "--as-of", "2024-06-01")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Prices in force on 2024-06-01, USD per 1M tokens (price table ")
    # the columns are the price model's listed keys, in declaration order
    assert lines[1].split() == [
        *("model", "provider", "from", "input", "output", "cached", "input", "batch", "input"),
        *("batch", "output", "long", "context", "(in/out)", "context", "status"),
    ]
    assert lines[3].split() == [
        *("acme-large", "acme", "2024-06-01", "$2.50", "$10.00", "$1.25", "$1.25", "$5.00"),
        *(">200,000:", "$5.00/$20.00", "128,000"),
    ]
    assert lines[4].split() == [
        *("acme-old", "acme", "2023-01-01", "$20.00", "$20.00", "-", "-", "-", "-"),
        *("retired", "2024-03-01"),
    ]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2022-12-31", []),  # nothing priced yet
        ("2023-12-31", ["acme-old,20"]),  # the day before acme-large's first price
        ("2024-01-01", ["acme-large,10", "acme-old,20"]),  # acme-large on its first day
        ("2024-05-31", ["acme-large,10", "acme-old,20"]),  # the day before the cut
        ("2024-06-01", ["acme-large,2.5", "acme-old,20"]),  # the cut
    ],
)
def test_list_as_of_boundaries(runner, cli, acme, day, expected):
    result = run(
        runner, cli, "list", "--no-builtin", "--prices", acme, "--as-of", day, "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [f"{r['id']},{r['input']}" for r in rows] == expected


def test_list_hide_retired(runner, cli, acme):
    args = ("list", "--no-builtin", "--prices", acme, "--as-of", "2024-03-01", "--format", "json")
    shown = json.loads(run(runner, cli, *args).output)
    assert [(r["id"], r["status"]) for r in shown] == [
        ("acme-large", "available"),
        ("acme-old", "retired 2024-03-01"),
    ]
    hidden = json.loads(run(runner, cli, *args, "--hide-retired").output)
    assert [r["id"] for r in hidden] == ["acme-large"]


def test_list_json_prices_are_exact_strings(runner, cli, acme):
    args = ("list", "--no-builtin", "--prices", acme, "--as-of", "2024-07-01", "--format", "json")
    (large, _) = json.loads(run(runner, cli, *args).output)
    assert large["input"] == "2.5" and large["cached_input"] == "1.25"
    assert large["aliases"] == ["acme-large-2024-01-01"]


def test_list_show_source_names_origin_and_what_was_overridden(runner, cli, acme, tmp_path):
    override = tmp_path / "mine.csv"
    override.write_text(
        "id,provider,effective_from,input,output,source,encoding\n"
        "acme-old,acme,2023-01-01,19,19,my sheet,cl100k_base\n",
        encoding="utf-8",
    )
    args = ("list", "--no-builtin", "--prices", acme, "--prices", str(override))
    result = run(runner, cli, *args, "--as-of", "2023-06-01", "--show-source", "--format", "csv")
    assert result.exit_code == 0, result.output
    (row,) = csv.DictReader(io.StringIO(result.output))
    assert (row["id"], row["input"]) == ("acme-old", "19")
    assert row["origin"] == f"file:{override}"
    assert row["overrides"] == f"file:{acme}"
    table = run(runner, cli, *args, "--as-of", "2023-06-01", "--show-source").output
    assert f"file:{override}  file:{acme}" in table


@pytest.mark.parametrize("day", ["2022-12-28", "2023-03-15", "2024-10-01", "2025-06-10", "today"])
def test_csv_round_trip_through_prices_gives_the_same_table(runner, cli, tmp_path, day):
    first = run(runner, cli, "list", "--as-of", day, "--format", "csv")
    assert first.exit_code == 0, first.output
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(first.output, encoding="utf-8")
    again = run(runner, cli, "list", "--as-of", day, "--format", "csv", "--prices", str(sheet))
    assert again.exit_code == 0, again.output
    assert again.output == first.output
    alone = run(
        runner,
        cli,
        "list",
        "--no-builtin",
        "--prices",
        str(sheet),
        "--as-of",
        day,
        "--format",
        "csv",
    )
    assert alone.exit_code == 0, alone.output
    assert alone.output == first.output  # the sheet alone is the whole table


def test_full_history_sheet_reproduces_the_table_on_every_date(runner, cli, tmp_path):
    sheet = tmp_path / "all.csv"
    full = run(runner, cli, "list", "--all-history", "--format", "csv")
    assert full.exit_code == 0, full.output
    sheet.write_text(full.output, encoding="utf-8")
    for day in ("2022-12-28", "2023-06-13", "2024-10-01", "2025-06-10", "2025-09-29"):
        builtin = run(runner, cli, "list", "--as-of", day, "--format", "json")
        alone = run(
            runner, cli, "list", "--no-builtin", "--prices", str(sheet), "--as-of", day,
            "--format", "json",
        )  # fmt: skip
        # (two runs failing with the same message would also have been "equal")
        assert builtin.exit_code == 0 and alone.exit_code == 0, builtin.output + alone.output
        assert len(json.loads(builtin.output)) >= 2, day  # at least davinci and text-davinci-003
        assert alone.output == builtin.output, day
    assert run(runner, cli, "show", "o3", "--no-builtin", "--prices", str(sheet)).exit_code == 0


def test_csv_round_trip_with_hostile_names(runner, cli, tmp_path):
    hostile = tmp_path / "hostile.toml"
    hostile.write_text(
        '[meta]\nprovider = "=cmd"\n'
        '[[models]]\nid = "=HYPERLINK(\\"http://evil.example\\",\\"x\\")"\n'
        'aliases = ["<script>alert(1)</script>", "-alias"]\nencoding = "o200k_base"\n'
        'notes = "@SUM(1+1)"\n'
        "[[models.prices]]\neffective_from = 2024-01-01\ninput = 1\noutput = 2\n"
        'source = "+javascript:alert(1)"\n',
        encoding="utf-8",
    )
    first = run(runner, cli, "list", "--no-builtin", "--prices", str(hostile), "--format", "csv")
    assert first.exit_code == 0, first.output
    cells = [c for row in csv.reader(io.StringIO(first.output)) for c in row]
    assert '\'=HYPERLINK("http://evil.example","x")' in cells
    assert "'=cmd" in cells and "'+javascript:alert(1)" in cells and "'@SUM(1+1)" in cells
    assert "<script>alert(1)</script>;-alias" in cells  # not at a cell start: harmless
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    sheet = tmp_path / "h.csv"
    sheet.write_text(first.output, encoding="utf-8")
    again = run(runner, cli, "list", "--no-builtin", "--prices", str(sheet), "--format", "csv")
    assert again.output == first.output
    shown = run(runner, cli, "show", '=HYPERLINK("http://evil.example","x")', "--no-builtin")
    assert shown.exit_code == 1  # the hostile table was not given: unknown model
    shown = run(
        runner, cli, "show", "<script>alert(1)</script>", "--prices", str(sheet), "--no-builtin"
    )
    assert shown.exit_code == 0, shown.output
    assert shown.output.splitlines()[0] == '=HYPERLINK("http://evil.example","x")  (=cmd)'


def test_spreadsheet_edit_is_picked_up(runner, cli, tmp_path, acme):
    out = run(runner, cli, "list", "--no-builtin", "--prices", acme, "--format", "csv").output
    rows = list(csv.DictReader(io.StringIO(out)))
    rows[0]["input"] = "2.25"  # a user edits one cell
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    edited = tmp_path / "edited.csv"
    edited.write_text(buffer.getvalue(), encoding="utf-8")
    result = run(runner, cli, "show", "acme-large", "--prices", acme, "--prices", str(edited))
    assert "  origin:      file:" + str(edited) in result.output
    rows = [line.split() for line in result.output.splitlines() if line.startswith("*")]
    assert rows[0][:3] == ["*", "2024-06-01", "$2.25"]


def test_bad_date_and_unknown_provider_are_usage_errors(runner, cli):
    bad = run(runner, cli, "list", "--as-of", "2024-13-01")
    assert bad.exit_code == 2
    assert "'2024-13-01' is not a date: there is no month 13; use YYYY-MM-DD" in bad.output
    unknown = run(runner, cli, "list", "--provider", "opneai")
    assert unknown.exit_code == 2
    assert "unknown provider 'opneai'. Did you mean: openai?" in unknown.output


def test_missing_prices_file_is_one_line(runner, cli, tmp_path):
    result = run(runner, cli, "list", "--prices", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'nope.csv'}: no such file\n"


# ---------------------------------------------------------------- show


def test_show_unknown_model_suggests(runner, cli):
    result = run(runner, cli, "show", "gpt4o-mini")
    assert result.exit_code == 1
    assert result.output == "Error: unknown model 'gpt4o-mini'. Did you mean: gpt-4o-mini?\n"


def test_show_text_lists_history_with_sources(runner, cli, acme):
    result = run(
        runner, cli, "show", "acme-large-2024-01-01", "--no-builtin", "--prices", acme,
        "--as-of", "2024-03-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "acme-large  (acme)"
    assert "  aliases:     acme-large-2024-01-01" in lines
    assert "  on 2024-03-01: available; entry in force: 2024-01-01" in lines
    history = [line.split() for line in lines if line.startswith(("*  2024", "   2024"))]
    # the prices the model has at some date, in declaration order: input, output,
    # cached input, batch input, batch output; then tiers, verified, checked
    assert history == [
        [*("*", "2024-01-01", "$10.00", "$30.00", "—", "—", "—"), *("-", "yes", "2026-01-02")],
        [
            *("2024-06-01", "$2.50", "$10.00", "$1.25", "$1.25", "$5.00"),
            *(">200,000:", "$5.00/$20.00", "yes", "2026-01-02"),
        ],
    ]
    assert "  2024-06-01: https://acme.example/2024-06" in lines


def test_show_json(runner, cli, acme):
    result = run(runner, cli, "show", "acme-old", "--prices", acme, "--format", "json")
    data = json.loads(result.output)
    assert data["id"] == "acme-old" and data["retired"] == "2024-03-01"
    assert data["status"].startswith("retired")
    assert data["prices"] == [
        {
            "effective_from": "2023-01-01",
            "input": "20",
            "output": "20",
            "reasoning_billed_as_output": True,
            "source": "https://acme.example/old",
            "checked": "2026-01-02",
            "verified": False,
            "notes": "",
        }
    ]
    assert data["origin"] == f"file:{acme}"


# ---------------------------------------------------------------- diff


def test_diff_between_two_dates(runner, cli, acme):
    args = ("diff", "2024-01-01", "2024-06-01", "--no-builtin", "--prices", acme)
    rows = list(csv.DictReader(io.StringIO(run(runner, cli, *args, "--format", "csv").output)))
    assert [(r["model"], r["change"], r["field"], r["before"], r["after"]) for r in rows] == [
        ("acme-large", "changed", "input", "10", "2.5"),
        ("acme-large", "changed", "output", "30", "10"),
        ("acme-large", "changed", "cached_input", "", "1.25"),
        ("acme-large", "changed", "batch_input", "", "1.25"),
        ("acme-large", "changed", "batch_output", "", "5"),
        ("acme-large", "changed", "tiers", "", ">200,000: $5.00/$20.00"),
        ("acme-old", "retired 2024-03-01", "", "", ""),
    ]
    added = run(runner, cli, "diff", "2023-06-01", "2024-01-01", "--no-builtin", "--prices", acme)
    assert added.exit_code == 0
    assert added.output.splitlines()[3].split() == ["acme-large", "acme", "added", "-", "-", "-"]


# ---------------------------------------------------------------- validate

HEAD = '[meta]\nprovider = "p"\n\n[[models]]\nid = "m"\nencoding = "o200k_base"\n\n'
ENTRY = '  [[models.prices]]\n  effective_from = 2024-01-01\n  source = "s"\n'
GOOD = ENTRY + "  input = 1\n  output = 1\n"
# line numbers: HEAD is lines 1-7, the entry header is line 8, its 3rd key line 10.
ROW = "model 'm' price from 2024-01-01"

CASES = [
    ("neg.toml", HEAD + ENTRY + "  input = -1\n  output = 1\n",
     f"neg.toml:11: {ROW}: field 'input': negative price -1; prices must be >= 0"),
    ("nan.toml", HEAD + ENTRY + "  input = nan\n  output = 1\n",
     f"nan.toml:11: {ROW}: field 'input': NaN is not a price"),
    ("inf.toml", HEAD + ENTRY + "  input = 1\n  output = inf\n",
     f"inf.toml:12: {ROW}: field 'output': infinite price"),
    ("text.toml", HEAD + ENTRY + '  input = "cheap"\n  output = 1\n',
     f"text.toml:11: {ROW}: field 'input': not a number: 'cheap'"),
    ("bool.toml", HEAD + ENTRY + "  input = true\n  output = 1\n",
     f"bool.toml:11: {ROW}: field 'input': expected a number, got true"),
    ("unknown.toml", HEAD + GOOD + "  outptu = 2\n",
     f"unknown.toml:13: {ROW}: field 'outptu': unknown field. Did you mean: output, ft_output?"),
    ("missing.toml", HEAD + ENTRY + "  output = 1\n",
     f"missing.toml:8: {ROW}: field 'input': missing required field"),
    ("noenc.toml", HEAD.replace('encoding = "o200k_base"\n', "") + GOOD,
     "noenc.toml:4: model 'm': field 'encoding': missing required field"),
    ("enc.toml", HEAD.replace("o200k_base", "o200k") + GOOD,
     "enc.toml:6: model 'm': field 'encoding': unknown encoding 'o200k'. "
     "Did you mean: o200k_base?"),
    ("unit.toml", HEAD.replace('"p"\n', '"p"\nunit = "EUR per 1M tokens"\n') + GOOD,
     "unit.toml:3: [meta]: field 'unit': unknown unit 'EUR per 1M tokens'. "
     "Did you mean: USD per 1M tokens, USD per 1K tokens?"),
    ("date.toml", HEAD.replace('id = "m"\n', 'id = "m"\nreleased = "soon"\n') + GOOD,
     "date.toml:6: model 'm': field 'released': expected a date as YYYY-MM-DD, got 'soon'"),
    ("dupid.toml", HEAD + GOOD + "\n" + HEAD[HEAD.index("[[models]]"):] + GOOD,
     "dupid.toml:15: model 'm': field 'id': duplicate model id 'm' (first defined on line 4)"),
    ("dupdate.toml", HEAD + GOOD + GOOD,
     f"dupdate.toml:14: {ROW}: field 'effective_from': duplicate effective date 2024-01-01 "
     "for this model (also on line 9)"),
    ("alias.toml", HEAD + GOOD + '\n[[models]]\nid = "n"\naliases = ["m"]\n'
     'encoding = "o200k_base"\n' + GOOD,
     "alias.toml:16: model 'n': field 'aliases': alias 'm' collides with the id of model 'm' "
     "(first defined on line 4)"),
    ("retired.toml", HEAD.replace('id = "m"\n', 'id = "m"\nretired = 2023-06-30\n') + GOOD,
     f"retired.toml:10: {ROW}: field 'effective_from': effective date 2024-01-01 is after the "
     "model's retirement on 2023-06-30"),
    ("noprices.toml", HEAD,
     "noprices.toml:4: model 'm': field 'prices': missing required field"),
    ("nometa.toml", HEAD[HEAD.index("[[models]]"):] + GOOD,
     "nometa.toml:1: [meta]: missing required table [meta] (with provider = ...)"),
    ("bad.toml", '[meta]\nprovider = "p"\n[[models]]\nid = "m"\nencoding = \n',
     "bad.toml:5: malformed TOML: Invalid value (at line 5, column 12)"),
    ("bad.json", '{"meta": {"provider": "p"},\n "models": [\n  {"id": "m",}\n ]}\n',
     "bad.json:3: malformed JSON: Expecting property name enclosed in double quotes"),
    ("bad.csv", 'id,provider,effective_from,input,output,source,encoding\nm,p,2024-01-01,1,"2\n',
     "bad.csv:2: malformed CSV: unexpected end of data"),
    ("cols.csv", "id,provider,effective_from,input,output,source\nm,p,2024-01-01,1,2,s\n",
     "cols.csv:1: header: field 'encoding': missing required column"),
    ("excel.csv", "id,provider,effective_from,input,output,source,encoding\n"
     "m,p,28/12/2022,1,2,s,o200k_base\n",
     "excel.csv:2: model 'm' price from 28/12/2022: field 'effective_from': "
     "expected a date as YYYY-MM-DD, got '28/12/2022' (a spreadsheet may have reformatted it)"),
    ("neg.csv", "id,provider,effective_from,input,output,source,encoding\n"
     "m,p,2024-01-01,1,-0.5,s,o200k_base\n",
     f"neg.csv:2: {ROW}: field 'output': negative price -0.5; prices must be >= 0"),
    ("dup.csv", "id,provider,effective_from,input,output,source,encoding\n"
     "m,p,2024-01-01,1,2,s,o200k_base\nm,p,2024-01-01,1,3,s,o200k_base\n",
     f"dup.csv:3: {ROW}: field 'effective_from': duplicate effective date 2024-01-01 for "
     "this model (also on line 2)"),
    ("huge.toml", HEAD + ENTRY + "  input = 1e999999\n  output = 1\n",
     f"huge.toml:11: {ROW}: field 'input': implausibly large price 1E+999999 "
     "(over 1000000 USD per 1M tokens); check the unit"),
    ("deep.json", "[" * 100000 + "]" * 100000, "deep.json: malformed JSON: nested too deeply"),
    ("empty.csv", "", "empty.csv:1: empty CSV: no header row"),
    ("text.json", '{"meta": {"provider": "p"}, "models": [{"id": "m", "encoding": "o200k_base", '
     '"prices": [{"effective_from": "2024-01-01", "source": "s", "input": 1, "output": "x"}]}]}',
     f"text.json:1: {ROW}: field 'output': not a number: 'x'"),
    ("litellm.json", '{"m": {"litellm_provider": "p", "mode": "chat",\n'
     ' "input_cost_per_token": "abc"}}',
     "litellm.json:2: model 'm': field 'input_cost_per_token': not a number: 'abc'"),
    ("embeddings.json", '{"m": {"litellm_provider": "p", "mode": "embedding", '
     '"input_cost_per_token": 1e-6}}',
     "embeddings.json: no models: nothing in the file has input and output prices"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_validate_reports_each_problem_on_one_line(
    runner, cli, tmp_path, monkeypatch, name, text, expected
):
    monkeypatch.chdir(tmp_path)
    Path(name).write_text(text, encoding="utf-8")
    result = run(runner, cli, "validate", name)
    assert result.exit_code == 1
    assert result.output == f"{expected}\nError: 1 problem in 1 file\n"


def test_validate_collects_every_problem_in_every_file(runner, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("a.toml").write_text(HEAD + ENTRY + "  input = -1\n  output = nan\n", encoding="utf-8")
    Path("b.csv").write_text(
        "id,provider,effective_from,input,output,source,encoding,inptu\n"
        "m,p,2024-01-01,x,2,s,o200k_bse,1\n",
        encoding="utf-8",
    )
    result = run(runner, cli, "validate", "a.toml", "b.csv", "missing.json")
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"a.toml:11: {ROW}: field 'input': negative price -1; prices must be >= 0",
        f"a.toml:12: {ROW}: field 'output': NaN is not a price",
        "b.csv:1: header: field 'inptu': unknown column. Did you mean: input, ft_input?",
        "b.csv:2: model 'm': field 'encoding': unknown encoding 'o200k_bse'. "
        "Did you mean: o200k_base?",
        f"b.csv:2: {ROW}: field 'input': not a number: 'x'",
        "missing.json: no such file",
        "Error: 6 problems in 3 files",
    ]


def test_validate_clean_files(runner, cli, tmp_path, monkeypatch, acme):
    monkeypatch.chdir(tmp_path)
    result = run(runner, cli, "validate", acme)
    assert result.exit_code == 0
    assert result.output == f"ok: {acme}: 2 models, 3 price entries\n"


def test_validate_across_files_finds_the_same_model_twice(runner, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("a.toml").write_text(HEAD + GOOD, encoding="utf-8")
    Path("b.toml").write_text(HEAD + GOOD, encoding="utf-8")
    assert run(runner, cli, "validate", "a.toml", "b.toml").exit_code == 0
    result = run(runner, cli, "validate", "--across-files", "a.toml", "b.toml")
    assert result.exit_code == 1
    assert (
        result.output.splitlines()[0]
        == "b.toml: model 'm': field 'id': duplicate model id 'm' (in a.toml)"
    )


def test_litellm_file_through_the_cli_warns_about_skipped_rows(runner, cli, tmp_path):
    path = tmp_path / "litellm.json"
    path.write_text(
        '{"a": {"litellm_provider": "x", "mode": "chat", "input_cost_per_token": 1e-06,'
        ' "output_cost_per_token": 2e-06},'
        ' "e": {"litellm_provider": "x", "mode": "embedding", "input_cost_per_token": 1e-08}}',
        encoding="utf-8",
    )
    result = run(runner, cli, "list", "--no-builtin", "--prices", str(path), "--format", "csv")
    assert result.exit_code == 0
    assert (
        f"Warning: {path}: skipped 1 LiteLLM entries that are not chat models (embedding: 1)"
        in (result.output)
    )
    (row,) = csv.DictReader(io.StringIO(result.output.split("\n", 1)[1]))
    assert (row["id"], row["input"], row["output"]) == ("a", "1", "2")  # 1e-06 x 1e6 = 1


# ---------------------------------------------------------------- help and sources


@pytest.mark.parametrize("command", ["list", "show", "diff", "validate", "sources"])
def test_every_prices_command_teaches_with_examples(runner, cli, command):
    result = run(runner, cli, command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert "distillcost prices " + command in result.output


def test_sources_lists_layers_in_precedence_order(runner, cli, acme):
    result = run(runner, cli, "sources", "--prices", acme)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    origins = [line.split()[0] for line in lines[3:] if line.startswith(("built-in:", "file:"))]
    assert origins[-1] == f"file:{acme}"
    assert all(o.startswith("built-in:") for o in origins[:-1])
    assert "Installed price plugins:" in result.output
    assert "DISTILLCOST_PLUGINS=''" in result.output
