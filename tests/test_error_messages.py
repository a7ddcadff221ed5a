"""Errors that say what is wrong: the day that does not exist, the column given twice."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from distillcost.errors import InputError, ScenarioError
from distillcost.present import parse_day

REPO = Path(__file__).resolve().parent.parent
ESSAY = str(REPO / "examples" / "essay.toml")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2023-02-30", "February 2023 has 28 days"),
        ("2024-02-30", "February 2024 has 29 days"),  # a leap year
        ("2023-04-31", "April 2023 has 30 days"),
        ("2023-13-01", "there is no month 13"),
        ("2023-00-10", "there is no month 0"),
        ("0000-01-01", "there is no year 0"),
    ],
)
def test_an_impossible_day_says_why(text, reason):
    with pytest.raises(ValueError) as info:
        parse_day(text)
    assert str(info.value) == f"{text!r} is not a date: {reason}"


def test_real_days_and_malformed_text():
    assert parse_day("2024-02-29") == date(2024, 2, 29)
    assert parse_day(" 2023-12-31 ") == date(2023, 12, 31)
    for text in ("20230101", "2023-1-01", "yesterday", "2023-01-01T00:00"):
        with pytest.raises(ValueError, match=r"is not a date$"):
            parse_day(text)


@pytest.mark.parametrize(
    "args",
    [["estimate", ESSAY], ["history", ESSAY], ["prices", "list"], ["prices", "show", "gpt-4o"]],
)
def test_as_of_an_impossible_day_on_every_command(runner, cli, args):
    # estimate's --as-of said "'2023-02-30' does not match the format '%Y-%m-%d'"
    result = runner.invoke(cli, [*args, "--as-of", "2023-02-30"])
    assert result.exit_code == 2
    assert "'2023-02-30' is not a date: February 2023 has 28 days; use YYYY-MM-DD" in result.output


def test_an_impossible_day_in_a_scenario_file(tmp_path):
    from distillcost.scenario import load_scenario

    path = tmp_path / "s.toml"
    path.write_text('teacher = "gpt-4o"\nexamples = 10\nas_of = "2023-02-29"\n')
    with pytest.raises(ScenarioError, match="as_of: '2023-02-29' is not a date: February 2023"):
        load_scenario(path)


def test_a_csv_column_given_twice_is_an_error(tmp_path):
    # like duplicate JSON keys: one of the two columns was read, the other dropped
    from distillcost.counting import count_files

    path = tmp_path / "d.csv"
    path.write_text("prompt,prompt,completion\na,bbbb,c\n", encoding="utf-8")
    with pytest.raises(
        InputError, match=r"duplicate column 'prompt' in the header \(columns 1 and 2\)"
    ):
        count_files([path])
    path.write_text(",,prompt,completion\n,,a,c\n", encoding="utf-8")  # unnamed columns: fine
    assert count_files([path]).total.documents == 1


CHAT = str(REPO / "examples" / "sample-chat.jsonl")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["count", CHAT, "--model", ""], "--model: empty"),
        (["count", CHAT, "--encoding", " "], "--encoding: empty"),
        (["estimate", ESSAY, "--tier", ""], "tier: empty"),
        (["limits", ESSAY, "--rpm", "500", "--key-counts", ""], "--key-counts: empty"),
    ],
)
def test_an_empty_option_is_refused_not_read_as_left_out(runner, cli, args, says):
    result = runner.invoke(cli, args)
    assert result.exit_code != 0 and says in result.output, result.output


@pytest.mark.parametrize("command", [["estimate"], ["sweep", "--vary", "examples=1..2:2"]])
def test_a_symlink_loop_is_named_as_one_not_as_missing(runner, cli, tmp_path, command):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    result = runner.invoke(cli, [command[0], str(tmp_path / "a"), *command[1:]])
    assert result.exit_code == 2, result.output
    assert "too many levels of symbolic links" in result.output
    assert "does not exist" not in result.output


def test_an_unreadable_directory_is_named_as_permission_denied(monkeypatch):
    import errno
    import os

    import click

    from distillcost.cli.paths import input_file

    def denied(path, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(os, "stat", denied)  # root reads anything: simulate a 000 folder
    with pytest.raises(click.BadParameter, match=r"'w/essay\.toml': permission denied"):
        input_file().convert("w/essay.toml", None, None)
