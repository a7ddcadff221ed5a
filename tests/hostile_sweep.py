# ruff: noqa: E501  (the case table reads best one case a line)
"""Hostile-input sweep across every command (a script, NOT collected by pytest: ~1-2 min).

    python tests/hostile_sweep.py [--jobs 2] [--only WORD] [--verbose]

Each case runs ``python -m distillcost`` (the installed package) in a fresh copy of a
small campaign folder, under a timeout and a 2 GB address-space cap, and is judged by
the promises of issue 11 as well as its own expectation:

* no traceback and no "internal error"; a refusal is one ``Error: ...`` line (click's
  usage lines may precede it) naming the file or field;
* no input file changed, no temp file (``.name.xxxx.tmp``, ``.new``, ``.old``) left;
* no hang (timeout) and no memory blow-up (the cap turns one into a failure);
* a killed or stopped run exits 128 + the signal and writes nothing.

Cases that need a user other than root (unreadable directories) run through
``setpriv`` when this runs as root and ``HOSTILE_NOBODY_PYTHON`` names a Python that
user 65534 can run (with distillcost installed); otherwise they are counted as skipped.
Prints one line per failure and a tally; exits 1 if any case failed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import os
import re
import resource
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from spreadsheet import spreadsheet_rows

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples"
TIMEOUT = 60
MEMORY_CAP = 2 << 30
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

Check = Callable[["Run"], "str | None"]


@dataclass
class Run:
    case: Case
    folder: Path
    code: int
    out: str
    err: str
    seconds: float


@dataclass
class Case:
    name: str
    args: list[str] | str  # a list: distillcost's arguments; a str: a bash command ($DC)
    expect: str = "refuse"  # ok | refuse | any
    says: str = ""  # a substring (regex) the output must hold
    env: dict[str, str] = field(default_factory=dict)
    stdin: bytes | None = None
    checks: list[Check] = field(default_factory=list)
    stop: tuple[int, float] | None = None  # (signal, seconds after start)
    setup: Callable[[Path], None] | None = None
    as_nobody: bool = False
    outputs: tuple[str, ...] = ()  # files the case may create or change


# ----------------------------------------------------------------------------- fixture

PRICE_TOML = """\
[meta]
provider = "me"

[[models]]
id = "mine"
encoding = "o200k_base"
notes = "line one\\r=1+1 and\\n@SUM(A1)"

