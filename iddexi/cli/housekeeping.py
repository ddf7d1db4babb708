"""Ledger housekeeping at the root: `init`, `history`, `void`."""

from __future__ import annotations

from typing import Annotated

import typer

from iddexi.cli.common import JsonOption, ledger, print_json, say
from iddexi.i18n import _
from iddexi.ledger.values import parse_bounded, parse_count, parse_date


def init(ctx: typer.Context) -> None:
    """Create the ledger (if missing) and say where it is.  Example: iddexi --ledger market.sqlite init"""
    book = ledger(ctx)
    typer.echo(f"Ledger ready at {book.path.resolve()}")


def history(
    ctx: typer.Context,
    json: JsonOption = False,
    kind: Annotated[
        str | None,
        typer.Option(help=_("Only batches of this kind: setup, entry, correction, import, demo.")),
    ] = None,
    season: Annotated[
        str | None, typer.Option(help=_("Only batches that wrote to this season."))
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help=_("Only batches made by this person."))
    ] = None,
    since: Annotated[
        str | None, typer.Option(help=_("Only batches made on or after this day, YYYY-MM-DD."))
    ] = None,
    limit: Annotated[str | None, typer.Option(help=_("Only the latest N batches."))] = None,
) -> None:
    """List every batch, live and void, with what it wrote.  Example: iddexi history --kind import --since 2025-12-01 --limit 20"""
    batches = ledger(ctx).history(
        kind=kind,
        season=season,
        by=by,
        since=parse_date(since, "--since") if since is not None else None,
        limit=parse_count(limit, "--limit") if limit is not None else None,
    )
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
            _("Ledger code: {code} (after batch {batch})").format(
                code=batches[-1].code, batch=batches[-1].id
            )
        )


def void(
    ctx: typer.Context,
    batch: Annotated[str, typer.Argument(help="Batch id, from `iddexi history`.")],
    reason: Annotated[str, typer.Option(help="Why, kept in the history.")],
) -> None:
    """Void a batch: its lines stop counting, nothing is deleted.  Example: iddexi void 12 --reason "typed twice\""""
    voided = ledger(ctx).void(parse_bounded(batch, "batch", 1, 2**63 - 1), reason)
    rows = f"{voided.rows} row" + ("" if voided.rows == 1 else "s")
    say(f"Voided batch {voided.id} ({rows}): {voided.reason}")


def _local_minute(stamp: str) -> str:
    """A batch's time in this machine's zone (TZ): stamps keep the offset they were made in."""
    import datetime as dt

    try:
        return dt.datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:  # not written by iddexi: show it as it is
        return stamp
