"""Report charts as deterministic, self-contained SVG (matplotlib's SVG backend).

Why matplotlib and not hand-written SVG strings: axes, log scales, tick
placement and text layout are solved problems, and matplotlib's SVG writer
escapes every piece of text it emits, so a hostile model name cannot inject
markup. Text is drawn as paths (``svg.fonttype = "path"``) so the SVG needs no
font, and the hash salt and metadata are fixed so the same data gives the same
bytes (stable golden files, reviewable diffs).

matplotlib is imported lazily inside :func:`_render`: ``distillcost --help``
and ``estimate`` never pay for it. Money arrives as ``Decimal`` and is turned
into floats here only to place marks on a canvas; labels are formatted from the
``Decimal`` values.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

# Colour-blind-safe, prints legibly in greyscale (Okabe–Ito).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
BASE_COLOUR = "#0072B2"
LOW_COLOUR = "#009E73"
HIGH_COLOUR = "#D55E00"

_RC = {
    "svg.hashsalt": "distillcost",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 9.0,
    "axes.titlesize": 10.0,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "figure.dpi": 100.0,
    "path.simplify": True,
}


@dataclass(frozen=True)
class Chart:
    """One rendered chart: a file-name stem, a title, alt text and the SVG document."""

    name: str
    title: str
    alt: str
    svg: str
    #: draws the same chart as a PNG (for Markdown pasted into Word or Google Docs)
    png: Callable[[], bytes] | None = field(default=None, compare=False, repr=False)

    def inline(self) -> str:
        """The SVG ready to paste inside an HTML page (see :func:`inline_svg`)."""
        return inline_svg(self.svg, prefix=self.name)


def plain_label(text: object) -> str:
    """Label text with matplotlib's mathtext switched off: ``$`` is literal."""
    return str(text).replace("$", r"\$")


def money_tick(value: float) -> str:
    """Compact dollar labels for axes ($0.5, $12, $3.4k, $1.2M), mathtext-safe."""
    sign = "-" if value < 0 else ""
    v = abs(value)
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if v >= limit:
            return rf"{sign}\${_trim(v / limit)}{suffix}"
    if v == 0:
        return r"\$0"
    if v < 1:
        return rf"{sign}\${v:.2g}"
    return rf"{sign}\${_trim(v)}"


def _trim(v: float) -> str:
    text = f"{v:.3g}" if v < 1000 else f"{v:,.0f}"
    if "e" in text:
        text = f"{v:,.0f}"
    return text


def _money_label(value: Decimal) -> str:
    """Bar-end labels: a bit more precision than ticks."""
    return money_tick(float(value))


def _render(draw: Callable[[Any], None], width: float, height: float) -> str:
    import matplotlib

    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]  # keys checked by matplotlib
        from matplotlib.figure import Figure

        figure = Figure(figsize=(width, height), layout="constrained")
        draw(figure)
        buffer = io.StringIO()
        figure.savefig(
            buffer,
            format="svg",
            metadata={"Date": None, "Creator": None, "Format": None, "Type": None},
        )
    return buffer.getvalue()


PNG_DPI = 200
"""Sharp when pasted at full width into a document, and still small (~60-120 kB)."""


def _render_png(draw: Callable[[Any], None], width: float, height: float) -> bytes:
    """The same chart as a PNG, white background, no timestamps (same bytes every run)."""
    import matplotlib

    with matplotlib.rc_context(_RC):  # type: ignore[arg-type]
        from matplotlib.figure import Figure

        figure = Figure(figsize=(width, height), layout="constrained", facecolor="white")
        draw(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=PNG_DPI, metadata={"Software": None})
    return buffer.getvalue()


def _log_axis_wanted(values: Sequence[float]) -> bool:
    positive = [v for v in values if v > 0]
    return len(positive) >= 2 and max(positive) / min(positive) >= 30


