"""Sessions (market days): added once, corrected by later batches, numbered by date."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from typing import TYPE_CHECKING

from iddexi.i18n import _
from iddexi.ledger.errors import ConflictError, InputError, NotFoundError
from iddexi.ledger.records import DAY_NAMES, MARKET_DAYS, Season, Session
from iddexi.ledger.stored import stored_date, stored_optional_decimal
from iddexi.ledger.values import clean_text, parse_date
from iddexi.ledger.words import COUNT_METHOD, pick

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from iddexi.ledger.gates import Estimate, OpenHours

_DETAIL_COLUMNS = (
    "c.id, c.season, c.number, c.date, c.host, c.theme, c.visitors, c.count_method,"
    " c.temperature, c.note,"
)
_SESSION_COLUMNS = (
    _DETAIL_COLUMNS
    + " (SELECT coalesce(sum(amount_fen), 0) FROM live_sales l WHERE l.session_id = c.id),"
    " (SELECT count(*) FROM live_sales l WHERE l.session_id = c.id)"
)
# Writes only need to know which session: summing its lines would cost a scan per entry.
_COLUMNS_WITHOUT_TOTALS = _DETAIL_COLUMNS + " 0, 0"
SESSION_FIELDS = ("host", "theme", "visitors", "count_method", "temperature", "note")


def _session_from_row(row: tuple) -> Session:
    sid, season, number, date, host, theme, visitors, method, temperature, note, fen, lines = row
    return Session(
        sid,
        season,
        number,
        stored_date(date, f"session #{sid}'s date"),
        host,
        theme,
        visitors,
        method,
        stored_optional_decimal(temperature, f"session #{sid}'s temperature", signed=True),
        note,
        fen,
        lines,
    )


def split_session_ref(ref: str) -> tuple[str, str]:
    season, sep, which = ref.strip().rpartition(":")
    if not sep or not season or not which:
        raise InputError(
            _(
                "session {ref!r} should be written SEASON:N or SEASON:YYYY-MM-DD, e.g. 2025-26:3"
            ).format(ref=ref)
        )
    return season, which


def market_day_mismatch(season: Season, date: dt.date) -> str | None:
    """A warning when a session falls on another weekday than the season's market day."""
    return off_market_day(season.code, season.market_day, date)


def off_market_day(season: str, market_day: str | None, date: dt.date) -> str | None:
    """What is wrong when ``date`` is not the season's market day; None when it is (or
    the season has none)."""
    if market_day not in MARKET_DAYS:
        return None
    expected = MARKET_DAYS.index(market_day)
    if date.weekday() == expected:
        return None
    return _("{date} is a {day}; season {season} is held on {market_day}s").format(
        date=date,
        day=_(DAY_NAMES[date.weekday()]),
        season=season,
        market_day=_(DAY_NAMES[expected]),
    )


