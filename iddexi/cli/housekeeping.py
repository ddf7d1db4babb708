"""Ledger housekeeping at the root: `init`, `history`, `void`."""

from __future__ import annotations

from typing import Annotated

import typer

from iddexi.cli.common import JsonOption, ledger, print_json
from iddexi.i18n import _
from iddexi.ledger.values import parse_count


def init(ctx: typer.Context) -> None:
    """Create the ledger (if missing) and say where it is.  Example: iddexi --ledger market.sqlite init"""
    book = ledger(ctx)
    typer.echo(f"Ledger ready at {book.path.resolve()}")


def history(ctx: typer.Context, json: JsonOption = False) -> None:
    """List every batch, live and void, with what it wrote.  Example: iddexi history --json"""
    batches = ledger(ctx).history()
    if json:
        print_json([b.as_json() for b in batches])
        return
    from iddexi.render.tables import print_table

    print_table(
        "History",
        ["batch", "when", "by", "kind", "source", "rows", "status", "reason", "ledger code"],
        [
            (
                b.id,
                _local_minute(b.created_at),
                b.created_by,
                b.kind,
                b.source,
                b.rows,
                b.status,
                b.reason,
                b.code,
            )
            for b in batches
        ],
        numeric=["batch", "rows"],
    )
    if batches:
        typer.echo(
            _("Ledger code 账本校验码: {code} (after batch {batch})").format(
                code=batches[-1].code, batch=batches[-1].id
            )
        )


def void(
    ctx: typer.Context,
    batch: Annotated[str, typer.Argument(help="Batch id, from `iddexi history`.")],
    reason: Annotated[str, typer.Option(help="Why, kept in the history.")],
) -> None:
    """Void a batch: its lines stop counting, nothing is deleted.  Example: iddexi void 12 --reason "typed twice\""""
    voided = ledger(ctx).void(parse_count(batch, "batch"), reason)
    rows = f"{voided.rows} row" + ("" if voided.rows == 1 else "s")
    typer.echo(f"Voided batch {voided.id} ({rows}): {voided.reason}")


def _local_minute(stamp: str) -> str:
    """A batch's time in this machine's zone (TZ): stamps keep the offset they were made in."""
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:  # not written by iddexi: show it as it is
        return stamp
