"""count_files / count_texts against tiktoken, computed independently in each test.

Expected values come from tiktoken's own ``encode_ordinary`` (through the
offline vocabulary loader) and from OpenAI's published chat recipe written out
here, never from distillcost's counting code.
"""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from distillcost import counting
from distillcost.counting import count_files, count_texts
from distillcost.errors import InputError
from distillcost.profile import Distribution, Reservoir, TokenProfile
from distillcost.tokens import get_encoding

DATA = Path(__file__).parent / "data"
ENC = get_encoding("o200k_base")


def tok(text: str, enc=ENC) -> int:
    return len(enc.encode_ordinary(text))


def content_text(content) -> list[str]:
    if content is None:
        return []
    if isinstance(content, str):
        return [content]
    return [p["text"] for p in content if p.get("type") == "text"]


def recipe_sides(messages, enc=ENC) -> tuple[int, int]:
    """The brief's formula, written out from the cookbook's num_tokens_from_messages."""
    prompt, completion = 3, 0  # every reply is primed with <|start|>assistant<|message|>
    for m in messages:
        texts = content_text(m.get("content"))
        if m["role"] == "assistant":
            completion += sum(tok(t, enc) for t in texts)
            continue
        prompt += 3 + tok(m["role"], enc) + sum(tok(t, enc) for t in texts)
        if m.get("name"):
            prompt += tok(m["name"], enc) + 1
    return prompt, completion


def cookbook_num_tokens(messages, enc=ENC) -> int:
    """openai-cookbook num_tokens_from_messages (gpt-4o): all messages, string contents."""
    num = 0
    for message in messages:
        num += 3
        for key, value in message.items():
            num += len(enc.encode(value))
            if key == "name":
                num += 1
    return num + 3


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


# ---------------------------------------------------------------- formats


def test_chat_matches_openai_recipe_per_side():
    records = read_jsonl(DATA / "chat.jsonl")
    sides = [recipe_sides(r["messages"]) for r in records]
    result = count_files([DATA / "chat.jsonl"])
    p = result.total
    assert p.documents == 4
    assert p.prompt_tokens == sum(s[0] for s in sides)
    assert p.completion_tokens == sum(s[1] for s in sides)
    assert p.tokens == sum(a + b for a, b in sides)
    # per-document values are kept in document order for small inputs
    assert p.prompt.values_sample == tuple(s[0] for s in sides)
    assert p.completion.values_sample == tuple(s[1] for s in sides)
    assert p.total.max == max(a + b for a, b in sides)


def test_chat_record_by_hand():
    # system "You are terse." / user "Capital of France?" / assistant "Paris."
    # prompt = 3 (priming) + [3 + tok("system") + tok("You are terse.")]
    #                      + [3 + tok("user") + tok("Capital of France?")]
    expected_prompt = (
        3 + 3 + tok("system") + tok("You are terse.") + 3 + tok("user") + tok("Capital of France?")
    )
    assert tok("system") == 1 and tok("user") == 1  # single tokens in o200k_base
    result = count_texts_chat([{"messages": [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Capital of France?"},
        {"role": "assistant", "content": "Paris."},
    ]}])  # fmt: skip
    assert result.prompt_tokens == expected_prompt
    assert result.completion_tokens == tok("Paris.")


def count_texts_chat(records, tmp=None) -> TokenProfile:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "c.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
        return count_files([path]).total


def test_chat_sides_agree_with_the_cookbook_total():
    # For string contents: prompt + completion + the assistant messages' own overhead
    # (3 + tok("assistant") each) is exactly the cookbook's num_tokens_from_messages.
    messages = [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Hello", "name": "example_user"},
        {"role": "assistant", "content": "Hi! What can I do for you today?"},
        {"role": "user", "content": "Nothing, thanks."},
    ]
    profile = count_texts_chat([{"messages": messages}])
    assistant_overhead = 3 + tok("assistant")
    assert (
        profile.prompt_tokens + profile.completion_tokens + assistant_overhead
        == cookbook_num_tokens(messages)
    )


