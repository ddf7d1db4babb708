"""The tourism bureau's page: the season report as of any date, read-only, behind its own
password. It calls :mod:`iddexi.reporting`'s top-level functions only (build the report,
write its files) and shows what they made: the figures, the charts, the brief, the
workbook to download."""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from iddexi.i18n import _
from iddexi.ledger import web_store
from iddexi.ledger.errors import IddexiError
from iddexi.ledger.values import parse_date
from iddexi.web.context import page, page_language, web
from iddexi.web.organiser import login_routes, signed_in

KEEP = 8  # reports kept ready (each a folder of a workbook, five PNGs and a brief)


@dataclass(frozen=True)
class Made:
    key: str
    folder: Path
    figures: list  # the report's headline tables, as the terminal shows them (SummaryTable)
    brief: str
    charts: list[str]
    workbook: str | None


class Reports:
    """Reports already made, by (season, as-of, language, ledger version)."""

    def __init__(self) -> None:
        self.made: OrderedDict[tuple, Made] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> Made | None:
        with self.lock:
            return self.made.get(key)

    def put(self, key: tuple, made: Made) -> None:
        with self.lock:
            self.made[key] = made
            while len(self.made) > KEEP:
                _, old = self.made.popitem(last=False)
                shutil.rmtree(old.folder, ignore_errors=True)

    def by_name(self, name: str) -> Made | None:
        with self.lock:
            return next((m for m in self.made.values() if m.key == name), None)


_reports = Reports()


def _make(request: Request, season: str, as_of: dt.date | None, lang: str) -> Made:
    from iddexi.render.summary_table import summary_tables
    from iddexi.reporting import build_season_report, write_report_files

    state = web(request)
    with state.reader() as book:
        version = web_store.ledger_version(book)
        key = (season, as_of, lang, version)
        made = _reports.get(key)
        if made is not None:
            return made
        report = build_season_report(book, season, as_of=as_of)
        folder = Path(tempfile.mkdtemp(prefix="iddexi-bureau-"))
        files = write_report_files(report, folder, lang)
        figures = summary_tables(report, lang)
    brief = next((p for p in files if p.suffix == ".txt"), None)
    made = Made(
        key=secrets.token_urlsafe(12),
        folder=folder,
        figures=figures,
        brief=brief.read_text(encoding="utf-8").strip() if brief else "",
        charts=[p.name for p in files if p.suffix == ".png"],
        workbook=next((p.name for p in files if p.suffix == ".xlsx"), None),
    )
    _reports.put(key, made)
    return made


async def bureau_page(request: Request) -> Response:
    if signed_in(request, "bureau") is None:
        return RedirectResponse("/b/login", status_code=303)
    state = web(request)
    with state.reader() as book:
        seasons = [s.code for s in book.seasons()]
    season = request.query_params.get("season") or (seasons[-1] if seasons else "")
    as_of_text = (request.query_params.get("as_of") or "").strip()
    made, error = None, None
    try:
        as_of = parse_date(as_of_text, "as of") if as_of_text else None
        if season not in seasons:
            error = _("there is no season yet") if not seasons else _("choose a season")
        else:
            made = _make(request, season, as_of, page_language(request))
    except IddexiError as exc:
        error = str(exc)
    return page(
        request,
        "bureau.html",
        seasons=seasons,
        season=season,
        as_of=as_of_text,
        made=made,
        error=error,
        csrf=signed_in(request, "bureau").csrf,  # type: ignore[union-attr]
    )


async def bureau_file(request: Request) -> Response:
    if signed_in(request, "bureau") is None:
        return RedirectResponse("/b/login", status_code=303)
    made = _reports.by_name(request.path_params["key"])
    name = request.path_params["name"]
    if made is None or name not in [*made.charts, made.workbook]:
        return Response(_("no such file"), status_code=404)
    return FileResponse(made.folder / name, filename=name if name.endswith(".xlsx") else None)


routes = [
    *login_routes("bureau"),
    Route("/b", bureau_page),
    Route("/b/file/{key}/{name}", bureau_file),
]
