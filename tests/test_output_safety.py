"""Outputs never destroy an input, are whole or absent, and name what the user asked for.

-o may not be any file the command reads: the scenario, the files it names, --prices
files, the user's config tables, a file a directory walk would count. A Markdown
report and its chart folder are staged and swapped in together; stale charts go.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from distillcost.errors import Stopped
from distillcost.export import atomic_write, atomic_write_with_folder

REPO = Path(__file__).resolve().parent.parent
CHAT = REPO / "examples" / "sample-chat.jsonl"


@pytest.fixture
def campaign(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scenario naming a chat file and a price table, beside copies of both."""
    monkeypatch.chdir(tmp_path)
    shutil.copy(CHAT, tmp_path / "chat.jsonl")
    (tmp_path / "p.toml").write_text(
        '[meta]\nprovider = "me"\n[[models]]\nid = "mine"\nencoding = "o200k_base"\n'
        "[[models.prices]]\neffective_from = 2024-01-01\ninput = 1\noutput = 2\n"
        'source = "test"\n',
        encoding="utf-8",
    )
    (tmp_path / "s.toml").write_text(
        'teacher = "mine"\nexamples = 100\nchat_file = "chat.jsonl"\nprices = ["p.toml"]\n',
        encoding="utf-8",
    )
    return tmp_path


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    "args",
    [
        ["estimate", "s.toml", "-o", "chat.jsonl", "-f", "json"],  # named by the scenario
        ["estimate", "s.toml", "-o", "p.toml", "-f", "json"],  # its prices = [...]
        ["compare", "s.toml", "--models", "mine", "-o", "p.toml", "-f", "csv"],
        ["sweep", "s.toml", "--vary", "examples=1..10:2", "-o", "chat.jsonl", "-f", "csv"],
        ["report", "s.toml", "-o", "chat.jsonl", "--format", "md"],
        ["prices", "list", "--prices", "p.toml", "-o", "p.toml", "-f", "csv"],
        ["count", ".", "-o", "chat.jsonl", "-f", "json"],  # a file the walk would count
    ],
)
def test_output_may_not_be_any_input(runner, cli, campaign, args):
    before = _snapshot(campaign)
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "is also an input" in result.output and "would destroy the input" in result.output
    assert _snapshot(campaign) == before


def test_output_may_not_be_a_table_of_the_config_dir(runner, cli, tmp_path, monkeypatch):
    config = tmp_path / "config"
    (config / "prices").mkdir(parents=True)
    mine = config / "prices" / "mine.csv"
    mine.write_text("id,provider\n", encoding="utf-8")
    monkeypatch.setenv("DISTILLCOST_CONFIG_DIR", str(config))
    result = runner.invoke(cli, ["prices", "list", "-o", str(mine)])
    assert result.exit_code == 2 and "is also an input" in result.output
    assert mine.read_text(encoding="utf-8") == "id,provider\n"


def test_a_new_file_in_an_input_directory_is_not_an_input(runner, cli, campaign):
    # not there yet, so the walk cannot count it: writing it destroys nothing
    result = runner.invoke(cli, ["count", "chat.jsonl", "-o", "counts.json"])
    assert result.exit_code == 0, result.output
    assert (campaign / "counts.json").is_file()


# ------------------------------------------------------------------ atomic writes


def test_a_directory_that_cannot_be_written_is_named_not_the_temp_file(tmp_path, monkeypatch):
    # a read-only directory said ".out.json.k2x9.tmp: permission denied"
    real_open = os.open

    def read_only(path, flags, *args):
        if flags & os.O_CREAT and Path(path).parent == tmp_path:
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", read_only)
    with pytest.raises(PermissionError) as info:
        atomic_write(tmp_path / "out.json", "{}")
    assert info.value.filename == str(tmp_path / "out.json")
    assert str(info.value.strerror) == f"cannot write in '{tmp_path}': permission denied"