def test_sharegpt_maps_speakers_to_roles():
    records = read_jsonl(DATA / "sharegpt.jsonl")
    role = {"human": "user", "gpt": "assistant", "system": "system"}
    sides = [
        recipe_sides([{"role": role[t["from"]], "content": t["value"]} for t in r["conversations"]])
        for r in records
    ]
    p = count_files([DATA / "sharegpt.jsonl"]).total
    assert (p.prompt_tokens, p.completion_tokens) == (
        sum(s[0] for s in sides),
        sum(s[1] for s in sides),
    )


def test_instruction_prompt_joins_with_newline():
    records = read_jsonl(DATA / "instruction.jsonl")
    prompt = sum(
        tok(r["instruction"] + "\n" + r["input"]) if r["input"] else tok(r["instruction"])
        for r in records
    )
    completion = sum(tok(r["output"]) for r in records)
    result = count_files([DATA / "instruction.jsonl"])
    f = result.files[0]
    assert f.format == "jsonl/instruction"
    assert f.profile.documents == 3  # the trailing blank line is not a record
    assert (f.profile.prompt_tokens, f.profile.completion_tokens) == (prompt, completion)


def test_instruction_response_alias_and_question_answer(tmp_path):
    a = tmp_path / "gpteacher.jsonl"
    a.write_text(json.dumps({"instruction": "Say hi", "input": "", "response": "Hi!"}) + "\n")
    b = tmp_path / "gsm.jsonl"
    b.write_text(json.dumps({"question": "1+1?", "answer": "2 #### 2"}) + "\n")
    c = tmp_path / "legacy.jsonl"
    c.write_text(json.dumps({"prompt": "Q: sky?\nA:", "completion": " blue"}) + "\n")
    result = count_files([a, b, c])
    got = {f.format: (f.profile.prompt_tokens, f.profile.completion_tokens) for f in result.files}
    assert got == {
        "jsonl/instruction": (tok("Say hi"), tok("Hi!")),
        "jsonl/question-answer": (tok("1+1?"), tok("2 #### 2")),
        "jsonl/prompt-completion": (tok("Q: sky?\nA:"), tok(" blue")),
    }
    assert result.total.tokens == sum(p + c for p, c in got.values())


def test_whole_text_file_is_one_document():
    text = (DATA / "prose.txt").read_text("utf-8")
    f = count_files([DATA / "prose.txt"]).files[0]
    assert f.format == "text"
    assert f.profile.documents == 1
    assert f.profile.tokens == tok(text)
    assert f.profile.characters == len(text)
    assert f.profile.bytes == len(text.encode("utf-8"))
    assert f.profile.prompt is None


@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
def test_per_line_counts_each_nonblank_line(encoding):
    enc = get_encoding(encoding)
    lines = [ln for ln in (DATA / "prose.txt").read_text("utf-8").split("\n") if ln.strip()]
    p = count_files([DATA / "prose.txt"], per_line=True, encoding=encoding).total
    assert p.documents == len(lines)
    assert p.tokens == sum(tok(ln, enc) for ln in lines)
    assert sorted(p.total.values_sample) == sorted(tok(ln, enc) for ln in lines)


def test_special_token_text_is_counted_not_rejected():
    profile = count_texts(["<|endoftext|>", "a <|endofprompt|> b"])
    assert profile.tokens == tok("<|endoftext|>") + tok("a <|endofprompt|> b")
    assert tok("<|endoftext|>") > 1  # ordinary text, not the single special token


def test_encoding_selects_the_vocabulary():
    text = (DATA / "prose.txt").read_text("utf-8")
    cl = get_encoding("cl100k_base")
    result = count_files([DATA / "prose.txt"], encoding="cl100k_base")
    assert result.encoding == "cl100k_base"
    assert result.total.tokens == tok(text, cl)
    assert tok(text, cl) != tok(text)  # the two encodings really differ on this text


def test_jsonl_field(tmp_path):
    path = tmp_path / "f.jsonl"
    rows = [{"text": "alpha beta", "n": 1}, {"text": "", "n": 2}, {"text": "γ δ ε", "n": 3}]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    p = count_files([path], field="text").total
    assert p.documents == 3
    assert p.tokens == tok("alpha beta") + tok("γ δ ε")
    assert p.total.min == 0


