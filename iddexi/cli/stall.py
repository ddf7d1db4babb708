"""`iddexi stall …`: the vendors, with stable codes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from iddexi.cli import completion
from iddexi.cli.common import App, JsonOption, ledger, print_json
from iddexi.i18n import N_, _, ngettext

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


@app.command("edit")
def edit(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help=_("Stall code, e.g. M01."))],
    name: Annotated[str | None, typer.Option(help=_("New stall name."))] = None,
    operator: Annotated[str | None, typer.Option(help=_('Who runs it ("" clears it).'))] = None,
    township: Annotated[
        str | None, typer.Option(help=_('Home township, must be known ("" clears it).'))
    ] = None,
    herder: Annotated[
        bool | None,
        typer.Option("--herder/--not-herder", help=_("Run by a herder household, or not.")),
    ] = None,
    category: Annotated[
        str | None, typer.Option(help=_('Default category, code or label ("" clears it).'))
    ] = None,
) -> None:
    """Correct a stall's details (a new batch; voiding it restores the old ones).  Example: iddexi stall edit M01 --operator 敖日格勒 --herder"""
    stall, changed = ledger(ctx).edit_stall(
        code,
        name=name,
        operator=operator,
        township=township,
        herder=herder,
        category=category,
        source=f"stall edit {code}",
    )
    typer.echo(
        _("Corrected stall {code} {name} ({fields}).").format(
            code=stall.code, name=stall.name, fields=", ".join(changed)
        )
    )


@app.command("list")
def list_(ctx: typer.Context, json: JsonOption = False) -> None:
    """List the stalls.  Example: iddexi stall list --json"""
    book = ledger(ctx)
    stalls = book.stalls()
    if json:
        print_json([s.as_json() for s in stalls])
        return
    from iddexi.cli.sale import _category_labels
    from iddexi.render.tables import print_table

    category_label = _category_labels(book)
    print_table(
        _("Stalls"),
        [N_("code"), N_("name"), N_("operator"), N_("township"), N_("herder"), N_("category")],
        [
            (s.code, s.name, s.operator, s.township, s.herder, category_label(s.category))
            for s in stalls
        ],
    )


@app.command("cards")
def cards(
    ctx: typer.Context,
    season: Annotated[str, typer.Argument(help=_("The season the cards are for, e.g. 2025-26."))],
    out: Annotated[Path, typer.Option("-o", "--output", help=_("The printable page (.html)."))],
    rotate: Annotated[
        list[str] | None,
        typer.Option(
            "--rotate", help=_("Stall code of a lost card: a new link, the old one dies.")
        ),
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help=_("A new card for every stall (all old cards die)."))
    ] = False,
    url: Annotated[
        str | None,
        typer.Option(
            help=_("Address phones reach `iddexi serve` at (default: this laptop, port 8000).")
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help=_("Replace the file if it exists."))
    ] = False,
) -> None:
    """Print stall cards with each stall's secret link as a QR code.  Example: iddexi stall cards 2025-26 -o cards.html"""
    from iddexi.web.cards import default_base_url, print_cards

    base = url or default_base_url()
    made = print_cards(
        ledger(ctx), season, base, out, rotate=rotate, everyone=all_, overwrite=force
    )
    typer.echo(
        ngettext(
            "Wrote {count} card(s) to {out} for {base}.",
            "Wrote {count} card(s) to {out} for {base}.",
            len(made),
        ).format(count=len(made), out=out, base=base)
    )
