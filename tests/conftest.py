"""Shared fixtures; tests run against the installed package in CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import distillcost

REPO = Path(__file__).resolve().parent.parent


def pytest_configure(config: pytest.Config) -> None:
    # In CI the package must come from site-packages, never from the checkout:
    # that is what proves `pip install .` ships everything.
    if os.environ.get("DISTILLCOST_TEST_INSTALLED"):
        location = Path(distillcost.__file__).resolve()
        if REPO in location.parents:
            raise pytest.UsageError(f"distillcost imported from the checkout ({location})")


@pytest.fixture(autouse=True)
def _hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user config dir, no third-party plugins, unless a test opts in."""
    monkeypatch.setenv("DISTILLCOST_CONFIG_DIR", str(tmp_path / "no-config"))
    monkeypatch.setenv("DISTILLCOST_PLUGINS", "")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cli():
    from distillcost.cli import cli as group

    return group