def test_json_array_file(tmp_path):
    path = tmp_path / "alpaca.json"
    rows = [{"instruction": "A", "input": "B", "output": "C"}] * 3
    path.write_text(json.dumps(rows, indent=2))
    f = count_files([path]).files[0]
    assert f.format == "json/instruction"
    assert f.profile.tokens == 3 * (tok("A\nB") + tok("C"))


def test_csv_field_with_quoted_newlines():
    import csv

    with open(DATA / "table.csv", encoding="utf-8", newline="") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    p = count_files([DATA / "table.csv"], field="text").total
    assert p.documents == 4
    assert p.tokens == sum(tok(t) for t in texts)


def test_csv_instruction_columns_detected(tmp_path):
    import pandas as pd

    path = tmp_path / "inst.csv"
    frame = pd.DataFrame(
        {"instruction": ["Add", "Say"], "input": ["1 and 2", ""], "output": ["3", "hello"]}
    )
    frame.to_csv(path, index=False)
    f = count_files([path]).files[0]
    assert f.format == "csv/instruction"
    assert f.profile.prompt_tokens == tok("Add\n1 and 2") + tok("Say")
    assert f.profile.completion_tokens == tok("3") + tok("hello")


def test_parquet_field_and_chat_streamed_by_row_groups(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    texts = [f"row {i}: " + "word " * (i % 17) for i in range(1000)]
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"id": list(range(1000)), "text": texts}), path, row_group_size=128)
    p = count_files([path], field="text").total
    assert p.documents == 1000
    assert p.tokens == sum(tok(t) for t in texts)

    convs = [
        [{"role": "user", "content": f"Question {i}?"}, {"role": "assistant", "content": "Yes."}]
        for i in range(50)
    ]
    chat_path = tmp_path / "chat.parquet"
    pq.write_table(pa.table({"messages": convs}), chat_path)
    q = count_files([chat_path]).total
    sides = [recipe_sides(c) for c in convs]
    assert (q.prompt_tokens, q.completion_tokens) == (
        sum(s[0] for s in sides),
        sum(s[1] for s in sides),
    )


def test_several_files_and_directory_total(tmp_path):
    names = ["chat.jsonl", "sharegpt.jsonl", "instruction.jsonl"]
    for name in names:
        (tmp_path / name).write_bytes((DATA / name).read_bytes())
    (tmp_path / "notes.bin").write_bytes(b"\x00\x01")  # not matched by the glob
    result = count_files([tmp_path])
    assert sorted(Path(f.source).name for f in result.files) == sorted(names)
    singles = {name: count_files([DATA / name]).total for name in names}
    assert result.total.tokens == sum(p.tokens for p in singles.values())
    assert result.total.prompt_tokens == sum(p.prompt_tokens for p in singles.values())
    assert result.total.documents == sum(p.documents for p in singles.values())


def test_mixed_sided_and_text_files_total_has_no_sides():
    result = count_files([DATA / "chat.jsonl", DATA / "prose.txt"])
    assert result.total.prompt is None
    assert result.total.tokens == sum(f.profile.tokens for f in result.files)


def test_batches_do_not_change_counts(monkeypatch):
    full = count_files([DATA / "chat.jsonl", DATA / "sharegpt.jsonl"])
    monkeypatch.setattr(counting.passes, "BATCH_DOCS", 1)
    small = count_files([DATA / "chat.jsonl", DATA / "sharegpt.jsonl"])
    assert small.total == full.total
    assert small.total.total.values_sample == full.total.total.values_sample


def test_backends_agree():
    # no importorskip: the test extra installs toktok-rs (test_tokens needs it too), and a
    # skip would hide a broken install; without it count_files says toktok is missing
    paths = [DATA / "chat.jsonl", DATA / "prose.txt", DATA / "sharegpt.jsonl"]
    a = count_files(paths, backend="tiktoken")
    b = count_files(paths, backend="toktok")
    assert a.backend == "tiktoken" and b.backend == "toktok"
    assert [f.profile for f in a.files] == [f.profile for f in b.files]


