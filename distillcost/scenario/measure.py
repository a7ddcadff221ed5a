"""A token profile measured from data files: prompt and completion tokens per request."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from distillcost.errors import ScenarioError
from distillcost.ranges import Range
from distillcost.scenario.model import Scenario


def measure_profile(sc: Scenario, encoding: str | None = None) -> Scenario:
    """Fill prompt/completion tokens (means) and prompt lengths from files.

    Values given explicitly (flag or file) are kept; measured ones are marked
    ``"measured"``. Counting is imported lazily: numeric scenarios never load a
    tokenizer.
    """
    from distillcost.counting import count_files

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

    if sc.chat_file:
        result = count_files(list(sc.chat_file), encoding=enc, sample=sample)
        profile = result.total
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
    for name in measured:
        provenance[name] = "measured"
    return dataclasses.replace(
        sc,
        **changes,
        prompt_lengths=tuple(sorted(lengths)) if "prompt_tokens" in measured else sc.prompt_lengths,
        measured_encoding=enc if measured else sc.measured_encoding,
        measured_fields=tuple(measured),
        provenance=provenance,
    )
