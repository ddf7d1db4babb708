"""A template saved sheet by sheet: its sales sheet finds its session.

"Save as CSV" in Excel or WPS saves only the sheet on screen, so a filled template
comes as ``场次.csv`` (the session sheet: one row of season, date, host …) and ``销售.csv``
(the sales sheet: stall, category, amount, without season or session). Given together
in one command, the sales sheet belongs to the session of the session sheet; given
alone, to the session named by ``--session``.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from iddexi.i18n import _
from iddexi.ledger.errors import InputError, Problem
from iddexi.ledger.sessions import split_session_ref
from iddexi.ledger.values import parse_date_within
from iddexi.tally.cells import text
from iddexi.tally.files import TallyFile
from iddexi.tally.hints import hints_for

if TYPE_CHECKING:
    from iddexi.ledger.bulk import Lookups, Plan


def _is_session_sheet(f: TallyFile) -> bool:
    """One sessions table of one row: what a template's session sheet saves as."""
    if len(f.tables) != 1 or f.tables[0][1].kind.kind != "sessions":
        return False
    sheet = f.tables[0][0]
    return sum(1 for row in sheet.rows if not row.is_blank()) == 1


def pair_session_sheets(files: list[TallyFile], session: str | None) -> list[TallyFile]:
    """Give each lone sales sheet its session; session sheets go first in the returned list.

    A sales sheet without a session sheet alongside and without ``session`` gets a problem
    that says how to name its session.
    """
    lone = [f for f in files if f.lone_sales_sheet and not f.problems]
    if session is not None:
        if not lone:
            first = files[0]
            first.problems.append(
                Problem(
                    "--session",
                    _(
                        "no file here is a sales sheet without season and session columns; "
                        "leave out --session (the files name their sessions)"
                    ),
                    session,
                )
            )
        for f in lone:
            f.session_ref = session
        return files
    partners = [f for f in files if _is_session_sheet(f)]
    for f in lone:
        if len(partners) == 1:
            f.partner = partners[0]
            partners[0].session_sheet = True
            continue
        sheet = next(s for s, rec in f.tables if rec.kind.kind == "sales_sheet")
        f.problems.append(
            Problem(
                sheet.location(),
                _(
                    "this sales sheet has no season and session columns: give the template's "
                    "session sheet alongside (iddexi tally import 场次.csv 销售.csv) or name "
                    "the session with --session SEASON:N"
                )
                if not partners
                else _(
                    "this sales sheet has no season and session columns, and {count} session "
                    "sheets were given: import each sales sheet with its own session sheet, or "
                    "use --session"
                ).format(count=len(partners)),
            )
        )
    return sorted(files, key=lambda f: not f.session_sheet)


def session_for(
    f: TallyFile, lookups: Lookups, plan: Plan, problems: list[Problem]
) -> tuple[str, dt.date] | None:
    """(season, date) of the session a lone sales sheet belongs to, or None (a problem kept).

    From ``--session``: a recorded session, or a date of the season not yet recorded (the
    session is then created in ``plan``, as a template's session sheet would create it).
    From a session sheet: its row's season and date (that sheet creates the session).
    """
    if f.partner is not None:
        return _from_session_sheet(f.partner, lookups)
    ref = f.session_ref or ""
    try:
        season_code, which = split_session_ref(ref)
    except InputError as exc:
        problems.append(Problem("--session", str(exc), ref))
        return None
    season = lookups.seasons.get(season_code)
    if season is None:
        known = ", ".join(lookups.seasons) or _("none yet")
        problems.append(
            Problem(
                "--session",
                _("season {season} is not in the ledger{hint} (known: {known})").format(
                    season=season_code, hint=hints_for(lookups).season(season_code), known=known
                ),
                ref,
            )
        )
        return None
    if which.isdigit() and len(which) <= 4:
        row = lookups.by_number.get((season.code, int(which)))
        if row is None:
            problems.append(
                Problem(
                    "--session",
                    _("season {season} has no session {number}").format(
                        season=season.code, number=which
                    ),
                    ref,
                )
            )
            return None
        return season.code, row.date
    try:
        date = parse_date_within(which, season.start, season.end, "session")
    except InputError as exc:
        problems.append(Problem("--session", str(exc), ref))
        return None
    if not season.start <= date <= season.end:
        problems.append(
            Problem(
                "--session",
                _("{date} is outside season {season} ({start} … {end})").format(
                    date=date, season=season.code, start=season.start, end=season.end
                ),
                ref,
            )
        )
        return None
    if (season.code, date.isoformat()) not in lookups.sessions:
        plan.sessions.append((season.code, date, {}))
    return season.code, date


def _from_session_sheet(partner: TallyFile, lookups: Lookups) -> tuple[str, dt.date] | None:
    sheet, rec = partner.tables[0]
    row = next(r for r in sheet.rows if not r.is_blank())
    season = lookups.seasons.get(text(row.value(rec.columns["season"])) or "")
    if season is None:
        return None  # the session sheet reports it
    try:
        date = parse_date_within(row.value(rec.columns["date"]), season.start, season.end)
    except InputError:
        return None
    return season.code, date
