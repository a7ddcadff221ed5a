"""JSON price tables: our document shape, a list of sheet rows, or LiteLLM's map."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from distillcost.compute.documents import build_compute, is_compute_document
from distillcost.prices.formats.document import Builder, ParseResult, sorted_problems
from distillcost.prices.formats.locate import LineMap, Path
from distillcost.prices.formats.teacher import build_teacher, is_teacher_document
from distillcost.prices.problems import Problem


class _DuplicateKeyError(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKeyError(key)
        out[key] = value
    return out


def _model_lines(text: str, models: Sequence[Any]) -> dict[Path, int]:
    """Best effort: each model on the line where its id string first appears."""
    lines: dict[Path, int] = {}
    for mi, model in enumerate(models):
        if isinstance(model, Mapping) and isinstance(model.get("id"), str):
            position = text.find(json.dumps(model["id"], ensure_ascii=False))
            if position >= 0:
                lines[(("models", mi),)] = text.count("\n", 0, position) + 1
    return lines


def decode_json(text: str, file: str) -> tuple[Any, list[Problem]]:
    """The JSON document, or the problem that stops it: malformed, nested too deeply, a
    key given twice (the last would silently win), a number Python will not convert."""
    try:
        return json.loads(text, parse_float=Decimal, object_pairs_hook=_no_duplicate_keys), []
    except json.JSONDecodeError as exc:
        return None, [Problem(file, exc.lineno, "", "", f"malformed JSON: {exc.msg}")]
    except RecursionError:
        return None, [Problem(file, None, "", "", "malformed JSON: nested too deeply")]
    except _DuplicateKeyError as exc:
        key = exc.args[0]
        needle = json.dumps(key, ensure_ascii=False)
        positions = [m.start() for m in re.finditer(re.escape(needle) + r"\s*:", text)]
        line = text.count("\n", 0, positions[1]) + 1 if len(positions) > 1 else None
        return None, [Problem(file, line, "", key, f"duplicate key {key!r}")]
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        return None, [Problem(file, None, "", "", f"malformed JSON: {exc}")]


def parse_json(text: str, file: str, origin: str) -> ParseResult:
    """A JSON table: our schema, a list of flat rows (the CSV form), or LiteLLM's map."""
    from distillcost.prices.formats.csv import parse_rows
    from distillcost.prices.formats.litellm import is_litellm_map, parse_litellm

    result = ParseResult()
    doc, problems = decode_json(text, file)
    if problems:
        result.problems.extend(problems)
        return result
    if is_litellm_map(doc):
        return parse_litellm(doc, file, origin, text)
    if isinstance(doc, list):
        rows = [(i + 1, _json_row(row)) for i, row in enumerate(doc)]
        return parse_rows(rows, file, origin, header=None)
    if is_teacher_document(doc):
        builder = Builder(file, origin)
        result.teacher = build_teacher(doc, builder)
        result.problems = sorted_problems(builder.problems)
        return result
    models = doc.get("models") if isinstance(doc, Mapping) else None
    lines = _model_lines(text, models if isinstance(models, list) else [])
    builder = Builder(file, origin, LineMap(lines))
    if is_compute_document(doc):
        result.gpus, result.serving = build_compute(doc, builder)
    else:
        result.records = builder.document(doc)
    result.problems = sorted_problems(builder.problems)
    return result


def _json_row(row: Any) -> Any:
    if isinstance(row, Mapping):
        return {k: ("" if v is None else v) for k, v in row.items()}
    return row
