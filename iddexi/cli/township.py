"""`iddexi township …`: the sumu, towns and townships that host and send stalls."""

from __future__ import annotations

from typing import Annotated

import typer

from iddexi.cli.common import App, JsonOption, ledger, print_json, word
from iddexi.i18n import N_, _

app = App(help=_("Townships: the sumu, towns and townships (苏木乡镇) of the banner."))


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=_("Name as written locally, e.g. 巴彦托海镇."))],
    kind: Annotated[
        str | None, typer.Option(help=_("sumu, town or township (苏木, 镇, 乡)."))
    ] = None,
) -> None:
    """Add a township.  Example: iddexi township add 巴彦托海镇 --kind town"""
    township = ledger(ctx).add_township(name, kind, source=f"township add {name}")
    typer.echo(_("Added township {name}.").format(name=township.name))


@app.command("edit")
def edit(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=_("Township name, e.g. 巴彦托海镇."))],
    kind: Annotated[
        str | None, typer.Option(help=_("sumu, town or township (苏木, 镇, 乡)."))
    ] = None,
) -> None:
    """Correct a township's kind (a new batch; voiding it restores the old one).  Example: iddexi township edit 巴彦托海镇 --kind town"""
    township = ledger(ctx).edit_township(name, kind=kind, source=f"township edit {name}")
    typer.echo(
        _("Corrected township {name}: {kind}.").format(name=township.name, kind=township.kind)
    )


@app.command("list")
def list_(ctx: typer.Context, json: JsonOption = False) -> None:
    """List the townships.  Example: iddexi township list"""
    townships = ledger(ctx).townships()
    if json:
        print_json([t.as_json() for t in townships])
        return
    from iddexi.render.tables import print_table

    print_table(
        _("Townships"), [N_("name"), N_("kind")], [(t.name, word(t.kind)) for t in townships]
    )
