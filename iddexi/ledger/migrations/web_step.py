"""m007: the web app's own tables: stall secrets, passwords, submissions and their
decisions, closed sessions."""

from __future__ import annotations

import sqlite3

from iddexi.ledger.migrations.script import run_script as _run


def m007_web(conn: sqlite3.Connection) -> None:
    # `iddexi serve`: stall cards' secret links, the web passwords, keepers' submissions
    # and the organisers' decisions on them, and closed sessions. Secrets and passwords
    # are stored only as salted scrypt hashes. Submissions are not sales: they become
    # sales only when approved, as an import batch (the decision names it). Submissions
    # and decisions are written outside any batch, so each carries its own hash chain
    # (prev_hash -> hash over a canonical form, see iddexi/ledger/web_store.py) for the
    # ledger's chain to take in. Every table here only grows.
    _run(
        conn,
        """
        CREATE TABLE stall_secrets (
            id INTEGER PRIMARY KEY,
            season TEXT NOT NULL REFERENCES seasons(code),
            stall TEXT NOT NULL REFERENCES stalls(code),
            secret_hash TEXT NOT NULL,
            issued_at TEXT NOT NULL,
            issued_by TEXT NOT NULL
        );
        CREATE INDEX stall_secrets_by_stall ON stall_secrets (season, stall, id);
        CREATE TABLE web_passwords (
            id INTEGER PRIMARY KEY,
            role TEXT NOT NULL CHECK (role IN ('organiser', 'bureau')),
            password_hash TEXT NOT NULL,
            set_at TEXT NOT NULL,
            set_by TEXT NOT NULL
        );
        CREATE TABLE submissions (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            stall TEXT NOT NULL REFERENCES stalls(code),
            lines TEXT NOT NULL,
            total_fen INTEGER NOT NULL CHECK (total_fen >= 0),
            submitted_at TEXT NOT NULL,
            form_id TEXT NOT NULL UNIQUE,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE
        );
        CREATE INDEX submissions_by_session ON submissions (session_id, stall, id);
        CREATE TABLE submission_decisions (
            id INTEGER PRIMARY KEY,
            submission_id INTEGER NOT NULL UNIQUE REFERENCES submissions(id),
            decision TEXT NOT NULL CHECK (decision IN ('approved', 'rejected')),
            reason TEXT,
            batch_id INTEGER REFERENCES batches(id),
            decided_at TEXT NOT NULL,
            decided_by TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL UNIQUE,
            CHECK (decision = 'approved' OR batch_id IS NULL),
            CHECK (decision = 'approved' OR reason IS NOT NULL)
        );
        CREATE TABLE session_closures (
            session_id INTEGER PRIMARY KEY REFERENCES sessions(id),
            closed_at TEXT NOT NULL,
            closed_by TEXT NOT NULL
        );
        """,
    )
    for table in (
        "stall_secrets",
        "web_passwords",
        "submissions",
        "submission_decisions",
        "session_closures",
    ):
        _run(
            conn,
            f"""
            CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END;
            CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} are append-only'); END;
            """,
        )
