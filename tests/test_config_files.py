"""Configuration files (scenarios, price tables, templates) and the optional config dir.

A configuration file is read whole, so it must be a regular file of bounded size: a
device or a pipe once grew the process to gigabytes. The config dir is optional: what
cannot be read there is a warning, never the end of every price command.
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from distillcost.config import FILE_LIMITS, config_subdir
from distillcost.errors import ConfigFileError, ConfigWarning, PriceDataError, ScenarioError
from distillcost.prices import load_price_file, load_prices, validate_price_files
from distillcost.scenario import load_scenario

REPO = Path(__file__).resolve().parent.parent
ESSAY = str(REPO / "examples" / "essay.toml")
PRICE_TOML = """\
[meta]
provider = "me"

[[models]]
id = "mine"
encoding = "o200k_base"

[[models.prices]]
effective_from = 2024-01-01
input = 1
output = 2
source = "test"
"""


def _capped_run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The CLI in a child limited to 1 GB of address space: an unbounded read fails fast
    (as "internal error: MemoryError") instead of taking the machine's memory."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run(
        [sys.executable, "-m", "distillcost", *args],
        cwd=cwd,
        env={**os.environ, "DISTILLCOST_PLUGINS": ""},
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=cap,
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (["estimate", "/dev/zero"], "scenario"),
        (["prices", "list", "--prices", "/dev/zero"], "price table"),
        (["estimate", ESSAY, "--prices", "/dev/zero"], "price table"),  # said "does not exist"
        (["prices", "validate", "/dev/zero"], "price table"),  # said "no such file"
    ],
)
def test_a_device_is_refused_as_a_configuration_file(tmp_path, args, kind):
    done = _capped_run(args, tmp_path)
    assert done.returncode == 1
    message = f"/dev/zero: is a character device, not a regular file; a {kind} must be a file"
    assert message in done.stdout + done.stderr, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_is_refused_as_a_score_table(runner, cli):
    from distillcost.capability.files import parse_score_file

    assert [p.message for p in parse_score_file("/dev/zero").problems] == [
        "is a character device, not a regular file; a score table must be a file on disk"
    ]
    result = runner.invoke(cli, ["scores", "validate", "/dev/zero"])  # said "no such file"
    assert result.exit_code == 1
    assert "/dev/zero: is a character device, not a regular file" in result.output


@pytest.mark.parametrize(
    ("name", "body", "says"),
    [
        ("deep.json", '{"scores":' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
        ("twice.json", '{"scores": [{"model": "gpt-4o", "model": "x"}]}', "duplicate key 'model'"),
        ("wide.csv", "a" * 200_000 + "\n", "field larger than field limit"),
        ("deep.toml", "a = " + "[" * 5_000 + "]" * 5_000 + "\n", "malformed TOML"),
    ],
)
def test_a_broken_score_file_is_one_problem_naming_the_file(tmp_path, name, body, says):
    # price files already said these; score files raised RecursionError or csv.Error, or
    # let the last of two keys win silently
    from distillcost.capability.files import parse_score_file

    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    problems = parse_score_file(path).problems
    assert len(problems) == 1 and says in problems[0].message, problems


def _fifo_with_writer(path: Path, data: bytes) -> None:
    """A named pipe at ``path`` with a writer waiting for a reader (for up to 5 s): a
    reader that reads it gets ``data``, one that refuses it leaves the writer to give up."""
    os.mkfifo(path)

    def write() -> None:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # ENXIO: no reader yet
                time.sleep(0.01)
                continue
            with contextlib.suppress(OSError), os.fdopen(fd, "wb") as fh:
                fh.write(data)
            return

    threading.Thread(target=write, daemon=True).start()


def test_a_pipe_is_refused_as_a_scenario_or_price_table(tmp_path):
    # `yes | distillcost estimate /dev/stdin` read for ever; a named pipe is the same
    scenario = tmp_path / "s.toml"
    _fifo_with_writer(scenario, b'teacher = "gpt-4o"\nexamples = 10\n')
    with pytest.raises(ScenarioError, match=r"s\.toml: is a pipe, not a regular file"):
        load_scenario(scenario, measure=False)
    table = tmp_path / "p.toml"
    _fifo_with_writer(table, PRICE_TOML.encode())
    with pytest.raises(PriceDataError, match=r"p\.toml: is a pipe, not a regular file"):
        load_price_file(table)


def test_files_above_their_limit_are_refused_naming_the_limit(tmp_path):
    scenario = tmp_path / "s.toml"
    padding = "# " + "x" * 78 + "\n"
    scenario.write_text('teacher = "gpt-4o"\n' + padding * (FILE_LIMITS["scenario"] // 80 + 1))
    with pytest.raises(ScenarioError, match=r"s\.toml: larger than the 1,048,576-byte limit"):
        load_scenario(scenario, measure=False)
    # one byte under the limit is read (and the same text without padding is valid)
    scenario.write_text('teacher = "gpt-4o"\n# ' + "x" * (FILE_LIMITS["scenario"] - 22) + "\n")
    assert scenario.stat().st_size == FILE_LIMITS["scenario"]
    assert load_scenario(scenario, measure=False).teacher == "gpt-4o"


def test_a_utf16_configuration_file_is_named_as_utf16(tmp_path):
    scenario = tmp_path / "s.toml"
    scenario.write_text('teacher = "gpt-4o"\n', encoding="utf-16")  # with a BOM, LE here
    with pytest.raises(ScenarioError, match=r"s\.toml: looks like UTF-16LE text, not UTF-8"):
        load_scenario(scenario, measure=False)
    table = tmp_path / "p.csv"
    table.write_text("id,provider\nm,p\n", encoding="utf-16-be")  # no BOM: by its NUL bytes
    problems = validate_price_files([table])
    assert [p.message for p in problems] == [
        "looks like UTF-16BE text, not UTF-8; convert it first, e.g. "
        "iconv -f UTF-16BE -t UTF-8 FILE > FILE.utf8"
    ]


# ------------------------------------------------------------ the optional config dir


def _config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "config"
    (root / "prices").mkdir(parents=True)
    (root / "prices" / "mine.toml").write_text(PRICE_TOML)
    (root / "templates").mkdir()
    monkeypatch.setenv("DISTILLCOST_CONFIG_DIR", str(root))
    return root


def _deny(monkeypatch: pytest.MonkeyPatch, function: str, denied: Path) -> None:
    """Make ``os.<function>`` fail with EACCES on ``denied`` and below: what a user
    meets in another user's home (HOME=/root). Tests run as root, where chmod does not."""
    real = getattr(os, function)

    def guarded(path, *args, **kwargs):
        if isinstance(path, (str, os.PathLike)) and Path(os.fspath(path)).is_relative_to(denied):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, function, guarded)


