"""`iddexi check`, `backup` and `restore`, and the append-only rules the database enforces."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from iddexi.ledger.core import Ledger
from iddexi.ledger.integrity import backup_ledger
from tests.helpers import crash_driver
from tests.helpers.audit import audit
from tests.helpers.ledger_state import dump_file


def _raw(path: Path) -> sqlite3.Connection:
    """A connection that bypasses the ledger code (foreign keys off, autocommit)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    return conn


def _new_batch(conn: sqlite3.Connection, source: str, control: int | None = None) -> int:
    cur = conn.execute(
        "INSERT INTO batches (kind, source, created_at, created_by, control_total_fen)"
        " VALUES ('entry', ?, '2025-12-06T20:00:00+08:00', 'intruder', ?)",
        (source, control),
    )
    return int(cur.lastrowid)


# ------------------------------------------------------------------------------ check


def test_a_sound_ledger_checks_silently(market: Ledger, run) -> None:
    market.add_sale("2025-26:1", "M01", "meat", 1_280_050)
    result = run("check")
    assert result.exit_code == 0, result.stderr
    head = market.history()[-1]
    assert result.stdout == f"Ledger code: {head.code} (after batch {head.id})\n"
    assert result.stderr == ""
    result = run("check", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout) == {
        "ledger_code": head.chain_sha256[:12],
        "ledger_hash": head.chain_sha256,
        "batch": head.id,
        "problems": [],
        "notes": [],
    }


def test_check_notices_a_ledger_whose_protections_were_removed_by_hand(
    market: Ledger, run, ledger_path: Path
) -> None:
    conn = _raw(ledger_path)
    conn.execute("DROP TRIGGER sales_no_update")
    conn.execute("DROP INDEX sales_by_session")
    conn.commit()
    result = run("check", "--json")
    assert result.exit_code == 1
    problems = {(p["kind"], p["location"]) for p in json.loads(result.stdout)["problems"]}
    assert ("schema", "trigger sales_no_update") in problems
    assert ("schema", "table sales") in problems


def test_check_notices_an_entered_amount_changed_behind_the_ledgers_back(
    market: Ledger, run, ledger_path: Path
) -> None:
    sale, _ = market.add_sale("2025-26:1", "M01", "meat", 1_280_050)
    conn = _raw(ledger_path)
    conn.execute("DROP TRIGGER sales_no_update")
    conn.execute("UPDATE sales SET amount_fen = ? WHERE id = ?", (1_280_051, sale.id))
    conn.close()
    result = run("check", "--json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert {
        "kind": "control-total",
        "location": f"batch {sale.batch_id} (sale add)",
        "message": "its 1 line(s) add up to ¥12,800.51 but its recorded total is ¥12,800.50",
        "value": None,
    } in problems


def test_check_of_a_missing_ledger_is_an_error(run, tmp_path: Path) -> None:
    result = run("--ledger", tmp_path / "none.sqlite", "check")
    assert result.exit_code == 1
    assert "no ledger at" in result.stderr
    assert not (tmp_path / "none.sqlite").exists()