def test_skip_bad_counts_and_reports(tmp_path):
    path = tmp_path / "mixed.jsonl"
    good = {"instruction": "Hi", "input": "", "output": "Hello"}
    path.write_text(
        json.dumps(good) + "\n" + "{not json\n" + json.dumps({"other": 1}) + "\n" + json.dumps(good)
    )
    with pytest.raises(InputError, match=r"mixed\.jsonl:2: malformed JSON"):
        count_files([path])
    result = count_files([path], skip_bad=True)
    assert result.skipped == 2
    assert result.total.documents == 2
    assert result.total.tokens == 2 * (tok("Hi") + tok("Hello"))
    assert any(":3: no field 'instruction'" in w for w in result.warnings)


def test_count_texts_profile():
    texts = ["one", "two words", "", "a much longer text with many more words in it"]
    p = count_texts(texts)
    values = [tok(t) for t in texts]
    assert p.documents == 4 and p.tokens == sum(values)
    assert p.characters == sum(map(len, texts))
    assert p.total.values_sample == tuple(values)


# ---------------------------------------------------------------- distributions


def nearest_rank(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=300))
def test_distribution_is_exact(values):
    d = Distribution.from_values(values)
    assert d.count == len(values) and d.total == sum(values)
    assert d.min == min(values) and d.max == max(values)
    assert d.mean == pytest.approx(sum(values) / len(values))
    for q, got in ((0.5, d.p50), (0.9, d.p90), (0.99, d.p99)):
        assert got == nearest_rank(values, q)
    assert d.values_sample == tuple(values)


def test_distribution_of_nothing():
    d = Distribution.from_values([])
    assert (d.count, d.total, d.max, d.values_sample) == (0, 0, 0, ())


def test_reservoir_is_uniform_and_seeded():
    hits = [0] * 40
    for seed in range(2000):
        r = Reservoir(4, seed)
        r.extend(list(range(0, 25)))
        r.extend(list(range(25, 40)))
        assert len(r.items) == 4 and len(set(r.items)) == 4
        for item in r.items:
            hits[item] += 1
    # each item is kept with probability 4/40: 200 expected, sd ~13.4
    assert all(140 < h < 260 for h in hits), hits
    a, b = Reservoir(3, 7), Reservoir(3, 7)
    a.extend(list(range(100)))
    b.extend(list(range(100)))
    assert a.items == b.items


# ---------------------------------------------------------------- sampling


