"""The command group itself: version, help, errors, and start-up cost."""

from __future__ import annotations

import subprocess
import sys

import click

import distillcost
from distillcost.cli import SUBCOMMANDS, LazyGroup


def test_version(runner, cli):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"distillcost, version {distillcost.__version__}"


def test_help_lists_every_command(runner, cli):
    for flag in ("-h", "--help"):
        result = runner.invoke(cli, [flag])
        assert result.exit_code == 0
        for name in SUBCOMMANDS:
            assert f"  {name} " in result.output


def test_every_registered_command_has_help(runner, cli):
    group = cli
    assert isinstance(group, LazyGroup)
    ctx = click.Context(group)
    for name in SUBCOMMANDS:
        # every module has landed: a command that fails to load is a failure, not a skip
        assert group.get_command(ctx, name) is not None, name
        result = runner.invoke(cli, [name, "-h"])
        assert result.exit_code == 0, result.output
        assert "Usage: " in result.output


def test_unknown_command_suggests(runner, cli):
    result = runner.invoke(cli, ["estimat"])
    assert result.exit_code == 2
    assert "Did you mean: estimate?" in result.output


def test_python_dash_m_runs_the_same_cli():
    proc = subprocess.run(
        [sys.executable, "-m", "distillcost", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0
    assert proc.stdout.strip().endswith(distillcost.__version__)


def test_help_imports_no_heavy_library():
    code = (
        "import sys\n"
        "from distillcost.cli import cli\n"
        "try:\n    cli.main(['--help'], standalone_mode=False)\n"
        "except SystemExit:\n    pass\n"
        "names = ('tiktoken', 'pandas', 'jinja2', 'matplotlib', 'numpy')\n"
        "print('HEAVY:' + ','.join(m for m in names if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "HEAVY:"


def test_error_line_never_writes_control_characters(runner, cli, tmp_path):
    # A hostile file name in an error message must not retitle or clear the terminal.
    name = str(tmp_path / "x\x1b]0;pwned\x07.csv")
    result = runner.invoke(cli, ["count", name])
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "x\\x1b]0;pwned\\x07.csv" in result.output
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1


def test_scenario_argument_is_not_listed_as_an_option(runner, cli):
    for name in ("estimate", "compare", "history", "sweep", "report"):
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0
        assert "[SCENARIO]" in result.output.splitlines()[0]  # the usage line
        rows = [line.strip() for line in result.output.splitlines()[1:]]
        assert not any(row.startswith("[SCENARIO]") for row in rows), name
