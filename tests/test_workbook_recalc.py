"""The live workbook, recalculated by engines that are not distillcost, equals the estimator.

Each scenario is written as ``estimate -o x.xlsx`` would write it; the ``formulas``
package (and, for fixed scenarios, LibreOffice) recalculates the Cost sheet from the
formulas alone. Its total, low and high must equal the estimator's Decimal results to
the cent, before and after an assumption cell is changed (compared with the estimator
run on the scenario with that assumption changed).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sheet_engines import FormulasEngine, libreoffice_sheet, named_cells

from distillcost import estimate, load_prices
from distillcost.errors import DistillcostError
from distillcost.ranges import Range
from distillcost.scenario import Scenario
from distillcost.workbook.campaign import estimate_workbook

REPO = Path(__file__).resolve().parent.parent
SYNTHETIC = REPO / "tests" / "data" / "sheet-prices.toml"
TOTALS = ["total_usd", "low_usd", "high_usd"]
CENT = 0.005  # half a cent: the two agree when they round to the same cent


@pytest.fixture(scope="module")
def table():
    return load_prices([SYNTHETIC], plugins=False, user_dir=False)


def write(tmp: Path, result, name: str = "campaign.xlsx") -> Path:
    path = tmp / name
    path.write_bytes(estimate_workbook(result))
    return path


def assert_same(sheet: dict[str, float], result) -> None:
    for name in TOTALS:
        expected = getattr(result, name)
        assert abs(Decimal(repr(sheet[name])) - expected) < Decimal(CENT), (
            name,
            sheet[name],
            expected,
        )


def ranged(draw, low: float, high: float, integer: bool = False):
    """A number or a LOW..BASE..HIGH range inside [low, high]."""
    values = (
        st.integers(int(low), int(high))
        if integer
        else st.decimals(Decimal(str(low)), Decimal(str(high)), places=3, allow_nan=False)
    )
    first = draw(values)
    if not draw(st.booleans()):
        return first
    ends = sorted([first, draw(values), draw(values)])
    return Range(*(Decimal(e) for e in ends))


@st.composite
def scenarios(draw):
    teacher = draw(
        st.sampled_from(
            ["sheet-everything", "sheet-not-cached", "sheet-undiscounted", "gpt-4o-mini",
             "claude-sonnet-4-5-20250929", "deepseek-v3-0324", "o4-mini"]
        )
    )  # fmt: skip
    values: dict = {"teacher": teacher, "as_of": "2025-06-01"}
    kind = draw(st.sampled_from(["examples", "output_tokens", "dataset_tokens", "requests"]))
    values[kind] = ranged(draw, 1_000, 2_000_000, integer=True)
    values["prompt_tokens"] = ranged(draw, 0, 3_000, integer=True)
    values["completion_tokens"] = ranged(draw, 1, 1_500, integer=True)
    values["shared_prefix_tokens"] = ranged(draw, 0, 2_000, integer=True)
    values["cache_hit_rate"] = ranged(draw, 0, 1)
    values["acceptance_rate"] = ranged(draw, 0.05, 1)
    values["retry_rate"] = ranged(draw, 0, 0.5)
    values["reasoning_tokens"] = ranged(draw, 0, 800, integer=True)
    if draw(st.booleans()):
        values["turns"] = draw(st.integers(1, 4))
    else:
        values["examples_per_request"] = ranged(draw, 1, 5, integer=True)
        values["samples_per_prompt"] = draw(st.integers(1, 3))
        values["input_billed_per_sample"] = draw(st.booleans())
    values["prompt_in_dataset"] = draw(st.booleans())
    mode = draw(st.sampled_from(["standard", "batch", "flex", "off-peak", "1h"]))
    if mode == "batch":
        values["batch"] = True
    elif mode == "flex":
        values["service_tier"] = "flex"
    elif mode == "off-peak":
        if draw(st.booleans()):
            values["off_peak_only"] = True
        else:
            values["off_peak_share"] = ranged(draw, 0, 1)
    elif mode == "1h":
        values["cache_write_1h_share"] = ranged(draw, 0, 1)
    if draw(st.booleans()):
        values["per_request_usd"] = ranged(draw, 0, 0.01)
    student = draw(st.sampled_from(["none", "fine-tune", "gpu", "gpu-hours"]))
    if student == "fine-tune":
        values.update(student_model="sheet-everything", epochs=ranged(draw, 1, 3))
    elif student == "gpu":
        values.update(student_parameters=ranged(draw, 1e8, 8e9, integer=True), gpu="h100-sxm")
        values.update(usd_per_gpu_hour=ranged(draw, 1, 4), utilisation=ranged(draw, 0.2, 0.6))
    elif student == "gpu-hours":
        values.update(gpu_hours=ranged(draw, 1, 500), usd_per_gpu_hour=ranged(draw, 1, 4))
    try:
        scenario = Scenario.from_values(values)
    except DistillcostError:
        assume(False)
    if draw(st.booleans()):  # prompts measured from a file: tiers split by the sample
        lengths = tuple(draw(st.lists(st.integers(0, 9_000), min_size=1, max_size=40)))
        scenario = dataclasses.replace(
            scenario,
            prompt_lengths=lengths,
            measured_fields=("prompt_tokens",),
            measured_encoding="o200k_base",
        )
    return scenario


CHANGEABLE = (
    "completion_tokens",
    "prompt_tokens",
    "acceptance_rate",
    "cache_hit_rate",
    "retry_rate",
)


@settings(
    max_examples=int(__import__("os").environ.get("DISTILLCOST_SHEET_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    scenario=scenarios(),
    change=st.sampled_from(CHANGEABLE),
    factor=st.decimals("0.3", "1", places=2),
)
def test_recalculated_workbook_equals_the_estimator_before_and_after_a_change(
    table, tmp_path_factory, scenario, change, factor
):
    try:
        result = estimate(scenario, table)
    except DistillcostError:
        assume(False)
    path = write(tmp_path_factory.mktemp("sheet"), result)
    engine = FormulasEngine(path)
    assert_same(engine.values(TOTALS), result)

    old = getattr(scenario, change)
    new = old.low + (old.high - old.low) * factor if old.is_range else old.base * factor
    if change in ("completion_tokens", "prompt_tokens"):
        new = new.to_integral_value()
    changed_range = Range(old.low, new, old.high) if old.is_range else Range.of(new)
    try:
        changed = estimate(scenario.with_values(**{change: changed_range}), table)
    except DistillcostError:
        assume(False)
    assert_same(engine.values(TOTALS, {change: float(new)}), changed)


def test_a_price_cell_is_live_too(table, tmp_path):
    scenario = Scenario.from_values(
        teacher="sheet-everything", as_of="2025-06-01", examples=10_000,
        prompt_tokens=500, completion_tokens=300,
    )  # fmt: skip
    result = estimate(scenario, table)
    engine = FormulasEngine(write(tmp_path, result))
    # the output price doubled: output tokens cost twice as much, nothing else moves
    moved = engine.values(TOTALS, {"price_output": 20.0})
    extra = result.costs["output"]
    assert abs(Decimal(repr(moved["total_usd"])) - (result.total_usd + extra)) < Decimal(CENT)


def test_cached_values_are_the_estimators_without_recalculation(table, tmp_path):
    """A viewer that never recalculates (pandas, a preview) reads the stored results."""
    import openpyxl

    scenario = Scenario.from_values(
        teacher="sheet-everything", as_of="2025-06-01", examples="1k..50k..80k",
        prompt_tokens=2500, completion_tokens="200..300..900", cache_hit_rate=0.5,
        shared_prefix_tokens=400, batch=True,
    )  # fmt: skip
    result = estimate(scenario, table)
    path = write(tmp_path, result)
    cells = named_cells(path)
    wb = openpyxl.load_workbook(path, data_only=True)
    for name in TOTALS:
        sheet, cell = cells[name]
        assert abs(Decimal(repr(wb[sheet][cell].value)) - getattr(result, name)) < Decimal(CENT)


FIXED = [
    dict(teacher="claude-sonnet-4-5-20250929", examples="20k..50k..90k", prompt_tokens=3000,
         completion_tokens="300..500..800", shared_prefix_tokens=1500, cache_hit_rate="0.6..0.9",
         batch=True),
    dict(teacher="sheet-everything", requests=40_000, prompt_tokens="1000..2500..7000",
         completion_tokens=400, turns=3, off_peak_share="0..0.5..1", cache_hit_rate=0.3,
         shared_prefix_tokens=800, student_model="sheet-everything"),
    dict(teacher="gpt-4o-mini", dataset_tokens="500M..1B..2B", prompt_tokens=200,
         completion_tokens=500, acceptance_rate="0.5..0.8..0.9", student_parameters="7e9",
         gpu="h100-sxm", usd_per_gpu_hour="2..3"),
]  # fmt: skip


@pytest.mark.parametrize("values", FIXED, ids=["claude-batch-cache", "tiers-turns", "gpu-student"])
def test_libreoffice_recalculates_the_same_totals(table, tmp_path, values):
    scenario = Scenario.from_values({"as_of": "2025-10-01", **values})
    result = estimate(scenario, table)
    path = write(tmp_path, result)
    rows = libreoffice_sheet(path, 1, tmp_path)  # the Cost sheet, recalculated
    header = next(r for r in rows if r and r[0] == "quantity")
    total = next(r for r in rows if r and r[0] == "Total")
    sheet = {
        "total_usd": float(total[header.index("base")]),
        "low_usd": float(total[header.index("low")]),
        "high_usd": float(total[header.index("high")]),
    }
    assert_same(sheet, result)
