"""Ledger housekeeping at the root: `init`, `history`, `void`."""

from __future__ import annotations

from typing import Annotated

import typer

from iddexi.cli.common import JsonOption, ledger, print_json, word
from iddexi.i18n import N_, _, ngettext
from iddexi.ledger.values import parse_count


def init(ctx: typer.Context) -> None:
    """Create the ledger (if missing) and say where it is.  Example: iddexi --ledger market.sqlite init"""
    book = ledger(ctx)
    typer.echo(_("Ledger ready at {path}").format(path=book.path.resolve()))


def history(ctx: typer.Context, json: JsonOption = False) -> None:
    """List every batch, live and void, with what it wrote.  Example: iddexi history --json"""
    batches = ledger(ctx).history()
    if json:
        print_json([b.as_json() for b in batches])
        return
    from iddexi.render.tables import print_table

    print_table(
        _("History"),
        [
            N_("batch"),
            N_("when"),
            N_("by"),
            N_("kind"),
            N_("source"),
            N_("rows"),
            N_("status"),
            N_("reason"),
        ],
        [
            (
                b.id,
                _local_minute(b.created_at),
                b.created_by,
                word(b.kind),
                b.source,
                b.rows,
                word(b.status),
                b.reason,
            )
            for b in batches
        ],
        numeric=[N_("batch"), N_("rows")],
    )


def void(
    ctx: typer.Context,
    batch: Annotated[str, typer.Argument(help=_("Batch id, from `iddexi history`."))],
    reason: Annotated[str, typer.Option(help=_("Why, kept in the history."))],
) -> None:
    """Void a batch: its lines stop counting, nothing is deleted.  Example: iddexi void 12 --reason "typed twice\""""
    voided = ledger(ctx).void(parse_count(batch, "batch"), reason)
    rows = ngettext("{count} row", "{count} rows", voided.rows).format(count=voided.rows)
    typer.echo(
        _("Voided batch {batch} ({rows}): {reason}").format(
            batch=voided.id, rows=rows, reason=voided.reason
        )
    )


def _local_minute(stamp: str) -> str:
    """A batch's time in this machine's zone (TZ): stamps keep the offset they were made in."""
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:  # not written by iddexi: show it as it is
        return stamp
