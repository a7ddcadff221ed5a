"""QA regressions for `distillcost count` (issue 2), each found by trying the tool as a user.

Expected token figures are worked out by hand in comments or with tiktoken directly,
never taken from distillcost's own output.
"""

from __future__ import annotations

import json
from pathlib import Path

from distillcost.tokens import get_encoding

ENC = get_encoding("o200k_base")


def tok(text: str) -> int:
    return len(ENC.encode_ordinary(text))


def run(runner, cli, *args, **kwargs):
    return runner.invoke(cli, ["count", *map(str, args)], **kwargs)


def error_line(result) -> str:
    """The single stderr line of a failed command (and no traceback anywhere)."""
    assert result.exit_code != 0, result.output
    assert "Traceback" not in result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def _jsonl(path: Path, *records: object) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_output_into_missing_directory_names_the_file_not_a_temp_file(runner, cli, tmp_path):
    # Found: "Error: /x/missing/.out.json.fi9jobmd.tmp: no such file or directory" — the
    # user never typed that name; and the whole input had been counted first.
    src = _jsonl(tmp_path / "a.jsonl", {"instruction": "a", "output": "b"})
    target = tmp_path / "missing" / "out.json"
    line = error_line(run(runner, cli, src, "-o", target))
    assert str(target) in line
    assert ".tmp" not in line
    assert "does not exist" in line
    assert not (tmp_path / "missing").exists()
