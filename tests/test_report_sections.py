"""QA regressions for reports (issue 5), each found by using the tool as a new user."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from distillcost.prices import load_prices
from distillcost.report import build_report_data
from distillcost.scenario import load_scenario

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def table():
    return load_prices(plugins=False, user_dir=False)


def test_history_runs_past_the_campaign_date(table):
    # The essay's campaign is dated 2022-12-28; "cost over time" must show the same
    # 1B tokens at later prices (published-cases.md: gpt-3.5-turbo March 2023 $2,000,
    # gpt-4o-mini 2024 $600), not stop on the campaign's own date.
    sc = load_scenario(EXAMPLES / "essay.toml")
    data = build_report_data(
        sc, table, compare=["gpt-3.5-turbo", "gpt-4o-mini"], history=True, volume=False
    )
    rows = data.history
    assert max(date.fromisoformat(str(r["date"])) for r in rows) > date(2022, 12, 28)
    totals = {
        (r["teacher"], str(r["date"])): D(str(r["total_usd"]))
        for r in rows
        if r.get("total_usd") is not None
    }
    # 1B output tokens x $2 per 1M = $2,000 on the day gpt-3.5-turbo launched
    assert totals[("gpt-3.5-turbo", "2023-03-01")] == D(2000)
    # 1B output tokens x $0.60 per 1M = $600 (gpt-4o-mini)
    assert D(600) in {v for (t, _), v in totals.items() if t == "gpt-4o-mini"}


def test_all_leaves_out_models_not_priced_on_the_date(table):
    # --all is "every model priced on the date". For a March 2023 campaign the report
    # listed ~80 later models one per line under "Cannot run this campaign"; they are
    # not candidates, so one sentence counts them instead.
    from distillcost.report import render_report

    sc = load_scenario(EXAMPLES / "alpaca.toml")
    data = build_report_data(sc, table, compare_all=True, volume=False)
    ranked = {r["teacher"] for r in data.comparison}
    assert "text-davinci-003" in ranked and "gpt-4o-mini" not in ranked
    # listed with a reason: cannot run it, or not ranked (code-davinci-002 was a free preview)
    listed = {u["teacher"] for u in (*data.unavailable, *data.unranked)}
    assert "gpt-4o-mini" not in listed  # first priced 2024-07-18, after 2023-03-13
    # every model in the table is either ranked, listed with a reason, or counted
    counted = int(data.left_out.split()[0])
    assert len(ranked) + len(listed) + counted == len(table)
    assert "had no price on 2023-03-13" in data.left_out
    text = render_report(data, "md").text
    assert data.left_out in text
    assert "- gpt-4o-mini:" not in text


def test_tornado_labels_no_end_that_sits_on_the_base():
    # The essay: prompt_tokens low end = base = $20k. The low label was drawn at the
    # base, on top of the high bar ("$20k" printed inside the orange bar).
    import re

    from distillcost.report import charts

    rows = [{"parameter": "prompt_tokens", "low_usd": D(20000), "high_usd": D(40000)}]
    texts = re.findall(r"<!-- (.*?) -->", charts.tornado(D(20000), rows).svg)
    start = texts.index("prompt_tokens")  # tick labels come first, then bar labels
    assert texts[start + 1 : start + 2] == ["$40k"]
    assert "$20k" not in texts[start + 1 : start + 3]


def test_cost_vs_volume_points_are_whole_counts(table):
    # 0.1 x 52,002 accepted examples was shown as "5,200.2" examples in the memo table
    from distillcost.report import volume_series

    points, _label, base = volume_series(load_scenario(EXAMPLES / "alpaca.toml"), table)
    assert base == 52_002
    volumes = [p["volume"] for p in points]
    assert D(5_200) in volumes and D(10_400) in volumes and D(52_002) in volumes
    assert all(v == v.to_integral_value() for v in volumes)


def _essay_history(table, until=None):
    sc = load_scenario(EXAMPLES / "essay.toml")
    if until is not None:  # a fixed date (the report itself runs the history to today)
        from distillcost.analysis import history

        models = ["text-davinci-003", "gpt-3.5-turbo", "gpt-4o-mini"]
        return history(sc, table, models, until=until).to_records()
    data = build_report_data(
        sc, table, compare=["gpt-3.5-turbo", "gpt-4o-mini"], history=True, volume=False
    )
    return data.history


def test_history_table_shows_changes_not_a_panel_of_zeros(table):
    # 21 rows, most "0%", hid the story: $20,000 -> $2,000 -> $1,500 -> $600
    from distillcost.report.views import history_table

    rows = history_table(_essay_history(table)).rows
    assert all(r[3] != "0%" for r in rows)
    by_teacher = [(r[1], r[2]) for r in rows]
    assert by_teacher[:2] == [("text-davinci-003", "$20,000.00"), ("gpt-3.5-turbo", "$2,000.00")]
    assert ("text-davinci-003", "retired") in by_teacher
    assert ("gpt-3.5-turbo", "$1,500.00") in by_teacher  # 2024-02-16: $1.50 per 1M output
    assert ("gpt-4o-mini", "$600.00") in by_teacher


def test_over_time_lines_run_to_retirement_or_the_end(table):
    # gpt-3.5-turbo's line stopped at its last price change (2024-10-01) although it
    # was sold at that price until its retirement (2026-10-23 in the table)
    from distillcost.report.charts import step_series

    # history and chart both end on a fixed date: with today's date the test broke once
    # gpt-4o-mini's shipped retirement (2027-01-14) entered the history
    until = date(2026, 11, 26)
    series = step_series(_essay_history(table, until), until)
    points, end = series["gpt-3.5-turbo"]
    assert end == date(2026, 10, 23)
    assert points[-1][1] == D(1500)
    assert series["text-davinci-003"][1] == date(2024, 1, 4)  # retired
    assert series["gpt-4o-mini"][1] == until  # still sold: holds to the report's date


def test_summary_counts_examples_in_whole_numbers(table):
    # the quotable summary read "generate 22,222.2222 examples" (20,000 / 0.9)
    from distillcost.report import render_report

    sc = load_scenario(EXAMPLES / "claude-multiturn.toml")
    data = build_report_data(sc, table, volume=False)
    for fmt in ("md", "html"):
        text = " ".join(render_report(data, fmt).text.split())
        assert "generate 22,222 examples, of which 20,000 are kept" in text, fmt


def test_method_shows_where_the_token_counts_come_from(table):
    # the hand check jumped from requests to "71,822,222 x $3.00": no token step
    # By hand (claude-multiturn): R = 20,000 / 0.9 x 4 x 1.01 = 89,777.78 requests;
    # a conversation's prompt = 4 x 2,000 + 80 x (1+2+3+4) + 400 x (0+1+2+3) = 11,200
    # tokens; cached prefix reads R x 0.95 x 2,000 = 170,577,777.78
    from distillcost.report import render_report
    from distillcost.report.views import method_lines

    sc = load_scenario(EXAMPLES / "claude-multiturn.toml")
    data = build_report_data(sc, table, volume=False)
    text = "\n".join(method_lines(data.result))
    assert "4×2,000 + 80×10 + 400×6 = 11,200" in text
    assert "Cache reads  " in text
    assert "R × h × s = 89,777.78 × 0.95 × 2,000 = 170,577,777.78" in text
    assert "R × n × k × c = 89,777.78 × 1 × 1 × 400 = 35,911,111.11" in text
    md = render_report(data, "md").text
    assert "s shared prefix tokens" in md and "h cache hit rate" in md


def test_teacher_chart_fits_a_page():
    # --all in 2025 drew 32 bars, a chart taller than the page, split across two
    from distillcost.report import charts

    rows = [
        {"teacher": f"m{i:02d}", "total_usd": D(i + 1), "low_usd": D(i + 1), "high_usd": D(i + 1)}
        for i in range(40)
    ]
    chart = charts.by_teacher(rows, highlight="m39")  # the dearest is the scenario's own
    assert "cheapest 20 of 40" in chart.alt
    import re

    labels = re.findall(r"<!-- (m\d\d) -->", chart.svg)
    assert set(labels) == {f"m{i:02d}" for i in range(19)} | {"m39"}
    few = charts.by_teacher(rows[:3])
    assert few.alt == "Bar chart: total cost for each of 3 teachers, cheapest on top"