def tornado(base_usd: Decimal, rows: Sequence[Mapping[str, Any]]) -> Chart:
    """Sensitivity: how far each assumption alone moves the total (largest first).

    ``rows`` are the estimate's ``sensitivity`` records: parameter, low_usd,
    high_usd (total with that one assumption at its low/high end).
    """
    rows = [r for r in rows if r["low_usd"] != r["high_usd"]] or list(rows)
    rows = sorted(rows, key=lambda r: abs(r["high_usd"] - r["low_usd"]))  # largest on top
    base = float(base_usd)

    def draw(figure: Any) -> None:
        ax = figure.subplots()
        labels = [plain_label(r["parameter"]) for r in rows]
        ys = range(len(rows))
        for y, r in zip(ys, rows, strict=True):
            low, high = float(r["low_usd"]), float(r["high_usd"])
            first = y == 0
            ax.barh(
                y,
                low - base,
                left=base,
                color=LOW_COLOUR,
                height=0.6,
                label="assumption at its low end" if first else None,
            )
            ax.barh(
                y,
                high - base,
                left=base,
                color=HIGH_COLOUR,
                height=0.6,
                label="assumption at its high end" if first else None,
            )
            for value, dec in ((low, r["low_usd"]), (high, r["high_usd"])):
                if value == base:  # no bar on this side: a label would sit on the other bar
                    continue
                align = "right" if value < base else "left"
                ax.annotate(
                    _money_label(dec),
                    (value, y),
                    xytext=(-3 if align == "right" else 3, 0),
                    textcoords="offset points",
                    ha=align,
                    va="center",
                    fontsize=8,
                )
        ax.axvline(base, color="#333333", linewidth=1)
        ax.set_yticks(list(ys), labels)
        ax.grid(axis="y", visible=False)
        ax.xaxis.set_major_formatter(_formatter(money_tick))
        ax.set_xlabel(f"Total cost (base {money_tick(base)})")
        ax.margins(x=0.25)
        ax.set_ylim(-0.6, len(rows) - 0.4 + 0.5)
        # opaque box: the base line ran through the legend text
        ax.legend(
            fontsize=7,
            frameon=True,
            facecolor="white",
            edgecolor="none",
            framealpha=1.0,
            loc="upper right",
            ncols=2,
        )
        ax.set_title("Which assumption moves the total most")

    height = 1.5 + 0.38 * len(rows)
    svg = _render(draw, 6.4, height)
    size = (6.4, height)
    alt = (
        "Tornado chart: the total with each assumption at its low and high end "
        f"({len(rows)} assumption{'s' if len(rows) != 1 else ''}, largest swing on top)"
    )
    return Chart(
        "sensitivity", "Sensitivity (tornado)", alt, svg, png=lambda: _render_png(draw, *size)
    )


MAX_BARS = 20
"""Bars in the by-teacher chart: 32 teachers made a chart taller than a printed page,
split across two pages; the table above it lists them all."""


