"""The turn structure of chat files: what regenerating every assistant turn sends and returns.

Regenerating a conversation of a chat (or ShareGPT) file turn by turn sends one request
per assistant message, and each request carries every message before it — the history
resent, earlier replies included. With OpenAI's chat recipe (see
:mod:`distillcost.counting`), the request for the assistant message at position ``a``::

    input  = 3 (reply priming) + sum over messages before a of
               3 + tokens(role) + tokens(content) [+ tokens(name) + 1 if named]
    output = tokens(content of message a)

A conversation with no assistant message is one request sending all of it. The prompt
side counted once (what the dataset keeps) is the same formula over every
non-assistant message: exactly what ``count`` reports as the prompt, so a file of
single-turn conversations gives the same numbers either way.

Every record is read; with ``sample`` only a seeded random share (or number per file)
of them is tokenized, and totals are the sample's.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from distillcost.errors import InputError
from distillcost.profile import Reservoir
from distillcost.readers import (
    DEFAULT_GLOB,
    MAX_RECORD_BYTES,
    BadRecord,
    Doc,
    open_source,
    walk_inputs,
)

CHAT_SCHEMAS = ("chat", "sharegpt")
BATCH_DOCS = 5_000


@dataclass(frozen=True)
class TurnCount:
    """Turn totals over the conversations counted (all, or a sample)."""

    records: int  # conversations in the files
    conversations: int  # conversations counted
    requests: int  # one per assistant turn (1 for a conversation with none)
    input_tokens: int  # what those requests send, history resent
    prompt_tokens: int  # the prompt side, counted once
    output_tokens: int  # the assistant replies
    input_lengths: tuple[int, ...]  # a sample of per-request input tokens, sorted
    prompt_lengths: tuple[int, ...]  # a sample of per-conversation prompt sides, sorted
    encoding: str
    sampled: bool = False

    @property
    def multi_turn(self) -> bool:
        return self.requests > self.conversations


class _Turns:
    """Per-conversation totals from a Doc's layout and its texts' token counts."""

    def __init__(self, counter: Any) -> None:
        self.counter = counter
        self._roles: dict[str, int] = {}

    def role(self, name: str) -> int:
        n = self._roles.get(name)
        if n is None:
            n = self._roles[name] = self.counter.count(name)
        return n

    def __call__(self, docs: Sequence[Doc]) -> list[tuple[list[int], int, int]]:
        """For each doc: (input tokens of each of its requests, prompt side, output)."""
        texts: list[str] = []
        for d in docs:
            texts.extend(d.prompt)
            texts.extend(d.completion or ())
        counts = self.counter.count_batch(texts) if texts else []
        out = []
        i = 0
        assistant = 3 + self.role("assistant")
        for d in docs:
            prompt = counts[i : i + len(d.prompt)]
            i += len(d.prompt)
            completion = counts[i : i + len(d.completion or ())]
            i += len(d.completion or ())
            history = prompt_side = output = pi = ci = ri = 0
            inputs: list[int] = []
            for entry in d.layout:
                if entry < 0:
                    n = -entry - 1
                    reply = sum(completion[ci : ci + n])
                    ci += n
                    inputs.append(3 + history)
                    output += reply
                    history += assistant + reply
                else:
                    n, named = divmod(entry, 2)
                    message = 3 + self.role(d.roles[ri]) + sum(prompt[pi : pi + n]) + named
                    pi += n
                    ri += 1
                    history += message
                    prompt_side += message
            if not inputs:  # nothing answered yet: one request sends it all
                inputs.append(3 + history)
            out.append((inputs, 3 + prompt_side, output))
        return out


def count_turns(
    paths: Sequence[str | os.PathLike[str]],
    *,
    encoding: str = "o200k_base",
    sample: float | int | None = None,
    seed: int = 0,
) -> TurnCount | None:
    """The turn totals of chat/ShareGPT files; None when any file holds another format.

    ``sample``: a fraction of conversations, or a number of them per file, to tokenize.
    """
    from distillcost.counting import _counter_for, _sample_mode
    from distillcost.tokens import require_encoding

    enc = require_encoding(encoding)
    mode, amount = _sample_mode(sample)
    names, _ = walk_inputs(list(paths), DEFAULT_GLOB)
    sources = []
    try:
        for name in names:
            src = open_source(name, "auto", None, False, MAX_RECORD_BYTES)
            sources.append(src)
            if src.schema not in CHAT_SCHEMAS:
                return None
        counter = _counter_for(sources, enc, "auto", None, mode, amount)
        turns = _Turns(counter)
        rng = random.Random(f"{seed}/turns")
        totals = [0, 0, 0, 0, 0, 0]  # records, conversations, requests, input, prompt, output
        inputs = Reservoir(100_000, seed)
        prompts = Reservoir(100_000, seed)

        def take(docs: Sequence[Doc]) -> None:
            for request_inputs, prompt, output in turns(docs):
                totals[1] += 1
                totals[2] += len(request_inputs)
                totals[3] += sum(request_inputs)
                totals[4] += prompt
                totals[5] += output
                inputs.extend(request_inputs)
                prompts.add(prompt)

        for src in sources:
            chosen: Iterable[Doc]
            docs = _docs(src)
            if mode == "n":
                pick = Reservoir(int(amount), rng.randrange(2**32))
                for doc in docs:
                    totals[0] += 1
                    pick.add(doc)
                chosen = pick.items
            else:
                chosen = _counted(docs, totals, rng, amount if mode == "fraction" else None)
            batch: list[Doc] = []
            for doc in chosen:
                batch.append(doc)
                if len(batch) >= BATCH_DOCS:
                    take(batch)
                    batch = []
            take(batch)
    finally:
        for src in sources:
            src.close()
    records, conversations, requests, input_tokens, prompt_tokens, output_tokens = totals
    if not conversations:
        raise InputError(f"chat_file: no conversations to measure in {', '.join(names)}")
    return TurnCount(
        records=records,
        conversations=conversations,
        requests=requests,
        input_tokens=input_tokens,
        prompt_tokens=prompt_tokens,
        output_tokens=output_tokens,
        input_lengths=tuple(sorted(inputs.items)),
        prompt_lengths=tuple(sorted(prompts.items)),
        encoding=enc,
        sampled=bool(mode) and conversations < records,
    )


def _docs(src: Any) -> Iterable[Doc]:
    """Every conversation of ``src``; a malformed one is an error naming its place."""

    def bad(where: int, exc: BadRecord) -> None:
        raise InputError(f"{src.where(where)}: {exc}")

    for batch in src.doc_batches(bad):
        yield from batch


def _counted(
    docs: Iterable[Doc], totals: list[int], rng: random.Random, share: float | None
) -> Iterable[Doc]:
    """Every doc (counted in ``totals[0]``), or a Bernoulli sample of ``share`` of them."""
    for doc in docs:
        totals[0] += 1
        if share is None or rng.random() < share:
            yield doc
