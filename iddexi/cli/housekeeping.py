"""Ledger housekeeping at the root: `init`, `history`, `void`."""

from __future__ import annotations

from typing import Annotated

import typer

from iddexi.cli.common import JsonOption, ledger, print_json, say, word
from iddexi.i18n import N_, _, ngettext
from iddexi.ledger.values import local_minute, parse_bounded, parse_count, parse_date


def init(ctx: typer.Context) -> None:
    """Create the ledger (if missing) and say where it is.  Example: iddexi --ledger market.sqlite init"""
    book = ledger(ctx)
    typer.echo(_("Ledger ready at {path}").format(path=book.path.resolve()))


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
            N_("ledger code"),
        ],
        [
            (
                b.id,
                local_minute(b.created_at),
                b.created_by,
                word(b.kind),
                b.source,
                b.rows,
                word(b.status),
                b.reason,
                b.code,
            )
            for b in batches
        ],
        numeric=[N_("batch"), N_("rows")],
    )
    if batches:
        typer.echo(
            _("Ledger code: {code} (after batch {batch})").format(
                code=batches[-1].code, batch=batches[-1].id
            )
        )


def void(
    ctx: typer.Context,
    batch: Annotated[str, typer.Argument(help=_("Batch id, from `iddexi history`."))],
    reason: Annotated[str, typer.Option(help=_("Why, kept in the history."))],
) -> None:
    """Void a batch: its lines stop counting, nothing is deleted.  Example: iddexi void 12 --reason "typed twice\""""
    voided = ledger(ctx).void(parse_bounded(batch, "batch", 1, 2**63 - 1), reason)
    rows = ngettext("{count} row", "{count} rows", voided.rows).format(count=voided.rows)
    say(
        _("Voided batch {batch} ({rows}): {reason}").format(
            batch=voided.id, rows=rows, reason=voided.reason
        )
    )
