"""What each section of a report shows: its tables, the worked method, the title.

Views only arrange what the estimator and the analyses computed; every number is
formatted by :mod:`distillcost.present`, so a report reads as the CLI does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from distillcost import present
from distillcost.estimator import Estimate
from distillcost.present import DASH, Column, Table, TableView
from distillcost.prices import declarations
from distillcost.prices.model import PriceEntry, fields_of
from distillcost.report.filters import limit_label

VOLUME_LABELS: dict[str, str] = {
    "examples": "Accepted examples",
    "output_tokens": "Output tokens",
    "dataset_tokens": "Dataset tokens",
    "requests": "Requests",
}


def money_places(e: Estimate) -> int:
    """Decimals at which the cost column adds up to the total shown."""
    return present.summing_places(e.costs.values(), e.total_usd)


def breakdown_table(e: Estimate) -> TableView:
    """Each cost kind the campaign pays; the kinds it does not pay folded into one line."""
    places = money_places(e)
    table = e.cost_table()
    rows = []
    unused = [r["label"] for r in table.rows if r["usd"] == 0 and not r["tokens"]]
    for row in table.rows:
        if row["label"] in unused:
            continue
        rate = e.rates.get(row["kind"])
        shown: Any = None
        if rate is not None:
            shown = rate[0] if rate[1] else f"{present.rate(rate[0])} (blended tiers)"
        rows.append({**row, "rate": shown})
    if unused:
        shown = ", ".join(label.split(" (")[0].lower() for label in unused)
        rows.append({"label": f"Not charged: {shown}", "usd": Decimal(0)})
    columns = (
        Column("label", "Cost kind"),
        Column("tokens", "Tokens", "tokens"),
        Column("rate", "Rate per 1M", "price"),
        Column("usd", "Cost", "money", places),
        Column("share", "Share", "pct", 1),
    )
    return Table(columns, tuple(rows), foot=table.foot).view()


def assumptions_table(e: Estimate) -> TableView:
    rows = [
        {
            "name": a["name"],
            "value": present.span(a["value"], a["low"], a["high"], "assumption"),
            "origin": a["origin"] or "default",
            "meaning": a["description"],
        }
        for a in e.assumptions()
    ]
    columns = (
        Column("name", "Assumption"),
        Column("value", "Value"),
        Column("origin", "Origin"),
        Column("meaning", "Meaning"),
    )
    return Table(columns, tuple(rows)).view()


def time_table(e: Estimate) -> TableView:
    rows, marked = [], []
    for i, (name, seconds) in enumerate(e.time.items()):
        binding = name == e.binding_limit
        rows.append(
            {"limit": limit_label(name), "time": seconds, "mark": "binding" if binding else ""}
        )
        if binding:
            marked.append(i)
    columns = (Column("limit", "Limit"), Column("time", "Time", "duration"), Column("mark", ""))
    return Table(columns, tuple(rows), marked=tuple(marked)).view(missing="")


def prices_table(e: Estimate) -> TableView:
    """Every declared price the entry in force gives, then its long-context tiers."""
    rows: list[dict[str, Any]] = []
    for attr, key, nested in fields_of(PriceEntry):
        value = getattr(e.price, attr)
        if nested is not None or key.read is not declarations.INPUT.read or value is None:
            continue
        if key.unit == declarations.PER_REQUEST:
            rows.append({"price": f"{key.heading} ({key.unit})", "value": present.money(value)})
        else:
            rows.append({"price": key.heading, "value": value})
    for tier in e.price.tiers:
        above = present.tokens(tier.above_prompt_tokens)
        rows.append({"price": f"Prompts over {above} tokens: input", "value": tier.input})
        rows.append({"price": f"Prompts over {above} tokens: output", "value": tier.output})
    columns = (Column("price", "Price"), Column("value", "USD per 1M tokens", "price"))
    return Table(columns, tuple(rows)).view()


def comparison_table(rows: Sequence[Mapping[str, Any]], teacher: Any) -> TableView:
    out, marked = [], []
    for i, r in enumerate(rows):
        ranged = r["low_usd"] != r["high_usd"]
        out.append(
            {
                "rank": r.get("rank", i + 1),
                "teacher": r["teacher"],
                "provider": r.get("provider") or "",
                "total": r["total_usd"],
                "range": (
                    f"{present.money(r['low_usd'])} to {present.money(r['high_usd'])}"
                    if ranged
                    else None
                ),
                "wall": r.get("wall_clock_days"),
                "binding": (
                    None
                    if r.get("wall_clock_days") is None
                    else limit_label(r.get("binding_limit"))
                ),
                "reasoning": r.get("reasoning"),
            }
        )
        if r["teacher"] == teacher:
            marked.append(i)
    columns: tuple[Column, ...] = (
        Column("rank", "Rank", "number"),
        Column("teacher", "Teacher"),
        Column("provider", "Provider"),
        Column("total", "Total", "money"),
        Column("range", "Range", "money"),
        Column("wall", "Wall clock", "days"),
        Column("binding", "Binding limit"),
    )
    if any(row["reasoning"] not in (None, "—") for row in out):
        # reasoning teachers priced with their own hidden reasoning: say what was assumed
        columns = (*columns, Column("reasoning", "Reasoning (* assumed)"))
    return Table(columns, tuple(out), marked=tuple(marked)).view()


def comparison_verdict(rows: Sequence[Mapping[str, Any]], e: Estimate) -> str:
    """One sentence naming the comparison's winner and its saving against the teacher."""
    if len(rows) < 2:
        return ""
    best = rows[0]
    mine = next((r for r in rows if r["teacher"] == e.teacher), None)
    if mine is None:
        return ""
    if best["teacher"] == e.teacher:
        runner_up = rows[1]
        return (
            f"Of the {len(rows)} teachers compared, {e.teacher} is the cheapest; the next, "
            f"{runner_up['teacher']}, costs {present.money(runner_up['total_usd'])}."
        )
    saving = Decimal(mine["total_usd"]) - Decimal(best["total_usd"])
    share = saving / Decimal(mine["total_usd"]) if mine["total_usd"] else None
    pct = f" ({present.pct(share, 0)})" if share else ""
    return (
        f"Of the {len(rows)} teachers compared, the cheapest is {best['teacher']} at "
        f"{present.money(best['total_usd'])}, {present.money(saving)}{pct} less than "
        f"{e.teacher}."
    )


