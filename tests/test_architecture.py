"""Structural promises: a pure core, a complete public API, data shipped in the package."""

from __future__ import annotations

import importlib.resources
import subprocess
import sys

import pytest

import distillcost

CORE = (
    "distillcost.tokens",
    "distillcost.readers",
    "distillcost.profile",
    "distillcost.counting",
    "distillcost.prices",
    "distillcost.scenario",
    "distillcost.estimator",
    "distillcost.analysis",
)
SHELL_LIBRARIES = ("click", "jinja2", "pandas", "matplotlib")


def test_core_imports_no_shell_library():
    # A fresh interpreter, so modules imported by other tests cannot hide a violation.
    code = (
        "import sys\n"
        f"for name in {CORE!r}:\n"
        "    __import__(name)\n"
        f"print(','.join(m for m in {SHELL_LIBRARIES!r} if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


@pytest.mark.parametrize("name", distillcost.__all__)
def test_every_public_name_resolves(name):
    assert getattr(distillcost, name) is not None


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError):
        distillcost.no_such_thing  # noqa: B018


def test_price_tables_and_templates_ship_inside_the_package():
    pricing = importlib.resources.files("distillcost.pricing")
    tables = sorted(p.name for p in pricing.iterdir() if p.name.endswith(".toml"))
    assert {"openai.toml", "anthropic.toml", "google.toml"} <= set(tables)
    templates = importlib.resources.files("distillcost.templates")
    names = {p.name for p in templates.iterdir()}
    assert {"report.html.j2", "report.md.j2"} <= names
