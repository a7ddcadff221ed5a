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
    """Let a source checkout find its price tables and templates.

    The wheel ships ``pricing/`` and ``templates/`` (top-level folders of the repository)
    as ``distillcost.pricing`` and ``distillcost.templates``. Python run in a clone
    imports this ``distillcost/`` folder instead of the installed package, where those
    subpackages do not exist; the README's snippet then failed with "No module named
    'distillcost.pricing'". Here the two names resolve to the repository's folders,
    after every other finder (an installed or editable copy still wins). The folders
    stay where they are, so the price tables keep their history and paths.
    """
    import importlib.abc
    import importlib.machinery
    import importlib.util
    import sys
    from pathlib import Path

    here = Path(__file__).resolve().parent
    root = here.parent
    folders = {
        f"{__name__}.{name}": root / name
        for name in ("pricing", "templates")
        if not (here / name).is_dir() and (root / name / "__init__.py").is_file()
    }
    if not folders:
        return

    class CheckoutData(importlib.abc.MetaPathFinder):
        def find_spec(
            self, fullname: str, path: Any = None, target: Any = None
        ) -> importlib.machinery.ModuleSpec | None:
            folder = folders.get(fullname)
            if folder is None:
                return None
            return importlib.util.spec_from_file_location(
                fullname, folder / "__init__.py", submodule_search_locations=[str(folder)]
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
