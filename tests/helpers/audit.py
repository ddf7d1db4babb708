"""The crash harness's judge: is this ledger whole after a kill?"""

from __future__ import annotations

from pathlib import Path

from iddexi.ledger.checks import check_ledger
from iddexi.ledger.core import Ledger
from tests.helpers.crash_driver import SEASON, intended
from tests.helpers.ledger_state import connect_ro, live_totals_from_tables, view_totals


def audit(path: Path, committed: list[str] | None = None) -> list[str]:
    """Everything wrong with the ledger at ``path``, as sentences; empty when whole.

    ``committed`` are the tags the writer logged after their commit: each must be found.
    """
    conn = connect_ro(path)
    try:
        return _audit(conn, path, committed or [])
    finally:
        conn.close()


def _audit(conn, path: Path, committed: list[str]) -> list[str]:
    failures = []
    integrity = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    if integrity != ["ok"]:
        return [f"integrity_check: {integrity}"]
    failures += [f"foreign_key_check: {r}" for r in conn.execute("PRAGMA foreign_key_check")]

    batches = conn.execute(
        "SELECT b.id, b.source, b.voided_at, count(s.id), coalesce(sum(s.amount_fen), 0)"
        " FROM batches b LEFT JOIN sales s ON s.batch_id = b.id GROUP BY b.id"
    ).fetchall()
    for bid, source, _voided, lines, fen in batches:
        want = intended(source)
        if want and want != (lines, fen):
            failures.append(
                f"torn batch {bid} ({source}): holds {lines} lines / {fen} fen, "
                f"whole it holds {want[0]} / {want[1]}"
            )
    failures += [f"check: {p}" for p in check_ledger(conn)]

    independent = live_totals_from_tables(conn)
    by_view = view_totals(conn)
    book = Ledger(conn, path)
    by_api = {s.id: s.revenue_fen for s in book.sessions(SEASON)}
    if not independent == by_view == by_api:
        failures.append(f"session totals disagree: {independent} {by_view} {by_api}")

    sources = [(bid, source, voided) for bid, source, voided, *_ in batches]
    for tag in committed:
        name, _, victim = tag.partition(" void ")
        if victim:
            if not any(b == int(victim) and v for b, _, v in sources):
                failures.append(f"logged void of batch {victim} is not in the ledger")
        elif not any(f" {name} " in f" {s} " or f"-{name}-" in s for _, s, _ in sources):
            failures.append(f"batch {name} was committed but is missing")
    return failures
