"""What every command shares: the ledger option, error translation, output helpers."""

from __future__ import annotations

import codecs
import functools
import io
import os
import re
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError
from typer._click.globals import get_current_context
from typer.core import TyperGroup

from iddexi.i18n import _
from iddexi.ledger.errors import IddexiError, ProblemsError
from iddexi.ledger.values import escape_char, json_escaped, shown

if TYPE_CHECKING:
    from iddexi.ledger.core import Ledger

CONTEXT = {"help_option_names": ["-h", "--help"]}

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print only a JSON document on standard output.")
]


#: Exit code of a command whose write was committed but whose confirmation could not be
#: printed (a full disk, a closed pipe): the write counts, so it is a success; standard
#: error says what was recorded. Do not enter it again.
RECORDED_UNCONFIRMED = 0


def fail(message: str) -> typer.Exit:
    _say_err(f"Error: {message}")
    return typer.Exit(1)


def _say_err(line: str) -> None:
    """One line on standard error; text from the ledger or a file shows its controls
    escaped (an ESC in a stall name must not erase the screen), and a value of thousands
    of characters is cut to its start and length."""
    try:
        typer.echo(_LONG_WORD.sub(_cut, shown(line)), err=True)
    except (OSError, ValueError):  # standard error itself is gone: nothing more to say
        pass


_LONG_WORD = re.compile(r"[^\s'\"]{200,}")


def _cut(match: re.Match[str]) -> str:
    word = match.group()
    return _("{start}… ({length:,} characters)").format(start=word[:40], length=len(word))


def _human_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn domain errors into one ``Error: …`` line on stderr and exit code 1.

    Once the command has committed a write, nothing that goes wrong afterwards (printing
    to a full disk or a closed pipe, a console that cannot show a character) is reported
    as an error: standard error says what was recorded, and the exit code is
    RECORDED_UNCONFIRMED.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        tolerant_output()
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, ClickException):
            raise  # the command's own exit, or Click's usage error: already said
        except Exception as exc:
            recorded = _recorded()
            if not recorded:
                _refuse(exc)
                raise
            _release_stdout()
            what = ", ".join(recorded)
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            message = _(
                "Recorded {what}; it counts, do not enter it again. "
                "The confirmation could not be printed: {reason}"
            )
            _say_err(message.format(what=what, reason=reason))
            raise typer.Exit(RECORDED_UNCONFIRMED) from None

    return wrapper


def _refuse(exc: Exception) -> None:
    """Raise the ``Error: …`` exit for an error meant for people; return for the others."""
    if isinstance(exc, ProblemsError):
        for line in exc.lines():
            _say_err(line)
        raise fail(exc.summary) from None
    if isinstance(exc, IddexiError):
        raise fail(str(exc)) from None
    if isinstance(exc, sqlite3.Error):
        raise fail(f"the ledger failed: {exc}") from None
    if isinstance(exc, BrokenPipeError):
        # `iddexi history | head -3`: the reader has what it wanted and left; no one is
        # there to read an error, and nothing was written
        _release_stdout()
        raise typer.Exit(0) from None
    if isinstance(exc, OSError):  # a file the command reads or writes, named by the OS
        _release_stdout()
        where = f": {exc.filename}" if exc.filename else ""
        raise fail(f"{exc.strerror or exc}{where}") from None


def _recorded() -> list[str]:
    """What the ledger of this command has committed so far (``["batch 54"]``).

    Typer bundles its own Click (``typer._click``, a private module): its current context
    leads to the ledger this command opened. If Typer moves it, importing this module
    fails and every CLI test with it; tests/test_hygiene.py checks the message it makes.
    """
    context = get_current_context(silent=True)
    if context is None:
        return []
    root = context.find_root().obj
    book = root._ledger if isinstance(root, State) else None
    return list(getattr(book, "recorded", []))