def synthetic_records(n: int, seed: int = 1) -> list[str]:
    """Heterogeneous documents: skewed lengths and very different tokens per byte."""
    rng = random.Random(seed)
    words = ["the", "model", "cost", "of", "a", "token", "is", "small", "but", "many"]
    words += ["tokens", "add", "up", "quickly"]
    kinds = [
        lambda k: " ".join(rng.choice(words) for _ in range(k)),
        lambda k: "".join(rng.choice("深度学习模型蒸馏成本数据") for _ in range(k)),
        lambda k: " ".join(str(rng.randrange(10**6)) for _ in range(k)),
        lambda k: "def f(x):\n" + "    x = x * 2 + 1\n" * max(1, k // 6),
    ]
    out = []
    for _ in range(n):
        k = max(1, int(rng.lognormvariate(3.0, 1.0)))
        out.append(rng.choice(kinds)(k))
    return out


@pytest.fixture(scope="module")
def synthetic_jsonl(tmp_path_factory):
    texts = synthetic_records(3000)
    path = tmp_path_factory.mktemp("sample") / "synthetic.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for t in texts:
            fh.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
    return path, sum(tok(t) for t in texts)


def test_sampling_ci_coverage(synthetic_jsonl):
    """The 95% interval must contain the exact total in roughly 95% of runs."""
    path, exact = synthetic_jsonl
    assert count_files([path], field="text").total.tokens == exact
    runs = 200
    covered = 0
    errors = []
    for seed in range(runs):
        p = count_files([path], field="text", sample=0.05, seed=seed).total
        est = p.tokens_estimate
        assert p.sampled and est is not None and p.tokens == est.estimate
        assert est.low <= est.estimate <= est.high
        covered += est.low <= exact <= est.high
        errors.append(abs(est.estimate - exact) / exact)
    rate = covered / runs
    assert 0.90 <= rate <= 0.99, rate
    # and the estimate is useful, not just wide: median error well under 5% at a 5% sample
    assert sorted(errors)[runs // 2] < 0.05


def test_sampling_fixed_size_coverage(synthetic_jsonl):
    path, exact = synthetic_jsonl
    covered = 0
    docs_covered = 0
    for seed in range(100):
        p = count_files([path], field="text", sample=150, seed=seed).total
        # drawn by seeks: 150 records at random bytes, so the documents are estimated too
        assert p.sample_documents == 150 and p.documents_estimate is not None
        assert p.documents == p.documents_estimate.estimate
        covered += p.tokens_low <= exact <= p.tokens_high
        docs_covered += p.documents_estimate.low <= 3000 <= p.documents_estimate.high
    assert 88 <= covered <= 100, covered
    assert 88 <= docs_covered <= 100, docs_covered


def test_sampling_everything_is_exact(synthetic_jsonl):
    path, exact = synthetic_jsonl
    for sample in (1.0, 5000):
        p = count_files([path], field="text", sample=sample).total
        assert (p.tokens_low, p.tokens, p.tokens_high) == (exact, exact, exact)


def test_sampling_is_reproducible_and_seeded(synthetic_jsonl):
    path, _ = synthetic_jsonl
    a = count_files([path], field="text", sample=0.02, seed=3).total
    b = count_files([path], field="text", sample=0.02, seed=3).total
    c = count_files([path], field="text", sample=0.02, seed=4).total
    assert a == b
    assert a.tokens_estimate != c.tokens_estimate


def test_sampled_whole_text_file(tmp_path):
    text = "\n".join(synthetic_records(4000, seed=5))
    path = tmp_path / "big.txt"
    path.write_text(text, "utf-8")
    exact = tok(text)
    full = count_files([path], sample=1.0).total  # every chunk: chunk counts add up exactly
    assert full.tokens == exact and full.documents == 1
    p = count_files([path], sample=0.3, seed=1).total
    assert p.sampled and p.documents == 1
    assert p.tokens_low <= exact <= p.tokens_high


def test_small_file_with_no_sampled_record_is_counted_exactly():
    result = count_files([DATA / "chat.jsonl"], sample=0.0001, seed=0)
    exact = count_files([DATA / "chat.jsonl"]).total.tokens
    assert result.total.tokens == exact == result.total.tokens_low == result.total.tokens_high


@pytest.mark.parametrize("bad", [0, 1.5, -0.1, 1, True])
def test_sample_argument_checked(bad):
    with pytest.raises(InputError):
        count_files([DATA / "chat.jsonl"], sample=bad)


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [("chat.jsonl", {}), ("prose.txt", {}), ("prose.txt", {"per_line": True})],
)
def test_progress_reports_every_byte(name, kwargs):
    seen: list[int] = []
    count_files([DATA / name], progress=seen.append, **kwargs)
    assert sum(seen) == (DATA / name).stat().st_size


def test_bom_and_crlf_jsonl(tmp_path):
    path = tmp_path / "bom.jsonl"
    rows = [{"prompt": "a b", "completion": "c"}, {"prompt": "d", "completion": "e f"}]
    body = "\r\n".join(json.dumps(r) for r in rows) + "\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode())
    p = count_files([path]).total
    assert p.documents == 2
    assert p.prompt_tokens == tok("a b") + tok("d")
    assert p.completion_tokens == tok("c") + tok("e f")


def test_sampled_lines_skip_blank_lines_and_match_exact_at_100_percent(tmp_path, monkeypatch):
    from distillcost import readers

    monkeypatch.setattr(readers.limits, "BLOCK", 1000)  # many blocks, lines cut across them
    lines = synthetic_records(1500, seed=9)
    lines = [ln.replace("\n", " ") for ln in lines]
    body = "".join(f"{ln}\n" + ("\n   \n" if i % 7 == 0 else "") for i, ln in enumerate(lines))
    path = tmp_path / "lines.txt"
    path.write_text(body + "no newline at the end", "utf-8")
    exact = count_files([path], per_line=True).total
    assert exact.documents == len(lines) + 1
    assert exact.tokens == sum(tok(ln) for ln in lines) + tok("no newline at the end")
    full = count_files([path], per_line=True, sample=1.0).total
    assert (full.documents, full.tokens, full.tokens_low, full.tokens_high) == (
        exact.documents,
        exact.tokens,
        exact.tokens,
        exact.tokens,
    )
    everything = count_files([path], per_line=True, sample=10_000).total
    assert everything.tokens == exact.tokens and everything.sample_documents == exact.documents
    part = count_files([path], per_line=True, sample=0.2, seed=2).total
    assert part.documents_estimate is not None  # by seeks: blank lines drawn count nothing
    assert part.documents_estimate.low <= exact.documents <= part.documents_estimate.high
    assert part.tokens_low <= exact.tokens <= part.tokens_high


def test_sampled_bad_line_names_its_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    rows = [json.dumps({"text": f"row {i}"}) for i in range(50)]
    rows[30] = "{broken"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(InputError, match=r"bad\.jsonl:31: malformed JSON"):
        count_files([path], field="text", sample=1.0)
    result = count_files([path], field="text", sample=1.0, skip_bad=True)
    assert result.skipped == 1
    assert result.total.tokens == sum(tok(f"row {i}") for i in range(50) if i != 30)


def test_core_imports_no_cli_or_heavy_library():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import distillcost.counting, distillcost.readers, distillcost.profile\n"
        "bad = [m for m in ('click', 'pandas', 'pyarrow', 'jinja2', 'matplotlib', 'tiktoken')"
        " if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


# ---------------------------------------------------------------- hostile input (issue 11)


def _pipe(data: bytes) -> tuple[str, int]:
    import os

    r, w = os.pipe()
    os.write(w, data)
    os.close(w)
    return f"/dev/fd/{r}", r


def test_counting_a_pipe_counts_what_was_sniffed():
    # Found: `count <(cat chat.jsonl)` reported 0 documents, exit 0.
    import os

    body = (DATA / "chat.jsonl").read_bytes()
    path, fd = _pipe(body)
    try:
        result = count_files([path])
    finally:
        os.close(fd)
    records = read_jsonl(DATA / "chat.jsonl")
    assert result.total.documents == len(records)
    assert result.total.tokens == sum(sum(recipe_sides(r["messages"])) for r in records)


def test_a_sampled_pipe_says_it_cannot_be_read_twice():
    import os

    body = b"".join(json.dumps({"text": f"t {i}"}).encode() + b"\n" for i in range(50))
    path, fd = _pipe(body)
    try:
        with pytest.raises(InputError, match=r"only \d of 50 documents were sampled"):
            count_files([path], field="text", sample=0.001)
    finally:
        os.close(fd)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"encoding": None}, "encoding must be one of .*, not None"),
        ({"encoding": "o200k"}, "unknown encoding 'o200k'. Did you mean: o200k_base"),
        ({"encoding": "gpt-4o"}, "unknown encoding 'gpt-4o'.*encoding_for_model"),
        ({"threads": -5}, "threads must be a whole number of at least 1, not -5"),
        ({"threads": 0}, "threads must be a whole number of at least 1, not 0"),
        ({"threads": 2.5}, "threads must be"),
        ({"sample": "1%"}, "sample must be a fraction .* not str '1%'"),
        ({"sample": [0.1]}, "sample must be a fraction"),
        ({"sample": float("nan")}, r"sample fraction nan is not in \(0, 1\]"),
        ({"seed": "7"}, "seed must be a whole number"),
        ({"fmt": "yaml"}, "unknown input format 'yaml'"),
        ({"backend": "rust"}, "unknown backend 'rust'"),
        ({"field": ""}, "field must be a non-empty"),
        ({"glob": ["*.jsonl"]}, "glob must be text"),
        ({"progress": "yes"}, "progress must be True, False or a callable"),
        ({"max_record": 0}, "max_record must be a number of bytes"),
    ],
)
def test_count_files_checks_its_arguments_like_the_cli(kwargs, message):
    # Found: count_files(encoding=None) raised AttributeError; threads=-5 was accepted.
    from distillcost.errors import DistillcostError

    with pytest.raises(DistillcostError, match=message):
        count_files([DATA / "chat.jsonl"], **kwargs)