def test_a_stop_signal_mid_write_leaves_no_temp_file(tmp_path, monkeypatch):
    (tmp_path / "out.csv").write_text("old")

    def stopped(fd):  # SIGTERM arriving while the data is being written
        raise Stopped(15)

    monkeypatch.setattr(os, "fsync", stopped)
    with pytest.raises(Stopped):
        atomic_write(tmp_path / "out.csv", "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]
    assert (tmp_path / "out.csv").read_text() == "old"


# ---------------------------------------------------- a report and its chart folder


def _report(tmp_path: Path, charts: dict[str, str], text: str = "report") -> None:
    atomic_write_with_folder(tmp_path / "r.md", text, tmp_path / "r_charts", charts)


def test_a_rewrite_replaces_the_chart_folder_whole_removing_stale_charts(tmp_path):
    _report(tmp_path, {"a.svg": "<svg>a</svg>", "b.svg": "<svg>b</svg>"}, "first")
    _report(tmp_path, {"b.svg": "<svg>b2</svg>"}, "second")
    assert _snapshot(tmp_path) == {"r.md": b"second", "r_charts/b.svg": b"<svg>b2</svg>"}
    _report(tmp_path, {}, "third")  # no charts now: the old ones would be stale
    assert _snapshot(tmp_path) == {"r.md": b"third"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.md"]


def test_png_charts_replace_svg_charts(tmp_path):
    # --charts png after an SVG report: the SVGs are stale, the PNGs are bytes
    _report(tmp_path, {"a.svg": "<svg>a</svg>"}, "svg")
    atomic_write_with_folder(tmp_path / "r.md", "png", tmp_path / "r_charts", {"a.png": b"\x89PNG"})
    assert _snapshot(tmp_path) == {"r.md": b"png", "r_charts/a.png": b"\x89PNG"}


@pytest.mark.parametrize("fail_at", [1, 2, 3])  # a chart, the last chart, the report itself
def test_a_full_disk_leaves_the_old_report_and_its_charts(tmp_path, monkeypatch, fail_at):
    _report(tmp_path, {"a.svg": "<svg>a</svg>", "b.svg": "<svg>b</svg>"}, "old")
    before = _snapshot(tmp_path)
    calls = []

    def full(fd):
        calls.append(fd)
        if len(calls) == fail_at:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match="No space left"):
        _report(tmp_path, {"a.svg": "<svg>A</svg>", "c.svg": "<svg>C</svg>"}, "new")
    assert _snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.md", "r_charts"]  # no temp


def test_a_stop_during_the_swap_puts_the_old_folder_back(tmp_path, monkeypatch):
    _report(tmp_path, {"a.svg": "<svg>a</svg>"}, "old")
    before = _snapshot(tmp_path)
    real_replace = os.replace

    def stopped(src, dst):  # the folders are swapped; the report's rename is interrupted
        if Path(dst).name == "r.md":
            raise Stopped(15)
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", stopped)
    with pytest.raises(Stopped):
        _report(tmp_path, {"b.svg": "<svg>b</svg>"}, "new")
    assert _snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.md", "r_charts"]


def test_a_chart_folder_holding_other_files_is_refused_not_deleted(tmp_path):
    (tmp_path / "r_charts").mkdir()
    (tmp_path / "r_charts" / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match=r"holds files distillcost did not write \(notes"):
        _report(tmp_path, {"a.svg": "<svg>a</svg>"})
    assert _snapshot(tmp_path) == {"r_charts/notes.txt": b"mine"}


def test_report_cli_rewrite_leaves_only_the_new_campaigns_charts(runner, cli, tmp_path):
    essay, alpaca = (str(REPO / "examples" / f"{n}.toml") for n in ("essay", "alpaca"))
    out = tmp_path / "r.md"
    first = runner.invoke(cli, ["report", alpaca, "-o", str(out), "--history"])
    assert first.exit_code == 0, first.output
    assert (tmp_path / "r_charts" / "over_time.svg").is_file()
    second = runner.invoke(cli, ["report", essay, "-o", str(out)])
    assert second.exit_code == 0, second.output
    linked = {
        line.split("](")[1].split(")")[0].split("/")[-1]
        for line in out.read_text(encoding="utf-8").splitlines()
        if line.startswith("![")
    }
    assert linked and {p.name for p in (tmp_path / "r_charts").iterdir()} == linked


def test_output_may_not_be_a_template_of_the_template_dir(runner, cli, campaign):
    (campaign / "t").mkdir()
    template = campaign / "t" / "report.md.j2"
    template.write_text("{{ 1 }}\n", encoding="utf-8")
    args = ["report", "s.toml", "--template-dir", "t", "-o", "t/report.md.j2", "--format", "md"]
    result = runner.invoke(cli, args)
    assert result.exit_code == 2 and "is also an input" in result.output, result.output
    assert template.read_text(encoding="utf-8") == "{{ 1 }}\n"


def test_a_markdown_report_is_not_written_over_a_pipe(runner, cli, campaign):
    # staging the file and its chart folder would swap the pipe out for a plain file
    os.mkfifo(campaign / "fifo")
    result = runner.invoke(cli, ["report", "s.toml", "-o", "fifo", "--format", "md"])
    assert result.exit_code == 1 and "not a regular file" in result.output, result.output
    assert (campaign / "fifo").is_fifo() and not (campaign / "fifo_charts").exists()


def test_a_read_only_output_is_refused_not_replaced(runner, cli, campaign, monkeypatch):
    # root may write anything, so the refusal is checked through os.access
    kept = campaign / "kept.json"
    kept.write_text("old\n", encoding="utf-8")
    real_access = os.access

    def access(path, mode, **kw):
        if Path(path).name == "kept.json" and mode == os.W_OK:
            return False
        return real_access(path, mode, **kw)

    monkeypatch.setattr(os, "access", access)
    result = runner.invoke(cli, ["estimate", "s.toml", "-o", "kept.json"])
    assert result.exit_code == 1 and "read-only" in result.output, result.output
    assert kept.read_text(encoding="utf-8") == "old\n"
