"""m006: gate samples and open hours, moved sessions, corrected stalls, seasons and
townships (each a revision in its own batch, read through the current_* views)."""

from __future__ import annotations

import sqlite3

from iddexi.ledger.migrations.script import run_script as _run


def _latest_field(
    revisions: str, key: str, base: str, base_key: str, column: str, field: str
) -> str:
    """The latest live revision's value of one field, else the base row's (a revision
    older than the base row's batch was overtaken by a roster import with --replace)."""
    return (
        f"(SELECT v FROM (SELECT r.id AS k, r.{field} AS v FROM {revisions} r"
        f" JOIN batches b ON b.id = r.batch_id AND b.voided_at IS NULL"
        f" WHERE r.{key} = {base}.{base_key} AND r.batch_id > {base}.batch_id"
        f" AND instr(r.changed, ' {field} ') > 0"
        f" UNION ALL SELECT 0, {base}.{field}) ORDER BY k DESC LIMIT 1) AS {column}"
    )


def m006_gates_hours_edits(conn: sqlite3.Connection) -> None:
    # Gate samples and open hours (visitors estimated from timed counts), a session's
    # date moved by a later batch, and stalls, seasons and townships corrected by later
    # batches. Every correction is a new row in its own batch, so voiding that batch
    # brings the earlier details back; reads go through the current_* views.
    stall_fields = ("name", "operator", "township", "herder", "category")
    season_fields = ("name", "start_date", "end_date", "planned_sessions", "market_day")
    stall_view = ", ".join(
        _latest_field("stall_revisions", "stall", "s", "code", f, f) for f in stall_fields
    )
    season_view = ", ".join(
        _latest_field("season_revisions", "season", "s", "code", f, f) for f in season_fields
    )
    township_view = _latest_field("township_revisions", "township", "t", "name", "kind", "kind")
    _run(
        conn,
        """
        CREATE TABLE session_hours (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            opens TEXT NOT NULL,
            closes TEXT NOT NULL,
            CHECK (opens < closes)
        );
        CREATE TABLE gate_samples (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            gate TEXT NOT NULL,
            start TEXT NOT NULL,
            minutes INTEGER NOT NULL CHECK (minutes BETWEEN 1 AND 1440),
            count INTEGER NOT NULL CHECK (count BETWEEN 0 AND 100000000),
            opens TEXT,
            closes TEXT,
            CHECK ((opens IS NULL) = (closes IS NULL) AND (opens IS NULL OR opens < closes))
        );
        CREATE TABLE session_moves (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            date TEXT NOT NULL
        );
        CREATE TABLE stall_revisions (
            id INTEGER PRIMARY KEY,
            stall TEXT NOT NULL REFERENCES stalls(code),
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            changed TEXT NOT NULL,
            name TEXT,
            operator TEXT,
            township TEXT REFERENCES townships(name),
            herder INTEGER CHECK (herder IS NULL OR herder IN (0, 1)),
            category TEXT REFERENCES categories(code)
        );
        CREATE TABLE season_revisions (
            id INTEGER PRIMARY KEY,
            season TEXT NOT NULL REFERENCES seasons(code),
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            changed TEXT NOT NULL,
            name TEXT,
            start_date TEXT,
            end_date TEXT,
            planned_sessions INTEGER CHECK (planned_sessions IS NULL OR planned_sessions > 0),
            market_day TEXT CHECK (market_day IS NULL OR market_day IN
                ('mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'))
        );
        CREATE TABLE township_revisions (
            id INTEGER PRIMARY KEY,
            township TEXT NOT NULL REFERENCES townships(name),
            batch_id INTEGER NOT NULL REFERENCES batches(id),
            changed TEXT NOT NULL,
            kind TEXT CHECK (kind IS NULL OR kind IN ('sumu', 'town', 'township'))
        );
        CREATE INDEX session_hours_by_session ON session_hours (session_id, id);
        CREATE INDEX gate_samples_by_session ON gate_samples (session_id, gate, start);
        CREATE INDEX session_moves_by_session ON session_moves (session_id, id);
        CREATE INDEX stall_revisions_by_stall ON stall_revisions (stall, id);
        CREATE INDEX season_revisions_by_season ON season_revisions (season, id);
        CREATE INDEX township_revisions_by_township ON township_revisions (township, id);
        """,
    )
    for table in (
        "session_hours",
        "gate_samples",
        "session_moves",
        "stall_revisions",
        "season_revisions",
        "township_revisions",
    ):
        _run(
            conn,
            f"""
            CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} are append-only: correct in a new batch'); END;
            CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} are append-only: void the batch instead'); END;
            """,
        )
    # A live session's date is the one its latest live move gave it; current_sessions
    # numbers sessions by this date, so a moved session takes its place in the season.
    _run(
        conn,
        f"""
        DROP VIEW live_sessions;
        CREATE VIEW live_sessions AS
            SELECT s.id, s.season,
                coalesce((SELECT m.date FROM session_moves m JOIN batches mb
                  ON mb.id = m.batch_id AND mb.voided_at IS NULL
                  WHERE m.session_id = s.id ORDER BY m.id DESC LIMIT 1), s.date) AS date,
                s.batch_id
            FROM sessions s
            JOIN batches b ON b.id = s.batch_id AND b.voided_at IS NULL;
        CREATE VIEW current_stalls AS
            SELECT s.code, {stall_view}, s.batch_id FROM stalls s;
        CREATE VIEW current_seasons AS
            SELECT s.code, {season_view}, s.kind, s.batch_id FROM seasons s;
        CREATE VIEW current_townships AS
            SELECT t.name, {township_view}, t.batch_id FROM townships t;
        """,
    )
