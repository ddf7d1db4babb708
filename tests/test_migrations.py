"""Opening a ledger file: new, older, newer, or not a ledger at all."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlite_utils
from typer.testing import Result

from iddexi.ledger import migrations
from iddexi.ledger.core import Ledger
from iddexi.ledger.errors import LedgerFileError
from iddexi.ledger.migrations import MIGRATIONS, SCHEMA_VERSION, migrate

COLUMNS: dict[str, dict[str, type]] = {
    "migrations": {"name": str, "applied_at": str},
    "batches": {
        "id": int,
        "kind": str,
        "source": str,
        "sha256": str,
        "created_at": str,
        "created_by": str,
        "control_total_fen": int,
        "voided_at": str,
        "voided_by": str,
        "void_reason": str,
        "chain_sha256": str,
    },
    "seasons": {
        "code": str,
        "name": str,
        "kind": str,
        "start_date": str,
        "end_date": str,
        "planned_sessions": int,
        "market_day": str,
        "batch_id": int,
    },
    "townships": {"name": str, "kind": str, "batch_id": int},
    "categories": {"code": str, "label_zh": str, "label_en": str, "position": int, "batch_id": int},
    "category_aliases": {"alias": str, "category": str},
    "stalls": {
        "code": str,
        "name": str,
        "operator": str,
        "township": str,
        "herder": int,
        "category": str,
        "batch_id": int,
    },
    "sessions": {"id": int, "season": str, "date": str, "batch_id": int},
    "session_revisions": {
        "id": int,
        "session_id": int,
        "batch_id": int,
        "host": str,
        "theme": str,
        "visitors": int,
        "count_method": str,
        "temperature": str,
        "note": str,
    },
    "sales": {
        "id": int,
        "batch_id": int,
        "session_id": int,
        "stall": str,
        "category": str,
        "amount_fen": int,
        "quantity": str,
        "unit": str,
        "note": str,
    },
    "sale_voids": {"sale_id": int, "batch_id": int},
    "batch_voids": {"batch_id": int, "voided_batch": int, "reason": str},
    "superseded_rows": {
        "batch_id": int,
        "table_name": str,
        "row_key": str,
        "replaced_batch": int,
        "row_json": str,
    },
    # m006: gate samples, open hours, moves and corrections of reference data
    "session_hours": {"id": int, "session_id": int, "batch_id": int, "opens": str, "closes": str},
    "gate_samples": {
        "id": int,
        "session_id": int,
        "batch_id": int,
        "gate": str,
        "start": str,
        "minutes": int,
        "count": int,
        "opens": str,
        "closes": str,
    },
    "session_moves": {"id": int, "session_id": int, "batch_id": int, "date": str},
    "stall_revisions": {
        "id": int,
        "stall": str,
        "batch_id": int,
        "changed": str,
        "name": str,
        "operator": str,
        "township": str,
        "herder": int,
        "category": str,
    },
    "season_revisions": {
        "id": int,
        "season": str,
        "batch_id": int,
        "changed": str,
        "name": str,
        "start_date": str,
        "end_date": str,
        "planned_sessions": int,
        "market_day": str,
    },
    "township_revisions": {
        "id": int,
        "township": str,
        "batch_id": int,
        "changed": str,
        "kind": str,
    },
    # m007: the web app's own tables
    "stall_secrets": {
        "id": int,
        "season": str,
        "stall": str,
        "secret_hash": str,
        "issued_at": str,
        "issued_by": str,
    },
    "web_passwords": {
        "id": int,
        "role": str,
        "password_hash": str,
        "set_at": str,
        "set_by": str,
    },
    "submissions": {
        "id": int,
        "session_id": int,
        "stall": str,
        "lines": str,
        "total_fen": int,
        "submitted_at": str,
        "form_id": str,
        "prev_hash": str,
        "hash": str,
    },
    "submission_decisions": {
        "id": int,
        "submission_id": int,
        "decision": str,
        "reason": str,
        "batch_id": int,
        "decided_at": str,
        "decided_by": str,
        "prev_hash": str,
        "hash": str,
    },
    "session_closures": {"session_id": int, "closed_at": str, "closed_by": str},
}
M006_TABLES = (
    "session_hours",
    "gate_samples",
    "session_moves",
    "stall_revisions",
    "season_revisions",
    "township_revisions",
)
VIEWS = {
    "live_sessions",
    "live_sales",
    "current_sessions",
    "current_stalls",
    "current_seasons",
    "current_townships",
}
TRIGGERS = {
    "sales_no_update",
    "sales_no_delete",
    "sale_voids_no_update",
    "sale_voids_no_delete",
    "sessions_no_update",
    "sessions_no_delete",
    "session_revisions_no_update",
    "session_revisions_no_delete",
    "batches_no_delete",
    "batches_only_void",
    *(f"{table}_no_{what}" for table in M006_TABLES for what in ("update", "delete")),
    *(
        f"{table}_no_{verb}"
        for table in (
            "stall_secrets",
            "web_passwords",
            "submissions",
            "submission_decisions",
            "session_closures",
        )
        for verb in ("update", "delete")
    ),
    "batch_voids_no_update",
    "batch_voids_no_delete",
    "superseded_rows_no_update",
    "superseded_rows_no_delete",
}
INDEXES = {
    "sales_by_session",
    "sales_by_batch",
    "sale_voids_by_batch",
    "sessions_by_season",
    "session_revisions_by_session",
    "batches_by_sha",
    "session_hours_by_session",
    "gate_samples_by_session",
    "session_moves_by_session",
    "stall_revisions_by_stall",
    "season_revisions_by_season",
    "township_revisions_by_township",
    "stall_secrets_by_stall",
    "submissions_by_session",
    "superseded_rows_by_replaced",
    "sessions_by_batch",
    "session_revisions_by_batch",
    "seasons_by_batch",
    "townships_by_batch",
    "stalls_by_batch",
    "categories_by_batch",
    "batches_unsealed",
}


def _names(conn: sqlite3.Connection, kind: str) -> set[str]:
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = ? AND sql IS NOT NULL", (kind,)
    ).fetchall()
    return {r[0] for r in rows}


def _content(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [*conn.iterdump(), f"user_version={conn.execute('PRAGMA user_version').fetchone()}"]
    finally:
        conn.close()


def test_an_empty_ledger_migrates_to_the_current_schema(ledger_path: Path) -> None:
    book = Ledger.open(ledger_path)
    db = sqlite_utils.Database(book.conn)
    assert set(db.table_names()) == set(COLUMNS)
    for table, columns in COLUMNS.items():
        assert db.table(table).columns_dict == columns, table
    assert set(db.view_names()) == VIEWS
    assert _names(book.conn, "trigger") == TRIGGERS
    assert _names(book.conn, "index") == INDEXES
    assert book.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert SCHEMA_VERSION == len(MIGRATIONS)
    book.close()


def test_money_columns_are_integer_fen_and_required(ledger: Ledger) -> None:
    info = {row[1]: row for row in ledger.conn.execute("PRAGMA table_info(sales)")}
    _, _, decl_type, not_null, _, _ = info["amount_fen"]
    assert decl_type == "INTEGER" and not_null == 1


def test_the_categories_are_seeded_with_labels_and_chinese_aliases(ledger: Ledger) -> None:
    labels = {c.code: (c.label_zh, c.label_en) for c in ledger.categories()}
    assert list(labels) == ["meat", "dairy", "craft", "food", "activity", "other"]
    assert labels["meat"][0] == "冬储肉"
    assert labels["dairy"][0] == "奶制品"
    for alias, code in [
        ("冬储肉", "meat"),
        ("肉", "meat"),
        ("奶制品", "dairy"),
        ("手工艺", "craft"),
        ("刺绣", "craft"),
        ("餐饮", "food"),
        ("小吃", "food"),
        ("民俗活动", "activity"),
        ("其他", "other"),
        ("Dairy", "dairy"),
    ]:
        assert ledger.resolve_category(alias) == code, alias


def test_each_migration_is_recorded_once(ledger_path: Path) -> None:
    Ledger.open(ledger_path).close()
    first = (
        sqlite3.connect(ledger_path).execute("SELECT name, applied_at FROM migrations").fetchall()
    )
    assert [name for name, _ in first] == [step.__name__ for step in MIGRATIONS]
    assert first[0][0] == "m001_core_tables"
    for _, applied_at in first:
        dt.datetime.fromisoformat(applied_at)  # a real timestamp
    # opening again applies nothing and records nothing new
    Ledger.open(ledger_path).close()
    again = (
        sqlite3.connect(ledger_path).execute("SELECT name, applied_at FROM migrations").fetchall()
    )
    assert again == first


def test_the_ledger_is_opened_with_wal_foreign_keys_and_a_busy_timeout(ledger: Ledger) -> None:
    assert ledger.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert ledger.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert ledger.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_a_failing_migration_leaves_no_trace(
    ledger_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step and its record land together: a failure half-way leaves the ledger as it was."""
    Ledger.open(ledger_path).close()

    def m999_broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE half_done (x INTEGER)")
        raise sqlite3.OperationalError("disk went away")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*MIGRATIONS, m999_broken])
    conn = sqlite3.connect(ledger_path, isolation_level=None)
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, str(ledger_path), upto=SCHEMA_VERSION + 1)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert "half_done" not in _names(conn, "table")
    assert conn.execute("SELECT count(*) FROM migrations").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def _ledger_at_version_1(path: Path) -> None:
    """A ledger as the first release wrote it, holding a season and a sale."""
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, str(path), upto=1) == ["m001_core_tables"]
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    conn.execute("BEGIN IMMEDIATE")
    add = "INSERT INTO batches (kind, source, created_at, created_by) VALUES (?, ?, ?, ?)"
    setup = conn.execute(
        add, ("setup", "season add 2024-25", "2024-11-20T09:00:00+08:00", "ao")
    ).lastrowid
    conn.execute(
        "INSERT INTO seasons (code, name, kind, start_date, end_date, planned_sessions,"
        " market_day, batch_id) VALUES ('2024-25', '2024—2025 冬季伊德喜', 'winter',"
        " '2024-11-23', '2025-01-25', 10, 'sat', ?)",
        (setup,),
    )
    conn.execute(
        "INSERT INTO townships (name, kind, batch_id) VALUES ('辉苏木', 'sumu', ?)", (setup,)
    )
    conn.execute(
        "INSERT INTO stalls (code, name, township, herder, category, batch_id)"
        " VALUES ('M01', '敖日格勒家冬储肉', '辉苏木', 1, 'meat', ?)",
        (setup,),
    )
    entry = conn.execute(add, ("entry", "session add", "2024-11-23T18:00:00+08:00", "ao")).lastrowid
    session = conn.execute(
        "INSERT INTO sessions (season, date, batch_id) VALUES ('2024-25', '2024-11-23', ?)",
        (entry,),
    ).lastrowid
    conn.execute(
        "INSERT INTO session_revisions (session_id, batch_id, host, visitors)"
        " VALUES (?, ?, '辉苏木', 4000)",
        (session, entry),
    )
    conn.execute(
        "INSERT INTO sales (batch_id, session_id, stall, category, amount_fen, quantity, unit)"
        " VALUES (?, ?, 'M01', 'meat', 1280050, '160', 'kg')",
        (entry, session),
    )
    conn.execute("COMMIT")
    conn.close()


