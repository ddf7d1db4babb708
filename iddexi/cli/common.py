"""What every command shares: the ledger option, error translation, output helpers."""

from __future__ import annotations

import codecs
import functools
import inspect
import io
import os
import re
import sqlite3
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer._click import Context, HelpFormatter
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer._click.globals import get_current_context
from typer.core import TyperCommand, TyperGroup

from iddexi.cli.click_words import HELP_OPTION, USAGE, install, translate_click_message
from iddexi.i18n import N_, _, pgettext
from iddexi.ledger.errors import IddexiError, ProblemsError
from iddexi.ledger.values import escape_char, json_escaped, shown

if TYPE_CHECKING:
    from iddexi.ledger.core import Ledger

CONTEXT = {"help_option_names": ["-h", "--help"]}

JsonOption = Annotated[
    bool, typer.Option("--json", help=_("Print only a JSON document on standard output."))
]

install()


#: Exit code of a command whose write was committed but whose confirmation could not be
#: printed (a full disk, a closed pipe): the write counts, so it is a success; standard
#: error says what was recorded. Do not enter it again.
RECORDED_UNCONFIRMED = 0


def fail(message: str) -> typer.Exit:
    _say_err(_("Error: {message}").format(message=message))
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
        raise fail(_("the ledger failed: {reason}").format(reason=exc)) from None
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


class _Formatter(HelpFormatter):
    def write_heading(self, heading: str) -> None:
        # "Options:" / "选项：": the colon belongs to the language
        line = _("{heading}:").format(heading=heading)
        self.write(f"{'':>{self.current_indent}}{line}\n")


class _Context(Context):
    formatter_class = _Formatter


class _TranslatedHelp:
    """Click's usage prefix, headings and help option in the reader's language."""

    context_class = _Context

    def format_usage(self, ctx: Context, formatter: HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_(USAGE))

    def get_help_option(self, ctx: Context) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = _(HELP_OPTION)
        return option

    # a command's help is its docstring (English, the msgid): translated when shown
    def _translate_help(self) -> None:
        msgid = self.__dict__.setdefault("_help_msgid", self.help)  # type: ignore[has-type]
        if msgid:
            self.help = _(inspect.cleandoc(msgid))

    def format_help_text(self, ctx: Context, formatter: HelpFormatter) -> None:
        self._translate_help()
        super().format_help_text(ctx, formatter)  # type: ignore[misc]

    def get_short_help_str(self, limit: int = 45) -> str:
        self._translate_help()
        return super().get_short_help_str(limit)  # type: ignore[misc]


class Command(_TranslatedHelp, TyperCommand):
    """A command whose help and Click words are in the reader's language."""


class RefusingGroup(_TranslatedHelp, TyperGroup):
    """The root command: a missing option or a bad argument is a refusal like any other.

    Click would print its usage block and exit 2; people get one ``Error: …`` line and
    exit 1, as for every other refusal. (Typer bundles its own Click, whose exceptions
    these are.)
    """

    def resolve_command(self, ctx: Context, args: list[str]) -> Any:
        try:
            return super().resolve_command(ctx, args)
        except UsageError as exc:
            name = args[0] if args else ""
            if name and not name.startswith("-") and self.get_command(ctx, name) is None:
                from iddexi.ledger.suggest import did_you_mean

                message = _("No such command {name!r}.").format(name=name).rstrip(".。")
                exc.message = message + did_you_mean(name, self.list_commands(ctx))
            raise

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
            english = exc.format_message()
            message = translate_click_message(english).rstrip(".。")
            if context is not None and context.parent is not None and _root_option_in(english):
                hint = _(" (--ledger and --by go before the command: `iddexi --ledger PATH …`)")
            elif context is not None:
                hint = _(" (see `{command} --help`)").format(command=context.command_path)
            else:
                hint = ""
            _say_err(_("Error: {message}").format(message=message + hint))
            sys.exit(1)
        except typer.Abort:
            _say_err(_("Error: {message}").format(message=_("aborted")))
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def _root_option_in(message: str) -> bool:
    """Whether a usage error is about a root option given after the command."""
    return re.search(r"(?<![\w-])--(ledger|by|lang)\b", message) is not None


