"""The scenario flags every campaign command shares (estimate, compare, history, sweep, report).

``@scenario_options`` adds the optional ``SCENARIO`` file argument and one flag
per scenario field (``--completion-tokens 300..500..800`` for a range), plus
``--prices FILE`` and ``--as-of``. :func:`scenario_from_options` turns the parsed
values into a validated :class:`~distillcost.scenario.Scenario` and the price
table it is priced against. Flags win over the file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from distillcost.cli.paths import input_file
from distillcost.cli.price_options import DATE
from distillcost.errors import ScenarioError
from distillcost.ranges import Range, RangeError
from distillcost.scenario import FIELDS, GROUPS, SPECS, FieldSpec
from distillcost.scenario.fields import CAMPAIGN

if TYPE_CHECKING:
    from distillcost.prices import PriceTable
    from distillcost.scenario import Scenario
    from distillcost.scenario.pipeline import Pipeline

FC = TypeVar("FC", bound=Callable[..., Any])


class RangeParam(click.ParamType):
    """A number (``500``, ``52k``, ``1e9``) or a range ``low..base..high`` / ``low..high``."""

    name = "NUM"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, Range):
            return value
        try:
            return Range.of(value) if not isinstance(value, str) else Range.parse(value)
        except RangeError as exc:
            self.fail(str(exc), param, ctx)


RANGE = RangeParam()


def help_groups() -> dict[str, list[str]]:
    """--help sections: heading -> option names, from each field's declared group."""
    groups: dict[str, list[str]] = {heading: [] for heading in GROUPS}
    groups[CAMPAIGN].append("price_files")  # --prices sits with the teacher and date
    for spec in FIELDS:
        if spec.flag:
            groups[spec.group].append(spec.name)
    return groups


class ScenarioCommand(click.Command):
    """A command whose --help lists the scenario flags in sections, not one long list."""

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        records: dict[str, tuple[str, str]] = {}
        order: list[str] = []
        for param in self.get_params(ctx):
            if isinstance(param, click.Argument):  # shown in the usage line, not as an option
                continue
            record = param.get_help_record(ctx)
            if record is not None and param.name is not None:
                records[param.name] = record
                order.append(param.name)
        grouped: set[str] = set()
        for heading, names in help_groups().items():
            rows = [records[n] for n in names if n in records]
            grouped.update(names)
            if rows:
                with formatter.section(heading):
                    formatter.write_dl(rows)
        rest = [records[n] for n in order if n not in grouped]
        if rest:
            with formatter.section("Options"):
                formatter.write_dl(rest)


def _option_for(spec: FieldSpec) -> Callable[[FC], FC]:
    flag = spec.option
    names = (*((spec.short,) if spec.short else ()), flag, *spec.aliases)
    help_text = spec.description
    if spec.kind == "range":
        return click.option(*names, spec.name, type=RANGE, default=None, help=help_text)
    if spec.kind == "bool":
        off = "--no-" + spec.name.replace("_", "-")
        return click.option(f"{flag}/{off}", spec.name, default=None, help=help_text)
    if spec.kind == "date":
        return click.option(
            *names,
            spec.name,
            type=DATE,
            default=None,
            metavar="YYYY-MM-DD",
            help=help_text,
        )
    if spec.kind == "paths":
        return click.option(
            *names,
            spec.name,
            type=click.Path(dir_okay=True, path_type=str),
            multiple=True,
            help=help_text + " (repeatable)",
        )
    if spec.kind == "names":
        return click.option(
            *names, spec.name, multiple=True, metavar="WORD", help=help_text + " (repeatable)"
        )
    if spec.kind == "number":
        return click.option(*names, spec.name, default=None, metavar="NUM", help=help_text)
    if spec.choices:
        return click.option(
            *names, spec.name, type=click.Choice(spec.choices), default=None, help=help_text
        )
    return click.option(*names, spec.name, default=None, help=help_text)


def scenario_options(func: FC) -> FC:
    """Add SCENARIO, every scenario flag, and --prices FILE (repeatable)."""
    decorators: list[Callable[[FC], FC]] = [
        click.argument(
            "scenario_path",
            metavar="[SCENARIO]",
            required=False,
            type=input_file(),
        ),
        click.option(
            "--prices",
            "price_files",
            multiple=True,
            type=input_file(),
            help="Extra price table file (TOML/CSV/JSON; repeatable; wins over built-in prices).",
        ),
    ]
    decorators += [_option_for(spec) for spec in FIELDS if spec.flag]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def scenario_overrides(options: Mapping[str, Any]) -> dict[str, Any]:
    """The scenario fields given as flags (None/empty ones dropped)."""
    out: dict[str, Any] = {}
    for name, value in options.items():
        if name not in SPECS or not SPECS[name].flag:
            continue
        if value is None or value == ():
            continue
        if SPECS[name].kind == "date" and hasattr(value, "date"):
            value = value.date()
        out[name] = value
    return out


