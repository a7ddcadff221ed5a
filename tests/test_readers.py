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
    monkeypatch.setattr(readers.limits, "CHUNK_TARGET", 50)
    monkeypatch.setattr(readers.limits, "BLOCK", 64)
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
    monkeypatch.setattr(readers.limits, "BLOCK", 7)  # the bad byte lands inside a later block
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
    monkeypatch.setattr(readers.limits, "HEAD", 8)
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


# ---------------------------------------------------------------- one-pass inputs (issue 11)


def _pipe(data: bytes) -> tuple[str, int]:
    """A pipe holding ``data`` (written and closed), as the /dev/fd path <(...) gives."""
    import os

    r, w = os.pipe()
    os.write(w, data)  # small: fits the pipe's buffer
    os.close(w)
    return f"/dev/fd/{r}", r


@pytest.mark.parametrize(
    ("body", "kwargs", "label", "n"),
    [
        (b'{"question": "q", "answer": "a"}\n' * 3, {}, "jsonl/question-answer", 3),
        (b'[{"prompt": "p", "completion": "c"}, {"prompt": "q", "completion": "d"}]',
         {"fmt": "json"}, "json/prompt-completion", 2),
        (b"text,n\nhello,1\nworld,2\n", {"fmt": "csv", "field": "text"}, "csv/field:text", 2),
    ],
)  # fmt: skip
def test_a_pipe_is_sniffed_and_read_from_one_stream(body, kwargs, label, n):
    # Found: format sniffing opened the path, the reader opened it again, and a pipe's
    # second open found it empty: `count <(cat x.jsonl)` said 0 documents, exit 0.
    import os

    path, fd = _pipe(body)
    try:
        src = open_source(path, **kwargs)
        assert not src.seekable
        units = list(src.units())
    finally:
        os.close(fd)
    assert len(units) == n
    assert src.label == label


def test_parquet_from_a_pipe_is_refused_with_the_reason():
    import io
    import os

    import pyarrow as pa
    import pyarrow.parquet as pq

    buf = io.BytesIO()
    pq.write_table(pa.table({"text": ["a"]}), buf)
    path, fd = _pipe(buf.getvalue())
    try:
        with pytest.raises(InputError, match=r"Parquet cannot be read from stdin or a pipe"):
            open_source(path, field="text")
    finally:
        os.close(fd)


@pytest.mark.parametrize(
    ("data", "name"),
    [
        ('{"text": "héllo"}\n'.encode("utf-16"), "UTF-16LE"),  # with a BOM
        ('{"text": "hello"}\n'.encode("utf-16-be"), "UTF-16BE"),  # without one
        ("plain words\n".encode("utf-32"), "UTF-32LE"),
    ],
)
def test_utf16_input_gets_a_conversion_hint(tmp_path, data, name):
    # Found: UTF-16 files were called "binary file (NUL byte ...)" with no way forward.
    path = tmp_path / "x.jsonl"
    path.write_bytes(data)
    with pytest.raises(InputError, match=rf"looks like {name} text, not UTF-8.*iconv -f {name}"):
        open_source(str(path))


def test_duplicate_keys_in_a_record_are_a_bad_record(tmp_path):
    # Found: {"messages": [...], "messages": [...]} kept the second list and dropped the
    # first conversation silently (price JSON already refuses duplicate keys).
    turn = '[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]'
    good = '{"messages": ' + turn + "}\n"
    dup = '{"messages": ' + turn + ', "messages": ' + turn + "}\n"
    first = tmp_path / "first.jsonl"
    first.write_text(dup + good)
    with pytest.raises(InputError, match=r"first\.jsonl:1: duplicate key 'messages'"):
        open_source(str(first))
    later = tmp_path / "later.jsonl"
    later.write_text(good + dup)
    bad: list[tuple[int, str]] = []
    docs = [
        d
        for b in open_source(str(later)).doc_batches(lambda w, e: bad.append((w, str(e))))
        for d in b
    ]
    assert len(docs) == 1 and bad[0][0] == 2 and "duplicate key 'messages'" in bad[0][1]
    nested = tmp_path / "nested.jsonl"
    nested.write_text('{"text": "a"}\n{"text": "b", "meta": {"k": 1, "k": 2}}\n')
    bad.clear()
    texts = [
        t
        for b in open_source(str(nested), field="text").text_batches(
            lambda w, e: bad.append((w, str(e)))
        )
        for t in b
    ]
    assert texts == ["a"] and bad[0][0] == 2 and "duplicate key 'k'" in bad[0][1]
    array = tmp_path / "a.json"
    array.write_text("[" + good + "," + dup + "]")
    src = open_source(str(array))
    with pytest.raises(InputError, match=r"a\.json:record 2: duplicate key 'messages'"):
        list(src.units())


