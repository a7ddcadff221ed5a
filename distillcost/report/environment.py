"""The report's Jinja environment: where templates are found, escaping, failures.

Templates are found the way datasette finds them, most specific first:

1. each ``--template-dir`` given on the command line (in order);
2. the user config dir, ``$DISTILLCOST_CONFIG_DIR/templates`` (default
   ``$XDG_CONFIG_HOME/distillcost/templates``, i.e. ``~/.config/distillcost/templates``);
3. template dirs registered by plugins, if any;
4. the built-in templates shipped inside the package (``distillcost.templates``).

Any built-in is also reachable as ``default:<name>``, so a user template can
extend a built-in and replace a single block. Every template is HTML-autoescaped
except plain-text ones (``*.md.j2``, ``*.txt``, ``*.css``). Undefined variables
raise :class:`~distillcost.errors.RenderError` naming the template, the line and
the variable, never a silently blank cell.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from distillcost.errors import RenderError

if TYPE_CHECKING:
    import jinja2


def _plugin_template_dirs() -> list[Path]:
    """Template dirs registered by plugins (``distillcost.templates`` entry points)."""
    from distillcost import plugins

    return [Path(p) for p in plugins.template_dirs()]


def template_search_path(template_dirs: Iterable[str | os.PathLike[str]] = ()) -> list[Path]:
    """The directories searched before the built-ins, most specific first.

    A template dir given that is not a directory (``/dev/zero``, a file) is an error, not
    silently searched in vain; an unreadable config dir is skipped with a warning.
    """
    from distillcost.config import config_subdir

    dirs = [Path(d) for d in template_dirs]
    for given in dirs:
        if not given.is_dir():
            what = "does not exist" if not given.exists() else "is not a directory"
            raise RenderError(f"template dir {str(given)!r} {what}; give a directory of templates")
    user = config_subdir("templates")
    if user is not None:
        dirs.append(user)
    dirs.extend(_plugin_template_dirs())
    return dirs


PLAIN_TEXT_SUFFIXES = (".md", ".md.j2", ".markdown", ".txt", ".txt.j2", ".css", ".css.j2")


def autoescape_for(name: str | None) -> bool:
    """HTML-escape every template except known plain-text ones (Markdown, text, CSS).

    Safer than listing HTML suffixes: a user's ``table.j2`` partial included in an
    HTML page is escaped too, instead of silently passing ``<script>`` through.
    """
    return name is None or not name.lower().endswith(PLAIN_TEXT_SUFFIXES)


def make_environment(template_dirs: Iterable[str | os.PathLike[str]] = ()) -> jinja2.Environment:
    """The report environment: user dirs, then plugins, then built-ins (+ ``default:``)."""
    import jinja2

    builtin = jinja2.PackageLoader("distillcost.templates", ".")
    search = [_checked_loader(d) for d in template_search_path(template_dirs)]
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.PrefixLoader({"default": builtin}, delimiter=":"), *search, builtin]
        ),
        autoescape=autoescape_for,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    from distillcost.escape import is_web_url
    from distillcost.report import filters

    env.filters.update(filters.FILTERS)
    env.tests["web_url"] = is_web_url
    env.globals.update(filters.GLOBALS)
    return env


def _checked_loader(directory: Path) -> jinja2.BaseLoader:
    """A loader for a user's (or plugin's) template dir that never passes over a template.

    jinja2's FileSystemLoader skipped a ``report.md.j2`` that is a directory, a link loop
    or a device, falling back to the built-in in silence, and showed a raw
    UnicodeDecodeError for a file that is not UTF-8. Here anything of that name is read
    as a configuration file (bounded, regular, UTF-8) or is an error naming it.
    """
    import posixpath

    import jinja2
    from jinja2.loaders import split_template_path

    from distillcost.config import config_text, read_config_file

    class CheckedLoader(jinja2.FileSystemLoader):
        def get_source(
            self, environment: jinja2.Environment, template: str
        ) -> tuple[str, str, Callable[[], bool]]:
            filename = posixpath.join(str(directory), *split_template_path(template))
            if not os.path.lexists(filename):
                raise jinja2.TemplateNotFound(template)
            # a ConfigFileError names the file and what is wrong with it
            text = config_text(read_config_file(filename, "template"), filename)
            mtime = os.path.getmtime(filename)

            def uptodate() -> bool:
                try:
                    return os.path.getmtime(filename) == mtime
                except OSError:
                    return False

            return text, os.path.normpath(filename), uptodate

    return CheckedLoader(str(directory))


def render_template(env: jinja2.Environment, name: str, context: Mapping[str, Any]) -> str:
    """Render one template, turning every Jinja failure into a one-line RenderError."""
    import jinja2

    try:
        template = env.get_template(name)
        return template.render(context)
    except jinja2.TemplateNotFound as exc:
        searched = ", ".join(_searched(env))
        raise RenderError(
            f"template {exc.name or name!r} not found (searched {searched} and the built-ins)"
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        where = _display_name(exc.filename) if exc.filename else exc.name or name
        raise RenderError(f"{where}:{exc.lineno}: template syntax error: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        where = _template_frame(exc) or name
        raise RenderError(f"{where}: undefined variable: {exc.message}") from None
    except RenderError as exc:
        where = _template_frame(exc) or name
        raise RenderError(f"{where}: {exc}") from None
    except (
        jinja2.TemplateError,
        TypeError,
        ValueError,
        ArithmeticError,
        AttributeError,
        LookupError,  # {{ {}.pop("x") }}, {{ "%(a)s" % {} }}, {{ [].pop() }}
        RecursionError,  # a macro that calls itself
    ) as exc:
        where = _template_frame(exc) or name
        raise RenderError(f"{where}: {type(exc).__name__}: {exc}") from None


def _searched(env: jinja2.Environment) -> list[str]:
    import jinja2

    loader = env.loader
    found: list[str] = []
    if isinstance(loader, jinja2.ChoiceLoader):
        for sub in loader.loaders:
            if isinstance(sub, jinja2.FileSystemLoader):
                found.extend(str(p) for p in sub.searchpath)
    return found or ["no user template dirs"]


def _display_name(filename: str) -> str:
    """Built-in templates by name (``macros.md.j2``), user templates by path."""
    from importlib.resources import files

    try:
        builtin = Path(str(files("distillcost.templates"))).resolve()
        return Path(filename).resolve().relative_to(builtin).as_posix()
    except (ValueError, OSError, TypeError):
        return filename


def _template_frame(exc: BaseException) -> str | None:
    """``file:line`` of the innermost template frame in a Jinja traceback."""
    tb = exc.__traceback__
    where = None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and not filename.startswith("<frozen"):
            where = f"{_display_name(filename)}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where
