"""Plain text: one document per file (streamed, cut at exact points) or per line."""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from typing import NamedTuple

from distillcost.errors import InputError, TooLargeError
from distillcost.readers import limits
from distillcost.readers.base import SourceBase, utf8_message, utf8_message_at
from distillcost.readers.schemas import BadRecord, Doc, Unit


class LineBlock(NamedTuple):
    """Lines (without newlines) read together; ``keep`` indexes the non-blank ones."""

    lines: list[bytes]
    keep: list[int]
    first_line: int  # line number of lines[0]
    size: int  # bytes of the non-blank lines, one newline each


def safe_split(text: str, start: int) -> int:
    r"""First index >= start where ``text`` can be cut without changing its token count.

    A cut is exact where no pre-tokenizer piece can cross it, in every encoding we
    support: right after a newline that follows a non-whitespace character, before
    a character that is neither whitespace nor ``/``. (o200k's punctuation piece
    ``[\r\n/]*`` swallows newlines and slashes after it, so ``"!\n/usr"`` must stay
    whole; r50k/p50k split ``" \n"`` mid-text but not at the end of a chunk, hence
    the non-whitespace before the newline.) ``str.isspace`` is a superset of the
    regexes' ``\s``, so the test errs on the safe side. Returns -1 when there is none.
    """
    find = text.find
    i = find("\n", max(start - 1, 1))
    n = len(text)
    while 0 < i < n - 1:
        c = text[i + 1]
        if c != "/" and not c.isspace() and not text[i - 1].isspace():
            return i + 1
        i = find("\n", i + 1)
    return -1


