"""The CLI as a process: stop signals, closed pipes, full devices, narrow encodings.

Each test runs ``python -m distillcost`` in a child process, because what is tested is
what happens around the command (signal dispositions, the exit status a shell sees,
what is left on disk), which an in-process CliRunner does not have.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="POSIX signals and /proc")

ESSAY = str(REPO / "examples" / "essay.toml")


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"DISTILLCOST_PLUGINS": "", "PYTHONIOENCODING": "utf-8", **extra})
    return env


def _start(args: list[str], cwd: Path, **popen: object) -> subprocess.Popen[bytes]:
    # SIGINT as a terminal would deliver it (a background test runner may ignore it)
    return subprocess.Popen(
        [sys.executable, "-m", "distillcost", *args],
        cwd=cwd,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        **popen,  # type: ignore[arg-type]
    )


def _feed_until_reading(process: subprocess.Popen[bytes]) -> threading.Thread:
    """Write 2 MB of JSONL to the child's stdin, keeping the pipe open.

    Once the write returns, the child has read all but a pipe buffer of it: it is past
    start-up (its signal handlers are installed) and busy with the input.
    """
    record = b'{"prompt": "a question", "completion": "an answer"}\n'
    done = threading.Event()

    def write() -> None:
        assert process.stdin is not None
        process.stdin.write(record * (2_000_000 // len(record)))
        process.stdin.flush()
        done.set()

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    assert done.wait(60), "the child never read its input"
    return thread


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stop_signal_exits_128_plus_the_signal_and_writes_nothing(tmp_path, signum, code):
    process = _start(["count", "-", "-o", "out.json"], tmp_path, stdin=subprocess.PIPE)
    _feed_until_reading(process)
    process.send_signal(signum)
    _, err = process.communicate(timeout=30)
    assert process.returncode == code, err
    assert b"Traceback" not in err
    assert err.decode().strip().endswith("nothing more was written.")
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no output, no temp file


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status  # a zombie has exited; it only awaits its reaping


def _start_sweep(tmp_path: Path) -> tuple[subprocess.Popen[bytes], list[int]]:
    args = ["sweep", ESSAY, "--vary", "completion_tokens=100..1000:300"]
    args += ["--vary", "acceptance_rate=0.1..1:300", "-o", "grid.csv"]
    process = subprocess.Popen(
        [sys.executable, "-m", "distillcost", *args],
        cwd=tmp_path,
        env=_env(DISTILLCOST_SWEEP_WORKERS="2"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, as a shell job has
    )
    deadline = time.monotonic() + 60
    while len(workers := _children(process.pid)) < 2:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the sweep never started its workers"
        time.sleep(0.05)
    return process, workers


def _gone(pids: list[int], within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while any(_alive(p) for p in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_stopped_sweep_stops_its_workers_quietly(tmp_path, signum, code):
    process, workers = _start_sweep(tmp_path)
    os.killpg(process.pid, signum)  # what Ctrl-C or `kill -TERM -PGID` does: every process
    _, err = process.communicate(timeout=30)
    assert process.returncode == code, err
    assert b"Traceback" not in err and b"Error" not in err, err
    assert _gone(workers)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_killed_sweep_takes_its_workers_with_it(tmp_path):
    process, workers = _start_sweep(tmp_path)
    process.kill()  # SIGKILL to the parent only: nothing runs in it
    _, err = process.communicate(timeout=30)
    assert _gone(workers), "workers outlived their parent"
    assert b"Traceback" not in err, err  # workers did not fail on a broken pipe


def test_a_closed_pipe_ends_the_command_quietly(tmp_path):
    # `distillcost prices list --all-history | head -1`: the reader has gone
    process = _start(["prices", "list", "--all-history"], tmp_path)
    assert process.stdout is not None
    process.stdout.close()
    process.wait(timeout=60)
    assert process.stderr is not None
    with process.stderr:
        err = process.stderr.read()
    assert err == b""
    assert process.returncode == 141  # 128 + SIGPIPE, as a shell reports `yes | head`


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("args", [["--help"], ["prices", "list"]])
def test_a_full_device_on_stdout_is_one_line_error(tmp_path, args):
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            [sys.executable, "-m", "distillcost", *args],
            cwd=tmp_path,
            env=_env(),
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    err = done.stderr.decode()
    assert done.returncode == 1
    assert err.count("\n") == 1 and err.startswith("Error: "), err
    assert "no space left on device" in err.lower()


def test_a_cp1252_stdout_degrades_characters_instead_of_failing(tmp_path):
    # Windows redirection writes cp1252, which has no arrow: the breakdown's "→"
    done = subprocess.run(
        [sys.executable, "-m", "distillcost", "estimate", ESSAY],
        cwd=tmp_path,
        env=_env(PYTHONIOENCODING="cp1252"),
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode("cp1252")
    reference = subprocess.run(
        [sys.executable, "-m", "distillcost", "estimate", ESSAY],
        cwd=tmp_path,
        env=_env(),
        capture_output=True,
        timeout=60,
    ).stdout.decode("utf-8")
    assert "→" in reference
    assert text == reference.replace("→", "->")