def test_a_version_1_ledger_migrates_with_its_data_intact(ledger_path: Path) -> None:
    _ledger_at_version_1(ledger_path)
    book = Ledger.open(ledger_path)
    assert book.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    names = [r[0] for r in book.conn.execute("SELECT name FROM migrations ORDER BY rowid")]
    assert names == [step.__name__ for step in MIGRATIONS]

    season = book.season("2024-25")
    assert (season.start, season.end, season.planned_sessions) == (
        dt.date(2024, 11, 23),
        dt.date(2025, 1, 25),
        10,
    )
    [session] = book.sessions("2024-25")
    assert (session.ref, session.host, session.visitors) == ("2024-25:1", "辉苏木", 4000)
    assert session.revenue_fen == 1_280_050
    [sale] = book.sales("2024-25:1")
    assert (sale.stall, sale.category, sale.amount_fen, sale.unit) == (
        "M01",
        "meat",
        1_280_050,
        "kg",
    )
    assert str(sale.amount_yuan) == "12800.50"
    assert [(b.kind, b.rows, b.status) for b in book.history()] == [
        ("setup", 3, "live"),
        ("entry", 2, "live"),
    ]

    # what the later migrations added is there and works on the old rows
    assert _names(book.conn, "trigger") == TRIGGERS
    assert _names(book.conn, "index") == INDEXES
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        book.conn.execute("UPDATE sales SET amount_fen = 1")
    # and the migrated ledger takes new writes
    book.add_sale("2024-25:1", "M01", "dairy", 50_000)
    assert book.sessions("2024-25")[0].revenue_fen == 1_330_050
    book.close()


