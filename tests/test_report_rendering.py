"""Reports: display filters, template loading and overriding, escaping, charts, goldens.

Expected values are written by hand (filters) or formatted here independently of
distillcost.report from the Estimate's exact Decimals (report contents).

Golden Markdown files live in tests/golden/; regenerate them only with
``DISTILLCOST_REGEN_GOLDEN=1 pytest tests/test_report_rendering.py`` and review the diff.
"""

from __future__ import annotations

import os
import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from distillcost.errors import RenderError
from distillcost.escape import md, md_links, md_table
from distillcost.report import ReportData, build_report_data, render_report, write_report
from distillcost.report.environment import make_environment
from distillcost.report.filters import FILTERS

date_filter = FILTERS["date"]
duration = FILTERS["duration"]
money = FILTERS["money"]
number = FILTERS["number"]
pct = FILTERS["pct"]
price = FILTERS["price"]
span = FILTERS["span"]
tokens = FILTERS["tokens"]

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
GOLDEN = Path(__file__).resolve().parent / "golden"
REGEN = os.environ.get("DISTILLCOST_REGEN_GOLDEN") == "1"
HOSTILE = "<script>alert(1)</script>"

# --------------------------------------------------------------------------- helpers


def load(name: str, **overrides):
    from distillcost.cli.scenario_options import scenario_from_options

    return scenario_from_options(str(EXAMPLES / f"{name}.toml"), overrides)


def dollars(value: Decimal) -> str:
    """Independent money formatting for assertions: cents, half up, thousands commas."""
    cents = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"-${-cents:,}" if cents < 0 else f"${cents:,}"


def auto_dollars(value: Decimal) -> str:
    """The report's default rounding: whole dollars from $10,000 up, cents below."""
    if abs(value) >= 10_000:
        return f"${value.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
    return dollars(value)


