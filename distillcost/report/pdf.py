"""``report -o x.pdf``: the HTML report printed to PDF by headless Chromium.

Chromium (or Google Chrome) prints the very page ``-o x.html`` writes, with the print
styles in report.css: A4 pages, tables that split between rows with their header
repeated, charts and short blocks kept whole, headings kept with what follows. No
Python PDF library lays out HTML tables and SVG as faithfully, and the browser is
already what the HTML report is checked in. Nothing is downloaded: a browser on
PATH (or named by ``$DISTILLCOST_CHROMIUM``) is used, else the error says what to do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from distillcost.errors import RenderError

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
BROWSER_ENV = "DISTILLCOST_CHROMIUM"
TIMEOUT_SECONDS = 180


def find_browser() -> str:
    named = os.environ.get(BROWSER_ENV, "").strip()
    if named:
        found = shutil.which(named)
        if not found:
            raise RenderError(f"${BROWSER_ENV}={named!r}: no such program")
        return found
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise RenderError(
        "a PDF report is printed by Chromium or Google Chrome, and neither is installed "
        f"(apt-get install chromium, or set ${BROWSER_ENV}); or write -o report.html and "
        "print it from a browser"
    )


def html_to_pdf(html: str) -> bytes:
    """The PDF a headless browser prints from ``html`` (no header or footer lines)."""
    browser = find_browser()
    with tempfile.TemporaryDirectory(prefix="distillcost-pdf-") as work:
        folder = Path(work)
        page = folder / "report.html"
        page.write_text(html, encoding="utf-8")
        target = folder / "report.pdf"
        command = [
            browser,
            "--headless",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            f"--user-data-dir={folder / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            page.as_uri(),
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:  # Chromium refuses root without it
            command.insert(1, "--no-sandbox")
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
            )
        except subprocess.TimeoutExpired:
            raise RenderError(f"{browser} took over {TIMEOUT_SECONDS} s to print the PDF") from None
        if not target.is_file() or target.stat().st_size == 0:
            last = (done.stderr.strip().splitlines() or ["no message"])[-1]
            raise RenderError(f"{browser} printed no PDF (exit {done.returncode}: {last})")
        return target.read_bytes()