def test_a_config_dir_that_cannot_be_entered_is_a_warning(tmp_path, monkeypatch):
    root = _config(tmp_path, monkeypatch)
    assert "mine" in load_prices(plugins=False, fallback=False)
    _deny(monkeypatch, "stat", root)  # HOME=/root: stat of ~/.config/distillcost fails
    with pytest.warns(ConfigWarning, match=rf"{root}: skipped, it cannot be read \(permission"):
        table = load_prices(plugins=False, fallback=False)
    assert "mine" not in table and "gpt-4o" in table  # the rest of the table is there
    with pytest.warns(ConfigWarning, match="permission denied"):
        from distillcost.report.environment import template_search_path

        assert template_search_path() == []


def test_a_config_dir_that_cannot_be_listed_is_a_warning(tmp_path, monkeypatch):
    root = _config(tmp_path, monkeypatch)
    _deny(monkeypatch, "listdir", root / "prices")  # the directory is there, unreadable
    warned: list[str] = []
    table = load_prices(plugins=False, fallback=False, on_warning=warned.append)
    assert warned == [f"{root / 'prices'}: skipped, it cannot be read (permission denied)"]
    assert "mine" not in table and "gpt-4o" in table


def test_a_config_dir_that_is_a_file_is_a_warning_not_silence(tmp_path, monkeypatch):
    not_a_dir = tmp_path / "config"
    not_a_dir.write_text("")
    monkeypatch.setenv("DISTILLCOST_CONFIG_DIR", str(not_a_dir))
    warned: list[str] = []
    assert config_subdir("prices", warned.append) is None
    assert warned == [f"{not_a_dir} (DISTILLCOST_CONFIG_DIR): skipped, not a directory"]
    done = subprocess.run(
        [sys.executable, "-m", "distillcost", "prices", "show", "gpt-4o"],
        env={**os.environ, "DISTILLCOST_PLUGINS": "", "DISTILLCOST_CONFIG_DIR": str(not_a_dir)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert (
        done.stderr == f"Warning: {not_a_dir} (DISTILLCOST_CONFIG_DIR): skipped, not a directory\n"
    )


def test_a_device_named_like_a_table_in_the_config_dir_is_said(tmp_path, monkeypatch):
    # it was passed over in silence: a user wondering why their prices are not used
    root = _config(tmp_path, monkeypatch)
    (root / "prices" / "zero.toml").symlink_to("/dev/null")
    (root / "prices" / "gone.csv").symlink_to(tmp_path / "nowhere.csv")
    warned: list[str] = []
    table = load_prices(plugins=False, fallback=False, on_warning=warned.append)
    assert warned == [
        f"{root / 'prices' / 'gone.csv'}: ignored, not a regular file",
        f"{root / 'prices' / 'zero.toml'}: ignored, not a regular file",
    ]
    assert "mine" in table


def test_a_missing_config_dir_is_silent(tmp_path, monkeypatch):
    monkeypatch.setenv("DISTILLCOST_CONFIG_DIR", str(tmp_path / "none"))
    warned: list[str] = []
    assert config_subdir("prices", warned.append) is None
    assert warned == []


# ------------------------------------------------------------------------ templates


def _render_with(template_dir: Path) -> None:
    from distillcost.prices import load_prices as prices
    from distillcost.report import build_report_data, render_report

    scenario = load_scenario(ESSAY)
    data = build_report_data(scenario, prices(plugins=False, fallback=False))
    render_report(data, "md", template_dirs=[template_dir])


def test_a_template_that_is_not_a_readable_file_is_an_error_naming_it(tmp_path):
    # each was skipped in silence (the built-in used instead) or a raw UnicodeDecodeError
    cases = {
        "directory": (lambda p: p.mkdir(), "is a directory, not a template file"),
        "loop": (lambda p: p.symlink_to(p), "cannot be read: too many levels of symbolic links"),
        "device": (lambda p: p.symlink_to("/dev/zero"), "is a character device, not a regular"),
        "latin-1": (lambda p: p.write_bytes(b"caf\xe9 {{ title }}\n"), "not UTF-8 text"),
    }
    for name, (make, message) in cases.items():
        directory = tmp_path / name
        directory.mkdir()
        make(directory / "report.md.j2")
        with pytest.raises(ConfigFileError) as info:
            _render_with(directory)
        assert str(info.value).startswith(f"{directory / 'report.md.j2'}")
        assert message in str(info.value), name
    latin = tmp_path / "latin-1" / "report.md.j2"
    with pytest.raises(ConfigFileError, match=rf"^{latin}:1: not UTF-8 text \(byte 0xe9 at"):
        _render_with(latin.parent)


@pytest.mark.parametrize("given", ["/dev/zero", "a-file", "missing"])
def test_a_template_dir_that_is_not_a_directory_is_an_error(tmp_path, given):
    from distillcost.errors import RenderError

    (tmp_path / "a-file").write_text("")
    path = given if given.startswith("/") else str(tmp_path / given)
    if given == "/dev/zero" and not Path(given).exists():
        pytest.skip("needs /dev/zero")
    with pytest.raises(RenderError, match=f"template dir '{path}' (is not a|does not exist)"):
        _render_with(Path(path))