class TextAndTags(HTMLParser):
    """Visible text, tags, attributes and where URLs appear in an HTML document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.url_texts: list[tuple[str, str]] = []  # (enclosing tag, text)
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            self.ids.append(attributes["id"] or "")
        if tag not in {"meta", "br", "hr", "img", "link", "input"}:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            self.ids.append(attributes["id"] or "")

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if self.stack and self.stack[-1] in {"style", "title"}:
            return
        self.text.append(data)
        if "://" in data:
            self.url_texts.append((self.stack[-1] if self.stack else "", data))

    @property
    def visible(self) -> str:
        return " ".join(" ".join(self.text).split())


def parse(html: str) -> TextAndTags:
    parser = TextAndTags()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def alpaca_full():
    """The Alpaca example with a comparison and price history (every chart)."""
    scenario, table = load("alpaca")
    data = build_report_data(scenario, table, compare=["gpt-3.5-turbo"], history=True)
    return scenario, table, data


# --------------------------------------------------------------------------- filters


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("1234.5678"), None, "$1,234.57"),
        (Decimal("0"), None, "$0.00"),
        (Decimal("2.675"), None, "$2.68"),  # half up (a float would give 2.67)
        (Decimal("0.0042"), None, "$0.0042"),  # under a cent: two significant digits
        (Decimal("0.00425"), None, "$0.0043"),
        (Decimal("9999.994"), None, "$9,999.99"),
        (Decimal("12345.5"), None, "$12,345.50"),  # cents at any size, as every output shows
        (Decimal("12345.5"), 2, "$12,345.50"),
        (Decimal("-5.005"), None, "-$5.01"),
        (Decimal("-0.001"), 2, "$0.00"),  # no "-$0.00"
        (Decimal("1e15"), None, "$1,000,000,000,000,000.00"),
        (7, None, "$7.00"),
        (None, None, "—"),
    ],
)
def test_money(value, places, expected):
    assert money(value, places) == expected


@pytest.mark.parametrize(
    ("value", "exact", "expected"),
    [
        (34567, False, "34,567"),
        (999_999, False, "999,999"),
        (1_000_000, False, "1M"),
        (1_200_000, False, "1.2M"),
        (1_234_567, False, "1.23M"),
        (1_995_000, False, "2M"),
        (999_999_999, False, "1B"),  # not "1000M"
        (12_345_678_901, False, "12.3B"),
        (Decimal("7724897.1"), True, "7,724,897"),
        (1_234_567, True, "1,234,567"),
    ],
)
def test_tokens(value, exact, expected):
    assert tokens(value, exact=exact) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("0.85"), "85%"),
        (Decimal("0.123"), "12.3%"),
        (Decimal("0.0005"), "0.05%"),
        (1, "100%"),
    ],
)
def test_pct(value, expected):
    assert pct(value) == expected


def test_price_number_span():
    assert price(Decimal("0.075")) == "$0.075"
    assert price(Decimal("2.5")) == "$2.50"
    assert price(Decimal("20")) == "$20.00"
    assert price(None) == "—"
    assert number(Decimal("0.5")) == "0.5"
    assert number(Decimal("5200.2")) == "5,200.2"
    assert number(Decimal("0.333333333")) == "0.3333"
    assert span(Decimal("110"), Decimal("95"), Decimal("133")) == "110 (95–133)"
    assert span(Decimal("110"), Decimal("110"), Decimal("110")) == "110"
    assert span(True) == "yes"


def test_summing_places_makes_columns_add_up():
    from distillcost.present import summing_places

    # cents: 0.29 + 2.43 = 2.72, yet the total 2.7148 shows 2.71; 0.287 + 2.428 = 2.715 adds up
    assert summing_places([Decimal("0.2868"), Decimal("2.428")], Decimal("2.7148")) == 3
    assert summing_places([Decimal("100.23"), Decimal("228.81"), 96], Decimal("425.04")) == 2


def test_date_and_duration():
    assert date_filter(date(2024, 5, 13)) == "2024-05-13"
    assert date_filter("2024-05-13", "long") == "13 May 2024"
    with pytest.raises(RenderError, match="expected a date"):
        date_filter("13/05/2024")
    assert duration(1) == "1 second"
    assert duration(45) == "45 seconds"
    assert duration(600) == "10 minutes"
    assert duration(93_600) == "26 hours"  # 26 h: under two days stays in hours
    assert duration(280_000) == "3.2 days"  # 3.24 days


# --------------------------------------------------------------------------- markdown escaping


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (HOSTILE, r"\<script>alert(1)\</script>"),
        ("a|b", r"a\|b"),
        ("completion_tokens", "completion_tokens"),  # intra-word underscores are safe on GitHub
        ("_x_", r"\_x\_"),
        ("**b** [l](u) `c`", r"\*\*b\*\* \[l\](u) \`c\`"),
        ("# heading", r"\# heading"),
        ("1. item", r"1\. item"),
        ("0.4%", "0.4%"),
        ("~1M pairs", "~1M pairs"),
        ("~~gone~~", r"\~\~gone\~\~"),
        ("&amp; AT&T", r"\&amp; AT&T"),
        ("two\nlines", "two lines"),
    ],
)
def test_md_escapes_markup_but_stays_readable(text, expected):
    assert md(text) == expected


def test_md_links_links_only_web_urls():
    text = "javascript:alert(1) see https://example.com/a_b, then <b>"
    assert md_links(text) == r"javascript:alert(1) see <https://example.com/a_b>, then \<b>"


def test_md_table_is_aligned_and_escaped():
    table = md_table(["Name", "Cost"], [["a|b", "$1.00"], [HOSTILE, "$10,000"]], align="lr")
    lines = table.splitlines()
    assert len({len(line) for line in lines}) == 1  # every line padded to the same width
    assert lines[1] == "| " + "-" * 27 + " | " + "-" * 6 + ": |"
    assert lines[2].startswith(r"| a\|b ")
    assert lines[3] == r"| \<script>alert(1)\</script> | $10,000 |"
    with pytest.raises(RenderError, match="row 1 has 1 cells"):
        md_table(["a", "b"], [["only one"]])


# --------------------------------------------------------------------------- environment


def test_builtin_templates_come_from_the_package():
    import distillcost

    env = make_environment()
    package_dir = Path(distillcost.__file__).resolve().parent
    for name in ("report.html.j2", "report.md.j2", "default:report.md.j2"):
        filename = Path(env.get_template(name).filename or "").resolve()
        # installed: inside the package; editable: the mapped top-level templates/ dir
        assert filename.name == name.removeprefix("default:")
        assert package_dir in filename.parents or (REPO / "templates") in filename.parents


def test_autoescape_html_but_not_markdown(tmp_path):
    for name in ("t.html.j2", "t.md.j2", "partial.j2"):
        (tmp_path / name).write_text("{{ v }}", encoding="utf-8")
    env = make_environment([tmp_path])
    assert (
        env.get_template("t.html.j2").render(v=HOSTILE) == "&lt;script&gt;alert(1)&lt;/script&gt;"
    )
    # an unknown suffix is escaped too (safe default for partials)
    assert env.get_template("partial.j2").render(v=HOSTILE).startswith("&lt;script")
    assert env.get_template("t.md.j2").render(v=HOSTILE) == HOSTILE


def test_undefined_variable_fails_loudly_naming_template_and_line(tmp_path):
    (tmp_path / "report.md.j2").write_text("line one\n{{ e.no_such_key }}\n", encoding="utf-8")
    scenario, table = load("essay")
    data = build_report_data(scenario, table, volume=False)
    with pytest.raises(RenderError) as info:
        render_report(data, "md", template_dirs=[tmp_path])
    message = str(info.value)
    assert "report.md.j2:2" in message
    assert "no_such_key" in message


def test_syntax_error_and_missing_template_are_render_errors(tmp_path):
    (tmp_path / "report.md.j2").write_text("{% if %}\n", encoding="utf-8")
    (tmp_path / "report.html.j2").write_text('{% extends "default:nope.j2" %}', encoding="utf-8")
    scenario, table = load("essay")
    data = build_report_data(scenario, table, volume=False)
    with pytest.raises(RenderError, match=r"report\.md\.j2:1: template syntax error"):
        render_report(data, "md", template_dirs=[tmp_path])
    with pytest.raises(RenderError, match=r"template 'default:nope\.j2' not found"):
        render_report(data, "html", template_dirs=[tmp_path], output=tmp_path / "x.html")


def test_template_dir_replaces_and_extends_builtins(tmp_path):
    scenario, table = load("essay")
    data = build_report_data(scenario, table, volume=False)
    whole = tmp_path / "whole"
    whole.mkdir()
    (whole / "report.md.j2").write_text("Total {{ e.total_usd|money }}\n", encoding="utf-8")
    assert render_report(data, "md", template_dirs=[whole]).text == "Total $20,000.00\n"

    extend = tmp_path / "extend"
    extend.mkdir()
    (extend / "report.md.j2").write_text(
        '{% extends "default:report.md.j2" %}\n'
        "{% block summary %}OUR SUMMARY {{ e.teacher|md }}\n\n{% endblock %}\n",
        encoding="utf-8",
    )
    text = render_report(data, "md", template_dirs=[extend]).text
    assert "OUR SUMMARY text-davinci-003" in text
    assert "Distilling from" not in text  # the built-in summary block was replaced
    assert "## Cost breakdown" in text and "## Method" in text  # the rest is the built-in


def test_config_dir_templates_and_precedence(tmp_path, monkeypatch):
    config = tmp_path / "config"
    (config / "templates").mkdir(parents=True)
    (config / "templates" / "report.md.j2").write_text("from config\n", encoding="utf-8")
    monkeypatch.setenv("DISTILLCOST_CONFIG_DIR", str(config))
    scenario, table = load("essay")
    data = build_report_data(scenario, table, volume=False)
    assert render_report(data, "md").text == "from config\n"
    flag_dir = tmp_path / "flag"
    flag_dir.mkdir()
    (flag_dir / "report.md.j2").write_text("from --template-dir\n", encoding="utf-8")
    assert render_report(data, "md", template_dirs=[flag_dir]).text == "from --template-dir\n"


# --------------------------------------------------------------------------- charts


def test_charts_are_deterministic_and_escape_labels():
    from distillcost.report import charts

    rows = [
        {"parameter": HOSTILE + " $x$ -->", "low_usd": Decimal(90), "high_usd": Decimal(130)},
        {"parameter": "completion_tokens", "low_usd": Decimal(50), "high_usd": Decimal(200)},
    ]
    first = charts.tornado(Decimal(100), rows)
    second = charts.tornado(Decimal(100), rows)
    assert first.svg == second.svg  # fixed hash salt, no date: byte-identical
    assert "<script" not in first.svg
    # matplotlib draws text as paths and keeps it only in escaped comments
    assert "&lt;script&gt;alert(1)&lt;/script&gt; $x$ - -&gt;" in first.svg
    inline = first.inline()
    assert "http" not in inline  # no DOCTYPE, no namespace URLs left
    assert "<?xml" not in inline and "<!DOCTYPE" not in inline
    ids = re.findall(r'\bid="([^"]+)"', inline)
    assert ids and all(i.startswith("sensitivity-") for i in ids)
    for ref in re.findall(r'href="#([^"]+)"', inline):
        assert ref in ids


def test_hostile_teacher_name_through_report_and_chart(tmp_path):
    hostile_prices = tmp_path / "hostile.toml"
    hostile_prices.write_text(
        '[meta]\nprovider = "evil<b>corp"\nunit = "USD per 1M tokens"\nchecked = 2024-01-01\n\n'
        f'[[models]]\nid = "{HOSTILE}"\nencoding = "o200k_base"\n\n'
        "  [[models.prices]]\n  effective_from = 2023-01-01\n  input = 10\n  output = 30\n"
        '  source = "javascript:alert(1) <img src=x onerror=alert(2)> https://example.com/p"\n',
        encoding="utf-8",
    )
    scenario, table = load("alpaca", teacher=HOSTILE, price_files=[str(hostile_prices)])
    data = build_report_data(scenario, table, compare=["text-davinci-003"])
    html = render_report(data, "html", output=tmp_path / "h.html").text
    doc = parse(html)
    assert not [t for t, _ in doc.tags if t in {"script", "img", "b"}]
    assert f"Distilling from {HOSTILE} (evil<b>corp)" in doc.visible  # shown as text
    anchors = [a.get("href") for t, a in doc.tags if t == "a"]
    assert anchors == ["https://example.com/p"]  # javascript: is not a link
    svgs = [a for t, a in doc.tags if t == "svg"]
    assert len(svgs) >= 2  # the by-teacher chart (with the hostile label) and the volume chart

    out = tmp_path / "h.md"
    rendered = render_report(data, "md", output=out)
    assert r"**\<script>alert(1)\</script>** (evil\<b>corp)" in rendered.text
    assert "<script" not in rendered.text.replace(r"\<script", "")
    for svg in rendered.chart_files.values():
        assert "<script" not in svg


# --------------------------------------------------------------------------- report contents


def test_html_shows_the_numbers_a_reader_needs(alpaca_full, tmp_path):
    _, table, data = alpaca_full
    e = data.estimate
    html = render_report(data, "html", output=tmp_path / "r.html").text
    doc = parse(html)
    text = doc.visible
    assert f"estimated {dollars(e['total_usd'])}" in text
    assert f"(range {dollars(e['low_usd'])} to {dollars(e['high_usd'])})" in text
    assert "Distilling from text-davinci-003 (openai)" in text
    assert "13 March 2023" in text  # the as-of date, long form
    labels = {
        "input_uncached": "Input (uncached)",
        "input_cached": "Cached input",
        "cache_write": "Cache writes",
        "output": "Output (visible)",
        "reasoning": "Reasoning (hidden, billed as output)",
        "per_request": "Per-request fees",
        "student_training": "Student training",
    }
    charged = {kind: label for kind, label in labels.items() if e["costs"][kind]}
    for kind, label in charged.items():
        assert label in text
        assert dollars(e["costs"][kind]) in text
    # the kinds this campaign does not pay share one "Not charged" line
    unused = [label.split(" (")[0].lower() for kind, label in labels.items() if kind not in charged]
    assert "Not charged: " + ", ".join(unused) in text
    # the cost table holds each kind and its dollars in one row
    section = html[html.index('<section id="breakdown">') :]
    section = section[: section.index("</section>")]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", section, re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in rows]
    by_label = {c[0]: c for c in cells if c}
    for kind, label in charged.items():
        assert dollars(e["costs"][kind]) == by_label[label][3]
    assert f"distillcost {__import__('distillcost').__version__}" in text
    assert f"price table {table.version}" in text
    # every chart present: comparison, history, tornado, volume
    figures = [a.get("id") for t, a in doc.tags if t == "figure"]
    assert figures == [
        "chart-by_teacher",
        "chart-over_time",
        "chart-sensitivity",
        "chart-cost_vs_volume",
    ]
    assert sum(1 for t, _ in doc.tags if t == "svg") == 4


def test_html_is_self_contained(alpaca_full, tmp_path):
    _, _, data = alpaca_full
    html = render_report(data, "html", output=tmp_path / "r.html").text
    doc = parse(html)
    tags = {t for t, _ in doc.tags}
    assert not tags & {"script", "link", "iframe", "img", "object", "embed", "base"}
    for tag, attrs in doc.tags:
        assert "src" not in attrs
        assert not any(k.startswith("on") for k in attrs)  # no event handlers
        for key, value in attrs.items():
            if value and "://" in value:
                assert (tag, key) == ("a", "href"), (tag, key, value)
    for enclosing, _text in doc.url_texts:
        assert enclosing == "a"  # URLs appear only as the text of a source link
    assert "@import" not in html and "url(http" not in html
    assert len(doc.ids) == len(set(doc.ids))  # several inline SVGs, no clashing ids
    assert "@page" in html and "break-inside: avoid" in html  # prints cleanly


def test_markdown_method_checks_by_hand(alpaca_full):
    """Redo the Method arithmetic from the printed numbers: tokens × rate ÷ 1M, then the sum."""
    _, _, data = alpaca_full
    text = render_report(data, "md").text
    method = text[text.index("## Method") : text.index("### Prices used")]
    checked = 0
    for tokens_text, rate_text, cost_text in re.findall(
        r"([\d,]+) × \$([\d.,]+) ÷ 1,000,000 = \$([\d.,]+)", method
    ):
        n = Decimal(tokens_text.replace(",", ""))
        rate = Decimal(rate_text.replace(",", ""))
        cost = Decimal(cost_text.replace(",", ""))
        assert abs(n * rate / 1_000_000 - cost) <= Decimal("0.01"), (n, rate, cost)
        checked += 1
    assert checked == 2  # uncached input and output
    total_line = next(line for line in method.splitlines() if line.strip().startswith("Total"))
    parts, total = total_line.split("=")
    summed = sum(Decimal(p.strip(" $").replace(",", "")) for p in parts.split()[1:] if p != "+")
    assert summed == Decimal(total.strip(" $").replace(",", ""))  # the column adds up exactly
    assert total.strip() == dollars(data.estimate["total_usd"])

    def num(text: str) -> Decimal:
        return Decimal(text.replace(",", ""))

    # volume back to requests, from the printed inputs: G = E ÷ a, R = G ÷ k ÷ n × T × (1 + r)
    e_, a_, g_ = re.search(r"G = E ÷ a = ([\d,.]+) ÷ ([\d.]+) = ([\d,.]+)", method).groups()
    assert num(e_) / num(a_) == num(g_)
    g2, k_, n_, t_, r_, req = re.search(
        r"R = G ÷ k ÷ n × T × \(1 \+ r\) = ([\d,.]+) ÷ ([\d.]+) ÷ ([\d.]+) × ([\d.]+)"
        r" × \(1 \+ ([\d.]+)\) = ([\d,.]+)",
        method,
    ).groups()
    assert num(g2) == num(g_)
    assert num(g2) / num(k_) / num(n_) * num(t_) * (1 + num(r_)) == num(req)


def test_markdown_charts_beside_the_file_and_never_broken(alpaca_full, tmp_path):
    _, _, data = alpaca_full
    out = tmp_path / "my report.md"
    rendered = render_report(data, "md", output=out)
    written = write_report(rendered, out)
    assert written[-1] == out and out.is_file()
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", out.read_text(encoding="utf-8"))
    assert len(links) == 4
    from urllib.parse import unquote

    for link in links:
        target = tmp_path / unquote(link)
        assert target.is_file(), link
        assert target.parent.name == "my report_charts"
        assert target.read_text(encoding="utf-8").lstrip().startswith("<?xml")

    stdout_text = render_report(data, "md").text
    assert "](" not in stdout_text.replace("](<", "")  # no image links at all
    assert "4 chart(s) left out" in stdout_text


def test_markdown_tables_aligned_and_no_math_dollars(alpaca_full):
    _, _, data = alpaca_full
    text = render_report(data, "md").text
    in_code = False
    table: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("    "):
            in_code = True
            continue
        in_code = False
        if line.startswith("|"):
            table.append(line)
            continue
        if table:
            assert len({len(row) for row in table}) == 1, table
            table = []
        # GitHub reads "$…$" as math when the closing $ follows a non-space; we never write that
        if not in_code:
            assert not re.search(r"[^\s(*|]\$", line), line


# --------------------------------------------------------------------------- goldens

GOLDEN_EXAMPLES = ["essay", "essay-per-query", "alpaca", "gpt4all"]


def golden_text(name: str) -> str:
    scenario, table = load(name)
    data = build_report_data(scenario, table)
    text = render_report(data, "md", output=f"{name}.md").text
    # The table version hashes every shipped price; it is checked in the HTML test, and left
    # out here so an unrelated price edit does not churn every golden file.
    return text.replace(table.version, "<price-table-version>")


@pytest.mark.parametrize("name", GOLDEN_EXAMPLES)
def test_markdown_golden(name):
    path = GOLDEN / f"{name}.md"
    text = golden_text(name)
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"missing {path}; run with DISTILLCOST_REGEN_GOLDEN=1 and review"
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        import difflib

        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(keepends=True),
                text.splitlines(keepends=True),
                str(path),
                "rendered now",
            )
        )
        pytest.fail(
            f"{path.name} differs from the rendered report. If the change is intended (a price, "
            "a field description, a template), regenerate with DISTILLCOST_REGEN_GOLDEN=1 "
            f"and review the diff:\n{diff}"
        )


def test_golden_mentions_the_estimate(alpaca_full):
    """The golden is not just stable but right: its headline is the Estimate's total."""
    scenario, table = load("alpaca")
    from distillcost.estimator import estimate

    result = estimate(scenario, table)
    golden = (GOLDEN / "alpaca.md").read_text(encoding="utf-8")
    assert f"**{auto_dollars(result.total_usd)}**" in golden
    assert f"(range {auto_dollars(result.low_usd)} to {auto_dollars(result.high_usd)})" in golden


