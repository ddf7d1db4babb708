"""Baseline for `iddexi sale add`: a minimal Typer + sqlite3 script doing the same write.

One transaction: a batch row and the sale line (session found by season and date), the
same rows `sale add` writes for a new line, with SQLite's default settings (the ledger
file is already in WAL mode). No validation, no clash check, no read-back.

    python benchmarks/baseline_sale_add.py LEDGER 2025-26 2025-12-06 S0001 other 12.50
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal

import typer

app = typer.Typer(add_completion=False)


@app.command()
def add(ledger: str, season: str, date: str, stall: str, category: str, amount: str) -> None:
    """Insert one sale line in one transaction."""
    fen = int(Decimal(amount) * 100)
    conn = sqlite3.connect(ledger, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    session_id = conn.execute(
        "SELECT id FROM sessions WHERE season = ? AND date = ?", (season, date)
    ).fetchone()[0]
    batch_id = conn.execute(
        "INSERT INTO batches (kind, source, created_at, created_by)"
        " VALUES ('entry', 'baseline', datetime('now'), 'benchmark')"
    ).lastrowid
    conn.execute(
        "INSERT INTO sales (batch_id, session_id, stall, category, amount_fen)"
        " VALUES (?, ?, ?, ?, ?)",
        (batch_id, session_id, stall, category, fen),
    )
    conn.execute("COMMIT")
    conn.close()
    typer.echo(f"Recorded {stall} {category} {amount} in batch {batch_id}.")


if __name__ == "__main__":
    app()
