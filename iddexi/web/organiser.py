"""The organiser's pages: sign in, the session's submissions beside the stalls that have
not reported, approve or reject, record the session's details, close it.

Also the sign-in shared with the bureau's pages (each role its own password)."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from iddexi.i18n import _
from iddexi.ledger import web_store
from iddexi.ledger.errors import IddexiError, InputError
from iddexi.ledger.values import parse_count
from iddexi.web import approval, gate_samples
from iddexi.web.auth import SignedIn
from iddexi.web.context import COOKIE, page, refusal, web

HOME = {"organiser": "/o", "bureau": "/b"}
SESSION_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*:[0-9]{1,4}", re.ASCII)


def signed_in(request: Request, role: str) -> SignedIn | None:
    return web(request).sessions.get(request.cookies.get(COOKIE[role]), role)


def login_routes(role: str) -> list[Route]:
    async def form(request: Request) -> Response:
        token = web(request).tokens.issue(f"login:{role}")
        return page(request, "login.html", role=role, token=token, error=None)

    async def submit(request: Request) -> Response:
        state = web(request)
        data = await request.form()
        if not state.tokens.spend(str(data.get("token") or ""), f"login:{role}"):
            return refusal(request, _("this form was already sent or has expired"), 409)
        if state.lockout.locked(role):
            return refusal(
                request, _("too many wrong passwords: sign-in is shut for 15 minutes"), 429
            )
        password = str(data.get("password") or "")[:256]
        if not password or not state.check_password(role, password):
            state.lockout.failed(role)
            token = state.tokens.issue(f"login:{role}")
            error = _("wrong password")
            return page(request, "login.html", 401, role=role, token=token, error=error)
        state.lockout.succeeded(role)
        sid = state.sessions.start(role)
        response = RedirectResponse(HOME[role], status_code=303)
        response.set_cookie(COOKIE[role], sid, httponly=True, samesite="strict", path="/")
        return response

    async def logout(request: Request) -> Response:
        state = web(request)
        signed = signed_in(request, role)
        data = await request.form()
        if signed is not None and data.get("csrf") == signed.csrf:
            state.sessions.end(request.cookies.get(COOKIE[role]))
        response = RedirectResponse(HOME[role] + "/login", status_code=303)
        response.delete_cookie(COOKIE[role], path="/")
        return response

    base = HOME[role]
    return [
        Route(base + "/login", form, methods=["GET"]),
        Route(base + "/login", submit, methods=["POST"]),
        Route(base + "/logout", logout, methods=["POST"]),
    ]


def _session_ref(request: Request, book) -> str | None:  # noqa: ANN001
    wanted = request.query_params.get("session")
    if wanted and SESSION_REF.fullmatch(wanted):
        return wanted
    today = web(request).today().isoformat()
    for season in reversed(book.seasons()):
        sid = web_store.open_session_id(book, season.code, today)
        if sid is not None:
            return book.session_by_id(sid).ref
    for season in reversed(book.seasons()):
        sessions = book.sessions(season.code)
        if sessions:
            return sessions[-1].ref
    return None


async def organiser_page(request: Request) -> Response:
    signed = signed_in(request, "organiser")
    if signed is None:
        return RedirectResponse("/o/login", status_code=303)
    return _organiser(request, signed)


def _organiser(
    request: Request,
    signed: SignedIn,
    message: str | None = None,
    status: int = 200,
    *,
    ref: str | None = None,
    gate_form: gate_samples.GateForm | None = None,
) -> Response:
    state = web(request)
    gates = None
    with state.book() as book:
        ref = ref or _session_ref(request, book)
        try:
            view = approval.overview(book, ref) if ref else None
            if view is not None:
                gates = gate_samples.session_gates(book, view.session.id)
        except IddexiError as exc:
            view, message = None, str(exc)
        choices = [s for season in book.seasons() for s in book.sessions(season.code)]
        stalls = {s.code: s for s in book.stalls()}
        townships = book.townships()
        labels = {c.code: c for c in book.categories()}
    return page(
        request,
        "organiser.html",
        status=status,
        view=view,
        choices=choices,
        stalls=stalls,
        townships=townships,
        labels=labels,
        csrf=signed.csrf,
        message=message,
        gates=gates,
        gate_form=gate_form or gate_samples.GateForm(),
    )


async def _signed_form(request: Request) -> tuple[SignedIn, dict[str, list[str]]] | Response:
    """A POST of the organiser's page, signed in and with the page's CSRF token; else
    the refusal to send."""
    signed = signed_in(request, "organiser")
    if signed is None:
        return refusal(request, _("sign in again (the session expired)"), 401)
    data = await request.form()
    if data.get("csrf") != signed.csrf:
        return refusal(request, _("this form is not from your signed-in page; refused"), 403)
    return signed, {k: [str(v) for v in data.getlist(k)] for k in data.keys()}


def _back(ref: str) -> Response:
    target = "/o" + (f"?session={ref}" if SESSION_REF.fullmatch(ref) else "")
    return RedirectResponse(target, status_code=303)


def _action(handler):  # noqa: ANN001, ANN202
    """A POST of the organiser's page: signed in, the page's CSRF token, then ``handler``."""

    async def endpoint(request: Request) -> Response:
        checked = await _signed_form(request)
        if isinstance(checked, Response):
            return checked
        signed, form = checked
        state = web(request)
        try:
            with state.book() as book:
                handler(book, form)
        except IddexiError as exc:
            return _organiser(request, signed, str(exc), 409)
        except ValueError:
            return refusal(request, _("a field of this form is not valid"), 400)
        return _back((form.get("ref") or [""])[0])

    return endpoint


async def _count(request: Request) -> Response:
    """A timed gate count, recorded exactly as `iddexi session count` records it; a
    refusal is shown next to its field, with what was typed kept."""
    checked = await _signed_form(request)
    if isinstance(checked, Response):
        return checked
    signed, lists = checked
    form = {k: v[0] for k, v in lists.items() if v}
    ref = form.get("ref", "")
    if not SESSION_REF.fullmatch(ref):
        return refusal(request, _("a field of this form is not valid"), 400)
    with web(request).book() as book:
        entered = gate_samples.record(book, ref, form)
    if entered.errors:
        return _organiser(request, signed, status=422, ref=ref, gate_form=entered)
    return _back(ref)


def _decide(book, form: dict[str, list[str]]) -> None:  # noqa: ANN001
    """Approve (each one batch) or reject (with the one reason) the ticked submissions."""
    picked = [int(n) for n in form.get("pick", [])]
    if not picked:
        raise InputError(_("tick at least one submission"))
    action = (form.get("do") or [""])[0]
    if action == "approve":
        for number in picked:
            approval.approve(book, number)
    elif action == "reject":
        reason = (form.get("reason") or [""])[0]
        for number in picked:
            approval.reject(book, number, reason)
    else:
        raise ValueError(action)


def _record(book, lists: dict[str, list[str]]) -> None:  # noqa: ANN001
    form = {k: v[0] for k, v in lists.items() if v}
    ref = form.get("ref", "")
    details: dict[str, object] = {}
    if form.get("visitors", "").strip():
        details["visitors"] = parse_count(form["visitors"], "visitors")
    for name in ("host", "theme", "count_method"):
        if form.get(name, "").strip():
            details[name] = form[name].strip()[:200]
    book.set_session(ref, source=f"web: session set {ref}", **details)


def _close(book, form: dict[str, list[str]]) -> None:  # noqa: ANN001
    session = book.resolve_session((form.get("ref") or [""])[0], totals=False)
    web_store.close_session(book, session.id, approval.now_iso())


routes = [
    *login_routes("organiser"),
    Route("/o", organiser_page),
    Route("/o/decide", _action(_decide), methods=["POST"]),
    Route("/o/session", _action(_record), methods=["POST"]),
    Route("/o/close", _action(_close), methods=["POST"]),
    Route("/o/count", _count, methods=["POST"]),
]