def test_report_data_for_plain_data():
    """render_report works on any dict honouring the contract (library users, plugins)."""
    scenario, table = load("gpt4all")
    data = build_report_data(scenario, table, volume=False)
    assert isinstance(data, ReportData)
    text = render_report(data, "md").text
    assert text.startswith("# GPT4All (March 2023): cost of distilling from gpt-3.5-turbo-0301\n")
    assert "No rate limits were given" in text


def test_method_student_formulas_check_by_hand(tmp_path):
    """GPU FLOPs and fine-tuning students: the printed formula reproduces the printed cost."""
    from distillcost.cli.scenario_options import scenario_from_options

    base = (
        'teacher = "gpt-4o-mini"\nas_of = 2024-09-01\nexamples = 10000\n'
        "prompt_tokens = 200\ncompletion_tokens = 300\n"
    )
    gpu = tmp_path / "gpu.toml"
    gpu.write_text(
        base + '[student]\nmethod = "gpu"\nparameters = 7e9\ngpu = "a100-80gb"\n'
        "usd_per_gpu_hour = 1.5\n",
        encoding="utf-8",
    )
    scenario, table = scenario_from_options(str(gpu), {})
    text = render_report(build_report_data(scenario, table, volume=False), "md").text
    n, d, peak, util, hours = re.search(
        r"= 6 × ([\d,]+) × ([\d,]+) ÷ \(([\d.]+)e12 × ([\d.]+)\) ÷ 3,600 = ([\d.]+)\n", text
    ).groups()
    hours_again, rate, cost = re.search(
        r"GPU-hours × price = ([\d.]+) × \$([\d.]+) = \$([\d.,]+)", text
    ).groups()
    assert hours_again == hours

    def num(s: str) -> Decimal:
        return Decimal(s.replace(",", ""))

    flops = 6 * num(n) * num(d)
    # 6 × 7e9 × 5e6 (10,000 examples × 500 tokens) = 2.1e17 FLOPs, by hand
    assert flops == Decimal("2.1e17")
    expected_hours = flops / (num(peak) * 10**12 * num(util)) / 3600
    assert abs(expected_hours - num(hours)) < Decimal("0.000001")
    assert abs(num(hours) * num(rate) - num(cost)) <= Decimal("0.005")
    assert "Student GPU a100-80gb: 312 peak TFLOP/s. Source:" in text

    ft = tmp_path / "ft.toml"
    ft.write_text(
        base + '[student]\nmethod = "fine-tune"\nmodel = "gpt-4o-mini"\nepochs = 3\n',
        encoding="utf-8",
    )
    scenario, table = scenario_from_options(str(ft), {})
    text = render_report(build_report_data(scenario, table, volume=False), "md").text
    d, price_text, cost = re.search(
        r"D × training price ÷ 1,000,000 = ([\d,]+) × \$([\d.]+) ÷ 1,000,000 = \$([\d.,]+)", text
    ).groups()
    assert num(d) == 15_000_000  # 10,000 × (200 + 300) dataset tokens × 3 epochs
    assert num(d) * num(price_text) / 1_000_000 == num(cost)
    assert "Student fine-tuning on gpt-4o-mini:" in text


