"""Baseline for `iddexi report season`: the bare SQL the report runs, through sqlite3.

The runner records every SELECT the report sends to SQLite (with its parameters bound)
into a JSON list; this script runs them again in a fresh process and fetches all rows.

    python benchmarks/baseline_report.py LEDGER STATEMENTS.json
"""

from __future__ import annotations

import json
import sqlite3
import sys


def main(ledger: str, statements: str) -> int:
    with open(statements, encoding="utf-8") as fh:
        sql = json.load(fh)
    conn = sqlite3.connect(ledger, isolation_level=None)
    rows = 0
    for statement in sql:
        rows += len(conn.execute(statement).fetchall())
    conn.close()
    return rows


if __name__ == "__main__":
    print(f"{main(sys.argv[1], sys.argv[2])} rows")
