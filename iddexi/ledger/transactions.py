"""The one shape of every write: ``BEGIN IMMEDIATE`` … ``COMMIT``, or nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from iddexi.i18n import _
from iddexi.ledger.errors import ReadOnlyLedgerError


def _file(conn: sqlite3.Connection) -> str:
    for _seq, name, file in conn.execute("PRAGMA database_list"):
        if name == "main":
            return file
    return "?"  # pragma: no cover - every connection has a main database


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One ``BEGIN IMMEDIATE`` transaction: all of it lands, or none of it."""
    if conn.execute("PRAGMA query_only").fetchone()[0]:
        raise ReadOnlyLedgerError(_("the ledger is read-only: {path}").format(path=_file(conn)))
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if getattr(exc, "sqlite_errorname", "").startswith("SQLITE_READONLY"):
            raise ReadOnlyLedgerError(
                _("the ledger is read-only: {path}").format(path=_file(conn))
            ) from None
        raise
    except BaseException:
        # SQLite may have rolled back already (an interrupt, an I/O error); a failed BEGIN
        # or COMMIT must not leave the connection holding the write lock.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


class Savepoint:
    """A nested step of an open transaction that can be undone on its own."""

    def __init__(self, conn: sqlite3.Connection, name: str) -> None:
        self.conn, self.name = conn, name

    def undo(self) -> None:
        """Take back everything written since the savepoint (the transaction goes on)."""
        self.conn.execute(f"ROLLBACK TO {self.name}")


@contextmanager
def savepoint(conn: sqlite3.Connection, name: str) -> Iterator[Savepoint]:
    """``SAVEPOINT`` … ``RELEASE`` inside an open transaction; on an error the enclosing
    :func:`write_transaction` rolls everything back."""
    conn.execute(f"SAVEPOINT {name}")
    yield Savepoint(conn, name)
    conn.execute(f"RELEASE {name}")
