"""Stall cards: one printable card per stall with its code, name and secret link as a QR.

A card's secret is shown once, on the printed card; the ledger keeps only its hash. So
printing cards issues new secrets: by default for the stalls that have no card for the
season yet, with ``rotate`` for named stalls (a lost card: the old link dies), with
``everyone`` for a whole new set.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from iddexi.i18n import _
from iddexi.ledger import web_store
from iddexi.ledger.errors import InputError, NotFoundError
from iddexi.web.approval import now_iso
from iddexi.web.auth import SECRET_COST, hash_secret, new_secret
from iddexi.web.pages import render

if TYPE_CHECKING:
    from iddexi.ledger.core import Ledger

DEFAULT_PORT = 8000


@dataclass(frozen=True)
class Card:
    code: str
    name: str
    link: str
    qr_svg: str


def lan_address() -> str:
    """This machine's address on the local network (the hotspot's), else loopback.

    Connecting a UDP socket sends nothing; it only asks the OS which interface it would use.
    """
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


def default_base_url() -> str:
    return f"http://{lan_address()}:{DEFAULT_PORT}"


def stall_link(base_url: str, code: str, secret: str) -> str:
    return f"{base_url.rstrip('/')}/s/{code}/{secret}"


def issue_cards(
    ledger: Ledger,
    season: str,
    base_url: str,
    *,
    rotate: list[str] | None = None,
    everyone: bool = False,
) -> list[Card]:
    """New secrets for the stalls to print; return their cards (links in clear text)."""
    import segno

    if not base_url.startswith(("http://", "https://")):
        raise InputError(
            _("--url {url!r} is not a web address such as http://192.168.43.1:8000").format(
                url=base_url
            )
        )
    season_code = ledger.season(season).code
    stalls = {s.code: s for s in ledger.stalls()}
    if rotate:
        unknown = [c for c in rotate if c not in stalls]
        if unknown:
            raise NotFoundError(
                _("stall {code} is not in the ledger").format(code=", ".join(unknown))
            )
        chosen = [stalls[c] for c in dict.fromkeys(rotate)]
    elif everyone:
        chosen = list(stalls.values())
    else:
        carded = web_store.cards_issued(ledger, season_code)
        chosen = [s for s in stalls.values() if s.code not in carded]
        if not chosen:
            if not stalls:
                raise NotFoundError(_("there are no stalls yet; add them with `iddexi stall add`"))
            raise InputError(
                _(
                    "every stall already has a card for {season}; use --rotate CODE for a lost "
                    "card, or --all to print a new set (the old cards stop working)"
                ).format(season=season_code)
            )
    secrets_by_code = {s.code: new_secret() for s in chosen}
    hashes = {code: hash_secret(secret, SECRET_COST) for code, secret in secrets_by_code.items()}
    web_store.issue_stall_secrets(ledger, season_code, hashes, now_iso())
    cards = []
    for stall in chosen:
        link = stall_link(base_url, stall.code, secrets_by_code[stall.code])
        svg = segno.make(link, error="m").svg_inline(scale=4, omitsize=False)
        cards.append(Card(stall.code, stall.name, link, svg))
    return cards


def print_cards(
    ledger: Ledger,
    season: str,
    base_url: str,
    out: Path,
    *,
    rotate: list[str] | None = None,
    everyone: bool = False,
    overwrite: bool = False,
) -> list[Card]:
    """Issue the cards and write the printable page, owner-only (it holds live links).

    The file is opened before any secret is issued: a card the page cannot hold must not
    replace one that works.
    """
    out = Path(out)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    try:
        fd = os.open(out, flags, 0o600)
    except FileExistsError:
        raise InputError(
            _("{path} exists; give another name or --force").format(path=out)
        ) from None
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        try:
            cards = issue_cards(ledger, season, base_url, rotate=rotate, everyone=everyone)
        except BaseException:
            fh.close()
            out.unlink(missing_ok=True)
            raise
        fh.write(render("cards.html", _, season=ledger.season(season).code, cards=cards))
    return cards
