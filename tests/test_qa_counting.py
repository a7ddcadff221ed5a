"""QA regressions for `distillcost count` (issue 2), each found by trying the tool as a user.

Expected token figures are worked out by hand in comments or with tiktoken directly,
never taken from distillcost's own output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
