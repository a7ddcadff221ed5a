"""``distillcost report``: a memo-ready HTML or Markdown report of one campaign."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from distillcost.cli.capability_options import (
    capability_from_options,
    capability_inputs,
    capability_options,
    curve_arguments,
)
from distillcost.cli.limits_cmd import provider_view_arguments, provider_view_options
from distillcost.cli.output import check_output, format_from_suffix
from distillcost.cli.paths import input_dir
from distillcost.cli.scenario_options import (
    pipeline_from_options,
    scenario_from_options,
    scenario_inputs,
    scenario_options,
)

FORMATS = ("html", "md", "pdf")


def _models(value: str | None) -> list[str]:
    return [m.strip() for m in (value or "").split(",") if m.strip()]


def infer_format(fmt: str | None, output: str | None) -> str:
    """The format asked for, else the one the output file's suffix names, else Markdown."""
    if output is not None and output != "-":
        suffix_format = format_from_suffix(output)
        if fmt is None:
            if suffix_format not in FORMATS:
                what = "write" if suffix_format else "tell the format from"
                raise click.UsageError(
                    f"cannot {what} {output!r} as a report: name the file .html, .md or .pdf, "
                    "or pass --format html|md|pdf"
                )
            return suffix_format
        if suffix_format in FORMATS and suffix_format != fmt:
            raise click.UsageError(
                f"--format {fmt} but {output!r} is named like a {suffix_format} file; "
                "drop one or make them agree"
            )
        return fmt
    if fmt in ("html", "pdf"):
        raise click.UsageError(
            f"an {fmt.upper()} report needs a file to go in: pass -o FILE.{fmt} "
            "(Markdown can go to stdout)"
        )
    return fmt or "md"


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default=None,
    help="Report format (default: from the -o suffix; Markdown on stdout).",
)
@click.option(
    "--charts",
    "chart_format",
    type=click.Choice(["svg", "png"]),
    default="svg",
    show_default=True,
    help="Markdown: chart files as SVG, or PNG (pastes into Word and Google Docs).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=str),
    default=None,
    help="Write the report here (atomic). Markdown charts go to <stem>_charts/ beside it.",
)
@click.option(
    "--compare",
    "compare_models",
    metavar="MODELS",
    default=None,
    help="Also rank these teachers (comma-separated ids or aliases) for the same campaign.",
)
@click.option("--all", "compare_all", is_flag=True, help="Compare every model priced on the date.")
@click.option(
    "--history",
    "with_history",
    is_flag=True,
    help="Add the cost of the campaign on every date a price changed: the teacher's and "
    "those of --compare MODELS; with --all, the teacher's and the four cheapest teachers'.",
)
@capability_options
@click.option(
    "--provider-view",
    "with_provider_view",
    is_flag=True,
    help="Add the provider's view: keys and days under the scenario's limits (with "
    "--deadline/--budget/--past: the inverse questions).",
)
@provider_view_options
@click.option(
    "--template-dir",
    "template_dirs",
    multiple=True,
    type=input_dir(),
    help="Directory searched first for report.html.j2 / report.md.j2 (repeatable).",
)
@scenario_options
def report(
    scenario_path: str | None,
    fmt: str | None,
    chart_format: str,
    output: str | None,
    compare_models: str | None,
    compare_all: bool,
    with_history: bool,
    bars: tuple[str, ...],
    with_provider_view: bool,
    keys_list: str | None,
    deadline: Any,
    budget: Any,
    past_days: Any,
    template_dirs: tuple[str, ...],
    **options: Any,
) -> None:
    """A report to attach to a memo: summary, assumptions, method, breakdown, charts.

    The summary paragraph can be quoted as it is: campaign, teacher, date, total
    with its range, wall-clock time and the binding rate limit. Then every
    assumption with its origin, the formulas with this campaign's numbers (so
    the total can be checked by hand), the prices used with their sources, and
    charts: cost vs volume, the sensitivity tornado when assumptions have
    ranges, and on request a comparison across teachers and cost over time.

    HTML is one self-contained file (inline CSS and SVG charts, no scripts, no
    network). PDF (-o x.pdf) is that page printed by headless Chromium or Google
    Chrome: A4, tables split with their header repeated, charts kept whole.
    Markdown is GitHub-flavoured; with -o its charts are files in <stem>_charts/
    next to it (SVG, or PNG with --charts png for Word and Google Docs); on
    stdout the charts are left out with a note.

    Templates: --template-dir DIR, then $DISTILLCOST_CONFIG_DIR/templates, then
    the built-ins. A template can extend a built-in and replace one block:

    \b
      {% extends "default:report.md.j2" %}
      {% block summary %}Our budget ask: {{ e.total_usd|money }}{% endblock %}

    \b
    Examples:
      distillcost report examples/essay.toml -o essay.html
      distillcost report examples/essay.toml --compare gpt-4o-mini -o essay.pdf
      distillcost report examples/alpaca.toml -o alpaca.md --charts png
      distillcost report examples/alpaca.toml > alpaca.md
      distillcost report examples/alpaca.toml -o alpaca.md --history --compare gpt-3.5-turbo
      distillcost report examples/gpt4all.toml -o gpt4all.html --compare gpt-4,text-davinci-003
      distillcost report examples/essay.toml --all -o all.html
      distillcost report examples/essay.toml --template-dir my-templates -o memo.md
      distillcost report examples/self-instruct-pipeline.toml -o pipeline.html --history
      distillcost report examples/cosmopedia.toml -o cosmopedia.md \\
          --compare gpt-3.5-turbo,mistral-small-2402      # with the break-even volume
      distillcost report examples/essay.toml --capability "mmlu>=text-davinci-003" -o moat.html
      distillcost report examples/alpaca.toml --rpm 500 --tpm 200k --provider-view \
          --deadline 7 -o limits.html
    """
    if compare_all and compare_models:
        raise click.UsageError("use either --compare MODELS or --all, not both")
    models = _models(compare_models)
    if compare_models is not None and not models:
        raise click.BadParameter(
            "name at least one model, e.g. gpt-4o,gpt-4o-mini", param_hint="--compare"
        )
    fmt = infer_format(fmt, output)
    to_stdout = output is None or output == "-"
    if not to_stdout:
        templates = [p for d in template_dirs if Path(d).is_dir() for p in Path(d).rglob("*")]
        check_output(
            output,
            [
                *scenario_inputs(scenario_path, options),
                *capability_inputs(options),
                *(p for p in templates if p.is_file()),
            ],
        )
    wants_view = with_provider_view or any(
        v is not None for v in (keys_list, deadline, budget, past_days)
    )

    from distillcost.report import (
        build_pipeline_report_data,
        build_report_data,
        render_report,
        write_report,
    )

    staged = pipeline_from_options(scenario_path, options)
    if staged is not None:
        if bars or wants_view:
            raise click.UsageError(
                "--capability and the provider's view take one scenario, not a pipeline"
            )
        data = build_pipeline_report_data(
            *staged, compare=models, compare_all=compare_all, history=with_history
        )
    else:
        scenario, table = scenario_from_options(scenario_path, options)
        capability = capability_from_options(table, options, bars) if bars else None
        data = build_report_data(
            scenario,
            table,
            compare=models,
            compare_all=compare_all,
            history=with_history,
            capability=capability,
            frontier_options=curve_arguments(options),
            provider_view=(
                provider_view_arguments(keys_list, deadline, budget, past_days)
                if wants_view
                else None
            ),
        )
    if fmt == "pdf":
        from distillcost.export import atomic_write
        from distillcost.report.pdf import html_to_pdf

        page = render_report(data, "html", template_dirs=template_dirs)
        atomic_write(str(output), html_to_pdf(page.text))
        click.echo(f"Wrote {output}", err=True)
        return
    rendered = render_report(
        data,
        fmt,
        template_dirs=template_dirs,
        output=None if to_stdout else output,
        charts=chart_format,
    )
    if to_stdout:
        click.echo(rendered.text, nl=False)
        return
    assert output is not None
    written = write_report(rendered, output)
    charts = len(written) - 1
    extra = f" and {charts} chart(s) in {written[0].parent}" if charts else ""
    click.echo(f"Wrote {output}{extra}", err=True)
