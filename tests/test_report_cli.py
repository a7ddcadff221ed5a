"""``distillcost report``: formats, output files, flags, errors, template overrides."""

from __future__ import annotations

import re
from pathlib import Path

from distillcost.estimator import estimate

REPO = Path(__file__).resolve().parent.parent
ESSAY = str(REPO / "examples" / "essay.toml")
ALPACA = str(REPO / "examples" / "alpaca.toml")


def test_markdown_to_stdout_by_default(runner, cli):
    result = runner.invoke(cli, ["report", ESSAY])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("# The essay's 1B training tokens, at list price")
    # $20 per 1M × 1B output tokens = $20,000 (by hand); range up to $40,000 with prompts billed
    assert "**$20,000.00** (range $20,000.00 to $40,000.00)" in out
    assert "![" not in out  # no chart links on stdout ...
    assert "chart(s) left out" in out  # ... but a note saying so


def test_html_needs_a_file(runner, cli):
    result = runner.invoke(cli, ["report", ESSAY, "--format", "html"])
    assert result.exit_code == 2
    assert "an HTML report needs a file to go in: pass -o FILE.html" in result.output


def test_format_from_suffix(runner, cli, tmp_path):
    html = tmp_path / "r.html"
    result = runner.invoke(cli, ["report", ESSAY, "-o", str(html)])
    assert result.exit_code == 0, result.output
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not (tmp_path / "r_charts").exists()  # HTML charts are inline

    md = tmp_path / "r.md"
    result = runner.invoke(cli, ["report", ESSAY, "-o", str(md)])
    assert result.exit_code == 0, result.output
    text = md.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert links and all((tmp_path / link).is_file() for link in links)
    assert f"Wrote {md} and {len(links)} chart(s)" in result.stderr

    result = runner.invoke(cli, ["report", ESSAY, "-o", str(tmp_path / "r.txt")])
    assert result.exit_code == 2
    assert "as a report: name the file .html, .md or .pdf" in result.output
    result = runner.invoke(cli, ["report", ESSAY, "--format", "md", "-o", str(tmp_path / "r.txt")])
    assert result.exit_code == 0
    assert (tmp_path / "r.txt").read_text(encoding="utf-8").startswith("# The essay")


def test_compare_and_history_sections(runner, cli, tmp_path):
    result = runner.invoke(
        cli, ["report", ALPACA, "--compare", "gpt-3.5-turbo", "--history", "--format", "md"]
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "## Comparison across teachers" in out
    assert "## Cost over time" in out
    # gpt-3.5-turbo at $2/1M and text-davinci-003 at $20/1M: the cheaper ranks first
    rows = [line for line in out.splitlines() if re.match(r"\|\s+[12] \|", line)]
    assert "gpt-3.5-turbo" in rows[0] and "text-davinci-003" in rows[1]


def test_compare_flag_errors(runner, cli):
    both = runner.invoke(cli, ["report", ESSAY, "--compare", "gpt-4o", "--all"])
    assert both.exit_code == 2
    assert "either --compare MODELS or --all" in both.output
    empty = runner.invoke(cli, ["report", ESSAY, "--compare", " , "])
    assert empty.exit_code == 2
    assert "Invalid value for --compare: name at least one model" in empty.output
    unknown = runner.invoke(cli, ["report", ESSAY, "--compare", "gpt-4oo"])
    assert unknown.exit_code == 1
    assert unknown.output.startswith("Error: unknown model 'gpt-4oo'.")
    assert "Traceback" not in unknown.output


def test_scenario_flags_reach_the_report(runner, cli):
    """The shared scenario flags work here too: same total as estimate() with that override."""
    from datetime import date

    from distillcost.cli.scenario_options import scenario_from_options

    result = runner.invoke(cli, ["report", ESSAY, "-m", "gpt-4o-mini", "--as-of", "2024-08-01"])
    assert result.exit_code == 0, result.output
    scenario, table = scenario_from_options(
        ESSAY, {"teacher": "gpt-4o-mini", "as_of": date(2024, 8, 1)}
    )
    expected = estimate(scenario, table)
    # $0.60 per 1M output tokens × 1B = $600 (by hand), the estimate agrees
    assert expected.total_usd == 600
    assert "**$600.00**" in result.stdout
    assert "1 August 2024" in result.stdout


def test_template_dir_override_and_extension(runner, cli, tmp_path):
    own = tmp_path / "own"
    own.mkdir()
    (own / "report.md.j2").write_text(
        "{{ e.teacher }} costs {{ e.total_usd|money }}\n", encoding="utf-8"
    )
    result = runner.invoke(cli, ["report", ESSAY, "--template-dir", str(own)])
    assert result.exit_code == 0, result.output
    assert result.stdout == "text-davinci-003 costs $20,000.00\n"

    ext = tmp_path / "ext"
    ext.mkdir()
    (ext / "report.html.j2").write_text(
        '{% extends "default:report.html.j2" %}'
        '{% block summary %}<p class="summary">Budget ask: {{ e.total_usd|money }}</p>'
        "{% endblock %}",
        encoding="utf-8",
    )
    out = tmp_path / "memo.html"
    result = runner.invoke(cli, ["report", ESSAY, "--template-dir", str(ext), "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert '<p class="summary">Budget ask: $20,000.00</p>' in html
    assert "Distilling from" not in html
    assert "<h2>Cost breakdown</h2>" in html  # everything else is the built-in


def test_render_error_leaves_no_file(runner, cli, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "report.md.j2").write_text("{{ e.nope }}\n", encoding="utf-8")
    out = tmp_path / "out.md"
    out.write_text("previous report\n", encoding="utf-8")
    result = runner.invoke(cli, ["report", ESSAY, "--template-dir", str(broken), "-o", str(out)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1  # one line, no traceback
    assert result.output.startswith("Error: ")
    assert "report.md.j2:1: undefined variable" in result.output and "nope" in result.output
    assert out.read_text(encoding="utf-8") == "previous report\n"  # untouched
    assert not (tmp_path / "out_charts").exists()  # charts are written only after rendering
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken", "out.md"]  # no temp files


def test_missing_template_dir_is_a_usage_error(runner, cli, tmp_path):
    result = runner.invoke(cli, ["report", ESSAY, "--template-dir", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "--template-dir" in result.output


def test_help_teaches(runner, cli):
    result = runner.invoke(cli, ["report", "-h"])
    assert result.exit_code == 0
    assert "Examples:" in result.output
    assert "distillcost report examples/essay.toml -o essay.html" in result.output
    for flag in ("--format", "--output", "--compare", "--all", "--history", "--template-dir"):
        assert flag in result.output


def test_report_help_imports_no_heavy_library():
    """`report -h` must not pay for jinja2/matplotlib/pandas (they load when rendering)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from distillcost.cli import cli\n"
        "try:\n    cli.main(['report', '--help'], standalone_mode=False)\n"
        "except SystemExit:\n    pass\n"
        "names = ('tiktoken', 'pandas', 'jinja2', 'matplotlib', 'numpy')\n"
        "print('HEAVY:' + ','.join(m for m in names if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "HEAVY:"


def test_output_into_a_missing_directory(runner, cli, tmp_path):
    for name in ("r.md", "r.html"):
        target = tmp_path / "missing" / name
        result = runner.invoke(cli, ["report", ESSAY, "-o", str(target)])
        assert result.exit_code == 1
        # the same words as every other command's -o (one check, before any work)
        assert result.output == (
            f"Error: Could not open file {str(target)!r}: "
            f"directory {str(tmp_path / 'missing')!r} does not exist\n"
        )
    assert not (tmp_path / "missing").exists()  # not even the charts folder
