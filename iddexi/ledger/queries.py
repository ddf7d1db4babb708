"""The SQL behind the season reports: sums are made here, never by reading every line.

Every figure a report shows is a GROUP BY over the ``live_sales`` view (live batches
only, superseded lines left out), restricted to the sessions of the seasons compared, so
the work and the memory grow with the number of sessions and stalls, not with the number
of lines in the ledger. The one exception, :func:`window_lines`, streams the lines of
the two compared windows for the workbook's raw-data sheet, one session at a time.

Only the standard library is imported: the rows come back as small named tuples.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import NamedTuple

from iddexi.ledger.records import Stall
from iddexi.ledger.stored import stored_date, stored_optional_decimal


class SessionFigures(NamedTuple):
    """A live session as it stands now: its number by date and its latest details."""

    id: int
    season: str
    number: int
    date: dt.date
    host: str | None
    theme: str | None
    visitors: int | None
    count_method: str | None


class SessionCategoryTotal(NamedTuple):
    """The takings of one session in one category."""

    session_id: int
    category: str
    amount_fen: int
    lines: int


class StallTotal(NamedTuple):
    """The takings of one stall over a set of sessions.

    ``sessions`` counts the distinct sessions where the stall has a live line above ¥0
    (a stall selling meat and dairy at one session attended it once; a ¥0 line is not
    attendance).
    """

    stall: str
    amount_fen: int
    lines: int
    sessions: int


class SeasonYearTotal(NamedTuple):
    """One season's sessions that fall within a span of days, summed (for the year report)."""

    season: str
    kind: str
    name: str | None
    sessions: int
    uncounted: int
    visitors: int
    first: dt.date
    last: dt.date
    revenue_fen: int
    herder_fen: int


class CategoryInfo(NamedTuple):
    code: str
    label_zh: str
    label_en: str
    position: int


class RawLine(NamedTuple):
    """One live sales line, for the workbook's raw-data sheet."""

    id: int
    batch_id: int
    session_id: int
    stall: str
    category: str
    amount_fen: int
    quantity: Decimal | None
    unit: str | None
    note: str | None


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


SESSIONS_SQL = (
    "SELECT c.id, c.season, c.number, c.date, c.host, c.theme, c.visitors, c.count_method"
    " FROM current_sessions c WHERE c.season IN ({seasons}) ORDER BY c.season, c.date"
)

# The session ids come from a subquery so that SQLite walks the sales_by_session index
# of just these seasons' sessions, whatever else the ledger holds.
SESSION_CATEGORY_SQL = (
    "SELECT l.session_id, l.category, sum(l.amount_fen), count(*) FROM live_sales l"
    " WHERE l.session_id IN (SELECT id FROM live_sessions WHERE season IN ({seasons}))"
    " GROUP BY l.session_id, l.category"
)

STALL_SQL = (
    "SELECT l.stall, sum(l.amount_fen), count(*),"
    " count(DISTINCT CASE WHEN l.amount_fen > 0 THEN l.session_id END)"
    " FROM live_sales l WHERE l.session_id IN ({sessions}) GROUP BY l.stall"
)

# Sessions of a span of days by season (visits come from current_sessions, the latest
# live count), and their takings, total and of herder-run stalls, in one pass over the
# sales_by_session index of just those sessions.
YEAR_SESSIONS_SQL = (
    "SELECT c.id, c.season, c.date, c.visitors FROM current_sessions c WHERE c.date BETWEEN ? AND ?"
)
YEAR_SALES_SQL = (
    "SELECT l.session_id, sum(l.amount_fen),"
    " sum(CASE WHEN st.herder THEN l.amount_fen ELSE 0 END)"
    " FROM live_sales l LEFT JOIN stalls st ON st.code = l.stall"
    " WHERE l.session_id IN (SELECT id FROM live_sessions WHERE date BETWEEN ? AND ?)"
    " GROUP BY l.session_id"
)

