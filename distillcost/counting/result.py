"""What a count gives back: per-file and total token profiles, as records and frames."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from distillcost.profile import Distribution, TokenProfile

STATS = ("mean", "min", "p50", "p90", "p99", "max")
"""The per-document statistics a count reports for each side."""

CHAT_FORMULA = (
    "prompt = 3 (reply priming) + for each non-assistant message: 3 + tokens(role) + "
    "tokens(content) [+ tokens(name) + 1]; completion = tokens of assistant contents"
)


@dataclass(frozen=True)
class FileCount:
    source: str
    format: str
    profile: TokenProfile
    skipped: int = 0
    pooled: bool = False  # sampled by seeks with < 2 draws: the pooled ratio scaled

    def to_dict(self, include_values: bool = False) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "skipped": self.skipped,
            "pooled_estimate": self.pooled,
            **self.profile.to_dict(include_values),
        }


@dataclass(frozen=True)
class CountResult:
    """Per-file profiles and their total, with how the counting was done."""

    files: tuple[FileCount, ...]
    total: TokenProfile
    encoding: str
    backend: str
    exact: bool
    note: str = ""
    skipped: int = 0  # bad records plus unreadable files (--skip-bad)
    warnings: tuple[str, ...] = ()
    skipped_files: int = 0  # of ``skipped``: whole files left out
    sampling: str = ""  # how a sample was drawn: by seeks, by reading whole, or both

    @property
    def sampled_share(self) -> float | None:
        """Share of the bytes read when sampling by seeks, else of the documents counted."""
        if self.total.sampled and self.total.sample_bytes is not None and self.total.bytes:
            return self.total.sample_bytes / self.total.bytes
        est = self.total.tokens_estimate
        if not self.total.sampled or est is None or not est.population_documents:
            return None
        return est.sample_documents / est.population_documents

    @property
    def has_chat(self) -> bool:
        return any(f.format.endswith(("/chat", "/sharegpt")) for f in self.files)

    def to_records(self) -> list[dict[str, Any]]:
        """One row per file, then ``TOTAL``: counts (a sample's estimate and its 95%
        interval), prompt and completion tokens, and each side's distribution."""

        def dist(prefix: str, d: Distribution | None) -> dict[str, Any]:
            if d is None:
                return {}
            values = (round(d.mean, 3), d.min, d.p50, d.p90, d.p99, d.max)
            return {f"{prefix}{stat}": v for stat, v in zip(STATS, values, strict=True)}

        def row(name: str, fmt: str, p: TokenProfile, skipped: int) -> dict[str, Any]:
            docs = p.documents_estimate
            return {
                "source": name, "format": fmt, "documents": p.documents,
                "documents_low": docs.low if docs else p.documents,
                "documents_high": docs.high if docs else p.documents,
                "characters": p.characters, "bytes": p.bytes, "tokens": p.tokens,
                "tokens_low": p.tokens_low, "tokens_high": p.tokens_high,
                "prompt_tokens": p.prompt_tokens, "completion_tokens": p.completion_tokens,
                "sampled": p.sampled, "sample_documents": p.sample_documents if p.sampled else None,
                "sample_bytes": p.sample_bytes if p.sampled else None,
                "skipped": skipped,
                **dist("", p.total), **dist("prompt_", p.prompt),
                **dist("completion_", p.completion),
            }  # fmt: skip

        rows = [row(f.source, f.format, f.profile, f.skipped) for f in self.files]
        rows.append(row("TOTAL", "", self.total, self.skipped))
        return rows

    def to_frame(self) -> Any:
        """A pandas DataFrame of :meth:`to_records` (numeric columns: plot, sum)."""
        import pandas as pd

        return pd.DataFrame.from_records(self.to_records())

    def __repr__(self) -> str:
        what = "estimated" if self.total.sampled else "exact"
        return (
            f"<CountResult: {self.total.tokens:,} tokens ({what}, {self.encoding}) in "
            f"{self.total.documents:,} documents, {len(self.files)} file(s)>"
        )

    def _repr_html_(self) -> str:
        from distillcost.notebook import html_block
        from distillcost.present import Column, Table

        columns = (
            Column("source", "file"), Column("documents", "documents", "count"),
            Column("tokens", "tokens", "tokens"), Column("prompt_tokens", "prompt", "tokens"),
            Column("completion_tokens", "completion", "tokens"),
        )  # fmt: skip
        table = Table(columns, tuple(self.to_records()))
        return html_block(repr(self)[1:-1], [self.note], [table])

    def to_dict(self, include_values: bool = False) -> dict[str, Any]:
        return {
            "encoding": self.encoding,
            "backend": self.backend,
            "exact": self.exact and not self.total.sampled,  # counted, not estimated
            "tokenizer_exact": self.exact,
            "note": self.note,
            "chat_formula": CHAT_FORMULA if self.has_chat else None,
            "estimated": self.total.sampled,
            "sampled_share": self.sampled_share,
            "sampling": self.sampling or None,
            "skipped": self.skipped,
            "skipped_files": self.skipped_files,
            "files": [f.to_dict(include_values) for f in self.files],
            "total": self.total.to_dict(include_values),
        }
