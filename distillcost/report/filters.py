"""The report templates' filters and globals: the shared formatters, under template names.

Every number a template prints goes through :mod:`distillcost.present` (so a report
shows what the CLI shows) and every untrusted text through :mod:`distillcost.escape`
(Markdown) or Jinja's autoescape (HTML). Documented in ``templates/README.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from distillcost import escape, present
from distillcost.errors import FormatError, RenderError
from distillcost.estimator import COST_KINDS, COST_LABELS
from distillcost.estimator.billing import TOKEN_KINDS
from distillcost.present import limit_label


def squash(text: Any) -> str:
    """Fold a multi-line template paragraph into one line (pastes into a memo intact)."""
    return " ".join(str(text).split())


def tokens(value: Any, exact: bool = False) -> str:
    """Token counts in prose: ``1.23M``; ``exact=True``: ``1,234,567``."""
    return present.tokens(value, compact=not exact)


def date(value: Any, style: str = "iso") -> str:
    if style not in ("iso", "long"):
        raise RenderError(f"unknown date style {style!r}; use 'iso' or 'long'")
    return present.day(value, long=style == "long")


def span(value: Any, low: Any = None, high: Any = None, fmt: str = "number") -> str:
    if fmt not in present.FORMATTERS:
        known = ", ".join(present.FORMATTERS)
        raise RenderError(f"span: unknown format {fmt!r}; use one of {known}")
    return present.span(value, low, high, fmt)


def html_links(value: Any) -> Any:
    """Free text (a price source) with its http(s) URLs as ``<a href>`` anchors, rest escaped."""
    from markupsafe import Markup

    if value is None or value == "":
        return present.DASH
    pieces = [
        Markup('<a href="{0}">{0}</a>').format(p) if is_url else Markup.escape(p)
        for is_url, p in escape.split_urls(str(value))
    ]
    return Markup("").join(pieces)


def _checked(func: Callable[..., str]) -> Callable[..., str]:
    """A formatter whose FormatError (text where a number belongs) names the filter."""

    def wrapper(*args: Any, **kw: Any) -> str:
        try:
            return func(*args, **kw)
        except FormatError as exc:
            raise RenderError(str(exc)) from None

    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


FILTERS: dict[str, Callable[..., Any]] = {
    "money": _checked(present.money),
    "price": _checked(present.price),
    "tokens": _checked(tokens),
    "number": _checked(present.number),
    "exact": _checked(present.exact),
    "pct": _checked(present.pct),
    "date": _checked(date),
    "since": _checked(present.since),
    "duration": _checked(present.duration),
    "span": _checked(span),
    "md": escape.md,
    "md_link": escape.md_link,
    "md_links": escape.md_links,
    "html_links": html_links,
    "limit_label": limit_label,
    "squash": squash,
}

GLOBALS: dict[str, Any] = {
    "md_table": escape.md_table,
    # cost kinds in report order: (key, label, key in tokens or None)
    "COST_KINDS": tuple(
        (kind, COST_LABELS[kind], kind if kind in TOKEN_KINDS else None) for kind in COST_KINDS
    ),
}