LINES_SQL = (
    "SELECT l.id, l.batch_id, l.session_id, l.stall, l.category, l.amount_fen, l.quantity,"
    " l.unit, l.note FROM live_sales l WHERE l.session_id = ? ORDER BY l.stall, l.category, l.id"
)


def session_figures(conn: sqlite3.Connection, seasons: Sequence[str]) -> list[SessionFigures]:
    """The live sessions of ``seasons``, in season and date order."""
    if not seasons:
        return []
    rows = conn.execute(SESSIONS_SQL.format(seasons=_marks(seasons)), tuple(seasons))
    return [
        SessionFigures(sid, season, number, stored_date(date, f"session #{sid}'s date"), *rest)
        for sid, season, number, date, *rest in rows
    ]


def session_category_totals(
    conn: sqlite3.Connection, seasons: Sequence[str]
) -> list[SessionCategoryTotal]:
    """Takings per session and category over every live session of ``seasons``."""
    if not seasons:
        return []
    rows = conn.execute(SESSION_CATEGORY_SQL.format(seasons=_marks(seasons)), tuple(seasons))
    return [SessionCategoryTotal(*row) for row in rows]


def stall_totals(conn: sqlite3.Connection, session_ids: Sequence[int]) -> list[StallTotal]:
    """Takings per stall and category over the sessions given (one window)."""
    if not session_ids:
        return []
    rows = conn.execute(STALL_SQL.format(sessions=_marks(session_ids)), tuple(session_ids))
    return [StallTotal(*row) for row in rows]


def season_year_totals(
    conn: sqlite3.Connection, first: dt.date, last: dt.date
) -> list[SeasonYearTotal]:
    """Per season: its live sessions dated ``first``..``last`` and their sums."""
    span = (first.isoformat(), last.isoformat())
    seasons = {
        code: (kind, name)
        for code, kind, name in conn.execute("SELECT code, kind, name FROM seasons")
    }
    sales = {sid: (fen, herder) for sid, fen, herder in conn.execute(YEAR_SALES_SQL, span)}
    sums: dict[str, list] = {}
    for sid, season, date, visitors in conn.execute(YEAR_SESSIONS_SQL, span):
        day = dt.date.fromisoformat(date)
        row = sums.setdefault(season, [0, 0, 0, day, day, 0, 0])
        fen, herder = sales.get(sid, (0, 0))
        row[0] += 1
        row[1] += visitors is None
        row[2] += visitors or 0
        row[3], row[4] = min(row[3], day), max(row[4], day)
        row[5] += fen
        row[6] += herder
    return [
        SeasonYearTotal(code, *seasons.get(code, ("", None)), *row)
        for code, row in sorted(sums.items(), key=lambda kv: (kv[1][3], kv[0]))
    ]


def stall_infos(conn: sqlite3.Connection) -> list[Stall]:
    rows = conn.execute(
        "SELECT code, name, operator, township, herder, category FROM current_stalls ORDER BY code"
    )
    return [Stall(c, n, o, t, bool(h), cat) for c, n, o, t, h, cat in rows]


def category_infos(conn: sqlite3.Connection) -> list[CategoryInfo]:
    rows = conn.execute(
        "SELECT code, label_zh, label_en, position FROM categories ORDER BY position, code"
    )
    return [CategoryInfo(*row) for row in rows]


def window_lines(conn: sqlite3.Connection, session_ids: Sequence[int]) -> Iterator[RawLine]:
    """Every live line of the sessions given, session by session in the order given."""
    for session_id in session_ids:
        for row in conn.execute(LINES_SQL, (session_id,)):
            sid, batch, session, stall, category, fen, quantity, unit, note = row
            yield RawLine(
                sid,
                batch,
                session,
                stall,
                category,
                fen,
                stored_optional_decimal(quantity, f"sale #{sid}'s quantity"),
                unit,
                note,
            )
