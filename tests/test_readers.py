"""Readers: format detection, record schemas, exact split points, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distillcost import readers
from distillcost.errors import InputError
from distillcost.readers import (
    BadRecord,
    detect_schema,
    expand_paths,
    open_source,
    parse_chat,
    parse_instruction,
    parse_sharegpt,
    safe_split,
)
from distillcost.tokens import get_encoding

DATA = Path(__file__).parent / "data"


# ---------------------------------------------------------------- schemas


@pytest.mark.parametrize(
    ("record", "schema"),
    [
        ({"messages": []}, "chat"),
        ({"conversations": [], "id": 1}, "sharegpt"),
        ({"instruction": "a", "input": "", "output": "b"}, "instruction"),
        ({"instruction": "a", "input": "", "response": "b"}, "instruction"),
        ({"prompt": "a", "completion": "b"}, "prompt-completion"),
        ({"question": "a", "answer": "b"}, "question-answer"),
    ],
)
def test_detect_schema(record, schema):
    assert detect_schema(record) == schema


def test_unknown_record_lists_its_keys():
    with pytest.raises(BadRecord, match=r"it has: task_id, prompt, test\).*--field"):
        detect_schema({"task_id": 1, "prompt": "x", "test": "y"})
    with pytest.raises(BadRecord, match="expected a JSON object, got list"):
        detect_schema([1, 2])


def test_parse_chat_sides_roles_names_and_parts():
    doc = parse_chat(
        {
            "messages": [
                {"role": "system", "content": "S"},
                {"role": "user", "content": "U", "name": "bob"},
                {"role": "assistant", "content": None, "tool_calls": [{"id": "c"}]},
                {"role": "tool", "content": "T"},
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "a"},
                        {"type": "image_url", "image_url": {"url": "x"}},
                        {"type": "text", "text": "b"},
                    ],
                },
                {"role": "assistant", "content": "A"},
            ]
        }
    )
    assert doc.prompt == ["S", "U", "bob", "T", "a", "b"]
    assert doc.completion == ["A"]
    assert doc.roles == ("system", "user", "tool", "user")
    assert doc.names == 1 and doc.chat


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"messages": "hi"}, "no field 'messages'"),
        ({"messages": [{"content": "x"}]}, "message 1 has no 'role'"),
        ({"messages": [{"role": "user", "content": 3}]}, "content is int"),
        ({"messages": [{"role": "user", "content": [{"type": "text"}]}]}, "no string 'text'"),
    ],
)
def test_parse_chat_rejects(record, message):
    with pytest.raises(BadRecord, match=message):
        parse_chat(record)


def test_parse_sharegpt_maps_speakers():
    doc = parse_sharegpt(
        {
            "conversations": [
                {"from": "system", "value": "S"},
                {"from": "human", "value": "H"},
                {"from": "gpt", "value": "G"},
                {"from": "function_response", "value": "F"},
                {"from": "chatgpt", "value": "C"},
            ]
        }
    )
    assert doc.prompt == ["S", "H", "F"]
    assert doc.roles == ("system", "user", "tool")  # sent to the API as a tool message
    assert doc.completion == ["G", "C"]


def test_parse_instruction_join():
    assert parse_instruction({"instruction": "I", "input": "X", "output": "O"}).prompt == ["I\nX"]
    assert parse_instruction({"instruction": "I", "input": "", "output": "O"}).prompt == ["I"]
    assert parse_instruction({"instruction": "I", "output": "O"}).prompt == ["I"]
    with pytest.raises(BadRecord, match="no field 'output'"):
        parse_instruction({"instruction": "I", "input": "X"})


# ---------------------------------------------------------------- exact split points


def _pieces(text: str, start: int = 1) -> list[str]:
    out = []
    pos = 0
    while True:
        cut = safe_split(text, pos + start)
        if cut < 0:
            break
        out.append(text[pos:cut])
        pos = cut
    out.append(text[pos:])
    return out


def test_slash_after_newline_is_not_a_safe_point():
    # o200k's piece " ?[^\s\p{L}\p{N}]+[\r\n/]*" swallows "\n/": cutting there changes counts
    enc = get_encoding("o200k_base")
    text = "a!\n/usr/bin"
    assert len(enc.encode_ordinary(text)) != len(enc.encode_ordinary("a!\n")) + len(
        enc.encode_ordinary("/usr/bin")
    )
    assert safe_split(text, 0) == -1


ALPHABET = st.sampled_from(
    ["\n", "\n\n", " ", "  ", "\t", "\r\n", "/", "!", ".", "a", "Bc", "x1", "123", "深度",
     "\u00a0", "\u0301", "'s", "<|endoftext|>", "👩‍💻", "  \n", "def", "=", "#"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, min_size=1, max_size=60).map("".join))
def test_cutting_at_safe_points_keeps_counts_exact(text):
    for name in ("o200k_base", "cl100k_base", "p50k_base", "r50k_base"):
        enc = get_encoding(name)
        pieces = _pieces(text)
        assert "".join(pieces) == text
        assert sum(len(enc.encode_ordinary(p)) for p in pieces) == len(enc.encode_ordinary(text))


def test_chunk_units_cover_the_file_exactly(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "CHUNK_TARGET", 50)
    monkeypatch.setattr(readers, "BLOCK", 64)
    text = "".join(f"line {i}: some words here\n" for i in range(200)) + "tail"
    path = tmp_path / "t.txt"
    path.write_text(text, "utf-8")
    src = open_source(str(path))
    units = list(src.units())
    assert len(units) > 10
    assert "".join(u.raw for u in units) == text
    assert sum(u.size for u in units) == len(text.encode())


# ---------------------------------------------------------------- opening files


def test_detects_containers_and_schemas(tmp_path):
    assert open_source(str(DATA / "chat.jsonl")).label == "jsonl/chat"
    assert open_source(str(DATA / "sharegpt.jsonl")).label == "jsonl/sharegpt"
    assert open_source(str(DATA / "prose.txt")).label == "text"
    assert open_source(str(DATA / "prose.txt"), per_line=True).label == "text/lines"
    assert open_source(str(DATA / "table.csv"), field="text").label == "csv/field:text"
    noext = tmp_path / "records"
    noext.write_bytes((DATA / "instruction.jsonl").read_bytes())
    assert open_source(str(noext)).label == "jsonl/instruction"
    forced = open_source(str(DATA / "chat.jsonl"), fmt="text")
    assert forced.label == "text"


def test_forced_schema_applies_to_every_record(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text(json.dumps({"prompt": "p", "completion": "c", "messages": []}) + "\n")
    assert open_source(str(path)).schema == "chat"
    assert open_source(str(path), fmt="prompt-completion").schema == "prompt-completion"


def test_expand_paths(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.jsonl").write_text("{}\n")
    (tmp_path / "b.txt").write_text("x")
    (tmp_path / "c.bin").write_bytes(b"\x00")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "d.jsonl").write_text("{}\n")
    found = [Path(p).relative_to(tmp_path).as_posix() for p in expand_paths([tmp_path])]
    assert found == ["b.txt", "sub/a.jsonl"]
    assert expand_paths([tmp_path], glob="*.bin") == [str(tmp_path / "c.bin")]
    with pytest.raises(InputError, match=r"no files matching \*\.parquet"):
        expand_paths([tmp_path], glob="*.parquet")
    with pytest.raises(InputError, match=r"nope\.jsonl: no such file or directory"):
        expand_paths([tmp_path / "nope.jsonl"])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", r"binary file \(NUL byte at byte offset 8\)"),
        (b"\n\n  \n", "no records"),
        (b'{"a": 1,\n', r"x\.jsonl:1: malformed JSON"),
        (b'{"text": "caf\xe9"}\n', r"x\.jsonl:1: not valid UTF-8"),
    ],
)
def test_open_source_errors(tmp_path, content, message):
    path = tmp_path / "x.jsonl"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        open_source(str(path))


def test_bad_utf8_offset_and_line_across_blocks(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "BLOCK", 7)  # the bad byte lands inside a later block
    data = b"hello\nw\xc3\xa9rld\nbad \xff here\n"
    path = tmp_path / "t.txt"
    path.write_bytes(data)
    src = open_source(str(path))
    offset = data.index(b"\xff")
    with pytest.raises(InputError, match=rf"byte offset {offset} \(line 3\)"):
        list(src.text_blocks())


def test_truncated_utf8_at_end_of_file(tmp_path):
    data = b"ok\n\xe6\xb7"  # the first two bytes of a three-byte character
    path = tmp_path / "t.txt"
    path.write_bytes(data)
    with pytest.raises(InputError, match=r"byte offset 3 \(line 2\)"):
        list(open_source(str(path)).text_blocks())


def test_nul_later_in_a_text_file(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "HEAD", 8)
    path = tmp_path / "t.txt"
    path.write_bytes(b"plain text, then\x00binary")
    src = open_source(str(path))
    with pytest.raises(InputError, match=r"binary file \(NUL byte at byte offset 16\)"):
        list(src.text_blocks())


def test_field_on_plain_text_is_refused():
    with pytest.raises(InputError, match="--field needs JSONL, JSON, CSV or Parquet"):
        open_source(str(DATA / "prose.txt"), field="text")


def test_csv_unknown_column_lists_columns():
    with pytest.raises(InputError, match=r"no column 'body' .* columns are: id, text, label"):
        open_source(str(DATA / "table.csv"), field="body")
    with pytest.raises(InputError, match=r"Pass --field NAME; this CSV file has: id, text"):
        open_source(str(DATA / "table.csv"))


def test_parquet_unknown_and_non_text_columns(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"n": [1, 2], "body": ["a", "b"]}), path)
    with pytest.raises(InputError, match=r"no column 'text' .* columns are: n, body"):
        open_source(str(path), field="text")
    with pytest.raises(InputError, match=r"column 'n' holds int64, not text"):
        open_source(str(path), field="n")
    fake = tmp_path / "fake.parquet"
    fake.write_text("not parquet at all")
    with pytest.raises(InputError, match="not a readable Parquet file"):
        open_source(str(fake), field="text")


def test_pretty_printed_json_object_is_one_record(tmp_path):
    path = tmp_path / "one.json"
    record = {
        "messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo"}]
    }
    path.write_text(json.dumps(record, indent=2))
    src = open_source(str(path))
    assert src.label == "json/chat"
    assert [u.where for u in src.units()] == [1]
