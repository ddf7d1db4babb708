"""`iddexi submissions …`: what stall keepers reported from their phones, approved or
rejected here as on the organiser's page."""

from __future__ import annotations

from typing import Annotated

import typer

from iddexi.cli.common import App, JsonOption, ledger, print_json
from iddexi.i18n import _

app = App(help=_("Stall keepers' submissions from the web: list, approve, reject."))

SessionArg = Annotated[str, typer.Argument(help=_("SEASON:N or SEASON:YYYY-MM-DD."))]


@app.command("list")
def list_(ctx: typer.Context, session: SessionArg, json: JsonOption = False) -> None:
    """A session's submissions, and the stalls with a card that have not reported.  Example: iddexi submissions list 2025-26:3"""
    from iddexi.ledger.values import fen_to_yuan, format_yuan
    from iddexi.web.approval import overview

    view = overview(ledger(ctx), session)
    if json:
        print_json(
            {
                "session": view.session.ref,
                "closed_at": view.closed_at,
                "submissions": [
                    {
                        "id": s.id,
                        "stall": s.stall,
                        "status": s.status,
                        "submitted_at": s.submitted_at,
                        "total_yuan": fen_to_yuan(s.total_fen),
                        "lines": [
                            {
                                "category": line.category,
                                "amount_yuan": fen_to_yuan(line.amount_fen),
                                "quantity": line.quantity,
                                "unit": line.unit,
                            }
                            for line in s.lines
                        ],
                        "reason": s.reason,
                        "batch": s.batch_id,
                    }
                    for s in view.submissions
                ],
                "not_reported": [s.code for s in view.silent],
                "waiting_yuan": fen_to_yuan(view.waiting_fen),
                "approved_yuan": fen_to_yuan(view.approved_fen),
            }
        )
        return
    from iddexi.render.tables import print_table

    print_table(
        _("Submissions for {session}").format(session=view.session.ref),
        [_("id"), _("stall"), _("time"), _("total"), _("status"), _("batch or reason")],
        [
            (
                s.id,
                s.stall,
                s.submitted_at,
                format_yuan(s.total_fen),
                s.status,
                s.batch_id if s.batch_id is not None else (s.reason or ""),
            )
            for s in view.submissions
        ],
    )
    silent = ", ".join(s.code for s in view.silent) or _("none")
    typer.echo(_("Not reported yet: {stalls}").format(stalls=silent))
    typer.echo(
        _("Waiting {waiting}, approved {approved}.").format(
            waiting=format_yuan(view.waiting_fen), approved=format_yuan(view.approved_fen)
        )
    )


@app.command("approve")
def approve(
    ctx: typer.Context,
    session: SessionArg,
    ids: Annotated[list[int], typer.Argument(help=_("Submission numbers (see `list`)."))],
) -> None:
    """Write submissions into the ledger, each as one import batch.  Example: iddexi submissions approve 2025-26:3 12 14"""
    from iddexi.web.approval import approve as approve_one

    book = ledger(ctx)
    wanted = book.resolve_session(session, totals=False)
    _refuse_other_session(book, wanted.id, ids)
    for number in ids:
        batch = approve_one(book, number)
        if batch is None:
            typer.echo(
                _("Approved submission {id}: the ledger already held these figures.").format(
                    id=number
                )
            )
        else:
            typer.echo(
                _("Approved submission {id} as batch {batch}.").format(id=number, batch=batch)
            )


@app.command("reject")
def reject(
    ctx: typer.Context,
    session: SessionArg,
    number: Annotated[int, typer.Argument(help=_("Submission number (see `list`)."))],
    reason: Annotated[str, typer.Option("--reason", help=_("What the keeper should fix."))],
) -> None:
    """Refuse a submission with a reason the keeper sees.  Example: iddexi submissions reject 2025-26:3 12 --reason "meat is 10 times too high" """
    from iddexi.web.approval import reject as reject_one

    book = ledger(ctx)
    wanted = book.resolve_session(session, totals=False)
    _refuse_other_session(book, wanted.id, [number])
    reject_one(book, number, reason)
    typer.echo(_("Rejected submission {id}.").format(id=number))


def _refuse_other_session(book, session_id: int, ids: list[int]) -> None:  # noqa: ANN001
    from iddexi.ledger import web_store
    from iddexi.ledger.errors import InputError

    for number in ids:
        if web_store.submission(book, number).session_id != session_id:
            raise InputError(
                _("submission {id} is not of this session; see `iddexi submissions list`").format(
                    id=number
                )
            )
