"""A progress bar on stderr for long counts: share done, MB, MB/s, elapsed time and ETA."""

from __future__ import annotations

import sys
import time
from typing import Any


class ProgressBar:
    """A one-line progress bar on stderr, redrawn at most 5 times a second."""

    def __init__(self, total: int | None, stream: Any = None) -> None:
        self.total = total
        self.done = 0
        self.stream = stream or sys.stderr
        self.start = time.monotonic()
        self._last = 0.0

    def __call__(self, delta: int) -> None:
        self.done += delta
        now = time.monotonic()
        if now - self._last < 0.2:
            return
        self._last = now
        self.stream.write("\r" + self.line(now))
        self.stream.flush()

    def line(self, now: float) -> str:
        """The bar as it reads at time ``now`` (monotonic seconds)."""
        elapsed = max(now - self.start, 1e-9)
        mb = self.done / 1e6
        rate = mb / elapsed
        if self.total:
            frac = min(self.done / self.total, 1.0)
            bar = "#" * int(frac * 30)
            left = (self.total - self.done) / 1e6 / rate if rate > 0 else 0.0
            eta = clock(left) if self.done < self.total else "0:00"
            return (
                f"[{bar:<30}] {frac:6.1%} {mb:,.0f} MB {rate:,.1f} MB/s "
                f"{clock(elapsed)} elapsed, ETA {eta}"
            )
        return f"{mb:,.0f} MB {rate:,.1f} MB/s {clock(elapsed)} elapsed"

    def close(self) -> None:
        self.stream.write("\r" + " " * 100 + "\r")
        self.stream.flush()


def clock(seconds: float) -> str:
    """'1:05' or '2:03:09': a duration as a clock reads it."""
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
