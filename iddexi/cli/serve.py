"""`iddexi serve`: the market-day web app on this laptop (keepers, organisers, bureau)."""

from __future__ import annotations

from typing import Annotated

import typer

from iddexi.cli.common import state
from iddexi.i18n import _


def serve(
    ctx: typer.Context,
    host: Annotated[
        str,
        typer.Option(
            help=_(
                "Address to listen on. 127.0.0.1 is this laptop only; 0.0.0.0 lets phones on its hotspot in."
            )
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help=_("Port to listen on."))] = 8000,
    set_password: Annotated[
        str | None,
        typer.Option(
            "--set-password",
            help=_("Set the web password of a role (organiser or bureau), asked twice, then exit."),
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the ledger to phones and browsers until Ctrl-C.  Example: iddexi serve --host 0.0.0.0 --port 8000"""
    from iddexi.web import server

    current = state(ctx)
    book = current.ledger()
    if set_password is not None:
        if set_password not in ("organiser", "bureau"):
            raise typer.BadParameter(_("--set-password takes organiser or bureau"))
        password = typer.prompt(
            _("New {role} password").format(role=set_password),
            hide_input=True,
            confirmation_prompt=True,
        )
        server.set_password(book, set_password, password)
        typer.echo(_("Set the {role} password.").format(role=set_password))
        return
    if not 0 < port < 65536:
        raise typer.BadParameter(_("--port must be 1..65535"))
    path, user = book.path, book.user
    current.close()  # the server opens its own connections
    server.serve(path, user, host, port, typer.echo)
