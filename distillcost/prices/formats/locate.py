"""Where a value sits in a price file, for error messages: file line by record path.

A record's path is the chain of (key, index) from the top of the document, e.g.
``(("models", 3), ("prices", 1))`` for the second price entry of the fourth model.
tomllib and csv report no positions for keys, so the readers map paths to lines
themselves; a path with no known line falls back to its parent's.
"""

from __future__ import annotations

import re

Path = tuple[tuple[str, int], ...]


class Locator:
    """Lines by path; the default knows none."""

    def block(self, path: Path) -> tuple[int, int] | None:
        return None

    def key_line(self, start: int, end: int, key: str) -> int | None:
        return None

    def line(self, path: Path, key: str | None = None) -> int | None:
        """The line of ``key`` in the record at ``path`` (else the record's, else a parent's)."""
        while True:
            block = self.block(path)
            if block is not None:
                if key:
                    found = self.key_line(*block, key)
                    if found is not None:
                        return found
                return block[0]
            if not path:
                return None
            key, path = path[-1][0], path[:-1]


class LineMap(Locator):
    """Lines known for some paths (CSV rows, JSON ids): every key of a record on its line."""

    def __init__(self, lines: dict[Path, int]) -> None:
        self.lines = lines  # may be filled after construction (CSV rows are grouped first)

    def block(self, path: Path) -> tuple[int, int] | None:
        line = self.lines.get(path)
        return (line, line) if line is not None else None


_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_]+(?:\s*\.\s*[A-Za-z0-9_]+)*)\s*\]\]")
_TABLE = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\s\"]+)\s*\]\s*(#.*)?$")


class TomlLocator(Locator):
    """Finds ``[[a]]`` / ``[[a.b]]`` / ``[meta]`` blocks by scanning the lines.

    The n-th ``[[models.prices]]`` under the m-th ``[[models]]`` is path
    ``(("models", m), ("prices", n))``; a key is found on its ``key =`` line
    inside its block (up to the next header). Tables written inline are not
    found; the enclosing block's line is used instead.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        starts: list[tuple[Path, int]] = []
        counters: dict[tuple[str, ...], int] = {}
        current: dict[tuple[str, ...], int] = {}
        for number, line in enumerate(self.lines, start=1):
            match = _HEADER.match(line)
            if match:
                names = tuple(re.sub(r"\s", "", match.group(1)).split("."))
                # the index of this array element under its current parent elements
                parent = tuple(
                    (n, current.get(names[: i + 1], 0)) for i, n in enumerate(names[:-1])
                )
                counter_key = (*[f"{n}#{i}" for n, i in parent], names[-1])
                index = counters.get(counter_key, -1) + 1
                counters[counter_key] = index
                current[names] = index
                starts.append(((*parent, (names[-1], index)), number))
                continue
            table = _TABLE.match(line)
            if table:
                name = table.group(1).strip()
                starts.append(((("meta", 0),) if name == "meta" else (("#other", number),), number))
        self.blocks: dict[Path, tuple[int, int]] = {}
        for i, (path, start) in enumerate(starts):
            end = starts[i + 1][1] - 1 if i + 1 < len(starts) else len(self.lines)
            self.blocks.setdefault(path, (start, end))

    def block(self, path: Path) -> tuple[int, int] | None:
        return self.blocks.get(path)

    def key_line(self, start: int, end: int, key: str) -> int | None:
        pattern = re.compile(rf"^\s*\"?{re.escape(key)}\"?\s*=")
        for number in range(start, end + 1):
            if pattern.match(self.lines[number - 1]):
                return number
        return None
