"""The README's Python API in a real notebook kernel, and from a script anywhere.

The snippet is read from README.md itself (not a copy), so the README cannot drift
from what works. From the clone's root Python imports the source folder, not the
installed package: the price tables and templates must still be found.
"""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from distillcost import count_files, estimate, load_prices
from distillcost.scenario import Scenario

REPO = Path(__file__).resolve().parent.parent


def readme_snippet() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Python API", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


PROBE = """
print("MODULE", __import__("distillcost").__file__)
print("TOTAL", result.total_usd)
print("ROWS", len(teachers.rows))
"""


@pytest.mark.parametrize("where", ["clone root", "elsewhere"])
def test_readme_snippet_runs_from_the_clone_root_and_from_anywhere(tmp_path, where):
    cwd = REPO if where == "clone root" else tmp_path
    env = {**os.environ, "MPLBACKEND": "Agg", "DISTILLCOST_CONFIG_DIR": str(tmp_path / "cfg")}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [sys.executable, "-c", readme_snippet() + PROBE],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines() if " " in line)
    if where == "clone root":  # the source folder shadows any installed copy here
        assert Path(lines["MODULE"]).resolve().parent == REPO / "distillcost"
    scenario = Scenario.from_values(
        teacher="gpt-4o-mini", as_of="2024-10-01", examples=52_002,
        prompt_tokens=400, completion_tokens="300..500..800", acceptance_rate=0.9,
    )  # fmt: skip
    assert Decimal(lines["TOTAL"]) == estimate(scenario, load_prices()).total_usd
    assert lines["ROWS"] == "3"


def test_readme_examples_render_rich_output_and_plot_in_a_kernel(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    cells = [c.strip() for c in readme_snippet().split("\n\n") if c.strip()]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError on any failing cell
    outputs = {cell.source: cell.outputs for cell in notebook.cells}

    def shown(prefix: str) -> list[dict]:
        return next(out for source, out in outputs.items() if source.startswith(prefix))

    estimate_html = shown("result = estimate")[0]["data"]["text/html"]
    assert "<table" in estimate_html and "Output (visible)" in estimate_html
    assert "$20.80" in estimate_html  # formatted as the CLI prints it
    compare_html = shown("teachers = compare")[0]["data"]["text/html"]
    assert compare_html.count("<tr>") >= 4 and "gpt-3.5-turbo" in compare_html
    for plot in ("result.to_frame().plot", "teachers.to_frame().plot"):
        assert any("image/png" in out.get("data", {}) for out in shown(plot)), plot
    what_if = shown("result.what_if")[0]["data"]["text/plain"]
    assert what_if.startswith("Decimal(")


def test_every_result_has_a_numeric_frame_a_short_repr_and_html(tmp_path):
    from distillcost import compare, history, sweep

    table = load_prices()
    scenario = Scenario.from_values(
        teacher="gpt-4o-mini", as_of="2024-10-01", examples="10k..50k..90k",
        prompt_tokens=400, completion_tokens=500,
    )  # fmt: skip
    sample = tmp_path / "s.jsonl"
    sample.write_text('{"prompt": "Say <b>hi</b>", "completion": "hi"}\n', encoding="utf-8")
    results = [
        estimate(scenario, table),
        compare(scenario, table, models=["gpt-4o-mini", "gpt-4o"]),
        history(
            scenario, table, models=["gpt-4o-mini"], until=__import__("datetime").date(2025, 1, 1)
        ),
        sweep(scenario, table, ["acceptance_rate=0.5..1:3"]),
        count_files([str(sample)]),
    ]
    for result in results:
        text = repr(result)
        assert len(text) < 200 and text.startswith("<") and "\n" not in text
        html = result._repr_html_()
        assert "<table" in html and "<b>hi</b>" not in html  # text is escaped
        frame = result.to_frame()
        money = [c for c in frame.columns if c in ("usd", "total_usd", "tokens")]
        assert money and all(frame[c].dtype.kind in "fi" for c in money), type(result)
