"""Memo-ready reports: the Jinja environment, its filters, and report assembly.

Templates are found the way datasette finds them, most specific first:

1. each ``--template-dir`` given on the command line (in order);
2. the user config dir, ``$DISTILLCOST_CONFIG_DIR/templates`` (default
   ``$XDG_CONFIG_HOME/distillcost/templates``, i.e. ``~/.config/distillcost/templates``);
3. template dirs registered by plugins, if any;
4. the built-in templates shipped inside the package (``distillcost.templates``).

Any built-in is also reachable as ``default:<name>``, so a user template can
extend a built-in and replace a single block::

    {% extends "default:report.md.j2" %}
    {% block summary %}Our own opening paragraph: {{ e.total_usd|money }}.{% endblock %}

Every template is HTML-autoescaped except plain-text ones (``*.md.j2``, ``*.txt``,
``*.css``); Markdown templates escape untrusted text explicitly with the ``md``
filter and the ``md_table`` global. Undefined variables
raise :class:`~distillcost.errors.RenderError` naming the template, the line and
the variable, never a silently blank cell.

Filters (also documented in ``templates/README.md``):

``money(value, places=None)``
    Decimal dollars for reading: ``$1,234.56``; amounts of $10,000 or more in
    whole dollars (``$52,340``); amounts under one cent with two significant
    digits (``$0.0042``); ``None`` as an em dash. Rounds half up, for display only.
``price(value)``
    A price per 1M tokens, exactly as published (``$0.075``, ``$2.50``); ``None`` -> em dash.
``tokens(value, exact=False)``
    Token counts: ``34,567`` below a million, ``1.2M`` / ``3.45B`` above (three
    significant digits); ``exact=True`` always gives every digit with separators.
``number(value, places=None)``
    Plain numbers with thousands separators; trailing zeros trimmed.
``exact(value)``
    Every digit, grouped: ``437,605``, ``0.437605`` (for numbers a reader re-types).
``pct(value, places=None)``
    A fraction as a percentage: ``0.85`` -> ``85%``, ``0.123`` -> ``12.3%``.
``date(value, style="iso")``
    ``2024-05-13``; ``style="long"`` gives ``13 May 2024`` (locale-independent).
``duration(seconds)``
    Wall-clock time in the unit a reader wants: seconds, minutes, hours or days.
``span(value, low, high, fmt="number")``
    A value with its range when it has one: ``500 (300–800)``.
``md(text)``
    Markdown-escapes untrusted text (model names, labels, notes) so it shows as
    written and cannot inject markup or break a table.
``md_link(url)``
    An ``http(s)`` URL as a Markdown autolink ``<url>``; anything else as escaped text.
``md_links(text)`` / ``html_links(text)``
    Free text (a price source note) with each ``http(s)`` URL made a link
    (``<url>`` / ``<a href>``) and everything else escaped.

Globals: ``md_table(header, rows, align="")`` builds an aligned GitHub table (cells
are escaped), ``COST_KINDS`` lists the cost kinds in report order with labels.
Tests: ``web_url`` (true for ``http(s)://`` URLs, the only links we emit).
"""

from __future__ import annotations

import errno
import os
import re
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

from distillcost.errors import RenderError, ScenarioError
from distillcost.export import decimal_str, visible

if TYPE_CHECKING:
    import jinja2

    from distillcost.charts import Chart

FORMATS = ("html", "md")
TEMPLATES = {"html": "report.html.j2", "md": "report.md.j2"}
DASH = "—"

# Cost kinds in the order a reader checks them: key in Estimate.to_dict()["costs"], label,
# key in ["tokens"] (None: not a token kind).
COST_KINDS: tuple[tuple[str, str, str | None], ...] = (
    ("input_uncached", "Input (uncached)", "input_uncached"),
    ("input_cached", "Cached input", "input_cached"),
    ("cache_write", "Cache writes", "cache_write"),
    ("output", "Output (visible)", "output"),
    ("reasoning", "Reasoning (hidden, billed as output)", "reasoning"),
    ("per_request", "Per-request fees", None),
    ("student_training", "Student training", None),
)

# --------------------------------------------------------------------------- filters