def test_free_teacher_and_zero_volume_render_without_warnings(tmp_path):
    """$0 totals cannot sit on a log axis: the charts fall back instead of warning or dropping."""
    free = tmp_path / "free.toml"
    free.write_text(
        '[meta]\nprovider = "acme"\nunit = "USD per 1M tokens"\nchecked = 2024-01-01\n\n'
        '[[models]]\nid = "free-model"\nencoding = "o200k_base"\n\n'
        "  [[models.prices]]\n  effective_from = 2022-06-01\n  input = 0\n  output = 0\n"
        '  source = "https://example.com/free"\n\n'
        "  [[models.prices]]\n  effective_from = 2022-10-01\n  input = 0\n  output = 0\n"
        '  source = "https://example.com/free"\n',
        encoding="utf-8",
    )
    scenario, table = load("essay", teacher="free-model", price_files=[str(free)])
    data = build_report_data(scenario, table, compare=["text-davinci-003"], history=True)
    rendered = render_report(data, "md", output=tmp_path / "free.md")
    assert "costs an estimated **$0.00**" in rendered.text
    # comparison, price history (two $0 points), volume: all drawn (filterwarnings=error);
    # no tornado, since at $0 per token no assumption moves the total
    assert set(rendered.chart_files) == {
        "free_charts/by_teacher.svg",
        "free_charts/over_time.svg",
        "free_charts/cost_vs_volume.svg",
    }
    assert "## Sensitivity" not in rendered.text

    zero, table = load("essay", output_tokens="0")
    rendered = render_report(build_report_data(zero, table), "md", output=tmp_path / "z.md")
    assert "costs an estimated **$0.00**" in rendered.text
    assert "cost_vs_volume" not in "".join(rendered.chart_files)  # nothing to scale


