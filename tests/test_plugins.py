"""Price plugins, tested with REAL installed distributions found through entry points.

``tests/plugin_dist`` is a complete distribution (pyproject.toml + package). The
fixture installs it into a temp dir the way an installer lays it out — the
package next to a ``<name>-<version>.dist-info`` with ``METADATA`` and
``entry_points.txt`` — offline, without build tools (a fresh venv on Python
3.12+ has no setuptools/wheel). ``importlib.metadata`` then discovers it like
any pip-installed plugin; nothing is mocked.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import subprocess
import sys
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from distillcost.errors import PriceDataError
from distillcost.prices import load_prices

PLUGIN_SRC = Path(__file__).resolve().parent / "plugin_dist"


def install_dist(
    target: Path, name: str, version: str, entry_points: dict[str, dict[str, str]], package: Path
) -> None:
    """Lay a distribution out in ``target`` as pip would (package + dist-info)."""
    shutil.copytree(package, target / package.name, ignore=shutil.ignore_patterns("__pycache__"))
    dist_info = target / f"{name.replace('-', '_')}-{version}.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8"
    )
    lines = []
    for group, eps in entry_points.items():
        lines.append(f"[{group}]")
        lines.extend(f"{ep} = {value}" for ep, value in eps.items())
    (dist_info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (dist_info / "INSTALLER").write_text("distillcost-tests\n", encoding="utf-8")
    (dist_info / "RECORD").write_text("", encoding="utf-8")


@pytest.fixture(scope="session")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/plugin_dist installed from its own pyproject.toml metadata."""
    target = tmp_path_factory.mktemp("site")
    project = tomllib.loads((PLUGIN_SRC / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    install_dist(
        target,
        project["name"],
        project["version"],
        project["entry-points"],
        PLUGIN_SRC / "distillcost_example_plugin",
    )
    return target


@pytest.fixture
def with_plugin(plugin_site: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(plugin_site))
    monkeypatch.delenv("DISTILLCOST_PLUGINS")  # unset = every installed plugin
    return plugin_site


def test_the_installed_plugin_is_a_real_entry_point(with_plugin):
    eps = importlib.metadata.entry_points(group="distillcost.prices")
    (ep,) = [ep for ep in eps if ep.name == "example"]
    assert ep.value == "distillcost_example_plugin"
    assert ep.dist is not None and ep.dist.name == "distillcost-example-plugin"


def test_plugin_registers_code_records_and_a_directory(with_plugin):
    table = load_prices(builtin=False, user_dir=False)
    coded = table.get("example-coded")
    assert coded.origin == "plugin:example"
    assert coded.price_on(date(2025, 1, 1)).input == Decimal("0.5")
    tabled = table.get("example-table")
    assert tabled.origin == "plugin:example:example.toml"
    assert tabled.price_on(date(2025, 3, 1)).output == Decimal("9")
    assert ("plugin:example", 1) in table.sources
    assert ("plugin:example:example.toml", 2) in table.sources


def test_empty_env_var_loads_no_plugin(with_plugin, monkeypatch):
    monkeypatch.setenv("DISTILLCOST_PLUGINS", "")
    table = load_prices(builtin=False, user_dir=False)
    assert "example-coded" not in table


@pytest.mark.parametrize("name", ["example", "distillcost-example-plugin", " example , "])
def test_env_var_selects_by_entry_point_or_distribution_name(with_plugin, monkeypatch, name):
    monkeypatch.setenv("DISTILLCOST_PLUGINS", name)
    assert "example-coded" in load_prices(builtin=False, user_dir=False)


def test_env_var_naming_a_missing_plugin_is_an_error(with_plugin, monkeypatch):
    monkeypatch.setenv("DISTILLCOST_PLUGINS", "exmaple")
    with pytest.raises(PriceDataError) as info:
        load_prices(builtin=False, user_dir=False)
    assert str(info.value) == (
        "DISTILLCOST_PLUGINS names plugin 'exmaple', which is not installed. "
        "Did you mean: example? "
        "Installed price plugins: distillcost-example-plugin, example"
    )


def test_precedence_plugin_below_config_dir_below_prices_file(with_plugin, tmp_path, monkeypatch):
    # shared-model: plugin says 7; the user's config dir says 8; --prices says 9.
    config = tmp_path / "cfg"
    (config / "prices").mkdir(parents=True)
    monkeypatch.setenv("DISTILLCOST_CONFIG_DIR", str(config))
    row = "id,provider,effective_from,input,output,source,encoding\n"
    (config / "prices" / "mine.csv").write_text(
        row + "shared-model,me,2025-02-01,8,8,my sheet,o200k_base\n", encoding="utf-8"
    )
    cli_file = tmp_path / "cli.csv"
    cli_file.write_text(row + "shared-model,me,2025-02-01,9,9,cli,o200k_base\n", encoding="utf-8")

    on = date(2025, 3, 1)
    plugin_only = load_prices(builtin=False, user_dir=False)
    assert plugin_only.get("shared-model").price_on(on).input == Decimal("7")
    with_config = load_prices(builtin=False)
    assert with_config.get("shared-model").price_on(on).input == Decimal("8")
    top = load_prices([cli_file], builtin=False).get("shared-model")
    assert top.price_on(on).input == Decimal("9")
    assert top.origin == f"file:{cli_file}"
    assert top.overrides == (
        "plugin:example:example.toml",
        f"config:{config / 'prices' / 'mine.csv'}",
    )


def test_builtin_tables_load_before_plugins(with_plugin):
    origins = [origin for origin, _ in load_prices(user_dir=False).sources]
    kinds = [origin.split(":", 1)[0] for origin in origins]
    assert kinds == sorted(kinds, key=["built-in", "plugin"].index)
    assert kinds[0] == "built-in" and kinds[-1] == "plugin"


def test_cli_in_a_fresh_process_sees_the_plugin(plugin_site, tmp_path):
    env = dict(os.environ)
    env.pop("DISTILLCOST_PLUGINS", None)
    env["PYTHONPATH"] = os.pathsep.join([str(plugin_site), env.get("PYTHONPATH", "")])
    env["DISTILLCOST_CONFIG_DIR"] = str(tmp_path)
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "distillcost", "prices", "list", "--no-builtin"),
            *("--show-source", "--as-of", "2025-03-01", "--format", "csv"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].endswith(",origin,overrides,row_checksum")
    by_id = {line.split(",")[0]: line.rsplit(",", 1)[0] for line in lines[1:]}
    assert set(by_id) == {"example-coded", "example-table", "shared-model"}
    assert by_id["example-coded"].endswith(",plugin:example,")


def _fake_plugin(tmp_path: Path, body: str, name: str = "broken") -> Path:
    package = tmp_path / "src" / f"dc_{name}"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(body, encoding="utf-8")
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    install_dist(site, f"dc-{name}", "1.0", {"distillcost.prices": {name: f"dc_{name}"}}, package)
    return site


def test_a_plugin_that_raises_is_named_in_the_error(tmp_path, monkeypatch):
    site = _fake_plugin(
        tmp_path, "def register_prices(register):\n    raise RuntimeError('boom')\n"
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("DISTILLCOST_PLUGINS", "broken")
    with pytest.raises(PriceDataError) as info:
        load_prices(builtin=False, user_dir=False)
    assert str(info.value) == "plugin 'broken' failed while registering prices: RuntimeError: boom"


def test_a_plugin_calling_sys_exit_is_an_error_naming_it(tmp_path, monkeypatch):
    # it ended distillcost with exit 0 and no output
    body = "import sys\ndef register_prices(register):\n    sys.exit(0)\n"
    site = _fake_plugin(tmp_path, body, name="quitter")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("DISTILLCOST_PLUGINS", "quitter")
    with pytest.raises(PriceDataError) as info:
        load_prices(builtin=False, user_dir=False)
    assert str(info.value) == (
        "plugin 'quitter' failed while registering prices: it called sys.exit(0)"
    )


def test_a_plugin_with_a_negative_price_is_rejected(tmp_path, monkeypatch):
    body = (
        "from datetime import date\n"
        "from decimal import Decimal\n"
        "from distillcost.prices import ModelRecord, PriceEntry\n"
        "def register_prices(register):\n"
        "    register(ModelRecord(id='neg', provider='p', history=(PriceEntry(\n"
        "        effective_from=date(2025, 1, 1), input=Decimal('-1'), output=Decimal(1)),)))\n"
    )
    site = _fake_plugin(tmp_path, body, name="negative")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("DISTILLCOST_PLUGINS", "negative")
    with pytest.raises(PriceDataError) as info:
        load_prices(builtin=False, user_dir=False)
    assert str(info.value) == (
        "plugin 'negative': plugin:negative: model 'neg' price from 2025-01-01: "
        "field 'input': negative price -1; prices must be >= 0"
    )


def test_a_plugin_without_a_hook_is_an_error(tmp_path, monkeypatch):
    site = _fake_plugin(tmp_path, "NOTHING = 1\n", name="hookless")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("DISTILLCOST_PLUGINS", "hookless")
    with pytest.raises(PriceDataError, match=r"has no register_prices\(register\) function"):
        load_prices(builtin=False, user_dir=False)


def test_template_plugins_register_directories(tmp_path, monkeypatch):
    from distillcost.plugins import template_dirs

    package = tmp_path / "src" / "dc_theme"
    (package / "templates").mkdir(parents=True)
    (package / "__init__.py").write_text(
        "from pathlib import Path\n"
        "def register_templates(register):\n"
        "    register(Path(__file__).parent / 'templates')\n",
        encoding="utf-8",
    )
    site = tmp_path / "site"
    site.mkdir()
    install_dist(site, "dc-theme", "1.0", {"distillcost.templates": {"theme": "dc_theme"}}, package)
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delenv("DISTILLCOST_PLUGINS")
    assert template_dirs() == [site / "dc_theme" / "templates"]
    monkeypatch.setenv("DISTILLCOST_PLUGINS", "")
    assert template_dirs() == []