def to_decimal(value: Any) -> Decimal:
    """Numbers from the estimator (Decimal, int, or an exact string) as a Decimal."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise RenderError(f"expected a number, got {value!r}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):  # display only; never used for money arithmetic
        return Decimal(repr(value))
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise RenderError(f"expected a number, got {value!r}") from None


def _quantize(value: Decimal, places: int) -> Decimal:
    """Round half up to ``places`` decimals, with enough precision for any magnitude."""
    digits = max(value.adjusted(), 0) + places + 2
    context = Context(prec=max(28, digits), rounding=ROUND_HALF_UP)
    return value.quantize(Decimal(1).scaleb(-places), context=context)


def money(value: Any, places: int | None = None) -> str:
    """Dollars for a reader: $1,234.56 / $52,340 / $0.0042 (see module docstring)."""
    if value is None:
        return DASH
    amount = to_decimal(value)
    magnitude = abs(amount)
    if places is None:
        if magnitude == 0 or Decimal("0.01") <= magnitude < 10_000:
            places = 2
        elif magnitude < Decimal("0.01"):
            places = max(2, -magnitude.adjusted() + 1)  # two significant digits
        else:
            places = 0
    rounded = _quantize(magnitude, places)
    sign = "-" if amount < 0 and rounded != 0 else ""
    return f"{sign}${rounded:,.{places}f}"


def price(value: Any) -> str:
    """A published price per 1M tokens, exact, with at least two decimals."""
    if value is None:
        return DASH
    amount = to_decimal(value).normalize()
    places = max(2, -amount.as_tuple().exponent) if amount != amount.to_integral() else 2
    return f"${amount:,.{places}f}"


def number(value: Any, places: int | None = None) -> str:
    """A plain number with thousands separators; trailing zeros trimmed."""
    if value is None:
        return DASH
    amount = to_decimal(value)
    if places is None:
        if amount == amount.to_integral_value():
            places = 0
        else:
            exponent = -amount.normalize().as_tuple().exponent
            limit = 4 if abs(amount) >= 1 else max(4, -amount.adjusted() + 3)
            places = min(int(exponent), limit)
    text = f"{_quantize(amount, places):,.{places}f}"
    return "0" if text in {"-0", "-0.0"} else text


def exact_number(value: Any) -> str:
    """Every digit of a number, grouped (``437,605``, ``0.437605``, ``1,000.25``)."""
    if value is None:
        return DASH
    text = decimal_str(to_decimal(value))
    whole, _, fraction = text.partition(".")
    sign = "-" if whole.startswith("-") else ""
    grouped = f"{int(whole.lstrip('-') or 0):,}"
    return sign + grouped + (f".{fraction}" if fraction else "")


_SUFFIXES = ((Decimal(10) ** 12, "T"), (Decimal(10) ** 9, "B"), (Decimal(10) ** 6, "M"))


def tokens(value: Any, exact: bool = False) -> str:
    """Token counts: 34,567 below a million; 1.2M, 3.45B above (3 significant digits)."""
    if value is None:
        return DASH
    count = _quantize(to_decimal(value), 0)
    if not exact and abs(count) >= _SUFFIXES[-1][0]:
        # round to three significant digits first, so 999,999,999 reads 1B, not 1000M
        rounded = Context(prec=3, rounding=ROUND_HALF_UP).plus(count)
        for limit, suffix in _SUFFIXES:
            if abs(rounded) >= limit:
                text = decimal_str(rounded / limit)
                return text + suffix
    return f"{count:,.0f}"


def pct(value: Any, places: int | None = None) -> str:
    """A fraction as a percentage: 0.85 -> 85%, 0.123 -> 12.3%, 0.0005 -> 0.05%."""
    if value is None:
        return DASH
    percent = to_decimal(value) * 100
    if places is None:
        if percent == percent.to_integral_value():
            places = 0
        elif abs(percent) >= 1:
            places = 1
        else:
            places = max(1, -percent.adjusted())
    text = f"{_quantize(percent, places):.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + "%"


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def date_filter(value: Any, style: str = "iso") -> str:
    """``2024-05-13`` or, with ``style="long"``, ``13 May 2024`` (no locale involved)."""
    if value is None:
        return DASH
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError:
            raise RenderError(f"expected a date, got {value!r}") from None
    if style == "long":
        return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
    if style == "iso":
        return value.isoformat()
    raise RenderError(f"unknown date style {style!r}; use 'iso' or 'long'")


def duration(seconds: Any) -> str:
    """Wall-clock time in a readable unit: 45 seconds, 12 minutes, 5.5 hours, 3.2 days."""
    if seconds is None:
        return DASH
    s = to_decimal(seconds)
    for size, unit in ((Decimal(86400), "day"), (Decimal(3600), "hour"), (Decimal(60), "minute")):
        if s >= 2 * size:
            n = s / size
            places = 0 if n >= 100 else 1
            text = f"{_quantize(n, places):,.{places}f}".removesuffix(".0")
            return f"{text} {unit}s"
    text = f"{_quantize(s, 0):,.0f}"
    return f"{text} second" + ("" if text == "1" else "s")


def span(value: Any, low: Any = None, high: Any = None, fmt: str = "number") -> str:
    """A value with its range when it has one: ``500 (300–800)``."""
    formatter = FORMATTERS.get(fmt)
    if formatter is None:
        raise RenderError(f"span: unknown format {fmt!r}; use one of {', '.join(FORMATTERS)}")

    def show(v: Any) -> str:
        if isinstance(v, (Decimal, int, float)) and not isinstance(v, bool):
            return formatter(v)
        if isinstance(v, bool):
            return "yes" if v else "no"
        if isinstance(v, (date, datetime)):
            return date_filter(v)
        return DASH if v is None else str(v)

    text = show(value)
    if low is not None and high is not None and (low != value or high != value):
        text += f" ({show(low)}–{show(high)})"
    return text


FORMATTERS = {
    "number": number,
    "exact": exact_number,
    "money": money,
    "tokens": tokens,
    "pct": pct,
    "price": price,
}

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


def _split_urls(text: str) -> list[tuple[bool, str]]:
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
    parts = _split_urls(" ".join(str(value).split()))
    out = "".join(f"<{p}>" if is_url else _md_inline(p) for is_url, p in parts)
    return out if parts and parts[0][0] else _escape_block_start(out)


def html_links(value: Any) -> Any:
    """Free text with its http(s) URLs as ``<a href>`` anchors; all text escaped."""
    from markupsafe import Markup, escape

    if value is None or value == "":
        return DASH
    pieces = [
        Markup('<a href="{0}">{0}</a>').format(p) if is_url else escape(p)
        for is_url, p in _split_urls(str(value))
    ]
    return Markup("").join(pieces)


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


# --------------------------------------------------------------------------- environment


def config_dir() -> Path:
    """The user config dir (one definition, shared with the price tables)."""
    from distillcost.prices import config_dir as shared_config_dir

    return shared_config_dir()


def _plugin_template_dirs() -> list[Path]:
    """Template dirs registered by plugins (``distillcost.templates`` entry points)."""
    from distillcost import plugins

    return [Path(p) for p in plugins.template_dirs()]


def template_search_path(template_dirs: Iterable[str | os.PathLike[str]] = ()) -> list[Path]:
    """The directories searched before the built-ins, most specific first."""
    dirs = [Path(d) for d in template_dirs]
    user = config_dir() / "templates"
    if user.is_dir():
        dirs.append(user)
    dirs.extend(_plugin_template_dirs())
    return dirs


PLAIN_TEXT_SUFFIXES = (".md", ".md.j2", ".markdown", ".txt", ".txt.j2", ".css", ".css.j2")


def autoescape_for(name: str | None) -> bool:
    """HTML-escape every template except known plain-text ones (Markdown, text, CSS).

    Safer than listing HTML suffixes: a user's ``table.j2`` partial included in an
    HTML page is escaped too, instead of silently passing ``<script>`` through.
    """
    return name is None or not name.lower().endswith(PLAIN_TEXT_SUFFIXES)


def make_environment(template_dirs: Iterable[str | os.PathLike[str]] = ()) -> jinja2.Environment:
    """The report environment: user dirs, then plugins, then built-ins (+ ``default:``)."""
    import jinja2

    builtin = jinja2.PackageLoader("distillcost.templates", ".")
    search = [jinja2.FileSystemLoader(str(d)) for d in template_search_path(template_dirs)]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.PrefixLoader({"default": builtin}, delimiter=":"), *search, builtin]
        ),
        autoescape=autoescape_for,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        money=money,
        price=price,
        tokens=tokens,
        number=number,
        exact=exact_number,
        pct=pct,
        date=date_filter,
        duration=duration,
        span=span,
        md=md,
        md_link=md_link,
        md_links=md_links,
        html_links=html_links,
        limit_label=limit_label,
        squash=squash,
    )
    env.tests["web_url"] = is_web_url
    env.globals.update(md_table=md_table, COST_KINDS=COST_KINDS)
    return env


def render_template(env: jinja2.Environment, name: str, context: Mapping[str, Any]) -> str:
    """Render one template, turning every Jinja failure into a one-line RenderError."""
    import jinja2

    try:
        template = env.get_template(name)
        return template.render(context)
    except jinja2.TemplateNotFound as exc:
        searched = ", ".join(_searched(env))
        raise RenderError(
            f"template {exc.name or name!r} not found (searched {searched} and the built-ins)"
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        where = _display_name(exc.filename) if exc.filename else exc.name or name
        raise RenderError(f"{where}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        where = _template_frame(exc) or name
        raise RenderError(f"{where}: undefined variable: {exc.message}") from None
    except RenderError as exc:
        where = _template_frame(exc) or name
        raise RenderError(f"{where}: {exc}") from None
    except (
        jinja2.TemplateError,
        TypeError,
        ValueError,
        ArithmeticError,
        AttributeError,
        LookupError,  # {{ {}.pop("x") }}, {{ "%(a)s" % {} }}, {{ [].pop() }}
        RecursionError,  # a macro that calls itself
    ) as exc:
        where = _template_frame(exc) or name
        raise RenderError(f"{where}: {type(exc).__name__}: {exc}") from None


def _searched(env: jinja2.Environment) -> list[str]:
    import jinja2

    loader = env.loader
    found: list[str] = []
    if isinstance(loader, jinja2.ChoiceLoader):
        for sub in loader.loaders:
            if isinstance(sub, jinja2.FileSystemLoader):
                found.extend(str(p) for p in sub.searchpath)
    return found or ["no user template dirs"]


def _display_name(filename: str) -> str:
    """Built-in templates by name (``macros.md.j2``), user templates by path."""
    from importlib.resources import files

    try:
        builtin = Path(str(files("distillcost.templates"))).resolve()
        return Path(filename).resolve().relative_to(builtin).as_posix()
    except (ValueError, OSError, TypeError):
        return filename


def _template_frame(exc: BaseException) -> str | None:
    """``file:line`` of the innermost template frame in a Jinja traceback."""
    tb = exc.__traceback__
    where = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and not filename.startswith("<frozen"):
            where = f"{_display_name(filename)}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


# --------------------------------------------------------------------------- view

LIMIT_LABELS: dict[str, str] = {
    "rpm": "requests per minute (rpm)",
    "rpd": "requests per day (rpd)",
    "tpm": "tokens per minute (tpm)",
    "tpd": "tokens per day (tpd)",
    "concurrency": "concurrency × latency",
    "latency": "concurrency × latency",
    "batch": "batch queue rounds",
    "batch_queue": "batch queue rounds",
    "none": "none (no rate limits given)",
    "none given": "none (no rate limits given)",
}

VOLUME_LABELS: dict[str, str] = {
    "examples": "Accepted examples",
    "output_tokens": "Output tokens",
    "dataset_tokens": "Dataset tokens",
    "requests": "Requests",
}


def limit_label(name: Any) -> str:
    """A limit's name for readers ("tpm" -> "tokens per minute (tpm)")."""
    if name is None or name == "":
        return LIMIT_LABELS["none"]
    return LIMIT_LABELS.get(str(name), str(name))


