"""TOML price tables (the format of ``pricing/*.toml``, documented in pricing/README.md),
and teacher files (reasoning profiles, usage tiers) in the same TOML."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal

from distillcost.prices.formats.document import Builder, ParseResult, sorted_problems
from distillcost.prices.formats.locate import TomlLocator
from distillcost.prices.formats.teacher import build_teacher, is_teacher_document
from distillcost.prices.problems import Problem


def parse_toml(text: str, file: str, origin: str) -> ParseResult:
    """A TOML price table: ``[meta]`` and ``[[models]]`` with their ``[[models.prices]]``."""
    result = ParseResult()
    try:
        doc = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else None
        result.problems.append(Problem(file, line, "", "", f"malformed TOML: {exc}"))
        return result
    except (ValueError, RecursionError) as exc:  # e.g. an integer with 5000 digits
        reason = str(exc) if isinstance(exc, ValueError) else "nested too deeply"
        result.problems.append(Problem(file, None, "", "", f"malformed TOML: {reason}"))
        return result
    builder = Builder(file, origin, TomlLocator(text))
    if is_teacher_document(doc):
        result.teacher = build_teacher(doc, builder)
    else:
        result.records = builder.document(doc)
    result.problems = sorted_problems(builder.problems)
    return result
