"""Counting small inputs in pure Python from the cached ranks, without building an encoder.

Why: building tiktoken's encoder costs ~0.08 s on top of loading ~200K ranks
(~0.04 s even from the cache), and toktok loads its own vocabulary in ~0.3 s. A
one-line file pays all of that for a few dozen lookups. Here the verified ranks
are kept in the user's cache split into :data:`SHARDS` independently marshalled
dicts (by CRC-32 of the token bytes) and a shard is unmarshalled only when a
lookup needs it, so a short text touches a few shards.

The algorithm is tiktoken's own: the encoding's pre-tokenizer regex (the
``regex`` package, a tiktoken dependency, runs the same patterns) cuts the text
into pieces; a piece that is a token counts 1; otherwise its bytes are merged
pairwise, always the adjacent pair of lowest rank (leftmost on ties), until no
pair is a token, as ``_byte_pair_merge`` in tiktoken's ``src/lib.rs`` does. Tests
check the counts equal tiktoken's on every encoding. Pieces longer than
:data:`LONG_PIECE` bytes go to the real encoder (the merge loop is quadratic).
"""

from __future__ import annotations

import marshal
import zlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from distillcost import cache, tokens

SHARDS = 64
LONG_PIECE = 2048
_INF = 1 << 62
_FORMAT = 1


def _shard_name(name: str) -> str:
    return f"{name}-{tokens.EXPECTED_SHA256[name][:16]}-v{_FORMAT}.shards"


def _write_shards(name: str, ranks: dict[bytes, int]) -> list[bytes]:
    """Split verified ranks into marshalled shards and keep them (best effort)."""
    parts: list[dict[bytes, int]] = [{} for _ in range(SHARDS)]
    for token, rank in ranks.items():
        parts[zlib.crc32(token) & (SHARDS - 1)][token] = rank
    blobs = [marshal.dumps(p) for p in parts]
    cache.write(_shard_name(name), marshal.dumps(blobs))
    return blobs


def _read_shards(name: str) -> list[bytes] | None:
    """The shard blobs when the cache file's checksum and shape hold, else None."""
    payload = cache.read(_shard_name(name))
    if payload is None:
        return None
    try:
        blobs = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(blobs, list) or len(blobs) != SHARDS:
        return None
    if not all(isinstance(b, bytes) for b in blobs):
        return None
    return blobs


class LazyRanks:
    """token bytes -> rank, unmarshalling one shard at a time as lookups need it."""

    def __init__(self, name: str) -> None:
        blobs = _read_shards(name)
        if blobs is None:  # first use: verified ranks (tokens checks SHA-256), then shards
            blobs = _write_shards(name, tokens._load_ranks(name))
        self._blobs = blobs
        self._shards: list[dict[bytes, int] | None] = [None] * SHARDS

    def get(self, token: bytes, default: int = _INF) -> int:
        i = zlib.crc32(token) & (SHARDS - 1)
        shard = self._shards[i]
        if shard is None:
            shard = self._shards[i] = marshal.loads(self._blobs[i])
        return shard.get(token, default)


_RANKS: dict[str, LazyRanks] = {}
_PIECES: dict[str, dict[str, int]] = {}
MAX_KNOWN_PIECES = 500_000  # the per-process memo of piece counts is cleared past this


def merge_count(piece: bytes, get: Callable[[bytes, int], int]) -> int:
    """Tokens of one pre-tokenized piece by tiktoken's byte-pair merge."""
    n = len(piece)
    if n < 2:
        return n
    starts = list(range(n + 1))  # part i is piece[starts[i]:starts[i + 1]]
    ranks = [get(piece[i : i + 2], _INF) for i in range(n - 1)]
    while ranks:
        best = min(ranks)
        if best == _INF:
            break
        i = ranks.index(best)
        del starts[i + 1]
        del ranks[i]
        if i < len(ranks):
            ranks[i] = get(piece[starts[i] : starts[i + 2]], _INF)
        if i > 0:
            ranks[i - 1] = get(piece[starts[i - 1] : starts[i + 1]], _INF)
    return len(starts) - 1


def _has_unassigned(text: str) -> bool:
    """Whether ``text`` holds a code point unassigned in Python's Unicode tables."""
    from unicodedata import category

    return any(category(ch) == "Cn" for ch in set(text))


class LiteCounter:
    """A TokenCounter for small inputs: same counts, no encoder built (see module doc)."""

    backend = "python"
    threads = 1
    exact = True
    note = ""

    def __init__(self, encoding: str) -> None:
        import regex

        self.encoding = tokens.require_encoding(encoding)
        self._findall = regex.compile(tokens.pattern(self.encoding)).findall
        ranks = _RANKS.get(self.encoding)
        if ranks is None:  # verified once per process, as tokens' encoders are
            ranks = _RANKS[self.encoding] = LazyRanks(self.encoding)
        self._ranks = ranks
        self._pieces = _PIECES.setdefault(self.encoding, {})  # counts of pieces seen
        self._full: Any = None

    def __repr__(self) -> str:
        return f"LiteCounter({self.encoding!r})"

    def _piece(self, piece: str) -> int:
        data = piece.encode("utf-8")
        get = self._ranks.get
        if get(data) != _INF:
            return 1
        if len(data) > LONG_PIECE:
            return len(self._full_encoder().encode_ordinary(piece))
        return merge_count(data, get)

    def _full_encoder(self) -> Any:
        if self._full is None:
            self._full = tokens.get_encoding(self.encoding)
        return self._full

    def count(self, text: str) -> int:
        if not text.isascii() and _has_unassigned(text):
            # the pre-tokenizer's letter/number classes depend on the Unicode version;
            # tiktoken's and the regex module's differ for code points newer than
            # Python's own tables, so such text is counted by tiktoken itself
            return len(self._full_encoder().encode_ordinary(text))
        pieces = self._findall(text)
        known = self._pieces
        if len(known) > MAX_KNOWN_PIECES:
            known.clear()
        for piece in set(pieces).difference(known):  # each new piece merged once
            known[piece] = self._piece(piece)
        return sum(map(known.__getitem__, pieces))

    def count_batch(self, texts: Sequence[str]) -> list[int]:
        return [self.count(t) for t in texts]

    def count_chunks(self, chunks: Iterable[str]) -> int:
        """One document given in consecutive chunks: joined (inputs here are small)."""
        return self.count("".join(chunks))