def gfm_to_html(text: str) -> str:
    """Render Markdown with cmark-gfm, the renderer GitHub uses (raw HTML allowed, as the
    most permissive renderers do), so escaping is checked against the real thing."""
    try:
        import cmarkgfm
        from cmarkgfm.cmark import Options
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("cmarkgfm is not installed; CI needs it for the Markdown rendering test")
        pytest.skip("cmarkgfm not installed (pip install cmarkgfm); required when CI=true")
    return cmarkgfm.github_flavored_markdown_to_html(text, options=Options.CMARK_OPT_UNSAFE)


def test_markdown_renders_as_github_would(alpaca_full, tmp_path):
    _, _, data = alpaca_full
    text = render_report(data, "md", output=tmp_path / "alpaca.md").text
    html = gfm_to_html(text)
    doc = parse(html)
    tables = html.count("<table>")
    assert tables == len(re.findall(r"^\| -", text, re.M))  # every Markdown table parsed
    # breakdown, assumptions, prices, comparison, history, sensitivity, volume (no limits: no time)
    assert tables == 7
    # a cell with escaped pipes stays one cell
    assert "<td>none | fine-tune | gpu | gpu-hours (default: inferred)</td>" in html
    images = [a.get("src") for t, a in doc.tags if t == "img"]
    assert images == [
        "alpaca_charts/by_teacher.svg",
        "alpaca_charts/over_time.svg",
        "alpaca_charts/sensitivity.svg",
        "alpaca_charts/cost_vs_volume.svg",
    ]
    links = [a.get("href") for t, a in doc.tags if t == "a"]
    assert "https://platform.openai.com/docs/deprecations" in links
    assert "<pre><code>" in html  # the method block stays a code block
    e = data.estimate
    assert f"estimated {dollars(e['total_usd'])}" in doc.visible


