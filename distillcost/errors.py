"""One error hierarchy for the whole package.

Core modules raise these; only the CLI turns them into ``Error: …`` and an exit
code, so library users get ordinary exceptions and CLI users get one clear line.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class DistillcostError(Exception):
    """Base class: anything the user can fix by changing their input."""

    exit_code = 1


class InputError(DistillcostError):
    """A file, stream or record that cannot be read as asked."""


class ConfigFileError(InputError):
    """A configuration file (scenario, price table, template) that cannot be used as one:
    missing, not a regular file, too large, not UTF-8. ``reason`` is the message without
    the file name, for readers that file it with a line number."""

    def __init__(self, path: str, reason: str, line: int | None = None) -> None:
        super().__init__(f"{path}:{line}: {reason}" if line else f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.line = line


class TooLargeError(InputError):
    """Input that cannot be counted within distillcost's fixed memory bound.

    A record above the record limit, or a run of text with no point where it can be
    cut without changing its count. ``offset`` is where it starts (characters into
    the text that was being counted) when known.
    """

    def __init__(self, message: str, offset: int | None = None, index: int | None = None) -> None:
        super().__init__(message)
        self.offset = offset
        self.index = index  # which text of a batch, for the caller to name its record


class UnknownNameError(DistillcostError):
    """A model, encoding or other name that is not known; suggests close matches."""

    def __init__(self, kind: str, name: str, known: Iterable[str], hint: str = "") -> None:
        self.kind = kind
        self.name = name
        self.suggestions = did_you_mean(name, known)
        message = f"unknown {kind} {name!r}."
        if self.suggestions:
            message += " Did you mean: " + ", ".join(self.suggestions) + "?"
        if hint:
            message += " " + hint
        super().__init__(message)


class UnknownModelError(UnknownNameError):
    def __init__(self, name: str, known: Iterable[str], hint: str = "") -> None:
        super().__init__("model", name, known, hint)


class AmbiguousModelError(DistillcostError):
    """A name several providers sell: the user must say which one (``provider/model``)."""

    def __init__(self, name: str, candidates: list[str]) -> None:
        self.name = name
        self.suggestions = candidates
        shown = ", ".join(candidates[:6]) + (
            f" (and {len(candidates) - 6} more)" if len(candidates) > 6 else ""
        )
        super().__init__(
            f"model {name!r} is sold by several providers: {shown}. Did you mean one of "
            "them? Name it as provider/model."
        )


class UnknownEncodingError(UnknownNameError):
    def __init__(self, name: str, known: Iterable[str], hint: str = "") -> None:
        super().__init__("encoding", name, known, hint)


class VocabularyError(DistillcostError):
    """A vocabulary file that is missing or fails its SHA-256 check."""


class PriceDataError(DistillcostError):
    """A price table that is malformed or inconsistent (names file, row, field)."""


class FieldError(PriceDataError):
    """One bad value in a price table; the reader files it with its file, line and field."""


class ScoreDataError(DistillcostError):
    """A capability-score file that is malformed (names file, line, row, field)."""


class CapabilityError(DistillcostError):
    """A capability bar that cannot be read or cannot be evaluated honestly."""


class ScenarioError(DistillcostError):
    """A scenario that is impossible or malformed (names the field)."""


class RangeError(DistillcostError):
    """A value that is not a number or a well-formed range ``low..base..high``."""


class SweepError(ScenarioError):
    """A ``--vary`` specification that cannot describe a grid."""


class FormatError(DistillcostError):
    """A value that is not the kind of quantity asked for (a template passing text to money)."""


class RenderError(DistillcostError):
    """A report template that is missing or fails to render."""


def did_you_mean(name: str, known: Iterable[str], n: int = 3) -> list[str]:
    """Close matches for a mistyped name, ignoring case and punctuation differences."""
    known = list(known)

    def fold(s: str) -> str:
        return "".join(ch for ch in s.lower() if ch.isalnum())

    folded = {fold(k): k for k in known}
    exact = folded.get(fold(name))
    if exact is not None:
        return [exact]
    matches = difflib.get_close_matches(name.lower(), [k.lower() for k in known], n=n, cutoff=0.6)
    by_lower = {k.lower(): k for k in known}
    return [by_lower[m] for m in matches]


def os_reason(exc: OSError) -> str:
    """An operating-system error's reason in words, for a one-line message."""
    if isinstance(exc, PermissionError):
        return "permission denied"
    return (exc.strerror or type(exc).__name__).lower()


class NotAvailableError(DistillcostError):
    """A model asked for on a date when it had no price (not yet released, or retired)."""


class Stopped(KeyboardInterrupt):
    """A stop signal (SIGTERM, SIGHUP) raised where the program is, as Ctrl-C is.

    Being a ``KeyboardInterrupt`` it unwinds through every ``finally`` and clean-up that
    Ctrl-C does (atomic writes remove their temp file), where the default action of
    SIGTERM would end the process on the spot.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class ConfigWarning(UserWarning):
    """Part of the user's optional configuration skipped (unreadable, not a directory)."""


class PriceWarning(UserWarning):
    """Something worth telling the user that does not stop loading (e.g. skipped rows)."""