def squash(text: Any) -> str:
    """Fold a multi-line template paragraph into one line (pastes into a memo intact)."""
    return " ".join(str(text).split())


@dataclass(frozen=True)
class Table:
    """A table as both formats draw it: formatted cells, one align letter per column.

    ``foot`` is an optional totals row; ``marked`` holds row indexes to emphasise
    (the binding limit).
    """

    header: tuple[str, ...]
    align: str
    rows: tuple[tuple[str, ...], ...]
    foot: tuple[str, ...] | None = None
    marked: tuple[int, ...] = ()

    @classmethod
    def of(
        cls,
        header: Sequence[str],
        align: str,
        rows: Iterable[Sequence[Any]],
        foot: Sequence[Any] | None = None,
        marked: Iterable[int] = (),
    ) -> Table:
        if len(align) != len(header):
            raise RenderError(f"table {header!r}: align {align!r} does not match the header")
        return cls(
            tuple(header),
            align,
            tuple(tuple(str(c) for c in r) for r in rows),
            tuple(str(c) for c in foot) if foot is not None else None,
            tuple(marked),
        )


def _get(mapping: Mapping[str, Any] | None, key: str, default: Any = None) -> Any:
    if not mapping:
        return default
    value = mapping.get(key, default)
    return default if value is None else value


