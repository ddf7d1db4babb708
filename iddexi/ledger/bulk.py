"""Bulk reads and writes for imported tally sheets.

An import validates tens of thousands of rows against the ledger; asking the ledger one
row at a time would cost more than the work itself. :func:`load_lookups` reads what
validation needs once (stall codes, category names, townships, seasons, sessions), and
:func:`write_plan` writes a validated :class:`Plan` inside an open transaction.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from operator import itemgetter
from typing import TYPE_CHECKING

from iddexi.ledger.chain import fresh_sales_rows, record_superseded
from iddexi.ledger.gates import GateCount
from iddexi.ledger.records import Season, Stall
from iddexi.ledger.reference import refuse_overlapping_seasons
from iddexi.ledger.sessions import SESSION_FIELDS

if TYPE_CHECKING:
    from iddexi.ledger.core import Ledger


# (session id, stall, category, amount_fen) or the same followed by (quantity as exact
# decimal text, unit, note): most lines have no quantity, and SQLite writes the short
# form a third faster
LineRow = tuple[int, str, str, int] | tuple[int, str, str, int, str | None, str | None, str | None]


@dataclass(frozen=True)
class SessionRow:
    """A live session as it stands now (latest live value of every field)."""

    id: int
    season: str
    number: int
    date: dt.date
    values: dict[str, object]  # host, theme, visitors, count_method, temperature (Decimal), note

    @property
    def ref(self) -> str:
        return f"{self.season}:{self.number}"


@dataclass(frozen=True)
class LiveLine:
    """A live sales line, for spotting clashes with an imported row."""

    sale_id: int
    batch_id: int
    amount_fen: int
    quantity: Decimal | None
    unit: str | None
    note: str | None


@dataclass
class Lookups:
    """What validation needs from the ledger, read once per imported file."""

    stalls: dict[str, Stall]  # casefolded code -> stall
    categories: dict[str, str]  # casefolded code, label or alias -> code
    category_labels: dict[str, tuple[str, str]]  # code -> (zh, en)
    townships: dict[str, str | None]  # name -> kind
    seasons: dict[str, Season]
    sessions: dict[tuple[str, str], SessionRow]  # (season, ISO date) -> session
    by_number: dict[tuple[str, int], SessionRow] = field(default_factory=dict)


def load_lookups(ledger: Ledger) -> Lookups:
    conn = ledger.conn
    stalls = {
        code.casefold(): Stall(code, name, operator, township, bool(herder), category)
        for code, name, operator, township, herder, category in conn.execute(
            "SELECT code, name, operator, township, herder, category FROM current_stalls"
        )
    }
    categories: dict[str, str] = {}
    labels: dict[str, tuple[str, str]] = {}
    for code, zh, en in conn.execute(
        "SELECT code, label_zh, label_en FROM categories ORDER BY position, code"
    ):
        labels[code] = (zh, en)
        for name in (code, zh, en):
            categories.setdefault(name.casefold(), code)
    for alias, code in conn.execute("SELECT alias, category FROM category_aliases"):
        categories.setdefault(alias.casefold(), code)
    townships = dict(conn.execute("SELECT name, kind FROM current_townships").fetchall())
    seasons = {s.code: s for s in ledger.seasons()}
    sessions: dict[tuple[str, str], SessionRow] = {}
    by_number: dict[tuple[str, int], SessionRow] = {}
    for row in conn.execute(
        "SELECT id, season, number, date, host, theme, visitors, count_method, temperature,"
        " note FROM current_sessions"
    ):
        sid, season, number, date, host, theme, visitors, method, temperature, note = row
        values = {
            "host": host,
            "theme": theme,
            "visitors": visitors,
            "count_method": method,
            "temperature": Decimal(temperature) if temperature is not None else None,
            "note": note,
        }
        session = SessionRow(sid, season, number, dt.date.fromisoformat(date), values)
        sessions[season, date] = session
        by_number[season, number] = session
    return Lookups(stalls, categories, labels, townships, seasons, sessions, by_number)


def live_lines(ledger: Ledger, session_ids: set[int]) -> dict[tuple[int, str, str], LiveLine]:
    """The live lines of these sessions by (session id, stall, category)."""
    found: dict[tuple[int, str, str], LiveLine] = {}
    ids = sorted(session_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for sid, batch, session, stall, category, fen, qty, unit, note in ledger.conn.execute(
            "SELECT id, batch_id, session_id, stall, category, amount_fen, quantity, unit, note"
            f" FROM live_sales WHERE session_id IN ({marks})",
            chunk,
        ):
            quantity = Decimal(qty) if qty is not None else None
            found[session, stall, category] = LiveLine(sid, batch, fen, quantity, unit, note)
    return found


def session_field_batches(ledger: Ledger, session_id: int) -> dict[str, int]:
    """For each field of a session, the batch whose live revision set its current value."""
    found: dict[str, int] = {}
    rows = ledger.conn.execute(
        "SELECT r.batch_id, r.host, r.theme, r.visitors, r.count_method, r.temperature, r.note"
        " FROM session_revisions r JOIN batches b ON b.id = r.batch_id AND b.voided_at IS NULL"
        " WHERE r.session_id = ? ORDER BY r.id DESC",
        (session_id,),
    ).fetchall()
    for batch_id, *values in rows:
        for name, value in zip(SESSION_FIELDS, values, strict=True):
            if value is not None:
                found.setdefault(name, batch_id)
    return found


def reference_batch(ledger: Ledger, table: str, key: str) -> int | None:
    """The batch that last set a stall, township or season (for clash messages)."""
    column = {"stalls": "code", "townships": "name", "seasons": "code"}[table]
    row = ledger.conn.execute(f"SELECT batch_id FROM {table} WHERE {column} = ?", (key,)).fetchone()
    if row is None:
        return None
    # a later live `stall edit` (season, township) set what the ledger holds now
    revisions, of = {
        "stalls": ("stall_revisions", "stall"),
        "townships": ("township_revisions", "township"),
        "seasons": ("season_revisions", "season"),
    }[table]
    edited = ledger.conn.execute(
        f"SELECT max(r.batch_id) FROM {revisions} r JOIN batches b ON b.id = r.batch_id"
        f" AND b.voided_at IS NULL WHERE r.{of} = ? AND r.batch_id > ?",
        (key, row[0]),
    ).fetchone()[0]
    return edited or row[0]


@dataclass
class Plan:
    """Everything one imported file will write, already validated."""

    kind: str
    townships: list[tuple[str, str | None]] = field(default_factory=list)
    township_updates: list[tuple[str, str | None]] = field(default_factory=list)
    seasons: list[Season] = field(default_factory=list)
    season_updates: list[Season] = field(default_factory=list)
    stalls: list[Stall] = field(default_factory=list)
    stall_updates: list[Stall] = field(default_factory=list)
    sessions: list[tuple[str, dt.date, dict[str, object]]] = field(default_factory=list)
    revisions: list[tuple[int, dict[str, object]]] = field(default_factory=list)
    # plain tuples (see LineRow), since a sales table can hold 100,000 of them
    lines: list[LineRow] = field(default_factory=list)
    voids: list[int] = field(default_factory=list)
    gate_samples: list[tuple[int, GateCount]] = field(default_factory=list)  # (session id, …)
    skipped: int = 0  # roster rows identical to what the ledger already holds
    # Sales lines and session details identical to the ledger's: written again in this
    # batch (the lines superseding the old ones), so that the batch holds all its file
    # says and voiding the older batch loses nothing.
    carried_lines: int = 0
    carried_details: int = 0

    @property
    def carried(self) -> int:
        return self.carried_lines + self.carried_details

    @property
    def rows(self) -> int:
        return (
            len(self.townships)
            + len(self.township_updates)
            + len(self.seasons)
            + len(self.season_updates)
            + len(self.stalls)
            + len(self.stall_updates)
            + len(self.sessions)
            + len(self.revisions)
            + len(self.lines)
            + len(self.gate_samples)
        )

    @property
    def total_fen(self) -> int:
        return sum(map(itemgetter(3), self.lines))


@contextmanager
def foreign_keys_off(conn: sqlite3.Connection) -> Iterator[None]:
    """SQLite's per-row foreign-key checks off for the transaction run inside (the pragma
    only takes effect outside a transaction); back to what they were afterwards.

    For an import of sales tables only: validation resolved each line's session, stall
    and category inside the same write transaction, and :func:`insert_sales` checks every
    distinct value again before writing, where SQLite would look them up for every line
    (a quarter of the insert's time). Such an import writes only its batches, the lines
    and, with --replace, voids of lines it has just read.
    """
    if conn.in_transaction:
        yield
        return
    was_on = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        if was_on:
            conn.execute("PRAGMA foreign_keys = ON")


def insert_batch(
    ledger: Ledger, source: str, sha256: str | None, control_total_fen: int | None
) -> int:
    """The batch row of one imported file (inside the caller's open transaction)."""
    from iddexi.ledger.core import now_iso

    cursor = ledger.conn.execute(
        "INSERT INTO batches (kind, source, sha256, created_at, created_by, control_total_fen)"
        " VALUES ('import', ?, ?, ?, ?, ?)",
        (source, sha256, now_iso(), ledger.user, control_total_fen),
    )
    # an id freed by a file that was undone comes back: what was kept for it is stale
    ledger.fresh_sales.pop(int(cursor.lastrowid), None)
    return int(cursor.lastrowid)


def record_control_total(ledger: Ledger, batch_id: int, total_fen: int) -> None:
    """Give a batch that had none the total of the lines it wrote (same transaction), so
    that `iddexi check` can tell if one of them is ever changed behind its back."""
    ledger.conn.execute(
        "UPDATE batches SET control_total_fen = ? WHERE id = ? AND control_total_fen IS NULL",
        (total_fen, batch_id),
    )


def write_plan(ledger: Ledger, plan: Plan, batch_id: int) -> None:
    """Write a validated plan inside an open transaction, reference data first."""
    conn = ledger.conn
    conn.executemany(
        "INSERT INTO townships (name, kind, batch_id) VALUES (?, ?, ?)",
        [(name, kind, batch_id) for name, kind in plan.townships],
    )
    record_superseded(conn, "townships", [name for name, _ in plan.township_updates], batch_id)
    conn.executemany(
        "UPDATE townships SET kind = ?, batch_id = ? WHERE name = ?",
        [(kind, batch_id, name) for name, kind in plan.township_updates],
    )
    season_values = [
        (
            s.name,
            s.kind,
            s.start.isoformat(),
            s.end.isoformat(),
            s.planned_sessions,
            s.market_day,
            batch_id,
            s.code,
        )
        for s in plan.seasons + plan.season_updates
    ]
    conn.executemany(
        "INSERT INTO seasons (name, kind, start_date, end_date, planned_sessions, market_day,"
        " batch_id, code) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        season_values[: len(plan.seasons)],
    )
    record_superseded(conn, "seasons", [s.code for s in plan.season_updates], batch_id)
    conn.executemany(
        "UPDATE seasons SET name = ?, kind = ?, start_date = ?, end_date = ?,"
        " planned_sessions = ?, market_day = ?, batch_id = ? WHERE code = ?",
        season_values[len(plan.seasons) :],
    )
    if plan.seasons or plan.season_updates:
        refuse_overlapping_seasons(conn, [s.code for s in plan.seasons + plan.season_updates])
    stall_values = [
        (s.name, s.operator, s.township, int(s.herder), s.category, batch_id, s.code)
        for s in plan.stalls + plan.stall_updates
    ]
    conn.executemany(
        "INSERT INTO stalls (name, operator, township, herder, category, batch_id, code)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        stall_values[: len(plan.stalls)],
    )
    record_superseded(conn, "stalls", [s.code for s in plan.stall_updates], batch_id)
    conn.executemany(
        "UPDATE stalls SET name = ?, operator = ?, township = ?, herder = ?, category = ?,"
        " batch_id = ? WHERE code = ?",
        stall_values[len(plan.stalls) :],
    )
    for season, date, fields in plan.sessions:
        ledger.insert_session(season, date, batch_id, fields)
    for session_id, fields in plan.revisions:
        ledger._insert_revision(session_id, batch_id, fields)
    if plan.gate_samples:
        ledger.insert_gate_samples(batch_id, plan.gate_samples)
    if plan.voids:
        ledger.void_lines(plan.voids, batch_id)
    if plan.lines:
        insert_sales(ledger, plan.lines, batch_id)


def insert_sales(ledger: Ledger, lines: list[LineRow], batch_id: int) -> None:
    """Write validated lines inside an open batch (Ledger.insert_lines without its records).

    The lines go to SQLite as they are when they all have the short form, in file order;
    the batch id is written into the statement (an integer from the database itself).
    First the lines' references are checked once per distinct value, so that the
    importer may switch SQLite's per-row foreign-key checks off for them.
    """
    check_references(ledger.conn, lines, batch_id)
    first, rows = fresh_sales_rows(ledger.conn, batch_id, lines)
    kept = ledger.fresh_sales.setdefault(batch_id, [])
    if kept and kept[-1][0] != first - 1:  # not right after its last lines: read them back
        kept.clear()
    kept.extend(rows)
    if max(map(len, lines), default=4) == 4:  # every line in the short form
        ledger.conn.executemany(
            "INSERT INTO sales (batch_id, session_id, stall, category, amount_fen)"
            f" VALUES ({int(batch_id)}, ?, ?, ?, ?)",
            lines,
        )
        return
    ledger.conn.executemany(
        "INSERT INTO sales (batch_id, session_id, stall, category, amount_fen, quantity,"
        f" unit, note) VALUES ({int(batch_id)}, ?, ?, ?, ?, ?, ?, ?)",
        [line if len(line) == 7 else (*line, None, None, None) for line in lines],
    )


# (position in a LineRow, parent table, its key): the foreign keys of ``sales``
_LINE_PARENTS = ((0, "sessions", "id"), (1, "stalls", "code"), (2, "categories", "code"))


def check_references(conn: sqlite3.Connection, lines: list[LineRow], batch_id: int) -> None:
    """What SQLite's foreign keys on ``sales`` check for each line, once per distinct value.

    Raises sqlite3.IntegrityError, as the insert itself would with foreign keys on, when
    the batch or a session, stall or category of a line is not in the ledger.
    """
    wanted: list[tuple[str, str, set[object]]] = [("batches", "id", {batch_id})]
    wanted += [(table, key, set(map(itemgetter(at), lines))) for at, table, key in _LINE_PARENTS]
    for table, key, values in wanted:
        found: set[object] = set()
        ordered = list(values)
        for start in range(0, len(ordered), 500):
            chunk = ordered[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(
                v
                for (v,) in conn.execute(
                    f"SELECT {key} FROM {table} WHERE {key} IN ({marks})", chunk
                )
            )
        if values - found:
            raise sqlite3.IntegrityError(
                f"FOREIGN KEY constraint failed: no {table} {key} "
                + ", ".join(map(repr, sorted(values - found, key=str)[:5]))
            )
