"""Running the web app: uvicorn on the organiser's laptop, stopped cleanly by Ctrl-C."""

from __future__ import annotations

import secrets
import socket
from collections.abc import Callable
from pathlib import Path

from iddexi.i18n import _
from iddexi.ledger import web_store
from iddexi.ledger.core import Ledger
from iddexi.ledger.errors import InputError
from iddexi.web.approval import now_iso
from iddexi.web.auth import hash_secret
from iddexi.web.cards import lan_address

MIN_PASSWORD = 10


def set_password(ledger: Ledger, role: str, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InputError(_("a password needs at least {n} characters").format(n=MIN_PASSWORD))
    web_store.set_password_hash(ledger, role, hash_secret(password), now_iso())


def addresses(host: str, port: int) -> list[str]:
    """The addresses people type or scan: this machine's LAN address when listening on
    all interfaces, else the one bound."""
    if host in ("0.0.0.0", "::", ""):
        shown = ["127.0.0.1", lan_address()]
    else:
        shown = [host]
    return [f"http://{h}:{port}" for h in dict.fromkeys(shown)]


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise InputError(
                _("cannot listen on {host}:{port} ({reason}); choose another --port").format(
                    host=host, port=port, reason=exc.strerror
                )
            ) from None


def serve(
    ledger_path: Path,
    user: str,
    host: str,
    port: int,
    say: Callable[[str], None],
) -> None:
    """Serve until Ctrl-C. The organiser's one-time sign-in code is printed here."""
    import uvicorn

    from iddexi.web.app import create_app
    from iddexi.web.context import Web

    _check_port(host, port)
    # the ledger must exist and be current before anyone connects
    Ledger.open(ledger_path, user=user, create=False).close()
    token = secrets.token_urlsafe(12)
    state = Web(ledger_path=ledger_path, user=user, one_time_token=token)
    app = create_app(state)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=5,
    )
    server = uvicorn.Server(config)
    for address in addresses(host, port):
        say(_("Serving the ledger at {address}").format(address=address))
    say(_("Organiser one-time sign-in code: {token}").format(token=token))
    say(_("Press Ctrl-C to stop."))
    try:
        server.run()
    except KeyboardInterrupt:
        # uvicorn shuts down gracefully on Ctrl-C, then raises it again for the caller:
        # here that is the end we asked for, not an abort
        pass
    finally:
        state.close()
    say(_("Stopped."))
