"""The GPU table: shipped data, the rate of a date, layering, and the student's default rate."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal as D
from importlib import resources

import pytest

from distillcost.compute.builtin import builtin_compute
from distillcost.compute.calibration import published_runs
from distillcost.compute.reference import reference_markdown
from distillcost.errors import NotAvailableError, PriceDataError
from distillcost.estimator import estimate
from distillcost.prices import load_prices, validate_price_files
from distillcost.scenario import Scenario

PRICING = resources.files("distillcost.pricing")


def test_the_shipped_gpu_tables_validate_and_every_rate_is_sourced():
    paths = [str(PRICING / "gpus.toml"), str(PRICING / "serving.toml")]
    assert validate_price_files(paths) == []
    compute = builtin_compute()
    rates = [p for gpu in compute for p in gpu.prices]
    assert len(rates) >= 100 and len(list(compute)) >= 20
    runs = {r.id for r in published_runs()}
    for price in rates:
        assert price.source and "/work/" not in price.source
        assert price.derived_from == "" or price.derived_from in runs
    years = {p.effective_from.year for p in rates}
    assert min(years) <= 2020 and max(years) >= 2026
    for bench in compute.benchmarks():
        assert bench.source and "/work/" not in bench.source
        compute.gpu(bench.gpu)  # every benchmark names a GPU of the table


def test_the_readme_key_reference_is_written_from_the_declarations():
    readme = (PRICING / "README.md").read_text(encoding="utf-8")
    assert reference_markdown() in readme


def gpu_table(tmp_path, rows: str) -> str:
    path = tmp_path / "gpus-mine.toml"
    path.write_text(
        '[meta]\nunit = "USD per GPU-hour"\n\n[[gpus]]\nid = "x1"\npeak_tflops = 100\n' + rows,
        encoding="utf-8",
    )
    return str(path)


ROWS = """
  [[gpus.prices]]
  effective_from = 2024-01-01
  offering = "on-demand"
  provider = "a"
  usd_per_gpu_hour = 4
  source = "a's page"

  [[gpus.prices]]
  effective_from = 2024-01-01
  offering = "on-demand"
  provider = "b"
  usd_per_gpu_hour = 2
  source = "b's page"

  [[gpus.prices]]
  effective_from = 2024-06-01
  offering = "on-demand"
  provider = "a"
  usd_per_gpu_hour = 1
  source = "a's cut"

  [[gpus.prices]]
  effective_from = 2024-01-01
  offering = "spot"
  provider = "c"
  usd_per_gpu_hour = "0.5"
  source = "c's spot"

  [[gpus.prices]]
  effective_from = 2024-01-01
  offering = "on-demand"
  provider = "d"
  usd_per_gpu_hour = 3
  source = "a run's cost / its hours"
  derived_from = "some-run"