def by_teacher(rows: Sequence[Mapping[str, Any]], highlight: str | None = None) -> Chart:
    """The same campaign priced for each teacher, cheapest at the top, with ranges.

    At most :data:`MAX_BARS` bars: the cheapest ones, plus the scenario's own teacher.
    """
    every = sorted(rows, key=lambda r: r["total_usd"])
    shown = every[:MAX_BARS]
    if highlight is not None and all(r["teacher"] != highlight for r in shown):
        shown = [*every[: MAX_BARS - 1], *(r for r in every if r["teacher"] == highlight)]
    n_all = len(every)
    rows = sorted(shown, key=lambda r: r["total_usd"], reverse=True)  # cheapest drawn last = top
    totals = [float(r["total_usd"]) for r in rows]
    lows = [float(r.get("low_usd", r["total_usd"])) for r in rows]
    highs = [float(r.get("high_usd", r["total_usd"])) for r in rows]
    log = _log_axis_wanted(totals)

    positive = [t for t in totals if t > 0]
    # On a log axis a free ($0) teacher has no bar: start the axis below the cheapest paid one
    # and label the free ones at that edge.
    floor = min(positive) / 3 if log and positive else 0.0

    def draw(figure: Any) -> None:
        ax = figure.subplots()
        ys = list(range(len(rows)))
        colours = [
            HIGH_COLOUR if highlight is not None and r["teacher"] == highlight else BASE_COLOUR
            for r in rows
        ]
        ax.barh(ys, totals, left=floor if log else 0, color=colours, height=0.6)
        if log:  # bars on a log axis are drawn from the floor: subtract it back out
            for patch, total in zip(ax.patches, totals, strict=True):
                patch.set_width(max(total - floor, 0))
        err = [
            [t - lo for t, lo in zip(totals, lows, strict=True)],
            [hi - t for t, hi in zip(totals, highs, strict=True)],
        ]
        if any(any(e) for e in err):
            ax.errorbar(totals, ys, xerr=err, fmt="none", ecolor="#333333", capsize=3, lw=0.8)
        for y, r, hi in zip(ys, rows, highs, strict=True):
            ax.annotate(
                _money_label(r["total_usd"]),
                (max(hi, floor), y),
                xytext=(4, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
        ax.set_yticks(ys, [plain_label(r["teacher"]) for r in rows])
        ax.grid(axis="y", visible=False)
        ax.set_ylim(-0.6, len(rows) - 0.4)
        if log:
            ax.set_xscale("log")
            ax.set_xlabel("Total cost (log scale)")
            ax.set_xlim(left=floor, right=max(highs) * 4)
        else:
            ax.set_xlabel("Total cost")
            ax.set_xlim(left=0, right=max([*highs, 0.0]) * 1.2 or 1.0)
        ax.xaxis.set_major_formatter(_formatter(money_tick))
        if len(rows) < n_all:
            ax.set_title(f"Cost by teacher (cheapest {len(rows)} of {n_all})")
        else:
            ax.set_title("Cost by teacher")

    size = (6.4, 1.2 + 0.32 * len(rows))
    svg = _render(draw, *size)
    if len(rows) < n_all:
        alt = (
            f"Bar chart: total cost of the cheapest {len(rows)} of {n_all} teachers "
            "(all are in the table), cheapest on top"
        )
    else:
        alt = f"Bar chart: total cost for each of {len(rows)} teachers, cheapest on top"
    return Chart("by_teacher", "Cost by teacher", alt, svg, png=lambda: _render_png(draw, *size))


def step_series(
    rows: Sequence[Mapping[str, Any]], until: date | None = None
) -> dict[str, tuple[list[tuple[date, Decimal]], date | None]]:
    """Each teacher's priced points (by date) and the date its last step holds until.

    A row without a total (a retirement) ends that teacher's line on its date;
    other lines hold their last price up to ``until``. (Ending each line at its
    last price *change* cut gpt-3.5-turbo off in 2024 although it was sold at that
    price until 2026.)
    """
    out: dict[str, tuple[list[tuple[date, Decimal]], date | None]] = {}
    retired: dict[str, date] = {}
    for r in rows:
        teacher, day = str(r["teacher"]), _as_date(r["date"])
        if r.get("total_usd") is None:
            retired[teacher] = day
            continue
        out.setdefault(teacher, ([], until))[0].append((day, r["total_usd"]))
    for teacher, (points, _) in out.items():
        points.sort()
        end = retired.get(teacher)
        out[teacher] = (points, end if end is not None and end > points[-1][0] else until)
    return out


def over_time(rows: Sequence[Mapping[str, Any]], until: date | None = None) -> Chart:
    """Cost of the same campaign on each date a teacher's price changed (log axis).

    Prices are step functions, so each teacher's series is drawn as steps that
    hold until the next change (and up to ``until``, the report's date).
    """
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    series = {t: points for t, (points, _) in step_series(rows, until).items()}
    ends = {t: end for t, (_, end) in step_series(rows, until).items()}

    def draw(figure: Any) -> None:
        ax = figure.subplots()
        for i, (teacher, points) in enumerate(series.items()):
            xs = [d for d, _ in points]
            ys = [float(v) for _, v in points]
            end = ends[teacher]
            if end is not None and xs and end > xs[-1]:
                xs, ys = [*xs, end], [*ys, ys[-1]]
            colour = PALETTE[i % len(PALETTE)]
            ax.step(xs, ys, where="post", color=colour, label=plain_label(teacher), lw=1.5)
            ax.plot(
                [d for d, _ in points], [float(v) for _, v in points], "o", color=colour, ms=3.5
            )
        log = _log_money_axis(ax.yaxis, [float(v) for pts in series.values() for _, v in pts])
        locator = AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        ax.set_ylabel("Total cost (log scale)" if log else "Total cost")
        ax.set_title("Cost of the same campaign over time")
        if len(series) > 1:
            ax.legend(fontsize=7, frameon=False, loc="best")

    svg = _render(draw, 6.4, 3.4)
    size = (6.4, 3.4)
    alt = (
        f"Line chart: cost of the campaign over time for {len(series)} teacher(s), "
        "log scale, one step per price change"
    )
    return Chart("over_time", "Cost over time", alt, svg, png=lambda: _render_png(draw, *size))


def _step_line(
    ax: Any, points: Sequence[tuple[date, float]], until: date | None, **style: Any
) -> None:
    """A step function that holds each value until the next point (and up to ``until``)."""
    xs = [d for d, _ in points]
    ys = [v for _, v in points]
    if until is not None and xs and until > xs[-1]:
        xs, ys = [*xs, until], [*ys, ys[-1]]
    ax.step(xs, ys, where="post", **style)


def _runs(rows: Sequence[Mapping[str, Any]], teacher: str, total: str) -> list[dict[str, Any]]:
    """The dates on which a curve's teacher or cost changed (rows without a total end a run)."""
    out: list[dict[str, Any]] = []
    for r in rows:
        if r.get(total) is None:
            continue
        key = (r.get(teacher), r.get(total))
        if not out or (out[-1]["teacher"], out[-1]["total"]) != key:
            out.append({"date": _as_date(r["date"]), "teacher": r[teacher], "total": r[total]})
    return out


MAX_LABELS = 14
"""Teacher names drawn on the moat curve; more would overlap (the table names them all)."""


def frontier_curve(
    rows: Sequence[Mapping[str, Any]], capability: str, until: date | None = None
) -> Chart:
    """The moat curve: the cheapest teacher meeting the bar on each date (log cost, steps,
    each step named), and the best teacher sold that day as a dashed line."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    cheapest = _runs(rows, "teacher", "total_usd")
    best = _runs(rows, "best_teacher", "best_total_usd")
    values = [float(r["total"]) for r in (*cheapest, *best)]

    def draw(figure: Any) -> None:
        ax = figure.subplots()
        if best:
            _step_line(
                ax,
                [(r["date"], float(r["total"])) for r in best],
                until,
                color="#999999",
                lw=1.2,
                ls="--",
                label="best teacher sold that day",
            )
        _step_line(
            ax,
            [(r["date"], float(r["total"])) for r in cheapest],
            until,
            color=BASE_COLOUR,
            lw=2,
            label=plain_label(f"cheapest meeting {capability}"),
        )
        ax.plot(
            [r["date"] for r in cheapest],
            [float(r["total"]) for r in cheapest],
            "o",
            color=BASE_COLOUR,
            ms=4,
        )
        named = cheapest if len(cheapest) <= MAX_LABELS else _spread(cheapest, MAX_LABELS)
        first_day = cheapest[0]["date"] if cheapest else None
        last_day = until or (cheapest[-1]["date"] if cheapest else None)
        previous = None
        for i, r in enumerate(named):
            # a teacher's later price steps show only the price; its name stands at its first
            name = "" if r["teacher"] == previous else plain_label(r["teacher"]) + " "
            previous = r["teacher"]
            late = (
                first_day is not None
                and last_day is not None
                and last_day > first_day
                and (r["date"] - first_day) / (last_day - first_day) > 0.6
            )
            label = ax.annotate(
                name + money_tick(float(r["total"])),
                (r["date"], float(r["total"])),
                xytext=(-4 if late else 4, 5 if i % 2 == 0 else -9),
                textcoords="offset points",
                ha="right" if late else "left",
                fontsize=6.5,
                color="#222222",
            )
            label.set_in_layout(False)  # long names must not squeeze the axes
        log = _log_money_axis(ax.yaxis, values)
        locator = AutoDateLocator()
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        ax.set_ylabel("Campaign cost (log scale)" if log else "Campaign cost")
        ax.set_title("Cost of extracting a model that meets the bar")
        figure.legend(fontsize=7, frameon=False, loc="outside lower center", ncols=2)

    svg = _render(draw, 7.2, 4.2)
    names = ", ".join(dict.fromkeys(str(r["teacher"]) for r in cheapest))
    alt = (
        f"Step chart, log cost axis: the cheapest teacher meeting {capability} on each date "
        f"({len(cheapest)} step(s): {names}), and the best teacher sold that day (dashed)"
    )
    return Chart("frontier", "The moat curve", alt, svg)


def _spread(items: Sequence[Any], n: int) -> list[Any]:
    """``n`` items spread evenly over ``items``, keeping the first and the last."""
    if len(items) <= n:
        return list(items)
    picks = sorted({round(i * (len(items) - 1) / (n - 1)) for i in range(n)})
    return [items[i] for i in picks]


def days_by_keys(
    rows: Sequence[Mapping[str, Any]],
    limits: Sequence[str],
    deadline: Decimal | None = None,
    needed: int | None = None,
) -> Chart:
    """Days the campaign takes against the keys (organisations) used, log-log: the wall
    clock (the slowest limit) and each limit's own line; the deadline, if given."""
    rows = sorted(rows, key=lambda r: r["keys"])
    keys = [float(r["keys"]) for r in rows]

    def draw(figure: Any) -> None:
        ax = figure.subplots()
        for i, name in enumerate(limits):
            ys = [r.get(f"{name}_days") for r in rows]
            if all(y is None for y in ys):
                continue
            ax.plot(
                keys,
                [float(y) if y is not None else float("nan") for y in ys],
                ls=":",
                lw=1,
                color=PALETTE[(i + 2) % len(PALETTE)],
                label=plain_label(f"{name} alone"),
            )
        ax.plot(
            keys,
            [float(r["days"]) for r in rows],
            "-o",
            color=BASE_COLOUR,
            lw=2,
            ms=3,
            label="wall clock (slowest limit)",
        )
        if deadline is not None:
            ax.axhline(
                float(deadline),
                color=HIGH_COLOUR,
                lw=1,
                ls="--",
                label=f"deadline {_trim(float(deadline))} days",
            )
        if needed is not None:
            ax.axvline(float(needed), color=HIGH_COLOUR, lw=0.8, ls=":")
            ax.annotate(
                f"{needed:,} keys",
                (float(needed), 0),
                xycoords=("data", "axes fraction"),
                xytext=(3, 4),
                textcoords="offset points",
                fontsize=7,
                color=HIGH_COLOUR,
            )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_major_formatter(_formatter(_count_tick))
        ax.xaxis.set_minor_formatter(_formatter(lambda v: ""))
        ax.yaxis.set_major_formatter(_formatter(_trim))
        ax.set_xlabel("API keys or organisations (log scale)")
        ax.set_ylabel("Days (log scale)")
        ax.set_title("Days to extract against keys")
        figure.legend(fontsize=7, frameon=False, loc="outside right upper")

    svg = _render(draw, 6.4, 3.6)
    alt = (
        f"Line chart, log-log: days the campaign takes with {int(keys[0]):,} to "
        f"{int(keys[-1]):,} keys, the wall clock and each limit's own days"
    )
    return Chart("days_by_keys", "Days against keys", alt, svg)


def cost_vs_volume(
    points: Sequence[Mapping[str, Any]], volume_label: str, current: Decimal | None = None
) -> Chart:
    """Total cost (with its range) as the campaign's volume scales, on log–log axes."""
    points = sorted(points, key=lambda p: p["volume"])

    def draw(figure: Any) -> None:
        ax = figure.subplots()
        xs = [float(p["volume"]) for p in points]
        ax.fill_between(
            xs,
            [float(p["low_usd"]) for p in points],
            [float(p["high_usd"]) for p in points],
            color=BASE_COLOUR,
            alpha=0.18,
            lw=0,
            label="range (low–high)",
        )
        ax.plot(xs, [float(p["total_usd"]) for p in points], "-o", color=BASE_COLOUR, ms=3)
        if current is not None:
            ax.axvline(float(current), color=HIGH_COLOUR, lw=1, ls="--", label="this campaign")
            ax.legend(fontsize=7, frameon=False, loc="upper left")
        log_x = all(x > 0 for x in xs)
        if log_x:
            ax.set_xscale("log")
        log_y = _log_money_axis(
            ax.yaxis, [float(p[k]) for p in points for k in ("low_usd", "high_usd")]
        )
        ax.xaxis.set_major_formatter(_formatter(_count_tick))
        ax.xaxis.set_minor_formatter(_formatter(lambda v: ""))
        ax.set_xlabel(plain_label(volume_label) + (" (log scale)" if log_x else ""))
        ax.set_ylabel("Total cost (log scale)" if log_y else "Total cost")
        ax.set_title("Cost vs volume")

    svg = _render(draw, 6.4, 3.2)
    size = (6.4, 3.2)
    alt = f"Line chart: total cost (with range) against {volume_label.lower()}, log-log axes"
    return Chart("cost_vs_volume", "Cost vs volume", alt, svg, png=lambda: _render_png(draw, *size))


def _log_money_axis(axis: Any, values: Sequence[float]) -> bool:
    """A log money axis that keeps labels even when the data span less than a decade.

    Falls back to a linear axis (returns False) when a value is zero or negative:
    a free teacher must still be drawn, not dropped with a warning.
    """
    from matplotlib.ticker import LogLocator

    positive = [v for v in values if v > 0]
    if not positive or len(positive) < len(values):
        axis.set_major_formatter(_formatter(money_tick))
        return False
    axis.axes.set_yscale("log")
    spread = max(positive) / min(positive)
    subs = (1.0, 2.0, 3.0, 5.0) if spread < 10 else (1.0, 2.0, 5.0) if spread < 100 else (1.0,)
    axis.set_major_locator(LogLocator(base=10, subs=subs))
    axis.set_major_formatter(_formatter(money_tick))
    axis.set_minor_formatter(_formatter(lambda v: ""))
    return True


def _count_tick(value: float) -> str:
    for limit, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if value >= limit:
            return f"{_trim(value / limit)}{suffix}"
    return _trim(value)


def _formatter(function: Callable[[float], str]) -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _pos: function(value))


def _as_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


_XML_PROLOGUE = re.compile(r"\A\s*<\?xml[^>]*\?>\s*(<!DOCTYPE[^>]*>\s*)?", re.S)
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
_NAMESPACES = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')
_ID = re.compile(r'\bid="([^"]+)"')
_HREF = re.compile(r'(xlink:href|href)="#([^"]+)"')
_URL = re.compile(r"url\(#([^)]+)\)")


def inline_svg(svg: str, prefix: str) -> str:
    """An SVG document turned into an element to inline in an HTML page.

    Drops the XML prologue and DOCTYPE (whose URL must not appear in a
    self-contained page), the metadata block and namespace declarations (HTML's
    parser supplies them), and prefixes every id and reference with ``prefix``
    so several charts in one page never share an id.
    """
    svg = _XML_PROLOGUE.sub("", svg)
    svg = _METADATA.sub("", svg)
    svg = _NAMESPACES.sub("", svg, count=0)
    svg = _ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', svg)
    svg = _HREF.sub(lambda m: f'{m.group(1)}="#{prefix}-{m.group(2)}"', svg)
    svg = _URL.sub(lambda m: f"url(#{prefix}-{m.group(1)})", svg)
    return svg.strip()
