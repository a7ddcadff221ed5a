"""Sampling by seeks: read only what is drawn, files and records in proportion to size.

The seekable inputs of one count (JSONL, per-line and whole text, Parquet) are one
population of ``B`` bytes. Each draw picks a byte uniformly at random from all of
them and takes the *unit* holding it: the line (JSONL, ``--per-line``), the chunk
between two exact split points (a whole text file; chunk boundaries are the first
exact split point at or after each multiple of :data:`CHUNK_BYTES`, a fixed
partition), or, for Parquet, a uniformly random row of the file holding the byte.
A unit of ``x`` bytes in a file of ``B_k`` bytes is drawn with probability
``p = x / B`` (a Parquet row: ``p = B_k / (B * N_k)``), with replacement, so files
are sampled in proportion to their size and only the drawn units are read.

The estimator matching this design is Hansen-Hurwitz's, the ratio by bytes taken
unit by unit::

    z_i = y_i / p_i            # = B * (tokens per byte of unit i) for lines and chunks
    T = mean(z)                # unbiased for the total of y
    Var(T) = sum((z_i - T)^2) / (n - 1) / n
    95% interval: T +- t(0.975, n-1) * sqrt(Var(T)), never below the tokens seen

with ``y`` the tokens (also prompt, completion, characters, and documents: 1 for a
record, 0 for a blank line). The classic ratio sum(y)/sum(x) * B would be biased
here, since long records are drawn more often. Documents are therefore estimated
too (a whole text file is one document; Parquet's row count is in its footer), and
per-document statistics come from the drawn records re-weighted by ``1/p``
(importance resampling), not from the size-biased draws themselves.

A file's own row uses the draws that fell in it (``p_k = x / B_k``) when there are
at least two; with fewer it scales the pooled tokens per byte to its size, as its
note says. A sample that would take more than :data:`SEEK_MAX_SHARE` of the bytes is
drawn by reading the inputs whole instead (the streaming path), as is everything
that cannot seek: stdin, pipes, CSV (a quoted field may hold a newline, so a line
is not a record) and JSON arrays.
"""

from __future__ import annotations

import bisect
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from distillcost.errors import InputError, TooLargeError
from distillcost.readers import BadRecord, Doc, Source, Unit, doc_chars
from distillcost.readers.base import RangeReader