def test_a_ledger_newer_than_the_code_is_refused(
    run: Callable[..., Result], ledger_path: Path
) -> None:
    Ledger.open(ledger_path).close()
    conn = sqlite3.connect(ledger_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    before = _content(ledger_path)

    with pytest.raises(LedgerFileError, match="newer"):
        Ledger.open(ledger_path)

    result = run("history")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert "newer" in lines[0]
    assert str(SCHEMA_VERSION + 5) in lines[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert _content(ledger_path) == before


def test_an_sqlite_file_that_is_not_a_ledger_is_refused(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    other = tmp_path / "contacts.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    conn.execute("INSERT INTO contacts VALUES ('巴特尔', '13800000000')")
    conn.commit()
    conn.close()
    before = _content(other)

    result = run("--ledger", other, "season", "list")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert "contacts.sqlite" in lines[0]
    assert "not an iddexi ledger" in lines[0]
    assert _content(other) == before


def test_a_file_that_is_not_sqlite_is_refused(run: Callable[..., Result], tmp_path: Path) -> None:
    notes = tmp_path / "notes.sqlite"
    text = "第一场 12800.50\n" * 200
    notes.write_text(text, encoding="utf-8")

    result = run("--ledger", notes, "history", "--json")
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert "notes.sqlite" in lines[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert notes.read_text(encoding="utf-8") == text


def test_a_folder_given_as_the_ledger_is_refused(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    folder = tmp_path / "ledgers"
    folder.mkdir()
    result = run("--ledger", folder, "init")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "folder" in result.stderr
    assert list(folder.iterdir()) == []
