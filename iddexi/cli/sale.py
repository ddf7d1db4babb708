"""`iddexi sale …`: one stall's takings in one category at one session."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from iddexi.cli import completion
from iddexi.cli.common import App, JsonOption, ledger, print_json
from iddexi.i18n import N_, _
from iddexi.ledger.values import format_yuan, parse_quantity, parse_yuan

if TYPE_CHECKING:
    from collections.abc import Callable

    from iddexi.ledger.core import Ledger

app = App(help=_("Sales: a stall's takings by category at a session."))


# "-5" must reach the amount parser (and its message), not be taken for an option
@app.command("add", context_settings={"ignore_unknown_options": True})
def add(
    ctx: typer.Context,
    session: Annotated[
        str,
        typer.Argument(
            help=_("SEASON:N or SEASON:YYYY-MM-DD."), autocompletion=completion.sessions
        ),
    ],
    stall: Annotated[
        str, typer.Argument(help=_("Stall code, e.g. M01."), autocompletion=completion.stalls)
    ],
    category: Annotated[
        str,
        typer.Argument(
            help=_("Category code, label or alias, e.g. meat or 冬储肉."),
            autocompletion=completion.categories,
        ),
    ],
    amount: Annotated[str, typer.Argument(help=_("Yuan: 12345.5, 12,345.50, ¥12345 or 1.5万."))],
    qty: Annotated[str | None, typer.Option("--qty", help=_("Quantity sold."))] = None,
    unit: Annotated[str | None, typer.Option(help=_("Unit of the quantity: kg, 只, 件 …"))] = None,
    note: Annotated[str | None, typer.Option(help=_("A note."))] = None,
    replace: Annotated[
        bool, typer.Option("--replace", help=_("Supersede the line already recorded."))
    ] = False,
) -> None:
    """Record a stall's takings.  Example: iddexi sale add 2025-26:1 M01 meat 12,800.50 --qty 160 --unit kg"""
    fen = parse_yuan(amount)
    quantity = parse_quantity(qty) if qty is not None else None
    new, replaced = ledger(ctx).add_sale(
        session,
        stall,
        category,
        fen,
        quantity=quantity,
        unit=unit,
        note=note,
        replace=replace,
        source=f"sale add {session} {stall} {category} {amount}",
    )
    message = _("Recorded {session} {stall} {category} {amount} in batch {batch}").format(
        session=new.session,
        stall=new.stall,
        category=new.category,
        amount=format_yuan(new.amount_fen),
        batch=new.batch_id,
    )
    if replaced:
        message += _(", replacing {amount} from batch {batch}").format(
            amount=format_yuan(replaced.amount_fen), batch=replaced.batch_id
        )
    typer.echo(message + _("."))


@app.command("list")
def list_(
    ctx: typer.Context,
    session: Annotated[
        str,
        typer.Argument(
            help=_("SEASON:N or SEASON:YYYY-MM-DD."), autocompletion=completion.sessions
        ),
    ],
    json: JsonOption = False,
) -> None:
    """List a session's live sales lines.  Example: iddexi sale list 2025-26:1 --json"""
    book = ledger(ctx)
    sales = book.sales(session)
    if json:
        print_json([s.as_json() for s in sales])
        return
    from iddexi.render.tables import print_table

    category_label = _category_labels(book)
    print_table(
        _("Sales at {session}").format(session=session),
        [
            N_("stall"),
            N_("name"),
            N_("category"),
            N_("amount"),
            N_("qty"),
            N_("unit"),
            N_("note"),
            N_("batch"),
        ],
        [
            (
                s.stall,
                s.stall_name,
                category_label(s.category),
                format_yuan(s.amount_fen),
                s.quantity,
                s.unit,
                s.note,
                s.batch_id,
            )
            for s in sales
        ],
        numeric=[N_("amount"), N_("qty"), N_("batch")],
        footer=[_("total"), "", "", format_yuan(sum(s.amount_fen for s in sales)), "", "", "", ""],
    )


def _category_labels(book: Ledger) -> Callable[[str | None], str]:
    """A category code as the reader's language names it (冬储肉 / winter meat); the code
    itself stays in --json, and a code without a label is shown as it is."""
    from iddexi.i18n import language

    zh = language().startswith("zh")
    names = {c.code: c.label_zh if zh else c.label_en for c in book.categories()}

    def label(code: str | None) -> str:
        return "" if code is None else names.get(code) or code

    return label
