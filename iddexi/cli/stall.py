"""`iddexi stall …`: the vendors, with stable codes."""

from __future__ import annotations

from typing import Annotated

import typer

from iddexi.cli import completion
from iddexi.cli.common import App, JsonOption, ledger, print_json
from iddexi.i18n import N_, _

app = App(help=_("Stalls: vendors with a stable code (M01, …)."))


@app.command("add")
def add(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help=_("Stable stall code, e.g. M01."))],
    name: Annotated[str, typer.Option(help=_("Stall name, e.g. 敖日格勒家冬储肉."))],
    category: Annotated[
        str | None,
        typer.Option(
            help=_("Default category (code or label)."), autocompletion=completion.categories
        ),
    ] = None,
    operator: Annotated[str | None, typer.Option(help=_("Who runs it."))] = None,
    township: Annotated[
        str | None,
        typer.Option(help=_("Home township (must be known)."), autocompletion=completion.townships),
    ] = None,
    herder: Annotated[bool, typer.Option("--herder", help=_("Run by a herder household."))] = False,
) -> None:
    """Add a stall.  Example: iddexi stall add M01 --name 敖日格勒家冬储肉 --category meat --herder"""
    stall = ledger(ctx).add_stall(
        code,
        name,
        category=category,
        operator=operator,
        township=township,
        herder=herder,
        source=f"stall add {code}",
    )
    typer.echo(_("Added stall {code} {name}.").format(code=stall.code, name=stall.name))


@app.command("list")
def list_(ctx: typer.Context, json: JsonOption = False) -> None:
    """List the stalls.  Example: iddexi stall list --json"""
    stalls = ledger(ctx).stalls()
    if json:
        print_json([s.as_json() for s in stalls])
        return
    from iddexi.render.tables import print_table

    print_table(
        _("Stalls"),
        [N_("code"), N_("name"), N_("operator"), N_("township"), N_("herder"), N_("category")],
        [(s.code, s.name, s.operator, s.township, s.herder, s.category) for s in stalls],
    )