def _share(part: Any, total: Any) -> str:
    total_d = to_decimal(total)
    if total_d == 0:
        return DASH
    return pct(to_decimal(part) / total_d, places=1)


def _value_text(value: Any) -> str:
    """An assumption value for the table: numbers grouped, ranges low..base..high."""
    if isinstance(value, Mapping) and {"low", "base", "high"} <= set(value):
        return span(value["base"], value["low"], value["high"])
    if isinstance(value, (list, tuple)):
        return ", ".join(_value_text(v) for v in value) or DASH
    return span(value)


def summing_places(parts: Iterable[Any], total: Any) -> int:
    """Decimal places at which the rounded parts add up to the rounded total.

    Cents, unless rounding each part to the cent would make the column disagree
    with its total (``$0.29 + $2.43 ≠ $2.71``): then more places, up to 6, so a
    reader adding the column by hand gets the total shown.
    """
    values = [to_decimal(p) for p in parts]
    whole = to_decimal(total)
    for places in (2, 3, 4, 6):
        if sum(_quantize(v, places) for v in values) == _quantize(whole, places):
            return places
    return 6


def breakdown_table(e: Mapping[str, Any]) -> Table:
    costs = e.get("costs") or {}
    toks = e.get("tokens") or {}
    rates = effective_rates(e)
    places = summing_places(costs.values(), e["total_usd"])
    rows = []
    for key, label, token_key in COST_KINDS:
        cost = costs.get(key, Decimal(0))
        count = tokens(toks.get(token_key, 0), exact=True) if token_key else DASH
        rate_paid, exact = rates.get(key, (None, True))
        rate = DASH if rate_paid is None else price(rate_paid if exact else _quantize(rate_paid, 4))
        rows.append((label, count, rate, money(cost, places=places), _share(cost, e["total_usd"])))
    foot = ("Total", "", "", money(e["total_usd"], places=places), "100%")
    return Table.of(
        ("Cost kind", "Tokens", "Rate per 1M", "Cost", "Share"), "lrrrr", rows, foot=foot
    )


def assumptions_table(e: Mapping[str, Any]) -> Table:
    rows = []
    for a in e.get("assumptions") or ():
        value = span(a.get("value"), a.get("low"), a.get("high"), fmt="exact")
        rows.append((a["name"], value, a.get("origin") or "default", a.get("description") or ""))
    return Table.of(("Assumption", "Value", "Origin", "Meaning"), "llll", rows)


def time_table(e: Mapping[str, Any]) -> Table:
    times = e.get("time") or {}
    binding = e.get("binding_limit")
    rows, marked = [], []
    for i, (name, seconds) in enumerate(times.items()):
        rows.append((limit_label(name), duration(seconds), "binding" if name == binding else ""))
        if name == binding:
            marked.append(i)
    return Table.of(("Limit", "Time", ""), "lrl", rows, marked=marked)


PRICE_FIELDS: tuple[tuple[str, str], ...] = (
    ("input", "Input"),
    ("cached_input", "Cached input"),
    ("cache_write", "Cache write"),
    ("output", "Output"),
    ("batch_input", "Batch input"),
    ("batch_output", "Batch output"),
    ("training", "Fine-tuning (training)"),
)


def prices_table(e: Mapping[str, Any]) -> Table:
    prices = e.get("prices") or {}
    rows = [(label, price(prices.get(key))) for key, label in PRICE_FIELDS]
    if prices.get("per_request") is not None:
        rows.append(("Per request (USD per request)", money(prices["per_request"])))
    for tier in prices.get("tiers") or ():
        above = tokens(_get(tier, "above_prompt_tokens", 0), exact=True)
        rows.append((f"Prompts over {above} tokens: input", price(_get(tier, "input"))))
        rows.append((f"Prompts over {above} tokens: output", price(_get(tier, "output"))))
    return Table.of(("Price", "USD per 1M tokens"), "lr", rows)


def comparison_table(rows: Sequence[Mapping[str, Any]], teacher: Any) -> Table:
    out, marked = [], []
    for i, r in enumerate(rows):
        rng = f"{money(r['low_usd'])} to {money(r['high_usd'])}"
        days = r.get("wall_clock_days")
        wall = DASH if days is None else duration(to_decimal(days) * 86400)
        out.append(
            (
                str(r.get("rank", i + 1)),
                r["teacher"],
                r.get("provider") or "",
                money(r["total_usd"]),
                rng if r["low_usd"] != r["high_usd"] else DASH,
                wall,
                DASH if days is None else limit_label(r.get("binding_limit")),
            )
        )
        if r["teacher"] == teacher:
            marked.append(i)
    return Table.of(
        ("Rank", "Teacher", "Provider", "Total", "Range", "Wall clock", "Binding limit"),
        "rllrrrl",
        out,
        marked=marked,
    )


