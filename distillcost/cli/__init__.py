"""The ``distillcost`` command group.

Subcommands are imported only when run, so ``distillcost --help`` stays fast:
the heavy libraries (tiktoken vocabularies, pandas, jinja2, matplotlib) load
only for the command that needs them. This is also the single place where
library errors become ``Error: …`` and a non-zero exit, and where the process
meets its surroundings: stop signals, closed pipes, terminals that cannot show
every character (:func:`main`).
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import signal
import sys
from typing import Any

import click

from distillcost import __version__
from distillcost.errors import DistillcostError, Stopped

EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a writer killed by SIGPIPE (`yes | head`)

# name -> (module, attribute, one-line help shown in the command list)
SUBCOMMANDS: dict[str, tuple[str, str, str]] = {
    "count": (
        "distillcost.cli.count_cmd",
        "count",
        "Count tokens in text, JSONL, CSV or Parquet files.",
    ),
    "prices": (
        "distillcost.cli.prices_cmd",
        "prices",
        "List, show, diff and validate price tables.",
    ),
    "estimate": (
        "distillcost.cli.estimate_cmd",
        "estimate",
        "Cost and time of one distillation campaign.",
    ),
    "compare": (
        "distillcost.cli.analysis_cmd",
        "compare",
        "The same campaign priced for many teachers.",
    ),
    "history": (
        "distillcost.cli.analysis_cmd",
        "history",
        "The same campaign on every date prices changed.",
    ),
    "sweep": (
        "distillcost.cli.analysis_cmd",
        "sweep",
        "A grid over one or two assumptions.",
    ),
    "gpus": (
        "distillcost.cli.gpus_cmd",
        "gpus",
        "GPU rates, serving benchmarks and the training model's calibration.",
    ),
    "frontier": (
        "distillcost.cli.frontier_cmd",
        "frontier",
        "Cost of extracting a model of a given capability, over time.",
    ),
    "limits": (
        "distillcost.cli.limits_cmd",
        "limits",
        "The provider's view: keys and days an extractor needs under rate limits.",
    ),
    "scores": (
        "distillcost.cli.scores_cmd",
        "scores",
        "Capability scores of teachers (MMLU, GPQA, Arena), dated and sourced.",
    ),
    "report": (
        "distillcost.cli.report_cmd",
        "report",
        "Memo-ready HTML or Markdown report of a campaign.",
    ),
}

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module only when that command runs."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = SUBCOMMANDS.get(cmd_name)
        if spec is None:
            return None
        module_name, attr, _ = spec
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # a command whose module has not landed yet
            if exc.name != module_name:
                raise
            return None
        command = getattr(module, attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, short) for name, (_, _, short) in SUBCOMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = click.utils.make_str(args[0]) if args else None
        if name is not None and name not in SUBCOMMANDS and not name.startswith("-"):
            from distillcost.errors import did_you_mean

            close = did_you_mean(name, SUBCOMMANDS)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise click.UsageError(f"No such command {name!r}.{hint}", ctx)
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except DistillcostError as exc:
            if debug:
                raise
            raise click.ClickException(one_line(str(exc))) from exc
        except (click.ClickException, click.Abort, click.exceptions.Exit):
            raise
        except KeyboardInterrupt as exc:  # Ctrl-C, or a stop signal (see main)
            signum = exc.signum if isinstance(exc, Stopped) else signal.SIGINT
            name = "Interrupted" if signum == signal.SIGINT else f"Stopped by signal {signum}"
            click.echo(f"{name}; nothing more was written.", err=True)
            raise click.exceptions.Exit(128 + signum) from None
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # the reader went away (`| head`): not an error
                _silence_stdout()
                raise click.exceptions.Exit(EXIT_BROKEN_PIPE) from None
            if debug:
                raise
            raise click.ClickException(one_line(os_error_message(exc))) from exc
        except Exception as exc:  # a bug: still one line, with the way to see more
            if debug:
                raise
            raise click.ClickException(
                f"internal error: {type(exc).__name__}: {one_line(str(exc))} "
                "(run with --debug for the traceback, and please report it)"
            ) from exc


def one_line(message: str) -> str:
    """Errors are one line, and terminal-safe: a file or model name in the message may
    hold an escape sequence, which is shown as ``\\x1b``, never sent raw."""
    from distillcost.escape import visible

    return visible(" ".join(message.split()))


def os_error_message(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    return f"{exc.filename}: {reason.lower()}" if exc.filename else reason


@click.group(cls=LazyGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="distillcost")
@click.option("--debug", is_flag=True, help="Show full tracebacks instead of one-line errors.")
def cli(debug: bool) -> None:
    """What does it cost, in money and time, to distil a model from an LLM API?

    \b
    Count the tokens of a dataset, look up dated and sourced API prices, and
    estimate a whole extraction campaign: teacher calls, losses, discounts,
    rate limits and student training.

    \b
    Examples:
      distillcost count data.jsonl --model gpt-4o
      distillcost prices list --as-of 2023-03-15
      distillcost estimate examples/essay.toml
      distillcost report examples/essay.toml -o essay.html
    """


def main() -> None:
    """Console-script entry point.

    Around the command: output that the terminal's encoding cannot show is degraded
    (``→`` as ``->``), never an error; SIGTERM and SIGHUP stop the run as Ctrl-C does,
    so temp files are removed (exit 128 + the signal: 130, 143); a closed pipe ends it
    quietly (141); and after a stop the process exits at once instead of waiting for a
    tokenizer thread to finish the document it holds.
    """
    _degrade_unencodable_output()
    _stop_on_signals()
    _show_warnings_as_lines()
    try:
        cli.main(prog_name="distillcost")
        code: Any = 0
    except SystemExit as done:
        code = done.code
    except OSError as exc:  # writing --help or --version failed (click lets that through)
        if exc.filename is not None or "--debug" in sys.argv[1:]:
            raise  # not standard output: a --debug run's own error, with its traceback
        code = _output_failed(exc)
    code = _flush_stdout(code)
    if code in (128 + signal.SIGINT, 128 + signal.SIGTERM, 128 + signal.SIGHUP):
        sys.stderr.flush()
        os._exit(code)  # worker threads still counting must not hold the exit
    sys.exit(code)


def _degrade_unencodable_output() -> None:
    """Text the stream's encoding lacks is written in plainer characters, never an error:
    Windows redirection gives cp1252, where ``→`` raised UnicodeEncodeError."""
    import codecs
    import io

    from distillcost.escape import DEGRADE_ERRORS, degrade_unencodable

    codecs.register_error(DEGRADE_ERRORS, degrade_unencodable)
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors=DEGRADE_ERRORS)


def _show_warnings_as_lines() -> None:
    """The library's warnings (a skipped config dir, a skipped price row) as one
    ``Warning: …`` line each, not Python's ``file:line: Category: …`` form."""
    import warnings

    from distillcost.errors import ConfigWarning, PriceWarning

    python_show = warnings.showwarning
    said: set[str] = set()  # the config dir is consulted for prices and for templates

    def show(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        if not issubclass(category, (ConfigWarning, PriceWarning)):
            python_show(message, category, *args, **kwargs)
        elif str(message) not in said:
            said.add(str(message))
            click.echo(f"Warning: {one_line(str(message))}", err=True)

    warnings.showwarning = show


def _stop_on_signals() -> None:
    """SIGTERM and SIGHUP raise :class:`Stopped` (a KeyboardInterrupt) in the main thread."""

    def stop(signum: int, frame: object) -> None:
        raise Stopped(signum)

    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if signum is not None and signal.getsignal(signum) is signal.SIG_DFL:
            signal.signal(signum, stop)


def _silence_stdout() -> None:
    """Point standard output at the null device: later flushes (at exit too) then succeed
    instead of printing "Exception ignored … BrokenPipeError"."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real stdout (embedded, tests)
        pass


def _output_failed(exc: OSError) -> int:
    _silence_stdout()
    if exc.errno == errno.EPIPE:
        return EXIT_BROKEN_PIPE
    reason = (exc.strerror or str(exc)).lower()
    with contextlib.suppress(OSError):
        click.echo(f"Error: cannot write to standard output: {reason}", err=True)
    return 1


def _flush_stdout(code: Any) -> Any:
    """Flush what is still buffered; a failure then is the command's failure."""
    try:
        sys.stdout.flush()
    except OSError as exc:
        failed = _output_failed(exc)
        return failed if code in (0, None) else code
    except (ValueError, AttributeError):  # stdout closed or missing
        pass
    return code


if __name__ == "__main__":  # pragma: no cover
    main()
