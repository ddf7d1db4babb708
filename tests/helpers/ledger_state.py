"""What a ledger holds, read straight from its tables, to compare before and after."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from pathlib import Path


def connect_ro(path: Path) -> sqlite3.Connection:
    """A fresh read-only connection (it sees only what was committed)."""
    return sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True)


def dump_tables(conn: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Every row of every table (and the schema version), in a stable order."""
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " ORDER BY name"
        )
    ]
    dump: dict[str, list[tuple]] = {
        "user_version": [conn.execute("PRAGMA user_version").fetchone()]
    }
    for table in tables:
        rows = conn.execute(f'SELECT * FROM "{table}"').fetchall()
        dump[table] = sorted(rows, key=repr)
    return dump


def dump_file(path: Path) -> dict[str, list[tuple]]:
    conn = connect_ro(path)
    try:
        return dump_tables(conn)
    finally:
        conn.close()


def live_totals_from_tables(conn: sqlite3.Connection) -> dict[int, int]:
    """Each live session's takings in fen, computed in Python from the raw tables.

    Independent of the ledger's views: a line counts when its batch is live, its session's
    batch is live, and no live batch superseded it.
    """
    void = {bid for bid, voided in conn.execute("SELECT id, voided_at FROM batches") if voided}
    live_sessions = {
        sid for sid, batch in conn.execute("SELECT id, batch_id FROM sessions") if batch not in void
    }
    superseded = {
        sale
        for sale, batch in conn.execute("SELECT sale_id, batch_id FROM sale_voids")
        if batch not in void
    }
    totals: dict[int, int] = defaultdict(int)
    for sid in live_sessions:
        totals[sid] = 0
    for sale_id, batch, session, fen in conn.execute(
        "SELECT id, batch_id, session_id, amount_fen FROM sales"
    ):
        if batch in void or session not in live_sessions or sale_id in superseded:
            continue
        totals[session] += fen
    return dict(totals)


def view_totals(conn: sqlite3.Connection) -> dict[int, int]:
    """Each live session's takings as the ledger's live_sales view sums them."""
    return dict(
        conn.execute(
            "SELECT s.id, coalesce((SELECT sum(amount_fen) FROM live_sales l"
            " WHERE l.session_id = s.id), 0) FROM live_sessions s"
        ).fetchall()
    )
