"""The command line: one Typer sub-app per noun, each command thin.

The root loads a command's module only when that command is run (Click's lazy-group
pattern), so `iddexi sale add` does not pay for importing and building every other
command. Reports and tally sheets import pandas, openpyxl and matplotlib inside their
own commands.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer
from typer._click import Command, Context

from iddexi import __version__
from iddexi.cli.common import App, RefusingGroup, state
from iddexi.i18n import N_, _, language_from_argv, set_language

# name → "module:attribute", a Typer sub-app (a noun) or a function (a root command),
# in the order `iddexi --help` lists them
COMMANDS = {
    "init": "iddexi.cli.housekeeping:init",
    "history": "iddexi.cli.housekeeping:history",
    "void": "iddexi.cli.housekeeping:void",
    "check": "iddexi.cli.integrity:check",
    "backup": "iddexi.cli.integrity:backup",
    "restore": "iddexi.cli.integrity:restore",
    "demo": "iddexi.cli.demo:demo",
    "season": "iddexi.cli.season:app",
    "township": "iddexi.cli.township:app",
    "category": "iddexi.cli.category:app",
    "stall": "iddexi.cli.stall:app",
    "session": "iddexi.cli.session:app",
    "sale": "iddexi.cli.sale:app",
    "tally": "iddexi.cli.tally:app",
    "report": "iddexi.cli.report:app",
    "submissions": "iddexi.cli.submissions:app",
    "serve": "iddexi.cli.serve:serve",
}


def load_command(name: str) -> Command:
    """The Click command for ``name``, importing its module now."""
    module_name, attribute = COMMANDS[name].split(":")
    target = getattr(importlib.import_module(module_name), attribute)
    if not isinstance(target, typer.Typer):
        target = App()
        target.command(name)(getattr(importlib.import_module(module_name), attribute))
    command = typer.main.get_command(target)
    command.name = name
    return command


class RootGroup(RefusingGroup):
    """The root: its commands are listed by name and loaded on first use."""

    def list_commands(self, ctx: Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name not in COMMANDS:
            return None
        loaded: dict[str, Command] = self.__dict__.setdefault("_loaded", {})
        if cmd_name not in loaded:
            loaded[cmd_name] = load_command(cmd_name)
        return loaded[cmd_name]


ROOT_HELP = N_("iddexi — the ledger of the Ewenki Idexi (伊德喜) winter market.")
# The root's texts are built when this module is imported, before --lang is read: they
# are kept as msgids and translated again when the root's help is shown.
ROOT_OPTION_HELP = {
    "ledger": N_("Ledger file. Default: $IDDEXI_LEDGER, else ledgers/iddexi.sqlite here."),
    "by": N_("Who makes this entry (default: $USER)."),
    "lang": N_(
        "Language of messages: zh (中文) or en. Default: $IDDEXI_LANG, else the locale, else zh."
    ),
    "version": N_("Show the version."),
    # Typer's own completion options, in its words
    "install_completion": N_("Install completion for the current shell."),
    "show_completion": N_(
        "Show completion for the current shell, to copy it or customize the installation."
    ),
}


def _complete_lang(incomplete: str) -> list[tuple[str, str]]:
    return [
        (code, name)
        for code, name in (("zh", "中文"), ("en", "English"))
        if code.startswith(incomplete)
    ]


class TranslatedRoot(RootGroup):
    def format_help(self, ctx: Context, formatter: typer._click.HelpFormatter) -> None:
        self.__dict__["_help_msgid"] = ROOT_HELP
        for param in self.params:
            if param.name in ROOT_OPTION_HELP:
                param.help = _(ROOT_OPTION_HELP[param.name])  # type: ignore[attr-defined]
        super().format_help(ctx, formatter)


app = App(cls=TranslatedRoot, help=_(ROOT_HELP), add_completion=True)


def _lang(value: str | None) -> str | None:
    if value is not None:
        try:
            set_language(value)
        except ValueError:
            raise typer.BadParameter(
                _("{value} is not a language we speak: use zh or en.").format(value=repr(value))
            ) from None
    return value


def _version(value: bool) -> None:
    if value:
        typer.echo(f"iddexi {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    ledger: Annotated[
        Path | None,
        typer.Option(
            "--ledger",
            help=_(ROOT_OPTION_HELP["ledger"]),
            show_default=False,
        ),
    ] = None,
    by: Annotated[str | None, typer.Option("--by", help=_(ROOT_OPTION_HELP["by"]))] = None,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            callback=_lang,
            is_eager=True,
            autocompletion=_complete_lang,
            metavar="zh|en",
            help=_(ROOT_OPTION_HELP["lang"]),
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help=_(ROOT_OPTION_HELP["version"])
        ),
    ] = False,
) -> None:
    """iddexi — the ledger of the Ewenki Idexi (伊德喜) winter market."""
    current = state(ctx)
    current.ledger_option = ledger
    current.by = by
    ctx.call_on_close(current.close)


def main() -> None:
    import sys

    chosen = language_from_argv(sys.argv[1:])
    if chosen is not None:
        try:
            set_language(chosen)
        except ValueError:
            pass  # the --lang option itself refuses it, in the default language
    app(prog_name="iddexi")