CHUNK_BYTES = 4096
WINDOW = 4096  # first read around a drawn byte (doubled until the unit is whole)
SEEK_MAX_SHARE = 0.5
MIN_DRAWS = 100  # t intervals on skewed tokens-per-byte under-cover below this (93% at 30)
MAX_CHUNK_WINDOW = 8 << 20  # bytes searched for a split point (tokens.MAX_UNSPLIT_CHARS)
KEYS = ("total", "prompt", "completion", "chars", "docs")
_SPACE_OR_SLASH = frozenset(b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f/")
_ASCII_SPACE = frozenset(b" \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f")


class TooMuch(Exception):
    """The sample would read more than SEEK_MAX_SHARE of the bytes: stream instead.

    Its message, when it has one, says why (for the run's notes)."""


# ---------------------------------------------------------------- remote inputs

REMOTE_GAP = 128 << 10  # windows closer than this are fetched as one ranged read
REMOTE_BATCH = (64, 512)  # draws whose windows are fetched together (min, max)
STREAM_BLOCK = 4 << 20  # bytes per request when a remote file is read whole (open_file)
REMOTE_MIN_BUDGET = 256  # ranged reads a remote sample may always issue
REMOTE_CACHE = 64 << 20  # fetched bytes kept for later draws (dropped past this)


class Prefetch:
    """Remote windows fetched ahead of the draws, coalesced and concurrent.

    One ranged GET per draw, in sequence, made a remote sample slower than reading the
    file whole (4,000 requests for 2,000 draws). The draws ahead are known exactly: a
    copy of the generator replays them. Their windows are merged when closer than
    :data:`REMOTE_GAP` and fetched in one ``cat_ranges`` call (concurrent on an async
    filesystem: S3, GCS, HTTP); what was fetched serves later draws too (up to
    :data:`REMOTE_CACHE` bytes). Reads the windows do not cover (a line longer than the
    window) go to the filesystem one by one. Past ``budget`` requests (twice what
    reading the inputs whole takes, at least :data:`REMOTE_MIN_BUDGET`), or as many
    bytes fetched as they hold, the sample stops and the inputs are read whole instead.
    The draws, and so the estimate, are the same as on a local copy.
    """

    def __init__(self, sources: Sequence[Source], sizes: list[int], ends: list[int]) -> None:
        self.sources, self.sizes, self.ends = sources, sizes, ends
        self.remote = [s.fs is not None for s in sources]
        self.pieces: dict[int, list[tuple[int, bytes]]] = {}
        self.requests = 0
        self.fetched = 0
        self.ahead = 0  # draws already fetched for
        remote_bytes = sum(z for z, r in zip(sizes, self.remote, strict=True) if r)
        self.budget = max(REMOTE_MIN_BUDGET, 2 * -(-remote_bytes // STREAM_BLOCK))
        self.byte_cap = remote_bytes  # never fetch more than reading them whole

    @property
    def active(self) -> bool:
        return any(self.remote)

    def check(self) -> None:
        if self.requests > self.budget or self.fetched > self.byte_cap:
            raise TooMuch(
                f"a sample by ranged reads would take more than {self.budget:,} requests "
                f"or as many bytes as the remote inputs hold: read whole instead"
            )

    def plan(self, rng: random.Random, rows: list[int], batch: int) -> None:
        """Fetch the windows of the next ``batch`` draws (replayed on a copy of ``rng``)."""
        replay = random.Random()
        replay.setstate(rng.getstate())
        total = self.ends[-1]
        wanted: dict[int, list[tuple[int, int]]] = {}
        for _ in range(batch):
            u = replay.randrange(total)
            k = bisect.bisect_right(self.ends, u)
            src = self.sources[k]
            if src.seek_kind == "rows":
                if rows[k]:
                    replay.randrange(rows[k])
                continue
            if self.remote[k]:
                offset = u - (self.ends[k] - self.sizes[k])
                window = max(0, offset - WINDOW), min(self.sizes[k], offset + WINDOW)
                if self.cached(k, *window) is None:
                    wanted.setdefault(k, []).append(window)
        self.ahead += batch
        if sum(len(d) for got in self.pieces.values() for _, d in got) > REMOTE_CACHE:
            self.pieces = {}
        plan: list[tuple[int, int, int]] = []
        for k, windows in wanted.items():
            windows.sort()
            a, b = windows[0]
            for c, d in windows[1:]:
                if c - b > REMOTE_GAP:
                    plan.append((k, a, b))
                    a = c
                b = max(b, d)
            plan.append((k, a, b))
        self.requests += len(plan)
        self.fetched += sum(b - a for _, a, b in plan)
        self.check()
        by_fs: dict[int, list[tuple[int, int, int]]] = {}
        for item in plan:
            by_fs.setdefault(id(self.sources[item[0]].fs), []).append(item)
        for items in by_fs.values():
            fs = self.sources[items[0][0]].fs
            paths = [self.sources[k].fs_path for k, _, _ in items]
            got = fs.cat_ranges(
                paths, [a for _, a, _ in items], [b for _, _, b in items], on_error="raise"
            )
            for (k, a, _), data in zip(items, got, strict=True):
                self.pieces.setdefault(k, []).append((a, bytes(data)))

    def cached(self, k: int, start: int, end: int) -> bytes | None:
        for a, data in self.pieces.get(k, ()):
            if a <= start and end <= a + len(data):
                return data[start - a : end - a]
        return None

    def reader(self, k: int, inner: RangeReader) -> RangeReader:
        return _Fetched(self, k, inner)


class _Fetched:
    """A remote file's ranged reads, served from the prefetched windows when they cover."""

    def __init__(self, prefetch: Prefetch, k: int, inner: RangeReader) -> None:
        self._prefetch, self._k, self._inner = prefetch, k, inner

    def read(self, start: int, end: int) -> bytes:
        cached = self._prefetch.cached(self._k, start, end)
        if cached is not None:
            return cached
        self._prefetch.requests += 1
        self._prefetch.fetched += max(0, end - start)
        self._prefetch.check()
        return self._inner.read(start, end)

    def close(self) -> None:
        self._inner.close()


# ---------------------------------------------------------------- locating units


def _char_after(data: bytes, i: int) -> str | None:
    """The character starting at ``data[i]``, or None when it runs past the window."""
    lead = data[i]
    n = 1 if lead < 0x80 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
    piece = data[i : i + n]
    if len(piece) < n:
        return None
    try:
        return piece.decode("utf-8")
    except UnicodeDecodeError:
        return "\ufffd"  # not whitespace; the chunk's own decoding reports the error


def _char_before(data: bytes, i: int) -> str | None:
    """The character ending at ``data[i - 1]``, or None when it starts before the window."""
    j = i - 1
    while j >= 0 and 0x80 <= data[j] < 0xC0 and i - j < 4:
        j -= 1
    if j < 0:
        return None
    try:
        return data[j:i].decode("utf-8")
    except UnicodeDecodeError:
        return "\ufffd"


def _safe_points(data: bytes, a: int) -> list[int]:
    """Absolute offsets p in the window where text can be cut exactly (see safe_split).

    After a newline that follows a non-whitespace character, before a character that
    is neither whitespace nor ``/``; only points whose context lies in the window.
    """
    out = []
    find = data.find
    i = find(b"\n", 1)
    end = len(data) - 1
    while 0 < i < end:
        nxt = data[i + 1]
        if nxt < 0x80:
            ok = nxt not in _SPACE_OR_SLASH
        else:
            ch = _char_after(data, i + 1)
            ok = ch is not None and not ch.isspace()
        if ok:
            prev = data[i - 1]
            if prev < 0x80:
                ok = prev not in _ASCII_SPACE
            else:
                ch = _char_before(data, i)
                ok = ch is not None and not ch.isspace()
            if ok:
                out.append(a + i + 1)
        i = find(b"\n", i + 1)
    return out


def locate_chunk(
    read: Callable[[int, int], bytes], u: int, size: int, limit: int
) -> tuple[int, int]:
    """[start, end) of the chunk holding byte ``u`` of a whole text file.

    Boundaries are the first safe point at or after each multiple of CHUNK_BYTES (and
    the file's ends): a safe point s is one iff floor(s / C) > floor(previous / C).
    The window grows until both ends are certain.
    """
    c = CHUNK_BYTES
    w = 2 * c
    while True:
        a, b = max(0, u - w), min(size, u + w)
        data = read(a, b)
        # points closer than 8 bytes to the window's start may go unseen: the first
        # point's status is certain only when no unseen one shares its block
        prev: int | None = 0 if a == 0 else None
        start: int | None = 0 if a == 0 else None
        end: int | None = None
        blocked = False
        for s in _safe_points(data, a):
            status = (s // c > (a + 8) // c or None) if prev is None else s // c > prev // c
            prev = s
            if s <= u:
                if status is None:
                    start = None
                elif status:
                    start = s
            elif status is None:
                blocked = True
                break
            elif status:
                end = s
                break
        if end is None and not blocked and b == size:
            end = size
        if start is not None and end is not None:
            return start, end
        if w > limit:
            raise TooLargeError(
                f"about {2 * w:,} bytes around byte offset {u:,} have no point where the text "
                "can be cut without changing its token count",
                offset=u,
            )
        w *= 2


def locate_line(
    read: Callable[[int, int], bytes], u: int, size: int, limit: int
) -> tuple[int, int]:
    """[start, end) of the line holding byte ``u`` (its newline included).

    Raises BadRecord when the line is longer than ``limit`` bytes.
    """
    w = WINDOW
    while True:
        a, b = max(0, u - w), min(size, u + w)
        data = read(a, b)
        i = data.rfind(b"\n", 0, u - a)
        j = data.find(b"\n", u - a)
        start = a + i + 1 if i >= 0 else (0 if a == 0 else -1)
        end = a + j + 1 if j >= 0 else (size if b == size else -1)
        if start >= 0 and end >= 0:
            return start, end
        if w > limit:
            raise BadRecord(
                f"record of more than {limit:,} bytes around byte offset {u:,} is larger "
                "than the limit for one record (raise it with --max-record-mb)"
            )
        w *= 2


# ---------------------------------------------------------------- the sample


@dataclass
class Drawn:
    """One distinct unit drawn (perhaps several times), with its counts once known."""

    file: int
    start: int
    size: int
    raw: Any = None
    values: dict[str, int] = field(default_factory=dict)
    is_doc: bool = False
    bad: bool = False


@dataclass
class SeekEstimate:
    """Hansen-Hurwitz estimates from z-values, as a stratum for ``combine``."""

    z: dict[str, list[float]]
    observed: dict[str, int]
    known_docs: int = 0
    scale: float = 1.0  # a file with too few draws: the pooled estimate scaled to it

    @property
    def n(self) -> int:
        return len(self.z["total"])

    @property
    def population(self) -> int:
        return round(self.estimate("docs")[0])

    def estimate(self, key: str) -> tuple[float, float, int]:
        zs = self.z[key]
        n = len(zs)
        if n == 0:
            return 0.0, 0.0, 0
        mean = math.fsum(zs) / n
        var = math.fsum((v - mean) ** 2 for v in zs) / (n - 1) / n if n > 1 else 0.0
        extra = self.known_docs if key == "docs" else 0
        observed = self.observed.get(key, 0)
        return mean * self.scale + extra, var * self.scale**2, observed


@dataclass
class FileSample:
    """What the sample says about one file."""

    estimate: SeekEstimate
    docs: list[Drawn]  # resampled documents for the per-document statistics
    draws: int
    pooled: bool  # too few draws of its own: the pooled tokens per byte scaled
    units: list[Drawn]  # the distinct units drawn from it


@dataclass
class GroupSample:
    total: SeekEstimate
    files: list[FileSample]
    docs: list[Drawn]
    units: list[Drawn]
    draws: int
    bytes_drawn: int
    population_bytes: int


def _resample(items: list[tuple[Drawn, float]], k: int, rng: random.Random) -> list[Drawn]:
    """k documents drawn with probability proportional to weight (importance resampling)."""
    docs = [(d, w) for d, w in items if d.is_doc]
    if not docs:
        return []
    return rng.choices([d for d, _ in docs], weights=[w for _, w in docs], k=k)


def draw_sample(
    sources: Sequence[Source],
    mode: str,
    amount: float,
    rng: random.Random,
    count: Callable[[list[Drawn]], None],
) -> GroupSample:
    """Draw and count the seek sample of ``sources``; raises TooMuch past the share cap.

    ``count`` fills each Drawn's ``values`` (and ``is_doc``) from its ``raw`` bytes.
    """
    sizes = [int(s.size or 0) for s in sources]
    total_bytes = sum(sizes)
    if total_bytes == 0:
        raise TooMuch
    ends = [sum(sizes[: i + 1]) for i in range(len(sizes))]
    rows = [s.parquet_rows() if s.seek_kind == "rows" else 0 for s in sources]
    readers: dict[int, RangeReader] = {}
    units: dict[tuple[int, int], Drawn] = {}
    draws: list[tuple[Drawn, float]] = []  # (unit, p within its file)
    distinct = 0
    cap = SEEK_MAX_SHARE * total_bytes
    want = amount * total_bytes if mode == "fraction" else 0.0
    prefetch = Prefetch(sources, sizes, ends)
    try:
        while True:
            if mode == "fraction":
                if distinct >= want and len(draws) >= MIN_DRAWS:
                    break
            elif len(draws) >= amount:
                break
            if prefetch.active and len(draws) >= prefetch.ahead:
                prefetch.plan(rng, rows, _batch(mode, amount, want, len(draws), distinct))
            u = rng.randrange(total_bytes)
            k = bisect.bisect_right(ends, u)
            src = sources[k]
            offset = u - (ends[k] - sizes[k])
            kind = src.seek_kind
            if kind == "rows":
                if not rows[k]:
                    raise TooMuch  # an empty table holds no row to draw: read it whole
                row = rng.randrange(rows[k])
                unit = units.get((k, row))
                if unit is None:
                    unit = units[k, row] = Drawn(k, row, max(1, sizes[k] // rows[k]))
                    distinct += unit.size
                draws.append((unit, 1 / rows[k]))
                if distinct > cap:
                    raise TooMuch
                continue
            rd = readers.get(k)
            if rd is None:
                rd = src.open_ranges()
                if prefetch.remote[k]:
                    rd = prefetch.reader(k, rd)
                readers[k] = rd
            try:
                if kind == "lines":
                    start, end = locate_line(rd.read, offset, sizes[k], src.max_record)
                else:
                    start, end = locate_chunk(rd.read, offset, sizes[k], MAX_CHUNK_WINDOW)
            except BadRecord as exc:  # a line above the record limit: a bad unit of its own
                unit = Drawn(k, offset, src.max_record, exc)
                units[k, -offset - 1] = unit
                distinct += unit.size
                draws.append((unit, src.max_record / sizes[k]))
                if distinct > cap:
                    raise TooMuch from None
                continue
            except TooLargeError as exc:
                raise TooLargeError(f"{src.name}: {exc}", exc.offset) from None
            p_in = (end - start) / sizes[k]
            unit = units.get((k, start))
            if unit is None:
                unit = units[k, start] = Drawn(k, start, end - start, rd.read(start, end))
                distinct += unit.size
                if distinct > cap:
                    raise TooMuch
            draws.append((unit, p_in))
    finally:
        for rd in readers.values():
            rd.close()
    for k, src in enumerate(sources):
        if src.seek_kind == "rows":
            wanted = sorted(u.start for u in units.values() if u.file == k)
            values = src.parquet_values(wanted)
            for start in wanted:
                units[k, start].raw = values[start]
    count(list(units.values()))
    return _estimates(sources, sizes, total_bytes, draws, units, rng, int(distinct))


def _batch(mode: str, amount: float, want: float, done: int, distinct: float) -> int:
    """How many draws to fetch ahead: those still needed, as far as can be told."""
    if mode == "fraction":
        per_draw = distinct / done if done and distinct else 0.0
        more = (want - distinct) / per_draw if per_draw else REMOTE_BATCH[0]
        left = max(MIN_DRAWS - done, math.ceil(more))
    else:
        left = math.ceil(amount) - done
    return min(REMOTE_BATCH[1], max(REMOTE_BATCH[0], left))


def _z(draws: list[tuple[Drawn, float]], scale: float) -> dict[str, list[float]]:
    return {key: [u.values.get(key, 0) / (p * scale) for u, p in draws] for key in KEYS}


def _observed(units: list[Drawn]) -> dict[str, int]:
    return {key: sum(u.values.get(key, 0) for u in units) for key in KEYS}


def _estimates(
    sources: Sequence[Source],
    sizes: list[int],
    total_bytes: int,
    draws: list[tuple[Drawn, float]],
    units: dict[tuple[int, int], Drawn],
    rng: random.Random,
    distinct: int,
) -> GroupSample:
    chunked = sum(1 for s in sources if s.seek_kind == "chunks")
    pooled = [(u, p * sizes[u.file] / total_bytes) for u, p in draws]
    total = SeekEstimate(_z(pooled, 1.0), _observed(list(units.values())), chunked)
    files = []
    for k, src in enumerate(sources):
        mine = [(u, p) for u, p in draws if u.file == k]
        seen = [u for u in units.values() if u.file == k]
        known = 1 if src.seek_kind == "chunks" else 0
        if len(mine) >= 2:
            est = SeekEstimate(_z(mine, 1.0), _observed(seen), known)
        else:
            share = sizes[k] / total_bytes
            est = SeekEstimate(total.z, _observed(seen), known, scale=share)
        docs = _resample([(u, 1 / p) for u, p in mine], len(mine), rng)
        files.append(FileSample(est, docs, len(mine), len(mine) < 2, seen))
    docs = _resample([(u, 1 / p) for u, p in pooled], len(draws), rng)
    everything = list(units.values())
    return GroupSample(total, files, docs, everything, len(draws), distinct, total_bytes)


def doc_of(src: Source, unit: Drawn, parse: Callable[[Unit], Doc]) -> Doc | None:
    """The document a drawn unit holds (None for a blank line); raises BadRecord."""
    if isinstance(unit.raw, BadRecord):
        raise unit.raw
    kind = src.seek_kind
    if kind == "chunks":
        data: bytes = unit.raw
        if unit.start == 0 and data.startswith(b"\xef\xbb\xbf"):
            data = data[3:]
        nul = data.find(b"\x00")
        if nul >= 0:
            raise InputError(
                f"{src.name}: binary file (NUL byte at byte offset {unit.start + nul})"
            )
        try:
            return Doc([data.decode("utf-8")])
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{src.name}: not valid UTF-8 at byte offset {unit.start + exc.start}; "
                "convert the file to UTF-8"
            ) from None
    if kind == "lines":
        line: bytes = unit.raw
        if line.isspace() or not line:
            return None
        where = 1 if unit.start == 0 else 0
        if src.container == "text" and where == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        return parse(Unit(line, len(line), where))
    return parse(Unit(unit.raw, None, unit.start + 1))


def tally_units(units: list[Drawn], docs: list[Doc | None], tally: Any) -> None:
    """Count the parsed units' documents and store each unit's values.

    A chunk of a whole text file is part of a document (``docs`` 0); a blank line or
    a skipped record counts nothing.
    """
    live = [(u, d) for u, d in zip(units, docs, strict=True) if d is not None]
    for u, d in zip(units, docs, strict=True):
        if d is None:
            u.values = dict.fromkeys(KEYS, 0)
    if not live:
        return
    prompt, completion = tally([d for _, d in live])
    for i, (u, d) in enumerate(live):
        c = completion[i] if completion is not None else 0
        u.values = {
            "total": prompt[i] + c,
            "prompt": prompt[i],
            "completion": c,
            "chars": doc_chars(d),
            "docs": 1 if u.is_doc else 0,
        }


def where_in(src: Source, unit: Drawn) -> str:
    """'file: record at byte offset N' (seeks do not know line numbers), or 'file:row N'."""
    if src.seek_kind == "rows":
        return src.where(unit.start + 1)
    return f"{src.name}: record at byte offset {unit.start:,}"
