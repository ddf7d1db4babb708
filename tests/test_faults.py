"""Fault injection: make the k-th SQL statement fail, for every k; the ledger must not change.

Each entry command and a tally import is run again and again with a connection that
fails on statement 1, then 2, … until the command gets through without reaching the
fault. After every failed run the person sees one ``Error:`` line, exit code 1, and the
ledger's every table is exactly what it was before. A second harness interrupts SQLite
inside a statement (the progress handler), in the middle of a multi-row insert.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

import iddexi.ledger.core as core
from iddexi.ledger.core import Ledger
from iddexi.ledger.errors import IddexiError
from iddexi.ledger.integrity import backup_ledger, restore_ledger
from tests.helpers.faults import FailingConnection, masked
from tests.helpers.ledger_state import dump_file, dump_tables

SALES_CSV = (
    "season,session,stall,category,amount,quantity,unit,note\n"
    "2025-26,1,D01,dairy,3200,,,\n"
    "2025-26,2,F01,food,1999.99,,,夜市\n"
    "2025-26,2,M01,meat,12800.50,160,kg,\n"
    "合计,,,,18000.49,,,\n"
)
# Supersedes `sale add --replace` (session 1) and a line of SALES_CSV (session 2).
REPLACING_CSV = (
    "season,session,stall,category,amount\n2025-26,1,M01,meat,13100\n2025-26,2,M01,meat,500.10\n"
)


def _run_with_faults(
    monkeypatch: pytest.MonkeyPatch,
    ledger_path: Path,
    command: Callable[[], object],
    folder: Path,
) -> tuple[int, list[object], object]:
    """Run ``command`` with a fault at statement 1, 2, … until it gets through.

    A fault before the command's write committed must leave every table as it was. A
    fault after it (a read to print the result) must leave exactly what a clean run
    leaves; the before-state is then restored so the next run starts from it again.
    Returns the number of statements, the results of the failed runs, and the result of
    the run that got through.
    """
    real_connect = core.connect
    failures = []
    saved = folder / "before-command.sqlite"
    with Ledger.open(ledger_path) as book:
        backup_ledger(book.conn, saved, force=True)
    before = dump_file(ledger_path)
    landed_early = []
    for k in range(1, 500):
        proxies: list[FailingConnection] = []

        def connect(
            path: Path, *, create: bool = True, _k: int = k, _into: list = proxies
        ) -> FailingConnection:
            proxy = FailingConnection(real_connect(path, create=create), _k)
            _into.append(proxy)
            return proxy

        monkeypatch.setattr(core, "connect", connect)
        try:
            result = command()
        finally:
            monkeypatch.setattr(core, "connect", real_connect)
        (proxy,) = proxies
        if proxy.failed_sql is None:
            assert k > 1, "the command ran no SQL"
            after = masked(dump_file(ledger_path))
            for n, early in landed_early:
                assert early == after, f"fault at statement {n} left a partial write"
            return k - 1, failures, result
        failures.append((result, proxy.commits_before_fault))
        where = f"fault at statement {k} ({proxy.failed_sql})"
        if proxy.commits_before_fault == 0:
            assert dump_file(ledger_path) == before, where
        else:
            landed_early.append((k, masked(dump_file(ledger_path))))
            restore_ledger(saved, ledger_path, force=True)
            assert dump_file(ledger_path) == before
    raise AssertionError("the command never finished")


ENTRY_COMMANDS = [
    ("township add", ["township", "add", "伊敏苏木", "--kind", "sumu"]),
    ("season add", ["season", "add", "2026-27", "--start", "2026-11-21", "--end", "2027-01-30"]),
    ("category add", ["category", "add", "fur", "--zh", "皮毛", "--en", "Furs"]),
    ("stall add", ["stall", "add", "N01", "--name", "新摊位", "--township", "辉苏木"]),
    (
        "session add",
        [
            "session",
            "add",
            "2025-26",
            "--date",
            "2025-12-06",
            "--host",
            "辉苏木",
            "--visitors",
            "8800",
            "--theme",
            "冰雪那达慕",
        ],
    ),
    (
        "sale add",
        ["sale", "add", "2025-26:1", "M01", "meat", "12,800.50", "--qty", "160", "--unit", "kg"],
    ),
    ("sale add --replace", ["sale", "add", "2025-26:1", "M01", "meat", "13000", "--replace"]),
    ("session set", ["session", "set", "2025-26:1", "--visitors", "10400", "--note", "雪"]),
    ("tally import", ["tally", "import", "sales.csv"]),
    ("tally import again", ["tally", "import", "sales.csv"]),
    ("tally import --replace", ["tally", "import", "replacing.csv", "--replace"]),
    ("void", ["void", "LAST", "--reason", "typed twice"]),
]


def test_every_entry_command_fails_cleanly_at_every_statement(
    market: Ledger, run, ledger_path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "sales.csv").write_text(SALES_CSV, encoding="utf-8")
    (tmp_path / "replacing.csv").write_text(REPLACING_CSV, encoding="utf-8")
    statements = {}
    for name, args in ENTRY_COMMANDS:
        if args[1] == "LAST":
            args = ["void", str(market.history()[-1].id), *args[2:]]
        count, failures, last = _run_with_faults(
            monkeypatch, ledger_path, lambda a=args: run(*a), tmp_path
        )
        statements[name] = count
        assert last.exit_code == 0, (name, last.stderr)
        for k, (result, committed) in enumerate(failures, start=1):
            lines = result.stderr.strip().splitlines()
            if committed:
                # the write landed before the fault: it counts, and the person is told so
                # (never `Error:`, or they enter it again)
                assert result.exit_code == 0, (name, k, result.stdout, result.exception)
                assert lines == [lines[0]] and lines[0].startswith("Recorded "), result.stderr
                assert "do not enter it again" in lines[0]
            else:
                assert result.exit_code == 1, (name, k, result.stdout, result.exception)
                assert lines[-1].startswith("Error: "), (name, k, result.stderr)
            assert "injected fault" in result.stderr or "could not" in result.stderr, (
                name,
                k,
                result.stderr,
            )
            assert "Traceback" not in result.stderr
        # and then the command did land
        assert run("check").exit_code == 0, run("check").stderr
    # every command that writes ran its BEGIN, at least one INSERT and its COMMIT
    assert all(n >= 3 for name, n in statements.items() if name != "tally import again")
    assert market.sessions("2025-26")[0].visitors == 10400
    # the void took back the replacing import: the lines it superseded count again
    assert {s.stall: s.amount_fen for s in market.sales("2025-26:1")} == {
        "M01": 13_000_00,
        "D01": 3_200_00,
    }
    assert {s.stall: s.amount_fen for s in market.sales("2025-26:2")} == {
        "F01": 1_999_99,
        "M01": 12_800_50,
    }


def _library_steps(book: Ledger, folder: Path) -> list[tuple[str, Callable[[], object]]]:
    from iddexi.tally.importer import import_files

    (folder / "sales.csv").write_text(SALES_CSV, encoding="utf-8")
    (folder / "replacing.csv").write_text(REPLACING_CSV, encoding="utf-8")
    import datetime as dt

    return [
        ("add_session", lambda: book.add_session("2025-26", dt.date(2025, 12, 6), visitors=5)),
        ("add_sale", lambda: book.add_sale("2025-26:1", "M01", "meat", 100_00)),
        (
            "add_sale replace",
            lambda: book.add_sale("2025-26:1", "M01", "meat", 90_00, replace=True),
        ),
        ("set_session", lambda: book.set_session("2025-26:2", theme='=HYPERLINK("x")')),
        ("import", lambda: import_files(book, [folder / "sales.csv"], replace=True)),
        ("import replace", lambda: import_files(book, [folder / "replacing.csv"], replace=True)),
        ("void", lambda: book.void(book.history()[-1].id, "wrong file")),
    ]


def test_a_long_lived_ledger_object_stays_usable_after_each_fault(
    market: Ledger, ledger_path: Path, tmp_path: Path
) -> None:
    """The library path: one Ledger kept open (as a report server would) survives faults."""
    real = market.conn
    saved = tmp_path / "before-step.sqlite"
    for name, step in _library_steps(market, tmp_path):
        backup_ledger(real, saved, force=True)
        before = dump_tables(real)
        landed_early = []
        for k in range(1, 500):
            proxy = FailingConnection(real, k)
            market.conn = proxy
            try:
                step()
            except (sqlite3.Error, IddexiError):
                pass
            finally:
                market.conn = real
            if proxy.failed_sql is None:
                break
            where = (name, k, proxy.failed_sql)
            assert not real.in_transaction, where
            if proxy.commits_before_fault == 0:
                assert dump_tables(real) == before, where
                assert dump_file(ledger_path) == before, where
            else:
                landed_early.append((k, masked(dump_tables(real))))
                restore_ledger(saved, ledger_path, force=True)
                assert dump_tables(real) == before, where
        else:
            raise AssertionError(f"{name} never finished")
        assert k > 2, name
        for n, early in landed_early:
            assert early == masked(dump_tables(real)), (name, n, "a partial write")


def _big_csv(folder: Path) -> Path:
    keys = [
        (s, st, c)
        for s in (1, 2)
        for st in ("M01", "D01", "F01")
        for c in ("meat", "dairy", "food", "craft", "other")
    ]
    rows = ["season,session,stall,category,amount"]
    rows += [f"2025-26,{s},{st},{c},{n}.25" for n, (s, st, c) in enumerate(keys, start=1)]
    path = folder / "big.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _count_vm_ticks(ledger_path: Path, folder: Path, big: Path, every: int) -> int:
    """How many progress-handler ticks the import takes, measured on a copy."""
    from iddexi.tally.importer import import_files

    with Ledger.open(ledger_path) as book:
        copy = backup_ledger(book.conn, folder / "copy.sqlite").path
    ticks = 0

    def count() -> int:
        nonlocal ticks
        ticks += 1
        return 0

    with Ledger.open(copy) as book:
        book.conn.set_progress_handler(count, every)
        import_files(book, [big])
    return ticks


@pytest.mark.parametrize("every", [10, 37])
def test_an_interrupt_inside_a_statement_writes_nothing(
    market: Ledger, ledger_path: Path, tmp_path: Path, every: int
) -> None:
    """Abort SQLite's virtual machine at ~150 points across an import, mid-insert included."""
    from iddexi.tally.importer import import_files

    big = _big_csv(tmp_path)
    total = _count_vm_ticks(ledger_path, tmp_path, big, every)
    assert total > 40
    before = dump_file(ledger_path)
    for point in range(1, total, max(1, total // 150)):
        ticks = 0

        def interrupt(at: int = point) -> int:
            nonlocal ticks
            ticks += 1
            return 1 if ticks == at else 0  # one interrupt, as one fault

        market.conn.set_progress_handler(interrupt, every)
        try:
            with pytest.raises((sqlite3.Error, IddexiError)):
                import_files(market, [big])
        finally:
            market.conn.set_progress_handler(None, 0)
        assert not market.conn.in_transaction, point
        assert dump_file(ledger_path) == before, point
    import_files(market, [big])
    assert sum(s.lines for s in market.sessions("2025-26")) == 30


def _entry_steps(book: Ledger) -> list[tuple[str, Callable[[], object]]]:
    import datetime as dt

    return [
        ("add_session", lambda: book.add_session("2025-26", dt.date(2025, 12, 6), visitors=5)),
        ("add_sale", lambda: book.add_sale("2025-26:1", "M01", "meat", 100_00)),
        ("add_sale replace", lambda: book.add_sale("2025-26:1", "M01", "meat", 9_00, replace=True)),
        ("set_session", lambda: book.set_session("2025-26:2", visitors=77)),
        ("void", lambda: book.void(book.history()[-2].id, "typed twice")),
        ("add_stall", lambda: book.add_stall("N01", "新摊位", township="辉苏木")),
    ]


def test_an_interrupt_inside_an_entry_leaves_the_ledger_object_usable(
    market: Ledger, ledger_path: Path, tmp_path: Path
) -> None:
    """Interrupt every entry at each point of SQLite's work, BEGIN and COMMIT included.

    After each interrupt the Ledger object must hold no open transaction (else it would
    keep the write lock and show its own uncommitted rows), and the ledger must be as
    before, or, when only a read after the commit was cut, exactly as a clean run leaves it.
    """
    saved = tmp_path / "before-entry.sqlite"
    for name, step in _entry_steps(market):
        backup_ledger(market.conn, saved, force=True)
        before = dump_file(ledger_path)
        landed = []
        point = 1
        while True:
            ticks = 0

            def interrupt(at: int = point) -> int:
                nonlocal ticks
                ticks += 1
                return 1 if ticks == at else 0

            market.conn.set_progress_handler(interrupt, 1)
            try:
                step()
                done = True
            except (sqlite3.Error, IddexiError):
                done = False
            finally:
                market.conn.set_progress_handler(None, 0)
            assert not market.conn.in_transaction, (name, point)
            if done:
                break
            now = dump_file(ledger_path)
            assert dump_tables(market.conn) == now, (name, point)
            if now != before:
                landed.append((point, masked(now)))
                restore_ledger(saved, ledger_path, force=True)
            point += 1 if point < 60 else 5
        assert point > 10, name
        for at, state in landed:
            assert state == masked(dump_file(ledger_path)), (name, at, "a partial write")