[[models.prices]]
effective_from = 2024-01-01
input = 1
output = 2
source = "test =cmd|' /C calc'!A0"
"""


def make_fixture(root: Path) -> None:
    shutil.copy(EXAMPLES / "sample-chat.jsonl", root / "chat.jsonl")
    shutil.copy(EXAMPLES / "sample-instructions.jsonl", root / "instr.jsonl")
    shutil.copy(EXAMPLES / "essay.toml", root / "essay.toml")
    shutil.copy(EXAMPLES / "alpaca.toml", root / "alpaca.toml")
    (root / "p.toml").write_text(PRICE_TOML, encoding="utf-8")
    (root / "s.toml").write_text(
        'name = "=HYPERLINK(\\"http://x\\")\\r+1"\nteacher = "mine"\nexamples = 100\n'
        'chat_file = "chat.jsonl"\nprices = ["p.toml"]\nas_of = 2025-01-01\n',
        encoding="utf-8",
    )
    (root / "qa.csv").write_text(
        'question,answer\n"=1+1","a\r=2+2"\n"x\n-3","@SUM(A1)"\n', encoding="utf-8"
    )
    (root / "data").mkdir()
    shutil.copy(EXAMPLES / "sample-chat.jsonl", root / "data" / "d.jsonl")


def snapshot(root: Path) -> dict[str, str]:
    found = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            found[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


TEMP = re.compile(r"^\..+\.[0-9a-f]{12}\.(tmp|new|old)$|^\.(ranks|shards)-")


# ------------------------------------------------------------------------------ checks


NUMBER = re.compile(r"^-?\d+(\.\d+)?(E[+-]?\d+)?$")


def csv_inert(source: str = "stdout") -> Check:
    """Every line of every text cell is inert, and rows split as the csv module splits."""

    def check(run: Run) -> str | None:
        text = run.out if source == "stdout" else (run.folder / source).read_text("utf-8")
        import csv
        import io

        strict = list(csv.reader(io.StringIO(text, newline="")))
        loose = spreadsheet_rows(text)
        if len(strict) != len(loose):
            return f"CSV rows: csv module {len(strict)}, a spreadsheet {len(loose)} (bare CR/LF)"
        for row in loose:
            for cell in row:
                if NUMBER.match(cell):
                    continue
                for line in re.split(r"\r\n|\r|\n", cell):
                    if line.startswith(TRIGGERS):
                        return f"live formula in a CSV cell: {cell!r}"
        return None

    return check


def file_exists(name: str, present: bool = True) -> Check:
    def check(run: Run) -> str | None:
        exists = (run.folder / name).exists()
        return None if exists == present else f"{name} {'missing' if present else 'written'}"

    return check


def nothing_if_stopped(name: str) -> Check:
    """A run the signal stopped wrote nothing (one that finished first may have)."""

    def check(run: Run) -> str | None:
        stopped = run.code == 128 + (run.case.stop or (0, 0))[0]
        return (
            f"{name} written by a stopped run" if stopped and (run.folder / name).exists() else None
        )

    return check


def stderr_empty(run: Run) -> str | None:
    return None if run.err == "" else f"stderr not empty: {run.err[:120]!r}"


def only_charts(folder: str, names: set[str]) -> Check:
    def check(run: Run) -> str | None:
        found = {p.name for p in (run.folder / folder).iterdir()}
        return None if found == names else f"{folder} holds {sorted(found)}, want {sorted(names)}"

    return check


# ------------------------------------------------------------------------------- cases

DEVICES = ["/dev/zero", "/dev/urandom", "/dev/null"]


# One case a line: the table reads better than the formatter's layout.
# fmt: off
def cases() -> list[Case]:
    out: list[Case] = []
    add = out.append

    # 1. pipes and streams are read once
    for src in ("chat.jsonl", "instr.jsonl", "qa.csv"):
        kind = src.split(".")[1].replace("jsonl", "auto")  # a pipe has no extension to go by
        add(Case(f'pipe: count <(cat {src})', f'$DC count <(cat {src}) --format-in {kind}', 'ok', says='  (20|2)  '))
        add(Case(f"pipe: cat {src} | count -", f"cat {src} | $DC count -", "any"))
    add(Case('pipe: estimate --chat-file <(...)', '$DC estimate --teacher gpt-4o --examples 100 --chat-file <(cat chat.jsonl)', 'ok', says='TOTAL'))
    add(Case('pipe: fifo with one writer', 'mkfifo f.jsonl; (cat chat.jsonl > f.jsonl &); $DC count f.jsonl', 'ok', says='\\b20\\b'))
    add(Case('pipe: json array through stdin', 'printf \'[{"prompt":"a","completion":"b"}]\' | $DC count - --format-in prompt-completion', 'any'))
    add(Case("pipe: empty stdin", ["count", "-"], "refuse", stdin=b""))
    add(Case('pipe: stdin of NUL bytes', 'head -c 100000 /dev/zero | $DC count -', 'refuse', says='binary'))
    add(Case("pipe: stdin random bytes", "head -c 3000000 /dev/urandom | $DC count -", "refuse"))

    # 2. configuration files: regular files, bounded
    for dev in DEVICES:
        add(Case(f"config: estimate {dev}", ["estimate", dev], "refuse", says="not a regular file"))
        add(Case(f'config: prices list --prices {dev}', ['prices', 'list', '--prices', dev], 'refuse', says='not a regular file'))
        add(Case(f'config: estimate --prices {dev}', ['estimate', 'essay.toml', '--prices', dev], 'refuse', says='not a regular file'))
        add(Case(f'config: prices validate {dev}', ['prices', 'validate', dev], 'refuse', says='not a regular file'))
        add(Case(f'config: report --template-dir {dev}', ['report', 'essay.toml', '--template-dir', dev], 'refuse', says='not a directory'))
        add(Case(f'config: sweep {dev}', ['sweep', dev, '--vary', 'examples=1..2:2'], 'refuse', says='not a regular file'))
    add(Case('config: yes | estimate /dev/stdin', 'yes | $DC estimate /dev/stdin', 'refuse', says='is a pipe'))
    add(Case("config: estimate <(yes)", "$DC estimate <(yes)", "refuse", says="is a pipe"))
    add(Case('config: prices list --prices <(yes)', '$DC prices list --prices <(yes)', 'refuse', says='is a pipe'))
    add(Case('config: compare --prices <(cat p.toml)', '$DC compare essay.toml --models mine --prices <(cat p.toml)', 'refuse', says='is a pipe'))
    add(Case('config: 2 MB scenario', 'python3 -c "print(\'#\'*2000000)" > big.toml; $DC estimate big.toml', 'refuse', says='1,048,576-byte limit'))
    add(Case('config: 70 MB price table', "head -c 70000000 /dev/zero | tr '\\0' '#' > big.toml; $DC prices list --prices big.toml", 'refuse', says='limit'))
    add(Case("config: scenario is a directory", ["estimate", "data"], "refuse", says="directory"))
    add(Case('config: scenario names a device as chat file', 'printf \'teacher="gpt-4o"\\nexamples=1\\nchat_file="/dev/zero"\\n\' > z.toml; $DC estimate z.toml', 'refuse'))
    add(Case('config: scenario prices=["/dev/zero"]', 'printf \'teacher="gpt-4o"\\nexamples=1\\nprices=["/dev/zero"]\\n\' > z.toml; $DC estimate z.toml', 'refuse', says='not a regular file'))
    add(Case('config: UTF-16 scenario', 'printf \'teacher = "gpt-4o"\\nexamples = 5\\n\' | iconv -t UTF-16 > u.toml; $DC estimate u.toml', 'refuse', says='UTF-16'))
    add(Case('config: UTF-32 price table', 'iconv -t UTF-32 p.toml > u.toml; $DC prices list --prices u.toml', 'refuse', says='UTF-32'))
    add(Case('config: Latin-1 scenario', 'printf \'name = "caf\\xe9"\\nteacher="gpt-4o"\\n\' > l.toml; $DC estimate l.toml', 'refuse', says='l\\.toml:1: not UTF-8'))
    add(Case('config: BOM scenario is fine', 'printf \'\\xef\\xbb\\xbfteacher = "gpt-4o"\\nexamples = 5\\nprompt_tokens=1\\ncompletion_tokens=1\\n\' > b.toml; $DC estimate b.toml', 'ok'))
    add(Case('config: TOML nested 100k deep', 'python3 -c "print(\'x=\' + \'[\'*100000 + \']\'*100000)" > n.toml; $DC estimate n.toml', 'refuse', says='nested too deeply|invalid TOML'))
    add(Case('config: 5000-digit integer', 'python3 -c "print(\'teacher=\\"gpt-4o\\"\\nexamples=\' + \'9\'*5000)" > n.toml; $DC estimate n.toml', 'refuse', says='n\\.toml: invalid TOML: .*5000 digits'))

    # 3. CSV cells inert, rows intact (every line of every cell; bare CRs quoted)
    hostile_names = {
        "file name with CR formula": "a\\r=1+1.txt",
        "file name with LF @formula": "b\\n@SUM(A1).txt",
    }
    for what, name in hostile_names.items():
        make = f"printf 'x\\n' > \"$(printf '{name}')\"; $DC count {name[0]}*.txt -f csv"
        add(Case(f"csv: {what}", make, "ok", checks=[csv_inert()]))
    for args in (
        ["count", "qa.csv"],
        ["prices", "list", "--prices", "p.toml", "--all-history"],
        ["estimate", "s.toml"],
        ["compare", "s.toml", "--models", "mine,gpt-4o"],
        ["history", "s.toml", "--models", "mine"],
        ["sweep", "s.toml", "--vary", "examples=10..100:3"],
        ["prices", "diff", "2023-01-01", "2025-06-01"],
    ):
        add(Case(f"csv: {' '.join(args)} -f csv", [*args, "-f", "csv"], "ok", checks=[csv_inert()]))
    add(Case('csv: -o out.csv', ['prices', 'list', '--prices', 'p.toml', '-o', 'out.csv'], 'ok', checks=[csv_inert('out.csv')], outputs=('out.csv',)))
    add(Case('csv: --field with CR formula', ['count', 'qa.csv', '--field', 'question\r=1+1', '-f', 'csv'], 'refuse'))
    add(Case('csv: round trip of hostile notes', '$DC prices list --prices p.toml --all-history -f csv -o out.csv && $DC prices validate out.csv', 'ok', outputs=('out.csv',)))

    # 5. -o never an input
    for args in (
        ["estimate", "s.toml", "-o", "s.toml", "-f", "json"],
        ["estimate", "s.toml", "-o", "chat.jsonl", "-f", "json"],
        ["estimate", "s.toml", "-o", "./p.toml", "-f", "json"],
        ["estimate", "s.toml", "-o", "data/../p.toml", "-f", "json"],
        ["compare", "s.toml", "--models", "mine", "-o", "chat.jsonl", "-f", "csv"],
        ["history", "s.toml", "-o", "p.toml", "-f", "csv"],
        ["sweep", "s.toml", "--vary", "examples=1..2:2", "-o", "s.toml", "-f", "csv"],
        ["report", "s.toml", "-o", "chat.jsonl", "--format", "md"],
        ["count", "chat.jsonl", "-o", "chat.jsonl", "-f", "json"],
        ["count", "data", "-o", "data/d.jsonl", "-f", "json"],
        ["count", ".", "-o", "instr.jsonl", "-f", "json"],
        ["prices", "list", "--prices", "p.toml", "-o", "p.toml", "-f", "csv"],
        ["prices", "show", "mine", "--prices", "p.toml", "-o", "p.toml", "-f", "json"],
        [
            "estimate",
            "--teacher",
            "gpt-4o",
            "--examples",
            "5",
            "--chat-file",
            "chat.jsonl",
            "-o",
            "chat.jsonl",
            "-f",
            "json",
        ],
    ):
        add(Case(f"-o input: {' '.join(args)}", args, "refuse", says="is also an input"))
    add(Case('-o input: a symlink to the input', 'ln -s chat.jsonl link.json; $DC count chat.jsonl -o link.json', 'refuse', says='is also an input'))
    add(Case('-o input: a hard link to the input', 'ln chat.jsonl hard.json; $DC count chat.jsonl -o hard.json', 'refuse', says='is also an input', outputs=('hard.json',)))
    add(Case('-o: missing directory', ['estimate', 'essay.toml', '-o', 'nope/x.json'], 'refuse', says='does not exist'))
    add(Case("-o: a directory", ["estimate", "essay.toml", "-o", "data"], "refuse"))
    add(Case('-o: /dev/null is written in place', ['estimate', 'essay.toml', '-o', '/dev/null', '-f', 'json'], 'ok'))

    # 7. reports: all-or-nothing, no stale charts
    add(Case('report: rewrite leaves only new charts', '$DC report alpaca.toml -o r.md --history --compare gpt-3.5-turbo && $DC report essay.toml -o r.md', 'ok', checks=[only_charts('r_charts', {'cost_vs_volume.svg', 'sensitivity.svg'})], outputs=('r.md', 'r_charts')))
    add(Case('report: chart folder with a user file is refused', 'mkdir r_charts; echo mine > r_charts/notes.txt; $DC report essay.toml -o r.md', 'refuse', says='did not write', checks=[file_exists('r.md', False)], outputs=('r_charts',)))
    add(Case('report: chart folder is a file', 'echo x > r_charts; $DC report essay.toml -o r.md', 'refuse', says='in the way', outputs=('r_charts',)))
    add(Case('report: html to a missing dir', ['report', 'essay.toml', '-o', 'no/r.html'], 'refuse', says='does not exist'))
    add(Case("report: html needs -o", ["report", "essay.toml", "--format", "html"], "refuse"))
    add(Case('report: stopped mid-render writes nothing', ['report', 'alpaca.toml', '-o', 'r.md', '--history', '--all'], 'any', stop=(signal.SIGTERM, 2.0), checks=[nothing_if_stopped('r.md')], outputs=('r.md', 'r_charts')))

    # 8. optional config dir
    add(Case('config dir: a file', ['prices', 'show', 'gpt-4o'], 'ok', env={'DISTILLCOST_CONFIG_DIR': 'p.toml'}, says='not a directory'))
    add(Case('config dir: /dev/null', ['estimate', 'essay.toml'], 'ok', env={'DISTILLCOST_CONFIG_DIR': '/dev/null'}, says='not a directory'))
    add(Case('config dir: prices/ is a file', 'mkdir -p cfg && echo x > cfg/prices; DISTILLCOST_CONFIG_DIR=cfg $DC prices list', 'ok', says='skipped, not a directory'))
    add(Case('config dir: templates/ is a file', 'mkdir -p cfg && echo x > cfg/templates; DISTILLCOST_CONFIG_DIR=cfg $DC report essay.toml', 'ok', says='skipped, not a directory'))
    add(Case('config dir: a broken table in it', "mkdir -p cfg/prices && echo 'x = ' > cfg/prices/bad.toml; DISTILLCOST_CONFIG_DIR=cfg $DC prices list", 'refuse', says='bad\\.toml'))
    add(Case('config dir: a device named like a table', 'mkdir -p cfg/prices && ln -s /dev/zero cfg/prices/z.toml; DISTILLCOST_CONFIG_DIR=cfg $DC prices list', 'any', says='z.toml'))
    add(Case('config dir: HOME=/root (unreadable)', ['prices', 'list'], 'ok', env={'HOME': '/root', 'DISTILLCOST_CONFIG_DIR': ''}, as_nobody=True, says='permission denied'))
    add(Case('config dir: unreadable templates', 'mkdir -p cfg/templates && chmod 000 cfg/templates; DISTILLCOST_CONFIG_DIR=cfg $DC report essay.toml', 'ok', as_nobody=True, says='permission denied'))
    add(Case('write: read-only directory names the target', 'mkdir ro && chmod 555 ro; $DC estimate essay.toml -o ro/x.json', 'refuse', as_nobody=True, says="ro/x\\.json: cannot write in 'ro'"))
    add(Case('write: read-only directory, md report', 'mkdir ro && chmod 555 ro; $DC report essay.toml -o ro/r.md', 'refuse', as_nobody=True, says="ro/r\\.md: cannot write in 'ro'"))
    add(Case('walk: unreadable subdirectory', 'mkdir -p w/sub && cp chat.jsonl w/ && cp chat.jsonl w/sub/ && chmod 000 w/sub; $DC count w', 'refuse', as_nobody=True, says='cannot be read'))
    add(Case('walk: unreadable subdirectory, --skip-bad', 'mkdir -p w/sub && cp chat.jsonl w/ && cp chat.jsonl w/sub/ && chmod 000 w/sub; $DC count w --skip-bad', 'ok', as_nobody=True, says='skipped'))

    # 9. encodings of standard output
    for enc in ("cp1252", "ascii", "latin-1", "cp437"):
        for args in (
            ["estimate", "essay.toml"],
            ["report", "essay.toml"],
            ["prices", "show", "gpt-4o"],
            ["count", "chat.jsonl", "--per-line"],
            ["history", "essay.toml"],
        ):
            add(Case(f"encoding {enc}: {' '.join(args)}", args, 'any', env={'PYTHONIOENCODING': enc}))
    add(Case('encoding cp1252: error message with non-Latin file name', "$DC count 'данные→.jsonl'", 'refuse', env={'PYTHONIOENCODING': 'cp1252'}, says='no such file'))
    add(Case('encoding: undecodable file name', 'printf \'hi\\n\' > "$(printf \'x\\xff.txt\')"; $DC count x*.txt', 'ok'))

    # 10. stopping
    add(Case('stop: SIGINT during count -o', ['count', '-', '-o', 'out.json'], 'any', stdin=None, stop=(signal.SIGINT, 1.5), checks=[file_exists('out.json', False)], says='Interrupted'))
    add(Case('stop: SIGTERM during count -o', ['count', '-', '-o', 'out.json'], 'any', stop=(signal.SIGTERM, 1.5), checks=[file_exists('out.json', False)], says='Stopped'))
    add(Case("stop: SIGHUP during count", ["count", "-"], "any", stop=(signal.SIGHUP, 1.5)))
    add(Case('stop: SIGTERM during a parallel sweep', ['sweep', 'essay.toml', '--vary', 'completion_tokens=100..1000:300', '--vary', 'acceptance_rate=0.1..1:300', '-o', 'out.csv'], 'any', env={'DISTILLCOST_SWEEP_WORKERS': '2'}, stop=(signal.SIGTERM, 3.0), checks=[file_exists('out.csv', False)]))
    add(Case('stop: SIGINT during a parallel sweep', ['sweep', 'essay.toml', '--vary', 'completion_tokens=100..1000:300', '--vary', 'acceptance_rate=0.1..1:300', '-o', 'out.csv'], 'any', env={'DISTILLCOST_SWEEP_WORKERS': '2'}, stop=(signal.SIGINT, 3.0), checks=[file_exists('out.csv', False)]))
    for command in (
        "prices list --all-history",
        "prices list --all-history -f json",
        "count chat.jsonl --per-line -f json",
        "report alpaca.toml --history",
        "sweep essay.toml --vary examples=1..1000000:2000 -f csv",
        "--help",
        "prices --help",
        "estimate --help",
    ):
        add(Case(f'pipe closed: {command} | true', f'$DC {command} | true', 'any', checks=[stderr_empty]))
        add(Case(f'pipe closed: {command} | head -1', f'$DC {command} | head -1 > /dev/null', 'any', checks=[stderr_empty]))
    for command in (
        "--help",
        "--version",
        "estimate essay.toml",
        "prices list",
        "count chat.jsonl",
        "report essay.toml",
        "prices show gpt-4o",
        "sweep essay.toml --vary examples=1..10:3",
    ):
        add(Case(f'full device: {command} > /dev/full', f'$DC {command} > /dev/full', 'refuse', says='[Nn]o space left'))

    # 11. the Python API
    api = [
        ("load_prices('x.csv')", "dc.load_prices('x.csv')", "x.csv: no such file"),
        ("load_prices(5)", "dc.load_prices([5])", ""),
        (
            "compare with a str",
            "dc.compare(dc.load_scenario('essay.toml'), dc.load_prices(), 'gpt-4o')",
            "OK",
        ),
        (
            "history with a str",
            "dc.history(dc.load_scenario('essay.toml'), dc.load_prices(), 'gpt-4o')",
            "OK",
        ),
        (
            "estimate(str, table)",
            "dc.estimate('essay.toml', dc.load_prices())",
            "expected a Scenario",
        ),
        (
            "estimate(sc, dict)",
            "dc.estimate(dc.load_scenario('essay.toml'), {})",
            "expected a PriceTable",
        ),
        (
            "Scenario(examples=10**5000)",
            "dc.Scenario(teacher='gpt-4o', examples=10**5000)",
            "implausibly large",
        ),
        ("Scenario(examples=-1)", "dc.Scenario(teacher='gpt-4o', examples=-1)", "examples"),
        (
            "Scenario(examples=nan)",
            "dc.Scenario(teacher='gpt-4o', examples=float('nan'))",
            "finite",
        ),
        (
            "load_scenario overrides huge",
            "dc.load_scenario(None, {'teacher': 'gpt-4o', 'examples': 10**5000})",
            "implausibly large",
        ),
        ("load_scenario unknown field", "dc.load_scenario(None, {'teachr': 'gpt-4o'})", "teacher"),
        ("count_files(encoding=None)", "dc.count_files(['chat.jsonl'], encoding=None)", "encoding"),
        ("count_files(threads=-5)", "dc.count_files(['chat.jsonl'], threads=-5)", "threads"),
        ("count_files(5)", "dc.count_files(5)", "paths"),
        ("count_files(glob=5)", "dc.count_files(['data'], glob=5)", "glob"),
        ("count_files(sample=2.5)", "dc.count_files(['chat.jsonl'], sample=2.5)", ""),
        ("count_texts(str)", "dc.count_texts('hello')", "OK"),
        ("count_texts([None])", "dc.count_texts([None])", "expected str"),
        ("count_tokens(b'x')", "dc.count_tokens(b'x')", "not bytes"),
        ("count_tokens(enc=5)", "dc.count_tokens('x', 5)", ""),
        ("get_encoding('nope')", "dc.get_encoding('nope')", "unknown encoding"),
        (
            "sweep one axis str",
            "dc.sweep(dc.load_scenario('essay.toml'), dc.load_prices(), 'examples=1..10:3', workers=1)",
            "OK",
        ),
        (
            "sweep 3 axes",
            "dc.sweep(dc.load_scenario('essay.toml'), dc.load_prices(), ['examples=1..2:2']*3)",
            "one or two",
        ),
        ("parse_vary garbage", "dc.parse_vary('???')", ""),
        ("render_report(None)", "dc.render_report(None)", "expected ReportData"),
        (
            "build_report_data(sc, None)",
            "dc.build_report_data(dc.load_scenario('essay.toml'), None)",
            "expected a PriceTable",
        ),
        ("load_price_file('/dev/zero')", "dc.load_price_file('/dev/zero')", "not a regular file"),
        (
            "validate_price_files(['/dev/zero'])",
            "print(dc.validate_price_files(['/dev/zero']))",
            "OK",
        ),
        ("Range.parse garbage", "dc.Range.parse('1..x')", "not a number"),
    ]
    for name, expr, says in api:
        code = (
            "import distillcost as dc, sys\n"
            "try:\n"
            f"    {expr}\n"
            "    print('OK')\n"
            "except dc.DistillcostError as exc:\n"
            "    print('Error:', exc, file=sys.stderr); sys.exit(1)\n"
        )
        add(Case(f"api: {name}", f"$PY -c {shlex.quote(code)}", "any", says=says or "Error: "))

    # 12. errors that mislead
    for day in ("2023-02-29", "2023-06-31", "2023-00-01", "2024-02-30"):
        add(Case(f'date: estimate --as-of {day}', ['estimate', 'essay.toml', '--as-of', day], 'refuse', says='is not a date: '))
        add(Case(f'date: prices diff {day}', ['prices', 'diff', day, '2025-01-01'], 'refuse', says='is not a date: '))
    add(Case('date: scenario as_of string', 'printf \'teacher="gpt-4o"\\nas_of="2023-02-30"\\n\' > d.toml; $DC estimate d.toml', 'refuse', says='February 2023 has 28 days'))
    add(Case('template: report.md.j2 a directory', 'mkdir -p t/report.md.j2; $DC report essay.toml --template-dir t', 'refuse', says='is a directory'))
    add(Case('template: report.html.j2 a loop', 'mkdir -p t; ln -s report.html.j2 t/report.html.j2; $DC report essay.toml --template-dir t -o r.html', 'refuse', says='symbolic links'))
    add(Case('template: report.md.j2 Latin-1', "mkdir -p t; printf 'caf\\xe9\\n' > t/report.md.j2; $DC report essay.toml --template-dir t", 'refuse', says='t/report\\.md\\.j2:1: not UTF-8'))
    add(Case('template: report.md.j2 UTF-16', "mkdir -p t; printf 'x\\n' | iconv -t UTF-16 > t/report.md.j2; $DC report essay.toml --template-dir t", 'refuse', says='UTF-16'))
    add(Case('template: report.md.j2 -> /dev/zero', 'mkdir -p t; ln -s /dev/zero t/report.md.j2; $DC report essay.toml --template-dir t', 'refuse', says='character device'))
    add(Case('template: a huge template', "mkdir -p t; head -c 9000000 /dev/zero | tr '\\0' x > t/report.md.j2; $DC report essay.toml --template-dir t", 'refuse', says='limit'))
    add(Case('template: an include loop', 'mkdir -p t; printf \'{%% include "report.md.j2" %%}\' > t/report.md.j2; $DC report essay.toml --template-dir t', 'refuse'))
    add(Case('template: a syntax error', "mkdir -p t; printf '{{ x' > t/report.md.j2; $DC report essay.toml --template-dir t", 'refuse', says='syntax'))
    add(Case('dataset: UTF-16 jsonl', 'iconv -t UTF-16 chat.jsonl > u.jsonl; $DC count u.jsonl', 'refuse', says='UTF-16'))
    add(Case('dataset: UTF-16 csv via --chat-file', 'iconv -t UTF-16 chat.jsonl > u.jsonl; $DC estimate --teacher gpt-4o --examples 5 --chat-file u.jsonl', 'refuse', says='UTF-16'))
    add(Case('dataset: duplicate keys in a JSON array', 'printf \'[{"prompt":"a","prompt":"b","completion":"c"}]\' > d.json; $DC count d.json', 'refuse', says='duplicate key'))
    add(Case('dataset: duplicate nested keys', 'printf \'{"messages":[{"role":"user","content":"a","content":"b"}]}\\n\' > d.jsonl; $DC count d.jsonl', 'refuse', says='duplicate key'))
    add(Case('dataset: duplicate CSV header', "printf 'question,question,answer\\na,b,c\\n' > d.csv; $DC count d.csv", 'refuse', says='duplicate column'))
    add(Case('dataset: null in a JSON array', 'printf \'[{"prompt":null,"completion":"c"}]\' > d.json; $DC count d.json', 'refuse', says='null'))
    add(Case('dataset: a 40 MB record', 'python3 -c "import json; print(json.dumps({\'text\': \'a b \' * 10000000}))" > big.jsonl; $DC count big.jsonl --field text', 'refuse', says='larger than'))
    add(Case('dataset: one 8 MB word', "head -c 8000000 /dev/zero | tr '\\0' y > w.txt; $DC count w.txt", 'refuse', says='no point where'))
    add(Case('dataset: minified JSON line 8 MB', 'python3 -c "import json; print(json.dumps([{\'id\': i, \'v\': \'x%d\' % i} for i in range(400000)], separators=(\',\', \':\')))" > m.txt; $DC count m.txt', 'ok'))
    add(Case('dataset: numbers line 8 MB', 'python3 -c "print(\' \'.join(map(str, range(1200000))))" > n.txt; $DC count n.txt', 'ok'))
    add(Case('dataset: deep JSON', 'python3 -c "print(\'{\\"text\\":\' + \'[\'*100000 + \']\'*100000 + \'}\')" > deep.jsonl; $DC count deep.jsonl --field text', 'refuse'))
    add(Case('dataset: a directory of devices', 'mkdir dv; ln -s /dev/zero dv/z.jsonl; $DC count dv', 'refuse'))
    add(Case("dataset: count /dev/zero", ["count", "/dev/zero"], "refuse"))
    add(Case("dataset: count /dev/urandom", ["count", "/dev/urandom"], "refuse"))
    add(Case("flags: --threads 0", ["count", "chat.jsonl", "--threads", "0"], "refuse"))
    add(Case('flags: --examples 1e999', ['estimate', 'essay.toml', '--examples', '1e999'], 'refuse', says='examples'))
    add(Case("flags: --rpm -1", ["estimate", "essay.toml", "--rpm", "-1"], "refuse", says="rpm"))
    add(Case('flags: --vary 10**6 points', ['sweep', 'essay.toml', '--vary', 'examples=1..2:1001', '--vary', 'rpm=1..2:1001'], 'refuse', says='at most'))
    add(Case('flags: --max-record-mb 1e30', ['count', 'chat.jsonl', '--max-record-mb', '1e30'], 'any'))
    add(Case("flags: --sample 0%", ["count", "chat.jsonl", "--sample", "0%"], "refuse"))
    # the commands added since issue 11 was filed: the same promises
    limits = ["--rpm", "500", "--keys", "2"]
    for args, says in (
        (["scores", "validate", "/dev/zero"], "not a regular file"),
        (["scores", "list", "--scores", "/dev/urandom"], "not a regular file"),
        (["frontier", "essay.toml", "--as-of", "2023-02-29"], "February 2023 has 28 days"),
        (["limits", "essay.toml", *limits, "-o", "essay.toml", "-f", "json"], "is also an input"),
        (["limits", "s.toml", *limits, "-o", "p.toml", "-f", "json"], "is also an input"),
        (["frontier", "s.toml", "-o", "chat.jsonl", "-f", "csv"], "is also an input"),
        (["scores", "list", "--scores", "p.toml", "-o", "p.toml", "-f", "csv"], "is also an input"),
        (["limits", "/dev/zero", *limits], "not a regular file"),
    ):
        add(Case(f"new: {' '.join(args)}", args, "refuse", says=says))
    for command in (
        "scores list",
        "frontier essay.toml --capability 'mmlu>=70'",
        "limits essay.toml --rpm 500",
    ):
        add(Case(f"new: {command} | true", f"$DC {command} | true", "any", checks=[stderr_empty]))
        add(Case(f'new: {command} > /dev/full', f'$DC {command} > /dev/full', 'refuse', says='[Nn]o space left|Error: '))
        add(Case(f"new: {command} -f csv", f"$DC {command} -f csv", "any", checks=[csv_inert()]))
        add(Case(f'new: {command} in cp1252', command.split(), 'any', env={'PYTHONIOENCODING': 'cp1252'}))

    add(Case('plugins: unknown plugin named', ['prices', 'list'], 'refuse', env={'DISTILLCOST_PLUGINS': 'nope'}, says='not installed'))
    return out


# fmt: on


# ------------------------------------------------------------------------------ runner


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # as a terminal delivers it


def run_case(case: Case, nobody_python: str | None) -> tuple[Case, str, str]:
    """(case, verdict: pass|fail|skip, detail)."""
    as_root = os.geteuid() == 0
    if case.as_nobody and as_root and not nobody_python:
        return case, "skip", "needs a user other than root (set HOSTILE_NOBODY_PYTHON)"
    with tempfile.TemporaryDirectory(prefix="hostile-") as tmp:
        folder = Path(tmp)
        make_fixture(folder)
        python = sys.executable
        prefix: list[str] = []
        if case.as_nobody and as_root:
            python = nobody_python or python
            prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
            os.chmod(folder, 0o777)
            for path in folder.rglob("*"):
                os.chmod(path, 0o777 if path.is_dir() else 0o666)
        dc = f"{shlex.quote(python)} -m distillcost"
        env = {**os.environ, "DISTILLCOST_PLUGINS": "", "PYTHONIOENCODING": "utf-8"}
        env["DISTILLCOST_CONFIG_DIR"] = str(folder / "no-config")
        env["MPLCONFIGDIR"] = str(folder / ".mpl")
        env.update(case.env)
        if env.get("DISTILLCOST_CONFIG_DIR") == "":
            del env["DISTILLCOST_CONFIG_DIR"]
        if isinstance(case.args, str):
            script = case.args.replace("$DC", dc).replace("$PY", shlex.quote(python))
            command = [*prefix, "bash", "-c", script]
            env["DC"] = dc
        else:
            command = [*prefix, python, "-m", "distillcost", *case.args]
        before = snapshot(folder)
        stdin: int | None = subprocess.PIPE if case.stdin is not None or case.stop else None
        started = time.monotonic()
        process = subprocess.Popen(
            command,
            cwd=folder,
            env=env,
            stdin=stdin if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=_limits,
            start_new_session=True,
        )
        feed = case.stdin
        if case.stop and feed is None and isinstance(case.args, list) and "-" in case.args:
            # a stream that keeps the command busy until the signal
            feed = (EXAMPLES / "sample-chat.jsonl").read_bytes() * 2000
        try:
            if case.stop:
                signum, delay = case.stop
                if feed is not None and process.stdin is not None:
                    try:
                        process.stdin.write(feed)
                        process.stdin.flush()
                    except BrokenPipeError:
                        pass
                time.sleep(max(0.0, delay - (time.monotonic() - started)))
                os.killpg(process.pid, signum)
                out_b, err_b = process.communicate(timeout=TIMEOUT)
            else:
                out_b, err_b = process.communicate(feed, timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            return case, "fail", f"timed out after {TIMEOUT}s (a hang)"
        seconds = time.monotonic() - started
        out = out_b.decode("utf-8", "replace")
        err = err_b.decode("utf-8", "replace")
        run = Run(case, folder, process.returncode, out, err, seconds)
        problems = judge(run, before, snapshot(folder))
        for check in case.checks:
            message = check(run)
            if message:
                problems.append(message)
        if problems:
            return case, "fail", "; ".join(problems) + f" [rc={run.code}] {err.strip()[-200:]!r}"
        return case, "pass", ""


def judge(run: Run, before: dict[str, str], after: dict[str, str]) -> list[str]:
    case = run.case
    problems = []
    both = run.out + run.err
    if "Traceback" in both:
        problems.append("traceback")
    if "internal error" in both:
        problems.append("internal error")
    if "Exception ignored" in both:
        problems.append("'Exception ignored' at exit")
    if run.code < 0:
        problems.append(f"killed by signal {-run.code}")
    if case.stop:
        signum = case.stop[0]
        if run.code not in (0, 128 + signum):
            problems.append(f"stopped by signal {signum}: exit {run.code}, want {128 + signum}")
    elif case.expect == "ok" and run.code != 0:
        problems.append(f"exit {run.code}, want 0")
    elif case.expect == "refuse":
        if run.code == 0:
            problems.append("accepted, want a refusal")
        else:
            lines = [line for line in run.err.strip().splitlines() if line.strip()]
            errors = [line for line in lines if line.startswith("Error:")]
            others = [
                line
                for line in lines
                if not line.startswith(("Error:", "Usage:", "Try ", "Warning:"))
            ]
            if len(errors) != 1 or others:
                problems.append(f"not one 'Error:' line: {lines[-3:]}")
    if case.says and not re.search(case.says, both):
        problems.append(f"output lacks /{case.says}/")
    changed = [
        name
        for name, digest in before.items()
        if after.get(name) != digest and not name.startswith(case.outputs)
    ]
    if changed:
        problems.append(f"input changed or removed: {changed}")
    temps = [p.name for p in run.folder.rglob(".*") if TEMP.match(p.name)]
    if temps:
        problems.append(f"temp files left: {temps}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--only", default="", help="run the cases whose name holds this")
    parser.add_argument("--verbose", action="store_true")
    options = parser.parse_args()
    nobody = os.environ.get("HOSTILE_NOBODY_PYTHON")
    chosen = [c for c in cases() if options.only in c.name]
    started = time.monotonic()
    tally = {"pass": 0, "fail": 0, "skip": 0}
    failures: list[str] = []
    with concurrent.futures.ThreadPoolExecutor(options.jobs) as pool:
        for case, verdict, detail in pool.map(lambda c: run_case(c, nobody), chosen):
            tally[verdict] += 1
            if verdict == "fail":
                failures.append(f"FAIL {case.name}: {detail}")
            elif options.verbose:
                print(f"{verdict} {case.name} {detail}")
    for line in failures:
        print(line)
    print(
        f"{len(chosen)} hostile cases in {time.monotonic() - started:.0f}s: "
        f"{tally['pass']} handled well, {tally['fail']} failed, {tally['skip']} skipped"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