class SessionsMixin:
    conn: sqlite3.Connection

    if TYPE_CHECKING:

        def batch(self, kind: str, source: str, **kw: object) -> AbstractContextManager[int]: ...
        def season(self, code: str) -> Season: ...
        def require_township(self, name: str) -> str: ...
        def write_session_hours(
            self, session_id: int, batch_id: int, hours: OpenHours, estimate: Estimate | None
        ) -> int | None: ...

    def _check_session_fields(self, fields: dict[str, object]) -> dict[str, object]:
        clean: dict[str, object] = {}
        for key, value in fields.items():
            if value is None:
                continue
            if key == "host":
                value = self.require_township(str(value))
            elif key == "count_method":
                value = pick(COUNT_METHOD, str(value), "count method")
            elif key == "visitors" and (not isinstance(value, int) or value < 0):
                raise InputError(
                    _("visitors {value!r} must be a whole number of zero or more").format(
                        value=value
                    )
                )
            elif key == "temperature":
                value = str(value)
            elif key in ("theme", "note"):
                value = clean_text(value, key, multiline=key == "note")
                if value is None:
                    continue
            clean[key] = value
        return clean

    def _insert_revision(self, session_id: int, batch_id: int, fields: dict[str, object]) -> None:
        self.conn.execute(
            "INSERT INTO session_revisions (session_id, batch_id, host, theme, visitors,"
            " count_method, temperature, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (session_id, batch_id, *(fields.get(f) for f in SESSION_FIELDS)),
        )

    def add_session(
        self,
        season_code: str,
        date: dt.date,
        *,
        source: str = "session add",
        batch_kind: str = "entry",
        **fields: object,
    ) -> Session:
        """Record a market day. ``fields``: host, theme, visitors, count_method, temperature, note."""
        season = self.season(season_code)
        if not season.start <= date <= season.end:
            raise InputError(
                _("date {date} is outside season {code} ({start} … {end})").format(
                    date=date, code=season.code, start=season.start, end=season.end
                )
            )
        clean = self._check_session_fields(fields)
        with self.batch(batch_kind, source) as batch_id:
            session_id = self.insert_session(season.code, date, batch_id, clean)
        return self.session_by_id(session_id)

    def enter_session(
        self, season_code: str, date: dt.date, *, source: str = "session add", **fields: object
    ) -> tuple[Session, list[str]]:
        """:meth:`add_session` for someone at the keyboard: the session, and what they
        should be told about it (an unusual weekday, later sessions renumbered)."""
        session = self.add_session(season_code, date, source=source, **fields)
        warnings = []
        off_day = market_day_mismatch(self.season(season_code), date)
        if off_day:
            warnings.append(off_day)
        later = self.conn.execute(
            "SELECT date, number FROM current_sessions WHERE season = ? AND date > ? ORDER BY date",
            (session.season, date.isoformat()),
        ).fetchall()
        if later:
            # SEASON:N names a session by its position, so an earlier date shifts later ones
            warnings.append(
                _("{count} later session(s) now have new numbers: ").format(count=len(later))
                + ", ".join(
                    _("{day} is {ref}").format(day=day, ref=f"{session.season}:{number}")
                    for day, number in later
                )
            )
        return session, warnings

    def insert_session(
        self, season: str, date: dt.date, batch_id: int, fields: dict[str, object]
    ) -> int:
        """Write a session inside an open batch (for callers that already validated)."""
        existing = self.conn.execute(
            "SELECT batch_id FROM live_sessions WHERE season = ? AND date = ?",
            (season, date.isoformat()),
        ).fetchone()
        if existing:
            raise ConflictError(
                _(
                    "season {season} already has a session on {date} (batch {value}); correct it with `iddexi session set`"
                ).format(season=season, date=date, value=existing[0])
            )
        cursor = self.conn.execute(
            "INSERT INTO sessions (season, date, batch_id) VALUES (?, ?, ?)",
            (season, date.isoformat(), batch_id),
        )
        session_id = int(cursor.lastrowid)
        self._insert_revision(session_id, batch_id, fields)
        return session_id

    def set_session(
        self,
        ref: str,
        *,
        source: str = "session set",
        hours: OpenHours | None = None,
        estimate: Estimate | None = None,
        **fields: object,
    ) -> Session:
        """Correct a session's details in a new batch; the earlier values stay in history.

        ``hours`` sets its open hours; a session with gate samples then gets its visitors
        estimated again (by ``estimate``), unless the visitors are given too.
        """
        clean = self._check_session_fields(fields)
        if not clean and hours is None:
            raise InputError(
                _("nothing to change: give at least one of --visitors, --host, --theme …")
            )
        with self.batch("correction", source) as batch_id:
            session = self.resolve_session(ref, totals=False)
            if hours is not None:
                visitors = self.write_session_hours(session.id, batch_id, hours, estimate)
                if visitors is not None and "visitors" not in clean:
                    clean.update(visitors=visitors, count_method="sample")
            if clean:
                self._insert_revision(session.id, batch_id, clean)
        return self.session_by_id(session.id)

    def session_by_id(self, session_id: int) -> Session:
        row = self.conn.execute(
            f"SELECT {_SESSION_COLUMNS} FROM current_sessions c WHERE c.id = ?", (session_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(
                _("session #{session_id} is not live in the ledger").format(session_id=session_id)
            )
        return _session_from_row(row)

    def sessions(self, season_code: str) -> list[Session]:
        season = self.season(season_code)
        rows = self.conn.execute(
            f"SELECT {_SESSION_COLUMNS} FROM current_sessions c WHERE c.season = ? ORDER BY c.date",
            (season.code,),
        ).fetchall()
        return [_session_from_row(r) for r in rows]

    def find_session(
        self, season_code: str, date: dt.date, *, totals: bool = True
    ) -> Session | None:
        columns = _SESSION_COLUMNS if totals else _COLUMNS_WITHOUT_TOTALS
        row = self.conn.execute(
            f"SELECT {columns} FROM current_sessions c WHERE c.season = ? AND c.date = ?",
            (season_code, date.isoformat()),
        ).fetchone()
        return _session_from_row(row) if row else None

    def _nearest_sessions(self, season_code: str, date: dt.date) -> str:
        """``; did you mean 2025-26:3 (2025-12-06)?``: the sessions closest in time."""
        rows = self.conn.execute(
            "SELECT number, date FROM current_sessions WHERE season = ?", (season_code,)
        ).fetchall()
        if not rows:
            return ""
        by_distance = sorted(rows, key=lambda r: abs(dt.date.fromisoformat(r[1]) - date))
        nearest = [f"{season_code}:{n} ({d})" for n, d in by_distance[:2]]
        return _("; did you mean {choices}?").format(choices=_(" or ").join(nearest))

    def resolve_session(self, ref: str, *, totals: bool = True) -> Session:
        """A session from ``SEASON:N`` (its position by date) or ``SEASON:YYYY-MM-DD``.

        ``totals=False`` leaves revenue and line count at zero (for writes, which only need
        to know the session).
        """
        season_code, which = split_session_ref(ref)
        season = self.season(season_code)
        columns = _SESSION_COLUMNS if totals else _COLUMNS_WITHOUT_TOTALS
        if re.fullmatch(r"\d{1,4}", which, re.ASCII):
            number = int(which)
            row = self.conn.execute(
                f"SELECT {columns} FROM current_sessions c WHERE c.season = ? AND c.number = ?",
                (season.code, number),
            ).fetchone()
            if row is None:
                count = self.conn.execute(
                    "SELECT count(*) FROM live_sessions WHERE season = ?", (season.code,)
                ).fetchone()[0]
                raise NotFoundError(
                    _(
                        "session {ref} does not exist: season {season} has {count} session(s)"
                    ).format(ref=repr(ref), season=season.code, count=count)
                )
            return _session_from_row(row)
        date = parse_date(which, "session date")
        found = self.find_session(season.code, date, totals=totals)
        if found is None:
            raise NotFoundError(
                _("session {ref} does not exist: season {season} has no session on {date}").format(
                    ref=repr(ref), season=season.code, date=date
                )
                + self._nearest_sessions(season.code, date)
            )
        return found
