"""Capability: dated, sourced benchmark scores of teachers, and bars over them.

* :mod:`~distillcost.capability.model` — benchmarks, scores and crosswalk entries, declared once;
* :mod:`~distillcost.capability.files` / :mod:`~distillcost.capability.sources` — score files
  and their layers (built-in < plugins < config dir < ``--scores``);
* :mod:`~distillcost.capability.table` — scores filed under price-table models;
* :mod:`~distillcost.capability.bar` — ``mmlu>=86``: who meets it on a date, who ranks best.
"""

from __future__ import annotations

from distillcost.capability.bar import Bar, Capability, Evidence, parse_bar
from distillcost.capability.model import SCALES, AppliesTo, Benchmark, Score
from distillcost.capability.sources import ScoreSet, load_scores, merge_score_layers
from distillcost.capability.table import Attributed, RowFilter, ScoreTable

__all__ = [
    "SCALES",
    "AppliesTo",
    "Attributed",
    "Bar",
    "Benchmark",
    "Capability",
    "Evidence",
    "RowFilter",
    "Score",
    "ScoreSet",
    "ScoreTable",
    "load_scores",
    "merge_score_layers",
    "parse_bar",
]
