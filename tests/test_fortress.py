"""Attacks on `restore`, `check`, `backup` and the read paths, each made the way someone
with file access would make it: a crafted backup or ledger, then the command, then the
refusal (or the finding) AND a live ledger left byte for byte as it was."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from iddexi.ledger.core import Ledger
from iddexi.ledger.integrity import backup_ledger
from tests.helpers.ledger_state import dump_file


def _fingerprint(path: Path) -> dict[str, str | None]:
    """SHA-256 of the ledger file and of each journal file beside it."""
    found = {}
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-journal")):
        found[name.name] = hashlib.sha256(name.read_bytes()).hexdigest() if name.exists() else None
    return found


def _raw(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    return conn


@pytest.fixture
def live(market: Ledger, ledger_path: Path) -> Path:
    """The live ledger: two sessions with sales."""
    market.add_sale("2025-26:1", "M01", "meat", 1_280_050, quantity=Decimal("80.5"), unit="kg")
    market.add_sale("2025-26:1", "D01", "dairy", 2_000_00)
    market.add_sale("2024-25:1", "M01", "meat", 900_00)
    return ledger_path


@pytest.fixture
def craft(live: Path, market: Ledger, tmp_path: Path) -> Callable[..., Path]:
    """A copy of a good backup of the live ledger, edited with raw SQL statements."""
    good = tmp_path / "good.sqlite"
    backup_ledger(market.conn, good)

    def make(*statements: str, name: str = "crafted.sqlite") -> Path:
        path = tmp_path / name
        shutil.copyfile(good, path)
        conn = _raw(path)
        for statement in statements:
            conn.execute(statement)
        conn.close()
        return path

    return make


def _refused_restore(run, live: Path, source: Path, *args: str) -> str:
    before = _fingerprint(live)
    result = run("restore", source, "--force", *args)
    assert result.exit_code == 1, result.stdout
    assert result.stderr.startswith("Error: "), result.stderr
    assert "Traceback" not in result.stderr
    assert _fingerprint(live) == before
    return result.stderr


def _problems(run, ledger: Path) -> list[dict]:
    result = run("--ledger", ledger, "check", "--json")
    assert result.exit_code == 1, result.stdout
    document = json.loads(result.stdout)
    # a list of problems, or an object holding them beside the ledger code
    problems = document["problems"] if isinstance(document, dict) else document
    # Every row written by hand also breaks the hash chain; these tests are about what
    # the other checks find, so that finding is left to the chain's own tests.
    return [p for p in problems if p["kind"] != "hash-chain"]


# --------------------------------------------------------------- foreign schema objects

EXTRA_TRIGGER = (
    "CREATE TRIGGER sales_vanish AFTER INSERT ON sales BEGIN"
    " INSERT INTO sale_voids (sale_id, batch_id) VALUES (NEW.id, NEW.batch_id); END"
)


def test_a_backup_with_an_extra_trigger_is_refused_and_found(craft, run, live: Path) -> None:
    source = craft(EXTRA_TRIGGER)
    err = _refused_restore(run, live, source)
    assert "trigger sales_vanish: is not part of an iddexi ledger" in err
    # --despite-problems is for figures, not for a foreign schema
    err = _refused_restore(run, live, source, "--despite-problems")
    assert "trigger sales_vanish" in err
    problems = _problems(run, source)
    assert {"schema"} == {p["kind"] for p in problems}
    [extra] = problems
    assert extra["location"] == "trigger sales_vanish"
    assert "INSERT INTO sale_voids" in extra["value"]


@pytest.mark.parametrize(
    ("statement", "location"),
    [
        ("CREATE VIEW every_sale AS SELECT * FROM sales", "view every_sale"),
        ("CREATE INDEX sales_by_note ON sales (note)", "table sales"),
        ("CREATE TABLE notes (text TEXT)", "table notes"),
    ],
)
def test_any_extra_object_is_a_problem(craft, run, live, statement: str, location: str) -> None:
    source = craft(statement)
    _refused_restore(run, live, source)
    problems = _problems(run, source)
    assert [(p["kind"], p["location"]) for p in problems] == [("schema", location)]
    assert "is not part of an iddexi ledger" in problems[0]["message"]


def test_a_sales_table_rewritten_without_its_rules_is_found_with_its_ghost_line(
    craft, run, live: Path
) -> None:
    source = craft(
        "CREATE TABLE sales_loose (id INTEGER PRIMARY KEY, batch_id INTEGER, session_id"
        " INTEGER, stall TEXT, category TEXT, amount_fen INTEGER, quantity TEXT, unit TEXT,"
        " note TEXT)",
        "INSERT INTO sales_loose SELECT * FROM sales",
        "PRAGMA legacy_alter_table = ON",
        "DROP TABLE sales",
        "ALTER TABLE sales_loose RENAME TO sales",
        "INSERT INTO sales (batch_id, session_id, stall, category, amount_fen)"
        " VALUES (1, 3, 'GHOST', 'meat', 5000000)",
    )
    err = _refused_restore(run, live, source, "--despite-problems")
    assert "was not restored" in err
    problems = _problems(run, source)
    found = {(p["kind"], p["location"]): p for p in problems}
    assert found[("schema", "table sales")]["message"].startswith("was redefined")
    assert ("schema", "trigger sales_no_update") in found
    ghost = [p for p in problems if p["value"] == "GHOST"]
    assert [p["kind"] for p in ghost] == ["unknown-reference"]
    assert ghost[0]["message"] == "stall refers to a stall that is not in the ledger"


# ------------------------------------------------------------- rows breaking the rules


@pytest.mark.parametrize(
    ("statement", "shown"),
    [
        (
            "INSERT INTO sales (batch_id, session_id, stall, category, amount_fen)"
            " VALUES (1, 3, 'F01', 'food', -2000000)",
            "amount_fen=-2000000",
        ),
        (
            "INSERT INTO sales (batch_id, session_id, stall, category, amount_fen)"
            " VALUES (1, 3, 'F01', 'food', 5000000000)",
            "amount_fen=5000000000",
        ),
        (
            "INSERT INTO session_revisions (session_id, batch_id, visitors) VALUES (3, 1, -9000)",
            "visitors=-9000",
        ),
        ("UPDATE seasons SET kind = 'monsoon' WHERE code = '2025-26'", "kind='monsoon'"),
    ],
)
def test_rows_breaking_a_check_constraint_are_found_and_refused(
    craft, run, live: Path, statement: str, shown: str
) -> None:
    source = craft(
        "PRAGMA ignore_check_constraints = 1",
        "DROP TRIGGER IF EXISTS session_revisions_no_update",
        statement,
        "CREATE TRIGGER IF NOT EXISTS session_revisions_no_update BEFORE UPDATE ON"
        " session_revisions BEGIN SELECT RAISE(ABORT, 'session corrections are append-only');"
        " END",
    )
    err = _refused_restore(run, live, source, "--despite-problems")
    assert "CHECK constraint failed" in err and shown in err
    broken = [p for p in _problems(run, source) if p["kind"] == "broken-rule"]
    assert len(broken) == 1 and shown in broken[0]["value"], broken


def test_text_where_a_count_belongs_is_found(craft, run, live: Path) -> None:
    # 'lots' >= 0 is true in SQLite, so the CHECK on visitors lets text through
    source = craft(
        "INSERT INTO session_revisions (session_id, batch_id, visitors) VALUES (3, 1, 'lots')"
    )
    _refused_restore(run, live, source, "--despite-problems")
    [problem] = _problems(run, source)
    assert (problem["kind"], problem["message"], problem["value"]) == (
        "bad-value",
        "visitors is not a whole number",
        "lots",
    )


# ------------------------------------------------------------- values that do not parse


def test_a_season_date_that_is_no_day_is_found_and_commands_say_so(
    live: Path, market: Ledger, run
) -> None:
    market.close()
    conn = _raw(live)
    conn.execute("UPDATE seasons SET end_date = '2026-99-99' WHERE code = '2025-26'")
    conn.close()
    problems = _problems(run, live)
    assert {
        "kind": "bad-value",
        "location": "seasons row 2",
        "message": "end_date cannot be read: the commands would fail on it",
        "value": "2026-99-99",
    } in problems
    for command in (
        ("season", "list"),
        ("sale", "list", "2025-26:1"),
        ("report", "season", "2025-26", "--no-files"),
    ):
        result = run(*command)
        assert result.exit_code == 1, (command, result.stdout)
        assert result.stderr.startswith("Error: "), (command, result.stderr)
        assert "'2026-99-99'" in result.stderr and "iddexi check" in result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_quantity_that_is_no_number_is_found_and_commands_say_so(
    live: Path, market: Ledger, run, craft
) -> None:
    market.close()
    conn = _raw(live)
    conn.execute("DROP TRIGGER sales_no_update")
    conn.execute("UPDATE sales SET quantity = 'lots' WHERE quantity IS NOT NULL")
    conn.close()
    problems = _problems(run, live)
    assert [p["location"] for p in problems if p["kind"] == "bad-value"] == ["sales row 1"]
    for command in (
        ("sale", "list", "2025-26:1"),
        ("report", "season", "2025-26", "--out", "out"),
    ):
        result = run(*command)
        assert result.exit_code == 1, (command, result.stdout)
        assert result.stderr.startswith("Error: ") and "'lots'" in result.stderr
        assert result.exception is None or isinstance(result.exception, SystemExit)


# ------------------------------------------------------------------------ versions


@pytest.mark.parametrize(
    ("version", "message"), [(2, "m003_append_only is recorded"), (99, "newer")]
)
def test_a_backup_with_a_changed_version_is_refused_before_anything_is_touched(
    craft, run, live: Path, version: int, message: str
) -> None:
    source = craft(f"PRAGMA user_version = {version}")
    err = _refused_restore(run, live, source, "--despite-problems")
    assert message in err
    # and the live ledger still works
    assert run("sale", "add", "2025-26:2", "F01", "food", "12.50").exit_code == 0


def test_a_backup_made_by_an_older_iddexi_is_restored_and_upgraded(
    run, live: Path, tmp_path: Path
) -> None:
    from iddexi.ledger.migrations import SCHEMA_VERSION, migrate

    old = tmp_path / "old.sqlite"
    conn = sqlite3.connect(old, isolation_level=None)
    migrate(conn, str(old), upto=2)  # before the append-only triggers
    conn.execute(
        "INSERT INTO batches (kind, source, created_at, created_by)"
        " VALUES ('setup', 'season add', '2024-11-01T09:00:00+08:00', 'organiser')"
    )
    conn.execute(
        "INSERT INTO seasons (code, kind, start_date, end_date, batch_id)"
        " VALUES ('2024-25', 'winter', '2024-11-23', '2025-01-25', 1)"
    )
    conn.close()
    result = run("restore", old, "--force")
    assert result.exit_code == 0, result.stderr
    assert dump_file(live)["user_version"] == [(SCHEMA_VERSION,)]
    assert [s["code"] for s in json.loads(run("season", "list", "--json").stdout)] == ["2024-25"]
    assert run("check").exit_code == 0


def test_a_ledger_whose_version_disagrees_with_its_records_fails_check(
    craft, run, live: Path
) -> None:
    source = craft("PRAGMA user_version = 3")
    kinds = {(p["kind"], p["location"], p["message"]) for p in _problems(run, source)}
    assert any("m004_control_total_once is recorded" in m for _k, _l, m in kinds), kinds


# ------------------------------------------------------------------ backup hardening


def test_a_symlink_at_the_old_temporary_name_is_never_written_through(
    live: Path, run, tmp_path: Path
) -> None:
    victim = tmp_path / "victim.sqlite"
    shutil.copyfile(live, victim)
    before = _fingerprint(victim)
    dest = tmp_path / "out" / "copy.sqlite"
    dest.parent.mkdir()
    (dest.parent / f".copy.sqlite.{os.getpid()}.partial").symlink_to(victim)
    result = run("backup", dest)
    assert result.exit_code == 0, result.stderr
    assert _fingerprint(victim) == before
    assert dump_file(dest)["sales"] == dump_file(live)["sales"]


def test_a_symlink_at_the_temporary_name_is_refused_not_followed(
    live: Path, run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = tmp_path / "victim.sqlite"
    shutil.copyfile(live, victim)
    before = _fingerprint(victim)
    # an attacker who could guess the name: every name is already taken by a symlink
    monkeypatch.setattr("secrets.token_hex", lambda n: "0" * (2 * n))
    (tmp_path / f".copy.sqlite.{'0' * 16}.partial").symlink_to(victim)
    result = run("backup", tmp_path / "copy.sqlite")
    assert result.exit_code == 1 and "every name tried was taken" in result.stderr
    assert _fingerprint(victim) == before
    assert not (tmp_path / "copy.sqlite").exists()


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal", "-WAL"])
def test_sqlite_journal_names_are_refused_as_backup_or_ledger(
    live: Path, run, suffix: str, tmp_path: Path
) -> None:
    before = _fingerprint(live)
    result = run("backup", f"{live}{suffix}", "--force")
    assert result.exit_code == 1
    assert "is where SQLite keeps the journal of a ledger" in result.stderr
    other = tmp_path / f"elsewhere.sqlite{suffix}"
    result = run("--ledger", other, "stall", "list")
    assert result.exit_code == 1 and "journal" in result.stderr
    assert not other.exists()
    assert _fingerprint(live) == before


def _iddexi(*args: str, env: dict | None = None, timeout: float = 60, **kw):
    return subprocess.run(
        [sys.executable, "-m", "iddexi", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        **kw,
    )


def test_a_fifo_is_refused_as_restore_source_and_as_ledger(live: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.sqlite"
    os.mkfifo(fifo)
    before = _fingerprint(live)
    # a subprocess with a timeout: a hang fails the test instead of stopping the suite
    restored = _iddexi("--ledger", str(live), "restore", str(fifo), "--force", timeout=30)
    assert restored.returncode == 1 and "not a regular file" in restored.stderr
    listed = _iddexi("--ledger", str(fifo), "stall", "list", timeout=30)
    assert listed.returncode == 1 and "not a regular file" in listed.stderr
    checked = _iddexi("--ledger", str(fifo), "check", timeout=30)
    assert checked.returncode == 1 and "not a regular file" in checked.stderr
    assert _fingerprint(live) == before


def test_a_device_is_refused_as_backup_target(live: Path, run, tmp_path: Path) -> None:
    # a device node of our own, never the system's /dev/null: a regression here would
    # replace it with a file (a FIFO where the tests may not make devices)
    device = tmp_path / "null"
    if os.geteuid() == 0:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    else:
        os.mkfifo(device)
    result = run("backup", device, "--force")
    assert result.exit_code == 1 and "not a regular file" in result.stderr
    assert not stat.S_ISREG(device.stat().st_mode)


def test_a_backup_with_another_page_size_restores(
    craft, run, live: Path, market: Ledger, tmp_path: Path
) -> None:
    source = craft("PRAGMA page_size = 8192", "VACUUM", name="big-pages.sqlite")
    assert _raw(source).execute("PRAGMA page_size").fetchone()[0] == 8192
    assert market.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    market.add_sale("2025-26:2", "F01", "food", 1_00)  # after the backup
    result = run("restore", source, "--force")
    assert result.exit_code == 0, result.stderr
    assert dump_file(live)["sales"] == dump_file(source)["sales"]
    assert run("check").exit_code == 0
    # the connection open all along sees the restored ledger
    assert [s.stall for s in market.sales("2025-26:2")] == []


def test_a_restore_that_fails_while_installing_leaves_the_ledger_as_it_was(
    craft, run, live: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = craft()

    def broken_install(temporary: Path, target: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("iddexi.ledger.integrity._install", broken_install)
    err = _refused_restore(run, live, source)
    assert "No space left on device" in err
    assert not [p for p in live.parent.iterdir() if p.name.endswith(".partial")]


# ------------------------------------------------------------------ read-only ledgers


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A folder outside pytest's private temp dir, so another user can reach it."""
    folder = Path(tempfile.mkdtemp(prefix="iddexi-ro-"))
    folder.chmod(0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)
    shutil.rmtree(folder)