class App(typer.Typer):
    """A Typer app whose commands report domain errors to people, not as tracebacks."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", RefusingGroup)
        kwargs.setdefault("no_args_is_help", True)
        # completion is installed from the root only (`iddexi --install-completion`)
        kwargs.setdefault("add_completion", False)
        kwargs.setdefault("context_settings", CONTEXT)
        kwargs.setdefault("rich_markup_mode", None)
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[Callable[..., Any]], Any]:
        kwargs.setdefault("cls", Command)
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


def file_language(lang: str | None) -> str:
    """The language of the files a command writes: its ``--lang``, else the root ``--lang``,
    else Chinese.

    ``iddexi --lang en report …`` writes English files without repeating the choice. The
    environment (IDDEXI_LANG, the locale) chooses only the messages: reports, briefs and
    templates go to the bureau and the stalls, who read Chinese, whatever the laptop says.
    """
    from iddexi import i18n
    from iddexi.render.labels import check_language

    if lang is None:
        return "en" if i18n.chosen_language() == i18n.ENGLISH else "zh"
    return check_language(lang)


def refuse_to_overwrite(paths: Iterable[Path], force: bool) -> None:
    """The one rule for files iddexi writes: an existing file is replaced only with --force."""
    if force:
        return
    existing = [path for path in paths if path.exists() and not path.is_dir()]
    if existing:
        from iddexi.ledger.errors import ConflictError

        raise ConflictError(
            _(
                "{path} already exists; write to another folder or name, or give --force to replace it"
            ).format(path=", ".join(str(p) for p in existing))
        )


def warn(message: str) -> None:
    _say_err(_("Warning: {message}").format(message=message))


def _words() -> dict[str, str]:
    """The ledger's fixed words (enum codes) as a person reads them, now."""
    return {
        code: pgettext("word", code)
        for code in (
            "winter", "spring", "summer", "autumn",
            "sumu", "town", "township",
            "full", "sample", "estimate",
            "mon", "tue", "wed", "thu", "fri", "sat", "sun",
            "live", "void",
            "setup", "entry", "correction", "import", "demo",
        )
    }  # fmt: skip


# The words above, marked for extraction with their context: a township kind is 乡, a
# table's township column 苏木乡镇. Never run.
if TYPE_CHECKING:  # pragma: no cover
    WORD_MARKS = (
        pgettext("word", "winter"), pgettext("word", "spring"), pgettext("word", "summer"),
        pgettext("word", "autumn"), pgettext("word", "sumu"), pgettext("word", "town"),
        pgettext("word", "township"), pgettext("word", "full"), pgettext("word", "sample"),
        pgettext("word", "estimate"), pgettext("word", "mon"), pgettext("word", "tue"),
        pgettext("word", "wed"), pgettext("word", "thu"), pgettext("word", "fri"),
        pgettext("word", "sat"), pgettext("word", "sun"), pgettext("word", "live"),
        pgettext("word", "void"), pgettext("word", "setup"), pgettext("word", "entry"),
        pgettext("word", "correction"), pgettext("word", "import"), pgettext("word", "demo"),
    )  # fmt: skip

# the field names a correction lists, and the day names of market days
FIELD_AND_DAY_NAMES = (
    N_("count_method"), N_("temperature"), N_("note"),
    N_("Monday"), N_("Tuesday"), N_("Wednesday"), N_("Thursday"), N_("Friday"),
    N_("Saturday"), N_("Sunday"),
)  # fmt: skip


def word(value: object) -> object:
    """A fixed word of the ledger (``winter``, ``sat``, ``void``) in the reader's language;
    codes stay codes in --json."""
    if isinstance(value, str):
        return _words().get(value, value)
    return value
