"""A sales line's session, told by its season and session cells: each pair resolved once.

A session is named by its number (``3``), its date (``2025-12-06``, ``12月6日`` within the
season), or ``SEASON:N`` in the session cell; a table without a season column names
sessions by date alone, which must then belong to one season only.
"""

from __future__ import annotations

import datetime as dt
import re

from iddexi.i18n import _
from iddexi.ledger.bulk import Lookups
from iddexi.ledger.errors import InputError, Problem
from iddexi.ledger.sessions import split_session_ref
from iddexi.ledger.values import parse_date, parse_date_within
from iddexi.tally.cells import reword, text
from iddexi.tally.hints import hints_for

#: The season value of a sales table without a season column.
NO_COLUMN = object()


class SessionResolver:
    """(season, session) values to a session id, with each distinct pair resolved once.

    ``season`` is :data:`NO_COLUMN` when the table has no season column.
    """

    def __init__(self, lookups: Lookups) -> None:
        self.lookups = lookups
        self.cache: dict[tuple[object, object], tuple[int, None] | tuple[None, Problem]] = {}

    def resolve(self, season: object, session: object) -> tuple[int, None] | tuple[None, Problem]:
        """``(id, None)``, or ``(None, Problem)`` whose location is ``season`` or
        ``session``: the column to blame (the caller knows the row)."""
        key = (season, session)
        found = self.cache.get(key)
        if found is None:
            found = self._resolve(season, session)
            self.cache[key] = found
        return found

    def _resolve(self, season: object, which: object) -> tuple[int, None] | tuple[None, Problem]:
        def fail(where: str, message: str) -> tuple[None, Problem]:
            return None, Problem(where, message)

        lk = self.lookups
        season_code = None if season is NO_COLUMN else text(season)
        shown = text(which)
        if shown and ":" in shown and not isinstance(which, dt.date):
            try:
                season_code, shown = split_session_ref(shown)
            except InputError as exc:
                return fail("session", str(exc))
            which = shown
        if shown is None:
            return fail("session", _("session is empty; give its number or date"))
        number = _session_number(which)
        if not season_code:
            if number is not None or season is not NO_COLUMN:
                return fail("season", _("season is empty; give its code, e.g. 2025-26"))
            return self._by_date_alone(which)
        season = lk.seasons.get(season_code)
        if season is None:
            known = ", ".join(lk.seasons) or _("none yet")
            return fail(
                "season",
                _("season {season_code} is not in the ledger{hint} (known: {known})").format(
                    season_code=season_code, hint=hints_for(lk).season(season_code), known=known
                ),
            )
        if number is not None:
            row = lk.by_number.get((season.code, number))
            if row is None:
                count = sum(1 for s, _ in lk.by_number if s == season.code)
                return fail(
                    "session",
                    _("season {season_code} has no session {number} (it has {count})").format(
                        season_code=season.code, number=number, count=count
                    ),
                )
            return row.id, None
        try:
            date = parse_date_within(which, season.start, season.end, "session")
        except InputError as exc:
            return fail("session", reword(exc, "session", which) + _(" or a session number"))
        if not season.start <= date <= season.end:
            return fail(
                "session",
                _("{date} is outside season {season_code} ({season_start} … {season_end})").format(
                    date=date,
                    season_code=season.code,
                    season_start=season.start,
                    season_end=season.end,
                ),
            )
        row = lk.sessions.get((season.code, date.isoformat()))
        if row is None:
            return fail(
                "session",
                _(
                    "season {season_code} has no session on {date}; import the sessions table first or add it with `iddexi session add {season_code} --date {date}`"
                ).format(season_code=season.code, date=date),
            )
        return row.id, None

    def _by_date_alone(self, which: object) -> tuple[int, None] | tuple[None, Problem]:
        """A table without a season column: the date names the session in any season."""
        try:
            date = parse_date(which, "session")
        except InputError as exc:
            message = reword(exc, "session", which) + _("; without a season column give dates")
            return None, Problem("session", message)
        day = date.isoformat()
        found = [s for (_, d), s in self.lookups.sessions.items() if d == day]
        if len(found) == 1:
            return found[0].id, None
        if found:
            seasons = ", ".join(s.season for s in found)
            message = _("{date} is a session of seasons {seasons}; add a season column").format(
                date=date, seasons=seasons
            )
        else:
            message = _(
                "no season has a session on {date}; import the sessions table first or add it with `iddexi session add`"
            ).format(date=date)
        return None, Problem("session", message)


def _session_number(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,4}\s*", value):
        return int(value)
    return None
