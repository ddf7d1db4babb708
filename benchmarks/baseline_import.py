"""Baseline for `iddexi tally import`: plain ``csv`` + ``executemany`` loading the same rows.

Reads ``season,session,stall,category,amount`` rows, maps (season, date) to the session
id with one query, turns yuan into integer fen, and writes a batch row plus every line
with one ``executemany`` in one ``BEGIN IMMEDIATE`` transaction. No validation beyond
what the conversions themselves do.

    python benchmarks/baseline_import.py LEDGER SALES.csv
"""

from __future__ import annotations

import csv
import sqlite3
import sys


def load(ledger: str, csv_path: str) -> int:
    conn = sqlite3.connect(ledger, isolation_level=None)
    sessions = {
        (season, date): sid
        for sid, season, date in conn.execute("SELECT id, season, date FROM sessions")
    }
    with open(csv_path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        rows = []
        for season, date, stall, category, amount in reader:
            yuan, _, fen = amount.partition(".")
            rows.append(
                (sessions[season, date], stall, category, int(yuan) * 100 + int(fen.ljust(2, "0")))
            )
    conn.execute("BEGIN IMMEDIATE")
    batch_id = conn.execute(
        "INSERT INTO batches (kind, source, created_at, created_by)"
        " VALUES ('import', ?, datetime('now'), 'benchmark')",
        (csv_path,),
    ).lastrowid
    conn.executemany(
        "INSERT INTO sales (batch_id, session_id, stall, category, amount_fen)"
        f" VALUES ({batch_id}, ?, ?, ?, ?)",
        rows,
    )
    conn.execute("COMMIT")
    conn.close()
    return len(rows)


if __name__ == "__main__":
    print(f"Imported {load(sys.argv[1], sys.argv[2])} lines.")
