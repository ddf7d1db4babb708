"""The Ledger object: one SQLite file, opened and migrated, written in batches."""

from __future__ import annotations

import datetime as dt
import getpass
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from iddexi.i18n import _
from iddexi.ledger.batches import BatchesMixin
from iddexi.ledger.chain import seal_unsealed
from iddexi.ledger.connection import connect, resolve_ledger_path, write_transaction
from iddexi.ledger.edits import EditsMixin
from iddexi.ledger.gates import GatesMixin
from iddexi.ledger.reference import ReferenceMixin
from iddexi.ledger.sales import SalesMixin
from iddexi.ledger.sessions import SessionsMixin
from iddexi.ledger.values import clean_text


def current_user() -> str:
    try:
        return os.environ.get("USER") or getpass.getuser()
    except Exception:  # no user name on this machine (a container with no passwd entry)
        return "unknown"


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


class Ledger(ReferenceMixin, SessionsMixin, SalesMixin, GatesMixin, EditsMixin, BatchesMixin):
    """The whole market's records. Every write is a batch in one ``BEGIN IMMEDIATE``."""

    def __init__(self, conn: sqlite3.Connection, path: Path, user: str | None = None) -> None:
        self.conn = conn
        self.path = path
        self.user = user or current_user()
        #: What this process has committed, for people ("batch 54"): a command that cannot
        #: print its confirmation still says what was recorded.
        self.recorded: list[str] = []
        # by batch, the chain rows of the sales lines written in the open transaction
        self.fresh_sales: dict[int, list[tuple]] = {}

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        user: str | None = None,
        create: bool = True,
    ) -> Ledger:
        """Open the ledger at ``path`` (or the default), creating and migrating it as needed."""
        if user is not None:  # who made a batch is shown in every history: plain text only
            user = clean_text(user, "--by")
        resolved = resolve_ledger_path(path)
        return cls(connect(resolved, create=create), resolved, user)

    def close(self) -> None:
        self.conn.close()

    def fold_wal(self) -> None:
        """Move the write-ahead log into the main file, so the file alone is the ledger
        (for a file about to be renamed or handed on)."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction; every batch it wrote is sealed into the hash chain
        last, after all its rows, so no write path can leave a batch out of the chain."""
        try:
            with write_transaction(self.conn):
                # the write lock is held: batches numbered above this one are this transaction's
                last = self.conn.execute("SELECT coalesce(max(id), 0) FROM batches").fetchone()[0]
                yield
                seal_unsealed(self.conn, self.fresh_sales)
                new = self.conn.execute(
                    "SELECT id FROM batches WHERE id > ? ORDER BY id", (last,)
                ).fetchall()
        finally:
            self.fresh_sales.clear()
        self.recorded += [_("batch {id}").format(id=batch_id) for (batch_id,) in new]

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Every read inside sees the ledger as it was at the first one: one read
        transaction on this connection. In WAL mode others go on writing meanwhile; what
        they commit is not seen, so a report's figures and its raw lines agree.

        Inside a transaction already open (a snapshot within a snapshot), it is that one.
        """
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            # a deferred BEGIN takes its snapshot at the first read: take it now
            self.conn.execute("SELECT count(*) FROM batches").fetchone()
            yield
        finally:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")  # it read only; nothing to keep

    @contextmanager
    def batch(
        self,
        kind: str,
        source: str,
        *,
        sha256: str | None = None,
        control_total_fen: int | None = None,
    ) -> Iterator[int]:
        """Open a write transaction and record its batch first; yields the batch id.

        The batch row and every row written under it commit together or not at all.
        """
        with self.transaction():
            cursor = self.conn.execute(
                "INSERT INTO batches (kind, source, sha256, created_at, created_by, control_total_fen)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (kind, source, sha256, now_iso(), self.user, control_total_fen),
            )
            self.fresh_sales.pop(int(cursor.lastrowid), None)
            yield int(cursor.lastrowid)
