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
