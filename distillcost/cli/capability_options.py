"""The capability flags ``frontier`` and ``report`` share: the bar, which scores count.

``@capability_options`` adds ``--capability BAR`` (repeatable: every bar must hold),
``--scores FILE``, ``--known-then`` and the score filters; :func:`capability_from_options`
loads the score layers and binds the bars to the price table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from distillcost.cli.paths import input_file

if TYPE_CHECKING:
    from distillcost.capability import Capability
    from distillcost.prices import PriceTable

FC = TypeVar("FC", bound=Callable[..., Any])

BAR_HELP = (
    "The capability bar: BENCH>=NUMBER (mmlu>=86), BENCH>=MODEL (at least as capable as "
    "MODEL: lmarena-elo>=gpt-4-0314) or BENCH@SNAPSHOT>=NUMBER; repeat to require several."
)


scores_option = click.option(
    "--scores",
    "score_files",
    multiple=True,
    type=input_file(),
    help="Extra score file (TOML/JSON/CSV; repeatable; wins over built-in scores).",
)


def _date_option(name: str, help_text: str) -> Callable[[FC], FC]:
    return click.option(
        name, type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD", help=help_text
    )


def capability_options(func: FC) -> FC:
    """Add --capability, --scores, --known-then, the score filters, and the curve's dates."""
    decorators: list[Callable[[FC], FC]] = [
        click.option("--capability", "bars", multiple=True, metavar="BAR", help=BAR_HELP),
        scores_option,
        click.option(
            "--known-then",
            is_flag=True,
            help="On each date count only the scores published by then (default: every "
            "score known today describes the model on every date it was sold).",
        ),
        click.option(
            "--setting",
            "score_setting",
            metavar="TEXT",
            default="",
            help="Count only scores whose setting contains TEXT (e.g. 5-shot).",
        ),
        click.option(
            "--reported-by",
            "reported_by",
            metavar="WHO,…",
            default="",
            help="Count only scores reported by: maker, third-party, leaderboard.",
        ),
        click.option(
            "--verified-only",
            is_flag=True,
            help="Count only scores read in the publication that originated them.",
        ),
        _date_option(
            "--since",
            "First date of the curve (default: the scenario's as-of date, else 2020-01-01).",
        ),
        _date_option("--until", "Last date of the curve (default: today)."),
        click.option(
            "--include-free",
            is_flag=True,
            help="Keep free and experimental teachers (left out by default: rate-capped betas).",
        ),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def capability_inputs(options: Mapping[str, Any]) -> list[str]:
    return list(options.get("score_files") or ())


def curve_arguments(options: Mapping[str, Any]) -> dict[str, Any]:
    """``frontier()``'s since, until and include_free from the parsed flags."""
    since, until = options.get("since"), options.get("until")
    return {
        "since": since.date() if since else None,
        "until": until.date() if until else None,
        "include_free": bool(options.get("include_free")),
    }


def capability_from_options(
    table: PriceTable, options: Mapping[str, Any], bars: Sequence[str]
) -> Capability:
    """The bars bound to the score layers (built-in < plugins < config < --scores) and ``table``."""
    from distillcost.capability import (
        Capability,
        RowFilter,
        ScoreTable,
        load_scores,
        parse_bar,
    )

    parsed = [parse_bar(text) for text in bars]
    reporters = tuple(r.strip() for r in str(options.get("reported_by") or "").split(",") if r)
    keep = RowFilter(
        setting=str(options.get("score_setting") or ""),
        reported_by=reporters,
        verified_only=bool(options.get("verified_only")),
    )
    scores = ScoreTable(load_scores(extra=capability_inputs(options)), table, keep)
    return Capability(parsed, scores, table, known_then=bool(options.get("known_then")))