# Root passes every permission check, so under root the command runs as nobody. The
# interpreter may live where nobody cannot read (a home folder), so it starts as root,
# loads the code a command needs, then gives up root before the command runs.
_AS_NOBODY = """
import importlib, os, pkgutil, sys
import iddexi, iddexi.cli
for module in pkgutil.walk_packages(iddexi.__path__, "iddexi."):
    try:
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    except ImportError:
        pass  # an optional extra (the analyst API's pandas) that is not installed
if os.geteuid() == 0 and os.environ.get("IDDEXI_AS_NOBODY") != "1":
    raise SystemExit("not run as nobody")
import rich
for module in pkgutil.walk_packages(rich.__path__, "rich."):
    try:
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    except ImportError:
        pass  # the Windows console
for name in sorted(sys.stdlib_module_names - {"antigravity", "this", "idlelib", "turtledemo"}):
    try:
        importlib.import_module(name)
    except Exception:
        pass
import sqlite_utils
if os.geteuid() == 0:
    os.setgid(65534)
    os.setuid(65534)
sys.argv[0] = "iddexi"
iddexi.cli.main()
"""


def _as_other_user(*args: str, ledger: Path, cwd: Path) -> subprocess.CompletedProcess:
    """Run iddexi as a user the permission bits bind: nobody when the tests run as root,
    else the current user."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IDDEXI")}
    env |= {"IDDEXI_LEDGER": str(ledger), "USER": "nobody", "HOME": str(cwd), "IDDEXI_LANG": "en"}
    env["IDDEXI_AS_NOBODY"] = "1"
    return subprocess.run(
        [sys.executable, "-c", _AS_NOBODY, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd,
    )


@pytest.mark.parametrize("read_only_folder", [True, False])
def test_reading_commands_work_on_a_read_only_ledger_and_writes_are_refused(
    live: Path, market: Ledger, shared_folder: Path, read_only_folder: bool
) -> None:
    market.close()
    folder = shared_folder / "ledgers"
    folder.mkdir()
    ledger = folder / "market.sqlite"
    shutil.copyfile(live, ledger)
    Ledger.open(ledger).close()  # folds its log: the file alone is the ledger
    assert not Path(f"{ledger}-wal").exists()
    out = shared_folder / "out"
    out.mkdir()
    out.chmod(0o777)
    ledger.chmod(0o444)
    # a read-only folder, or a read-only file in a folder anyone may write
    folder.chmod(0o555 if read_only_folder else 0o777)
    before = ledger.read_bytes()

    for args in (
        ("stall", "list"),
        ("season", "list"),
        ("sale", "list", "2025-26:1"),
        ("history",),
        ("check",),
        ("report", "season", "2025-26", "--no-files"),
        ("backup", str(out / "copy.sqlite")),
    ):
        done = _as_other_user(*args, ledger=ledger, cwd=out)
        assert done.returncode == 0, (args, done.stderr)
        assert "Error" not in done.stderr, (args, done.stderr)

    refused = _as_other_user(
        "sale", "add", "2025-26:2", "F01", "food", "10", ledger=ledger, cwd=out
    )
    assert refused.returncode == 1
    assert refused.stderr.strip() == f"Error: the ledger is read-only: {ledger}"
    assert ledger.read_bytes() == before
    wal = Path(f"{ledger}-wal")
    assert not wal.exists() or wal.stat().st_size == 0  # SQLite's empty log, no write
    assert dump_file(out / "copy.sqlite")["sales"] == dump_file(ledger)["sales"]


def test_a_ledger_the_program_cannot_write_opens_read_only(
    live: Path, market: Ledger, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same decision in-process: the ledger is judged unwritable, as for a user
    without write permission (root passes every permission check, so it is simulated)."""
    market.close()
    monkeypatch.setattr("iddexi.ledger.connection.writable", lambda path: False)
    before = live.read_bytes()
    listed = run("stall", "list", "--json")
    assert listed.exit_code == 0 and len(json.loads(listed.stdout)) == 3
    refused = run("stall", "add", "X01", "--name", "新摊位")
    assert refused.exit_code == 1
    assert refused.stderr == f"Error: the ledger is read-only: {live.resolve()}\n"
    assert live.read_bytes() == before