def history_table(rows: Sequence[Mapping[str, Any]]) -> Table:
    """Each teacher's first price, every change and its retirement.

    The analysis rows are a full panel (every teacher on every date, for charts);
    a memo table of "0%" rows hid the three changes that matter among twenty lines.
    """
    out = []
    for r in rows:
        change_pct = r.get("change_pct")
        unchanged = change_pct is not None and to_decimal(change_pct) == 0
        if r.get("total_usd") is not None and unchanged:
            continue
        status = str(r.get("status") or "priced")
        if r.get("total_usd") is None:
            total = status + (f": {r['note']}" if r.get("note") else "")
            change = DASH
        else:
            total = money(r["total_usd"])
            change_pct = r.get("change_pct")
            change = DASH if change_pct is None else pct(to_decimal(change_pct) / 100, places=1)
            if change_pct is not None and to_decimal(change_pct) > 0:
                change = "+" + change
        out.append((date_filter(r["date"]), r["teacher"], total, change))
    return Table.of(("Date", "Teacher", "Total", "Change"), "llrr", out)


def sensitivity_table(e: Mapping[str, Any]) -> Table:
    rows = []
    for r in e.get("sensitivity") or ():
        if r["low_usd"] == r["high_usd"]:
            continue
        swing = r.get("swing_usd", abs(r["high_usd"] - r["low_usd"]))
        rows.append((r["parameter"], money(r["low_usd"]), money(r["high_usd"]), money(swing)))
    return Table.of(("Assumption", "Total at low", "Total at high", "Swing"), "lrrr", rows)


def volume_table(points: Sequence[Mapping[str, Any]] | None, label: str) -> Table:
    rows = [
        (number(p["volume"]), money(p["low_usd"]), money(p["total_usd"]), money(p["high_usd"]))
        for p in points or ()
    ]
    return Table.of((label, "Low", "Total", "High"), "rrrr", rows)


RATE_CANDIDATES: dict[str, tuple[str, ...]] = {
    "input_uncached": ("input", "batch_input"),
    "input_cached": ("cached_input", "input", "batch_input"),
    "cache_write": ("cache_write",),
    "output": ("output", "batch_output"),
    "reasoning": ("output", "batch_output"),
}


def effective_rates(e: Mapping[str, Any]) -> dict[str, tuple[Decimal, bool]]:
    """USD per 1M tokens actually paid per token kind: (rate, is_a_published_price).

    The estimator reports tokens and dollars per kind; their ratio is the rate
    paid. When it equals one of the entry's published prices (the usual case)
    that exact price is shown, so ``tokens × rate ÷ 1,000,000`` reproduces the
    cost; when requests were split between long-context tiers the rate is a
    blend and is flagged as such.
    """
    prices = e.get("prices") or {}
    toks = e.get("tokens") or {}
    costs = e.get("costs") or {}
    published: list[Decimal] = []
    for key in ("input", "cached_input", "cache_write", "output", "batch_input", "batch_output"):
        if prices.get(key) is not None:
            published.append(to_decimal(prices[key]))
    for tier in prices.get("tiers") or ():
        published.extend(to_decimal(v) for k, v in tier.items() if k != "above_prompt_tokens" and v)
    out: dict[str, tuple[Decimal, bool]] = {}
    for kind in RATE_CANDIDATES:
        count = to_decimal(toks.get(kind, 0))
        cost = to_decimal(costs.get(kind, 0))
        if count == 0 or cost == 0:
            continue
        rate = cost * 1_000_000 / count
        match = next((p for p in published if abs(p - rate) <= p * Decimal("1e-7")), None)
        out[kind] = (match, True) if match is not None else (rate, False)
    return out


def _scenario_value(sc: Mapping[str, Any], name: str, default: Any = None) -> Any:
    value = sc.get(name)
    if isinstance(value, Mapping) and "base" in value:
        return value["base"]
    return default if value is None else value


VOLUME_FIELDS = ("examples", "output_tokens", "dataset_tokens", "requests")
TIME_FORMULAS: dict[str, str] = {
    "rpm": "R × 60 ÷ (rpm × keys)",
    "rpd": "R × 86,400 ÷ (rpd × keys)",
    "tpm": "(input + output + reasoning tokens) × 60 ÷ (tpm × keys)",
    "tpd": "(input + output + reasoning tokens) × 86,400 ÷ (tpd × keys)",
    "concurrency": "R × latency_seconds ÷ (concurrency × keys)",
    "batch": "rounds × batch_hours × 3,600, rounds = ⌈input tokens ÷ (batch_queue_tokens × keys)⌉",
}


_TOKEN_STEPS = (
    ("prompt tokens per conversation = ", "Prompt tokens", "per conversation = "),
    ("prompt tokens = ", "Prompt tokens", ""),
    ("shared prefix: ", "Shared prefix", ""),
    ("output tokens = ", "Output tokens", ""),
    ("reasoning tokens = ", "Reasoning tokens", ""),
)


def token_lines(worked: Iterable[str]) -> list[tuple[str, str]]:
    """The estimator's token steps (requests -> tokens by kind), for the hand check.

    Without them the method went from requests straight to "71,822,222 × $3.00":
    a reader could not see where the token counts came from.
    """
    out = []
    for line in worked:
        for prefix, label, keep in _TOKEN_STEPS:
            if line.startswith(prefix):
                out.append((label, keep + line[len(prefix) :]))
                break
    return out