def scenario_from_options(
    scenario_path: str | None, options: Mapping[str, Any]
) -> tuple[Scenario, PriceTable]:
    """A validated Scenario (file + flags) and the price table to price it with.

    ``options`` may be a command's whole keyword arguments: keys that are not
    scenario fields are ignored; ``price_files`` (from ``--prices``) adds to the
    scenario file's own ``prices`` list. Files named in the scenario are
    measured with the teacher's encoding (unless ``encoding`` is set).
    """
    from distillcost.prices import load_prices
    from distillcost.scenario import load_scenario, measure_profile

    overrides = scenario_overrides(options)
    scenario = load_scenario(scenario_path, overrides, measure=False)
    files = [*scenario.prices, *(options.get("price_files") or ())]
    for name in files:  # any other trouble (a directory, /dev/zero) is the loader's to name
        if not Path(name).exists() and not Path(name).is_symlink():
            raise ScenarioError(f"prices: price file {name!r} does not exist")
    table = load_prices(extra=files)
    if scenario.prompt_file or scenario.completion_file or scenario.chat_file:
        encoding = None
        if scenario.teacher is not None and scenario.teacher in table:
            encoding = table.get(scenario.teacher).encoding
        scenario = measure_profile(scenario, encoding=encoding)
    return scenario, table


def pipeline_from_options(
    scenario_path: str | None, options: Mapping[str, Any]
) -> tuple[Pipeline, PriceTable] | None:
    """The pipeline a scenario file with ``[[stages]]`` declares, and its price table
    (None for an ordinary scenario). Flags apply as :mod:`distillcost.scenario.pipeline`
    says; each stage's data files are measured with its teacher's encoding."""
    from distillcost.prices import load_prices
    from distillcost.scenario import measure_profile
    from distillcost.scenario.pipeline import Pipeline, Stage, is_pipeline_file, load_pipeline

    if not is_pipeline_file(scenario_path):
        return None
    assert scenario_path is not None
    pipeline = load_pipeline(scenario_path, scenario_overrides(options))
    files = [p for stage in pipeline.stages for p in stage.scenario.prices]
    files = list(dict.fromkeys([*files, *(options.get("price_files") or ())]))
    for name in files:
        if not Path(name).is_file():
            raise ScenarioError(f"prices: price file {name!r} does not exist")
    table = load_prices(extra=files)
    stages = []
    for stage in pipeline.stages:
        sc = stage.scenario
        if sc.prompt_file or sc.completion_file or sc.chat_file:
            encoding = None
            if sc.teacher is not None and sc.teacher in table:
                encoding = table.get(sc.teacher).encoding
            sc = measure_profile(sc, encoding=encoding)
        stages.append(Stage(stage.name, sc, stage.from_previous))
    measured = Pipeline(pipeline.name, pipeline.description, tuple(stages), pipeline.source_path)
    return measured, table


def scenario_inputs(scenario_path: str | None, options: Mapping[str, Any]) -> list[str]:
    """Every file a scenario command reads (so ``-o`` can refuse to overwrite one): the
    scenario, ``--prices``, file flags, and the files the scenario itself names
    (``prices = [...]``, ``chat_file = ...``, resolved against its directory)."""
    inputs = [scenario_path] if scenario_path else []
    inputs += list(options.get("price_files") or ())
    for spec in FIELDS:
        if spec.kind == "paths" and spec.flag:
            inputs += list(options.get(spec.name) or ())
    if scenario_path:
        from distillcost.scenario import load_scenario
        from distillcost.scenario.pipeline import is_pipeline_file, load_pipeline

        overrides = scenario_overrides(options)
        if is_pipeline_file(scenario_path):  # every stage's files
            scenarios = [s.scenario for s in load_pipeline(scenario_path, overrides).stages]
        else:
            scenarios = [load_scenario(scenario_path, overrides, measure=False)]
        for named in scenarios:
            for spec in FIELDS:
                if spec.kind == "paths":
                    inputs += list(getattr(named, spec.name) or ())
    return inputs