def test_schema_text_is_compared_without_layout_but_with_every_literal() -> None:
    from iddexi.ledger.schema_check import normalise_sql

    assert normalise_sql("CREATE TABLE t (\n  a TEXT, -- note\n  b INT\n)") == normalise_sql(
        "CREATE TABLE t(a TEXT,b INT)"
    )
    # a value inside a string is part of the rule: 'a, b' is one allowed kind, not two
    assert normalise_sql("CHECK (k IN ('a, b'))") != normalise_sql("CHECK (k IN ('a','b'))")
    assert normalise_sql("CHECK (k IN ('a, b'))") != normalise_sql("CHECK (k IN ('a,b'))")


@pytest.mark.parametrize(
    ("statement", "shown"),
    [
        ("UPDATE seasons SET end_date = '2026-99-99' WHERE code = '2025-26'", "2026-99-99"),
        ("UPDATE sales SET quantity = 'lots' WHERE quantity IS NOT NULL", "lots"),
        ("UPDATE session_revisions SET temperature = 'cold'", "cold"),
        ("UPDATE stalls SET code = '2025-26:1' WHERE code = 'F01'", "2025-26:1"),
    ],
)
def test_a_backup_holding_values_the_commands_cannot_read_is_refused(
    craft, run, live: Path, statement: str, shown: str
) -> None:
    source = craft(
        "DROP TRIGGER sales_no_update",
        "DROP TRIGGER session_revisions_no_update",
        statement,
        "CREATE TRIGGER sales_no_update BEFORE UPDATE ON sales"
        " BEGIN SELECT RAISE(ABORT, 'sales are append-only: void the batch instead'); END",
        "CREATE TRIGGER session_revisions_no_update BEFORE UPDATE ON session_revisions"
        " BEGIN SELECT RAISE(ABORT, 'session corrections are append-only'); END",
    )
    err = _refused_restore(run, live, source, "--despite-problems")
    assert f"'{shown}'" in err
    assert any(p["value"] == shown for p in _problems(run, source))


def test_a_backup_refused_for_its_figures_leaves_no_trace_in_a_new_folder(
    craft, run, tmp_path: Path
) -> None:
    # the same line counted twice: a figure problem, found on the checked copy
    source = craft(
        "INSERT INTO sales (batch_id, session_id, stall, category, amount_fen)"
        " SELECT batch_id, session_id, stall, category, amount_fen FROM sales WHERE id = 1"
    )
    target = tmp_path / "new" / "place" / "ledger.sqlite"
    result = run("--ledger", target, "restore", source)
    assert result.exit_code == 1 and "--despite-problems" in result.stderr
    assert not (tmp_path / "new").exists()
