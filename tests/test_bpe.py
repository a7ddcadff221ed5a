"""The pure-Python counter for small inputs against tiktoken itself.

Expected counts come from tiktoken's ``encode_ordinary`` (its Rust BPE), never from
distillcost.bpe; the lazily loaded shards are checked against tiktoken's own parser.
"""

from __future__ import annotations

import json
import marshal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from distillcost import bpe, cache
from distillcost.counting import LITE_MAX_BYTES, count_files
from distillcost.tokens import ENCODINGS, get_encoding

DATA = Path(__file__).parent / "data"

# Characters where pre-tokenizers differ most: every kind of space, contractions,
# digits, combining marks, title case, CJK, emoji, slashes and newlines.
TRICKY = (
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2028\u2029\u202f\u3000"
    "aAzZéÉ'sStTlLdDmM'’09٣/\\!?.,;:-_()[]{}<>\"#@$%^&*+=|~`"
    "日本語한국어ไทยעבריתالعربية🙂👍🏽\u0301\u200dǅǈ"
)
texts = st.text(alphabet=st.sampled_from(TRICKY), max_size=80) | st.text(max_size=40)


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("DISTILLCOST_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(bpe, "_RANKS", {})  # each test loads (and checks) its own shards
    monkeypatch.setattr(bpe, "_PIECES", {})


@pytest.mark.parametrize("encoding", ENCODINGS)
@settings(max_examples=300, deadline=None)
@given(text=texts)
@example(text="\U0003d000:A")  # unassigned in Python's Unicode tables: a letter to tiktoken
def test_lite_counts_equal_tiktoken(encoding, text):
    counter = _lite(encoding)
    assert counter.count(text) == len(get_encoding(encoding).encode_ordinary(text))


_LITE: dict[str, bpe.LiteCounter] = {}


def _lite(encoding: str) -> bpe.LiteCounter:
    # one counter per encoding for the property test (hypothesis reuses the fixture dir)
    if encoding not in _LITE:
        _LITE[encoding] = bpe.LiteCounter(encoding)
    return _LITE[encoding]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_lite_counts_real_files_and_long_pieces(encoding):
    enc = get_encoding(encoding)
    counter = bpe.LiteCounter(encoding)
    samples = [p.read_text("utf-8") for p in sorted(DATA.glob("*.txt"))]
    samples += [p.read_text("utf-8") for p in sorted(DATA.glob("*.jsonl"))]
    # pieces above LONG_PIECE bytes go to the real encoder; just below, the merge loop
    samples += [" " * 5000 + "x", "ab" * 2000, "é" * (bpe.LONG_PIECE // 2 - 1), "9" * 999]
    for text in samples:
        assert counter.count(text) == len(enc.encode_ordinary(text)), text[:60]
    assert counter.count_batch(samples[:3]) == [len(enc.encode_ordinary(t)) for t in samples[:3]]
    joined = len(enc.encode_ordinary("hello\nworld"))
    assert counter.count_chunks(["hello\n", "wor", "ld"]) == joined


def test_shards_hold_tiktokens_ranks_and_load_lazily(tmp_path):
    from test_tokens import _independent_ranks

    expected = _independent_ranks("cl100k_base")
    ranks = bpe.LazyRanks("cl100k_base")
    assert all(s is None for s in ranks._shards)
    assert ranks.get(b"hello") == expected[b"hello"]
    assert sum(s is not None for s in ranks._shards) == 1
    assert ranks.get(b"not a token at all \x00\x01") == bpe._INF
    for token in list(expected)[::997]:
        assert ranks.get(token) == expected[token]
    merged: dict[bytes, int] = {}
    for i in range(bpe.SHARDS):
        blob = ranks._blobs[i]
        merged.update(marshal.loads(blob))
    assert merged == expected


def test_a_corrupt_shard_cache_is_rebuilt(tmp_path):
    bpe.LazyRanks("r50k_base")  # writes the cache
    path = Path(cache.path(bpe._shard_name("r50k_base")))
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF
    path.write_bytes(bytes(data))
    assert bpe._read_shards("r50k_base") is None
    counter = bpe.LiteCounter("r50k_base")
    expected = len(get_encoding("r50k_base").encode_ordinary("hello world"))
    assert counter.count("hello world") == expected
    assert bpe._read_shards("r50k_base") is not None  # rewritten, verified


def test_small_files_use_the_lite_counter_and_large_ones_do_not(tmp_path):
    enc = get_encoding("o200k_base")
    small = tmp_path / "small.jsonl"
    rows = [{"prompt": "What is 2+2?", "completion": "4"}, {"prompt": "Hi", "completion": "Hello!"}]
    small.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    result = count_files([small])
    assert result.backend == "python"
    assert result.total.prompt_tokens == sum(len(enc.encode_ordinary(r["prompt"])) for r in rows)
    big = tmp_path / "big.txt"
    big.write_text("word " * (LITE_MAX_BYTES // 5 + 10))
    result = count_files([big])
    assert result.backend != "python"
    assert result.total.tokens == len(enc.encode_ordinary(big.read_text()))
    # an explicit backend is always honoured
    assert count_files([small], backend="tiktoken").backend == "tiktoken"


def test_counting_a_small_file_imports_nothing_heavy(tmp_path):
    path = tmp_path / "chat.jsonl"
    path.write_text((DATA / "chat.jsonl").read_text("utf-8"))
    code = (
        "import sys\n"
        "from distillcost.counting import count_files\n"
        f"count_files([{str(path)!r}])\n"
        "heavy = ('pandas', 'pyarrow', 'numpy', 'tiktoken', 'toktok', 'click', 'jinja2',"
        " 'matplotlib', 'fsspec', 'dask', 'requests')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    env = {"DISTILLCOST_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""