def test_check_lists_every_problem_and_exits_1(market: Ledger, run, ledger_path: Path) -> None:
    market.add_sale("2025-26:1", "M01", "meat", 100_00)
    conn = _raw(ledger_path)
    b = _new_batch(conn, "raw sql")
    # a session outside its season, on a Wednesday
    conn.execute(
        "INSERT INTO sessions (season, date, batch_id) VALUES ('2025-26', '2026-03-04', ?)", (b,)
    )
    # a date that does not exist
    conn.execute(
        "INSERT INTO sessions (season, date, batch_id) VALUES ('2024-25', '2024-11-31', ?)", (b,)
    )
    session = market.resolve_session("2025-26:1").id
    # unknown stall, unknown category, a stall from an unknown township
    conn.execute(
        "INSERT INTO sales (batch_id, session_id, stall, category, amount_fen) VALUES (?, ?, 'X99', 'meat', 500)",
        (b, session),
    )
    conn.execute(
        "INSERT INTO sales (batch_id, session_id, stall, category, amount_fen) VALUES (?, ?, 'D01', 'fish', 700)",
        (b, session),
    )
    conn.execute(
        "INSERT INTO stalls (code, name, township, batch_id) VALUES ('Z01', 'ghost', 'Atlantis', ?)",
        (b,),
    )
    # the same session, stall and category counted twice
    conn.execute(
        "INSERT INTO sales (batch_id, session_id, stall, category, amount_fen) VALUES (?, ?, 'M01', 'meat', 900)",
        (b, session),
    )
    # a batch whose lines do not add up to its recorded total
    torn = _new_batch(conn, "tally.csv", control=12_345_00)
    conn.execute(
        "INSERT INTO sales (batch_id, session_id, stall, category, amount_fen) VALUES (?, ?, 'F01', 'food', 100)",
        (torn, session),
    )
    # a live line whose session was voided under it
    s2 = market.resolve_session("2025-26:2")
    market.add_sale(s2.ref, "D01", "dairy", 3_000)
    conn.execute(
        "UPDATE batches SET voided_at = 'now', void_reason = 'x' WHERE id = ?",
        (conn.execute("SELECT batch_id FROM sessions WHERE id = ?", (s2.id,)).fetchone()[0],),
    )
    conn.close()

    result = run("check")
    assert result.exit_code == 1
    err = result.stderr
    assert result.stdout.startswith("Ledger code: ")
    assert "hash chain" in err  # the edits by hand broke the chain too
    assert "2026-03-04 (" in err and "outside season 2025-26 (2025-11-22 … 2026-01-31)" in err
    assert "2026-03-04 is a Wednesday; season 2025-26 is held on Saturdays" in err
    assert "not a real YYYY-MM-DD day (got '2024-11-31')" in err
    assert "refers to a stall that is not in the ledger (got 'X99')" in err
    assert "refers to a category that is not in the ledger (got 'fish')" in err
    assert "refers to a township that is not in the ledger (got 'Atlantis')" in err
    assert "stall M01 meat: 2 live lines (¥109.00 in all" in err
    assert (
        f"batch {torn} (tally.csv): its 1 line(s) add up to ¥1.00 but its recorded total is ¥12,345.00"
        in err
    )
    assert "counts nowhere" in err and "¥30.00" in err
    assert err.strip().splitlines()[-1].startswith("Error: 9 problem(s) found in ledger")

    result = run("check", "--json")
    assert result.exit_code == 1
    kinds = sorted(p["kind"] for p in json.loads(result.stdout)["problems"])
    assert [n["kind"] for n in json.loads(result.stdout)["notes"]] == ["market-day"]
    assert kinds == sorted(
        ["outside-season", "bad-date", "duplicate-line", "control-total"]
        + ["orphaned-line", "hash-chain"]
        + ["unknown-reference"] * 3
    )


def test_check_finds_tampering_that_leaves_the_tables_valid(
    market: Ledger, run, ledger_path: Path
) -> None:
    """Edits an attacker with sqlite3 could make without breaking any constraint."""
    market.add_sale("2025-26:1", "M01", "meat", 100_00)
    conn = _raw(ledger_path)
    b = _new_batch(conn, "raw sql")
    session = market.resolve_session("2025-26:1").id
    # half a fen, stored as a REAL that the CHECK constraint lets through
    conn.execute(
        "INSERT INTO sales (batch_id, session_id, stall, category, amount_fen)"
        " VALUES (?, ?, 'D01', 'dairy', 12.5)",
        (b, session),
    )
    # a second live session on a recorded date
    conn.execute(
        "INSERT INTO sessions (season, date, batch_id) VALUES ('2025-26', '2025-11-22', ?)", (b,)
    )
    # a view that hides every line, and a trigger that no longer refuses anything
    conn.execute("DROP VIEW live_sales")
    conn.execute("CREATE VIEW live_sales AS SELECT * FROM sales WHERE 0")
    conn.execute("DROP TRIGGER sales_no_delete")
    conn.execute("CREATE TRIGGER sales_no_delete BEFORE DELETE ON sales BEGIN SELECT 1; END")
    conn.execute("DELETE FROM migrations WHERE name = 'm002_indexes'")
    conn.close()

    result = run("check", "--json")
    assert result.exit_code == 1
    found = {
        (p["kind"], p["location"]): p["message"] for p in json.loads(result.stdout)["problems"]
    }
    assert found[("bad-amount", f"line 2 (batch {b})")] == "amount is not a whole number of fen"
    assert (
        "is recorded more than once" in found[("duplicate-session", "session 2025-26:2025-11-22")]
    )
    assert found[("schema", "view live_sales")] == "was redefined: reports may lie"
    assert "was redefined" in found[("schema", "trigger sales_no_delete")]
    assert "m002_indexes is not recorded" in found[("schema", "migrations")]


def _wipe_pages(path: Path, first: int, count: int = 3) -> None:
    raw = bytearray(path.read_bytes())
    raw[first * 4096 : (first + count) * 4096] = b"\xa5" * (count * 4096)
    path.write_bytes(bytes(raw))