def method_lines(e: Mapping[str, Any]) -> list[str]:
    """The hand check, as aligned plain-text lines (a code block / ``<pre>``).

    Volume back to requests with this scenario's numbers, then each cost as
    tokens × rate ÷ 1,000,000, the student's training cost, the sum, and the
    binding time limit. The results printed are the estimator's; the formulas
    are its documented model (``distillcost.estimator.METHOD``).
    """
    sc = e.get("scenario") or {}
    entries: list[tuple[str, str]] = []

    def v(name: str, default: Any = None) -> Any:
        return _scenario_value(sc, name, default)

    x = exact_number  # inputs are shown exactly, so the reader's arithmetic matches ours

    kind = next((k for k in VOLUME_FIELDS if sc.get(k) is not None), None)
    measured = bool(sc.get("measured"))
    a, k, n, T, r = (
        v("acceptance_rate", 1),
        v("examples_per_request", 1),
        v("samples_per_prompt", 1),
        v("turns", 1),
        v("retry_rate", 0),
    )
    E, G = e.get("accepted_examples"), e.get("generated_examples")
    R_exact = e.get("requests_exact", e.get("requests"))
    if kind == "requests":
        if sc.get("input_billed_per_sample"):
            given = f"calls = requests ÷ n = {x(v('requests'))} ÷ {x(n)}"
        else:
            given = f"calls = {x(v('requests'))}"
        entries.append(("Requests (given)", given))
        entries.append(("Generated examples", f"G = calls ÷ T × n × k = {x(G)}"))
        entries.append(("Accepted examples", f"E = G × a = {x(G)} × {x(a)} = {x(E)}"))
    elif kind is not None:
        V = v(kind)
        if kind == "examples":
            entries.append(("Accepted examples", f"E = {x(E)} (given)"))
        elif kind == "output_tokens":
            rhs = "E = V ÷ (T × c)"
            if not measured:
                rhs += f" = {x(V)} ÷ ({x(T)} × {x(v('completion_tokens'))})"
            entries.append(("Accepted examples", f"{rhs} = {x(E)}"))
        else:
            entries.append(
                (
                    "Accepted examples",
                    f"E = V ÷ d, d = T × (c + p ÷ k) = {x(V)} ÷ d = {x(E)}",
                )
            )
        entries.append(("Generated examples", f"G = E ÷ a = {x(E)} ÷ {x(a)} = {x(G)}"))
    if kind is not None:
        billed = " × n" if sc.get("input_billed_per_sample") else ""
        whole = ""
        if R_exact is not None and to_decimal(R_exact) != to_decimal(e.get("requests", R_exact)):
            whole = f", rounded up to {x(e['requests'])} whole requests"
        entries.append(
            (
                "Requests",
                f"R = G ÷ k ÷ n × T{billed} × (1 + r) = {x(G)} ÷ {x(k)} ÷ {x(n)}"
                f" × {x(T)}{' × ' + x(n) if billed else ''} × (1 + {x(r)})"
                f" = {x(R_exact)}{whole}",
            )
        )

    entries.extend(token_lines(e.get("worked") or ()))
    costs = e.get("costs") or {}
    toks = e.get("tokens") or {}
    prices = e.get("prices") or {}
    rates = effective_rates(e)
    places = summing_places(costs.values(), e["total_usd"])
    parts: list[str] = []
    for key, label, token_key in COST_KINDS:
        cost = to_decimal(costs.get(key, 0))
        if cost == 0:
            continue
        result = money(cost, places=places)
        if token_key is not None:
            count = tokens(toks.get(token_key, 0), exact=True)
            rate, exact = rates.get(key, (None, False))
            if rate is None:
                formula = f"{count} tokens = {result}"
            else:
                shown = price(rate) if exact else f"{price(_quantize(rate, 4))} (blended tiers)"
                formula = f"{count} × {shown} ÷ 1,000,000 = {result}"
        elif key == "per_request":
            fee = v("per_request_usd", prices.get("per_request"))
            formula = f"{x(R_exact)} requests × {price(fee)} = {result}"
        else:
            formula = student_formula(e.get("student") or {}, result, v("student_parameters"))
        entries.append((label, formula))
        parts.append(result)
    total = money(e["total_usd"], places=places)
    entries.append(("Total", f"{' + '.join(parts) or '$0.00'} = {total}"))

    binding = e.get("binding_limit")
    times = e.get("time") or {}
    if binding in times:
        formula = TIME_FORMULAS.get(str(binding), str(binding))
        entries.append(
            (
                "Wall clock",
                f"binding limit {binding}: {formula}"
                f" = {x(_quantize(to_decimal(times[binding]), 0))} s"
                f" = {duration(times[binding])}",
            )
        )
    width = max(len(label) for label, _ in entries)
    return [f"{label.ljust(width)}  {formula}" for label, formula in entries]


def student_formula(student: Mapping[str, Any], result: str, parameters: Any = None) -> str:
    """The student's training cost with its own formula (fine-tune, GPU FLOPs, GPU-hours)."""
    method = student.get("method")
    D = tokens(student.get("training_tokens"), exact=True)
    if method == "fine-tune":
        return (
            f"D × training price ÷ 1,000,000 = {D} × {price(student.get('training_price'))}"
            f" ÷ 1,000,000 = {result}  (D = training tokens × epochs)"
        )
    if method == "gpu":
        return (
            f"6 × N × D ÷ (peak FLOP/s × utilisation) ÷ 3,600"
            f" = 6 × {exact_number(parameters) if parameters is not None else 'N'} × {D} ÷ "
            f"({exact_number(student.get('peak_tflops'))}e12"
            f" × {exact_number(student.get('utilisation'))})"
            f" ÷ 3,600 = {exact_number(student.get('gpu_hours'))} GPU-hours"
            f" × {price(student.get('usd_per_gpu_hour'))} = {result}"
        )
    if method == "gpu-hours":
        return (
            f"GPU-hours × price = {exact_number(student.get('gpu_hours'))}"
            f" × {price(student.get('usd_per_gpu_hour'))} = {result}"
        )
    return result