"""


def test_the_rate_of_a_date_is_the_lower_median_of_the_rates_in_force(tmp_path):
    compute = load_prices(extra=[gpu_table(tmp_path, ROWS)]).compute
    # 2024-03-01: a 4, b 2 in force (d is derived: left out) -> lower median of (2, 4) = 2
    rate = compute.rate_on("x1", date(2024, 3, 1))
    assert (rate.usd, rate.price.provider, len(rate.considered)) == (2, "b", 2)
    # 2024-07-01: a cut to 1 -> (1, 2) -> 1
    assert compute.rate_on("x1", date(2024, 7, 1)).usd == 1
    # a named provider, an offering, a derived row when its provider is named
    assert compute.rate_on("x1", date(2024, 3, 1), provider="a").usd == 4
    assert compute.rate_on("x1", date(2024, 3, 1), "spot").usd == D("0.5")
    assert compute.rate_on("x1", date(2024, 3, 1), provider="d").usd == 3
    with pytest.raises(NotAvailableError, match="no on-demand rate for x1 from d"):
        compute.rate_on("x1", date(2024, 3, 1), provider="d", ignore_derived_from="some-run")
    with pytest.raises(NotAvailableError, match=r"first priced 2024-01-01.*usd_per_gpu_hour"):
        compute.rate_on("x1", date(2023, 12, 31))


def test_a_withdrawn_offer_stops_counting_on_its_until_day(tmp_path):
    withdrawn = ROWS.replace('provider = "b"\n  usd_per_gpu_hour = 2\n', 'provider = "b"\n'
                             '  usd_per_gpu_hour = 2\n  until = 2024-03-01\n')  # fmt: skip
    assert withdrawn != ROWS
    compute = load_prices(extra=[gpu_table(tmp_path, withdrawn)]).compute
    # 2024-02-29: a 4, b 2 -> 2; from 2024-03-01 b is gone: a 4 alone -> 4
    assert compute.rate_on("x1", date(2024, 2, 29)).usd == 2
    assert compute.rate_on("x1", date(2024, 3, 1)).usd == 4
    with pytest.raises(NotAvailableError):
        compute.rate_on("x1", date(2024, 3, 1), provider="b")
    backwards = ROWS.replace(
        "usd_per_gpu_hour = 2\n", "usd_per_gpu_hour = 2\n  until = 2023-12-01\n"
    )
    with pytest.raises(PriceDataError, match=r"until.*not after effective_from"):
        load_prices(extra=[gpu_table(tmp_path, backwards)])


def test_an_h100_campaign_in_2023_costs_more_than_the_same_in_2026():
    table = load_prices(plugins=False, user_dir=False)
    base = dict(
        teacher="gpt-4o-mini", examples=1000, prompt_tokens=100, completion_tokens=100,
        student_method="gpu-hours", gpu_hours=100, gpu="h100",
    )  # fmt: skip
    costs = {}
    for day in (date(2023, 9, 1), date(2026, 6, 1)):
        e = estimate(Scenario.from_values(base), table, teacher="gpt-3.5-turbo", as_of=day)
        # by hand from the table's rows: each provider's latest on-demand H100 rate on or
        # before the day (list prices only), unless withdrawn by then, the lower median
        latest: dict[str, tuple[D, date | None]] = {}
        for p in table.compute.gpu("h100-sxm").prices:
            if p.offering == "on-demand" and not p.derived_from and p.effective_from <= day:
                latest[p.provider] = (p.usd_per_gpu_hour, p.until)
        ordered = sorted(usd for usd, until in latest.values() if until is None or day < until)
        rate = ordered[(len(ordered) - 1) // 2]
        assert e.student_usd == 100 * rate
        assert e.student["usd_per_gpu_hour"] == rate
        assert "h100-sxm on-demand" in e.student["rate_source"] and e.student["rate_url"]
        costs[day.year] = e.student_usd
    assert costs[2023] == D("1229")  # only AWS's p5 list price, $12.29, was in force
    assert costs[2023] > costs[2026]


def test_a_gpu_table_goes_where_a_price_file_goes(tmp_path, monkeypatch):
    # --prices FILE, and the config directory, replace a built-in GPU whole
    row = ROWS.split("[[gpus.prices]]")[1]
    text = (
        '[meta]\nunit = "USD per GPU-hour"\n\n[[gpus]]\nid = "h100-sxm"\naliases = ["h100"]\n'
        "peak_tflops = 989\n\n  [[gpus.prices]]" + row
    )
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    compute = load_prices(extra=[str(path)]).compute
    assert [p.provider for p in compute.gpu("h100").prices] == ["a"]
    config = tmp_path / "config"
    (config / "prices").mkdir(parents=True)
    (config / "prices" / "gpus.toml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("DISTILLCOST_CONFIG_DIR", str(config))
    assert load_prices().compute.rate_on("h100", date(2024, 3, 1)).usd == 4
    # the API prices are untouched by a GPU-only file
    assert "gpt-4o-mini" in load_prices(extra=[str(path)])


def test_a_plugin_registers_a_gpu_table(tmp_path):
    from distillcost.plugins import PriceRegistry

    registry = PriceRegistry("acme")
    registry.file(gpu_table(tmp_path, ROWS))
    ((origin, gpus, serving),) = registry.compute_layers
    assert origin.startswith("plugin:acme") and [g.id for g in gpus] == ["x1"] and serving == []
    assert registry.layers == []


def test_a_broken_gpu_table_is_one_line_naming_file_line_and_field(tmp_path, cli, runner):
    bad = gpu_table(tmp_path, ROWS.replace("usd_per_gpu_hour = 4", 'usd_per_gpu_hour = "four"'))
    with pytest.raises(
        PriceDataError, match=r"gpus-mine\.toml:\d+: .*usd_per_gpu_hour.*not a number"
    ):
        load_prices(extra=[bad])
    result = runner.invoke(cli, ["gpus", "list", "--prices", bad])
    assert result.exit_code == 1 and result.output.startswith("Error: ")
    assert len(result.output.strip().splitlines()) == 1
    result = runner.invoke(cli, ["prices", "validate", bad])
    assert result.exit_code != 0 and "usd_per_gpu_hour" in result.output


def test_the_student_states_its_default_rate_and_source(cli, runner):
    args = [
        "estimate", "-m", "gpt-4o-mini", "--as-of", "2025-07-01", "--examples", "50k",
        "--prompt-tokens", "300", "--completion-tokens", "400", "--student-parameters", "8e9",
        "--gpu", "h100", "--gpu-count", "8", "--finetune", "lora",
    ]  # fmt: skip
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "GPU rate: h100-sxm on-demand" in result.output
    assert "rate source: " in result.output and "calibrated: " in result.output
    data = json.loads(runner.invoke(cli, [*args, "--format", "json"]).output)
    student = data["student"]
    assert student["finetune"] == "lora" and student["gpu_count"] == "8"
    # both are rounded to 1e-6 hours when stored
    assert abs(D(student["wall_clock_hours"]) * 8 - D(student["gpu_hours"])) <= D("8e-6")


def test_gpus_commands_list_show_serving_and_calibration(cli, runner):
    listing = runner.invoke(cli, ["gpus", "list", "--as-of", "2023-09-01", "--format", "csv"])
    assert listing.exit_code == 0 and "h100-sxm" in listing.output and "12.29" in listing.output
    shown = runner.invoke(cli, ["gpus", "show", "a100", "--format", "json"])
    assert json.loads(shown.output)["id"] == "a100-80gb"
    bad = runner.invoke(cli, ["gpus", "show", "h1000"])
    assert bad.exit_code == 1 and "Did you mean" in bad.output
    serving = runner.invoke(cli, ["gpus", "serving", "--gpu", "h100", "--as-of", "2024-03-20"])
    assert "self-hosted:llm-swarm-textbooks-mixtral" in serving.output
    calibration = runner.invoke(cli, ["gpus", "calibration"])
    assert calibration.exit_code == 0 and "held-out" in calibration.output