def test_count_files_paths_of_the_wrong_type():
    from distillcost.errors import DistillcostError

    with pytest.raises(DistillcostError, match="paths must be a path or a list of paths, not int"):
        count_files(3)  # type: ignore[arg-type]
    with pytest.raises(DistillcostError, match="an input path must be text or a path, not int"):
        count_files([3])  # type: ignore[list-item]


def test_a_run_without_safe_points_is_refused_with_its_file_not_grown(tmp_path):
    # Found: one 20 MB "word" took 1 GB, `yes | tr -d '\n'` grew without end. A run with no
    # exact cut point longer than the stated bound is an error naming the file.
    from distillcost.errors import TooLargeError
    from distillcost.tokens import MAX_UNSPLIT_CHARS

    word = tmp_path / "word.txt"
    word.write_text("intro line\n" + "y" * (MAX_UNSPLIT_CHARS + 10) + "\nend\n")
    for kwargs in ({}, {"sample": 0.5}):
        with pytest.raises(
            TooLargeError, match=r"word\.txt: [\d,]+ characters from character 11 on have no point"
        ):
            count_files([word], **kwargs)
    rec = tmp_path / "rec.jsonl"
    rec.write_text(json.dumps({"text": "z" * (MAX_UNSPLIT_CHARS + 1)}) + "\n")
    with pytest.raises(TooLargeError, match=r"rec\.jsonl: .*characters"):
        count_files([rec], field="text")
    # just under the bound: counted exactly (tiktoken's count computed directly)
    ok = tmp_path / "ok.txt"
    ok.write_text("y" * MAX_UNSPLIT_CHARS)
    assert count_files([ok], backend="tiktoken").total.tokens == tok("y" * MAX_UNSPLIT_CHARS)