def student_prices(e: Mapping[str, Any]) -> list[dict[str, str]]:
    """The student's own prices and where they come from (fine-tuning price, GPU preset)."""
    student = e.get("student") or {}
    out: list[dict[str, str]] = []
    if student.get("method") == "fine-tune":
        out.append(
            {
                "text": f"Student fine-tuning on {student.get('model')}: "
                f"{price(student.get('training_price'))} per 1M training tokens.",
                "source": str(student.get("price_source") or ""),
            }
        )
    if student.get("gpu"):
        out.append(
            {
                "text": f"Student GPU {student['gpu']}: "
                f"{exact_number(student.get('peak_tflops'))} peak TFLOP/s.",
                "source": str(student.get("gpu_source") or ""),
            }
        )
    return out


def report_title(e: Mapping[str, Any]) -> str:
    name = _get(e.get("scenario"), "name", "")
    base = name or "Distillation campaign"
    return f"{base}: cost of distilling from {e['teacher']}"


# --------------------------------------------------------------------------- report


@dataclass
class ReportData:
    """Everything a report shows, already computed (templates only format).

    ``estimate`` is ``Estimate.to_dict()``; ``comparison``/``history`` are the
    analysis records (None when not asked for); ``volume`` holds points of the
    cost-vs-volume series (volume, total_usd, low_usd, high_usd).
    """

    estimate: Mapping[str, Any]
    price_table_version: str = ""
    comparison: Sequence[Mapping[str, Any]] | None = None
    unavailable: Sequence[Mapping[str, Any]] = ()
    left_out: str = ""
    history: Sequence[Mapping[str, Any]] | None = None
    volume: Sequence[Mapping[str, Any]] | None = None
    volume_label: str = "volume"
    current_volume: Decimal | None = None
    version: str = ""
    title: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ChartRef:
    """A chart as a template sees it: inline SVG for HTML, a relative link for Markdown."""

    name: str
    title: str
    alt: str
    svg: Any  # markupsafe.Markup: trusted markup generated by matplotlib
    href: str | None
    filename: str


@dataclass(frozen=True)
class RenderedReport:
    """A rendered report plus the chart files that must be written beside it."""

    text: str
    format: str
    chart_files: dict[str, str]  # relative path -> SVG document


def build_charts(data: ReportData) -> list[Chart]:
    """The charts this data supports, in report order (none when there is nothing to draw)."""
    from distillcost import charts

    e = data.estimate
    out: list[Chart] = []
    if data.comparison:
        out.append(charts.by_teacher(data.comparison, highlight=e.get("teacher")))
    priced = [r for r in data.history or () if r.get("total_usd") is not None]
    if priced:
        # the history runs to today (see build_report_data), so the lines do too;
        # retirement rows (no total) end their teacher's line
        as_of = _maybe_date(e.get("as_of"))
        until = max(as_of, date.today()) if as_of is not None else date.today()
        out.append(charts.over_time(list(data.history or ()), until=until))
    sensitivity = [r for r in e.get("sensitivity") or () if r["low_usd"] != r["high_usd"]]
    if sensitivity:
        out.append(charts.tornado(e["total_usd"], sensitivity))
    if data.volume and len(data.volume) >= 2:
        out.append(charts.cost_vs_volume(data.volume, data.volume_label, data.current_volume))
    return out


def _maybe_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def chart_dir_for(output: str | os.PathLike[str]) -> Path:
    """Where a Markdown report's charts go: ``<stem>_charts/`` beside the report."""
    path = Path(output)
    return path.with_name(f"{path.stem}_charts")


def render_report(
    data: ReportData,
    fmt: str = "md",
    *,
    template_dirs: Iterable[str | os.PathLike[str]] = (),
    output: str | os.PathLike[str] | None = None,
    template: str | None = None,
) -> RenderedReport:
    """Render a report. For Markdown, charts become files beside ``output``.

    Without ``output`` a Markdown report links no chart (there is nowhere to put
    the files); the template shows a one-line note instead, never a broken link.
    """
    from markupsafe import Markup

    if fmt not in FORMATS:
        raise RenderError(f"unknown report format {fmt!r}; use html or md")
    chart_list = build_charts(data)
    files: dict[str, str] = {}
    refs: dict[str, ChartRef | None] = dict.fromkeys(
        ("by_teacher", "over_time", "sensitivity", "cost_vs_volume")
    )
    chart_note = ""
    for chart in chart_list:
        filename = f"{chart.name}.svg"
        href = None
        if fmt == "md" and output is not None:
            rel = f"{chart_dir_for(output).name}/{filename}"
            files[rel] = chart.svg
            href = urllib.parse.quote(rel)
        svg = Markup(chart.inline()) if fmt == "html" else Markup("")
        refs[chart.name] = ChartRef(chart.name, chart.title, chart.alt, svg, href, filename)
    if fmt == "md" and output is None and chart_list:
        chart_note = (
            f"{len(chart_list)} chart(s) left out: Markdown written to stdout has nowhere to "
            "put image files; use -o FILE.md to write them beside the report."
        )
    from distillcost import __version__

    e = data.estimate
    tables = {
        "breakdown": breakdown_table(e),
        "assumptions": assumptions_table(e),
        "time": time_table(e),
        "prices": prices_table(e),
        "comparison": comparison_table(data.comparison or (), e.get("teacher")),
        "history": history_table(data.history or ()),
        "sensitivity": sensitivity_table(e),
        "volume": volume_table(data.volume, data.volume_label),
    }
    context = {
        "e": e,
        "title": data.title or report_title(e),
        "tables": tables,
        "method": method_lines(e),
        "student_prices": student_prices(e),
        "comparison": list(data.comparison) if data.comparison else None,
        "unavailable": list(data.unavailable),
        "left_out": data.left_out,
        "history": list(data.history) if data.history else None,
        "volume": list(data.volume) if data.volume else None,
        "volume_label": data.volume_label,
        "charts": refs,
        "chart_note": chart_note,
        "version": data.version or __version__,
        "price_table_version": data.price_table_version or "unversioned",
        "format": fmt,
        **data.extra,
    }
    env = make_environment(template_dirs)
    text = render_template(env, template or TEMPLATES[fmt], context)
    if fmt == "md":  # optional sections leave blank runs; Markdown needs at most one
        text = re.sub(r"\n{3,}", "\n\n", text)
    return RenderedReport(text=text, format=fmt, chart_files=files)