def test_null_parquet_cell_is_a_bad_record_like_a_null_in_jsonl(tmp_path):
    # Found: a null Parquet cell counted as an empty document; a null JSONL field is an error.
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"text": ["a", None, "b"]}), path)
    jsonl = tmp_path / "t.jsonl"
    jsonl.write_text('{"text": "a"}\n{"text": null}\n{"text": "b"}\n')
    for p in (path, jsonl):
        bad: list[tuple[int, str]] = []
        src = open_source(str(p), field="text")
        texts = [
            t for b in src.text_batches(lambda w, e, bad=bad: bad.append((w, str(e)))) for t in b
        ]
        assert texts == ["a", "b"], p.name
        assert bad == [(2, "field 'text' is null")], p.name


# ---------------------------------------------------------------- directory walks (issue 11)


def _tree(root: Path) -> None:
    (root / "real").mkdir(parents=True)
    (root / "real" / "a.jsonl").write_text("{}\n")
    (root / "other").mkdir()
    (root / "other" / "b.jsonl").write_text("{}\n")


def test_symlinked_directories_are_followed_like_symlinked_files(tmp_path):
    # Found: a symlinked directory was not searched while a symlinked file was read.
    from distillcost.readers import walk_inputs

    data = tmp_path / "data"
    data.mkdir()
    _tree(tmp_path / "elsewhere")
    (data / "linked").symlink_to(tmp_path / "elsewhere" / "other")
    (data / "c.jsonl").symlink_to(tmp_path / "elsewhere" / "real" / "a.jsonl")
    files, skipped = walk_inputs([data])
    assert [Path(f).relative_to(data).as_posix() for f in files] == ["c.jsonl", "linked/b.jsonl"]
    assert skipped == []


def test_link_loops_and_second_views_are_searched_once_and_said(tmp_path):
    from distillcost.readers import walk_inputs

    _tree(tmp_path / "d")
    (tmp_path / "d" / "real" / "loop").symlink_to(tmp_path / "d")  # back to the top
    (tmp_path / "d" / "same").symlink_to(tmp_path / "d" / "other")  # a second view
    (tmp_path / "d" / "gone.jsonl").symlink_to(tmp_path / "nowhere.jsonl")
    files, skipped = walk_inputs([tmp_path / "d"])
    rel = sorted(Path(f).relative_to(tmp_path / "d").as_posix() for f in files)
    assert rel == ["other/b.jsonl", "real/a.jsonl"]  # each file once
    text = "\n".join(skipped)
    assert "gone.jsonl: a broken symbolic link" in text
    assert f"loop: the same directory as {tmp_path / 'd'}, already searched" in text
    assert f"same: the same directory as {tmp_path / 'd' / 'other'}, already searched" in text


def test_a_real_directory_reached_after_a_link_to_it_is_not_called_a_link(tmp_path):
    # found: "skipped d/real: a symbolic link to d/link" when the link sorted first
    from distillcost.readers import walk_inputs

    _tree(tmp_path / "d")
    (tmp_path / "d" / "link").symlink_to(tmp_path / "d" / "real")  # "link" < "real"
    files, skipped = walk_inputs([tmp_path / "d"])
    assert skipped == [
        f"skipped {tmp_path / 'd' / 'real'}: the same directory as "
        f"{tmp_path / 'd' / 'link'}, already searched"
    ]
    assert len(files) == 2


