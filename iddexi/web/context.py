"""What every request shares: the ledger (one connection, one writer at a time), the
form tokens, signed-in sessions, rate limits, and the page helpers."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from iddexi.ledger import web_store
from iddexi.web import lang
from iddexi.web.auth import FormTokens, Lockout, RateLimit, SecretCache, Sessions, verify_secret
from iddexi.web.pages import render

if TYPE_CHECKING:
    from iddexi.ledger.core import Ledger

COOKIE = {"organiser": "iddexi_org", "bureau": "iddexi_bureau"}
MAX_BODY = 32 * 1024  # bytes of a form: the biggest (a keeper's) is well under 2 KB


@dataclass
class Web:
    """The server's state; one per `iddexi serve`."""

    ledger_path: Path
    user: str
    one_time_token: str | None = None
    today: Callable[[], dt.date] = dt.date.today
    tokens: FormTokens = field(default_factory=FormTokens)
    sessions: Sessions = field(default_factory=Sessions)
    lockout: Lockout = field(default_factory=Lockout)
    # a keeper sends a handful of pages a day; 30 a minute per link is a stuck phone
    per_link: RateLimit = field(default_factory=lambda: RateLimit(30, 60))
    # wrong card links from one address: guessing, or a card printed wrong
    bad_links: RateLimit = field(default_factory=lambda: RateLimit(20, 60))
    secret_cache: SecretCache = field(default_factory=SecretCache)
    lock: threading.Lock = field(default_factory=threading.Lock)
    report_lock: threading.Lock = field(default_factory=threading.Lock)
    _ledger: Ledger | None = None
    _reader: Ledger | None = None

    @contextmanager
    def book(self) -> Iterator[Ledger]:
        """The ledger, for one request at a time (SQLite has one writer anyway)."""
        with self.lock:
            if self._ledger is None:
                self._ledger = _open(self.ledger_path, self.user)
            yield self._ledger

    @contextmanager
    def reader(self) -> Iterator[Ledger]:
        """A second connection for the bureau's reports, which may take a second or two
        (charts) and must not hold up keepers."""
        with self.report_lock:
            if self._reader is None:
                self._reader = _open(self.ledger_path, self.user)
            yield self._reader

    def close(self) -> None:
        for book in (self._ledger, self._reader):
            if book is not None:
                book.close()
        self._ledger = self._reader = None

    def check_password(self, role: str, given: str) -> bool:
        """The role's password, or the one-time token printed at start (spent on use)."""
        if self.one_time_token and role == "organiser":
            if secrets.compare_digest(given.encode(), self.one_time_token.encode()):
                self.one_time_token = None
                return True
        with self.book() as book:
            stored = web_store.password_hash(book, role)
        return stored is not None and verify_secret(given, stored)


def _open(path: Path, user: str) -> Ledger:
    return web_store.open_shared(path, user)


def web(request: Request) -> Web:
    return request.app.state.web


def page_language(request: Request) -> str:
    return lang.choose(
        request.query_params.get("lang"),
        request.cookies.get("iddexi_lang"),
        request.headers.get("accept-language"),
    )


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    language = page_language(request)
    html = render(
        name,
        lang.translator(language),
        lang=language,
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(html, status_code=status)
    if request.query_params.get("lang") in lang.LANGUAGES:
        response.set_cookie(
            "iddexi_lang", language, max_age=365 * 86400, samesite="strict", httponly=True
        )
    return response


def refusal(request: Request, message: str, status: int) -> HTMLResponse:
    return page(request, "refused.html", status=status, message=message)


def security_headers(response: Response) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'"
    )
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers.setdefault("Cache-Control", "no-store")
    return response
