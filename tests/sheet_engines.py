"""Independent spreadsheet engines for the workbook tests: they read only the .xlsx file.

``FormulasEngine`` is the ``formulas`` package (a Python reimplementation of Excel's
calculation: parses the formulas, resolves the defined names, recalculates);
``libreoffice_values`` is LibreOffice Calc itself, headless, forced to recalculate on
load. Neither shares a line of code with distillcost's estimator or its workbook writer.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def named_cells(path: Path) -> dict[str, tuple[str, str]]:
    """Defined name -> (sheet, cell such as B5), read with openpyxl."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    out = {}
    for name, defined in wb.defined_names.items():
        sheet, cell = defined.attr_text.lstrip("=").split("!")
        out[name] = (sheet.strip("'"), cell.replace("$", ""))
    return out


class FormulasEngine:
    """One workbook loaded into the ``formulas`` package, recalculated on demand."""

    def __init__(self, path: Path) -> None:
        import formulas

        self.path = path
        self.names = named_cells(path)
        self.model = formulas.ExcelModel().loads(str(path)).finish()

    def key(self, name: str) -> str:
        sheet, cell = self.names[name]
        return f"'[{self.path.name}]{sheet.upper()}'!{cell}"

    def values(
        self, wanted: list[str], changes: dict[str, float] | None = None
    ) -> dict[str, float]:
        """The named cells ``wanted`` after setting the named input cells in ``changes``."""
        inputs = {self.key(name): value for name, value in (changes or {}).items()}
        solution = self.model.calculate(inputs=inputs)
        out = {}
        for name in wanted:
            value = solution[self.key(name)].value
            out[name] = float(value[0][0]) if hasattr(value, "__getitem__") else float(value)
        return out


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("LibreOffice is not installed, and CI=true requires the recalculation test")
    pytest.skip(
        "LibreOffice not installed (apt-get install libreoffice-calc); required when CI=true"
    )


RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def libreoffice_sheet(path: Path, sheet_number: int, work: Path) -> list[list[str]]:
    """Sheet ``sheet_number`` (1-based) of ``path`` as LibreOffice recalculates it, as CSV."""
    import csv

    profile = work / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS)
    out = work / "lo-out"
    # CSV filter options: comma, quote, UTF-8, from line 1, formatted=false (raw numbers),
    # ..., the sheet to export
    options = (
        f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,{sheet_number}"
    )
    subprocess.run(
        [soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", options, "--outdir", str(out), str(path)],
        check=True, capture_output=True, timeout=240,
    )  # fmt: skip
    produced = sorted(out.glob(f"{path.stem}*.csv"))
    assert produced, f"LibreOffice wrote nothing for {path}"
    with produced[0].open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))
