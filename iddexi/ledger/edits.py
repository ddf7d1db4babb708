"""The organiser's corrections: a stall's, season's or township's details, a session's date.

Nothing is changed in place: each correction is a revision row in a new batch (kind
``correction``) naming the fields it sets, and the ``current_*`` views give every field
its latest live value. Voiding the batch brings the earlier details back.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import TYPE_CHECKING

from iddexi.i18n import _
from iddexi.ledger.errors import ConflictError, InputError
from iddexi.ledger.records import Season, Session, Stall, Township
from iddexi.ledger.reference import refuse_overlapping_seasons
from iddexi.ledger.sessions import market_day_mismatch
from iddexi.ledger.words import MARKET_DAY, TOWNSHIP_KIND, pick

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

BATCH_KINDS = ("setup", "entry", "correction", "import", "demo")


def _changed(current: dict[str, object], wanted: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in wanted.items() if v is not _KEEP and current.get(k) != v}


class _Keep:
    def __repr__(self) -> str:
        return "keep"


#: A field the command leaves as it is (None means "clear it").
_KEEP: object = _Keep()


def _insert(
    conn: sqlite3.Connection, table: str, key: str, value: str, batch: int, fields: dict
) -> None:
    columns = ", ".join(fields)
    marks = ", ".join("?" for _ in fields)
    conn.execute(
        f"INSERT INTO {table} ({key}, batch_id, changed, {columns}) VALUES (?, ?, ?, {marks})",
        (value, batch, " " + " ".join(fields) + " ", *fields.values()),
    )


class EditsMixin:
    conn: sqlite3.Connection

    if TYPE_CHECKING:

        def batch(self, kind: str, source: str, **kw: object) -> AbstractContextManager[int]: ...
        def stall(self, code: str, *, by_name: bool = False) -> Stall: ...
        def season(self, code: str) -> Season: ...
        def townships(self) -> list[Township]: ...
        def require_township(self, name: str) -> str: ...
        def resolve_category(self, text: str) -> str: ...
        def resolve_session(self, ref: str, *, totals: bool = True) -> Session: ...
        def session_by_id(self, session_id: int) -> Session: ...

    def edit_stall(
        self,
        code: str,
        *,
        name: str | None = None,
        operator: str | None = None,
        township: str | None = None,
        herder: bool | None = None,
        category: str | None = None,
        source: str = "stall edit",
    ) -> tuple[Stall, list[str]]:
        """Correct a stall's details (an empty operator, township or category clears it).
        Returns the stall as it now stands and the fields changed."""
        wanted: dict[str, object] = {
            "name": _KEEP,
            "operator": _KEEP,
            "township": _KEEP,
            "herder": _KEEP if herder is None else herder,
            "category": _KEEP,
        }
        if name is not None:
            wanted["name"] = name.strip()
            if not wanted["name"]:
                raise InputError(_("a stall's name cannot be empty"))
        if operator is not None:
            wanted["operator"] = operator.strip() or None
        if township is not None:
            wanted["township"] = self.require_township(township) if township.strip() else None
        if category is not None:
            wanted["category"] = self.resolve_category(category) if category.strip() else None
        with self.batch("correction", source) as batch_id:
            stall = self.stall(code, by_name=True)
            changes = _changed(stall._asdict(), wanted)
            if not changes:
                raise InputError(
                    _("nothing to change: stall {code} already has these details").format(
                        code=stall.code
                    )
                )
            if "herder" in changes:
                changes["herder"] = int(bool(changes["herder"]))
            _insert(self.conn, "stall_revisions", "stall", stall.code, batch_id, changes)
        return self.stall(stall.code), list(changes)

    def edit_season(
        self,
        code: str,
        *,
        name: str | None = None,
        start: dt.date | None = None,
        end: dt.date | None = None,
        planned: int | None = None,
        market_day: str | None = None,
        source: str = "season edit",
    ) -> tuple[Season, list[str]]:
        """Correct a season's name, dates, planned sessions or market day."""
        if planned is not None and planned < 1:
            raise InputError(_("planned sessions {n} must be 1 or more").format(n=planned))
        day = pick(MARKET_DAY, market_day, "market day") if market_day is not None else None
        with self.batch("correction", source) as batch_id:
            season = self.season(code)
            current = {
                "name": season.name,
                "start_date": season.start,
                "end_date": season.end,
                "planned_sessions": season.planned_sessions,
                "market_day": season.market_day,
            }
            wanted: dict[str, object] = {
                "name": _KEEP if name is None else (name.strip() or None),
                "start_date": start or _KEEP,
                "end_date": end or _KEEP,
                "planned_sessions": _KEEP if planned is None else planned,
                "market_day": _KEEP if day is None else day,
            }
            changes = _changed(current, wanted)
            if not changes:
                raise InputError(
                    _("nothing to change: season {code} already has these details").format(
                        code=season.code
                    )
                )
            new_start = changes.get("start_date", season.start)
            new_end = changes.get("end_date", season.end)
            assert isinstance(new_start, dt.date) and isinstance(new_end, dt.date)
            if new_start > new_end:
                raise InputError(
                    _("season {code} would start {start} after it ends {end}").format(
                        code=season.code, start=new_start, end=new_end
                    )
                )
            stored = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in changes.items()}
            _insert(self.conn, "season_revisions", "season", season.code, batch_id, stored)
            self._refuse_sessions_outside(season.code)
            refuse_overlapping_seasons(self.conn, [season.code])
        options = {"start_date": "start", "end_date": "end", "planned_sessions": "planned"}
        return self.season(season.code), [options.get(k, k) for k in changes]

    def edit_township(
        self, name: str, *, kind: str | None, source: str = "township edit"
    ) -> Township:
        """Correct a township's kind (sumu, town or township)."""
        new_kind = pick(TOWNSHIP_KIND, kind, "township kind") if kind else None
        if new_kind is None:
            raise InputError(_("nothing to change: give --kind sumu, town or township"))
        with self.batch("correction", source) as batch_id:
            township = self.require_township(name)
            current = next(t for t in self.townships() if t.name == township)
            if current.kind == new_kind:
                raise InputError(
                    _("nothing to change: township {name} is already a {kind}").format(
                        name=township, kind=new_kind
                    )
                )
            _insert(
                self.conn, "township_revisions", "township", township, batch_id, {"kind": new_kind}
            )
        return Township(township, new_kind)

    def move_session(
        self, ref: str, date: dt.date, *, source: str = "session move"
    ) -> tuple[Session, dt.date, list[str]]:
        """Move a session, with its sales, to another date of its season (one batch).

        Returns the session as it now stands, its old date, and what to tell people (an
        unusual weekday, sessions renumbered).
        """
        with self.batch("correction", source) as batch_id:
            session = self.resolve_session(ref, totals=False)
            season = self.season(session.season)
            if date == session.date:
                raise InputError(
                    _("nothing to change: session {ref} is already on {date}").format(
                        ref=session.ref, date=date
                    )
                )
            if not season.start <= date <= season.end:
                raise InputError(
                    _(
                        "{date} is outside season {season} ({start} … {end}); correct the "
                        "season's dates first with `iddexi season edit`"
                    ).format(date=date, season=season.code, start=season.start, end=season.end)
                )
            taken = self.conn.execute(
                "SELECT batch_id FROM live_sessions WHERE season = ? AND date = ?",
                (season.code, date.isoformat()),
            ).fetchone()
            if taken:
                raise ConflictError(
                    _(
                        "season {season} already has a session on {date} (batch {batch}); "
                        "move or void that one first"
                    ).format(season=season.code, date=date, batch=taken[0])
                )
            self.conn.execute(
                "INSERT INTO session_moves (session_id, batch_id, date) VALUES (?, ?, ?)",
                (session.id, batch_id, date.isoformat()),
            )
        moved = self.session_by_id(session.id)
        warnings = []
        off_day = market_day_mismatch(season, date)
        if off_day:
            warnings.append(off_day)
        if moved.number != session.number:
            warnings.append(
                _("sessions are numbered by date: {old} is now {new}").format(
                    old=session.ref, new=moved.ref
                )
            )
        return moved, session.date, warnings

    # --- what voiding a correction must not break -----------------------------------
    def _refuse_sessions_outside(self, season: str) -> None:
        row = self.conn.execute(
            "SELECT l.date, s.start_date, s.end_date FROM live_sessions l"
            " JOIN current_seasons s ON s.code = l.season"
            " WHERE l.season = ? AND (l.date < s.start_date OR l.date > s.end_date)"
            " ORDER BY l.date LIMIT 1",
            (season,),
        ).fetchone()
        if row:
            raise ConflictError(
                _(
                    "season {season} would run {start} … {end} but has a session on {date}; "
                    "move it first with `iddexi session move`"
                ).format(season=season, start=row[1], end=row[2], date=row[0])
            )

    def _refuse_restored_clash(self, batch_id: int) -> None:
        """Voiding a move puts the session back on its old date; refuse when another
        session now stands there, or when a restored season's dates leave one out."""
        row = self.conn.execute(
            "SELECT l.season, l.date FROM session_moves m JOIN live_sessions l"
            " ON l.id = m.session_id WHERE m.batch_id = ? AND EXISTS (SELECT 1 FROM"
            " live_sessions o WHERE o.season = l.season AND o.date = l.date AND o.id != l.id)"
            " LIMIT 1",
            (batch_id,),
        ).fetchone()
        if row:
            raise ConflictError(
                _(
                    "voiding batch {batch} would move a session back to {date}, where season "
                    "{season} now has another session; move or void that one first"
                ).format(batch=batch_id, date=row[1], season=row[0])
            )
        for (season,) in self.conn.execute(
            "SELECT DISTINCT season FROM season_revisions WHERE batch_id = ?", (batch_id,)
        ).fetchall():
            self._refuse_sessions_outside(season)
