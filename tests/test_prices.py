"""The price data model, as-of resolution, loading, precedence and provenance.

Fixture tables are written here by hand; expected prices are the numbers typed
into them (or simple hand arithmetic noted in comments), never read back from
the code under test.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from distillcost.errors import NotAvailableError, PriceDataError, UnknownModelError
from distillcost.export import json_text
from distillcost.prices import (
    ModelRecord,
    PriceEntry,
    PriceTable,
    PriceWarning,
    check_records,
    config_dir,
    load_price_file,
    load_prices,
    merge_layers,
    table_version,
)

ACME = """\
[meta]
provider = "acme"
checked = 2026-01-02

[[models]]
id = "acme-large"
aliases = ["acme-large-2024-01-01"]
encoding = "o200k_base"
context_window = 128000
released = 2024-01-01

  [[models.prices]]
  effective_from = 2024-06-01          # listed out of order on purpose
  input = "2.5"
  output = 10
  cached_input = 1.25
  batch_input = 1.25
  batch_output = 5
  source = "https://acme.example/pricing-2024-06"
  verified = true

    [[models.prices.tiers]]
    above_prompt_tokens = 200000
    input = 5
    output = 20

  [[models.prices]]
  effective_from = 2024-01-01
  input = 10
  output = 30
  source = "https://acme.example/pricing-2024"
  checked = 2025-05-05
  verified = true

[[models]]
id = "acme-old"
encoding = "cl100k_base"
retired = 2024-03-01

  [[models.prices]]
  effective_from = 2023-01-01
  input = 20
  output = 20
  source = "https://acme.example/old"