def unavailable_items(items: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Each teacher that cannot run the campaign, named once (the reason says "its")."""
    out = []
    for item in items:
        teacher = str(item["teacher"])
        reason = str(item["reason"]).replace(f"{teacher}'s ", "its ")
        out.append({"teacher": teacher, "reason": reason})
    return out


def history_table(rows: Sequence[Mapping[str, Any]]) -> TableView:
    """Each teacher's first price, every change and its retirement.

    The analysis rows are a full panel (every teacher on every date, for charts);
    a memo table of "0%" rows hid the three changes that matter among twenty lines.
    """
    out = []
    for r in rows:
        change_pct = r.get("change_pct")
        if r.get("total_usd") is not None and change_pct is not None and Decimal(change_pct) == 0:
            continue
        if r.get("total_usd") is None:
            status = str(r.get("status") or "priced")
            total: Any = status + (f": {r['note']}" if r.get("note") else "")
            change = None
        else:
            total = r["total_usd"]
            change = (
                None
                if change_pct is None
                else present.pct(Decimal(change_pct) / 100, 1, signed=True)
            )
        out.append({"date": r["date"], "teacher": r["teacher"], "total": total, "change": change})
    columns = (
        Column("date", "Date", "date"),
        Column("teacher", "Teacher"),
        Column("total", "Total", "money"),
        Column("change", "Change", "pct"),
    )
    return Table(columns, tuple(out)).view()


def sensitivity_table(e: Estimate) -> TableView:
    rows = [
        {"parameter": s.parameter, "low": s.low_usd, "high": s.high_usd, "swing": s.swing_usd}
        for s in e.sensitivity
        if s.low_usd != s.high_usd
    ]
    columns = (
        Column("parameter", "Assumption"),
        Column("low", "Total at low", "money"),
        Column("high", "Total at high", "money"),
        Column("swing", "Swing", "money"),
    )
    return Table(columns, tuple(rows)).view()


def volume_table(points: Sequence[Mapping[str, Any]] | None, label: str) -> TableView:
    columns = (
        Column("volume", label, "number"),
        Column("low_usd", "Low", "money"),
        Column("total_usd", "Total", "money"),
        Column("high_usd", "High", "money"),
    )
    return Table(columns, tuple(points or ())).view()


def method_lines(e: Estimate) -> list[str]:
    """The hand check: the estimator's worked steps, costs at the places the column sums at."""
    return present.step_lines(e.steps, money_places(e))


def student_prices(e: Estimate) -> list[dict[str, str]]:
    """The student's own prices and where they come from (fine-tuning price, GPU preset)."""
    student = e.student
    out: list[dict[str, str]] = []
    if student.get("method") == "fine-tune":
        out.append(
            {
                "text": f"Student fine-tuning on {student.get('model')}: "
                f"{present.price(student.get('training_price'))} per 1M training tokens.",
                "source": str(student.get("price_source") or ""),
            }
        )
    if student.get("gpu") and student.get("peak_tflops") is not None:
        out.append(
            {
                "text": f"Student GPU {student['gpu']}: "
                f"{present.exact(student.get('peak_tflops'))} peak TFLOP/s.",
                "source": str(student.get("gpu_source") or ""),
            }
        )
    if student.get("rate_url"):
        out.append(
            {
                "text": f"Student GPU rate: {student.get('rate_source')}.",
                "source": str(student["rate_url"]),
            }
        )
    if student.get("utilisation_source"):
        out.append(
            {
                "text": f"Student training model: utilisation {student.get('utilisation_source')}.",
                "source": "distillcost docs/calibration.md",
            }
        )
    serving = e.serving
    if serving:
        out.append(
            {
                "text": f"Self-hosted teacher {serving['model']} on {serving['gpu']}: "
                f"{present.number(serving['output_tokens_per_s_per_gpu'])} output tokens/s per "
                f"GPU ({serving['engine']}, {present.day(serving['measured_on'])}), "
                f"{present.number(serving['gpu_hours'], 1)} GPU-hours.",
                "source": str(serving["benchmark_source"]),
            }
        )
        out.append(
            {
                "text": f"Self-hosted GPU rate: {serving['rate_source']}.",
                "source": str(serving.get("rate_url") or "given"),
            }
        )
    return out


def break_even_table(records: Sequence[Mapping[str, Any]], unit: str) -> TableView:
    """API against self-hosted teachers: cost per 1M units of volume, set-up, break-even."""
    label = VOLUME_LABELS.get(unit, unit).lower()
    columns = (
        Column("api", "API teacher"),
        Column("hosted", "Self-hosted teacher"),
        Column("api_per_million", f"API $ per 1M {label}", "rate"),
        Column("hosted_per_million", f"Self-hosted $ per 1M {label}", "rate"),
        Column("hosted_fixed", "Set-up", "money"),
        Column("break_even", f"Break-even ({label})", "count"),
        Column("cheaper", "Cheaper"),
    )
    return Table(columns, tuple(records)).view()


def stages_table(e: Estimate) -> TableView | None:
    """A pipeline's stages (None for a single scenario)."""
    from distillcost.estimator.pipeline import PipelineEstimate

    return e.stage_table().view() if isinstance(e, PipelineEstimate) else None


def stage_prices(e: Estimate) -> list[dict[str, str]] | None:
    """Each stage's teacher, price and its source (None for a single scenario)."""
    from distillcost.estimator.pipeline import PipelineEstimate

    if not isinstance(e, PipelineEstimate):
        return None
    out = []
    for stage in e.stages:
        s = stage.estimate
        out.append(
            {
                "text": f"{stage.name}: {s.teacher} ({s.provider}), input "
                f"{present.price(s.price.input)} and output {present.price(s.price.output)} "
                f"per 1M tokens, in force {present.since(s.price.effective_from)}.",
                "source": s.price.source,
            }
        )
    return out


def frontier_table(result: Any) -> TableView:
    """The moat curve's steps: the cheapest teacher meeting the bar, and the best one."""
    first = result.first
    start = None if first is None else first.total_usd
    rows = []
    for point in result.steps():
        total = point.total_usd
        rows.append(
            {
                "date": point.date,
                "teacher": point.teacher or point.note,
                "total": total,
                "fall": start / total if start is not None and total else None,
                "score": _score_value(point),
                "best": point.best_teacher,
                "best_total": point.best_total_usd,
                "best_score": None if point.best_score is None else str(point.best_score.value),
            }
        )
    columns = (
        Column("date", "Date", "date"),
        Column("teacher", "Cheapest meeting the bar"),
        Column("total", "Total", "money"),
        Column("fall", "Fall", "factor"),
        Column("score", "Score"),
        Column("best", "Best sold that day"),
        Column("best_total", "Its total", "money"),
        Column("best_score", "Its score"),
    )
    return Table(columns, tuple(rows)).view(missing="")


def _score_value(point: Any) -> str | None:
    if not point.evidence:
        return None
    first = point.evidence[0]
    return "itself" if first.score is None else str(first.score.value)


def frontier_scores(result: Any) -> list[dict[str, str]]:
    """Each teacher on the curve once, with the scores behind it and their sources."""
    out: dict[str, dict[str, str]] = {}
    for point in result.cheapest_steps():
        if point.teacher is None or point.teacher in out:
            continue
        sources = []
        for evidence in point.evidence:
            for attributed in (evidence.score, evidence.against):
                if attributed is not None and attributed.score.source not in sources:
                    sources.append(attributed.score.source)
        out[point.teacher] = {
            "teacher": point.teacher,
            "text": "; ".join(e.describe() for e in point.evidence),
            "sources": " | ".join(sources),
        }
    return list(out.values())


def provider_keys_table(view: Any) -> TableView:
    table = view.keys_table()
    return Table(table.columns, table.rows, marked=table.marked).view(missing="")


def provider_levers_table(view: Any) -> TableView:
    return view.levers_table().view(missing="")


def report_title(e: Estimate) -> str:
    from distillcost.estimator.pipeline import PipelineEstimate

    if isinstance(e, PipelineEstimate) and e.pipeline is not None:
        base = e.pipeline.name or "Distillation pipeline"
        return f"{base}: cost of a {len(e.stages)}-stage pipeline ({e.teacher})"
    base = e.scenario.name or "Distillation campaign"
    return f"{base}: cost of distilling from {e.teacher}"


__all__ = [
    "DASH",
    "VOLUME_LABELS",
    "assumptions_table",
    "break_even_table",
    "breakdown_table",
    "comparison_table",
    "comparison_verdict",
    "frontier_scores",
    "frontier_table",
    "history_table",
    "method_lines",
    "prices_table",
    "provider_keys_table",
    "provider_levers_table",
    "report_title",
    "sensitivity_table",
    "stage_prices",
    "stages_table",
    "student_prices",
    "time_table",
    "unavailable_items",
    "volume_table",
]