def write_report(rendered: RenderedReport, output: str | os.PathLike[str]) -> list[Path]:
    """Write chart files first, then the report, each atomically; returns paths written."""
    from distillcost.export import atomic_write

    target = Path(output)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():  # same answer for HTML and Markdown: never create it silently
        raise FileNotFoundError(errno.ENOENT, "directory does not exist", str(directory))
    written: list[Path] = []
    for rel, svg in rendered.chart_files.items():
        path = target.parent / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, svg)
        written.append(path)
    atomic_write(target, rendered.text)
    written.append(target)
    return written


# --------------------------------------------------------------------------- gathering

VOLUME_FACTORS: tuple[Decimal, ...] = tuple(
    Decimal(f) for f in ("0.1", "0.2", "0.5", "1", "2", "5", "10")
)


def volume_series(
    scenario: Any, table: Any, factors: Sequence[Decimal] = VOLUME_FACTORS
) -> tuple[list[dict[str, Any]], str, Decimal]:
    """The campaign re-estimated at scaled volumes (0.1× … 10×) for the cost-vs-volume chart.

    Returns the points, the axis label and the scenario's own (base) volume.
    Each point is a full :func:`~distillcost.estimator.estimate`, so anything
    that is not linear in volume (per-day limits, fixed student costs) shows.
    """
    from distillcost.estimator import estimate

    kind, value = scenario.volume
    points: list[dict[str, Any]] = []
    if value.base <= 0:  # nothing to scale: no chart rather than a chart of zeros
        return points, VOLUME_LABELS.get(kind, kind), value.base

    def scale(v: Decimal, f: Decimal) -> Decimal:
        # volumes are counts: 0.1 x 52,002 examples is shown and priced as 5,200, not
        # 5,200.2 (fractions below 1 are kept, so a tiny campaign still scales)
        x = v * f
        return x.to_integral_value(ROUND_HALF_UP) if x >= 1 and v == v.to_integral_value() else x

    for factor in factors:
        try:
            scaled = scenario.with_values(**{kind: value.map(lambda v, f=factor: scale(v, f))})
            result = estimate(scaled, table)
        except ScenarioError:
            # beyond what a scenario may hold (e.g. 10× a volume at the 1e15 cap): the
            # chart shows the volumes that are valid; the campaign itself always is
            continue
        points.append(
            {
                "factor": factor,
                "volume": scale(value.base, factor),
                "total_usd": result.total_usd,
                "low_usd": result.low_usd,
                "high_usd": result.high_usd,
            }
        )
    return points, VOLUME_LABELS.get(kind, kind), value.base


def build_report_data(
    scenario: Any,
    table: Any,
    *,
    compare: Sequence[str] | None = None,
    compare_all: bool = False,
    history: bool = False,
    volume: bool = True,
) -> ReportData:
    """Estimate a scenario and gather what the report shows (comparison, history, volume).

    ``compare`` names teachers to rank beside the scenario's (``compare_all``:
    every model priced on the date); ``history`` prices the campaign on every
    date the teacher's (and compared teachers') prices changed, up to today (or
    the as-of date, if later).
    """
    from distillcost.estimator import estimate

    result = estimate(scenario, table)
    data = ReportData(estimate=result.to_dict(), price_table_version=table.version)
    if compare or compare_all:
        from distillcost.analysis import NOT_PRICED, RETIRED
        from distillcost.analysis import compare as compare_teachers

        models = None
        if not compare_all:
            models = list(dict.fromkeys([result.teacher, *(compare or ())]))
        ranked = compare_teachers(scenario, table, models, as_of=result.as_of)
        data.comparison = [row.to_record() for row in ranked.rows]
        shown = list(ranked.unavailable)
        if compare_all:
            # --all means every model priced on the date: the ones released later or
            # retired before are not candidates, and listing each (80 lines for a 2023
            # campaign) buried the comparison; say how many were left out instead.
            shown = [u for u in ranked.unavailable if u.kind not in (NOT_PRICED, RETIRED)]
            skipped = len(ranked.unavailable) - len(shown)
            if skipped:
                data.left_out = (
                    f"{skipped} other model{'s' if skipped != 1 else ''} in the price table "
                    f"had no price on {result.as_of.isoformat()} (released later or "
                    "already retired) and are left out."
                )
        data.unavailable = [{"teacher": u.teacher, "reason": u.reason} for u in shown]
    if history:
        from distillcost.analysis import history as price_history

        models = list(dict.fromkeys([result.teacher, *(compare or ())]))
        # Up to today, not only to the campaign's date: the point of the section is
        # what the same campaign costs later (the essay's 2022 campaign at 2024 prices).
        until = max(result.as_of, date.today())
        data.history = price_history(scenario, table, models, until=until).to_records()
    if volume:
        data.volume, data.volume_label, data.current_volume = volume_series(scenario, table)
    return data