def _release_stdout() -> None:
    """After standard output failed (a full disk, a closed pipe), point it at the null
    device, so the interpreter's last flush at exit does not fail a second time (it would
    print a traceback and exit 120)."""
    stream = sys.stdout
    try:
        stream.flush()
        return
    except (OSError, ValueError):
        pass
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass  # not a file of this process (a test's capture): nothing will flush it


_FALLBACK = "iddexi-fallback"


def _fallback(exc: UnicodeError) -> tuple[str, int]:
    """What a console that cannot encode a character shows instead: ``CNY `` for ¥ (GBK
    has no U+00A5), the escape ``\\u2026`` for anything else."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join("CNY " if ch in "¥￥" else escape_char(ch) for ch in bad), exc.end


def tolerant_output() -> None:
    """Make standard output and error write what their encoding cannot hold with a
    fallback instead of raising UnicodeEncodeError (a GBK or ASCII console or redirect)."""
    try:
        codecs.lookup_error(_FALLBACK)
    except LookupError:
        codecs.register_error(_FALLBACK, _fallback)
    for stream in (sys.stdout, sys.stderr):
        # stderr's default, backslashreplace, would show ¥ as \xa5
        errors = getattr(stream, "errors", None)
        if errors in ("strict", "backslashreplace") and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors=_FALLBACK)
            except (OSError, ValueError, io.UnsupportedOperation):
                pass


class RefusingGroup(TyperGroup):
    """The root command: a missing option or a bad argument is a refusal like any other.

    Click would print its usage block and exit 2; people get one ``Error: …`` line and
    exit 1, as for every other refusal. (Typer bundles its own Click, whose exceptions
    these are.)
    """

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        tolerant_output()
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)
        except NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except ClickException as exc:
            context = getattr(exc, "ctx", None)
            message = exc.format_message().rstrip(".")
            if context is not None and context.parent is not None and _root_option_in(message):
                hint = " (--ledger and --by go before the command: `iddexi --ledger PATH …`)"
            elif context is not None:
                hint = f" (see `{context.command_path} --help`)"
            else:
                hint = ""
            _say_err(f"Error: {message}{hint}")
            sys.exit(1)
        except typer.Abort:
            _say_err("Error: aborted")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def _root_option_in(message: str) -> bool:
    """Whether a usage error is about a root option given after the command."""
    return re.search(r"(?<![\w-])--(ledger|by)\b", message) is not None


class App(typer.Typer):
    """A Typer app whose commands report domain errors to people, not as tracebacks."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", RefusingGroup)
        kwargs.setdefault("no_args_is_help", True)
        kwargs.setdefault("context_settings", CONTEXT)
        kwargs.setdefault("rich_markup_mode", None)
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
        register = super().command(*args, **kwargs)

        def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
            register(_human_errors(func))
            return func

        return decorator


@dataclass
class State:
    """Root options, resolved once; the ledger is opened on first use."""

    ledger_option: Path | None = None
    by: str | None = None
    _ledger: Ledger | None = field(default=None, repr=False)

    def ledger(self) -> Ledger:
        if self._ledger is None:
            from iddexi.ledger.core import Ledger

            self._ledger = Ledger.open(self.ledger_option, user=self.by)
        return self._ledger

    def close(self) -> None:
        if self._ledger is not None:
            self._ledger.close()
            self._ledger = None


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State()
    return root.obj


def ledger(ctx: typer.Context) -> Ledger:
    return state(ctx).ledger()


def print_json(document: object) -> None:
    from iddexi.render.jsondoc import dumps

    # JSON escapes C0 controls itself; C1 controls and direction marks are written as
    # \u escapes too, which read back as the same text, so a terminal shows them inert.
    sys.stdout.write(json_escaped(dumps(document)) + "\n")
    sys.stdout.flush()  # a full disk is found here, where the command can say so


def say(text: str) -> None:
    """Print text for people on standard output, stored text with its controls escaped
    (line breaks are kept: a brief has paragraphs)."""
    typer.echo("\n".join(shown(line) for line in text.split("\n")))


def warn(message: str) -> None:
    _say_err(f"Warning: {message}")
