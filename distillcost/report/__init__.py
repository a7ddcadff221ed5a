"""Memo-ready reports: gather (estimates, comparisons, history), view, render.

* :mod:`~distillcost.report.gather` — the report's data, computed by the core;
* :mod:`~distillcost.report.views` — each section's tables and the worked method;
* :mod:`~distillcost.report.filters` / :mod:`~distillcost.report.environment` — Jinja;
* :mod:`~distillcost.report.charts` — SVG charts (matplotlib);
* :mod:`~distillcost.report.render` — the template context and the files written.
"""

from __future__ import annotations

from distillcost.report.gather import (
    ReportData,
    build_pipeline_report_data,
    build_report_data,
    volume_series,
)
from distillcost.report.render import (
    FORMATS,
    TEMPLATES,
    RenderedReport,
    chart_dir_for,
    render_report,
    write_report,
)

__all__ = [
    "FORMATS",
    "TEMPLATES",
    "RenderedReport",
    "ReportData",
    "build_pipeline_report_data",
    "build_report_data",
    "chart_dir_for",
    "render_report",
    "volume_series",
    "write_report",
]
