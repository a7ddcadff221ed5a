"""The Python API refuses bad arguments with the errors the CLI gives, never a raw one.

Found: load_prices("sheet.csv") iterated the name's characters, compare(sc, t, "gpt-4o")
said "unknown model 'g'", examples=10**5000 raised a raw ValueError, Scenario(examples=5)
an AttributeError. One name given alone now means that name; a wrong type is a
DistillcostError saying what to pass.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

import distillcost as dc
from distillcost.errors import (
    InputError,
    PriceDataError,
    RenderError,
    ScenarioError,
)
from distillcost.prices import load_prices
from distillcost.scenario import Scenario, load_scenario

REPO = Path(__file__).resolve().parent.parent
ESSAY = REPO / "examples" / "essay.toml"


@pytest.fixture(scope="module")
def table():
    return load_prices(plugins=False, user_dir=False, fallback=False)


@pytest.fixture(scope="module")
def essay():
    return load_scenario(ESSAY)


def test_load_prices_takes_one_file_name_alone(tmp_path):
    sheet = tmp_path / "sheet.toml"
    sheet.write_text(
        '[meta]\nprovider = "me"\n[[models]]\nid = "mine"\nencoding = "o200k_base"\n'
        "[[models.prices]]\neffective_from = 2024-01-01\ninput = 1\noutput = 2\n"
        'source = "test"\n',
        encoding="utf-8",
    )
    for given in (str(sheet), sheet):
        assert "mine" in load_prices(given, plugins=False, fallback=False)
    with pytest.raises(PriceDataError, match=r"^x\.csv: no such file$"):
        load_prices("x.csv", plugins=False, fallback=False)
    with pytest.raises(PriceDataError, match="a price file must be a path or text, not int"):
        load_prices([5], plugins=False, fallback=False)  # type: ignore[list-item]


def test_compare_and_history_take_one_model_name_alone(essay, table):
    one = dc.compare(essay, table, "gpt-4o")
    listed = dc.compare(essay, table, ["gpt-4o"])
    assert one == listed
    assert [u.teacher for u in one.unavailable] == ["gpt-4o"]  # not yet sold in 2022
    assert dc.history(essay, table, "gpt-4o") == dc.history(essay, table, ["gpt-4o"])
    with pytest.raises(ScenarioError, match="a model name must be text, not int"):
        dc.compare(essay, table, [4])


def test_sweep_takes_one_axis_alone(essay, table):
    alone = dc.sweep(essay, table, "acceptance_rate=0.5..1:3", workers=1)
    listed = dc.sweep(essay, table, ["acceptance_rate=0.5..1:3"], workers=1)
    assert alone == listed and len(alone.rows) == 3


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda t, s: dc.estimate("essay.toml", t), ScenarioError, "expected a Scenario"),
        (lambda t, s: dc.estimate(s, None), PriceDataError, "expected a PriceTable"),
        (lambda t, s: dc.compare(None, t), ScenarioError, "got NoneType"),
        (lambda t, s: dc.history(s, "prices.toml"), PriceDataError, "got str"),
        (lambda t, s: dc.sweep({}, t, "examples=1..2:2"), ScenarioError, "got dict"),
        (lambda t, s: dc.build_report_data(s, {}), PriceDataError, "got dict"),
        (lambda t, s: dc.render_report(None), RenderError, "expected ReportData"),
        (lambda t, s: dc.count_tokens(5), InputError, r"counts text \(str\), not int"),
        (lambda t, s: dc.count_texts(["a", None]), InputError, "text 1: expected str"),
        (lambda t, s: dc.estimate(s, t, as_of=5), ScenarioError, "as_of: expected a date"),
        (lambda t, s: dc.compare(s, t, provider=5), ScenarioError, "provider: expected one"),
        (lambda t, s: load_prices(None), PriceDataError, "a path or a list of paths, not None"),
        (lambda t, s: load_prices(b"x.csv"), PriceDataError, "not bytes"),
        (lambda t, s: load_scenario(5), ScenarioError, "must be a path, not int"),
        (lambda t, s: load_scenario(ESSAY, {5: 1}), ScenarioError, "map field names to values"),
        (lambda t, s: dc.count_files([ESSAY], skip_bad="no"), InputError, "True or False"),
        (lambda t, s: dc.count_files([ESSAY], per_line="no"), InputError, "True or False"),
    ],
)
def test_wrong_argument_types_say_what_to_pass(table, essay, call, error, message):
    with pytest.raises(error, match=message):
        call(table, essay)


def test_count_texts_takes_one_text_alone():
    assert dc.count_texts("hello").documents == 1
    assert dc.count_texts("hello").total == dc.count_texts(["hello"]).total


def test_huge_numbers_are_scenario_errors_not_raw_value_errors():
    # int(str) of 5000 digits is refused by Python itself, before any check of ours
    for build in (
        lambda: load_scenario(None, {"teacher": "gpt-4o", "examples": 10**5000}, measure=False),
        lambda: Scenario(teacher="gpt-4o", examples=10**5000),
    ):
        with pytest.raises(ScenarioError, match=r"examples: '1\.000e\+5000' is implausibly large"):
            build()


def test_a_scenario_built_directly_converts_its_values():
    direct = Scenario(teacher="gpt-4o", examples=5, completion_tokens="100..200", batch="yes")
    assert direct == Scenario.from_values(
        teacher="gpt-4o", examples=5, completion_tokens="100..200", batch=True
    )
    assert direct.examples is not None and direct.examples.base == 5
    with pytest.raises(ScenarioError, match="batch: expected true or false"):
        Scenario(teacher="gpt-4o", examples=5, batch="maybe")


def test_dates_are_taken_as_a_scenario_takes_them(essay, table):
    # ISO text and datetimes mean their day, in estimate, compare, history and Scenario
    day = dc.estimate(essay, table, as_of="2023-03-15")
    assert day == dc.estimate(essay, table, as_of=datetime(2023, 3, 15, 18, 30))
    assert day.as_of == date(2023, 3, 15)
    assert dc.compare(essay, table, "davinci", as_of="2023-03-15") == dc.compare(
        essay, table, "davinci", as_of=date(2023, 3, 15)
    )
    assert dc.history(essay, table, "davinci", until="2023-01-01") == dc.history(
        essay, table, "davinci", until=date(2023, 1, 1)
    )
    at_noon = Scenario(teacher="gpt-4o", examples=5, as_of=datetime(2024, 6, 1, 12))
    assert at_noon.as_of == date(2024, 6, 1) and type(at_noon.as_of) is date


def test_an_empty_tier_is_refused_not_read_as_none():
    with pytest.raises(ScenarioError, match="tier: empty"):
        Scenario(teacher="gpt-4o", examples=5, tier="")


def test_a_scenario_naming_files_it_has_not_measured_says_how_to_measure(table, tmp_path):
    chats = tmp_path / "chats.jsonl"
    chats.write_text('{"messages": [{"role": "user", "content": "hi"}, '
                     '{"role": "assistant", "content": "hello"}]}\n', encoding="utf-8")  # fmt: skip
    named = Scenario(teacher="gpt-4o-mini", chat_file=(str(chats),))
    with pytest.raises(ScenarioError, match=r"named but not measured .* load_scenario"):
        dc.estimate(named, table)
    measured = load_scenario(None, {"teacher": "gpt-4o-mini", "chat_file": str(chats)})
    assert dc.estimate(measured, table).requests == 1  # the file's one conversation
