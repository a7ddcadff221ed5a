"""Sampling by seeks: units located from any byte, reads bounded, estimates covered.

Expected totals come from tiktoken's ``encode_ordinary`` over the files' own text;
the partition into units is checked against a walk from the first byte, and
coverage of the 95% intervals over many seeds.
"""

from __future__ import annotations

import json
import random

import pytest

from distillcost.counting import count_files
from distillcost.counting import seek as seek_mod
from distillcost.errors import InputError
from distillcost.readers.base import LocalRanges
from distillcost.tokens import get_encoding

ENC = get_encoding("o200k_base")


def tok(text: str, enc=ENC) -> int:
    return len(enc.encode_ordinary(text))


def mixed_text(n: int, seed: int) -> str:
    """Lines of prose, CJK, code, numbers, blank runs, leading spaces and slashes."""
    rng = random.Random(seed)
    words = ["the", "cost", "of", "a", "token", "Über", "naïve", "model's", "can't"]
    kinds = [
        lambda k: " ".join(rng.choice(words) for _ in range(k)),
        lambda k: "".join(rng.choice("深度学习模型蒸馏成本。") for _ in range(k)),
        lambda k: "    " + " ".join(str(rng.randrange(10**5)) for _ in range(k)),
        lambda k: "/usr/bin/" + "x" * k,
        lambda k: "\u3000" + "テキスト" * (k // 4 + 1),
        lambda k: "",
        lambda k: "  \t",
        lambda k: "def f(x):\n" + "    return x\n" * (k // 8 + 1),
    ]
    return "\n".join(rng.choice(kinds)(max(1, int(rng.lognormvariate(2.5, 1.0))))
                     for _ in range(n)) + "\n"  # fmt: skip


@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base", "r50k_base"])
def test_whole_text_chunks_partition_the_file_exactly(tmp_path, encoding):
    text = mixed_text(3000, seed=3)
    data = text.encode("utf-8")
    path = tmp_path / "t.txt"
    path.write_bytes(data)
    rd = LocalRanges(path)
    try:
        cells, u = [], 0
        while u < len(data):  # walk the partition from the first byte
            start, end = seek_mod.locate_chunk(rd.read, u, len(data), 1 << 23)
            assert start == u < end
            cells.append((start, end))
            u = end
        enc = get_encoding(encoding)
        pieces = [data[s:e].decode("utf-8") for s, e in cells]
        assert "".join(pieces) == text
        assert sum(len(enc.encode_ordinary(p)) for p in pieces) == len(enc.encode_ordinary(text))
        assert len(cells) > 20
        # from any byte, the cell found is the partition's cell holding that byte
        rng = random.Random(0)
        starts = [s for s, _ in cells]
        import bisect

        for _ in range(400):
            u = rng.randrange(len(data))
            cell = cells[bisect.bisect_right(starts, u) - 1]
            assert seek_mod.locate_chunk(rd.read, u, len(data), 1 << 23) == cell
    finally:
        rd.close()


def test_lines_are_located_from_any_byte(tmp_path):
    lines = [json.dumps({"text": "x" * (i % 50)}) + "\n" for i in range(300)]
    data = "".join(lines).encode()
    path = tmp_path / "l.jsonl"
    path.write_bytes(data)
    rd = LocalRanges(path)
    offsets = [0]
    for ln in lines:
        offsets.append(offsets[-1] + len(ln))
    try:
        for u in range(0, len(data), 7):
            k = max(i for i in range(len(lines)) if offsets[i] <= u)
            assert seek_mod.locate_line(rd.read, u, len(data), 1 << 20) == (
                offsets[k],
                offsets[k + 1],
            )
    finally:
        rd.close()


@pytest.fixture(scope="module")
def big_jsonl(tmp_path_factory):
    rng = random.Random(5)
    texts = [mixed_text(rng.randrange(1, 12), seed=i) for i in range(6000)]
    path = tmp_path_factory.mktemp("seek") / "big.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for t in texts:
            fh.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
    return path, sum(tok(t) for t in texts), len(texts)


def test_a_seek_sample_reads_only_what_it_draws(big_jsonl, monkeypatch):
    path, exact, _ = big_jsonl
    read = 0
    original = LocalRanges.read

    def counting_read(self, start, end):
        nonlocal read
        read += end - start
        return original(self, start, end)

    monkeypatch.setattr(LocalRanges, "read", counting_read)
    from distillcost.readers import Source

    for streaming in ("line_blocks", "doc_batches", "text_batches", "units"):
        monkeypatch.setattr(Source, streaming, _refuse)
    result = count_files([path], field="text", sample=0.002, seed=1)
    size = path.stat().st_size
    assert result.sampling.startswith("by seeks")
    draws = result.total.sample_documents
    # a window on each side of each drawn byte and the record itself, nothing else
    assert 0 < read <= draws * (2 * seek_mod.WINDOW + 2000) < 0.5 * size
    assert abs(result.total.tokens - exact) < 0.25 * exact  # a sample, not noise


def _refuse(*args, **kwargs):
    raise AssertionError("the file was read whole")


def test_seek_sampling_coverage_over_seeds(big_jsonl):
    path, exact, docs = big_jsonl
    runs = 120
    covered = docs_covered = 0
    for seed in range(runs):
        p = count_files([path], field="text", sample=0.01, seed=seed).total
        assert p.documents_estimate is not None
        covered += p.tokens_low <= exact <= p.tokens_high
        docs_covered += p.documents_estimate.low <= docs <= p.documents_estimate.high
    assert 0.88 <= covered / runs <= 0.99, covered
    assert 0.88 <= docs_covered / runs <= 0.99, docs_covered


def test_files_are_drawn_in_proportion_to_size_and_covered(tmp_path):
    small, large = tmp_path / "a.jsonl", tmp_path / "b.txt"
    text_rows = [mixed_text(4, seed=i) for i in range(1500)]
    small.write_text(
        "".join(json.dumps({"prompt": t, "completion": "ok"}) + "\n" for t in text_rows)
    )
    large_text = mixed_text(100_000, seed=99)
    large.write_text(large_text)
    exact = sum(tok(t) + tok("ok") for t in text_rows) + tok(large_text)
    sizes = small.stat().st_size, large.stat().st_size
    draws = 300
    result = count_files([small, large], sample=draws, seed=4)
    got = [f.profile.sample_documents for f in result.files]
    assert sum(got) == draws
    share = sizes[0] / sum(sizes)
    sd = (draws * share * (1 - share)) ** 0.5
    assert abs(got[0] - draws * share) < 5 * sd, (got, share)
    assert result.files[1].profile.documents == 1  # a whole text file is one document
    covered = 0
    for seed in range(60):
        p = count_files([small, large], sample=0.02, seed=seed).total
        covered += p.tokens_low <= exact <= p.tokens_high
    assert covered >= 52, covered


def test_parquet_rows_sampled_by_row_groups(tmp_path):
    pa = pytest.importorskip("pyarrow")  # a core dependency: never skips in practice
    import pyarrow.parquet as pq

    texts = [mixed_text(random.Random(i).randrange(1, 6), seed=i) for i in range(3000)]
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"text": texts}), path, row_group_size=250)
    exact = sum(tok(t) for t in texts)
    covered = 0
    for seed in range(60):
        p = count_files([path], field="text", sample=0.02, seed=seed).total
        assert p.sampled and p.documents == 3000  # rows come from the footer
        covered += p.tokens_low <= exact <= p.tokens_high
    assert covered >= 52, covered


