"""Opening a ledger file: the stdlib ``sqlite3`` connection every path shares.

The entry commands must start fast, so nothing here imports sqlite-utils (which imports
pandas); code that needs it wraps this same connection with ``sqlite_utils.Database(conn)``.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from iddexi.i18n import _
from iddexi.ledger.errors import LedgerFileError
from iddexi.ledger.migrations import migrate
from iddexi.ledger.transactions import write_transaction

__all__ = ["connect", "resolve_ledger_path", "write_transaction"]

BUSY_TIMEOUT_MS = 30_000
DEFAULT_LEDGER = Path("ledgers") / "iddexi.sqlite"


def resolve_ledger_path(option: str | os.PathLike[str] | None) -> Path:
    """``--ledger`` if given, else ``$IDDEXI_LEDGER``, else ``ledgers/iddexi.sqlite`` here."""
    if option:
        return Path(option)
    from_env = os.environ.get("IDDEXI_LEDGER")
    if from_env:
        return Path(from_env)
    return DEFAULT_LEDGER


def connect(path: Path, *, create: bool = True) -> sqlite3.Connection:
    """Open (creating if allowed) and migrate the ledger at ``path``."""
    if not path.exists():
        if not create:
            raise LedgerFileError(_("no ledger at {path}").format(path=path))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LedgerFileError(
                _("cannot create the folder for ledger {path}: {strerror}").format(
                    path=path, strerror=exc.strerror
                )
            ) from None
    elif path.is_dir():
        raise LedgerFileError(
            _("ledger {path} is a folder; give the path of a .sqlite file").format(path=path)
        )
    try:
        # autocommit mode: every write opens its own BEGIN IMMEDIATE explicitly
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA foreign_keys = ON")
        _settle(conn, path)
        conn.execute("PRAGMA synchronous = FULL")
        migrate(conn, str(path))
    except sqlite3.DatabaseError as exc:
        raise LedgerFileError(
            _("cannot use ledger {path}: {exc}").format(path=path, exc=exc)
        ) from None
    return conn


def _settle(conn: sqlite3.Connection, path: Path) -> None:
    """Check the file is a ledger and put it in WAL mode.

    Several organisers may open a new ledger at the same moment, each creating it. Turning
    on WAL needs the file to itself, and SQLite does not wait for that as it waits for a
    write lock; so a "locked" answer here is retried until the busy timeout.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            _check_is_ledger(conn, path)
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal":
                mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode == "wal":
                return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise LedgerFileError(
                _("cannot use ledger {path}: it stays locked by another process").format(path=path)
            )
        time.sleep(0.02)


def _check_is_ledger(conn: sqlite3.Connection, path: Path) -> None:
    # One read transaction: another process creating the ledger must not commit its first
    # migration between the two reads (version 0, yet tables: "not a ledger").
    conn.execute("BEGIN")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name != 'migrations'"
        ).fetchone()[0]
    finally:
        conn.execute("COMMIT")
    if version == 0 and tables:
        raise LedgerFileError(
            _("{path} is an SQLite file but not an iddexi ledger").format(path=path)
        )
