"""Structural promises, drawn from the code's own imports: layers, no circles, a complete wheel.

The core (counting, prices, scenarios, the estimator, analyses) knows nothing of the shells
(the CLI, reports, file output) or their libraries (click, jinja2, matplotlib); no module
imports itself through a circle; every package ships in the wheel.
"""

from __future__ import annotations

import ast
import importlib.resources
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import distillcost

PACKAGE = Path(distillcost.__file__).parent
CORE = (
    "distillcost.tokens",
    "distillcost.readers",
    "distillcost.profile",
    "distillcost.counting",
    "distillcost.prices",
    "distillcost.plugins",
    "distillcost.gpus",
    "distillcost.scenario",
    "distillcost.estimator",
    "distillcost.analysis",
    "distillcost.capability",
)
SHELL = ("distillcost.cli", "distillcost.report", "distillcost.export", "distillcost.workbook")
SHELL_LIBRARIES = ("click", "jinja2", "matplotlib", "markupsafe", "xlsxwriter")


def _modules() -> dict[str, Path]:
    mods = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        mods[".".join(parts)] = path
    return mods


MODULES = _modules()


def _under(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _typing_only(tree: ast.AST) -> set[int]:
    """Ids of the nodes under ``if TYPE_CHECKING:`` (imported for annotations, never run)."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            skip.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return skip


def _imports(module: str) -> list[str]:
    """Every module ``module`` imports when it runs, at any depth of its code (lazy imports
    count; imports for type annotations only do not)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = _typing_only(tree)
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package
                for _ in range(node.level - 1):
                    parent = parent.rpartition(".")[0]
                base = f"{parent}.{base}" if base else parent
            # "from pkg import sub" depends on the submodule, not on pkg's __init__
            found += [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
    return found


def _internal(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


GRAPH = {m: {t for t in map(_internal, _imports(m)) if t is not None and t != m} for m in MODULES}


def test_the_graph_sees_the_whole_package():
    assert {"distillcost.cli.output", "distillcost.prices.model", "distillcost.estimator.core"} <= (
        set(MODULES)
    )
    assert "distillcost.prices.model" in GRAPH["distillcost.estimator.context"]


def test_no_core_module_imports_a_shell_module():
    violations = [
        f"{m} -> {t}"
        for m, targets in GRAPH.items()
        if _under(m, CORE)
        for t in targets
        if _under(t, SHELL)
    ]
    assert violations == []


def test_no_core_module_imports_a_shell_library():
    violations = [
        f"{m} -> {name}"
        for m in MODULES
        if _under(m, CORE)
        for name in _imports(m)
        if name.split(".")[0] in SHELL_LIBRARIES
    ]
    assert violations == []


def test_no_import_circles():
    # Tarjan's strongly connected components: any component of two or more is a circle
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for v in sorted(GRAPH):
        if v not in index:
            visit(v)
    assert circles == []


def test_a_circle_is_detected():
    # the check itself can fail: a graph with a circle yields a component of two
    saved = dict(GRAPH)
    try:
        GRAPH["distillcost.errors"] = {"distillcost.ranges"}
        GRAPH["distillcost.ranges"] = {"distillcost.errors"}
        with pytest.raises(AssertionError):
            test_no_import_circles()
    finally:
        GRAPH.clear()
        GRAPH.update(saved)


def test_core_imports_no_shell_library_at_run_time():
    # A fresh interpreter, so modules imported by other tests cannot hide a violation.
    code = (
        "import sys\n"
        f"for name in {CORE!r}:\n"
        "    __import__(name)\n"
        f"print(','.join(m for m in {(*SHELL_LIBRARIES, 'pandas')!r} if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_every_package_ships_in_the_wheel(request):
    # packages are listed by hand (pricing/ and templates/ are mapped in); a new
    # subpackage missing from the list works in editable mode and breaks `pip install .`
    repo = request.config.rootpath
    config = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    in_source = {
        ".".join(path.parent.relative_to(repo).parts)
        for path in (repo / "distillcost").rglob("__init__.py")
    }
    assert in_source - listed == set()
    # and what is installed (in CI: a wheel, not the source tree) has every one of them
    installed = {m for m, path in MODULES.items() if path.name == "__init__.py"}
    assert in_source - installed == set()


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
    scores = importlib.resources.files("distillcost.scores")
    assert {"mmlu.toml", "lmarena-elo.toml", "crosswalk.toml"} <= {p.name for p in scores.iterdir()}
    templates = importlib.resources.files("distillcost.templates")
    names = {p.name for p in templates.iterdir()}
    assert {"report.html.j2", "report.md.j2"} <= names
