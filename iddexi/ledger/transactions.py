"""The one shape of every write: ``BEGIN IMMEDIATE`` … ``COMMIT``, or nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One ``BEGIN IMMEDIATE`` transaction: all of it lands, or none of it."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        yield
        conn.execute("COMMIT")
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
