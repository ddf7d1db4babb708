"""Bulk writes of imported lines: foreign keys checked once per value, and left on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from iddexi.ledger import bulk
from iddexi.ledger.core import Ledger
from iddexi.ledger.errors import ProblemsError
from iddexi.tally.importer import import_files


def _foreign_keys(ledger: Ledger) -> int:
    return ledger.conn.execute("PRAGMA foreign_keys").fetchone()[0]


def _session_id(ledger: Ledger) -> int:
    return ledger.conn.execute("SELECT min(id) FROM sessions").fetchone()[0]


def test_a_sales_import_leaves_the_connection_checking_foreign_keys(
    market: Ledger, tmp_path: Path
) -> None:
    good = tmp_path / "good.csv"
    good.write_text("season,session,stall,category,amount\n2025-26,1,M01,meat,10\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("season,session,stall,category,amount\n2025-26,1,X99,meat,10\n")
    assert import_files(market, [good])[0].rows == 1
    assert _foreign_keys(market) == 1
    with pytest.raises(ProblemsError):
        import_files(market, [bad])
    assert _foreign_keys(market) == 1
    with pytest.raises(sqlite3.IntegrityError):  # the ledger object keeps its checks
        market.conn.execute(
            "INSERT INTO sales (batch_id, session_id, stall, category, amount_fen)"
            " VALUES (1, ?, 'X99', 'meat', 1)",
            (_session_id(market),),
        )


@pytest.mark.parametrize(
    "line",
    [
        (10_000, "M01", "meat", 100),  # no such session
        (None, "X99", "meat", 100),  # no such stall
        (None, "M01", "caviar", 100),  # no such category
        (None, "m01", "meat", 100),  # codes are exact: the insert would refuse it too
    ],
)
def test_insert_sales_refuses_a_dangling_line_even_without_sqlite_checks(
    market: Ledger, line: tuple
) -> None:
    sid = line[0] or _session_id(market)
    lines = [(_session_id(market), "D01", "dairy", 5), (sid, *line[1:])]
    before = market.conn.execute("SELECT count(*) FROM sales").fetchone()[0]
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
        with bulk.foreign_keys_off(market.conn), market.transaction():
            assert _foreign_keys(market) == 0
            batch = bulk.insert_batch(market, "x.csv", None, None)
            bulk.insert_sales(market, lines, batch)
    assert market.conn.execute("SELECT count(*) FROM sales").fetchone()[0] == before
    assert _foreign_keys(market) == 1


def test_insert_sales_refuses_a_batch_that_is_not_there(market: Ledger) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="batches"):
        with market.transaction():
            bulk.insert_sales(market, [(_session_id(market), "M01", "meat", 1)], 10_000)
