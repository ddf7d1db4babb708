"""Schema migrations: an ordered list of small named steps, applied on every open.

Each step runs in one ``BEGIN IMMEDIATE`` transaction together with the record that it
was applied (``PRAGMA user_version`` and a row in ``migrations``), so a ledger is never
left half-migrated. Never edit a shipped step; add the next one.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable

from iddexi.ledger.errors import LedgerFileError
from iddexi.ledger.migrations.chain_step import m005_hash_chain
from iddexi.ledger.migrations.core_steps import (
    m001_core_tables,
    m002_indexes,
    m003_append_only,
    m004_control_total_once,
)
from iddexi.ledger.migrations.edits_step import m006_gates_hours_edits
from iddexi.ledger.migrations.web_step import m007_web
from iddexi.ledger.transactions import write_transaction

MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    m001_core_tables,
    m002_indexes,
    m003_append_only,
    m004_control_total_once,
    m005_hash_chain,
    m006_gates_hours_edits,
    m007_web,
]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, path: str, upto: int = SCHEMA_VERSION) -> list[str]:
    """Apply the pending migrations (up to ``upto``); return the names applied.

    The connection must be in autocommit mode (``isolation_level=None``).
    """
    applied: list[str] = []
    version = schema_version(conn)
    if version > SCHEMA_VERSION:
        raise LedgerFileError(
            f"ledger {path} has schema version {version}, newer than this iddexi knows "
            f"({SCHEMA_VERSION}); upgrade iddexi to use it"
        )
    while version < upto:
        with write_transaction(conn):
            # Another process may have migrated while we waited for the lock.
            version = schema_version(conn)
            if version >= upto:
                break
            if version == 0:
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
                )
            step = MIGRATIONS[version]
            step(conn)
            conn.execute(
                "INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                (step.__name__, dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
            )
            conn.execute(f"PRAGMA user_version = {version + 1}")
        applied.append(step.__name__)
        version += 1
    return applied