def test_check_reports_a_damaged_file(market: Ledger, run, ledger_path: Path) -> None:
    for n in range(300):
        market.add_stall(f"S{n:03d}", "摊位" * 40, township="辉苏木")
    market.close()
    assert not Path(f"{ledger_path}-wal").exists()
    _wipe_pages(ledger_path, ledger_path.stat().st_size // 4096 // 2)

    result = run("check")
    assert result.exit_code == 1
    assert "ledger file: " in result.stderr
    assert "malformed" in result.stderr or "integrity check" in result.stderr
    json_result = run("check", "--json")
    assert json_result.exit_code == 1
    assert {p["kind"] for p in json.loads(json_result.stdout)["problems"]} == {"integrity"}


# ----------------------------------------------------------------------------- backup


def test_backup_copies_the_whole_ledger_into_one_file(market: Ledger, run, tmp_path: Path) -> None:
    market.add_sale("2025-26:1", "M01", "meat", 1_280_050)
    dest = tmp_path / "backups" / "copy.sqlite"
    result = run("backup", dest)
    assert result.exit_code == 0, result.stderr
    assert f"to {dest}" in result.stdout
    assert dump_file(dest) == dump_file(market.path)
    assert not Path(f"{dest}-wal").exists()
    assert list(dest.parent.iterdir()) == [dest]

    again = run("backup", dest)
    assert again.exit_code == 1 and "already exists" in again.stderr
    market.add_sale("2025-26:2", "D01", "dairy", 5_000)
    forced = run("backup", dest, "--force")
    assert forced.exit_code == 0, forced.stderr
    assert dump_file(dest) == dump_file(market.path)

    folder = run("backup", tmp_path / "backups")
    assert folder.exit_code == 0, folder.stderr
    assert len(list((tmp_path / "backups").glob("iddexi-backup-*.sqlite"))) == 1

    new_folder = run("backup", "nightly/")  # a folder that does not exist yet
    assert new_folder.exit_code == 0, new_folder.stderr
    (made,) = Path("nightly").iterdir()
    assert made.name.startswith("iddexi-backup-") and dump_file(made) == dump_file(market.path)


def test_backup_refuses_to_overwrite_the_ledger_itself(market: Ledger, run, ledger_path) -> None:
    before = dump_file(ledger_path)
    result = run("backup", ledger_path, "--force")
    assert result.exit_code == 1 and "the ledger itself" in result.stderr
    assert dump_file(ledger_path) == before


def test_backup_while_another_process_writes(tmp_path: Path) -> None:
    ledger = tmp_path / "busy.sqlite"
    crash_driver.prepare(ledger)
    writer = subprocess.Popen(
        [
            sys.executable,
            crash_driver.__file__,
            "write",
            str(ledger),
            str(tmp_path),
            "7",
            "atomic",
            "400",
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    copies = []
    book = Ledger.open(ledger)
    try:
        while writer.poll() is None and len(copies) < 40:
            done = backup_ledger(book.conn, tmp_path / f"copy-{len(copies)}.sqlite")
            copies.append(done)
            time.sleep(0.02)
    finally:
        _, stderr = writer.communicate(timeout=60)
        book.close()
    assert writer.returncode == 0, stderr
    assert len(copies) >= 3
    counts = set()
    for copy in copies:
        assert audit(copy.path) == [], copy.path
        counts.add(copy.batches)
    assert len(counts) >= 2, "every copy was taken while the writer was idle"
    with Ledger.open(ledger) as book:
        final = backup_ledger(book.conn, tmp_path / "final.sqlite")
    assert dump_file(final.path) == dump_file(ledger)


# ---------------------------------------------------------------------------- restore


@pytest.fixture
def backup(market: Ledger, tmp_path: Path) -> Path:
    market.add_sale("2025-26:1", "M01", "meat", 1_000_00)
    dest = tmp_path / "good.sqlite"
    backup_ledger(market.conn, dest)
    market.add_sale("2025-26:1", "D01", "dairy", 55_00)  # made after the backup
    return dest


def test_restore_refuses_an_existing_ledger_without_force(backup: Path, run, ledger_path) -> None:
    before = dump_file(ledger_path)
    result = run("restore", backup)
    assert result.exit_code == 1
    assert "already exists" in result.stderr and "--force" in result.stderr
    assert dump_file(ledger_path) == before


def test_restore_with_force_brings_back_the_backup(
    backup: Path, market: Ledger, run, ledger_path
) -> None:
    result = run("restore", backup, "--force")
    assert result.exit_code == 0, result.stderr
    assert dump_file(ledger_path) == dump_file(backup)
    # the connection that was open all along sees the restored ledger
    assert [s.amount_fen for s in market.sales("2025-26:1")] == [1_000_00]
    listed = run("sale", "list", "2025-26:1", "--json")
    assert [line["stall"] for line in json.loads(listed.stdout)] == ["M01"]
    assert run("sale", "add", "2025-26:1", "F01", "food", "12.50").exit_code == 0
    assert run("check").exit_code == 0


def test_restore_keeps_the_replaced_ledger_and_says_what_the_backup_lacks(
    backup: Path, run, ledger_path: Path
) -> None:
    """The backup is older than the ledger: the sale made since must not be lost."""
    before = dump_file(ledger_path)
    result = run("restore", backup, "--force")
    assert result.exit_code == 0, result.stderr
    kept = list(ledger_path.parent.glob(f"{ledger_path.stem}.before-restore-*.sqlite"))
    assert len(kept) == 1
    assert dump_file(kept[0]) == before  # the replaced ledger, whole
    assert f"kept as {kept[0]}" in result.stdout
    assert "Warning: the backup lacks 1 batch(es) of the replaced ledger" in result.stderr
    assert str(kept[0]) in result.stderr
    # a second restore keeps its own copy, never writing over the first
    again = run("restore", backup, "--force")
    assert again.exit_code == 0, again.stderr
    assert len(list(ledger_path.parent.glob(f"{ledger_path.stem}.before-restore-*"))) == 2
    assert "lacks" not in again.stderr
    assert dump_file(kept[0]) == before


def test_restore_into_a_new_ledger_needs_no_force(backup: Path, run, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "new.sqlite"
    result = run("--ledger", target, "restore", backup)
    assert result.exit_code == 0, result.stderr
    assert dump_file(target) == dump_file(backup)


def _not_a_ledger(tmp_path: Path) -> Path:
    path = tmp_path / "other.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    return path


def _newer(tmp_path: Path, backup: Path) -> Path:
    path = tmp_path / "newer.sqlite"
    path.write_bytes(backup.read_bytes())
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    return path


def _damaged(tmp_path: Path, backup: Path) -> Path:
    path = tmp_path / "damaged.sqlite"
    path.write_bytes(backup.read_bytes())
    _wipe_pages(path, path.stat().st_size // 4096 // 2)
    return path


def _unprotected(tmp_path: Path, backup: Path) -> Path:
    """A copy whose money rows could be edited in place: its trigger was dropped."""
    path = tmp_path / "unprotected.sqlite"
    path.write_bytes(backup.read_bytes())
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER sales_no_update")
    conn.commit()
    conn.close()
    return path


def _doubled(tmp_path: Path, backup: Path) -> Path:
    """A sound SQLite file that counts a line twice (written by hand, not by iddexi)."""
    path = tmp_path / "doubled.sqlite"
    path.write_bytes(backup.read_bytes())
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO sales (batch_id, session_id, stall, category, amount_fen)"
        " SELECT batch_id, session_id, stall, category, amount_fen FROM sales"
    )
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp, b: tmp / "missing.sqlite", "no ledger at"),
        (
            lambda tmp, b: (tmp / "notes.txt").write_text("hello") and tmp / "notes.txt",
            "not an SQLite file",
        ),
        (lambda tmp, b: _not_a_ledger(tmp), "not an iddexi ledger"),
        (_newer, "newer than this iddexi knows"),
        (_damaged, "damaged and was not restored"),
        (_doubled, "stall M01 meat: 2 live lines (¥2,000.00 in all"),
        (_unprotected, "trigger sales_no_update: is missing"),
        (lambda tmp, b: tmp, "is a folder"),
    ],
)
def test_restore_checks_the_source_first(
    backup: Path, run, ledger_path: Path, tmp_path: Path, make, message: str
) -> None:
    source = make(tmp_path, backup)
    before = dump_file(ledger_path)
    result = run("restore", source, "--force")
    assert result.exit_code == 1
    assert message in result.stderr, result.stderr
    assert result.stderr.startswith("Error: ")
    assert dump_file(ledger_path) == before


def test_a_backup_with_problems_is_restored_only_when_asked_and_keeps_them(
    backup: Path, run, tmp_path: Path
) -> None:
    source = _doubled(tmp_path, backup)
    target = tmp_path / "restored.sqlite"
    refused = run("--ledger", target, "restore", source)
    assert refused.exit_code == 1 and "--despite-problems" in refused.stderr
    assert not target.exists()
    result = run("--ledger", target, "restore", source, "--despite-problems")
    assert result.exit_code == 0, result.stderr
    checked = run("--ledger", target, "check")
    assert checked.exit_code == 1 and "2 live lines" in checked.stderr


# ----------------------------------------------------------------------- append-only

GUARDED = [
    ("UPDATE sales SET amount_fen = 1", "sales are append-only"),
    ("DELETE FROM sales", "sales are append-only"),
    ("UPDATE sessions SET date = '2025-11-23'", "sessions are append-only"),
    ("DELETE FROM sessions", "sessions are append-only"),
    ("UPDATE session_revisions SET visitors = 1", "session corrections are append-only"),
    ("DELETE FROM session_revisions", "session corrections are append-only"),
    ("UPDATE sale_voids SET batch_id = 1", "sale voids are append-only"),
    ("DELETE FROM sale_voids", "sale voids are append-only"),
    ("DELETE FROM batches", "batches are never deleted"),
    ("UPDATE batches SET source = 'forged'", "a batch can only be voided, once"),
    ("UPDATE batches SET kind = 'demo'", "a batch can only be voided, once"),
    ("UPDATE batches SET created_by = 'someone'", "a batch can only be voided, once"),
    ("UPDATE batches SET created_at = '2020-01-01'", "a batch can only be voided, once"),
    ("UPDATE batches SET sha256 = 'abc'", "a batch can only be voided, once"),
    (
        "UPDATE batches SET control_total_fen = 1 WHERE control_total_fen IS NOT NULL",
        "a batch can only be voided, once",
    ),
    ("UPDATE batches SET id = id + 1000", "a batch can only be voided, once"),
    (
        "UPDATE batches SET voided_at = NULL WHERE voided_at IS NOT NULL",
        "a batch can only be voided, once",
    ),
    (
        "UPDATE batches SET void_reason = 'other' WHERE voided_at IS NOT NULL",
        "a batch can only be voided, once",
    ),
]


@pytest.mark.parametrize(("sql", "message"), GUARDED)
def test_the_database_refuses_to_change_written_money(
    market: Ledger, ledger_path: Path, sql: str, message: str
) -> None:
    first, _ = market.add_sale("2025-26:1", "M01", "meat", 100_00)
    market.add_sale("2025-26:1", "M01", "meat", 200_00, replace=True)
    market.set_session("2025-26:1", visitors=123)
    market.void(first.batch_id, "typed twice")
    before = dump_file(ledger_path)
    conn = _raw(ledger_path)  # even SQL typed by hand, without the ledger code
    with pytest.raises(sqlite3.IntegrityError, match=message):
        conn.execute(sql)
    conn.close()
    assert dump_file(ledger_path) == before


def test_voiding_is_the_one_change_a_batch_accepts_and_only_once(market: Ledger, run) -> None:
    sale, _ = market.add_sale("2025-26:1", "M01", "meat", 100_00)
    result = run("void", sale.batch_id, "--reason", "typed twice")
    assert result.exit_code == 0, result.stderr
    again = run("void", sale.batch_id, "--reason", "un-void it")
    assert again.exit_code == 1 and "already void" in again.stderr
    assert market.batch_record(sale.batch_id).reason == "typed twice"
    assert market.sales("2025-26:1") == []


def test_check_notices_an_imported_line_changed_though_its_file_had_no_totals_row(
    market: Ledger, run, ledger_path: Path
) -> None:
    sheet = Path("sheet.csv")
    sheet.write_text("season,session,stall,category,amount\n2025-26,1,M01,meat,100\n")
    assert run("tally", "import", sheet).exit_code == 0
    batch = market.history()[-1].id
    conn = _raw(ledger_path)
    conn.execute("DROP TRIGGER sales_no_update")
    conn.execute("UPDATE sales SET amount_fen = 1000000 WHERE batch_id = ?", (batch,))
    conn.close()
    result = run("check")
    assert result.exit_code == 1
    assert (
        f"batch {batch} (sheet.csv): its 1 line(s) add up to ¥10,000.00 but its recorded "
        "total is ¥100.00" in result.stderr
    )


def test_an_import_repeating_a_recorded_line_still_adds_up(market: Ledger, run) -> None:
    """A totals row counts the whole file, and the batch holds the whole file."""
    first = Path("first.csv")
    first.write_text("season,session,stall,category,amount\n2025-26,1,M01,meat,100\n")
    second = Path("second.csv")
    second.write_text(
        "season,session,stall,category,amount\n"
        "2025-26,1,M01,meat,100\n"  # identical to what first.csv recorded
        "2025-26,1,D01,dairy,50\n"
        "合计,,,,150\n"
    )
    assert run("tally", "import", first).exit_code == 0
    result = run("tally", "import", second)
    assert result.exit_code == 0, result.stderr
    assert sum(s.amount_fen for s in market.sales("2025-26:1")) == 150_00
    checked = run("check")
    assert checked.exit_code == 0, checked.stderr
