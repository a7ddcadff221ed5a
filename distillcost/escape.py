"""Untrusted text made inert for where it is shown: a terminal, or Markdown.

Model names, file names, notes and plugin data are third-party text. In a terminal
an escape sequence could retitle, clear or rewrite the screen (:func:`visible`); in
Markdown, ``![x](http://…)`` in a scenario name would become an image fetched from
anywhere (:func:`md`, :func:`md_table`). HTML is escaped by Jinja's autoescape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from distillcost.errors import RenderError

DASH = "—"

# C0 and C1 control characters, except tab and newline (kept where text may span lines).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f]")


DEGRADE_ERRORS = "distillcost-degrade"
"""The codec error handler :func:`degrade_unencodable` is registered under (by the CLI)."""

_PLAINER = {
    "→": "->", "←": "<-", "↔": "<->", "≈": "~", "≤": "<=", "≥": ">=", "≠": "!=",
    "×": "x", "÷": "/", "±": "+/-", "−": "-", "–": "-", "—": "--", "…": "...",
    "‘": "'", "’": "'", "“": '"', "”": '"', "•": "*", "·": "*", "✓": "v", "✗": "x",
    "€": "EUR", "£": "GBP", "¥": "JPY", "µ": "u", "°": " deg",
}  # fmt: skip


def degrade_unencodable(exc: UnicodeError) -> tuple[str, int]:
    """A codec error handler: what an encoding (cp1252, ASCII) cannot write, in plain ASCII.

    Arrows and dashes become ``->`` and ``-``, accented letters lose their accents,
    an undecodable byte of a file name (a lone surrogate) is shown as ``\\xff``,
    anything else as ``?``. Output degrades; it never fails.
    """
    import unicodedata

    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for ch in exc.object[exc.start : exc.end]:
        if "\udc80" <= ch <= "\udcff":
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif ch in _PLAINER:
            out.append(_PLAINER[ch])
        else:
            plain = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode("ascii")
            out.append(plain or "?")
    return "".join(out), exc.end


def visible(text: object, *, one_line: bool = False) -> str:
    """Untrusted text for a terminal: control characters shown as ``\\x1b``, never raw.

    ``one_line=True`` escapes tab and newline too (a table cell must not break its row).
    """
    pattern = _CONTROL_ONE_LINE if one_line else _CONTROL
    return pattern.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


_MD_ALWAYS = re.compile(r"([\\`*\[\]|]|<(?=[A-Za-z/!?]))")
_MD_EDGE_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
_MD_ORDERED = re.compile(r"\A\d+(?=[.)](?:\s|\Z))")


def md(text: Any) -> str:
    """Untrusted text made inert in Markdown while staying readable as plain text.

    Backslash-escapes what could start markup, links, HTML, code or table cells
    (CommonMark allows a backslash before any ASCII punctuation); intra-word
    underscores such as ``completion_tokens`` are left alone because GitHub does
    not treat them as emphasis. Newlines fold into spaces.
    """
    # control characters (ESC, BEL, ...) would reach a terminal when Markdown goes to stdout
    text = visible(text)
    return _escape_block_start(_md_inline(" ".join(text.split())))


def _md_inline(s: str) -> str:
    s = _MD_ALWAYS.sub(r"\\\1", s)
    if s.count("~") >= 2:  # a pair could strike text through; a lone "~1M" is safe
        s = s.replace("~", "\\~")
    s = _MD_EDGE_UNDERSCORE.sub(r"\\_", s)
    return _MD_ENTITY.sub(r"\\&", s)


def _escape_block_start(s: str) -> str:
    """Text that would open a heading, list or quote (``# x``, ``- x``, ``1. x``) stays text."""
    ordered = _MD_ORDERED.match(s)
    if ordered:
        return ordered.group(0) + "\\" + s[ordered.end() :]
    if s[:1] in ("#", ">") or (s[:1] != "" and s[:1] in "+-=" and s[1:2] in ("", " ")):
        return "\\" + s
    return s


_WEB_URL = re.compile(r"\Ahttps?://[^\s<>\"'`|\\]+\Z")


def is_web_url(value: Any) -> bool:
    """True for plain http(s) URLs: the only kind of link a report emits."""
    return isinstance(value, str) and bool(_WEB_URL.match(value))


def md_link(value: Any) -> str:
    """A source URL as a Markdown autolink, or escaped text if it is not a web URL."""
    if value is None or value == "":
        return DASH
    return f"<{value}>" if is_web_url(value) else md(value)


_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'`|\\]+")
_URL_TRAILING = ".,;:!?)]}'"


def split_urls(text: str) -> list[tuple[bool, str]]:
    """Free text as (is_url, part) pieces; sentence punctuation stays out of URLs."""
    parts: list[tuple[bool, str]] = []
    position = 0
    for match in _URL_IN_TEXT.finditer(text):
        url = match.group(0).rstrip(_URL_TRAILING)
        if match.start() > position:
            parts.append((False, text[position : match.start()]))
        parts.append((True, url))
        position = match.start() + len(url)
    if position < len(text):
        parts.append((False, text[position:]))
    return parts


def md_links(value: Any) -> str:
    """Free text (a price source) with its http(s) URLs as Markdown autolinks, rest escaped."""
    if value is None or value == "":
        return DASH
    parts = split_urls(" ".join(str(value).split()))
    out = "".join(f"<{p}>" if is_url else _md_inline(p) for is_url, p in parts)
    return out if parts and parts[0][0] else _escape_block_start(out)


def md_table(
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    align: str = "",
    foot: Sequence[Any] | None = None,
) -> str:
    """An aligned GitHub table: every column padded to its widest cell.

    ``align`` has one letter per column, ``l`` or ``r`` (default ``l``). Cells are
    Markdown-escaped, so hostile text cannot break the table; pass already
    formatted strings (``money``, ``tokens`` …). ``foot`` is a last (totals) row.
    """
    head = [md(h) for h in header]
    body = [[md(c) for c in row] for row in [*rows, *([foot] if foot else [])]]
    for i, row in enumerate(body):
        if len(row) != len(head):
            raise RenderError(f"md_table row {i + 1} has {len(row)} cells, header has {len(head)}")
    aligns = (align or "").ljust(len(head), "l")
    widths = [max([3, len(h), *(len(r[i]) for r in body)]) for i, h in enumerate(head)]

    def line(cells: Sequence[str]) -> str:
        padded = [
            c.rjust(w) if a == "r" else c.ljust(w)
            for c, w, a in zip(cells, widths, aligns, strict=True)
        ]
        return "| " + " | ".join(padded) + " |"

    rule = "| " + " | ".join(
        ("-" * (w - 1) + ":") if a == "r" else "-" * w for w, a in zip(widths, aligns, strict=False)
    )
    return "\n".join([line(head), rule + " |", *(line(r) for r in body)])
