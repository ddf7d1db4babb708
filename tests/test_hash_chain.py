"""The hash chain, tested as the attack: edit the ledger file by hand with sqlite3 (the
append-only triggers dropped, and put back so the schema looks untouched), then
`iddexi check` must exit 1 and name the first batch that no longer matches."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from iddexi.ledger.chain import CHAINED_TABLES, seal
from iddexi.ledger.core import Ledger
from iddexi.ledger.migrations import MIGRATIONS, migrate
from tests.helpers.ledger_state import dump_file

DOC = Path(__file__).resolve().parents[1] / "docs" / "hash-chain.md"


def _raw(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    return conn


def tamper(path: Path, edit: Callable[[sqlite3.Connection], None], *, restore: bool = True) -> None:
    """Drop every trigger, make the edit, and (as a careful attacker would) put the
    triggers back exactly as they were."""
    conn = _raw(path)
    triggers = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER {name}")
    edit(conn)
    if restore:
        for _, sql in triggers:
            conn.execute(sql)
    conn.close()


def chain_problems(run) -> tuple[int, list[dict]]:
    result = run("check", "--json")
    found = json.loads(result.stdout)
    return result.exit_code, [p for p in found["problems"] if p["kind"] == "hash-chain"]


class Book:
    """The batches of the ledger the attacks are made on, by what they wrote."""

    def __init__(self, ledger: Ledger, run, tmp_path: Path) -> None:
        self.ledger = ledger
        sale_a, _ = ledger.add_sale("2025-26:1", "M01", "meat", 1_280_050)
        sale_b, _ = ledger.add_sale("2025-26:1", "D01", "dairy", 300_000, unit="kg")
        self.sale_a, self.sale_b = sale_a, sale_b
        replacing, _ = ledger.add_sale("2025-26:1", "D01", "dairy", 310_000, replace=True)
        self.replacing = replacing
        wrong, _ = ledger.add_sale("2025-26:2", "F01", "food", 5_000)
        self.voided = wrong.batch_id
        ledger.void(self.voided, "typed into the wrong session")
        self.void_batch = ledger.history()[-1].id
        ledger.set_session("2025-26:2", visitors=10_400)
        ledger.add_category("fish", "冬捕鱼", "Winter fish", ["鱼"])
        self.fish = ledger.history()[-1].id
        self.f01 = self.owner("stalls", "code", "F01")
        roster = tmp_path / "stalls.csv"
        roster.write_text(
            "code,name,operator,township,herder,category\nF01,南屯烧烤,,巴彦托海镇,no,food\n",
            encoding="utf-8",
        )
        result = run("tally", "import", roster, "--replace")
        assert result.exit_code == 0, result.stderr
        self.roster = ledger.history()[-1].id
        self.last = self.roster

    def owner(self, table: str, key: str, value: object) -> int:
        return self.ledger.conn.execute(
            f"SELECT batch_id FROM {table} WHERE {key} = ?", (value,)
        ).fetchone()[0]

    def session_batch(self, ref: str) -> int:
        return self.owner("sessions", "id", self.ledger.resolve_session(ref).id)


@pytest.fixture
def book(market: Ledger, run, tmp_path: Path) -> Book:
    return Book(market, run, tmp_path)


def test_an_untouched_ledger_checks_clean_and_prints_its_ledger_code(book: Book, run) -> None:
    head = book.ledger.history()[-1]
    assert head.id == book.last and re.fullmatch(r"[0-9a-f]{64}", head.chain_sha256)
    result = run("check")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Ledger code: {head.chain_sha256[:12]} (after batch {head.id})\n"
    assert json.loads(run("check", "--json").stdout) == {
        "ledger_code": head.chain_sha256[:12],
        "ledger_hash": head.chain_sha256,
        "batch": head.id,
        "problems": [],
        "notes": [],
    }
    history = run("history")
    assert f"Ledger code: {head.chain_sha256[:12]} (after batch {head.id})" in history.stdout
    items = json.loads(run("history", "--json").stdout)
    assert all(re.fullmatch(r"[0-9a-f]{12}", b["ledger_code"]) for b in items)
    assert len({b["chain_sha256"] for b in items}) == len(items)


def test_a_void_is_a_batch_of_its_own_in_the_chain(book: Book) -> None:
    conn = book.ledger.conn
    assert conn.execute("SELECT batch_id, voided_batch, reason FROM batch_voids").fetchall() == [
        (book.void_batch, book.voided, "typed into the wrong session")
    ]
    void = book.ledger.batch_record(book.void_batch)
    voided = book.ledger.batch_record(book.voided)
    assert (void.kind, void.source, void.rows) == ("correction", f"void batch {book.voided}", 1)
    assert (voided.voided_at, voided.voided_by) == (void.created_at, void.created_by)


def test_a_void_cannot_be_voided(book: Book, run, ledger_path: Path) -> None:
    before = dump_file(ledger_path)
    result = run("void", book.void_batch, "--reason", "undo the void")
    assert result.exit_code == 1
    assert f"batch {book.void_batch} is the void of batch {book.voided}" in result.stderr
    assert dump_file(ledger_path) == before


def _amount_and_its_total(b: Book) -> tuple[Callable, int]:
    def edit(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE sales SET amount_fen = 128005 WHERE id = ?", (b.sale_a.id,))
        conn.execute(
            "UPDATE batches SET control_total_fen = 128005 WHERE id = ?", (b.sale_a.batch_id,)
        )

    return edit, b.sale_a.batch_id


def _moved_sale(b: Book) -> tuple[Callable, int]:
    other = b.ledger.resolve_session("2025-26:2").id
    return (
        lambda c: c.execute("UPDATE sales SET session_id = ? WHERE id = ?", (other, b.sale_a.id)),
        b.sale_a.batch_id,
    )


def _visitors(b: Book) -> tuple[Callable, int]:
    session = b.ledger.resolve_session("2025-26:1").id
    return (
        lambda c: c.execute(
            "UPDATE session_revisions SET visitors = 99999 WHERE session_id = ?", (session,)
        ),
        b.session_batch("2025-26:1"),
    )


def _author(b: Book) -> tuple[Callable, int]:
    return (
        lambda c: c.execute(
            "UPDATE batches SET created_by = 'someone else' WHERE id = ?", (b.replacing.batch_id,)
        ),
        b.replacing.batch_id,
    )


def _time(b: Book) -> tuple[Callable, int]:
    return (
        lambda c: c.execute(
            "UPDATE batches SET created_at = '2025-11-22T09:00:00+08:00' WHERE id = ?",
            (b.sale_b.batch_id,),
        ),
        b.sale_b.batch_id,
    )


def _deleted_row(b: Book) -> tuple[Callable, int]:
    return (
        lambda c: c.execute("DELETE FROM sales WHERE id = ?", (b.replacing.id,)),
        b.replacing.batch_id,
    )


def _inserted_row(b: Book) -> tuple[Callable, int]:
    session = b.ledger.resolve_session("2025-26:1").id
    return (
        lambda c: c.execute(
            "INSERT INTO sales (batch_id, session_id, stall, category, amount_fen)"
            " VALUES (?, ?, 'F01', 'food', 50000)",
            (b.sale_a.batch_id, session),
        ),
        b.sale_a.batch_id,
    )


def _deleted_void_of_a_line(b: Book) -> tuple[Callable, int]:
    # brings the replaced line back: counted twice
    return (
        lambda c: c.execute("DELETE FROM sale_voids WHERE batch_id = ?", (b.replacing.batch_id,)),
        b.replacing.batch_id,
    )


def _unvoided(b: Book) -> tuple[Callable, int]:
    return (
        lambda c: c.execute(
            "UPDATE batches SET voided_at = NULL, voided_by = NULL, void_reason = NULL"
            " WHERE id = ?",
            (b.voided,),
        ),
        b.voided,
    )


def _void_reason(b: Book) -> tuple[Callable, int]:
    return (
        lambda c: c.execute(
            "UPDATE batches SET void_reason = 'approved by the bureau' WHERE id = ?", (b.voided,)
        ),
        b.voided,
    )


def _void_erased(b: Book) -> tuple[Callable, int]:
    def edit(conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM batch_voids WHERE voided_batch = ?", (b.voided,))
        conn.execute(
            "UPDATE batches SET voided_at = NULL, voided_by = NULL, void_reason = NULL"
            " WHERE id = ?",
            (b.voided,),
        )

    return edit, b.void_batch


def _stall_name(b: Book) -> tuple[Callable, int]:
    m01 = b.owner("stalls", "code", "M01")
    return lambda c: c.execute("UPDATE stalls SET herder = 0 WHERE code = 'M01'"), m01


def _superseded_stall(b: Book) -> tuple[Callable, int]:
    # the roster import took F01 over; the row as F01's first batch sealed it is kept
    return (
        lambda c: c.execute(
            "UPDATE superseded_rows SET row_json = replace(row_json, '南屯小吃', '南屯夜市')"
        ),
        b.f01,
    )


def _seed_category(b: Book) -> tuple[Callable, int]:
    return lambda c: c.execute("UPDATE categories SET label_zh = '肉' WHERE code = 'meat'"), 1


def _alias(b: Book) -> tuple[Callable, int]:
    return (
        lambda c: c.execute(
            "INSERT INTO category_aliases (alias, category) VALUES ('鲤鱼', 'fish')"
        ),
        b.fish,
    )


def _resealed(b: Book) -> tuple[Callable, int]:
    # an attacker who knows the form re-seals the batch he edited: the next one breaks
    def edit(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE sales SET amount_fen = 1 WHERE id = ?", (b.sale_a.id,))
        conn.execute("UPDATE batches SET control_total_fen = 1 WHERE id = ?", (b.sale_a.batch_id,))
        seal(conn, b.sale_a.batch_id)

    return edit, b.sale_a.batch_id + 1


def _deleted_batch(b: Book) -> tuple[Callable, int]:
    def edit(conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM sales WHERE batch_id = ?", (b.sale_b.batch_id,))
        conn.execute("DELETE FROM batches WHERE id = ?", (b.sale_b.batch_id,))

    return edit, b.sale_b.batch_id + 1


def _half_deleted_batch(b: Book) -> tuple[Callable, int]:
    return (
        lambda c: c.execute("DELETE FROM batches WHERE id = ?", (b.sale_b.batch_id,)),
        b.sale_b.batch_id,
    )


ATTACKS = [
    _amount_and_its_total,
    _moved_sale,
    _visitors,
    _author,
    _time,
    _deleted_row,
    _inserted_row,
    _deleted_void_of_a_line,
    _unvoided,
    _void_reason,
    _void_erased,
    _stall_name,
    _superseded_stall,
    _seed_category,
    _alias,
    _resealed,
    _deleted_batch,
    _half_deleted_batch,
]


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda f: f.__name__.strip("_"))
def test_check_names_the_first_batch_an_edit_by_hand_broke(
    book: Book, run, ledger_path: Path, attack
) -> None:
    edit, first_bad = attack(book)
    book.ledger.close()
    tamper(ledger_path, edit)
    before = dump_file(ledger_path)

    code, problems = chain_problems(run)
    assert code == 1
    assert len(problems) == 1, problems
    assert problems[0]["location"] == f"batch {first_bad}"
    result = run("check")
    assert result.exit_code == 1
    assert any(line.startswith(f"batch {first_bad}: ") for line in result.stderr.splitlines())
    assert dump_file(ledger_path) == before  # check changes nothing


@pytest.mark.parametrize("attack", [_visitors, _unvoided], ids=["visitors", "unvoided"])
def test_the_chain_breaks_with_the_triggers_left_dropped_too(
    book: Book, run, ledger_path: Path, attack
) -> None:
    edit, first_bad = attack(book)
    book.ledger.close()
    tamper(ledger_path, edit, restore=False)
    code, problems = chain_problems(run)
    assert code == 1 and [p["location"] for p in problems] == [f"batch {first_bad}"]


def test_every_write_path_seals_its_batch(book: Book, run, tmp_path: Path) -> None:
    sales = tmp_path / "sales.csv"
    sales.write_text("季,场次,摊位,类别,金额\n2025-26,2,M01,,8000\n", encoding="utf-8")
    assert run("tally", "import", sales).exit_code == 0
    assert run("township", "add", "锡尼河西苏木").exit_code == 0
    assert run("session", "add", "2025-26", "--date", "2025-12-06").exit_code == 0
    unsealed = book.ledger.conn.execute(
        "SELECT id FROM batches WHERE chain_sha256 IS NULL"
    ).fetchall()
    assert unsealed == []
    assert run("check").exit_code == 0


def test_a_refused_import_leaves_the_chain_as_it_was(book: Book, run, tmp_path: Path) -> None:
    before = book.ledger.history()[-1]
    bad = tmp_path / "bad.csv"
    bad.write_text("季,场次,摊位,类别,金额\n2025-26,1,NOPE,,8000\n", encoding="utf-8")
    assert run("tally", "import", bad).exit_code == 1
    assert book.ledger.history()[-1] == before
    assert run("check").exit_code == 0


def test_the_documented_verifier_agrees_with_check(book: Book, run, ledger_path: Path) -> None:
    """docs/hash-chain.md is precise enough to verify a ledger with another program."""
    code = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert code
    namespace: dict = {}
    exec(code.group(1), namespace)
    head = book.ledger.history()[-1].chain_sha256
    edit, first_bad = _visitors(book)
    book.ledger.close()
    assert namespace["verify"](ledger_path) == (None, head)
    tamper(ledger_path, edit)
    assert namespace["verify"](ledger_path) == (first_bad, None)


def test_the_documented_registry_is_the_code_registry() -> None:
    text = DOC.read_text(encoding="utf-8")
    for table in CHAINED_TABLES:
        row = re.search(rf"^\| `{table.name}` +\| ([^|]+)\| ([^|]+)\|", text, re.M)
        assert row, table.name
        assert [c.strip() for c in row.group(1).split(",")] == list(table.columns)
        assert [c.strip() for c in row.group(2).split(",")] == list(table.key)


def test_the_report_names_the_ledger_state_it_came_from(book: Book, run, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    head = book.ledger.history()[-1].chain_sha256
    result = run("report", "season", "2025-26", "--json", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["ledger_hash"] == head and document["ledger_code"] == head[:12]
    [workbook] = (tmp_path / "out").glob("*.xlsx")
    summary = load_workbook(workbook).worksheets[0]
    texts = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str)]
    assert f"账本校验码：{head[:12]}（SHA-256 {head}）" in texts


# ------------------------------------------------------------------------- migration


def _ledger_at_version_4(path: Path) -> None:
    """A ledger as iddexi wrote it before the hash chain, with a bit of everything."""
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, str(path), upto=4)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 4
    at = "2025-11-22T20:00:00+08:00"

    def batch(kind: str, source: str, control: int | None = None) -> int:
        return conn.execute(
            "INSERT INTO batches (kind, source, created_at, created_by, control_total_fen)"
            " VALUES (?, ?, ?, '乌云', ?)",
            (kind, source, at, control),
        ).lastrowid

    setup = batch("setup", "roster.xlsx")
    conn.execute("INSERT INTO townships VALUES ('辉苏木', 'sumu', ?)", (setup,))
    conn.execute(
        "INSERT INTO seasons VALUES ('2025-26', NULL, 'winter', '2025-11-22', '2026-01-31',"
        " 11, 'sat', ?)",
        (setup,),
    )
    conn.execute(
        "INSERT INTO stalls VALUES ('M01', '肉摊', NULL, '辉苏木', 1, 'meat', ?)", (setup,)
    )
    fish = batch("setup", "category add fish")
    conn.execute("INSERT INTO categories VALUES ('fish', '冬捕鱼', 'Winter fish', 7, ?)", (fish,))
    conn.execute("INSERT INTO category_aliases VALUES ('鱼', 'fish')")
    day = batch("entry", "session add")
    conn.execute("INSERT INTO sessions VALUES (1, '2025-26', '2025-11-22', ?)", (day,))
    conn.execute(
        "INSERT INTO session_revisions VALUES (1, 1, ?, '辉苏木', '开幕', 9800, 'full', '-28', NULL)",
        (day,),
    )
    first = batch("entry", "sale add", 1_280_050)
    conn.execute(
        "INSERT INTO sales VALUES (1, ?, 1, 'M01', 'meat', 1280050, '12.5', 'kg', NULL)", (first,)
    )
    wrong = batch("entry", "sale add", 100)
    conn.execute(
        "INSERT INTO sales VALUES (2, ?, 1, 'M01', 'fish', 100, NULL, NULL, NULL)", (wrong,)
    )
    fix = batch("correction", "sale add --replace", 1_300_000)
    conn.execute(
        "INSERT INTO sales VALUES (3, ?, 1, 'M01', 'meat', 1300000, NULL, NULL, NULL)", (fix,)
    )
    conn.execute("INSERT INTO sale_voids VALUES (1, ?)", (fix,))
    conn.execute(
        "UPDATE batches SET voided_at = ?, voided_by = '乌云', void_reason = 'wrong category'"
        " WHERE id = ?",
        ("2025-11-23T08:00:00+08:00", wrong),
    )
    conn.close()


def test_a_version_4_ledger_with_data_is_chained_by_its_migration(ledger_path: Path, run) -> None:
    _ledger_at_version_4(ledger_path)
    before = dump_file(ledger_path)
    book = Ledger.open(ledger_path)
    assert [r[0] for r in book.conn.execute("SELECT name FROM migrations")][-1] == MIGRATIONS[
        -1
    ].__name__
    history = book.history()
    # the void made before the chain became a void batch, in the chain
    assert [(b.id, b.kind, b.source, b.status) for b in history[-2:]] == [
        (6, "correction", "sale add --replace", "live"),
        (7, "correction", "void batch 5", "live"),
    ]
    assert history[4].status == "void" and history[4].voided_at == history[6].created_at
    assert all(b.chain_sha256 for b in history)
    # nothing it held was changed
    after = dump_file(ledger_path)
    for table in ("sales", "sessions", "session_revisions", "stalls", "seasons", "sale_voids"):
        assert after[table] == before[table], table
    book.close()

    result = run("check")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"Ledger code: {history[-1].chain_sha256[:12]} (after batch 7)\n"

    # and the chain it made catches an edit as well as one made by iddexi does
    tamper(ledger_path, lambda c: c.execute("UPDATE session_revisions SET visitors = 99999"))
    code, problems = chain_problems(run)
    assert code == 1 and [p["location"] for p in problems] == ["batch 3"]


def test_a_migrated_ledger_goes_on_chaining_new_batches(ledger_path: Path, run) -> None:
    _ledger_at_version_4(ledger_path)
    with Ledger.open(ledger_path) as book:
        book.add_sale("2025-26:1", "M01", "dairy", 50_000)
        book.add_session("2025-26", dt.date(2025, 11, 29), visitors=5000)
    result = run("check")
    assert result.exit_code == 0, result.stderr
    assert "(after batch 9)" in result.stdout


# --------------------------------------------------------------------------- restore


def test_restore_refuses_a_backup_whose_chain_is_broken(
    book: Book, run, ledger_path: Path, tmp_path: Path
) -> None:
    backup = tmp_path / "backup.sqlite"
    assert run("backup", backup).exit_code == 0
    edit, first_bad = _moved_sale(book)
    tamper(backup, edit)
    book.ledger.close()
    before = ledger_path.read_bytes()
    result = run("restore", backup, "--force")
    assert result.exit_code == 1
    assert f"was not restored: batch {first_bad}: does not match the hash chain" in result.stderr
    assert ledger_path.read_bytes() == before


def test_restore_takes_a_ledger_made_before_the_chain_and_chains_it(
    run, ledger_path: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old.sqlite"
    _ledger_at_version_4(old)
    result = run("restore", old)
    assert result.exit_code == 0, result.stderr
    checked = run("check")
    assert checked.exit_code == 0, checked.stderr
    assert "(after batch 7)" in checked.stdout


def test_a_void_made_by_hand_before_the_chain_migrates_to_a_consistent_void(
    ledger_path: Path, run
) -> None:
    _ledger_at_version_4(ledger_path)
    tamper(
        ledger_path,
        lambda c: c.execute(
            "UPDATE batches SET voided_at = '2025-11-30', voided_by = NULL WHERE id = 4"
        ),
    )
    Ledger.open(ledger_path).close()
    result = run("check")
    assert result.exit_code == 0, result.stderr
