"""A token profile measured from data files: prompt and completion tokens per request.

Files drive the scenario: the records of a chat, instruction or prompt file are the
campaign's volume when none is given (one request per record, or per assistant turn),
and a multi-turn chat file is priced one request per assistant turn, each resending the
history before it, from the turns it holds (``one_shot`` regenerates each conversation
in one request instead).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from distillcost.errors import ScenarioError
from distillcost.ranges import Range
from distillcost.scenario.model import VOLUME_FIELDS, MeasuredTurns, Scenario


def measure_profile(sc: Scenario, encoding: str | None = None) -> Scenario:
    """Fill prompt/completion tokens (means) and prompt lengths from files.

    Values given explicitly (flag or file) are kept; measured ones are marked
    ``"measured"``. Counting is imported lazily: numeric scenarios never load a
    tokenizer.
    """
    from distillcost.counting import count_files
    from distillcost.counting.turns import count_turns

    enc = sc.encoding or encoding or "o200k_base"
    provenance = dict(sc.provenance)
    changes: dict[str, Any] = {}
    lengths: tuple[int, ...] = ()
    measured: list[str] = []

    def _mean(dist: Any, source: str, files: tuple[str, ...]) -> Decimal:
        if not dist.count:
            raise ScenarioError(f"{source}: no records to measure in {', '.join(files)}")
        return Decimal(dist.total) / Decimal(dist.count)

    sample: float | int | None = None
    if sc.sample is not None:
        sample = float(sc.sample) if sc.sample <= 1 else int(sc.sample)

    def _explicit(name: str, source: str) -> bool:
        """A number given for ``name`` is kept unless a flag asked to measure it
        and the number only came from the file: flags win over the file, so
        ``--chat-file`` on a scenario file with prompt_tokens = 300 measures (the
        file's 300 silently won before and the chat file was ignored)."""
        given = provenance.get(name)
        if given == "file":
            return provenance.get(source) != "flag"
        return given in ("flag", "given", "override")

    records: int | None = None
    turns: MeasuredTurns | None = None
    per_turn = not sc.one_shot and sc.turns.high == 1  # turns given: the user's own model
    both = not _explicit("prompt_tokens", "chat_file") and not _explicit(
        "completion_tokens", "chat_file"
    )
    counted = (
        count_turns(list(sc.chat_file), encoding=enc, sample=sample, seed=0)
        if sc.chat_file and both and (per_turn or sc.one_shot)
        else None
    )
    if counted is not None:
        # chat or ShareGPT: every conversation's turns, read once
        records = counted.records
        if counted.multi_turn and per_turn:
            requests = counted.requests
            changes["prompt_tokens"] = Range.of(Decimal(counted.prompt_tokens) / requests)
            changes["completion_tokens"] = Range.of(Decimal(counted.output_tokens) / requests)
            lengths = counted.input_lengths
            turns = MeasuredTurns(
                conversations=counted.conversations,
                requests=requests,
                input_tokens=counted.input_tokens,
                prompt_tokens=counted.prompt_tokens,
                output_tokens=counted.output_tokens,
                records=counted.records,
                sampled=counted.sampled,
            )
        else:
            conversations = Decimal(counted.conversations)
            changes["prompt_tokens"] = Range.of(counted.prompt_tokens / conversations)
            changes["completion_tokens"] = Range.of(counted.output_tokens / conversations)
            lengths = counted.prompt_lengths
        measured += ["prompt_tokens", "completion_tokens"]
    elif sc.chat_file:
        result = count_files(list(sc.chat_file), encoding=enc, sample=sample)
        profile = result.total
        records = profile.documents
        if profile.prompt is None or profile.completion is None:
            raise ScenarioError(
                "chat_file: the files have no prompt/completion sides (use chat or "
                "instruction JSONL, or prompt_file and completion_file)"
            )
        if not _explicit("prompt_tokens", "chat_file"):
            changes["prompt_tokens"] = Range.of(_mean(profile.prompt, "chat_file", sc.chat_file))
            lengths = tuple(profile.prompt.values_sample)
            measured.append("prompt_tokens")
        if not _explicit("completion_tokens", "chat_file"):
            changes["completion_tokens"] = Range.of(
                _mean(profile.completion, "chat_file", sc.chat_file)
            )
            measured.append("completion_tokens")
    if sc.prompt_file and not _explicit("prompt_tokens", "prompt_file"):
        result = count_files(list(sc.prompt_file), encoding=enc, field=sc.field, sample=sample)
        profile = result.total
        dist = profile.total
        changes["prompt_tokens"] = Range.of(_mean(dist, "prompt_file", sc.prompt_file))
        lengths = tuple(dist.values_sample)
        measured.append("prompt_tokens")
        records = records if records is not None else profile.documents
    if sc.completion_file and not _explicit("completion_tokens", "completion_file"):
        result = count_files(
            list(sc.completion_file),
            encoding=enc,
            field=sc.completion_field or sc.field,
            sample=sample,
        )
        profile = result.total
        changes["completion_tokens"] = Range.of(
            _mean(profile.total, "completion_file", sc.completion_file)
        )
        measured.append("completion_tokens")
        records = records if records is not None else profile.documents
    if records is not None and not any(getattr(sc, name) is not None for name in VOLUME_FIELDS):
        # no volume given: the records are the campaign (one request each, or per turn)
        changes["requests"] = Range.of(_requests(sc, records, turns))
        measured.append("requests")
    for name in measured:
        provenance[name] = "measured"
    return dataclasses.replace(
        sc,
        **changes,
        prompt_lengths=tuple(sorted(lengths)) if "prompt_tokens" in measured else sc.prompt_lengths,
        measured_encoding=enc if measured else sc.measured_encoding,
        measured_fields=tuple(measured),
        measured_turns=turns,
        measured_records=records,
        provenance=provenance,
    )


def _requests(sc: Scenario, records: int, turns: MeasuredTurns | None) -> Decimal:
    """The requests that send every record once: per assistant turn (measured) or per
    turn given, times the samples when each is its own request."""
    samples = sc.samples_per_prompt.base if sc.input_billed_per_sample else Decimal(1)
    if turns is not None:  # the turns counted, scaled to every record when sampled
        return Decimal(records) * turns.requests / turns.conversations * samples
    return records * sc.turns.base * samples
