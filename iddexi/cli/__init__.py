"""The command line: one Typer sub-app per noun, each command thin.

Only light modules are imported here; reports and tally sheets import pandas, openpyxl
and matplotlib inside their own commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from iddexi import __version__
from iddexi.cli import (
    category,
    demo,
    housekeeping,
    integrity,
    report,
    sale,
    season,
    session,
    stall,
    tally,
    township,
)
from iddexi.cli.common import App, state

app = App(
    help="iddexi — the ledger of the Ewenki Idexi (伊德喜) winter market.",
    add_completion=False,
)


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
            help="Ledger file. Default: $IDDEXI_LEDGER, else ledgers/iddexi.sqlite here.",
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="Who makes this entry (default: $USER).")
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """iddexi — the ledger of the Ewenki Idexi (伊德喜) winter market."""
    current = state(ctx)
    current.ledger_option = ledger
    current.by = by
    ctx.call_on_close(current.close)


app.command("init")(housekeeping.init)
app.command("history")(housekeeping.history)
app.command("void")(housekeeping.void)
app.command("check")(integrity.check)
app.command("backup")(integrity.backup)
app.command("restore")(integrity.restore)
app.command("demo")(demo.demo)
app.add_typer(season.app, name="season")
app.add_typer(township.app, name="township")
app.add_typer(category.app, name="category")
app.add_typer(stall.app, name="stall")
app.add_typer(session.app, name="session")
app.add_typer(sale.app, name="sale")
app.add_typer(tally.app, name="tally")
app.add_typer(report.app, name="report")


def main() -> None:
    app(prog_name="iddexi")
