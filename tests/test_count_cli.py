"""`distillcost count` through click's CliRunner: outputs, stdin, and a battery of bad inputs."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from distillcost.tokens import get_encoding

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ENC = get_encoding("o200k_base")


def tok(text: str) -> int:
    return len(ENC.encode_ordinary(text))


def run(runner, cli, *args, **kwargs):
    return runner.invoke(cli, ["count", *map(str, args)], **kwargs)


def error_line(result) -> str:
    """The single stderr line of a failed command (and no traceback anywhere)."""
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def test_help_states_the_chat_formula(runner, cli):
    result = run(runner, cli, "--help")
    assert result.exit_code == 0
    assert "3 + tokens(role) + tokens(content) [+ tokens(name) + 1]" in result.output
    assert 'instruction + "\\n" + input' in result.output
    assert "Examples:" in result.output


def test_shipped_examples_count(runner, cli):
    # The README's interim main command.
    chat = EXAMPLES / "sample-chat.jsonl"
    result = run(runner, cli, chat, "--model", "gpt-4o")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in chat.read_text("utf-8").splitlines()]
    assert len(records) == 20
    completion = sum(
        tok(m["content"]) for r in records for m in r["messages"] if m["role"] == "assistant"
    )
    assert f"{completion:,}" in result.stdout
    assert "jsonl/chat" in result.stdout and "o200k_base" in result.stdout
    inst = run(runner, cli, EXAMPLES / "sample-instructions.jsonl")
    assert inst.exit_code == 0 and "jsonl/instruction" in inst.stdout


def test_table_lists_files_and_total(runner, cli):
    result = run(runner, cli, DATA / "chat.jsonl", DATA / "instruction.jsonl")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split()[:5] == ["file", "format", "docs", "chars", "tokens"]
    assert any(line.startswith("TOTAL") for line in lines)
    assert any(line.startswith("chat: prompt = 3") for line in lines)


def test_json_output_matches_independent_counts(runner, cli):
    result = run(runner, cli, DATA / "prose.txt", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    text = (DATA / "prose.txt").read_text("utf-8")
    assert data["encoding"] == "o200k_base" and data["exact"] is True
    assert data["total"]["tokens"] == tok(text)
    assert data["files"][0]["per_document"]["total"]["max"] == tok(text)


def test_csv_output_is_parseable_and_safe(runner, cli, tmp_path):
    evil = tmp_path / "=cmd.jsonl"
    evil.write_text(json.dumps({"text": "hello"}) + "\n")
    result = run(runner, cli, evil, "--field", "text", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[-1]["source"] == "TOTAL"
    assert int(rows[0]["tokens"]) == tok("hello")
    assert not rows[0]["source"].startswith("=")  # formula injection neutralised


def test_output_file_is_written(runner, cli, tmp_path):
    out = tmp_path / "counts.json"
    result = run(runner, cli, DATA / "sharegpt.jsonl", "-f", "json", "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert json.loads(out.read_text())["total"]["documents"] == 2


def test_failed_run_leaves_no_output_file(runner, cli, tmp_path):
    out = tmp_path / "counts.json"
    result = run(runner, cli, tmp_path / "missing.jsonl", "-o", out)
    assert result.exit_code == 1 and not out.exists()


def test_stdin_jsonl_and_lines(runner, cli):
    lines = [json.dumps({"prompt": f"p{i}", "completion": "ok"}) for i in range(3)]
    result = run(runner, cli, "-", "-f", "json", input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["files"][0]["source"] == "<stdin>"
    assert data["total"]["prompt_tokens"] == sum(tok(f"p{i}") for i in range(3))
    text = "first line\nsecond line here\n"
    result = run(runner, cli, "-", "--per-line", "-f", "json", input=text)
    assert json.loads(result.stdout)["total"]["tokens"] == tok("first line") + tok(
        "second line here"
    )


def test_sampled_run_prints_interval(runner, cli, tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps({"text": "word " * (i % 50)}) + "\n" for i in range(2000)))
    result = run(runner, cli, path, "--field", "text", "--sample", "10%", "--seed", "1")
    assert result.exit_code == 0, result.output
    assert "95% CI" in result.stdout and "sampled " in result.stdout
    data = json.loads(
        run(runner, cli, path, "--field", "text", "--sample", "0.1", "-f", "json").stdout
    )
    ci = data["total"]["tokens_ci95"]
    exact = sum(tok("word " * (i % 50)) for i in range(2000))
    assert ci["low"] <= exact <= ci["high"]


def test_skip_bad_warns_and_counts(runner, cli, tmp_path):
    path = tmp_path / "broken.jsonl"
    good = json.dumps({"instruction": "Hi", "output": "Yo"})
    path.write_text(f"{good}\n{{oops\n{good}\n[1, 2]\n")
    result = run(runner, cli, path, "--skip-bad", "-f", "json")
    assert result.exit_code == 0
    assert "Warning: skipped " in result.stderr
    assert "broken.jsonl:2: malformed JSON" in result.stderr
    assert "skipped 2 bad records in total" in result.stderr
    data = json.loads(result.stdout)
    assert data["skipped"] == 2 and data["total"]["documents"] == 2


# ---------------------------------------------------------------- bad input, one line each


def test_missing_path(runner, cli, tmp_path):
    line = error_line(run(runner, cli, tmp_path / "nope.jsonl"))
    assert line == f"Error: {tmp_path / 'nope.jsonl'}: no such file or directory"


def test_empty_file(runner, cli, tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    assert error_line(run(runner, cli, path)) == f"Error: {path}: empty file"


def test_directory_without_matching_files(runner, cli, tmp_path):
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    line = error_line(run(runner, cli, tmp_path))
    assert f"{tmp_path}: no files matching *.jsonl" in line and "--glob" in line


def test_non_utf8_text(runner, cli, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("first line\nna\u00efve caf\u00e9\n".encode("latin-1"))
    line = error_line(run(runner, cli, path))
    assert line == (
        f"Error: {path}: not valid UTF-8 at byte offset 13 (line 2); convert the file to UTF-8"
    )


def test_non_utf8_jsonl_line(runner, cli, tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(b'{"text": "ok"}\n{"text": "caf\xe9"}\n')
    line = error_line(run(runner, cli, path, "--field", "text"))
    assert line.startswith(f"Error: {path}:2: not valid UTF-8")


def test_binary_file(runner, cli, tmp_path):
    path = tmp_path / "model.txt"
    path.write_bytes(b"GGUF\x03\x00\x00\x00" + bytes(range(256)))
    line = error_line(run(runner, cli, path))
    assert line.startswith(f"Error: {path}: binary file (NUL byte at byte offset 5)")


def test_malformed_json_line_names_the_line(runner, cli, tmp_path):
    path = tmp_path / "chat.jsonl"
    good = json.dumps({"messages": [{"role": "user", "content": "hi"}]})
    path.write_text(f"{good}\n{good}\n{good[:-5]}\n{good}\n")
    line = error_line(run(runner, cli, path))
    assert line.startswith(f"Error: {path}:3: malformed JSON:")
    assert "--skip-bad" in line


def test_record_missing_requested_field(runner, cli, tmp_path):
    path = tmp_path / "f.jsonl"
    path.write_text(json.dumps({"text": "a"}) + "\n" + json.dumps({"body": "b", "id": 2}) + "\n")
    line = error_line(run(runner, cli, path, "--field", "text"))
    assert line == (
        f"Error: {path}:2: no field 'text'; the record has: body, id "
        "(use --skip-bad to skip such records)"
    )


def test_record_in_no_known_format(runner, cli, tmp_path):
    path = tmp_path / "f.jsonl"
    path.write_text(json.dumps({"task_id": 1, "code": "x"}) + "\n")
    line = error_line(run(runner, cli, path))
    assert "f.jsonl:1: record is not in a known format (it has: task_id, code)" in line
    assert "--field NAME" in line


def test_csv_missing_column_lists_columns(runner, cli):
    line = error_line(run(runner, cli, DATA / "table.csv", "--field", "body"))
    assert line == (
        f"Error: {DATA / 'table.csv'}: no column 'body' in this CSV file; "
        "its columns are: id, text, label"
    )


def test_parquet_missing_column_lists_columns(runner, cli, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "d.parquet"
    pq.write_table(pa.table({"prompt_text": ["a"], "reply": ["b"]}), path)
    line = error_line(run(runner, cli, path, "--field", "text"))
    assert line.endswith(
        "no column 'text' in this Parquet file; its columns are: prompt_text, reply"
    )


def test_unknown_model_suggests(runner, cli):
    line = error_line(run(runner, cli, DATA / "prose.txt", "--model", "gpt-4oo"))
    assert "unknown model 'gpt-4oo'" in line and "Did you mean" in line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "gpt-4o", "--encoding", "cl100k_base"], "give --model or --encoding"),
        (["--sample", "lots"], "neither a fraction"),
        (["--format-in", "xml"], "Invalid value for '--format-in'"),
    ],
)
def test_usage_errors_exit_2(runner, cli, args, message):
    result = run(runner, cli, DATA / "prose.txt", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_sample_out_of_range_is_an_error(runner, cli):
    result = run(runner, cli, DATA / "chat.jsonl", "--sample", "150%")
    assert result.exit_code == 2  # a usage error naming the option
    assert "Invalid value for --sample: '150%': a fraction must be above 0" in result.stderr


def _pipe(data: bytes) -> tuple[str, int]:
    import os

    r, w = os.pipe()
    os.write(w, data)
    os.close(w)
    return f"/dev/fd/{r}", r


def test_count_of_a_process_substitution_counts_every_record(runner, cli):
    # Found: `distillcost count <(cat examples/sample-chat.jsonl)` said 0 documents, exit 0.
    import os

    body = (EXAMPLES / "sample-chat.jsonl").read_bytes()
    path, fd = _pipe(body)
    try:
        result = run(runner, cli, path, "--format", "json")
    finally:
        os.close(fd)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["total"]["documents"] == 20


def test_estimate_measures_a_chat_file_given_as_a_pipe(runner, cli):
    # Found: `estimate --chat-file <(...)` said "no records to measure". The scenario's
    # measurement goes through count_files, so it reads the pipe once as count does.
    import os

    chat = EXAMPLES / "sample-chat.jsonl"
    records = [json.loads(line) for line in chat.read_text("utf-8").splitlines()]
    completion = sum(
        tok(m["content"]) for r in records for m in r["messages"] if m["role"] == "assistant"
    )
    path, fd = _pipe(chat.read_bytes())
    args = ["estimate", "-m", "gpt-4o-mini", "--examples", "1000", "--chat-file", path]
    args += ["--as-of", "2025-06-01", "--format", "json"]
    try:
        result = runner.invoke(cli, args)
    finally:
        os.close(fd)
    assert result.exit_code == 0, result.output
    from decimal import Decimal

    # 1,000 examples x the measured mean completion (tiktoken's count over 20 records)
    out = json.loads(result.stdout)
    assert Decimal(out["output_tokens"]) == Decimal(completion) / 20 * 1000


def test_a_record_above_max_record_mb_is_named(runner, cli, tmp_path):
    src = tmp_path / "d.jsonl"
    src.write_text(
        json.dumps({"question": "q", "answer": "a"}) + "\n"
        + json.dumps({"question": "x" * 2000, "answer": "a"}) + "\n"
    )  # fmt: skip
    line = error_line(run(runner, cli, src, "--max-record-mb", "0.001"))
    assert "d.jsonl:2: record of 2,0" in line and "--max-record-mb" in line
    ok = run(runner, cli, src, "--max-record-mb", "0.001", "--skip-bad", "--format", "json")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["total"]["tokens"] == tok("q") + tok("a")


# ---------------------------------------------------------------- records, sides and messages


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


def test_chat_message_with_null_content_is_an_error_naming_the_line(runner, cli, tmp_path):
    # Found: {"role": "assistant", "content": null} counted as a 0-token answer, silently.
    src = _jsonl(
        tmp_path / "chat.jsonl",
        {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]},
        {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": None}]},
    )
    line = error_line(run(runner, cli, src))
    assert "chat.jsonl:2" in line
    assert "message 2" in line and "null" in line


def test_chat_user_message_without_content_is_an_error(runner, cli, tmp_path):
    src = _jsonl(
        tmp_path / "chat.jsonl",
        {"messages": [{"role": "user"}, {"role": "assistant", "content": "yo"}]},
    )
    line = error_line(run(runner, cli, src))
    assert "chat.jsonl:1" in line and "message 1" in line


def test_chat_null_content_is_fine_on_an_assistant_tool_call(runner, cli, tmp_path):
    # OpenAI's own format: an assistant turn that only calls a tool has content null.
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    src = _jsonl(
        tmp_path / "chat.jsonl",
        {
            "messages": [
                {"role": "user", "content": "hi"},
                {"role": "assistant", "content": None, "tool_calls": [call]},
                {"role": "tool", "tool_call_id": "c1", "content": "42"},
                {"role": "assistant", "content": "It is 42."},
            ]
        },
    )
    result = run(runner, cli, src, "--format", "json")
    assert result.exit_code == 0, result.output
    f = json.loads(result.stdout)["files"][0]
    # prompt = 3 + (3 + tok("user") + tok("hi")) + (3 + tok("tool") + tok("42"))
    assert f["prompt_tokens"] == 3 + 3 + tok("user") + tok("hi") + 3 + tok("tool") + tok("42")
    assert f["completion_tokens"] == tok("It is 42.")


def test_chat_unknown_role_is_an_error_not_prompt_tokens(runner, cli, tmp_path):
    # Found: Gemini-style {"role": "model"} answers were counted as PROMPT tokens (priced as
    # input, 4-8x cheaper than output) without a word.
    src = _jsonl(
        tmp_path / "chat.jsonl",
        {"messages": [{"role": "user", "content": "hi"}, {"role": "model", "content": "yo"}]},
    )
    line = error_line(run(runner, cli, src))
    assert "chat.jsonl:1" in line and "'model'" in line and "assistant" in line


def test_sharegpt_unknown_speaker_is_an_error_not_prompt_tokens(runner, cli, tmp_path):
    src = _jsonl(
        tmp_path / "sg.jsonl",
        {"conversations": [{"from": "human", "value": "hi"}, {"from": "bot", "value": "yo"}]},
    )
    line = error_line(run(runner, cli, src))
    assert "sg.jsonl:1" in line and "'bot'" in line


def test_sharegpt_tool_turns_map_to_api_roles(runner, cli, tmp_path):
    # LLaMA-Factory's ShareGPT: function_call is the assistant calling a tool (completion),
    # observation is the tool's answer, sent back as a "tool" message (prompt).
    src = _jsonl(
        tmp_path / "sg.jsonl",
        {
            "conversations": [
                {"from": "human", "value": "hi"},
                {"from": "function_call", "value": '{"name": "f"}'},
                {"from": "observation", "value": "42"},
                {"from": "gpt", "value": "It is 42."},
            ]
        },
    )
    result = run(runner, cli, src, "--format", "json")
    assert result.exit_code == 0, result.output
    f = json.loads(result.stdout)["files"][0]
    assert f["prompt_tokens"] == 3 + 3 + tok("user") + tok("hi") + 3 + tok("tool") + tok("42")
    assert f["completion_tokens"] == tok('{"name": "f"}') + tok("It is 42.")


def test_instruction_record_with_null_output_is_an_error(runner, cli, tmp_path):
    # Found: {"instruction": "a", "output": null} counted as a 0-token completion (a silent zero).
    src = _jsonl(
        tmp_path / "ins.jsonl",
        {"instruction": "a", "input": None, "output": "b"},  # null input = no input: fine
        {"instruction": "a", "input": "", "output": None},
    )
    line = error_line(run(runner, cli, src))
    assert "ins.jsonl:2" in line and "'output'" in line and "null" in line


def test_parquet_null_cell_is_an_error_naming_the_row(runner, cli, tmp_path):
    import pandas as pd

    path = tmp_path / "t.parquet"
    pd.DataFrame({"question": ["q1", None], "answer": ["a1", "a2"]}).to_parquet(path)
    line = error_line(run(runner, cli, path))
    assert "t.parquet" in line and "row 2" in line and "'question'" in line


def test_skip_bad_skips_null_fields_with_a_count(runner, cli, tmp_path):
    src = _jsonl(
        tmp_path / "qa.jsonl",
        {"question": "q", "answer": "a b"},
        {"question": None, "answer": "x"},
    )
    result = run(runner, cli, src, "--skip-bad", "--format", "json")
    assert result.exit_code == 0, result.output
    f = json.loads(result.stdout)["files"][0]
    assert f["documents"] == 1 and f["skipped"] == 1
    assert f["tokens"] == tok("q") + tok("a b")


def test_table_footer_explains_every_two_sided_format_shown(runner, cli, tmp_path):
    # Found: the footer explained chat and instruction sides but said nothing for
    # question/answer (GSM8K) or prompt/completion files, whose sides are just as priced.
    qa = _jsonl(tmp_path / "qa.jsonl", {"question": "q", "answer": "a"})
    pc = _jsonl(tmp_path / "pc.jsonl", {"prompt": "p", "completion": "c"})
    result = run(runner, cli, qa, pc)
    assert result.exit_code == 0, result.output
    assert "question-answer: prompt = question, completion = answer" in result.stdout
    assert "prompt-completion: prompt = prompt, completion = completion" in result.stdout


def test_output_file_is_announced_on_stderr(runner, cli, tmp_path):
    # estimate, compare, history, sweep and report say "Wrote FILE"; count wrote silently.
    src = _jsonl(tmp_path / "a.jsonl", {"question": "q", "answer": "a"})
    target = tmp_path / "counts.json"
    result = run(runner, cli, src, "-f", "json", "-o", target)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"Wrote {target}" in result.stderr
    assert json.loads(target.read_text())["total"]["tokens"] == tok("q") + tok("a")


@pytest.mark.parametrize("value", ["0", "-1", "1", "1.5", "150%", "0%", "-5%", "1e400"])
def test_sample_out_of_range_is_a_usage_error_naming_the_flag(runner, cli, tmp_path, value):
    # Found: "--sample 0" said "Error: a sample of 0 documents is too small (at least 2)",
    # exit 1, without naming the option (other bad flags are usage errors, exit 2).
    src = _jsonl(tmp_path / "a.jsonl", {"question": "q", "answer": "a"})
    result = run(runner, cli, src, "--sample", value)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "--sample" in result.stderr and value in result.stderr


def test_skip_bad_tells_skipped_files_from_skipped_records(runner, cli, tmp_path):
    # Found: on /corpus/raw, 10 whole files (tens of thousands of records) in no known format
    # were reported as "skipped 10 bad records".
    d = tmp_path / "d"
    d.mkdir()
    _jsonl(d / "a_good.jsonl", {"question": "q", "answer": "a"})
    (d / "b_some_bad.jsonl").write_text(
        json.dumps({"question": "q2", "answer": "a2"}) + "\n{broken\n", encoding="utf-8"
    )
    _jsonl(d / "c_other.jsonl", {"task": "x"}, {"task": "y"})
    result = run(runner, cli, d, "--skip-bad", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "skipped 1 bad record and 1 unreadable file in total" in result.stderr
    out = json.loads(result.stdout)
    assert out["skipped_files"] == 1 and out["skipped"] == 2
    assert out["total"]["documents"] == 2
    table = run(runner, cli, d, "--skip-bad")
    assert "skipped 1 bad record and 1 unreadable file (--skip-bad)" in table.stdout


def test_file_names_with_control_characters_are_shown_escaped(runner, cli, tmp_path):
    # Found: a file named "a\nb.txt" split the table's row in two, and a name holding
    # "\x1b]0;x\x07" (terminal title) or "\r" was written raw to the terminal.
    d = tmp_path / "d"
    d.mkdir()
    (d / "a\nb.txt").write_text("hello", encoding="utf-8")
    (d / "t\x1b]0;x\x07.txt").write_text("hello", encoding="utf-8")
    result = run(runner, cli, d, color=True)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "a\\x0ab.txt" in result.stdout and "t\\x1b]0;x\\x07.txt" in result.stdout
    # header, rule, two files, TOTAL: one line each
    table = result.stdout.split("\n\n")[0].splitlines()
    assert len(table) == 5


def test_warnings_about_bad_records_are_shown_escaped(runner, cli, tmp_path):
    src = tmp_path / "w\x1b]0;x\x07.jsonl"
    src.write_text(json.dumps({"question": "q", "answer": "a"}) + "\n{broken\n", encoding="utf-8")
    result = run(runner, cli, src, "--skip-bad", color=True)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr


def test_top_level_system_prompt_is_counted_on_the_prompt_side(runner, cli, tmp_path):
    # Found: {"system": ..., "messages": [...]} (Anthropic's Messages shape) and ShareGPT's
    # optional top-level "system" (LLaMA-Factory) were ignored: a long system prompt sent with
    # every request cost nothing in the profile.
    system = "You are a careful teacher. Answer step by step."
    chat = _jsonl(
        tmp_path / "chat.jsonl",
        {
            "system": system,
            "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}],
        },
    )
    sg = _jsonl(
        tmp_path / "sg.jsonl",
        {
            "system": system,
            "conversations": [{"from": "human", "value": "hi"}, {"from": "gpt", "value": "yo"}],
        },
    )
    for path in (chat, sg):
        result = run(runner, cli, path, "--format", "json")
        assert result.exit_code == 0, result.output
        f = json.loads(result.stdout)["files"][0]
        # 3 (priming) + system message (3 + role + content) + user message (3 + role + content)
        expected = 3 + (3 + tok("system") + tok(system)) + (3 + tok("user") + tok("hi"))
        assert f["prompt_tokens"] == expected, path.name
        assert f["completion_tokens"] == tok("yo")


def test_top_level_system_of_the_wrong_type_is_an_error(runner, cli, tmp_path):
    src = _jsonl(
        tmp_path / "chat.jsonl",
        {"system": 42, "messages": [{"role": "user", "content": "hi"}]},
    )
    line = error_line(run(runner, cli, src))
    assert "chat.jsonl:1" in line and "'system'" in line


def test_unknown_encoding_is_called_an_encoding(runner, cli, tmp_path):
    # Found: `--encoding o200k` said "unknown model 'o200k'" (the flag names an encoding).
    src = _jsonl(tmp_path / "a.jsonl", {"question": "q", "answer": "a"})
    line = error_line(run(runner, cli, src, "--encoding", "o200k"))
    assert "unknown encoding 'o200k'" in line and "o200k_base" in line
    # a model name given to --encoding is still an encoding error, with the way out
    line = error_line(run(runner, cli, src, "--encoding", "gpt-4o"))
    assert "unknown encoding 'gpt-4o'" in line and "--model" in line


# ---------------------------------------------------------------- progress and labels (issue 14)


def test_sampled_output_is_labelled_estimated_with_its_share(runner, cli, tmp_path):
    # Found: sampled results still said "exact" beside the encoding; estimated character
    # counts were unmarked.
    src = tmp_path / "s.jsonl"
    body = "".join(json.dumps({"text": f"row {i} " * (i % 7)}) + "\n" for i in range(400))
    src.write_text(body)
    # stdin cannot seek: the sample is 100 of the 400 documents, read whole
    result = run(runner, cli, "-", "--field", "text", "--sample", "100", "--seed", "1", input=body)
    assert result.exit_code == 0, result.output
    assert "ESTIMATED from a 25.00% sample;" in result.stdout  # 100 of 400 documents
    assert "sample drawn by reading the input whole (<stdin>: cannot seek" in result.stdout
    assert "(exact;" not in result.stdout
    row = next(ln for ln in result.stdout.splitlines() if ln.startswith("<stdin>"))
    assert row.split()[3].startswith("~") and row.split()[4].startswith("~")
    data = json.loads(
        run(runner, cli, "-", "--field", "text", "--sample", "100", "-f", "json", input=body).stdout
    )
    assert data["estimated"] is True and data["sampled_share"] == 0.25
    # "exact" is about the counts: an estimate is not exact, though its tokenizer is
    assert data["exact"] is False and data["tokenizer_exact"] is True
    assert data["total"]["exact"] is False and data["files"][0]["exact"] is False
    # a file is sampled by seeks: the share is of the bytes read, both reported
    data = json.loads(
        run(runner, cli, src, "--field", "text", "--sample", "100", "-f", "json").stdout
    )
    total = data["total"]
    assert data["estimated"] is True and data["sampling"].startswith("by seeks")
    assert 0 < total["sample_bytes"] < total["bytes"] == len(body.encode())
    assert data["sampled_share"] == total["sample_bytes"] / total["bytes"]
    text = run(runner, cli, src, "--field", "text", "--sample", "100").stdout
    assert f"ESTIMATED from a {data['sampled_share']:.2%} sample of the bytes;" in text
    row = next(ln for ln in text.splitlines() if ln.startswith(str(src)))
    assert all(cell.startswith("~") for cell in row.split()[2:5])  # documents estimated too
    exact = json.loads(run(runner, cli, src, "--field", "text", "-f", "json").stdout)
    assert exact["estimated"] is False and exact["sampled_share"] is None
    assert exact["exact"] is True and exact["total"]["exact"] is True
    assert "(exact;" in run(runner, cli, src, "--field", "text").stdout


def test_progress_bar_shows_elapsed_time_and_eta():
    import io

    from distillcost.counting.progress import ProgressBar, clock

    bar = ProgressBar(total=100_000_000, stream=io.StringIO())
    bar.done = 25_000_000
    # 25 MB in 10 s = 2.5 MB/s; 75 MB left: 30 s
    line = bar.line(bar.start + 10)
    assert "25.0%" in line and "2.5 MB/s" in line
    assert "0:10 elapsed, ETA 0:30" in line
    assert clock(3725) == "1:02:05" and clock(59.6) == "1:00"
    unknown = ProgressBar(total=None, stream=io.StringIO())
    unknown.done = 5_000_000
    assert unknown.line(unknown.start + 65) == "5 MB 0.1 MB/s 1:05 elapsed"


def test_slow_count_without_the_rust_backend_hints_once(runner, cli, monkeypatch):
    from distillcost import counting, tokens
    from distillcost.cli import count_cmd

    monkeypatch.setattr(counting, "LITE_MAX_BYTES", 0)  # a small file would use the lite counter
    monkeypatch.setattr(count_cmd, "HINT_SECONDS", 0.0)
    monkeypatch.setattr(count_cmd, "_hinted", False)
    monkeypatch.setattr(tokens, "_toktok_supports", lambda encoding: False)
    monkeypatch.setattr(tokens, "toktok_installed", lambda: False)
    first = run(runner, cli, DATA / "prose.txt")
    assert first.exit_code == 0, first.output
    assert "hint: counting took" in first.stderr and "distillcost[fast]" in first.stderr
    second = run(runner, cli, DATA / "prose.txt")
    assert "hint:" not in second.stderr  # once
    # an explicit --backend tiktoken is the user's choice: no hint
    monkeypatch.setattr(count_cmd, "_hinted", False)
    assert "hint:" not in run(runner, cli, DATA / "prose.txt", "--backend", "tiktoken").stderr
    # with the Rust backend installed, no hint either
    monkeypatch.setattr(tokens, "toktok_installed", lambda: True)
    assert "hint:" not in run(runner, cli, DATA / "prose.txt").stderr