@pytest.mark.parametrize("kind", ["minified JSON", "numbers and spaces", "words ending in digits"])
def test_long_lines_without_letter_space_letter_are_counted_exactly(tmp_path, kind):
    # Found: a one-line minified JSON document, or a list of numbers, was refused as
    # "no point where the text can be cut" beyond 2 M characters: only newlines and a
    # space between two letters counted as cut points. A space between any two
    # non-spaces, or an ASCII digit before an ASCII non-digit, is exact too.
    from distillcost.tokens import MAX_UNSPLIT_CHARS

    if kind == "minified JSON":
        rows = [
            {"id": i, "name": f"item{i}", "tags": ["a", "b"], "v": i / 2} for i in range(60_000)
        ]
        text = json.dumps(rows, separators=(",", ":"))
    elif kind == "numbers and spaces":
        text = " ".join(str(i) for i in range(400_000))
    else:
        text = " ".join(f"word{i % 977}" for i in range(350_000))
    assert len(text) > MAX_UNSPLIT_CHARS and "\n" not in text
    path = tmp_path / "line.txt"
    path.write_text(text, encoding="utf-8")
    for backend in ("tiktoken", "auto"):
        assert count_files([path], backend=backend).total.tokens == tok(text)


def test_a_record_above_the_limit_names_its_line_and_can_be_skipped(tmp_path):
    path = tmp_path / "d.jsonl"
    rows = [{"question": "q", "answer": "a"}, {"question": "x" * 3000, "answer": "a"}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows * 3))
    with pytest.raises(InputError, match=r"d\.jsonl:2: record of 3,\d{3} bytes is larger than"):
        count_files([path], max_record=2000)
    for sample in (None, 1.0, 10):
        result = count_files([path], max_record=2000, skip_bad=True, sample=sample)
        assert result.skipped == 3, sample
        assert result.total.tokens == 3 * (tok("q") + tok("a")), sample
