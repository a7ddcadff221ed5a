"""A progress bar on stderr for long counts."""

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
        mb = self.done / 1e6
        rate = mb / max(now - self.start, 1e-9)
        if self.total:
            frac = min(self.done / self.total, 1.0)
            bar = "#" * int(frac * 30)
            line = f"\r[{bar:<30}] {frac:6.1%} {mb:,.0f} MB {rate:,.1f} MB/s"
        else:
            line = f"\r{mb:,.0f} MB {rate:,.1f} MB/s"
        self.stream.write(line)
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\r" + " " * 70 + "\r")
        self.stream.flush()
