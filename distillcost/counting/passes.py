"""The two ways through one file: count every document, or a random sample of them.

Documents flow in batches through the tokenizer on a helper thread while the next
batch is read (:func:`pipelined`); chat records get their per-message overhead
from :class:`_Tally`; a sample is drawn without parsing the records it skips.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate
from typing import Any

from distillcost.counting.estimation import Stratum
from distillcost.counting.seek import Drawn, doc_of, tally_units, where_in
from distillcost.errors import InputError
from distillcost.profile import ProfileBuilder
from distillcost.readers import (
    WHOLE_BLOCK,
    BadRecord,
    Doc,
    LineBlock,
    Source,
    Unit,
    doc_bytes,
    doc_chars,
)

BATCH_CHARS = 1 << 20  # tokenizer memory grows with the batch: keep it small
BATCH_DOCS = 20_000
MAX_WARNINGS = 5


class _Tally:
    """Turns batches of Docs into per-document prompt/completion counts."""

    def __init__(self, counter: Any) -> None:
        self.counter = counter
        self._roles: dict[str, int] = {}
        self._overheads: dict[tuple[tuple[str, ...], int], int] = {}

    def role_tokens(self, role: str) -> int:
        n = self._roles.get(role)
        if n is None:
            n = self._roles[role] = self.counter.count(role)
        return n

    def overhead(self, roles: tuple[str, ...], names: int) -> int:
        """Chat prompt overhead: 3 priming + per message 3 + tokens(role), + 1 per name."""
        key = (roles, names)
        n = self._overheads.get(key)
        if n is None:
            n = 3 + 3 * len(roles) + names + sum(self.role_tokens(r) for r in roles)
            self._overheads[key] = n
        return n

    def __call__(self, docs: Sequence[Doc]) -> tuple[list[int], list[int] | None]:
        simple = True
        for d in docs:
            if len(d.prompt) != 1 or d.completion is not None:
                simple = False
                break
        if simple:  # one text per document: the counts are the answer
            return self.counter.count_batch([d.prompt[0] for d in docs]), None
        texts: list[str] = []
        extend = texts.extend
        for d in docs:
            extend(d.prompt)
            if d.completion:
                extend(d.completion)
        prefix = [0, *accumulate(self.counter.count_batch(texts))]
        prompt: list[int] = []
        completion: list[int] = []
        i = 0
        overhead = self.overhead
        for d in docs:
            j = i + len(d.prompt)
            p = prefix[j] - prefix[i]
            i = j
            if d.completion:
                j = i + len(d.completion)
                c = prefix[j] - prefix[i]
                i = j
            else:
                c = 0
            if d.chat:
                p += overhead(d.roles, d.names)
            prompt.append(p)
            completion.append(c)
        return prompt, completion


class _LineView(Sequence[tuple[None, Unit, int]]):
    """The non-blank lines of a block as sampling items, built only when looked at."""

    def __init__(self, blk: LineBlock) -> None:
        self._blk = blk

    def __len__(self) -> int:
        return len(self._blk.keep)

    def __getitem__(self, k: Any) -> Any:
        i = self._blk.keep[k]
        line = self._blk.lines[i]
        return (None, Unit(line, len(line) + 1, self._blk.first_line + i), len(line) + 1)


def pipelined(
    batches: Iterable[Any], work: Callable[[Any], Any], done: Callable[[Any, Any], None]
) -> None:
    """``done(batch, work(batch))`` for each batch, in order, with ``work`` on a thread.

    The tokenizer releases the GIL, so batch i is counted while the main thread reads
    and parses batch i+1; at most two batches are in memory.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="distillcost-count") as pool:
        previous = None
        for batch in batches:
            future = pool.submit(work, batch)
            if previous is not None:
                done(previous[0], previous[1].result())
            previous = (batch, future)
        if previous is not None:
            done(previous[0], previous[1].result())


