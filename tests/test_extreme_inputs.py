"""Regressions found in the final review of the core and CLI: hostile input gives one
clear ``Error:`` line, never an ``internal error`` (an exception the CLI does not know)."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from distillcost.ranges import Range, RangeError, parse_number
from distillcost.tokens import get_encoding

BASE = ["estimate", "-m", "gpt-4o-mini", "--prompt-tokens", "100", "--completion-tokens", "100"]


# -- numbers beyond Decimal's default context ------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--examples", "1e999999999"],  # Decimal("1e999999999") * 1 overflowed
        ["--examples", "1..1e999999999"],  # and so did the midpoint of a range
        ["--examples", "1e999999999k"],
        ["--examples", "10", "--acceptance-rate", "9e999999..9e999999"],
    ],
)
def test_astronomical_numbers_are_a_clear_error(runner, cli, args):
    result = runner.invoke(cli, [*BASE, *args])
    assert result.exit_code != 0
    assert "internal error" not in result.output
    assert "implausibly large" in result.output


def test_a_vanishing_number_is_not_silently_zero(runner, cli):
    # 1e-999999999 * 1 underflowed to 0 in the default context, so the campaign was
    # priced at 0 examples ($0.00) with exit status 0.
    result = runner.invoke(cli, [*BASE, "--examples", "1e-999999999"])
    assert result.exit_code != 0
    assert "implausibly small" in result.output


def test_astronomical_numbers_in_a_scenario_file(runner, cli, tmp_path):
    path = tmp_path / "big.toml"
    path.write_text(
        'teacher = "gpt-4o-mini"\nexamples = { low = 1, high = 1e999999999 }\n'
        "prompt_tokens = 10\ncompletion_tokens = 10\n"
    )
    result = runner.invoke(cli, ["estimate", str(path)])
    assert result.exit_code == 1
    assert "big.toml: examples:" in result.output
    assert "implausibly large" in result.output


def test_astronomical_sweep_bounds(runner, cli):
    args = ["sweep", *BASE[1:], "--examples", "10", "--vary", "examples=1..1e999999999"]
    result = runner.invoke(cli, args)
    assert result.exit_code != 0
    assert "internal error" not in result.output
    assert "implausibly large" in result.output


def test_suffixes_stay_exact_and_plausible_numbers_unchanged():
    # 28 significant digits (the default context) rounded this to 1000.
    assert parse_number("1.00000000000000000000000000000001k") == Decimal(
        "1000.00000000000000000000000000001"
    )
    assert parse_number("52k") == 52_000
    assert parse_number("1e1000") == Decimal(10) ** 1000  # the bound itself is a number
    assert parse_number("1e-1000") == Decimal(10) ** -1000
    assert Range.parse("300..800").base == 550
    with pytest.raises(RangeError, match="implausibly small"):
        parse_number(Decimal("1e-1001"))


def test_minus_zero_is_zero_and_prints_as_zero(runner, cli):
    for given in ("-0", "-0.0", "-0k", Decimal("-0"), -0.0):
        assert str(parse_number(given)) in ("0", "0.0", "0E+3"), given
        assert not parse_number(given).is_signed(), given
    result = runner.invoke(
        cli, ["estimate", "-m", "gpt-4o", "--examples", "-0", "--prompt-tokens", "10",
              "--completion-tokens", "10", "--as-of", "2024-10-01"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert not re.search(r"(?<![\w-])-0(?![\w.-])", result.output), result.output
    assert re.search(r"accepted examples +0\n", result.output)


# -- scenario files a TOML parser cannot hold ------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("x = " + "[" * 100_000 + "]" * 100_000, "nested too deeply"),  # RecursionError
        ("x = " + "{a = " * 5_000 + "1" + "}" * 5_000, "nested too deeply"),
        ("examples = " + "1" * 5_000, "Exceeds the limit (4300 digits)"),  # ValueError
    ],
)
def test_scenario_toml_beyond_the_parser_is_a_clear_error(runner, cli, tmp_path, body, reason):
    path = tmp_path / "hostile.toml"
    path.write_text('teacher = "gpt-4o-mini"\n' + body + "\n")
    result = runner.invoke(cli, ["estimate", str(path)])
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert f"hostile.toml: invalid TOML: {reason}" in result.output
    assert "set_int_max_str_digits" not in result.output  # advice for programmers, not users


# -- data files the JSON parser cannot hold --------------------------------------------

GOOD = '{"prompt": "a", "completion": "b"}\n'
DEEP = "[" * 100_000 + "]" * 100_000  # json.loads: RecursionError, not JSONDecodeError
LONG = "1" * 5_000  # json.loads: ValueError (Python's int-from-text limit)


@pytest.mark.parametrize(
    ("second", "reason"),
    [
        ('{"prompt": ' + DEEP + ', "completion": "b"}', "nested too deeply"),
        ('{"prompt": "a", "completion": ' + LONG + "}", "Exceeds the limit (4300 digits)"),
    ],
)
def test_jsonl_record_beyond_the_parser_is_a_bad_record(runner, cli, tmp_path, second, reason):
    path = tmp_path / "hostile.jsonl"
    path.write_text(GOOD + second + "\n")
    result = runner.invoke(cli, ["count", str(path), "-m", "gpt-4o-mini"])
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert f"hostile.jsonl:2: malformed JSON: {reason}" in result.output
    # and, being an ordinary bad record, --skip-bad skips it and counts the good one
    skipped = runner.invoke(cli, ["count", str(path), "-m", "gpt-4o-mini", "--skip-bad"])
    assert skipped.exit_code == 0, skipped.output
    assert "skipped " in skipped.output
    assert "hostile.jsonl:2: malformed JSON" in skipped.output


def test_jsonl_long_number_column_points_at_it(runner, cli, tmp_path):
    path = tmp_path / "hostile.jsonl"
    path.write_text(GOOD + '{"prompt": "a", "completion": ' + LONG + "}\n")
    result = runner.invoke(cli, ["count", str(path), "-m", "gpt-4o-mini"])
    # '{"prompt": "a", "completion": ' is 30 characters: the number starts at column 31
    assert "(column 31)" in result.output


@pytest.mark.parametrize(
    ("name", "body", "args"),
    [
        ("first.jsonl", '{"prompt": ' + DEEP + "}\n", []),  # the record that decides the format
        ("array.json", "[" + GOOD.strip() + ", " + DEEP + "]\n", []),
        ("field.jsonl", '{"text": "a"}\n{"text": ' + DEEP + "}\n", ["--field", "text"]),
        ("sampled.jsonl", GOOD * 50 + '{"prompt": ' + DEEP + "}\n", ["--sample", "100%"]),
    ],
)
def test_deep_json_anywhere_is_a_clear_error(runner, cli, tmp_path, name, body, args):
    path = tmp_path / name
    path.write_text(body)
    result = runner.invoke(cli, ["count", str(path), "-m", "gpt-4o-mini", *args])
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert f"{name}:" in result.output and "nested too deeply" in result.output


# -- output files ----------------------------------------------------------------------


def test_estimate_into_a_missing_directory_names_the_file_not_a_temp_file(runner, cli, tmp_path):
    # Found: "Error: /x/missing/.out.json.56u1uvxc.tmp: no such file or directory".
    target = tmp_path / "missing" / "out.json"
    args = [*BASE, "--examples", "10", "-o", str(target)]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    # the same words as count, compare, history and sweep (one check, before any work)
    assert result.output == (
        f"Error: Could not open file {str(target)!r}: "
        f"directory {str(tmp_path / 'missing')!r} does not exist\n"
    )
    assert not (tmp_path / "missing").exists()


def _record(token_ratio):
    from datetime import date

    from distillcost.prices import ModelRecord, PriceEntry

    entry = PriceEntry(effective_from=date(2025, 1, 1), input=Decimal(1), output=Decimal(2))
    return ModelRecord(id="m", provider="p", history=(entry,), token_ratio=token_ratio)


def test_a_plugin_token_ratio_given_as_float_is_rejected():
    # token_ratio multiplies every billed token; Decimal(1.1) is
    # 1.100000000000000088817841970012523233890533447265625, so a plugin's float reached
    # the bill unchecked (prices were checked, the ratio was not).
    from distillcost.errors import PriceDataError
    from distillcost.plugins import PriceRegistry

    with pytest.raises(PriceDataError, match=r"'token_ratio': got the float 1\.1"):
        PriceRegistry("acme")(_record(1.1))
    with pytest.raises(PriceDataError, match="'token_ratio': must be greater than 0"):
        PriceRegistry("acme")(_record(Decimal(0)))
    registry = PriceRegistry("acme")
    registry(_record(Decimal("1.1")))
    assert registry.layers[0][1][0].token_ratio == Decimal("1.1")


# -- vanishing prices ------------------------------------------------------------------


def test_a_vanishing_price_is_a_problem_not_a_million_zeros(runner, cli, tmp_path):
    # Found: LiteLLM's input_cost_per_token = 1e-999999 loaded, and estimate printed the
    # price as $0.000… on a line of 1,000,074 characters; 1e-999999999 in a CSV became $0.
    litellm = tmp_path / "tiny.json"
    litellm.write_text(
        '{"m1": {"litellm_provider": "openai", "mode": "chat",'
        ' "input_cost_per_token": 1e-999999, "output_cost_per_token": 1e-6}}'
    )
    result = runner.invoke(cli, ["prices", "validate", str(litellm)])
    assert result.exit_code == 1
    assert "'input_cost_per_token': implausibly small price 1E-999999" in result.output
    assert max(len(line) for line in result.output.splitlines()) < 300
    args = ["estimate", "-m", "m1", "--examples", "10", "--prompt-tokens", "10"]
    estimate = runner.invoke(cli, [*args, "--completion-tokens", "10", "--prices", str(litellm)])
    assert estimate.exit_code == 1
    assert "implausibly small price" in estimate.output


def test_small_real_prices_and_zero_still_load(runner, cli, tmp_path):
    table = tmp_path / "ok.json"
    # $0.00001 per 1M tokens as a per-token price is 1e-11: tiny, real, above 1e-20
    table.write_text(
        '{"m1": {"litellm_provider": "openai", "mode": "chat",'
        ' "input_cost_per_token": 1e-11, "output_cost_per_token": 0}}'
    )
    result = runner.invoke(cli, ["prices", "validate", str(table)])
    assert result.exit_code == 0, result.output


# -- one campaign, one figure ----------------------------------------------------------


def test_compare_and_history_round_cents_as_estimate_does(runner, cli, tmp_path):
    # 1,005,000 output tokens at $1 per 1M cost $1.005 exactly. estimate (and the report)
    # round half up: $1.01. compare and history formatted with Decimal's half-even
    # default and showed $1.00 for the same campaign.
    table = tmp_path / "one.csv"
    table.write_text(
        "id,provider,effective_from,input,output,source,encoding\n"
        "m1,openai,2024-01-01,1,1,s,o200k_base\n"
    )
    campaign = ["-m", "m1", "--prices", str(table), "--as-of", "2025-01-01"]
    campaign += ["--output-tokens", "1005000", "--prompt-tokens", "0"]
    campaign += ["--completion-tokens", "1000"]
    estimate = runner.invoke(cli, ["estimate", *campaign])
    compare = runner.invoke(cli, ["compare", *campaign, "--models", "m1"])
    history = runner.invoke(cli, ["history", *campaign])
    for result in (estimate, history):
        assert result.exit_code == 0, result.output
        assert "$1.01" in result.output
        assert "$1.00–" not in result.output and "  $1.00  " not in result.output
    # compare's row: rank, teacher, provider, total, low–high ... ($1.00 per 1M tokens is right)
    row = next(line.split() for line in compare.output.splitlines() if " m1 " in line)
    assert row[3] == "$1.01"
    assert row[4] == "$1.01–$1.01"  # the low–high range too


# -- a sample larger than any file -----------------------------------------------------


def test_a_sample_of_more_documents_than_a_float_holds_is_every_document(runner, cli, tmp_path):
    # Found: sample = 1e900 in a scenario (or count --sample 10**400) was
    # "internal error: OverflowError: int too large to convert to float".
    import json

    data = tmp_path / "d.jsonl"
    data.write_text('{"prompt": "a b", "completion": "c"}\n' * 3)
    args = ["count", str(data), "-m", "gpt-4o", "-f", "json", "--sample", "1" + "0" * 400]
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    (file,) = json.loads(result.output)["files"]
    assert file["sample_documents"] == 3  # every document
    # o200k: "a b" is "a" + " b", "c" is one token: 3 x (2 + 1)
    assert (file["prompt_tokens"], file["completion_tokens"], file["tokens"]) == (6, 3, 9)


def test_a_scenario_sample_beyond_float_measures_every_document(runner, cli, tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text('{"prompt": "a b", "completion": "c"}\n' * 3)
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        f'teacher = "gpt-4o-mini"\nas_of = 2025-06-01\nexamples = 10\n'
        f'chat_file = "{data}"\nsample = 1e900\n'
    )
    result = runner.invoke(
        cli, ["estimate", str(scenario), "--prompt-file", str(data), "--format", "json"]
    )
    assert "internal error" not in result.output
    assert result.exit_code == 0, result.output
    measured = {a["name"]: a for a in json.loads(result.output)["assumptions"]}
    enc = get_encoding("o200k_base")
    # every record measured exactly: a prompt file counts the whole record ("a b" + "c")
    whole = len(enc.encode_ordinary("a b")) + len(enc.encode_ordinary("c"))
    assert measured["prompt_tokens"]["origin"] == "measured"
    assert measured["prompt_tokens"]["value"] == str(whole)
    assert measured["completion_tokens"]["value"] == str(len(enc.encode_ordinary("c")))


# -- one rule for a missing text, whatever the record format ---------------------------


@pytest.mark.parametrize(
    ("turn", "message"),
    [
        ('{"from": "gpt", "value": null}', "turn 2 (gpt): 'value' is null"),
        ('{"from": "gpt"}', "turn 2 (gpt): 'value' is missing"),
    ],
)
def test_sharegpt_turn_without_text_is_a_bad_record_as_in_chat(
    runner, cli, tmp_path, turn, message
):
    # A chat message with null content is an error (a 0-token answer is never what the
    # data meant); the same ShareGPT turn was counted silently as 0 tokens.
    path = tmp_path / "s.jsonl"
    path.write_text('{"conversations": [{"from": "human", "value": "hi"}, ' + turn + "]}\n")
    result = runner.invoke(cli, ["count", str(path), "-m", "gpt-4o"])
    assert result.exit_code == 1
    assert f"s.jsonl:1: {message}" in result.output


# -- a user's template ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('{{ {}.pop("x") }}', "KeyError: 'x'"),
        ("{{ [].pop() }}", "IndexError: pop from empty list"),
        ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "RecursionError"),
    ],
)
def test_a_template_error_is_the_templates_not_an_internal_error(
    runner, cli, tmp_path, body, reason
):
    # These were "internal error: ... please report it", as if distillcost had a bug;
    # a ZeroDivisionError or TypeError in the same template already named the template.
    (tmp_path / "report.md.j2").write_text(body)
    essay = str(Path(__file__).parent.parent / "examples" / "essay.toml")
    args = ["report", essay, "--template-dir", str(tmp_path), "--format", "md"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert "internal error" not in result.output
    assert "report.md.j2:1: " + reason in result.output


def test_sub_dollar_totals_round_half_up_in_estimate_as_in_compare(runner, cli, tmp_path):
    # 125,000 output tokens at $1 per 1M cost $0.125 exactly: half up to the cent is $0.13,
    # half even $0.12. estimate once rounded half even while compare rounded half up; both
    # now print through one formatter. (A sub-cent amount, $0.0042, keeps two significant
    # digits: test_money.)
    table = tmp_path / "one.csv"
    table.write_text(
        "id,provider,effective_from,input,output,source,encoding\n"
        "m1,openai,2024-01-01,1,1,s,o200k_base\n"
    )
    campaign = ["-m", "m1", "--prices", str(table), "--as-of", "2025-01-01"]
    campaign += ["--output-tokens", "125000", "--prompt-tokens", "0"]
    campaign += ["--completion-tokens", "1000"]
    estimate = runner.invoke(cli, ["estimate", *campaign])
    compare = runner.invoke(cli, ["compare", *campaign, "--models", "m1"])
    for result in (estimate, compare):
        assert result.exit_code == 0, result.output
        assert "$0.13" in result.output
        assert "$0.12" not in result.output


def test_a_price_table_built_in_code_rejects_float_prices():
    # Files and plugins were checked, but PriceTable([...]) from the Python API let a
    # float price (binary noise: 0.1 is 0.1000000000000000055...) reach estimate().
    from decimal import Decimal

    from distillcost.errors import PriceDataError
    from distillcost.prices import ModelRecord, PriceEntry, PriceTable

    def table(price):
        entry = PriceEntry(effective_from=date(2024, 1, 1), input=price, output=Decimal(1))
        return PriceTable([ModelRecord(id="m", provider="p", history=(entry,))])

    assert table(Decimal("0.1")).get("m").history[0].input == Decimal("0.1")
    with pytest.raises(PriceDataError, match=r"field 'input': got the float 0\.1"):
        table(0.1)
    with pytest.raises(PriceDataError, match="negative price"):
        table(Decimal("-1"))