def _unreadable(monkeypatch, directory: Path) -> None:
    """Make ``directory`` unreadable: chmod 000, and for root (whom modes do not stop)
    the PermissionError the kernel would give anyone else."""
    import os

    directory.chmod(0)
    monkeypatch.setattr("os.chmod", os.chmod)  # keep a handle for the cleanup below
    real = os.scandir

    def scandir(path=".", *args):
        if os.fspath(path) == str(directory):
            raise PermissionError(13, "Permission denied", str(directory))
        return real(path, *args)

    if os.geteuid() == 0:
        monkeypatch.setattr(os, "scandir", scandir)


def test_unreadable_subdirectory_is_an_error_or_skipped_and_said(tmp_path, monkeypatch):
    # Found: an unreadable subdirectory was skipped silently, exit 0 (an unreadable file
    # is an error).
    from distillcost.counting import count_files
    from distillcost.readers import walk_inputs

    d = tmp_path / "d"
    d.mkdir()
    (d / "ok.jsonl").write_text('{"question": "q", "answer": "a"}\n')
    (d / "locked").mkdir()
    (d / "locked" / "x.jsonl").write_text('{"question": "q", "answer": "a"}\n')
    _unreadable(monkeypatch, d / "locked")
    try:
        with pytest.raises(InputError, match=r"locked: permission denied .*--skip-bad"):
            walk_inputs([d])
        files, skipped = walk_inputs([d], skip_unreadable=True)
        assert [Path(f).name for f in files] == ["ok.jsonl"]
        assert len(skipped) == 1 and "skipped directory" in skipped[0]
        result = count_files([d], skip_bad=True)
        assert result.total.documents == 1 and result.skipped_files == 1
        assert any("locked: permission denied" in w for w in result.warnings)
    finally:
        (d / "locked").chmod(0o755)


# ---------------------------------------------------------------- bounded records (issue 11)


def test_json_array_is_read_element_by_element(tmp_path, monkeypatch):
    monkeypatch.setattr(readers.limits, "BLOCK", 16)  # every element spans several blocks
    rows = [{"prompt": f"p{i} " * i, "completion": str(10**i)} for i in range(30)]
    path = tmp_path / "a.json"
    path.write_text(json.dumps(rows, indent=1))
    units = list(open_source(str(path)).units())
    assert [u.raw for u in units] == rows  # numbers cut by a block boundary are whole
    broken = tmp_path / "b.json"
    broken.write_text('[{"prompt": "a", "completion": "b"},\n\n {"prompt": "a" "x"}]')
    with pytest.raises(InputError, match=r"b\.json:3: malformed JSON"):
        list(open_source(str(broken)).units())


@pytest.mark.parametrize(
    ("name", "body", "kwargs"),
    [
        ("big.jsonl", b'{"text": "a"}\n{"text": "' + b"x" * 5000 + b'"}\n{"text": "b"}\n', {}),
        ("big.txt", b"a\n" + b"y" * 5000 + b"\nb\n", {"per_line": True}),
        ("big.csv", b"text\na\n" + b"y" * 5000 + b"\nb\n", {}),
    ],
)
def test_a_record_above_the_limit_is_a_bad_record_naming_it(tmp_path, name, body, kwargs):
    # A 100 MB line was read whole (5 GB of memory); now no line above the limit is held.
    path = tmp_path / name
    path.write_bytes(body)
    src = open_source(
        str(path), field="text" if "txt" not in name else None, max_record=1000, **kwargs
    )
    bad: list[tuple[int, str]] = []
    if name.endswith(".csv"):
        with pytest.raises(InputError, match=r"big\.csv: line 3: record of 5,000 bytes is larger"):
            list(src.text_batches(lambda w, e: bad.append((w, str(e)))))
        return
    texts = [t for b in src.text_batches(lambda w, e: bad.append((w, str(e)))) for t in b]
    assert texts == ["a", "b"]
    assert bad[0][0] == 2 and "larger than the 1,000-byte limit" in bad[0][1]