class TextReader(SourceBase):
    """Reading plain text, whole or per line."""

    def _parse_text_line(self, unit: Unit) -> Doc:
        try:
            text = unit.raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadRecord(utf8_message(exc)) from None
        return Doc([text.removesuffix("\n").removesuffix("\r")])

    def _line_units(
        self,
        progress: Callable[[int], None] | None,
        on_bad: Callable[[int, BadRecord], None] | None = None,
    ) -> Iterator[Unit]:
        total = 0
        pending = 0
        with self.open_binary() as fh:
            for lineno, line, n in self.lines(fh):
                total += n
                if progress is not None:
                    pending += n
                    if pending >= limits.BLOCK:
                        progress(pending)
                        pending = 0
                if line is None:
                    self._bad(on_bad, lineno, self.too_large(n))
                    continue
                if line.isspace():  # blank lines are not documents
                    continue
                yield Unit(line, n, lineno)
        if progress is not None and pending:
            progress(pending)
        self.bytes_read = total

    def _line_text_batches(
        self, on_bad: Callable[[int, BadRecord], None], progress: Callable[[int], None] | None
    ) -> Iterator[list[str]]:
        """Lines of a text file, decoded a block at a time (one decode per ~512 KiB)."""
        lines: list[bytes] = []
        first = 1  # line number of lines[0]
        size = total = 0
        bom = True

        def decoded() -> list[str]:
            nonlocal bom
            data = b"".join(lines)
            if bom and data.startswith(codecs.BOM_UTF8):
                data = data[3:]
            bom = False
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = first + data.count(b"\n", 0, exc.start)
                raise InputError(f"{self.name}:{line}: {utf8_message_at(exc, data)}") from None
            parts = text.split("\n")
            if parts and parts[-1] == "":
                parts.pop()
            return [ln.removesuffix("\r") for ln in parts if ln and not ln.isspace()]

        with self.open_binary() as fh:
            for lineno, line, n in self.lines(fh):
                total += n
                if line is None:
                    if lines:
                        batch = decoded()
                        if batch:
                            yield batch
                        lines, size = [], 0
                    first = lineno + 1
                    on_bad(lineno, self.too_large(n))
                    continue
                if b"\x00" in line:
                    raise InputError(f"{self.name}:{lineno}: binary file (NUL byte in this line)")
                if not lines:
                    first = lineno
                lines.append(line if line.endswith(b"\n") else line + b"\n")
                size += n
                if size >= limits.BLOCK:
                    if progress is not None:
                        progress(size)
                    batch = decoded()
                    lines, size = [], 0
                    if batch:
                        yield batch
        if lines:
            if progress is not None:
                progress(size)
            batch = decoded()
            if batch:
                yield batch
        self.bytes_read = total

    def line_blocks(
        self,
        progress: Callable[[int], None] | None = None,
        on_bad: Callable[[int, BadRecord], None] | None = None,
    ) -> Iterator[LineBlock]:
        """The lines of a line-based source in blocks, split in C, never parsed here.

        The sampler uses this to skip unsampled lines for the price of ``bytes.split``:
        it needs each line's size and the total size of the non-blank lines only. A
        line above the record limit goes to ``on_bad`` and is read past, never held.
        """
        carry = b""
        first = 1
        total = 0
        skipping = 0  # > 0: bytes of a too-long line read so far
        with self.open_binary() as fh:
            while True:
                block = fh.read(limits.BLOCK)
                total += len(block)
                if progress is not None and block:
                    progress(len(block))
                if skipping:
                    if not block:  # the input ends inside the long line
                        self._bad(on_bad, first, self.too_large(skipping))
                        break
                    cut = block.find(b"\n")
                    if cut < 0:
                        skipping += len(block)
                        continue
                    self._bad(on_bad, first, self.too_large(skipping + cut + 1))
                    first += 1
                    skipping = 0
                    block = block[cut + 1 :]
                    if not block:
                        continue
                data = carry + block if carry else block
                if block:
                    cut = data.rfind(b"\n")
                    if cut < 0:
                        if len(data) > self.max_record:
                            skipping, carry = len(data), b""
                        else:
                            carry = data
                        continue
                    complete, carry = data[:cut], data[cut + 1 :]
                    if len(carry) > self.max_record:
                        skipping, carry = len(carry), b""
                else:
                    complete, carry = data, b""
                    if not complete:
                        break
                lines = complete.split(b"\n")
                keep = [i for i, line in enumerate(lines) if line and not line.isspace()]
                if len(keep) == len(lines):
                    size = len(complete) + 1
                else:
                    size = sum(len(lines[i]) + 1 for i in keep)
                big = [i for i in keep if len(lines[i]) + 1 > self.max_record]
                for i in big:
                    self._bad(on_bad, first + i, self.too_large(len(lines[i]) + 1))
                    keep.remove(i)
                    size -= len(lines[i]) + 1
                yield LineBlock(lines, keep, first, size)
                first += len(lines)
                if not block:
                    break
        self.bytes_read = total

    def text_blocks(
        self, progress: Callable[[int], None] | None = None, block_size: int = 0
    ) -> Iterator[str]:
        """The whole file decoded as UTF-8 in blocks, checking for NUL and bad bytes."""
        block_size = block_size or limits.BLOCK
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset = 0
        first = True
        with self.open_binary() as fh:
            while True:
                block = fh.read(block_size)
                final = not block
                if block:
                    nul = block.find(b"\x00")
                    if nul >= 0:
                        raise InputError(
                            f"{self.name}: binary file (NUL byte at byte offset {offset + nul})"
                        )
                pending = len(decoder.getstate()[0])
                try:
                    text = decoder.decode(block, final)
                except UnicodeDecodeError as exc:
                    bad = offset - pending + exc.start
                    raise InputError(f"{self.name}: {self._utf8_at(bad)}") from None
                if first and text.startswith("\ufeff"):
                    text = text[1:]
                first = False
                offset += len(block)
                if progress is not None and block:
                    progress(len(block))
                if text:
                    yield text
                if final:
                    break
        self.bytes_read = offset

    def _chunk_units(self, progress: Callable[[int], None] | None) -> Iterator[Unit]:
        """A whole text file cut into ~4K-character chunks at exact split points."""
        from distillcost.tokens import MAX_UNSPLIT_CHARS

        carry = ""
        done = 0
        for text in self.text_blocks(progress):
            carry += text
            start = 0
            while len(carry) - start > 2 * limits.CHUNK_TARGET:
                cut = safe_split(carry, start + limits.CHUNK_TARGET)
                if cut < 0 or cut >= len(carry) - 1:
                    break
                piece = carry[start:cut]
                yield Unit(piece, len(piece.encode("utf-8")), 0)
                start = cut
            done += start
            carry = carry[start:]
            if len(carry) > MAX_UNSPLIT_CHARS:
                raise TooLargeError(
                    f"{self.name}: {len(carry):,} characters from character {done:,} on have "
                    "no point where the text can be cut without changing its token count; "
                    f"such a run is counted only up to {MAX_UNSPLIT_CHARS:,} characters"
                )
        if carry:
            yield Unit(carry, len(carry.encode("utf-8")), 0)