def test_hostile_markdown_renders_inert(tmp_path):
    hostile_prices = tmp_path / "hostile.toml"
    hostile_prices.write_text(
        '[meta]\nprovider = "evil<b>corp"\nunit = "USD per 1M tokens"\nchecked = 2024-01-01\n\n'
        f'[[models]]\nid = "{HOSTILE} **x** | y"\nencoding = "o200k_base"\n\n'
        "  [[models.prices]]\n  effective_from = 2023-01-01\n  input = 10\n  output = 30\n"
        '  source = "<img src=x onerror=alert(2)> [click](javascript:alert(3))"\n',
        encoding="utf-8",
    )
    name = f"{HOSTILE} **x** | y"
    scenario, table = load("alpaca", teacher=name, price_files=[str(hostile_prices)])
    data = build_report_data(scenario, table, compare=["text-davinci-003"])
    html = gfm_to_html(render_report(data, "md").text)
    doc = parse(html)
    assert not [t for t, _ in doc.tags if t in {"script", "img", "b", "em"}]
    assert [a.get("href") for t, a in doc.tags if t == "a"] == []  # no javascript: link
    assert f"Distilling from {name} (evil<b>corp)" in doc.visible  # literal text, no bold x
    # the comparison row keeps its seven cells despite the "|" in the name
    row = next(r for r in re.findall(r"<tr>(.*?)</tr>", html, re.S) if "evil&lt;b&gt;corp" in r)
    assert row.count("<td") == 7


def test_volume_at_the_scenario_cap_still_renders(tmp_path):
    """10× a volume at the 1e15 cap is not a valid scenario: the chart keeps the valid points."""
    scenario, table = load("essay", output_tokens="1e15")
    data = build_report_data(scenario, table)
    assert [p["factor"] for p in data.volume or ()] == [
        Decimal("0.1"),
        Decimal("0.2"),
        Decimal("0.5"),
        Decimal("1"),
    ]
    html = render_report(data, "html", output=tmp_path / "big.html").text
    # $20 per 1M output tokens × 1e15 tokens = $20,000,000,000 (by hand), cents
    assert 'estimated <span class="total">$20,000,000,000.00</span>' in html
