"""distillcost: what it costs to distil a model by querying a commercial LLM API.

The public API is re-exported here lazily, so ``import distillcost`` (and the
CLI's ``--help``) never pays for tiktoken, pandas or jinja2 until they are used.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS: dict[str, str] = {
    # errors
    "DistillcostError": "distillcost.errors",
    "InputError": "distillcost.errors",
    "UnknownModelError": "distillcost.errors",
    "UnknownEncodingError": "distillcost.errors",
    "PriceDataError": "distillcost.errors",
    "ScenarioError": "distillcost.errors",
    # token counting
    "get_encoding": "distillcost.tokens",
    "encoding_for_model": "distillcost.prices",
    "count_tokens": "distillcost.tokens",
    "Distribution": "distillcost.profile",
    "TokenProfile": "distillcost.profile",
    "count_files": "distillcost.counting",
    "count_texts": "distillcost.counting",
    "CountResult": "distillcost.counting",
    # prices
    "LongContextTier": "distillcost.prices",
    "PriceEntry": "distillcost.prices",
    "ModelRecord": "distillcost.prices",
    "PriceTable": "distillcost.prices",
    "load_prices": "distillcost.prices",
    "load_price_file": "distillcost.prices",
    "validate_price_files": "distillcost.prices",
    "Problem": "distillcost.prices",
    # estimator
    "Range": "distillcost.ranges",
    "Scenario": "distillcost.scenario",
    "load_scenario": "distillcost.scenario",
    "NUMERIC_PARAMETERS": "distillcost.scenario",
    "Estimate": "distillcost.estimator",
    "estimate": "distillcost.estimator",
    # analysis
    "compare": "distillcost.analysis",
    "history": "distillcost.analysis",
    "sweep": "distillcost.analysis",
    "parse_vary": "distillcost.analysis",
    "VarySpec": "distillcost.analysis",
    "ComparisonResult": "distillcost.analysis",
    "HistoryResult": "distillcost.analysis",
    "SweepResult": "distillcost.analysis",
    # reports
    "ReportData": "distillcost.report",
    "build_report_data": "distillcost.report",
    "render_report": "distillcost.report",
}

__all__ = ["__version__", *_EXPORTS]


def _source_checkout_data() -> None:
    """Let a source checkout find the data packages the wheel maps into ``distillcost``.

    pyproject's ``[tool.setuptools.package-dir]`` ships top-level folders of the
    repository (``pricing/``, ``templates/`` …) as ``distillcost.pricing`` and so on.
    Python run in a clone imports this ``distillcost/`` folder instead of the installed
    package, where those subpackages do not exist; the README's snippet then failed with
    "No module named 'distillcost.pricing'". Here each mapped name resolves to its
    folder, after every other finder (an installed or editable copy still wins), read
    from the same pyproject table, so a new data package needs no change here.
    """
    import os
    import sys

    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    pyproject = os.path.join(root, "pyproject.toml")
    if not os.path.isfile(pyproject):
        return  # an installed copy: the data packages are real folders beside this file
    import importlib.util
    import tomllib

    try:
        with open(pyproject, "rb") as fh:
            mapped = tomllib.load(fh)["tool"]["setuptools"]["package-dir"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return
    folders = {
        name: os.path.join(root, folder)
        for name, folder in mapped.items()
        if name.startswith(f"{__name__}.")
        and not os.path.isdir(os.path.join(here, name.rpartition(".")[2]))
        and os.path.isfile(os.path.join(root, folder, "__init__.py"))
    }
    if not folders:
        return

    class CheckoutData:
        """A meta-path finder for the mapped data packages (tried after all others)."""

        def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
            folder = folders.get(fullname)
            if folder is None:
                return None
            return importlib.util.spec_from_file_location(
                fullname,
                os.path.join(folder, "__init__.py"),
                submodule_search_locations=[folder],
            )

    sys.meta_path.append(CheckoutData())


_source_checkout_data()


def __getattr__(name: str) -> Any:
    module_name = _EXPORTS.get(name)
    if module_name is None:
        raise AttributeError(f"module 'distillcost' has no attribute {name!r}")
    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