"""


@pytest.fixture
def acme(tmp_path: Path) -> Path:
    path = tmp_path / "acme.toml"
    path.write_text(ACME, encoding="utf-8")
    return path


@pytest.fixture
def table(acme: Path) -> PriceTable:
    return load_prices([acme], builtin=False, plugins=False, user_dir=False)


def entry(when: date, inp: str, out: str, **kw) -> PriceEntry:
    return PriceEntry(effective_from=when, input=Decimal(inp), output=Decimal(out), **kw)


def record(model_id: str, *entries: PriceEntry, **kw) -> ModelRecord:
    return ModelRecord(id=model_id, provider=kw.pop("provider", "p"), history=entries, **kw)


# ---------------------------------------------------------------- as-of resolution


@pytest.mark.parametrize(
    ("day", "expected_input"),
    [
        (date(2024, 1, 1), Decimal("10")),  # on the first effective date
        (date(2024, 5, 31), Decimal("10")),  # the day before the change
        (date(2024, 6, 1), Decimal("2.5")),  # on the change
        (date(2024, 6, 2), Decimal("2.5")),  # the day after
        (date(2030, 1, 1), Decimal("2.5")),  # no end date: still in force
    ],
)
def test_price_in_force_at_boundaries(table, day, expected_input):
    assert table.get("acme-large").price_on(day).input == expected_input


def test_before_first_price_is_not_available(table):
    with pytest.raises(NotAvailableError) as info:
        table.get("acme-large").price_on(date(2023, 12, 31))
    assert (
        str(info.value) == "model 'acme-large' has no price on 2023-12-31; first priced 2024-01-01"
    )


def test_retirement_day_is_not_available_but_the_day_before_is(table):
    old = table.get("acme-old")
    assert old.price_on(date(2024, 2, 29)).input == Decimal("20")
    with pytest.raises(NotAvailableError, match="retired on 2024-03-01"):
        old.price_on(date(2024, 3, 1))


def test_listing_hides_unreleased_and_marks_retired(table):
    early = {m.id: status for m, _, status in table.listing(date(2023, 12, 31))}
    assert early == {"acme-old": "available"}  # acme-large is not priced yet
    late = {m.id: (e.input, status) for m, e, status in table.listing(date(2024, 3, 1))}
    assert late == {
        "acme-large": (Decimal("10"), "available"),
        "acme-old": (Decimal("20"), "retired 2024-03-01"),
    }
    hidden = table.listing(date(2024, 3, 1), include_retired=False)
    assert [m.id for m, _, _ in hidden] == ["acme-large"]


def test_on_returns_only_usable_models(table):
    assert [m.id for m, _ in table.on(date(2024, 3, 1))] == ["acme-large"]


def test_tiers_are_chosen_per_request(table):
    e = table.get("acme-large").price_on(date(2024, 7, 1))
    assert e.tier_for(200000) is None  # "above" means strictly more
    tier = e.tier_for(200001)
    assert tier is not None and (tier.input, tier.output) == (Decimal("5"), Decimal("20"))


def test_exact_alias_lookup_and_no_substring_matching(table):
    assert table.get("acme-large-2024-01-01").id == "acme-large"
    with pytest.raises(UnknownModelError):
        table.get("acme")  # a prefix of two ids: never matched loosely


def test_unknown_model_suggests_the_close_name():
    t = PriceTable([record("gpt-4o-mini", entry(date(2024, 7, 18), "0.15", "0.6"))])
    with pytest.raises(UnknownModelError) as info:
        t.get("gpt4o-mini")
    assert str(info.value) == "unknown model 'gpt4o-mini'. Did you mean: gpt-4o-mini?"


# ---------------------------------------------------------------- exact numbers


def test_toml_numbers_are_exact_decimals(tmp_path):
    path = tmp_path / "d.toml"
    path.write_text(
        '[meta]\nprovider = "p"\n[[models]]\nid = "m"\nencoding = "o200k_base"\n'
        '[[models.prices]]\neffective_from = 2024-01-01\ninput = 0.1\noutput = 0.2\nsource = "s"\n',
        encoding="utf-8",
    )
    (m,) = load_price_file(path)
    e = m.history[0]
    assert isinstance(e.input, Decimal)
    assert e.input + e.output == Decimal("0.3")  # 0.1 + 0.2 as floats is 0.30000000000000004


def test_per_1k_unit_is_converted_exactly(tmp_path):
    path = tmp_path / "k.toml"
    path.write_text(
        '[meta]\nprovider = "openai"\nunit = "USD per 1K tokens"\n'
        '[[models]]\nid = "text-davinci-003"\nencoding = "p50k_base"\n'
        "[[models.prices]]\neffective_from = 2022-11-28\ninput = 0.02\noutput = 0.02\n"
        'per_request = 0.5\nsource = "deprecations page: $0.0200 / 1K tokens"\n'
        "[[models.prices.tiers]]\nabove_prompt_tokens = 1000\ninput = 0.0015\noutput = 0.002\n",
        encoding="utf-8",
    )
    (m,) = load_price_file(path)
    e = m.history[0]
    assert e.input == Decimal("20")  # 0.02 per 1K = 20 per 1M
    assert e.tiers[0].input == Decimal("1.5")  # 0.0015 x 1000
    assert e.per_request == Decimal("0.5")  # USD per request: never converted


def test_checked_defaults_to_meta_and_verified_to_false(table):
    large = table.get("acme-large")
    assert large.price_on(date(2024, 1, 1)).checked == date(2025, 5, 5)  # its own
    assert large.price_on(date(2024, 6, 1)).checked == date(2026, 1, 2)  # [meta] checked
    assert table.get("acme-old").history[0].verified is False


# ---------------------------------------------------------------- loading errors


def test_load_price_file_names_the_first_problem_and_counts_the_rest(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text(
        '[meta]\nprovider = "p"\n[[models]]\nid = "m"\nencoding = "o200k_base"\n'
        '[[models.prices]]\neffective_from = 2024-01-01\ninput = -1\noutput = "x"\nsource = "s"\n',
        encoding="utf-8",
    )
    with pytest.raises(PriceDataError) as info:
        load_price_file(path)
    assert str(info.value) == (
        f"{path}:8: model 'm' price from 2024-01-01: field 'input': negative price -1; "
        f"prices must be >= 0 (and 1 more problem; see them all with: "
        f"distillcost prices validate {path})"
    )


@pytest.mark.parametrize(
    ("nested", "extra"),
    [
        ("windows", 'name = "off-peak"\nutc_hours = "16:30-00:30"\n'),
        ("service_tiers", 'name = "flex"\n'),
        ("tiers", "above_prompt_tokens = 200000\n"),
    ],
)
def test_a_problem_inside_a_nested_price_table_names_that_table(tmp_path, nested, extra):
    path = tmp_path / "bad.toml"
    path.write_text(
        '[meta]\nprovider = "p"\n[[models]]\nid = "m"\nencoding = "o200k_base"\n'
        '[[models.prices]]\neffective_from = 2025-01-01\ninput = 1\noutput = 2\nsource = "s"\n'
        f'[[models.prices.{nested}]]\n{extra}input = "cheap"\noutput = 1\n',
        encoding="utf-8",
    )
    with pytest.raises(PriceDataError) as info:
        load_price_file(path)
    assert f"model 'm' price from 2025-01-01 {nested}[0]: field 'input'" in str(info.value)


def test_missing_file_is_a_price_data_error_naming_it(tmp_path):
    # the same one-line error the CLI gives, not a raw FileNotFoundError
    with pytest.raises(PriceDataError, match=r"nope\.toml: no such file$"):
        load_price_file(tmp_path / "nope.toml")


def test_check_records_rejects_floats_and_negative_prices():
    bad = [
        ModelRecord(
            id="f",
            provider="p",
            history=(PriceEntry(effective_from=date(2024, 1, 1), input=0.1, output=Decimal(1)),),  # type: ignore[arg-type]
        ),
        record("n", entry(date(2024, 1, 1), "1", "-2")),
    ]
    problems = [str(p) for p in check_records(bad, "plugin:x")]
    assert problems == [
        "plugin:x: model 'f' price from 2024-01-01: field 'input': got the float 0.1; "
        "give prices as text or Decimal, never float",
        "plugin:x: model 'n' price from 2024-01-01: field 'output': negative price -2; "
        "prices must be >= 0",
    ]


# ---------------------------------------------------------------- precedence and provenance


def test_later_layer_replaces_the_whole_record_and_records_what_it_overrode():
    d = date(2024, 1, 1)
    base = record("m", entry(d, "1", "1"), entry(date(2025, 1, 1), "2", "2"), origin="built-in:a")
    plugin = record("m", entry(d, "3", "3"), origin="plugin:x")
    user = record("m", entry(date(2024, 6, 1), "4", "4"), origin="file:mine.csv")
    table = merge_layers([("built-in:a", [base]), ("plugin:x", [plugin]), ("file", [user])])
    m = table.get("m")
    assert m.origin == "file:mine.csv"
    assert m.overrides == ("built-in:a", "plugin:x")
    # whole record replaced: the built-in 2025 entry is gone, and before 2024-06-01
    # the user's model has no price at all
    assert m.change_dates() == [date(2024, 6, 1)]
    with pytest.raises(NotAvailableError):
        m.price_on(date(2024, 3, 1))


def test_a_later_alias_naming_an_earlier_id_replaces_that_model():
    d = date(2024, 1, 1)
    builtin = record("gpt-x", entry(d, "1", "1"), aliases=("gpt-x-0101",), origin="built-in:o")
    other = record("other", entry(d, "5", "5"), aliases=("shared",), origin="built-in:o")
    mine = record("my-x", entry(d, "2", "2"), aliases=("gpt-x", "shared"), origin="file:m")
    table = merge_layers([("built-in:o", [builtin, other]), ("file:m", [mine])])
    assert table.ids() == ["other", "my-x"]
    assert table.get("gpt-x").id == "my-x"
    assert table.get("shared").id == "my-x"
    assert table.get("other").aliases == ()  # lost the alias, kept its place
    assert table.get("my-x").overrides == ("built-in:o (gpt-x)",)
    with pytest.raises(UnknownModelError):
        table.get("gpt-x-0101")  # the replaced model's own aliases went with it


def test_load_prices_order_builtin_config_then_files(acme, tmp_path, monkeypatch):
    config = tmp_path / "cfg"
    (config / "prices").mkdir(parents=True)
    header = "id,provider,effective_from,input,output,source,encoding\n"
    (config / "prices" / "b.csv").write_text(
        header + "acme-large,acme,2024-01-01,7,7,config sheet,o200k_base\n", encoding="utf-8"
    )
    (config / "prices" / ".hidden.csv").write_text("garbage", encoding="utf-8")
    monkeypatch.setenv("DISTILLCOST_CONFIG_DIR", str(config))
    top = tmp_path / "top.csv"
    top.write_text(header + "acme-old,acme,2023-01-01,1,1,cli,cl100k_base\n", encoding="utf-8")

    t = load_prices([acme, top], builtin=False, plugins=False)
    assert [o for o, _ in t.sources] == [
        f"config:{config / 'prices' / 'b.csv'}",
        f"file:{acme}",
        f"file:{top}",
    ]
    # --prices acme.toml is above the config dir, so its acme-large wins
    assert t.get("acme-large").price_on(date(2024, 1, 2)).input == Decimal("10")
    assert t.get("acme-large").overrides == (f"config:{config / 'prices' / 'b.csv'}",)
    assert t.get("acme-old").price_on(date(2023, 6, 1)).input == Decimal("1")
    assert t.get("acme-old").overrides == (f"file:{acme}",)


def test_config_dir_warns_about_files_it_cannot_read(tmp_path, monkeypatch):
    (tmp_path / "prices").mkdir()
    (tmp_path / "prices" / "README.md").write_text("notes", encoding="utf-8")
    monkeypatch.setenv("DISTILLCOST_CONFIG_DIR", str(tmp_path))
    with pytest.warns(PriceWarning, match=r"README\.md: ignored, not a price table"):
        t = load_prices(builtin=False, plugins=False)
    assert len(t) == 0


def test_config_dir_location(monkeypatch, tmp_path):
    monkeypatch.setenv("DISTILLCOST_CONFIG_DIR", str(tmp_path / "x"))
    assert config_dir() == tmp_path / "x"
    monkeypatch.delenv("DISTILLCOST_CONFIG_DIR")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert config_dir() == tmp_path / "xdg" / "distillcost"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert config_dir() == tmp_path / "home" / ".config" / "distillcost"


def test_builtin_tables_load_and_resolve_the_issue_spot_checks():
    t = load_prices()
    # every shipped file, in name order (an empty list passed the old all(...) check)
    shipped = ("anthropic", "deepseek", "google", "hosted", "mistral", "moonshot", "openai")
    shipped += ("qwen", "xai")
    assert [origin for origin, _ in t.sources] == [f"built-in:{p}.toml" for p in shipped]
    # spot checks quoted in the issue (the data helper's tests check the sources)
    assert t.price_of("text-davinci-003", date(2022, 12, 28)).input == Decimal("20")
    e = t.price_of("gpt-4o-mini", date(2024, 10, 1))
    assert (e.input, e.cached_input, e.output) == (
        Decimal("0.15"),
        Decimal("0.075"),
        Decimal("0.6"),
    )


# ---------------------------------------------------------------- version


def test_version_is_newest_checked_date_plus_a_content_hash():
    a = record("a", entry(date(2024, 1, 1), "1", "2", checked=date(2025, 1, 1)))
    b = record("b", entry(date(2024, 1, 1), "1", "2", checked=date(2026, 2, 3)))
    version = PriceTable([a, b]).version
    day, digest = version.split("+")
    assert day == "2026-02-03"
    assert len(digest) == 8 and int(digest, 16) >= 0
    assert PriceTable([b, a]).version == version  # order does not matter
    cheaper = record("b", entry(date(2024, 1, 1), "1", "1.9", checked=date(2026, 2, 3)))
    assert PriceTable([a, cheaper]).version != version
    assert table_version([]).startswith("unchecked+")


def test_version_can_be_set_explicitly():
    t = PriceTable([], version="fixed")
    assert t.version == "fixed"


# ---------------------------------------------------------------- serialisation


def test_to_dict_reloads_as_json_to_the_same_records(table, tmp_path):
    doc = {"meta": {"provider": "acme"}, "models": [m.to_dict() for m in table]}
    path = tmp_path / "acme.json"
    path.write_text(json_text(doc), encoding="utf-8")
    again = load_price_file(path, origin="x")
    assert again == [dataclasses.replace(m, origin="x") for m in table]
    assert json.loads(path.read_text())["models"][0]["prices"][1]["input"] == "2.5"


def test_core_modules_do_not_import_click_pandas_or_jinja():
    code = (
        "import sys\n"
        "import distillcost.prices, distillcost.prices.formats, distillcost.plugins\n"
        "distillcost.prices.load_prices(plugins=False, user_dir=False)\n"
        "print(sorted(m for m in ('click', 'pandas', 'jinja2', 'tiktoken') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