def test_a_drawn_bad_record_is_named_by_its_byte_offset(tmp_path):
    good = [json.dumps({"text": f"row {i}"}) + "\n" for i in range(1000)]
    broken = "{" + "x" * 10_000 + "\n"  # ~40% of the bytes: drawn on the first tries
    path = tmp_path / "bad.jsonl"
    path.write_text("".join(good[:500]) + broken + "".join(good[500:]))
    offset = sum(len(g) for g in good[:500])
    with pytest.raises(
        InputError, match=rf"bad\.jsonl: record at byte offset {offset:,}: malformed"
    ):
        count_files([path], field="text", sample=0.01, seed=0)
    result = count_files([path], field="text", sample=0.01, seed=0, skip_bad=True)
    assert result.skipped >= 1 and result.files[0].skipped == 1
    assert any(f"byte offset {offset:,}" in w for w in result.warnings)
    # the broken record is not a document: the estimate still covers the good ones
    exact = sum(tok(f"row {i}") for i in range(1000))
    assert result.total.tokens_low <= exact <= result.total.tokens_high


def test_a_large_share_or_a_stream_is_read_whole(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_text("".join(json.dumps({"text": f"row {i}"}) + "\n" for i in range(50)))
    result = count_files([path], field="text", sample=0.5, seed=0)
    assert result.sampling.startswith("by reading the input whole")
    result = count_files([path], field="text", sample=1.0)
    assert result.total.tokens == sum(tok(f"row {i}") for i in range(50))


def test_an_empty_parquet_among_files_is_read_whole_not_drawn_forever(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "empty.parquet"
    pq.write_table(pa.table({"text": pa.array([], pa.string())}), path)
    result = count_files([path], field="text", sample=0.01)
    assert result.total.documents == 0 and result.total.tokens == 0
    assert result.sampling.startswith("by reading the input whole")
