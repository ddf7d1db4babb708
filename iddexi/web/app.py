"""The ASGI app: the keeper's page (from a stall card), and the guards every request passes.

Every response carries the security headers; every POST must come from a page of this
server (Origin), fit in :data:`MAX_BODY`, and bring back a one-time form token.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from iddexi.i18n import _
from iddexi.ledger import web_store
from iddexi.ledger.errors import IddexiError
from iddexi.web import bureau, organiser
from iddexi.web.approval import now_iso
from iddexi.web.context import MAX_BODY, Web, page, page_language, refusal, security_headers, web
from iddexi.web.keeper import Reading, fields, read_form

STATIC = Path(__file__).with_name("static")


class Guard:
    """Security headers on every response; cross-site and oversized POSTs refused."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        problem = None
        if request.method == "POST":
            problem = _foreign_origin(request) or _too_big(request)
        if problem is not None:
            await security_headers(PlainTextResponse(problem[0], problem[1]))(scope, receive, send)
            return

        async def with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                response = Response()
                response.raw_headers = list(message.get("headers", []))
                security_headers(response)
                message = {**message, "headers": response.raw_headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def _foreign_origin(request: Request) -> tuple[str, int] | None:
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        referer = request.headers.get("referer")
        origin = None if not referer else "{0.scheme}://{0.netloc}".format(urlsplit(referer))
    if origin is None:
        return None  # not a browser: the form token still has to be right
    host = request.headers.get("host", "")
    if urlsplit(origin).netloc != host:
        return _("this form was sent from another site; refused"), 403
    return None


def _too_big(request: Request) -> tuple[str, int] | None:
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        return _("a form must say its length"), 411
    if int(length) > MAX_BODY:
        return _("this form is too large"), 413
    return None


# --- the keeper's page --------------------------------------------------------------------


def _keeper(request: Request) -> tuple[str, str] | Response:
    """(stall, season) of a card link, or the refusal. Every link is rate limited."""
    state = web(request)
    code, secret = request.path_params["code"], request.path_params["secret"]
    client = request.client.host if request.client else "?"
    if state.bad_links.spent(client):  # refused before any hashing: guessing costs us nothing
        return refusal(request, _("too many wrong links; wait a minute"), 429)
    with state.book() as book:
        found = web_store.stall_secret(book, code) if len(code) <= 32 else None
    if found is None or len(secret) > 128 or not state.secret_cache.verify(secret, found[1]):
        state.bad_links.allow(client)
        return refusal(request, _("this card's link is not valid (replaced or mistyped)"), 404)
    if not state.per_link.allow(code):
        return refusal(request, _("too many requests from this card; wait a minute"), 429)
    return code, found[0]


async def keeper_page(request: Request) -> Response:
    found = _keeper(request)
    if isinstance(found, Response):
        return found
    return _keeper_form(request, *found)


def _keeper_form(
    request: Request,
    stall_code: str,
    season: str,
    *,
    reading: Reading | None = None,
    status: int = 200,
) -> Response:
    state = web(request)
    lang = page_language(request)
    with state.book() as book:
        stall = book.stall(stall_code)
        session_id = web_store.open_session_id(book, season, state.today().isoformat())
        session = book.session_by_id(session_id) if session_id is not None else None
        wanted = fields(book.categories(), web_store.stall_categories(book, stall_code), lang)
        mine = web_store.submissions(book, session_id, stall_code) if session_id is not None else []
    latest = mine[-1] if mine else None
    return page(
        request,
        "keeper.html",
        status=status,
        stall=stall,
        session=session,
        fields=wanted,
        latest=latest,
        values=reading.values if reading is not None else _prefill(latest),
        errors=reading.errors if reading is not None else {},
        token=state.tokens.issue(f"stall:{stall_code}") if session else "",
    )


def _prefill(latest: web_store.Submission | None) -> dict[str, str]:
    from iddexi.ledger.values import fen_to_yuan

    if latest is None:
        return {}
    values: dict[str, str] = {}
    for line in latest.lines:
        values[f"amount_{line.category}"] = str(fen_to_yuan(line.amount_fen))
        if line.quantity is not None:
            values[f"qty_{line.category}"] = str(line.quantity)
        if line.unit:
            values[f"unit_{line.category}"] = line.unit
    return values


async def keeper_submit(request: Request) -> Response:
    found = _keeper(request)
    if isinstance(found, Response):
        return found
    stall_code, season = found
    state = web(request)
    form = await request.form()
    token = str(form.get("token") or "")
    if not state.tokens.spend(token, f"stall:{stall_code}"):
        return refusal(
            request, _("this form was already sent or has expired; open the page again"), 409
        )
    lang = page_language(request)
    with state.book() as book:
        session_id = web_store.open_session_id(book, season, state.today().isoformat())
        if session_id is None or str(session_id) != str(form.get("session") or ""):
            return refusal(request, _("this session is closed; no more changes"), 409)
        wanted = fields(book.categories(), web_store.stall_categories(book, stall_code), lang)
        reading = read_form({k: str(v) for k, v in form.items()}, wanted)
        if reading.errors:
            submission_id = None
        else:
            try:
                submission_id = web_store.add_submission(
                    book, session_id, stall_code, reading.lines, token, now_iso()
                )
            except IddexiError as exc:
                return refusal(request, str(exc), 409)
    if submission_id is None:
        return _keeper_form(request, stall_code, season, reading=reading, status=422)
    code, secret = request.path_params["code"], request.path_params["secret"]
    return RedirectResponse(f"/s/{code}/{secret}/receipt/{submission_id}", status_code=303)


async def keeper_receipt(request: Request) -> Response:
    found = _keeper(request)
    if isinstance(found, Response):
        return found
    stall_code, _season = found
    state = web(request)
    try:
        number = int(request.path_params["number"])
    except ValueError:
        return refusal(request, _("no such receipt"), 404)
    with state.book() as book:
        try:
            sub = web_store.submission(book, number)
        except IddexiError:
            sub = None
        if sub is None or sub.stall != stall_code:  # never another stall's figures
            return refusal(request, _("no such receipt"), 404)
        session = book.session_by_id(sub.session_id)
        stall = book.stall(stall_code)
        labels = {c.code: c for c in book.categories()}
    return page(request, "receipt.html", sub=sub, session=session, stall=stall, labels=labels)


async def home(request: Request) -> Response:
    return page(request, "home.html")


def create_app(state: Web) -> Starlette:
    routes = [
        Route("/", home),
        Route("/s/{code}/{secret}", keeper_page, methods=["GET"]),
        Route("/s/{code}/{secret}", keeper_submit, methods=["POST"]),
        Route("/s/{code}/{secret}/receipt/{number}", keeper_receipt),
        *organiser.routes,
        *bureau.routes,
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    app = Starlette(routes=routes)
    app.state.web = state
    app.add_middleware(Guard)
    return app
