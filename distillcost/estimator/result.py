"""What an estimate holds: exact dollars, tokens and time, its ranges, its worked steps."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from distillcost import present
from distillcost.errors import ScenarioError
from distillcost.estimator.availability import Availability
from distillcost.estimator.billing import COST_KINDS, OPTIONAL_KINDS, TOKEN_KINDS
from distillcost.estimator.teacher import LimitsChoice, ReasoningChoice
from distillcost.present import Column, Step, Table, step_lines
from distillcost.prices.model import ModelRecord, PriceEntry, fields_of
from distillcost.ranges import Range
from distillcost.scenario import FIELDS, Scenario

COST_LABELS: dict[str, str] = {
    "input_uncached": "Input (uncached)",
    "input_cached": "Cached input",
    "cache_write": "Cache writes",
    "output": "Output (visible)",
    "reasoning": "Reasoning (hidden, billed as output)",
    "per_request": "Per-request fees",
    "setup": "Self-hosting set-up",
    "student_training": "Student training",
}
"""Each cost kind as a reader sees it, in the order a reader checks them."""

COST_FIELDS: tuple[Column, ...] = (
    Column("label", "Cost kind"),
    Column("tokens", "Tokens", "tokens"),
    Column("rate", "Rate per 1M", "price"),
    Column("usd", "Cost", "money"),
    Column("share", "Share", "pct"),
)


@dataclass(frozen=True)
class Sensitivity:
    """The total with one ranged parameter at each end (others at base)."""

    parameter: str
    low_value: Decimal
    high_value: Decimal
    low_usd: Decimal  # total with the parameter at its low value
    high_usd: Decimal  # total with the parameter at its high value

    @property
    def swing_usd(self) -> Decimal:
        return abs(self.high_usd - self.low_usd)

    def to_dict(self) -> dict[str, Any]:
        return {
            "parameter": self.parameter,
            "low_value": self.low_value,
            "high_value": self.high_value,
            "low_usd": self.low_usd,
            "high_usd": self.high_usd,
            "swing_usd": self.swing_usd,
        }


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class Estimate:
    """What a campaign costs: exact Decimal dollars, tokens, time, ranges, sources.

    ``rates`` is the USD per 1M tokens paid per token kind and whether it is one
    published rate (``False``: a blend of long-context tiers); ``steps`` is the base
    case worked through the formulas, one :class:`~distillcost.present.Step` a line.
    """

    scenario: Scenario
    teacher: str
    provider: str
    as_of: date
    model: ModelRecord
    price: PriceEntry
    total_usd: Decimal
    low_usd: Decimal
    high_usd: Decimal
    api_usd: Decimal
    student_usd: Decimal
    requests: int
    requests_exact: Decimal
    generated_examples: Decimal
    accepted_examples: Decimal
    dataset_tokens: Decimal
    tokens: Mapping[str, Decimal]
    costs: Mapping[str, Decimal]
    time: Mapping[str, Decimal]  # limit -> seconds under that limit
    wall_clock_seconds: Decimal | None
    wall_clock_days: Decimal | None
    binding_limit: str
    usd_per_1m_dataset_tokens: Decimal | None
    student: Mapping[str, Any]
    sensitivity: tuple[Sensitivity, ...]
    low_point: Mapping[str, Decimal]
    high_point: Mapping[str, Decimal]
    notes: tuple[str, ...] = field(default=())
    rates: Mapping[str, tuple[Decimal, bool]] = field(default_factory=dict)
    steps: tuple[Step, ...] = field(default=())
    serving: Mapping[str, Any] = field(default_factory=dict)  # a self-hosted teacher's terms
    # the teacher as it behaves: the hidden reasoning priced, the usage tier applied, and
    # whether it is available to the campaign's end
    reasoning: ReasoningChoice | None = None
    limits_preset: LimitsChoice | None = None
    availability: Availability | None = None
    #: prices a changed scenario as this estimate was priced (same table), for :meth:`what_if`
    reprice: Any = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        span = ""
        if self.low_usd != self.high_usd:
            span = f" ({present.money(self.low_usd)}–{present.money(self.high_usd)})"
        name = f"{self.scenario.name}: " if self.scenario.name else ""
        return (
            f"<Estimate {name}{self.teacher} on {self.as_of.isoformat()}: "
            f"{present.money(self.total_usd)}{span}, {self.requests:,} requests>"
        )

    def _repr_html_(self) -> str:
        """The total, its range and the cost by kind, for a notebook cell."""
        from distillcost.notebook import html_block

        lines = [
            f"{present.tokens(self.accepted_examples)} accepted examples, "
            f"{self.requests:,} requests, {present.tokens(self.dataset_tokens, compact=True)} "
            "dataset tokens",
        ]
        if self.wall_clock_seconds is not None:
            lines.append(
                f"wall clock {present.duration(self.wall_clock_seconds)} "
                f"(binding: {self.binding_limit})"
            )
        lines += [f"note: {n}" for n in self.notes]
        return html_block(repr(self)[1:-1], lines, [self.cost_table()])

    def what_if(self, **changes: Any) -> Estimate:
        """The same campaign with some assumptions changed, priced the same way.

        ``estimate.what_if(completion_tokens=600, acceptance_rate="0.7..0.8..0.9")``:
        values as in a scenario file (numbers, ``LOW..BASE..HIGH`` text, Ranges); the
        date and price table stay those of this estimate unless ``as_of`` is given.
        """
        if self.reprice is None:
            raise ScenarioError("what_if: this estimate does not know its price table")
        when = changes.pop("as_of", None)
        changed = self.scenario.with_values(**changes) if changes else self.scenario
        if when is not None:
            changed = changed.with_values(as_of=when)
        result: Estimate = self.reprice(changed, None if when is not None else self.as_of)
        return result

    @property
    def input_tokens(self) -> Decimal:
        """All billed input: uncached + cached reads + cache writes."""
        return (
            self.tokens["input_uncached"] + self.tokens["input_cached"] + self.tokens["cache_write"]
        )

    @property
    def output_tokens(self) -> Decimal:
        """All billed output: completions + hidden reasoning."""
        return self.tokens["output"] + self.tokens["reasoning"]

    def assumptions(self) -> list[dict[str, Any]]:
        """Every assumption given or defaulted, with its origin and meaning."""
        rows: list[dict[str, Any]] = []
        sc = self.scenario
        for spec in FIELDS:
            value = getattr(sc, spec.name)
            if value is None or value == () or value == "":
                continue
            if spec.name in ("name", "description"):
                continue
            turns = sc.measured_turns
            if spec.name == "turns" and turns is not None:  # priced per measured turn
                rows.append(
                    {
                        "name": "turns",
                        "value": turns.turns,
                        "low": None,
                        "high": None,
                        "origin": "measured",
                        "description": "assistant turns per conversation of the chat file, "
                        "each a request resending the history before it",
                    }
                )
                continue
            rows.append(
                {
                    "name": spec.name,
                    "value": value.base if isinstance(value, Range) else _plain(value),
                    "low": value.low if isinstance(value, Range) else None,
                    "high": value.high if isinstance(value, Range) else None,
                    "origin": sc.origin(spec.name),
                    "description": spec.description,
                }
            )
        return rows

    def prices_dict(self) -> dict[str, Any]:
        """The price entry used, every declared key (tiers as dicts), with the model."""
        out: dict[str, Any] = {"model": self.teacher, "unit": self.price.unit}
        for attr, key, nested in fields_of(PriceEntry):
            value = getattr(self.price, attr)
            out[key.name] = [t.to_dict() for t in value] if nested is not None else value
        return out

    def cost_table(self) -> Table:
        """One row per cost kind (tokens, rate paid, dollars, share), the total as a foot."""
        rows = []
        for kind in COST_KINDS:
            usd = self.costs[kind]
            if kind in OPTIONAL_KINDS and not usd:
                continue
            rate = self.rates.get(kind)
            rows.append(
                {
                    "kind": kind,
                    "label": COST_LABELS[kind],
                    "tokens": self.tokens.get(kind),
                    "rate": rate[0] if rate else None,
                    "usd": usd,
                    "share": usd / self.total_usd if self.total_usd else None,
                }
            )
        foot = {"label": "Total", "usd": self.total_usd, "share": 1 if self.total_usd else None}
        return Table(COST_FIELDS, tuple(rows), foot=foot)

    def worked(self) -> list[str]:
        """The base case worked through the formulas, one aligned line a step."""
        return step_lines(self.steps)

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (Decimals kept; export.json_text makes them exact strings)."""
        return {
            "name": self.scenario.name,
            "teacher": self.teacher,
            "provider": self.provider,
            "as_of": self.as_of,
            "total_usd": self.total_usd,
            "low_usd": self.low_usd,
            "high_usd": self.high_usd,
            "api_usd": self.api_usd,
            "student_usd": self.student_usd,
            "requests": self.requests,
            "requests_exact": self.requests_exact,
            "generated_examples": self.generated_examples,
            "accepted_examples": self.accepted_examples,
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "dataset_tokens": self.dataset_tokens,
            "wall_clock_seconds": self.wall_clock_seconds,
            "wall_clock_days": self.wall_clock_days,
            "binding_limit": self.binding_limit,
            "usd_per_1m_dataset_tokens": self.usd_per_1m_dataset_tokens,
            "tokens": dict(self.tokens),
            "costs": dict(self.costs),
            "rates": {
                kind: {"usd_per_1m": r, "published": p} for kind, (r, p) in self.rates.items()
            },
            "prices": self.prices_dict(),
            "time": dict(self.time),
            "student": dict(self.student),
            "serving": dict(self.serving),
            "assumptions": self.assumptions(),
            "sensitivity": [s.to_dict() for s in self.sensitivity],
            "low_point": dict(self.low_point),
            "high_point": dict(self.high_point),
            "reasoning": self.reasoning.to_dict() if self.reasoning else None,
            "limits_preset": self.limits_preset.to_dict() if self.limits_preset else None,
            "availability": self.availability.to_dict() if self.availability else None,
            "notes": list(self.notes),
            "steps": [s.to_dict() for s in self.steps],
            "worked": self.worked(),
            "scenario": self.scenario.to_dict(),
        }

    def cost_rows(self) -> list[dict[str, Any]]:
        """One row per cost kind: kind, tokens (None for non-token kinds), usd."""
        return [
            {"kind": kind, "tokens": self.tokens.get(kind), "usd": self.costs[kind]}
            for kind in COST_KINDS
        ]

    def to_frame(self, exact: bool = False) -> Any:
        """One row per cost kind: tokens, rate paid, dollars and share, as floats (plot them:
        ``df.plot.barh(x="label", y="usd")``); ``exact=True`` keeps the Decimals."""
        from distillcost.notebook import frame

        rows = [
            {"kind": r["kind"], "label": r["label"], "tokens": r["tokens"],
             "rate_usd_per_1m": r["rate"], "usd": r["usd"], "share": r["share"]}
            for r in self.cost_table().rows
        ]  # fmt: skip
        columns = ["kind", "label", "tokens", "rate_usd_per_1m", "usd", "share"]
        return frame(rows, columns, exact)


__all__ = ["COST_KINDS", "COST_LABELS", "TOKEN_KINDS", "Estimate", "Sensitivity"]
