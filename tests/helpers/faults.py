"""A connection that fails on its k-th statement, the way a full disk or an I/O error would."""

from __future__ import annotations

import sqlite3
from typing import Any


class InjectedFault(sqlite3.OperationalError):
    """The failure this harness injects (an ``OperationalError``, as SQLite raises them)."""


class FailingConnection:
    """Wraps a ``sqlite3.Connection``; its ``fail_at``-th execute/executemany raises.

    Every other attribute is the real connection's. A failure at ``COMMIT`` behaves as
    SQLite does when the commit hits an I/O error or a full disk: the transaction is
    rolled back and the error raised.
    """

    def __init__(self, real: sqlite3.Connection, fail_at: int) -> None:
        self._real = real
        self.fail_at = fail_at
        self.calls = 0
        self.failed_sql: str | None = None
        #: COMMITs that went through before the fault (0: it struck before any write landed)
        self.commits_before_fault = 0

    def _tick(self, sql: str) -> None:
        self.calls += 1
        committing = sql.strip().upper().startswith(("COMMIT", "END"))
        if self.calls != self.fail_at:
            if committing and self.failed_sql is None:
                self.commits_before_fault += 1
            return
        self.failed_sql = sql
        if committing and self._real.in_transaction:
            self._real.execute("ROLLBACK")
        raise InjectedFault(f"injected fault at statement {self.calls}: {sql.strip()[:40]}")

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        self._tick(sql)
        return self._real.execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> sqlite3.Cursor:
        self._tick(sql)
        return self._real.executemany(sql, *args)

    def executescript(self, sql: str) -> sqlite3.Cursor:
        self._tick(sql)
        return self._real.executescript(sql)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def masked(dump: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """A table dump with the batches' clock times blanked, to compare two runs (and
    their chain hashes, which hash the times)."""
    out = dict(dump)
    out["batches"] = [
        (*row[:4], "<time>", *row[5:7], row[7] and "<time>", *row[8:10])
        + tuple(chain and "<chain>" for chain in row[10:11])
        for row in dump["batches"]
    ]
    return out
