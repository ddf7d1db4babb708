"""Running a migration step's SQL inside the transaction its step is recorded in."""

from __future__ import annotations

import sqlite3


def run_script(conn: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT first and break the one-transaction promise, so the
    # script is split into complete statements (triggers keep their inner semicolons).
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL in migration: {statement!r}")
