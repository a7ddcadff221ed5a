"""Option types the commands share."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from distillcost.present import parse_day


class DateParam(click.ParamType):
    """A date as YYYY-MM-DD, or ``today``; an impossible day says why (no 30 February)."""

    name = "DATE"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        if text.lower() == "today":
            return date.today()
        try:
            return parse_day(text)
        except ValueError as exc:
            self.fail(f"{exc}; use YYYY-MM-DD (e.g. 2024-10-01) or 'today'", param, ctx)


DATE = DateParam()
