"""CSV injection safety, exact JSON money, atomic writes."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from decimal import Decimal

import pytest
from spreadsheet import spreadsheet_rows

from distillcost.cells import cell_value as csv_safe
from distillcost.cells import csv_text
from distillcost.decimals import decimal_str
from distillcost.escape import visible
from distillcost.export import atomic_write, json_text


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("gpt-4o", "gpt-4o"),
    ],
)
def test_text_cells_that_look_like_formulas_are_neutralised(cell, expected):
    assert csv_safe(cell) == expected


def test_numbers_stay_numbers_even_negative():
    out = csv_text([[Decimal("-1.50"), -3, "=1+1"]], header=["a", "b", "c"])
    rows = list(csv.reader(io.StringIO(out)))
    assert rows == [["a", "b", "c"], ["-1.50", "-3", "'=1+1"]]


@pytest.mark.parametrize(
    "cell", ["a\r=1+1", "a\n=1+1", "a\r\n@SUM(A1)", "x\r\r-2", "plain\rtext", "\r"]
)
def test_a_cell_with_a_line_break_stays_one_cell_and_inert(cell):
    # a bare CR was written unquoted: LibreOffice read it as a row break and the text
    # after it as a new cell, "=1+1" (a live formula) in the next row
    out = csv_text([["before", cell, "after"]], header=["x", "y", "z"])
    rows = spreadsheet_rows(out)
    assert rows == list(csv.reader(io.StringIO(out, newline="")))
    assert len(rows) == 2 and len(rows[1]) == 3 and rows[1][0] == "before"
    for line in rows[1][1].replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        assert not line.startswith(("=", "+", "-", "@", "\t")), repr(rows[1][1])
    assert out.endswith("after\n") and out.count("\n") - cell.count("\n") == 2


def test_count_csv_of_a_file_named_with_a_cr_formula(runner, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name = "a\r=1+1.txt"
    (tmp_path / name).write_text("some text\n", encoding="utf-8")
    result = runner.invoke(cli, ["count", name, "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = spreadsheet_rows(result.stdout)
    assert [row[0] for row in rows] == ["source", "a\r'=1+1.txt", "TOTAL"]


def test_json_money_is_exact_string():
    total = Decimal("0.1") * 85000  # 8500.0 exactly; a float sum would give noise
    assert json.loads(json_text({"total_usd": total})) == {"total_usd": "8500"}
    assert decimal_str(Decimal("1E+3")) == "1000"
    assert decimal_str(Decimal("0.00150")) == "0.0015"


def test_atomic_write_leaves_old_file_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "out.csv"
    target.write_text("old")

    def io_error(fd):  # fails while the temp file is being written
        raise OSError(5, "Input/output error")

    with monkeypatch.context() as m:
        m.setattr("distillcost.export.os.fsync", io_error)
        with pytest.raises(OSError, match="Input/output error"):
            atomic_write(target, "new " * 1000)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]

    def no_rename(src, dst):  # fails after the whole temp file is written (a full disk)
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as m:
        m.setattr("distillcost.export.os.replace", no_rename)
        with pytest.raises(OSError, match="No space left"):
            atomic_write(target, "new " * 1000)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temp file left
    atomic_write(target, "new")
    assert target.read_text() == "new"


def test_visible_escapes_control_characters_but_keeps_text():
    assert visible("a\x1b]0;pwned\x07b") == "a\\x1b]0;pwned\\x07b"
    assert visible("two\nlines\tok") == "two\nlines\tok"
    assert visible("two\nlines\tok", one_line=True) == "two\\x0alines\\x09ok"
    assert visible("\x9bC1 csi, ünïcødé ✓") == "\\x9bC1 csi, ünïcødé ✓"


def test_atomic_write_keeps_an_existing_files_permissions(tmp_path):
    private = tmp_path / "private.json"
    private.write_text("old")
    private.chmod(0o600)
    atomic_write(private, "new")
    assert private.read_text() == "new"
    assert private.stat().st_mode & 0o777 == 0o600


def test_atomic_write_new_file_follows_the_umask(tmp_path):
    import os

    old = os.umask(0o027)
    try:
        atomic_write(tmp_path / "new.csv", "a,b\n")
    finally:
        os.umask(old)
    assert (tmp_path / "new.csv").stat().st_mode & 0o777 == 0o640  # 0666 & ~0027


def test_atomic_write_into_a_missing_directory_names_the_file(tmp_path):
    # library callers (and the report's chart files) get the same answer from the writer
    target = tmp_path / "missing" / "out.json"
    with pytest.raises(FileNotFoundError) as info:
        atomic_write(target, "{}")
    assert info.value.filename == str(target)
    assert info.value.strerror == f"directory {str(tmp_path / 'missing')!r} does not exist"


def test_atomic_write_to_a_pipe_writes_into_it_and_keeps_it(tmp_path):
    # Renaming a temp file over the target replaced a device or FIFO with a regular file:
    # as root, `-o /dev/null` left a regular file at /dev/null. A FIFO shows the same
    # without touching /dev.
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # so opening to write never blocks
    try:
        atomic_write(fifo, "a,b\n")
        assert stat.S_ISFIFO(os.stat(fifo).st_mode)
        assert os.read(reader, 100) == b"a,b\n"
    finally:
        os.close(reader)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]  # no temp file left


def test_atomic_write_still_replaces_a_regular_file_whole(tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("old")
    atomic_write(target, "new")
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


# -- floats from code (plugins) --------------------------------------------------------