class Run:
    """One call of count_files: shared counter, builders, warnings."""

    def __init__(
        self,
        counter: Any,
        skip_bad: bool,
        seed: int,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.counter = counter
        self.tally = _Tally(counter)
        self.skip_bad = skip_bad
        self.seed = seed
        self.progress = progress
        self.warnings: list[str] = []
        self.skipped = 0

    def bad(self, src: Source, where: int, exc: BadRecord) -> None:
        """A bad record at line (or record) ``where`` of ``src``."""
        self.bad_at(src, src.where(where), exc)

    def bad_at(self, src: Source, where: str, exc: BadRecord) -> None:
        """A bad record named by a place other than a line number (a byte offset)."""
        message = f"{where}: {exc}"
        if not self.skip_bad:
            hint = " (use --skip-bad to skip such records)" if src.container != "text" else ""
            raise InputError(message + hint) from None
        self.skipped += 1
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append("skipped " + message)

    def seek_counter(self, sources: Sequence[Source]) -> Callable[[list[Drawn]], None]:
        """Counts drawn units (see :mod:`distillcost.counting.seek`) in batches."""
        parsers = [src.parser() for src in sources]

        def count(units: list[Drawn]) -> None:
            units = sorted(units, key=lambda u: (u.file, u.start))
            batch: list[Drawn] = []
            docs: list[Doc | None] = []
            size = 0
            for u in units:
                src = sources[u.file]
                try:
                    doc = doc_of(src, u, parsers[u.file])
                except BadRecord as exc:
                    self.bad_at(src, where_in(src, u), exc)
                    doc = None
                    u.bad = True
                u.is_doc = doc is not None and src.seek_kind != "chunks"
                batch.append(u)
                docs.append(doc)
                size += u.size
                if size >= BATCH_CHARS or len(batch) >= BATCH_DOCS:
                    tally_units(batch, docs, self.tally)
                    batch, docs, size = [], [], 0
            tally_units(batch, docs, self.tally)

        return count

    def record(
        self,
        docs: list[Doc],
        counted: tuple[list[int], list[int] | None],
        builders: Sequence[ProfileBuilder],
    ) -> None:
        prompt, completion = counted
        self.add_counts(sum(doc_chars(d) for d in docs), prompt, completion, builders)

    @staticmethod
    def add_counts(
        chars: int,
        prompt: list[int],
        completion: list[int] | None,
        builders: Sequence[ProfileBuilder],
    ) -> None:
        """Add one batch's per-document counts to every builder (per side where sided)."""
        for b in builders:
            b.characters += chars
            if b.sided:
                b.add(prompt, completion)
            elif completion is not None:
                b.add([p + c for p, c in zip(prompt, completion, strict=True)])
            else:
                b.add(prompt)

    # -- exact --------------------------------------------------------------------

    def exact(self, src: Source, builders: Sequence[ProfileBuilder]) -> int:
        """Count every document of ``src``; returns how many records were skipped."""
        skipped_before = self.skipped
        if src.whole_text:
            chars = 0

            def blocks() -> Iterable[str]:
                nonlocal chars
                for block in src.text_blocks(self.progress, WHOLE_BLOCK):
                    chars += len(block)
                    yield block

            n = self.counter.count_chunks(blocks())
            for b in builders:
                b.characters += chars
                b.add([n], [0]) if b.sided else b.add([n])
            return 0

        def on_bad(where: int, exc: BadRecord) -> None:
            self.bad(src, where, exc)

        if src.one_text:

            def record_texts(texts: list[str], counts: list[int]) -> None:
                chars = sum(map(len, texts))
                for b in builders:
                    b.characters += chars
                    b.add(counts)

            texts = src.text_batches(on_bad, self.progress)
            pipelined(texts, self.counter.count_batch, record_texts)
        else:
            docs = src.doc_batches(on_bad, self.progress, BATCH_CHARS, BATCH_DOCS)
            pipelined(docs, self.tally, lambda d, counted: self.record(d, counted, builders))
        return self.skipped - skipped_before

    # -- sampled ------------------------------------------------------------------

    def sampled(
        self,
        src: Source,
        index: int,
        mode: str,
        amount: float,
        builders: Sequence[ProfileBuilder],
    ) -> tuple[Stratum, int]:
        """Sample ``src``; returns its stratum and how many records were skipped."""
        rng = random.Random(f"{self.seed}/{index}")
        stratum = Stratum()
        parse = src.parser()
        skipped_before = self.skipped
        batch: list[tuple[Doc | None, Unit, int]] = []

        def on_bad(where: int, exc: BadRecord) -> None:
            self.bad(src, where, exc)

        def measured(unit: Unit) -> tuple[Doc | None, int] | None:
            if unit.size is not None:
                return None, unit.size
            try:
                doc = parse(unit)
            except BadRecord as exc:
                self.bad(src, unit.where, exc)
                return None
            return doc, doc_bytes(doc)

        def take(items: list[tuple[Doc | None, Unit, int]]) -> None:
            docs: list[Doc] = []
            sizes: list[int] = []
            for doc, unit, x in items:
                if doc is None:
                    try:
                        doc = parse(unit)
                    except BadRecord as exc:
                        self.bad(src, unit.where, exc)
                        stratum.add_sample(x, {"total": 0, "prompt": 0, "completion": 0})
                        continue
                docs.append(doc)
                sizes.append(x)
            if not docs:
                return
            prompt, completion = self.tally(docs)
            chars = 0
            for i, d in enumerate(docs):
                c = completion[i] if completion is not None else 0
                n_chars = doc_chars(d)
                chars += n_chars
                stratum.add_sample(
                    sizes[i],
                    {
                        "total": prompt[i] + c,
                        "prompt": prompt[i],
                        "completion": c,
                        "chars": n_chars,
                    },
                )
            if not src.whole_text:
                self.add_counts(chars, prompt, completion, builders)

        if mode == "fraction":
            log_q = math.log1p(-amount) if amount < 1 else -math.inf
            random_ = rng.random
            log = math.log

            def gap() -> int:
                if amount >= 1:
                    return 0
                return int(log(random_() or 1e-300) / log_q)

            skip = gap()
            size = 0
            if src.line_based:  # skip whole runs of lines without touching them
                for blk in src.line_blocks(self.progress, on_bad):
                    stratum.add_population_bulk(len(blk.keep), blk.size)
                    view = _LineView(blk)
                    pos = skip
                    while pos < len(view):
                        item = view[pos]
                        batch.append(item)
                        size += item[2]
                        if size >= BATCH_CHARS or len(batch) >= BATCH_DOCS:
                            take(batch)
                            batch = []
                            size = 0
                        pos += gap() + 1
                    skip = pos - len(view)
            else:
                for unit in src.units(self.progress, on_bad):
                    m = measured(unit)
                    if m is None:
                        continue
                    stratum.add_population(m[1])
                    if skip:
                        skip -= 1
                        continue
                    skip = gap()
                    batch.append((m[0], unit, m[1]))
                    size += m[1]
                    if size >= BATCH_CHARS or len(batch) >= BATCH_DOCS:
                        take(batch)
                        batch = []
                        size = 0
            take(batch)
        else:
            from distillcost.profile import Reservoir

            reservoir = Reservoir(int(amount), rng.randrange(2**32))
            if src.line_based:
                for blk in src.line_blocks(self.progress, on_bad):
                    stratum.add_population_bulk(len(blk.keep), blk.size)
                    reservoir.extend(_LineView(blk))
            else:
                for unit in src.units(self.progress, on_bad):
                    m = measured(unit)
                    if m is None:
                        continue
                    stratum.add_population(m[1])
                    reservoir.add((m[0], unit, m[1]))
            chosen = sorted(reservoir.items, key=lambda item: item[1].where)
            for start in range(0, len(chosen), BATCH_DOCS):
                take(chosen[start : start + BATCH_DOCS])
        return stratum, self.skipped - skipped_before
